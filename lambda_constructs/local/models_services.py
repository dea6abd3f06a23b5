"""CloudFormation models for the resource types of the full example app that moto 5.2.5 cannot create.

Registered by :func:`lambda_constructs.local.models.register`. Two kinds:

* **emulated**: the model calls moto's own backend, so the resource exists behind the service API
  (``DescribeAlarms``, ``GetSecretValue``, ``GetApis`` ...). Listed in :data:`EMULATED`.
* **recorded only**: moto has no backend for what the resource does (or no way to do it without
  Docker); the model keeps the properties and answers a plausible physical ID / ARN and the
  ``Fn::GetAtt`` attributes CDK templates use, so dependants deploy. Listed with the reason in
  :data:`RECORDED_ONLY` (docs/local.md shows the same list).

Without these models moto logs "No Moto CloudFormation support for ..." and leaves the resource
out: every ``Ref`` to it resolves to nothing (e.g. the secret's ``Ref`` in an IAM policy, which then
fails with ``MalformedPolicyDocument: Policy statement must contain resources``).
"""

from __future__ import annotations

import json
import secrets
import string
import uuid
from collections.abc import Callable
from typing import Any

from moto.apigateway.models import apigateway_backends
from moto.apigatewayv2.models import apigatewayv2_backends
from moto.awslambda.utils import get_backend
from moto.cloudformation.exceptions import UnformattedGetAttTemplateException
from moto.cloudwatch.models import Dimension, Metric, MetricDataQuery, MetricStat, cloudwatch_backends
from moto.core.common_models import CloudFormationModel
from moto.ec2.models import ec2_backends
from moto.logs.models import logs_backends
from moto.rds.models import rds_backends
from moto.s3.models import s3_backends
from moto.scheduler.models import scheduler_backends
from moto.secretsmanager.models import secretsmanager_backends
from moto.sns.models import sns_backends

from lambda_constructs.local.model_base import BaseModel

# type -> what the model does against moto's backend
EMULATED: dict[str, str] = {
    "AWS::CloudWatch::Alarm": "PutMetricAlarm (metric math alarms included); alarms never change state",
    "AWS::Logs::MetricFilter": "PutMetricFilter",
    "AWS::SNS::TopicPolicy": "the topics' Policy attribute",
    "AWS::S3::BucketPolicy": "PutBucketPolicy",
    "AWS::SecretsManager::Secret": "CreateSecret; GenerateSecretString generates a random password locally",
    "AWS::SecretsManager::SecretTargetAttachment": "adds host/port/engine/dbInstanceIdentifier of the DB",
    "AWS::EC2::SecurityGroupEgress": "AuthorizeSecurityGroupEgress",
    "AWS::Lambda::Url": "CreateFunctionUrlConfig (moto ignores the alias qualifier; the URL is not served)",
    "AWS::ApiGatewayV2::Api": "CreateApi (the HTTP API is not served)",
    "AWS::ApiGatewayV2::Integration": "CreateIntegration",
    "AWS::ApiGatewayV2::Route": "CreateRoute",
    "AWS::ApiGatewayV2::Stage": "CreateStage",
    "AWS::ApiGateway::Stage": "CreateStage of the REST API (the API is not served)",
    "AWS::ApiGateway::RequestValidator": "CreateRequestValidator",
    "AWS::Scheduler::Schedule": "CreateSchedule (schedules never fire)",
    "Custom::S3BucketNotifications": "PutBucketNotificationConfiguration (moto only stores it for Lambda targets)",
}

# Emulated types whose backend call overwrites the existing resource, so an update calls it again.
UPDATED_IN_PLACE = frozenset(
    {
        "AWS::CloudWatch::Alarm",
        "AWS::Logs::MetricFilter",
        "AWS::SNS::TopicPolicy",
        "AWS::S3::BucketPolicy",
        "Custom::S3BucketNotifications",
    }
)

# type -> why it is only recorded (no backend call)
RECORDED_ONLY: dict[str, str] = {
    "AWS::Logs::QueryDefinition": "moto 5.2.5 Logs has no query definitions",
    "AWS::ApiGateway::Account": "account-wide CloudWatch role setting; moto's account object ignores it",
    "AWS::CodeDeploy::Application": "moto's CodeDeploy has no Lambda deployments; traffic shifting is not emulated",
    "AWS::CodeDeploy::DeploymentGroup": "as above (alias weights come from AWS::Lambda::Alias only)",
    "Custom::VpcRestrictDefaultSG": "Lambda-backed custom resource: moto would run the provider in Docker",
}


def _lambda_arn_name(arn: str) -> str:
    return arn.split(":")[6] if arn.startswith("arn:") else arn.split(":")[0]


class _Model(BaseModel):
    """A resource whose physical ID and attributes are computed at create time."""

    def __init__(self, physical_id: str, attributes: dict[str, Any] | None = None) -> None:
        self.physical_id = physical_id
        self.attributes = attributes or {}

    @property
    def physical_resource_id(self) -> str:
        """The resource's physical ID (what ``Ref`` answers)."""
        return self.physical_id

    def get_cfn_attribute(self, attribute_name: str) -> Any:
        """``Fn::GetAtt`` of the resource; unknown attributes raise moto's template error."""
        if attribute_name in self.attributes:
            return self.attributes[attribute_name]
        raise UnformattedGetAttTemplateException()

    @classmethod
    def create_from_cloudformation_json(
        cls,
        resource_name: str,
        cloudformation_json: dict[str, Any],
        account_id: str,
        region_name: str,
        **kwargs: Any,
    ) -> _Model:
        """Create the resource from its resolved template properties (moto's model interface)."""
        props = cloudformation_json.get("Properties", {})
        return cls.create(resource_name, props, account_id, region_name)

    @classmethod
    def create(cls, name: str, props: dict[str, Any], account_id: str, region_name: str) -> _Model:
        raise NotImplementedError

    @classmethod
    def delete_from_cloudformation_json(
        cls, resource_name: str, cloudformation_json: dict[str, Any], account_id: str, region_name: str
    ) -> None:
        return None

    @classmethod
    def update_from_cloudformation_json(
        cls,
        original_resource: _Model,
        new_resource_name: str,
        cloudformation_json: dict[str, Any],
        account_id: str,
        region_name: str,
    ) -> _Model:
        """Recorded types: record the new properties. Emulated types whose create call overwrites
        (:data:`UPDATED_IN_PLACE`): call it again under the same name. Others: refuse loudly."""
        props = cloudformation_json.get("Properties", {})
        resource_type = cls.cloudformation_type()
        if resource_type in RECORDED_ONLY or resource_type in UPDATED_IN_PLACE:
            return cls.create(original_resource.physical_id, props, account_id, region_name)
        from lambda_constructs.local.updates import NoUpdateSupportError

        raise NoUpdateSupportError(
            f"the emulator cannot update {resource_type} (its create call does not overwrite); start a fresh emulator"
        )


Creator = Callable[[str, dict[str, Any], str, str], tuple[str, dict[str, Any]]]
RECORDS: list[tuple[str, str, dict[str, Any]]] = []  # (type, physical id, properties) of recorded resources


def _model(resource_type: str, creator: Creator) -> type[_Model]:
    """A model class for ``resource_type`` whose creation is ``creator``."""

    def create(cls: type[_Model], name: str, props: dict[str, Any], account_id: str, region_name: str) -> _Model:
        physical, attrs = creator(name, props, account_id, region_name)
        if resource_type in RECORDED_ONLY:
            RECORDS.append((resource_type, physical, props))
        return cls(physical, attrs)

    cls_name = resource_type.replace("AWS::", "").replace("::", "")
    return type(
        cls_name,
        (_Model,),
        {
            "CFN_TYPE": resource_type,
            "create": classmethod(create),
            "__doc__": f"``{resource_type}``: {EMULATED.get(resource_type) or RECORDED_ONLY[resource_type]}.",
        },
    )


# --- emulated -------------------------------------------------------------------------------------
def _dimensions(raw: list[dict[str, str]] | None) -> list[Dimension]:
    return [Dimension(d.get("Name"), d.get("Value")) for d in raw or []]


def _alarm(name: str, p: dict[str, Any], account: str, region: str) -> tuple[str, dict[str, Any]]:
    alarm_name = p.get("AlarmName") or name
    queries = None
    if p.get("Metrics"):
        queries = []
        for m in p["Metrics"]:
            stat = None
            if m.get("MetricStat"):
                s = m["MetricStat"]
                metric = Metric(
                    s["Metric"].get("MetricName"),
                    s["Metric"].get("Namespace"),
                    _dimensions(s["Metric"].get("Dimensions")),
                )
                stat = MetricStat(metric, s.get("Period"), s.get("Stat"), s.get("Unit"))
            queries.append(
                MetricDataQuery(
                    query_id=m.get("Id"),
                    label=m.get("Label"),
                    period=m.get("Period"),
                    return_data=m.get("ReturnData"),
                    expression=m.get("Expression"),
                    metric_stat=stat,
                )
            )
    alarm = cloudwatch_backends[account][region].put_metric_alarm(
        name=alarm_name,
        namespace=p.get("Namespace"),  # type: ignore[arg-type]
        metric_name=p.get("MetricName"),  # type: ignore[arg-type]
        comparison_operator=p.get("ComparisonOperator"),  # type: ignore[arg-type]
        evaluation_periods=int(p.get("EvaluationPeriods", 1)),
        period=p.get("Period"),  # type: ignore[arg-type]
        threshold=p.get("Threshold"),  # type: ignore[arg-type]
        statistic=p.get("Statistic"),  # type: ignore[arg-type]
        description=p.get("AlarmDescription"),  # type: ignore[arg-type]
        dimensions=p.get("Dimensions", []),
        alarm_actions=p.get("AlarmActions", []),
        metric_data_queries=queries,
        datapoints_to_alarm=p.get("DatapointsToAlarm"),
        extended_statistic=p.get("ExtendedStatistic"),
        ok_actions=p.get("OKActions", []),
        insufficient_data_actions=p.get("InsufficientDataActions", []),
        unit=p.get("Unit"),
        actions_enabled=p.get("ActionsEnabled", True),
        treat_missing_data=p.get("TreatMissingData"),
        evaluate_low_sample_count_percentile=p.get("EvaluateLowSampleCountPercentile"),
        threshold_metric_id=p.get("ThresholdMetricId"),
    )
    return alarm_name, {"Arn": alarm.alarm_arn}


def _metric_filter(name: str, p: dict[str, Any], account: str, region: str) -> tuple[str, dict[str, Any]]:
    filter_name = p.get("FilterName") or name
    transformations = [
        {
            "metricName": t["MetricName"],
            "metricNamespace": t["MetricNamespace"],
            "metricValue": t["MetricValue"],
            **({"defaultValue": t["DefaultValue"]} if "DefaultValue" in t else {}),
            **({"unit": t["Unit"]} if "Unit" in t else {}),
            **({"dimensions": t["Dimensions"]} if "Dimensions" in t else {}),
        }
        for t in p["MetricTransformations"]
    ]
    logs_backends[account][region].put_metric_filter(
        filter_name,
        p["FilterPattern"],
        p["LogGroupName"],
        transformations,  # type: ignore[arg-type]
    )
    return filter_name, {}


def _topic_policy(name: str, p: dict[str, Any], account: str, region: str) -> tuple[str, dict[str, Any]]:
    backend = sns_backends[account][region]
    for arn in p["Topics"]:
        backend.set_topic_attribute(arn, "policy", json.dumps(p["PolicyDocument"]))
    return name, {}


def _bucket_policy(name: str, p: dict[str, Any], account: str, region: str) -> tuple[str, dict[str, Any]]:
    s3_backends[account]["global"].put_bucket_policy(p["Bucket"], json.dumps(p["PolicyDocument"]).encode())
    return name, {}


def _generate(spec: dict[str, Any]) -> str:
    length = int(spec.get("PasswordLength", 32))
    alphabet = string.ascii_letters + string.digits + ("" if spec.get("ExcludePunctuation") else "!#$%&*+-.:;<=>?^_~")
    alphabet = "".join(c for c in alphabet if c not in spec.get("ExcludeCharacters", ""))
    password = "".join(secrets.choice(alphabet) for _ in range(length))
    if "GenerateStringKey" in spec:
        doc = json.loads(spec.get("SecretStringTemplate", "{}"))
        doc[spec["GenerateStringKey"]] = password
        return json.dumps(doc)
    return password


def _secret(name: str, p: dict[str, Any], account: str, region: str) -> tuple[str, dict[str, Any]]:
    secret_name = p.get("Name") or name
    value = p.get("SecretString") or _generate(p.get("GenerateSecretString", {}))
    backend = secretsmanager_backends[account][region]
    backend.create_secret(
        name=secret_name,
        secret_string=value,
        secret_binary=None,
        description=p.get("Description"),
        tags=p.get("Tags"),
        kms_key_id=p.get("KmsKeyId"),
        client_request_token=None,
        replica_regions=[],
        force_overwrite=False,
    )
    arn = backend.describe_secret(secret_name).arn
    return arn, {"Id": arn}


def _secret_attachment(name: str, p: dict[str, Any], account: str, region: str) -> tuple[str, dict[str, Any]]:
    backend = secretsmanager_backends[account][region]
    secret_id = p["SecretId"]
    current = backend.get_secret_value(secret_id, None, None)  # type: ignore[arg-type]
    doc = json.loads(current["SecretString"])
    if p.get("TargetType") == "AWS::RDS::DBInstance":
        db = rds_backends[account][region].describe_db_instances(p["TargetId"])[0]
        doc.update(
            {
                "engine": db.engine,
                "host": db.address,
                "port": int(db.port or 5432),
                "dbInstanceIdentifier": db.db_instance_identifier,
            }
        )
    backend.put_secret_value(secret_id, json.dumps(doc), None, str(uuid.uuid4()), ["AWSCURRENT"])  # type: ignore[arg-type]
    return secret_id, {}


def _sg_egress(name: str, p: dict[str, Any], account: str, region: str) -> tuple[str, dict[str, Any]]:
    ranges = [{"CidrIp": p["CidrIp"]}] if "CidrIp" in p else []
    sources = [{"GroupId": p["DestinationSecurityGroupId"]}] if "DestinationSecurityGroupId" in p else None
    prefixes = [{"PrefixListId": p["DestinationPrefixListId"]}] if "DestinationPrefixListId" in p else None
    rules, _ = ec2_backends[account][region].authorize_security_group_egress(
        p["GroupId"],
        str(p.get("IpProtocol", "-1")),
        str(p.get("FromPort", "")),
        str(p.get("ToPort", "")),
        ranges,
        source_groups=sources,
        prefix_list_ids=prefixes,
    )
    return (rules[0].id if rules else f"sgr-{uuid.uuid4().hex[:17]}"), {}


def _function_url(name: str, p: dict[str, Any], account: str, region: str) -> tuple[str, dict[str, Any]]:
    fn = _lambda_arn_name(p["TargetFunctionArn"])
    config: dict[str, Any] = {k: p[k] for k in ("AuthType", "Cors", "InvokeMode") if k in p}
    url = get_backend(account, region).create_function_url_config(fn, config)
    fn_arn = f"arn:aws:lambda:{region}:{account}:function:{fn}"
    return fn_arn, {"FunctionUrl": url.url, "FunctionArn": fn_arn}


def _http_api(name: str, p: dict[str, Any], account: str, region: str) -> tuple[str, dict[str, Any]]:
    api = apigatewayv2_backends[account][region].create_api(
        api_key_selection_expression=p.get("ApiKeySelectionExpression"),  # type: ignore[arg-type]
        cors_configuration=p.get("CorsConfiguration"),  # type: ignore[arg-type]
        description=p.get("Description"),  # type: ignore[arg-type]
        disable_schema_validation=p.get("DisableSchemaValidation"),  # type: ignore[arg-type]
        disable_execute_api_endpoint=p.get("DisableExecuteApiEndpoint"),  # type: ignore[arg-type]
        name=p.get("Name") or name,
        protocol_type=p.get("ProtocolType", "HTTP"),
        route_selection_expression=p.get("RouteSelectionExpression"),  # type: ignore[arg-type]
        tags=p.get("Tags") or {},
        version=p.get("Version"),  # type: ignore[arg-type]
    )
    return api.api_id, {"ApiId": api.api_id, "ApiEndpoint": api.api_endpoint}


def _http_integration(name: str, p: dict[str, Any], account: str, region: str) -> tuple[str, dict[str, Any]]:
    api = apigatewayv2_backends[account][region].get_api(p["ApiId"])
    integration = api.create_integration(
        connection_type=p.get("ConnectionType"),  # type: ignore[arg-type]
        description=p.get("Description"),  # type: ignore[arg-type]
        integration_method=p.get("IntegrationMethod"),  # type: ignore[arg-type]
        integration_type=p["IntegrationType"],
        integration_uri=p.get("IntegrationUri"),  # type: ignore[arg-type]
        payload_format_version=p.get("PayloadFormatVersion"),
        timeout_in_millis=p.get("TimeoutInMillis"),
    )
    return integration.id, {"IntegrationId": integration.id}


def _http_route(name: str, p: dict[str, Any], account: str, region: str) -> tuple[str, dict[str, Any]]:
    api = apigatewayv2_backends[account][region].get_api(p["ApiId"])
    route = api.create_route(
        api_key_required=bool(p.get("ApiKeyRequired", False)),
        authorization_scopes=p.get("AuthorizationScopes", []),
        route_key=p["RouteKey"],
        target=p.get("Target"),  # type: ignore[arg-type]
        authorization_type=p.get("AuthorizationType"),
        authorizer_id=p.get("AuthorizerId"),
    )
    return route.route_id, {"RouteId": route.route_id}


def _http_stage(name: str, p: dict[str, Any], account: str, region: str) -> tuple[str, dict[str, Any]]:
    api = apigatewayv2_backends[account][region].get_api(p["ApiId"])
    config = {
        "stageName": p["StageName"],
        "autoDeploy": p.get("AutoDeploy", False),
        "accessLogSettings": {
            "destinationArn": (p.get("AccessLogSettings") or {}).get("DestinationArn"),
            "format": (p.get("AccessLogSettings") or {}).get("Format"),
        },
        "defaultRouteSettings": {
            "throttlingBurstLimit": (p.get("DefaultRouteSettings") or {}).get("ThrottlingBurstLimit"),
            "throttlingRateLimit": (p.get("DefaultRouteSettings") or {}).get("ThrottlingRateLimit"),
        },
        "stageVariables": p.get("StageVariables") or {},
        "tags": p.get("Tags") or {},
    }
    stage = api.create_stage(config)
    return stage.name, {}


def _rest_stage(name: str, p: dict[str, Any], account: str, region: str) -> tuple[str, dict[str, Any]]:
    stage = apigateway_backends[account][region].create_stage(
        p["RestApiId"],
        p.get("StageName", name),
        p["DeploymentId"],
        variables=p.get("Variables"),
        description=p.get("Description", ""),
        tracing_enabled=p.get("TracingEnabled"),
    )
    return str(stage.name), {}


def _request_validator(name: str, p: dict[str, Any], account: str, region: str) -> tuple[str, dict[str, Any]]:
    validator = apigateway_backends[account][region].create_request_validator(
        p["RestApiId"],
        p.get("Name", name),
        p.get("ValidateRequestBody"),
        p.get("ValidateRequestParameters"),
    )
    return validator.id, {"RequestValidatorId": validator.id}


def _schedule(name: str, p: dict[str, Any], account: str, region: str) -> tuple[str, dict[str, Any]]:
    schedule = scheduler_backends[account][region].create_schedule(
        description=p.get("Description"),  # type: ignore[arg-type]
        end_date=p.get("EndDate"),  # type: ignore[arg-type]
        flexible_time_window=p["FlexibleTimeWindow"],
        group_name=p.get("GroupName"),  # type: ignore[arg-type]
        kms_key_arn=p.get("KmsKeyArn"),  # type: ignore[arg-type]
        name=p.get("Name") or name,
        schedule_expression=p["ScheduleExpression"],
        schedule_expression_timezone=p.get("ScheduleExpressionTimezone"),  # type: ignore[arg-type]
        start_date=p.get("StartDate"),  # type: ignore[arg-type]
        state=p.get("State", "ENABLED"),
        target=p["Target"],
        action_after_completion=None,
    )
    return schedule.name, {"Arn": schedule.arn}


def _bucket_notifications(name: str, p: dict[str, Any], account: str, region: str) -> tuple[str, dict[str, Any]]:
    conf = p.get("NotificationConfiguration") or {}

    def _filter(item: dict[str, Any]) -> dict[str, Any]:
        rules = ((item.get("Filter") or {}).get("Key") or {}).get("FilterRules") or []
        return {"Filter": {"S3Key": {"FilterRule": rules}}} if rules else {}

    config: dict[str, Any] = {}
    lambdas = [
        {"Id": str(i), "CloudFunction": c["LambdaFunctionArn"], "Event": c["Events"], **_filter(c)}
        for i, c in enumerate(conf.get("LambdaFunctionConfigurations", []))
    ]
    queues = [
        {"Id": str(i), "Queue": c["QueueArn"], "Event": c["Events"], **_filter(c)}
        for i, c in enumerate(conf.get("QueueConfigurations", []))
    ]
    topics = [
        {"Id": str(i), "Topic": c["TopicArn"], "Event": c["Events"], **_filter(c)}
        for i, c in enumerate(conf.get("TopicConfigurations", []))
    ]
    if lambdas:
        config["CloudFunctionConfiguration"] = lambdas
    if queues:
        config["QueueConfiguration"] = queues
    if topics:
        config["TopicConfiguration"] = topics
    if "EventBridgeConfiguration" in conf:
        config["EventBridgeConfiguration"] = {}
    s3_backends[account]["global"].put_bucket_notification_configuration(p["BucketName"], config)
    return f"{p['BucketName']}-notifications", {}


# --- recorded only --------------------------------------------------------------------------------
def _recorded(prefix: str) -> Creator:
    def create(name: str, p: dict[str, Any], account: str, region: str) -> tuple[str, dict[str, Any]]:
        return f"{prefix}{uuid.uuid4().hex[:12]}", {}

    return create


def _codedeploy_app(name: str, p: dict[str, Any], account: str, region: str) -> tuple[str, dict[str, Any]]:
    return p.get("ApplicationName") or name, {}


def _codedeploy_group(name: str, p: dict[str, Any], account: str, region: str) -> tuple[str, dict[str, Any]]:
    return p.get("DeploymentGroupName") or name, {}


def _query_definition(name: str, p: dict[str, Any], account: str, region: str) -> tuple[str, dict[str, Any]]:
    qid = str(uuid.uuid4())
    return qid, {"QueryDefinitionId": qid}


CREATORS: dict[str, Creator] = {
    "AWS::CloudWatch::Alarm": _alarm,
    "AWS::Logs::MetricFilter": _metric_filter,
    "AWS::SNS::TopicPolicy": _topic_policy,
    "AWS::S3::BucketPolicy": _bucket_policy,
    "AWS::SecretsManager::Secret": _secret,
    "AWS::SecretsManager::SecretTargetAttachment": _secret_attachment,
    "AWS::EC2::SecurityGroupEgress": _sg_egress,
    "AWS::Lambda::Url": _function_url,
    "AWS::ApiGatewayV2::Api": _http_api,
    "AWS::ApiGatewayV2::Integration": _http_integration,
    "AWS::ApiGatewayV2::Route": _http_route,
    "AWS::ApiGatewayV2::Stage": _http_stage,
    "AWS::ApiGateway::Stage": _rest_stage,
    "AWS::ApiGateway::RequestValidator": _request_validator,
    "AWS::Scheduler::Schedule": _schedule,
    "Custom::S3BucketNotifications": _bucket_notifications,
    "AWS::Logs::QueryDefinition": _query_definition,
    "AWS::ApiGateway::Account": _recorded("apigw-account-"),
    "AWS::CodeDeploy::Application": _codedeploy_app,
    "AWS::CodeDeploy::DeploymentGroup": _codedeploy_group,
    "Custom::VpcRestrictDefaultSG": _recorded("vpc-restrict-default-sg-"),
}
assert set(CREATORS) == set(EMULATED) | set(RECORDED_ONLY)

MODELS: tuple[type[CloudFormationModel], ...] = tuple(_model(t, c) for t, c in CREATORS.items())
CUSTOM_TYPES: dict[str, type[CloudFormationModel]] = {
    m.cloudformation_type(): m for m in MODELS if m.cloudformation_type().startswith("Custom::")
}
