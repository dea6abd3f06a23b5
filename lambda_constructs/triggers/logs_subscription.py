"""Amazon CloudWatch Logs trigger: a subscription filter invoking the alias."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_logs as logs

from lambda_constructs.errors import fail
from lambda_constructs.field_types import checked_fields
from lambda_constructs.keys import logs_service
from lambda_constructs.triggers._push import (
    PushSource,
    _Async,
    _permission,
)
from lambda_constructs.triggers.base import TriggerResult

if TYPE_CHECKING:
    from lambda_constructs.contract import FunctionView


@checked_fields
@dataclass(frozen=True, kw_only=True)
class LogsSubscriptionTrigger(_Async):
    """A CloudWatch Logs subscription filter delivering matching log events to the function."""

    log_group: logs.ILogGroup
    """The log group (not the function's own: that would loop)."""
    filter_pattern: str = ""
    """CloudWatch Logs filter pattern. Default: "" (every event)."""
    filter_name: str | None = None
    """Default: generated."""

    def bind(self, fn: FunctionView, target: lambda_.IFunction, construct_id: str) -> TriggerResult:
        """Create the subscription filter and permission on ``target`` (see the class docstring)."""
        source = PushSource(fn.construct, construct_id)
        if self.log_group is fn.log_group:
            raise fail(
                source,
                "a function cannot subscribe to its own log group (each invocation would log and invoke it again)",
                value=self.log_group.node.path,
                fix="subscribe another function, or another log group",
            )
        permission = _permission(source, target, logs_service(), self.log_group.log_group_arn, account=True)
        source.subscription_filter = logs.CfnSubscriptionFilter(
            source,
            "SubscriptionFilter",
            log_group_name=self.log_group.log_group_name,
            filter_pattern=self.filter_pattern,
            filter_name=self.filter_name,
            destination_arn=target.function_arn,
        )
        source.subscription_filter.node.add_dependency(permission)
        return source.result(self)
