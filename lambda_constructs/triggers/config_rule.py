"""AWS Config trigger: a custom Config rule evaluated by the alias."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from aws_cdk import Aws
from aws_cdk import aws_config as config
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_

from lambda_constructs.compliance import LIBRARY_ACKNOWLEDGEMENTS, AcknowledgementKey, acknowledge
from lambda_constructs.errors import fail
from lambda_constructs.field_types import checked_fields
from lambda_constructs.triggers._options import options_scope
from lambda_constructs.triggers._resources import TriggerResources
from lambda_constructs.triggers.access import BoundTrigger, permission
from lambda_constructs.triggers.base import InvocationKind, TriggerResult
from lambda_constructs.validation import is_token

if TYPE_CHECKING:
    from lambda_constructs.contract import FunctionView


#: MaximumExecutionFrequency member -> the CloudFormation value.
_FREQUENCIES = {
    "ONE_HOUR": "One_Hour",
    "THREE_HOURS": "Three_Hours",
    "SIX_HOURS": "Six_Hours",
    "TWELVE_HOURS": "Twelve_Hours",
    "TWENTY_FOUR_HOURS": "TwentyFour_Hours",
}


class ConfigRuleResources(TriggerResources):
    """What :class:`ConfigRuleTrigger` created: ``rule``, ``permission``, ``policy``."""

    rule: config.CfnConfigRule
    permission: lambda_.CfnPermission
    policy: iam.ManagedPolicy


@checked_fields
@dataclass(frozen=True, kw_only=True)
class ConfigRuleTrigger(BoundTrigger[ConfigRuleResources]):
    """An AWS Config custom rule evaluated by the alias.

    Config invokes with SourceAccount = this account; the role gets ``config:PutEvaluations`` in a
    policy of its own (it has no resource-level permission).
    """

    configuration_changes: bool = True
    """Evaluate on configuration item changes. Default: True."""
    periodic: config.MaximumExecutionFrequency | None = None
    """Also evaluate periodically. Default: none."""
    resource_types: Sequence[str] = ()
    """Config resource types in scope (``AWS::EC2::Instance``). Default: all recorded types."""
    input_parameters: Mapping[str, Any] | None = None
    """Rule parameters. Default: none."""
    config_rule_name: str | None = None
    """Default: generated."""

    @property
    def kind(self) -> InvocationKind:
        """Config invokes asynchronously; the function reports with PutEvaluations."""
        return InvocationKind.ASYNC

    def __post_init__(self) -> None:
        """Check the options that do not depend on the function (before any construct exists).

        Raises:
            LambdaConstructsError: neither configuration changes nor a period, or a resource type not of the form AWS::Service::Type.
        """
        scope = options_scope(self)
        if not self.configuration_changes and self.periodic is None:
            raise fail(
                scope,
                "a Config rule needs configuration_changes=True or periodic",
                value={"configuration_changes": False, "periodic": None},
                fix="set configuration_changes=True or periodic=MaximumExecutionFrequency.TWENTY_FOUR_HOURS",
            )
        for resource_type in self.resource_types:
            if not is_token(resource_type) and not re.match(r"^AWS::[A-Za-z0-9]+::[A-Za-z0-9]+$", resource_type):
                raise fail(
                    scope,
                    "resource_types must look like AWS::Service::Type",
                    value=resource_type,
                    fix="e.g. 'AWS::S3::Bucket'",
                )

    def bind(self, fn: FunctionView, target: lambda_.IFunction, construct_id: str) -> TriggerResult:
        """Create the rule, the permission and the evaluations policy under ``fn/<construct_id>``."""
        res = ConfigRuleResources(fn.construct, construct_id)
        res.permission = permission(res, "Permission", target, "config.amazonaws.com", source_account=Aws.ACCOUNT_ID)
        res.policy = iam.ManagedPolicy(
            res,
            "EvaluationsPolicy",
            roles=[fn.role],
            statements=[iam.PolicyStatement(actions=["config:PutEvaluations"], resources=["*"])],
        )
        acknowledge(
            res.policy,
            "AwsSolutions-IAM5[Resource::*]",
            LIBRARY_ACKNOWLEDGEMENTS[AcknowledgementKey.CONFIG_PUT_EVALUATIONS],
        )
        details: list[config.CfnConfigRule.SourceDetailProperty] = []
        if self.configuration_changes:
            for message_type in ("ConfigurationItemChangeNotification", "OversizedConfigurationItemChangeNotification"):
                details.append(
                    config.CfnConfigRule.SourceDetailProperty(event_source="aws.config", message_type=message_type)
                )
        if self.periodic is not None:
            details.append(
                config.CfnConfigRule.SourceDetailProperty(
                    event_source="aws.config",
                    message_type="ScheduledNotification",
                    maximum_execution_frequency=_FREQUENCIES[self.periodic.value],
                )
            )
        res.rule = config.CfnConfigRule(
            res,
            "Rule",
            config_rule_name=self.config_rule_name,
            input_parameters=dict(self.input_parameters) if self.input_parameters else None,
            scope=config.CfnConfigRule.ScopeProperty(compliance_resource_types=list(self.resource_types))
            if self.resource_types
            else None,
            source=config.CfnConfigRule.SourceProperty(
                owner="CUSTOM_LAMBDA", source_identifier=target.function_arn, source_details=details
            ),
        )
        res.rule.node.add_dependency(res.permission)
        return self._result(res)
