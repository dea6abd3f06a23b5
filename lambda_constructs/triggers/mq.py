"""Amazon MQ trigger: an event source mapping reading an ActiveMQ or RabbitMQ broker queue."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from aws_cdk import Duration
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_secretsmanager as secretsmanager

from lambda_constructs.field_types import checked_fields
from lambda_constructs.role_grants import grantee
from lambda_constructs.triggers._options import options_scope
from lambda_constructs.triggers._polled import (
    PolledSource,
    _check_batching,
    _filters,
    _grant_secret,
    _mapping,
    _network_policy,
    _no_destination,
    _seconds,
)
from lambda_constructs.triggers._queues import grant
from lambda_constructs.triggers.base import InvocationKind, SourceKind, TriggerResult

if TYPE_CHECKING:
    from lambda_constructs.contract import FunctionView


@checked_fields
@dataclass(frozen=True, kw_only=True)
class MqTrigger:
    """Consume a queue of an Amazon MQ broker (ActiveMQ or RabbitMQ) with broker credentials."""

    broker_arn: str
    """ARN of the broker."""
    queue_name: str
    """The queue to consume."""
    secret: secretsmanager.ISecret
    """Broker credentials (``{"username": ..., "password": ...}``)."""
    virtual_host: str | None = None
    """RabbitMQ virtual host. Default: none (``/``)."""
    batch_size: int = 100
    """1–10,000. Default: 100."""
    max_batching_window: Duration | None = None
    """0–300 s. Default: none."""
    filters: Sequence[Mapping[str, Any] | str] = ()
    """Event filter patterns, at most 5. Default: none."""
    enabled: bool = True
    """Default: True."""

    @property
    def kind(self) -> InvocationKind:
        """Always ``InvocationKind.POLLED`` (Lambda polls the broker queue)."""
        return InvocationKind.POLLED

    def __post_init__(self) -> None:
        """Check the options that do not depend on the function.

        Raises:
            LambdaConstructsError: a batch size or batching window out of range, or an invalid filter.
        """
        scope = options_scope(self)
        _check_batching(scope, self.max_batching_window, self.batch_size, self.filters)

    def bind(self, fn: FunctionView, target: lambda_.IFunction, construct_id: str) -> TriggerResult:
        """Create the Amazon MQ event source mapping on ``target`` (see the class docstring)."""
        source = PolledSource(fn.construct, construct_id)
        window = _seconds(self.max_batching_window)
        access = [{"type": "BASIC_AUTH", "uri": self.secret.secret_arn}]
        if self.virtual_host:
            access.append({"type": "VIRTUAL_HOST", "uri": self.virtual_host})
        grant(grantee(fn), ["mq:DescribeBroker"], [self.broker_arn])
        _grant_secret(fn, self.secret)
        mapping = _mapping(
            source,
            fn,
            target,
            event_source_arn=self.broker_arn,
            queues=[self.queue_name],
            source_access_configurations=access,
            batch_size=self.batch_size,
            maximum_batching_window_in_seconds=int(window) if window is not None else None,
            filter_criteria=_filters(source, self.filters),
            enabled=self.enabled,
        )
        _no_destination(mapping, source._mapping_node)
        _network_policy(source, fn)
        return source.result(self, source=SourceKind.QUEUE)
