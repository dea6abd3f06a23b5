"""Amazon EventBridge triggers: a rule (``EventBridgeRuleTrigger``) and archive replay
(``ArchiveReplayTrigger``), one service sharing the rule and retry helpers.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from aws_cdk import Duration
from aws_cdk import aws_events as events
from aws_cdk import aws_lambda as lambda_

from lambda_constructs.field_types import checked_fields
from lambda_constructs.triggers._options import options_scope
from lambda_constructs.triggers._push import (
    EVENT_PATTERN_KEYS,
    PushSource,
    _Async,
    _l2_pattern,
    _retry,
    _rule,
)
from lambda_constructs.triggers._queues import (
    check_pattern,
)
from lambda_constructs.triggers.base import TriggerResult

if TYPE_CHECKING:
    from lambda_constructs.contract import FunctionView


@checked_fields
@dataclass(frozen=True, kw_only=True)
class EventBridgeRuleTrigger(_Async):
    """An EventBridge rule on any bus whose target is the function (with a DLQ and retry policy)."""

    event_pattern: Mapping[str, Any] | str
    """The event pattern: a non-empty JSON object using envelope fields (source, detail-type, detail …)."""
    event_bus: events.IEventBus | None = None
    """Default: the account's default bus."""
    description: str | None = None
    """Default: none."""
    retry_attempts: int = 185
    """EventBridge's delivery retries, 0–185. Default: 185."""
    max_event_age: Duration = field(default_factory=lambda: Duration.hours(24))
    """EventBridge's delivery window, 60 s – 24 h. Default: 24 hours."""

    def __post_init__(self) -> None:
        """Check the options that do not depend on the function (before any construct exists).

        Raises:
            LambdaConstructsError: an invalid event pattern, a retry count or event age out of range.
        """
        scope = options_scope(self)
        check_pattern(scope, "event_pattern", self.event_pattern, allowed_keys=EVENT_PATTERN_KEYS)
        _retry(scope, self.retry_attempts, self.max_event_age)

    def bind(self, fn: FunctionView, target: lambda_.IFunction, construct_id: str) -> TriggerResult:
        """Create the EventBridge rule targeting ``target`` (see the class docstring)."""
        source = PushSource(fn.construct, construct_id)
        pattern = check_pattern(source, "event_pattern", self.event_pattern, allowed_keys=EVENT_PATTERN_KEYS)
        retry = _retry(source, self.retry_attempts, self.max_event_age)
        _rule(source, fn, target, pattern, self.event_bus, retry, self.description)
        return source.result(self)


@checked_fields
@dataclass(frozen=True, kw_only=True)
class ArchiveReplayTrigger(_Async):
    """Archive events of a bus and deliver their *replays* to the function (see the module docs)."""

    event_pattern: Mapping[str, Any] | str
    """Which events to archive (and to match when replayed)."""
    event_bus: events.IEventBus
    """The bus to archive (replays are sent back to it)."""
    retention: Duration = field(default_factory=lambda: Duration.days(365))
    """How long the archive keeps events. Default: 365 days (0 = forever)."""
    retry_attempts: int = 185
    """0–185. Default: 185."""
    max_event_age: Duration = field(default_factory=lambda: Duration.hours(24))
    """60 s – 24 h. Default: 24 hours."""

    def __post_init__(self) -> None:
        """Check the options that do not depend on the function (before any construct exists).

        Raises:
            LambdaConstructsError: an invalid event pattern, a retry count or event age out of range.
        """
        scope = options_scope(self)
        check_pattern(scope, "event_pattern", self.event_pattern, allowed_keys=EVENT_PATTERN_KEYS)
        _retry(scope, self.retry_attempts, self.max_event_age)

    def bind(self, fn: FunctionView, target: lambda_.IFunction, construct_id: str) -> TriggerResult:
        """Create the archive and the replay rule targeting ``target`` (see the class docstring)."""
        source = PushSource(fn.construct, construct_id)
        pattern = check_pattern(source, "event_pattern", self.event_pattern, allowed_keys=EVENT_PATTERN_KEYS)
        retry = _retry(source, self.retry_attempts, self.max_event_age)
        source.archive = events.Archive(
            source,
            "Archive",
            source_event_bus=self.event_bus,
            event_pattern=_l2_pattern(pattern),
            retention=self.retention,
        )
        replayed = {**pattern, "replay-name": [{"exists": True}]}
        _rule(source, fn, target, replayed, self.event_bus, retry, "Replayed events from the archive")
        return source.result(self)
