"""CloudFormation models of the Lambda resource types, registered by :func:`lambda_constructs.local.models.register`.

moto 5.2.5 lacked or got wrong (found by deploying typical CDK Lambda stacks):

* ``AWS::Lambda::Function``: Architectures, KmsKeyArn, Layers, LoggingConfig, TracingConfig,
  EphemeralStorage were dropped -> passed through (LoggingConfig added to GetFunctionConfiguration);
  updates change code and configuration; the resolved environment is kept within 4 KB.
* ``AWS::Lambda::Version``: ``Ref`` was empty -> the version ARN; ``GetAtt Version``; no version is
  published when nothing changed since the last (CloudFormation's error); updates publish anew.
* ``AWS::Lambda::LayerVersion``: ``Ref`` was empty, LayerName/CompatibleArchitectures ignored.
* ``AWS::Lambda::Alias``: missing -> a real alias; RoutingConfig in the API's map form; UpdateAlias
  on update (the ARN stays); AWS's alias rules (:mod:`lambda_constructs.local.rules`).
* ``AWS::Lambda::EventInvokeConfig``: missing -> PutFunctionEventInvokeConfig.
* ``AWS::Lambda::Permission``: ``Ref`` was empty and the qualifier of an alias/version ARN was
  ignored -> statement with Sid, qualified Resource; the policy stays within 20,480 bytes.
* ``AWS::Lambda::EventSourceMapping``: an alias ``FunctionName`` came back as the version ARN ->
  the alias ARN is kept; UpdateEventSourceMapping on update.
"""

from __future__ import annotations

import contextlib
import json
from typing import Any

from moto.awslambda.models import EventSourceMapping as MotoEventSourceMapping
from moto.awslambda.models import LambdaBackend, LambdaFunction, LayerVersion
from moto.awslambda.utils import get_backend
from moto.cloudformation.exceptions import UnformattedGetAttTemplateException
from moto.core.common_models import CloudFormationModel

from lambda_constructs.local import rules
from lambda_constructs.local.model_base import BaseModel


def _lambda(account_id: str, region_name: str) -> LambdaBackend:
    """moto's Lambda backend in use (the "simple" one when Docker is disabled)."""
    return get_backend(account_id, region_name)


def split_qualifier(name_or_arn: str) -> tuple[str, str | None]:
    """Split a function name/ARN into (unqualified name or ARN, qualifier or None)."""
    if name_or_arn.startswith("arn:"):
        parts = name_or_arn.split(":")
        return ":".join(parts[:7]), (parts[7] if len(parts) > 7 else None)
    if ":" in name_or_arn:
        name, qualifier = name_or_arn.split(":", 1)
        return name, qualifier
    return name_or_arn, None


def _function_name(name_or_arn: str) -> str:
    unqualified, _ = split_qualifier(name_or_arn)
    return unqualified.split(":")[-1] if unqualified.startswith("arn:") else unqualified


_Model = BaseModel


class Function(BaseModel):
    """``AWS::Lambda::Function`` keeping the properties moto's own model drops."""

    CFN_TYPE = "AWS::Lambda::Function"
    CFN_NAME_TYPE = "FunctionName"

    @classmethod
    def has_cfn_attr(cls, attr: str) -> bool:
        """True when ``Fn::GetAtt`` knows ``attr``."""
        return attr in ("Arn",)

    @classmethod
    def create_from_cloudformation_json(
        cls,
        resource_name: str,
        cloudformation_json: dict[str, Any],
        account_id: str,
        region_name: str,
        **kwargs: Any,
    ) -> LambdaFunction:
        """Create the resource from its resolved template properties (moto's model interface)."""
        props = cloudformation_json["Properties"]
        spec: dict[str, Any] = {
            "Code": dict(props["Code"]),
            "FunctionName": resource_name,
            "Handler": props.get("Handler"),
            "Role": props["Role"],
            "Runtime": props.get("Runtime"),
        }
        for key in (
            "Architectures",
            "Description",
            "Environment",
            "EphemeralStorage",
            "ImageConfig",
            "Layers",
            "MemorySize",
            "PackageType",
            "ReservedConcurrentExecutions",
            "Timeout",
            "TracingConfig",
            "VpcConfig",
        ):
            if key in props:
                spec[key] = props[key]
        if "KmsKeyArn" in props:
            spec["KMSKeyArn"] = props["KmsKeyArn"]
        if props.get("Tags"):
            spec["Tags"] = {t["Key"]: t["Value"] for t in props["Tags"]}
        if "ZipFile" in spec["Code"]:
            import base64

            spec["Code"]["ZipFile"] = base64.b64encode(
                LambdaFunction._create_zipfile_from_plaintext_code(spec["Code"]["ZipFile"])
            )
        rules.check_environment(resource_name, (props.get("Environment") or {}).get("Variables") or {})
        fn = _lambda(account_id, region_name).create_function(spec)
        logging_config = props.get("LoggingConfig")
        if logging_config:
            fn.logging_config = logging_config  # type: ignore[attr-defined]
            if logging_config.get("LogGroup"):
                fn.logs_group_name = logging_config["LogGroup"]
        return fn

    @classmethod
    def update_from_cloudformation_json(
        cls,
        original_resource: LambdaFunction,
        new_resource_name: str,
        cloudformation_json: dict[str, Any],
        account_id: str,
        region_name: str,
    ) -> LambdaFunction:
        """UpdateFunctionConfiguration + UpdateFunctionCode (moto's part), plus the properties moto drops."""
        props = cloudformation_json["Properties"]
        rules.check_environment(
            original_resource.function_name, (props.get("Environment") or {}).get("Variables") or {}
        )
        before = version_fingerprint(original_resource)
        props.setdefault("Environment", {"Variables": {}})  # a removed environment is emptied, as on AWS
        props["Environment"].setdefault("Variables", {})
        if isinstance(props.get("Code", {}).get("ZipFile"), str):
            import base64

            props["Code"] = {
                "ZipFile": base64.b64encode(
                    LambdaFunction._create_zipfile_from_plaintext_code(props["Code"]["ZipFile"])
                )
            }
        fn: LambdaFunction = LambdaFunction.update_from_cloudformation_json(
            original_resource, new_resource_name, cloudformation_json, account_id, region_name
        )
        if "Architectures" in props:
            fn.architectures = props["Architectures"]
        if "EphemeralStorage" in props:
            fn.ephemeral_storage = props["EphemeralStorage"]["Size"]
        if "TracingConfig" in props:
            fn.tracing_config = props["TracingConfig"]
        if "KmsKeyArn" in props:
            fn.kms_key_arn = props["KmsKeyArn"]
        if props.get("LoggingConfig"):
            fn.logging_config = props["LoggingConfig"]  # type: ignore[attr-defined]
        # moto marks the function changed on every update; AWS compares code and configuration.
        fn.code_or_config_updated = version_fingerprint(fn) != before
        return fn


#: GetFunctionConfiguration fields that make a new version differ from the last (code and configuration).
_VERSIONED_FIELDS = (
    "CodeSha256",
    "Handler",
    "Runtime",
    "MemorySize",
    "Timeout",
    "Role",
    "Environment",
    "Layers",
    "Architectures",
    "EphemeralStorage",
    "VpcConfig",
    "TracingConfig",
    "KMSKeyArn",
    "LoggingConfig",
    "DeadLetterConfig",
    "ImageConfigResponse",
    "PackageType",
)


def version_fingerprint(fn: LambdaFunction) -> str:
    """What PublishVersion compares with the last version: code hash and configuration."""
    config = fn.get_configuration()
    return json.dumps({k: config.get(k) for k in _VERSIONED_FIELDS}, sort_keys=True, default=str)


class Version(_Model):
    """``AWS::Lambda::Version`` whose ``Ref`` is the qualified version ARN."""

    CFN_TYPE = "AWS::Lambda::Version"

    def __init__(self, function_arn: str, version: str) -> None:
        self.function_arn = function_arn
        self.version = version

    @property
    def physical_resource_id(self) -> str:
        """The resource's physical ID (what ``Ref`` answers)."""
        return f"{self.function_arn}:{self.version}"

    def get_cfn_attribute(self, attribute_name: str) -> str:
        """``Fn::GetAtt`` of the resource; unknown attributes raise moto's template error."""
        if attribute_name == "Version":
            return self.version
        if attribute_name == "FunctionArn":
            return self.function_arn
        raise UnformattedGetAttTemplateException()

    @classmethod
    def create_from_cloudformation_json(
        cls,
        resource_name: str,
        cloudformation_json: dict[str, Any],
        account_id: str,
        region_name: str,
        **kwargs: Any,
    ) -> Version:
        """Create the resource from its resolved template properties (moto's model interface)."""
        props = cloudformation_json["Properties"]
        backend = _lambda(account_id, region_name)
        name = _function_name(props["FunctionName"])
        latest = backend.get_function(name)
        versions = backend._lambdas._functions[latest.function_name]["versions"]
        last = versions[-1] if versions else None
        changed = last is None or version_fingerprint(latest) != version_fingerprint(last)
        rules.check_new_version(name, None if last is None else str(last.version), changed)
        latest.code_or_config_updated = changed
        published = backend.publish_version(name, props.get("Description", ""))
        if published is None:
            raise ValueError(f"could not publish a version of {name}")
        unqualified = backend.get_function(name).function_arn
        return cls(unqualified, str(published.version))

    @classmethod
    def update_from_cloudformation_json(
        cls,
        original_resource: Version,
        new_resource_name: str,
        cloudformation_json: dict[str, Any],
        account_id: str,
        region_name: str,
    ) -> Version:
        """Every property of ``AWS::Lambda::Version`` requires replacement: publish a new version (the old
        one stays, as with ``UpdateReplacePolicy: Retain``)."""
        return cls.create_from_cloudformation_json(new_resource_name, cloudformation_json, account_id, region_name)


class LayerVersionModel(_Model):
    """``AWS::Lambda::LayerVersion`` whose ``Ref`` is the layer version ARN."""

    CFN_TYPE = "AWS::Lambda::LayerVersion"

    def __init__(self, layer_version: LayerVersion) -> None:
        self.layer_version = layer_version

    @property
    def physical_resource_id(self) -> str:
        """The resource's physical ID (what ``Ref`` answers)."""
        return self.layer_version.arn

    def get_cfn_attribute(self, attribute_name: str) -> str:
        """``Fn::GetAtt`` of the resource; unknown attributes raise moto's template error."""
        if attribute_name == "LayerVersionArn":
            return self.layer_version.arn
        raise UnformattedGetAttTemplateException()

    @classmethod
    def create_from_cloudformation_json(
        cls,
        resource_name: str,
        cloudformation_json: dict[str, Any],
        account_id: str,
        region_name: str,
        **kwargs: Any,
    ) -> LayerVersionModel:
        """Create the resource from its resolved template properties (moto's model interface)."""
        props = cloudformation_json["Properties"]
        spec: dict[str, Any] = {
            "Content": props["Content"],
            "LayerName": props.get("LayerName", resource_name),
        }
        for key in ("Description", "CompatibleRuntimes", "CompatibleArchitectures", "LicenseInfo"):
            if key in props:
                spec[key] = props[key]
        return cls(_lambda(account_id, region_name).publish_layer_version(spec))

    @classmethod
    def update_from_cloudformation_json(
        cls,
        original_resource: LayerVersionModel,
        new_resource_name: str,
        cloudformation_json: dict[str, Any],
        account_id: str,
        region_name: str,
    ) -> LayerVersionModel:
        """Every property of ``AWS::Lambda::LayerVersion`` requires replacement: publish a new version."""
        return cls.create_from_cloudformation_json(new_resource_name, cloudformation_json, account_id, region_name)


class Alias(_Model):
    """``AWS::Lambda::Alias`` creating a real moto alias."""

    CFN_TYPE = "AWS::Lambda::Alias"

    def __init__(self, arn: str, name: str, function_name: str) -> None:
        self.arn = arn
        self.name = name
        self.function_name = function_name

    @property
    def physical_resource_id(self) -> str:
        """The resource's physical ID (what ``Ref`` answers)."""
        return self.arn

    def get_cfn_attribute(self, attribute_name: str) -> str:
        """``Fn::GetAtt`` of the resource; unknown attributes raise moto's template error."""
        if attribute_name == "AliasArn":
            return self.arn
        raise UnformattedGetAttTemplateException()

    @classmethod
    def create_from_cloudformation_json(
        cls,
        resource_name: str,
        cloudformation_json: dict[str, Any],
        account_id: str,
        region_name: str,
        **kwargs: Any,
    ) -> Alias:
        """Create the resource from its resolved template properties (moto's model interface)."""
        props = cloudformation_json["Properties"]
        name = _function_name(props["FunctionName"])
        version, routing = _alias_spec(props)
        alias = _lambda(account_id, region_name).create_alias(
            name=props["Name"],
            function_name=name,
            function_version=version,
            description=props.get("Description", ""),
            routing_config=routing,  # type: ignore[arg-type]
        )
        return cls(alias.arn, alias.name, name)

    @classmethod
    def update_from_cloudformation_json(
        cls,
        original_resource: Alias,
        new_resource_name: str,
        cloudformation_json: dict[str, Any],
        account_id: str,
        region_name: str,
    ) -> Alias:
        """UpdateAlias (the ARN stays); a new ``Name`` or ``FunctionName`` replaces the alias, as on AWS."""
        props = cloudformation_json["Properties"]
        name = _function_name(props["FunctionName"])
        if props["Name"] != original_resource.name or name != original_resource.function_name:
            _lambda(account_id, region_name).delete_alias(original_resource.name, original_resource.function_name)
            return cls.create_from_cloudformation_json(new_resource_name, cloudformation_json, account_id, region_name)
        version, routing = _alias_spec(props)
        _lambda(account_id, region_name).update_alias(
            name=props["Name"],
            function_name=name,
            function_version=version,
            description=props.get("Description", ""),
            routing_config=routing or {},  # type: ignore[arg-type]
        )
        return original_resource


def _alias_spec(props: dict[str, Any]) -> tuple[str, dict[str, Any] | None]:
    """(FunctionVersion, RoutingConfig in the API's map form) of an alias, after AWS's rules."""
    rules.check_alias_name(str(props["Name"]))
    version = str(props["FunctionVersion"])
    weights = rules.routing_weights(props.get("RoutingConfig"))
    rules.check_routing(str(props["Name"]), version, weights)
    if props.get("ProvisionedConcurrencyConfig"):
        rules.check_provisioned_concurrency(f"alias {props['Name']}", version)
    return version, ({"AdditionalVersionWeights": weights} if weights else None)


class EventInvokeConfig(_Model):
    """``AWS::Lambda::EventInvokeConfig`` via PutFunctionEventInvokeConfig."""

    CFN_TYPE = "AWS::Lambda::EventInvokeConfig"

    def __init__(self, function_name: str, qualifier: str) -> None:
        self.function_name = function_name
        self.qualifier = qualifier

    @property
    def physical_resource_id(self) -> str:
        """The resource's physical ID (what ``Ref`` answers)."""
        return f"{self.function_name}:{self.qualifier}"

    @classmethod
    def create_from_cloudformation_json(
        cls,
        resource_name: str,
        cloudformation_json: dict[str, Any],
        account_id: str,
        region_name: str,
        **kwargs: Any,
    ) -> EventInvokeConfig:
        """Create the resource from its resolved template properties (moto's model interface)."""
        props = cloudformation_json["Properties"]
        name = _function_name(props["FunctionName"])
        config = {
            k: props[k] for k in ("MaximumRetryAttempts", "MaximumEventAgeInSeconds", "DestinationConfig") if k in props
        }
        _lambda(account_id, region_name).put_function_event_invoke_config(name, config)
        return cls(name, str(props.get("Qualifier", "$LATEST")))

    @classmethod
    def update_from_cloudformation_json(
        cls,
        original_resource: EventInvokeConfig,
        new_resource_name: str,
        cloudformation_json: dict[str, Any],
        account_id: str,
        region_name: str,
    ) -> EventInvokeConfig:
        """PutFunctionEventInvokeConfig again (it replaces the whole configuration)."""
        return cls.create_from_cloudformation_json(new_resource_name, cloudformation_json, account_id, region_name)


class EventSourceMapping(_Model):
    """``AWS::Lambda::EventSourceMapping`` keeping the alias ARN it was created for.

    moto resolves ``FunctionName`` (an alias ARN) to the version the alias points to.
    """

    CFN_TYPE = "AWS::Lambda::EventSourceMapping"

    @classmethod
    def create_from_cloudformation_json(
        cls,
        resource_name: str,
        cloudformation_json: dict[str, Any],
        account_id: str,
        region_name: str,
        **kwargs: Any,
    ) -> MotoEventSourceMapping:
        """Create the resource from its resolved template properties (moto's model interface)."""
        props = cloudformation_json["Properties"]
        esm = _lambda(account_id, region_name).create_event_source_mapping(props)
        _keep_qualifier(esm, props, account_id, region_name)
        return esm

    @classmethod
    def update_from_cloudformation_json(
        cls,
        original_resource: MotoEventSourceMapping,
        new_resource_name: str,
        cloudformation_json: dict[str, Any],
        account_id: str,
        region_name: str,
    ) -> MotoEventSourceMapping:
        """UpdateEventSourceMapping (the UUID stays); a new ``EventSourceArn`` replaces it, as on AWS."""
        props = cloudformation_json["Properties"]
        backend = _lambda(account_id, region_name)
        if props.get("EventSourceArn") != original_resource.event_source_arn:
            backend.delete_event_source_mapping(original_resource.uuid)
            return cls.create_from_cloudformation_json(new_resource_name, cloudformation_json, account_id, region_name)
        updated = backend.update_event_source_mapping(original_resource.uuid, dict(props))
        if updated is None:
            raise ValueError(f"event source mapping {original_resource.uuid} not found")
        _keep_qualifier(updated, props, account_id, region_name)
        return updated


def _keep_qualifier(esm: MotoEventSourceMapping, props: dict[str, Any], account_id: str, region_name: str) -> None:
    unqualified, qualifier = split_qualifier(props["FunctionName"])
    if qualifier:
        name = _function_name(unqualified)
        esm.function_arn = f"arn:aws:lambda:{region_name}:{account_id}:function:{name}:{qualifier}"


class Permission(_Model):
    """``AWS::Lambda::Permission`` honouring the qualifier of an alias or version ARN; the policy of the
    function (or of the alias/version) is kept within 20,480 bytes (:func:`rules.check_policy`)."""

    CFN_TYPE = "AWS::Lambda::Permission"

    @property
    def physical_resource_id(self) -> str:
        """The resource's physical ID (what ``Ref`` answers)."""
        return self.sid

    @classmethod
    def create_from_cloudformation_json(
        cls,
        resource_name: str,
        cloudformation_json: dict[str, Any],
        account_id: str,
        region_name: str,
        **kwargs: Any,
    ) -> Permission:
        """Create the resource from its resolved template properties (moto's model interface)."""
        props = cloudformation_json["Properties"]
        unqualified, qualifier = split_qualifier(props["FunctionName"])
        fn = _lambda(account_id, region_name).get_function(_function_name(unqualified))
        request = {
            k: props[k]
            for k in (
                "Action",
                "Principal",
                "SourceArn",
                "SourceAccount",
                "EventSourceToken",
                "PrincipalOrgID",
                "FunctionUrlAuthType",
            )
            if k in props
        }
        request["StatementId"] = resource_name
        request["FunctionName"] = fn.function_arn
        fn.policy.add_statement(raw=json.dumps(request), qualifier=qualifier)
        suffix = f":{qualifier}" if qualifier else ""
        statements = [st for st in fn.policy.statements if str(st.get("Resource", "")) == f"{fn.function_arn}{suffix}"]
        try:
            rules.check_policy(
                f"policy of {fn.function_name}{suffix}",
                {"Version": "2012-10-17", "Id": "default", "Statement": statements},
            )
        except rules.RuleViolationError:
            fn.policy.del_statement(resource_name)
            raise
        return cls(resource_name, fn.function_name)

    def __init__(self, sid: str, function_name: str = "") -> None:
        self.sid = sid
        self.function_name = function_name

    @classmethod
    def update_from_cloudformation_json(
        cls,
        original_resource: Permission,
        new_resource_name: str,
        cloudformation_json: dict[str, Any],
        account_id: str,
        region_name: str,
    ) -> Permission:
        """Every property of ``AWS::Lambda::Permission`` requires replacement: remove the statement, add the new one."""
        original_resource.delete(account_id, region_name)
        return cls.create_from_cloudformation_json(original_resource.sid, cloudformation_json, account_id, region_name)

    def delete(self, account_id: str, region_name: str) -> None:
        """RemovePermission of the statement."""
        if self.function_name:
            with contextlib.suppress(Exception):
                _lambda(account_id, region_name).get_function(self.function_name).policy.del_statement(self.sid)


LAMBDA_MODELS: tuple[type[CloudFormationModel], ...] = (
    Function,
    Version,
    LayerVersionModel,
    Alias,
    EventInvokeConfig,
    EventSourceMapping,
    Permission,
)
"""The Lambda models, in registration order."""
