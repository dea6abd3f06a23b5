"""CloudFormation models that moto 5.2.5 lacks or gets wrong, registered by :func:`register`.

moto looks resource types up in ``parsing.get_model_map()`` (built from the *direct* subclasses of
``CloudFormationModel``). Every class here subclasses it through
:class:`~lambda_constructs.local.model_base.BaseModel` (which writes the ``cloudformation_type()`` and
``cloudformation_name_type()`` staticmethods from ``CFN_TYPE``/``CFN_NAME_TYPE``), so :func:`register`
points the map entries at them. Gaps patched (each found by deploying a typical CDK Lambda stack):

* The ``AWS::Lambda::*`` types: :mod:`lambda_constructs.local.models_lambda`.
* ``AWS::KMS::Key``: ``KeyPolicy`` was stored as a dict, so DescribeKey failed with HTTP 500 -> JSON.
* ``AWS::Logs::LogGroup``: ``KmsKeyId`` was dropped -> kept; ``Fn::GetAtt Arn`` lacked CloudFormation's
  ``:*`` suffix (IAM statements on the group differed from AWS's) -> added.
* ``AWS::ApiGateway::Deployment``/``Method``, ``AWS::EC2::SecurityGroupIngress``,
  ``AWS::RDS::DBSubnetGroup``: no physical ID (``Ref`` empty) -> deployment ID, generated IDs, name;
  ``AWS::RDS::DBInstance`` then takes the subnet group by name.
* Change sets (how the CDK CLI deploys): created resources in template order, no updates, no
  outputs -> :mod:`lambda_constructs.local.updates`.
* S3 bucket policies were enforced without their Conditions, so the bootstrap bucket's
  "deny unless aws:SecureTransport" denied every upload -> stored, not enforced.
* ``AWS::SQS::QueuePolicy``: missing -> the queues' ``Policy`` attribute.
* ``AWS::IAM::Role`` (``ManagedPolicyArns`` ignored, updates partial), ``AWS::IAM::ManagedPolicy`` (no
  update, no delete): :mod:`lambda_constructs.local.models_iam`.
* ``AWS::SQS::Queue``: updates ignored all but two properties (``RedrivePolicy`` among the
  ignored): :mod:`lambda_constructs.local.models_sqs`.
* ``AWS::SNS::Subscription``: missing -> real subscription with its attributes.
* ``AWS::CDK::Metadata``: ignored silently instead of warned about.
* Generated physical names (``<stack>-<logical id>-<random>``) were cut to the service's length
  limit (SQS: 80) after the random suffix was added, so two queues of a nested stack with long
  logical ids got one name (``QueueAlreadyExists``) -> both parts are shortened and the suffix kept,
  as CloudFormation does.

The types of the full example app that moto cannot create at all (CloudWatch alarms, API Gateway
v2, Secrets Manager, Function URLs, Scheduler, CodeDeploy, ``Custom::*`` ...) are modelled in
:mod:`lambda_constructs.local.models_services`, which also says which of them are only recorded.
"""

from __future__ import annotations

import contextlib
import json
import uuid
from typing import Any

from moto.apigateway.models import Deployment as ApiGatewayDeployment
from moto.apigateway.models import Method as ApiGatewayMethod
from moto.awslambda.models import LambdaFunction
from moto.cloudformation import parsing
from moto.core.common_models import CloudFormationModel
from moto.ec2.models.security_groups import SecurityGroupIngress
from moto.kms.models import Key as MotoKey
from moto.logs.models import LogGroup as MotoLogGroup
from moto.rds.models import DBInstance as MotoDBInstance
from moto.rds.models import DBSubnetGroup, rds_backends
from moto.s3.models import FakeBucket
from moto.sns.models import SNSBackend, sns_backends
from moto.sqs.models import sqs_backends

from lambda_constructs.local.model_base import BaseModel
from lambda_constructs.local.models_lambda import LAMBDA_MODELS
from lambda_constructs.local.updates import NoUpdateSupportError

_SUBSCRIPTION_ATTRIBUTES = (
    "DeliveryPolicy",
    "FilterPolicy",
    "FilterPolicyScope",
    "RawMessageDelivery",
    "RedrivePolicy",
    "SubscriptionRoleArn",
)


_Model = BaseModel


class KmsKey(_Model):
    """``AWS::KMS::Key`` storing ``KeyPolicy`` as JSON text (moto stored the dict; DescribeKey then failed)."""

    CFN_TYPE = "AWS::KMS::Key"

    @classmethod
    def create_from_cloudformation_json(
        cls,
        resource_name: str,
        cloudformation_json: dict[str, Any],
        account_id: str,
        region_name: str,
        **kwargs: Any,
    ) -> MotoKey:
        """Create the resource from its resolved template properties (moto's model interface)."""
        props = cloudformation_json["Properties"]
        if isinstance(props.get("KeyPolicy"), dict):
            props["KeyPolicy"] = json.dumps(props["KeyPolicy"])
        key: MotoKey = MotoKey.create_from_cloudformation_json(
            resource_name, cloudformation_json, account_id, region_name, **kwargs
        )
        return key

    @classmethod
    def update_from_cloudformation_json(
        cls,
        original_resource: MotoKey,
        new_resource_name: str,
        cloudformation_json: dict[str, Any],
        account_id: str,
        region_name: str,
    ) -> MotoKey:
        """Description, policy, rotation and enabled state in place (the key ID stays)."""
        props = cloudformation_json["Properties"]
        key = original_resource
        if "Description" in props:
            key.description = props["Description"]
        if "KeyPolicy" in props:
            policy = props["KeyPolicy"]
            key.policy = policy if isinstance(policy, str) else json.dumps(policy)
        key.key_rotation_status = bool(props.get("EnableKeyRotation", False))
        key.enabled = bool(props.get("Enabled", True))
        return key


class LogGroupModel(_Model):
    """``AWS::Logs::LogGroup`` keeping ``KmsKeyId`` (moto only read the API's ``kmsKeyId``)."""

    CFN_TYPE = "AWS::Logs::LogGroup"
    CFN_NAME_TYPE = "LogGroupName"

    @classmethod
    def create_from_cloudformation_json(
        cls,
        resource_name: str,
        cloudformation_json: dict[str, Any],
        account_id: str,
        region_name: str,
        **kwargs: Any,
    ) -> MotoLogGroup:
        """Create the resource from its resolved template properties (moto's model interface)."""
        props = cloudformation_json["Properties"]
        if "KmsKeyId" in props:
            props["kmsKeyId"] = props.pop("KmsKeyId")
        group: MotoLogGroup = MotoLogGroup.create_from_cloudformation_json(
            resource_name, cloudformation_json, account_id, region_name, **kwargs
        )
        return group

    @classmethod
    def update_from_cloudformation_json(
        cls,
        original_resource: MotoLogGroup,
        new_resource_name: str,
        cloudformation_json: dict[str, Any],
        account_id: str,
        region_name: str,
    ) -> MotoLogGroup:
        """Retention and KMS key in place; a new ``LogGroupName`` is a replacement on AWS: refused here."""
        props = cloudformation_json["Properties"]
        if props.get("LogGroupName", original_resource.name) != original_resource.name:
            raise NoUpdateSupportError("a new LogGroupName replaces the log group; the emulator does not replace it")
        original_resource.retention_in_days = props.get("RetentionInDays")
        original_resource.kms_key_id = props.get("KmsKeyId")
        return original_resource


class DBInstanceModel(_Model):
    """``AWS::RDS::DBInstance`` accepting the subnet group's name (moto expected the model object).

    With ``Ref`` of ``AWS::RDS::DBSubnetGroup`` resolving to its name (moto gave no physical ID),
    moto's own model failed with ``'str' object has no attribute 'name'``.
    """

    CFN_TYPE = "AWS::RDS::DBInstance"
    CFN_NAME_TYPE = "DBInstanceIdentifier"

    @classmethod
    def create_from_cloudformation_json(
        cls,
        resource_name: str,
        cloudformation_json: dict[str, Any],
        account_id: str,
        region_name: str,
        **kwargs: Any,
    ) -> MotoDBInstance:
        """Create the resource from its resolved template properties (moto's model interface)."""
        props = cloudformation_json["Properties"]
        group = props.get("DBSubnetGroupName")
        if isinstance(group, str):
            props["DBSubnetGroupName"] = rds_backends[account_id][region_name].subnet_groups[group]
        instance: MotoDBInstance = MotoDBInstance.create_from_cloudformation_json(
            resource_name, cloudformation_json, account_id, region_name, **kwargs
        )
        return instance


class QueuePolicy(_Model):
    """``AWS::SQS::QueuePolicy`` (missing) -> the ``Policy`` attribute of each queue."""

    CFN_TYPE = "AWS::SQS::QueuePolicy"

    def __init__(self, physical_id: str) -> None:
        self.physical_id = physical_id

    @property
    def physical_resource_id(self) -> str:
        """The resource's physical ID (what ``Ref`` answers)."""
        return self.physical_id

    @classmethod
    def create_from_cloudformation_json(
        cls,
        resource_name: str,
        cloudformation_json: dict[str, Any],
        account_id: str,
        region_name: str,
        **kwargs: Any,
    ) -> QueuePolicy:
        """Create the resource from its resolved template properties (moto's model interface)."""
        props = cloudformation_json["Properties"]
        backend = sqs_backends[account_id][region_name]
        policy = props["PolicyDocument"]
        for url in props["Queues"]:
            name = url.rstrip("/").rsplit("/", 1)[-1]
            backend.set_queue_attributes(name, {"Policy": json.dumps(policy)})
        return cls(resource_name)

    @classmethod
    def update_from_cloudformation_json(
        cls,
        original_resource: QueuePolicy,
        new_resource_name: str,
        cloudformation_json: dict[str, Any],
        account_id: str,
        region_name: str,
    ) -> QueuePolicy:
        """Set the queues' ``Policy`` again (the physical ID stays)."""
        cls.create_from_cloudformation_json(new_resource_name, cloudformation_json, account_id, region_name)
        return original_resource


class Subscription(_Model):
    """``AWS::SNS::Subscription`` creating a real subscription with its attributes."""

    CFN_TYPE = "AWS::SNS::Subscription"

    def __init__(self, arn: str) -> None:
        self.arn = arn

    @property
    def physical_resource_id(self) -> str:
        """The resource's physical ID (what ``Ref`` answers)."""
        return self.arn

    @classmethod
    def create_from_cloudformation_json(
        cls,
        resource_name: str,
        cloudformation_json: dict[str, Any],
        account_id: str,
        region_name: str,
        **kwargs: Any,
    ) -> Subscription:
        """Create the resource from its resolved template properties (moto's model interface)."""
        props = cloudformation_json["Properties"]
        topic_arn = props["TopicArn"]
        backend: SNSBackend = sns_backends[account_id][props.get("Region") or region_name]
        sub = backend.subscribe(topic_arn, props["Endpoint"], props["Protocol"])
        for attr in _SUBSCRIPTION_ATTRIBUTES:
            if attr in props:
                value = props[attr]
                if isinstance(value, dict | list):
                    value = json.dumps(value)
                elif isinstance(value, bool):
                    value = str(value).lower()
                backend.set_subscription_attributes(sub.arn, attr, value)
        return cls(sub.arn)

    @classmethod
    def update_from_cloudformation_json(
        cls,
        original_resource: Subscription,
        new_resource_name: str,
        cloudformation_json: dict[str, Any],
        account_id: str,
        region_name: str,
    ) -> Subscription:
        """SetSubscriptionAttributes in place; a new topic, endpoint or protocol replaces it, as on AWS."""
        props = cloudformation_json["Properties"]
        backend: SNSBackend = sns_backends[account_id][props.get("Region") or region_name]
        sub = backend.subscriptions.get(original_resource.arn)
        if sub is None or (sub.topic.arn, sub.endpoint, sub.protocol) != (
            props["TopicArn"],
            props["Endpoint"],
            props["Protocol"],
        ):
            with contextlib.suppress(Exception):
                backend.unsubscribe(original_resource.arn)
            return cls.create_from_cloudformation_json(new_resource_name, cloudformation_json, account_id, region_name)
        for attr in _SUBSCRIPTION_ATTRIBUTES:
            if attr in props:
                value = props[attr]
                if isinstance(value, dict | list):
                    value = json.dumps(value)
                elif isinstance(value, bool):
                    value = str(value).lower()
                backend.set_subscription_attributes(sub.arn, attr, value)
        return original_resource


_SERVICE_MODELS: tuple[type[CloudFormationModel], ...] = (
    KmsKey,
    LogGroupModel,
    DBInstanceModel,
    QueuePolicy,
    Subscription,
)
MODELS: tuple[type[CloudFormationModel], ...] = LAMBDA_MODELS + _SERVICE_MODELS
"""Every model of this module and of :mod:`lambda_constructs.local.models_lambda`."""
IGNORED_TYPES = ("AWS::CDK::Metadata",)


def _configuration_with_logging(self: LambdaFunction, on_create: bool = False) -> dict[str, Any]:
    config = _ORIGINAL_GET_CONFIGURATION(self, on_create)
    logging_config = getattr(self, "logging_config", None)
    if logging_config:
        config["LoggingConfig"] = logging_config
    return config


_ORIGINAL_GET_CONFIGURATION = LambdaFunction.get_configuration


def _generated_id(prefix: str) -> property:
    """A ``physical_resource_id`` generated once per object (moto answered None, i.e. no ``Ref``)."""

    def getter(self: Any) -> str:
        if not hasattr(self, "_emulator_physical_id"):
            self._emulator_physical_id = f"{prefix}{uuid.uuid4().hex[:12]}"
        value: str = self._emulator_physical_id
        return value

    return property(getter)


# moto model classes whose physical_resource_id was None, so DescribeStackResources had no ID.
_PHYSICAL_IDS: dict[type[Any], property] = {
    ApiGatewayDeployment: property(lambda self: self.id),
    ApiGatewayMethod: _generated_id("method-"),
    SecurityGroupIngress: _generated_id("sgr-"),
    DBSubnetGroup: property(lambda self: self.name),
}


def _log_group_attribute(self: MotoLogGroup, attribute_name: str) -> str:
    """``Fn::GetAtt <LogGroup>.Arn`` as CloudFormation answers it, ending in ``:*`` (AWS::Logs::LogGroup return
    values: "arn:aws:logs:us-west-1:123456789012:log-group:/mygroup:*"); moto answered the ARN without it."""
    value: str = _ORIGINAL_LOG_GROUP_ATTRIBUTE(self, attribute_name)
    return f"{value}:*" if attribute_name == "Arn" and not value.endswith(":*") else value


_ORIGINAL_LOG_GROUP_ATTRIBUTE = MotoLogGroup.get_cfn_attribute


def _bucket_permission_neutral(self: FakeBucket, action: str, resource: str) -> Any:
    from moto.iam.access_control import PermissionResult

    return PermissionResult.NEUTRAL


#: Longest physical name CloudFormation generates per resource type (the service's limit).
_NAME_LIMITS = {
    "AWS::SQS::Queue": 80,
    "AWS::Lambda::Function": 64,
    "AWS::IAM::Role": 64,
    "AWS::IAM::ManagedPolicy": 128,
}


def _generate_resource_name(resource_type: str, stack_name: str, logical_id: str) -> str:
    """moto's name, or, when over the type's limit, ``<stack[:a]>-<logical id[:b]>-<random>`` within it."""
    name: str = _original_generate_resource_name(resource_type, stack_name, logical_id)
    limit = _NAME_LIMITS.get(resource_type)
    if limit is None or len(name) <= limit:
        return name
    suffix = name.rsplit("-", 1)[1]
    room = limit - len(suffix) - 2
    return f"{stack_name[: room // 2]}-{logical_id[: room - room // 2]}-{suffix}"


_original_generate_resource_name = parsing.generate_resource_name


def register() -> None:
    """Point moto's CloudFormation model map at the models of this module (idempotent)."""
    from lambda_constructs.local import models_iam, models_services, models_sqs, updates

    model_map = parsing.get_model_map()
    name_map = parsing.get_name_type_map()
    for model in (*MODELS, *models_iam.MODELS, *models_sqs.MODELS, *models_services.MODELS):
        model_map[model.cloudformation_type()] = model
        name_map[model.cloudformation_type()] = model.cloudformation_name_type()
    for resource_type in IGNORED_TYPES:
        if resource_type not in parsing.NULL_MODELS:
            parsing.NULL_MODELS.append(resource_type)
    LambdaFunction.get_configuration = _configuration_with_logging  # type: ignore[method-assign]
    MotoLogGroup.get_cfn_attribute = _log_group_attribute  # type: ignore[method-assign]
    parsing.generate_resource_name = _generate_resource_name
    models_iam.register()  # DeletePolicy of an attached policy: DeleteConflict, as in IAM
    for cls, prop in _PHYSICAL_IDS.items():
        cls.physical_resource_id = prop
    # Change sets (the CDK CLI's path): per stack, dependency order (DependsOn and references: an
    # AWS::ApiGateway::Deployment before its Methods failed), updates, removals, outputs.
    updates.register()
    # Bucket policies are stored, not enforced: moto ignores Conditions, so the usual
    # "Deny unless aws:SecureTransport" statement (bootstrap bucket, every CDK bucket) denied all.
    FakeBucket.get_permission = _bucket_permission_neutral  # type: ignore[method-assign]
    # moto maps every ``Custom::`` type to its Lambda-invoking CustomModel before looking at the map.
    if not getattr(parsing.resource_class_from_type, "_emulator", False):
        original = parsing.resource_class_from_type

        def resource_class_from_type(resource_type: str) -> type[CloudFormationModel]:
            custom = models_services.CUSTOM_TYPES.get(resource_type)
            return custom if custom is not None else original(resource_type)

        resource_class_from_type._emulator = True  # type: ignore[attr-defined]
        parsing.resource_class_from_type = resource_class_from_type
