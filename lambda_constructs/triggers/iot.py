"""AWS IoT triggers: an IoT Core topic rule (``IotRuleTrigger``) and IoT Events (``IotEventsTrigger``)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from aws_cdk import Aws, Stack
from aws_cdk import aws_iam as iam
from aws_cdk import aws_iot as iot
from aws_cdk import aws_lambda as lambda_

from lambda_constructs.errors import fail
from lambda_constructs.field_types import checked_fields
from lambda_constructs.triggers._options import options_scope
from lambda_constructs.triggers._push import (
    PushSource,
    _Async,
    _dlq,
    _permission,
)
from lambda_constructs.triggers._queues import (
    send_statements,
)
from lambda_constructs.triggers.base import TriggerResult
from lambda_constructs.validation import is_token

if TYPE_CHECKING:
    from lambda_constructs.contract import FunctionView


_IOT_SQL = re.compile(r"^\s*SELECT\s+.+\s+FROM\s+'[^']+'", re.IGNORECASE | re.DOTALL)


@checked_fields
@dataclass(frozen=True, kw_only=True)
class IotRuleTrigger(_Async):
    """An AWS IoT topic rule invoking the function; failed actions go to an encrypted SQS error queue."""

    sql: str
    """Rule query, e.g. ``SELECT * FROM 'devices/+/telemetry'``."""
    sql_version: str = "2016-03-23"
    """Default: 2016-03-23 (the newest)."""
    description: str | None = None
    """Default: none."""

    def __post_init__(self) -> None:
        """Check the options that do not depend on the function (before any construct exists).

        Raises:
            LambdaConstructsError: SQL that is not SELECT … FROM '<topic filter>'.
        """
        scope = options_scope(self)
        if not is_token(self.sql) and not _IOT_SQL.match(self.sql):
            raise fail(
                scope,
                "sql must be SELECT <fields> FROM '<topic filter>'",
                value=self.sql,
                fix="e.g. SELECT * FROM 'devices/+/telemetry'",
            )

    def bind(self, fn: FunctionView, target: lambda_.IFunction, construct_id: str) -> TriggerResult:
        """Create the IoT topic rule invoking ``target`` (see the class docstring)."""
        source = PushSource(fn.construct, construct_id)
        dlq = _dlq(source, fn)
        role = iam.Role(
            source,
            "ErrorActionRole",
            assumed_by=iam.ServicePrincipal(
                "iot.amazonaws.com", conditions={"StringEquals": {"aws:SourceAccount": Aws.ACCOUNT_ID}}
            ),
            description=f"IoT error action of {source.node.path}: sends to its error queue only",
        )
        policy = iam.ManagedPolicy(source, "ErrorActionPolicy", roles=[role])
        policy.add_statements(*send_statements(dlq))
        source.role = role
        rule = iot.CfnTopicRule(
            source,
            "TopicRule",
            topic_rule_payload=iot.CfnTopicRule.TopicRulePayloadProperty(
                sql=self.sql,
                aws_iot_sql_version=self.sql_version,
                rule_disabled=False,
                description=self.description,
                actions=[
                    iot.CfnTopicRule.ActionProperty(
                        lambda_=iot.CfnTopicRule.LambdaActionProperty(function_arn=target.function_arn)
                    )
                ],
                error_action=iot.CfnTopicRule.ActionProperty(
                    sqs=iot.CfnTopicRule.SqsActionProperty(queue_url=dlq.queue_url, role_arn=role.role_arn)
                ),
            ),
        )
        rule.node.add_dependency(policy)
        source.topic_rule = rule
        _permission(source, target, "iot.amazonaws.com", rule.attr_arn, account=True)
        return source.result(self)


@checked_fields
@dataclass(frozen=True, kw_only=True)
class IotEventsTrigger(_Async):
    """Allow an IoT Events detector model (by name) to invoke the target; see the module docs."""

    detector_model_name: str
    """Name of the detector model whose ``lambda`` action targets the function."""

    def bind(self, fn: FunctionView, target: lambda_.IFunction, construct_id: str) -> TriggerResult:
        """Create the detector model's invoke permission on ``target`` (see the module docstring)."""
        source = PushSource(fn.construct, construct_id)
        arn = Stack.of(source).format_arn(
            service="iotevents", resource="detectorModel", resource_name=self.detector_model_name
        )
        _permission(source, target, "iotevents.amazonaws.com", arn, account=True)
        return source.result(self)
