"""Amazon EventBridge Scheduler trigger: a schedule invoking the alias."""

from __future__ import annotations

import json
import re
import zoneinfo
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from aws_cdk import Aws, Duration
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_scheduler as scheduler
from constructs import IConstruct

from lambda_constructs.errors import fail
from lambda_constructs.field_types import checked_fields
from lambda_constructs.triggers._options import options_scope
from lambda_constructs.triggers._push import (
    PushSource,
    _Async,
    _dlq,
    _retry,
)
from lambda_constructs.triggers._queues import (
    send_statements,
)
from lambda_constructs.triggers.base import TriggerResult
from lambda_constructs.validation import check_range, duration_seconds, is_token

if TYPE_CHECKING:
    from lambda_constructs.contract import FunctionView


_RATE = re.compile(r"^rate\((\d+) (minute|minutes|hour|hours|day|days)\)$")
_AT = re.compile(r"^at\((\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})\)$")
_CRON_FIELD = re.compile(r"^[0-9A-Za-z*?,/\-#LW]+$")


def check_schedule_expression(scope: IConstruct, expression: str) -> None:
    """``rate(n unit)``, ``cron(min hour day-of-month month day-of-week year)`` or ``at(yyyy-mm-ddThh:mm:ss)``."""
    if is_token(expression):
        return
    fix = "use rate(5 minutes), cron(0 12 * * ? *) or at(2030-01-01T00:00:00)"
    rate = _RATE.match(expression)
    if rate:
        value, unit = int(rate.group(1)), rate.group(2)
        if value < 1 or (value == 1) != (not unit.endswith("s")):
            raise fail(
                scope, "invalid rate expression (value ≥ 1; singular unit only for 1)", value=expression, fix=fix
            )
        return
    at = _AT.match(expression)
    if at:
        try:
            datetime.fromisoformat(expression[3:-1])
        except ValueError as exc:
            raise fail(scope, "invalid at() date-time", value=expression, fix=fix) from exc
        return
    if expression.startswith("cron(") and expression.endswith(")"):
        fields = expression[5:-1].split(" ")
        if len(fields) != 6 or not all(_CRON_FIELD.match(f) for f in fields):
            raise fail(
                scope,
                "a cron expression has 6 fields: minutes hours day-of-month month day-of-week year",
                value=expression,
                fix=fix,
            )
        if (fields[2] == "?") == (fields[4] == "?"):
            raise fail(
                scope,
                "exactly one of day-of-month and day-of-week must be '?'",
                value=expression,
                fix="e.g. cron(0 12 * * ? *)",
            )
        return
    raise fail(scope, "invalid schedule expression", value=expression, fix=fix)


@checked_fields
@dataclass(frozen=True, kw_only=True)
class ScheduleTrigger(_Async):
    """An EventBridge Scheduler schedule invoking the target with a dedicated least-privilege role."""

    expression: str
    """``rate(...)``, ``cron(...)`` or ``at(...)``."""
    timezone: str = "UTC"
    """IANA time zone of cron/at expressions. Default: UTC."""
    flexible_window: Duration | None = None
    """Invoke at any time within this window, 1–1440 minutes. Default: none (exact time)."""
    input: Mapping[str, Any] | None = None
    """The event passed to the function. Default: none (Scheduler sends ``{}``)."""
    description: str | None = None
    """Default: none."""
    group_name: str | None = None
    """Schedule group. Default: the ``default`` group."""
    retry_attempts: int = 185
    """0–185. Default: 185."""
    max_event_age: Duration = field(default_factory=lambda: Duration.hours(24))
    """60 s – 24 h. Default: 24 hours."""
    enabled: bool = True
    """Default: True."""

    def __post_init__(self) -> None:
        """Check the options that do not depend on the function (before any construct exists).

        Raises:
            LambdaConstructsError: an invalid schedule expression, an unknown time zone, a flexible window, retry count or event age out of range.
        """
        scope = options_scope(self)
        check_schedule_expression(scope, self.expression)
        if not is_token(self.timezone) and self.timezone not in zoneinfo.available_timezones():
            raise fail(scope, "unknown time zone", value=self.timezone, fix="use an IANA name like Europe/Paris")
        if self.flexible_window is not None:
            check_range(
                scope, "flexible_window", (duration_seconds(self.flexible_window) or 60) / 60, 1, 1440, "minutes"
            )
        _retry(scope, self.retry_attempts, self.max_event_age)

    def bind(self, fn: FunctionView, target: lambda_.IFunction, construct_id: str) -> TriggerResult:
        """Create the schedule and its role invoking ``target`` (see the class docstring)."""
        source = PushSource(fn.construct, construct_id)
        window: dict[str, Any] = {"mode": "OFF"}
        if self.flexible_window is not None:
            minutes = (duration_seconds(self.flexible_window) or 60) / 60
            check_range(source, "flexible_window", minutes, 1, 1440, "minutes")
            window = {"mode": "FLEXIBLE", "maximumWindowInMinutes": int(minutes)}
        retry = _retry(source, self.retry_attempts, self.max_event_age)
        dlq = _dlq(source, fn)
        role = iam.Role(
            source,
            "Role",
            assumed_by=iam.ServicePrincipal(
                "scheduler.amazonaws.com", conditions={"StringEquals": {"aws:SourceAccount": Aws.ACCOUNT_ID}}
            ),
            description=f"EventBridge Scheduler role of {source.node.path}: invokes only its target",
        )
        policy = iam.ManagedPolicy(
            source,
            "RolePolicy",
            roles=[role],
            statements=[iam.PolicyStatement(actions=["lambda:InvokeFunction"], resources=[target.function_arn])],
        )
        policy.add_statements(*send_statements(dlq))
        source.role = role
        source.schedule = scheduler.CfnSchedule(
            source,
            "Schedule",
            schedule_expression=self.expression,
            schedule_expression_timezone=self.timezone,
            flexible_time_window=window,
            description=self.description,
            group_name=self.group_name,
            state="ENABLED" if self.enabled else "DISABLED",
            target=scheduler.CfnSchedule.TargetProperty(
                arn=target.function_arn,
                role_arn=role.role_arn,
                input=json.dumps(dict(self.input)) if self.input is not None else None,
                dead_letter_config=scheduler.CfnSchedule.DeadLetterConfigProperty(arn=dlq.queue_arn),
                retry_policy=scheduler.CfnSchedule.RetryPolicyProperty(
                    maximum_retry_attempts=retry["maximumRetryAttempts"],
                    maximum_event_age_in_seconds=retry["maximumEventAgeInSeconds"],
                ),
            ),
        )
        source.schedule.node.add_dependency(policy)
        return source.result(self)
