"""The trigger protocol shared by every trigger class."""

from __future__ import annotations

from enum import Enum
from typing import TYPE_CHECKING, Protocol, runtime_checkable

from aws_cdk import aws_lambda as lambda_

if TYPE_CHECKING:
    from lambda_constructs.function import SecureFunction


class InvocationKind(Enum):
    """How Lambda is invoked by a trigger."""

    POLLED = "polled"
    """An event source mapping: Lambda polls the source (SQS, Kinesis, DynamoDB, Kafka, MQ …)."""
    SYNC = "sync"
    """The service calls Invoke with RequestResponse and waits for the answer."""
    ASYNC = "async"
    """The service calls Invoke with Event; retries, event age and the failure destination apply."""


@runtime_checkable
class Trigger(Protocol):
    """A trigger. ``bind`` creates its resources under ``fn`` (or the source) targeting ``target``."""

    @property
    def kind(self) -> InvocationKind:
        """Synchronous, asynchronous or polled."""
        ...

    def bind(self, fn: SecureFunction, target: lambda_.IFunction, construct_id: str) -> None:
        """Create the trigger's resources. ``construct_id`` is unique within ``fn`` and stable."""
        ...
