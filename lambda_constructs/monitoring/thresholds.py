"""Alarm thresholds: one frozen dataclass, every field with a stated default, None switches an alarm off."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Final, Literal

from aws_cdk import Duration
from constructs import IConstruct

from lambda_constructs.errors import fail
from lambda_constructs.field_types import checked_fields
from lambda_constructs.validation import check_range, duration_seconds, written_number

AUTO: Final = "auto"
"""Threshold value meaning "the stated default, only where the function can emit the metric"."""
Auto = Literal["auto"]

#: The value ``AUTO`` stands for.
DEFAULT_CONCURRENCY_PERCENT = 80.0
DEFAULT_ITERATOR_AGE_SECONDS = 60.0


@checked_fields
@dataclass(frozen=True, kw_only=True)
class AlarmThresholds:
    """When each alarm fires. ``None`` switches that alarm off; every alarm is on by default.

    Alarms compare with ``>=`` over one ``period`` (``evaluation_periods`` in a row) and treat missing data
    as not breaching (no invocations means nothing is wrong).
    """

    error_rate_percent: float | None = 1.0
    """Errors / invocations × 100 (function and each alias), 0 < x <= 100. Default: 1 %."""
    errors: float | None = 1.0
    """Failed invocations per period of the function, every version and alias together (the
    ``"compact"`` alarm set's error alarm, instead of the error rate), >= 1. Default: 1."""
    throttles: float | None = 1.0
    """Throttled invocations per period (function and each alias), >= 1. Default: 1."""
    duration_p99_percent_of_timeout: float | None = 80.0
    """p99 duration as a percentage of the function's timeout (function and each alias), 0 < x <= 100.
    Default: 80 %."""
    concurrency_percent_of_reserved: float | Auto | None = AUTO
    """Maximum concurrent executions as a percentage of reserved concurrency, 0 < x <= 100.
    Default ``AUTO``: 80 % when reserved concurrency is set (> 0), else off. A number without reserved
    concurrency is an error."""
    iterator_age_seconds: float | Auto | None = AUTO
    """Maximum IteratorAge of stream triggers (Kinesis, DynamoDB Streams), 1 s – 7 days. Default ``AUTO``:
    60 s when the function has a stream trigger, else off. A number without a stream trigger is an error."""
    queue_messages: float | None = 1.0
    """Visible messages in the failure queue, its dead-letter queue and trigger dead-letter queues, >= 1.
    Default: 1 (any message)."""
    async_events_dropped: float | None = 1.0
    """AsyncEventsDropped per period, >= 1. Default: 1."""
    async_event_age_seconds: float | None = 600.0
    """Maximum AsyncEventAge, 1 s – the function's ``max_event_age``. Default: 600 s (10 minutes)."""
    period: Duration = field(default_factory=lambda: Duration.minutes(5))
    """Metric period of every alarm, 1 – 60 minutes in whole minutes. Default: 5 minutes."""
    evaluation_periods: int = 1
    """Consecutive breaching periods before an alarm fires, 1 – 24. Default: 1."""

    def validate(self, scope: IConstruct) -> None:
        """Ranges that do not depend on the function (raises LambdaConstructsError)."""
        _check_positive(scope, "error_rate_percent", self.error_rate_percent, 100, "%")
        _check_count(scope, "throttles", self.throttles)
        _check_positive(scope, "duration_p99_percent_of_timeout", self.duration_p99_percent_of_timeout, 100, "%")
        _check_positive(scope, "concurrency_percent_of_reserved", self.concurrency_percent_of_reserved, 100, "%")
        _check_positive(scope, "iterator_age_seconds", self.iterator_age_seconds, 7 * 24 * 3600, "seconds")
        _check_count(scope, "queue_messages", self.queue_messages)
        _check_count(scope, "errors", self.errors)
        _check_count(scope, "async_events_dropped", self.async_events_dropped)
        _check_positive(scope, "async_event_age_seconds", self.async_event_age_seconds, 6 * 3600, "seconds")
        period = duration_seconds(self.period)
        if period is not None and (period % 60 or not 60 <= period <= 3600):
            raise fail(
                scope,
                "period must be whole minutes between 1 and 60",
                value=f"{period:g} seconds",
                fix="use Duration.minutes(n) with 1 <= n <= 60",
            )
        check_range(scope, "evaluation_periods", self.evaluation_periods, 1, 24)


def _check_positive(scope: IConstruct, name: str, value: float | str | None, high: float, unit: str) -> None:
    if value is None or value == AUTO:
        return
    if not isinstance(value, int | float) or isinstance(value, bool):
        raise fail(scope, f"{name} must be a number, {AUTO!r} or None", value=value, fix=f"pass {name}=<number>")
    if not 0 < value <= high:
        raise fail(
            scope,
            f"{name} must be above 0 and at most {written_number(high)} {unit}",
            value=value,
            fix=f"set {name} to a value in (0, {written_number(high)}] {unit}, or None to switch this alarm off",
        )


def _check_count(scope: IConstruct, name: str, value: float | None) -> None:
    if value is None:
        return
    if not value >= 1:
        raise fail(
            scope,
            f"{name} must be at least 1 (a count per period)",
            value=value,
            fix=f"set {name} >= 1, or None to switch this alarm off",
        )
