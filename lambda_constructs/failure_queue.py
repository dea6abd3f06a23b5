"""A function's on-failure destination for asynchronous invocations: an encrypted queue and its redrive queue.

Asynchronous invocations (``Event``) that fail after their retries, or grow older than
``max_event_age``, go to the failure queue; its own dead-letter queue catches messages a consumer of
the failure queue fails five times. Both are KMS-encrypted, TLS-only, retained (``RemovalPolicy.RETAIN``),
with 14 days retention.

By default the SecureFunctions of a stack share one pair (:func:`stack_failure_queues`, construct ids
:data:`STACK_FAILURE_QUEUE_ID` / :data:`STACK_FAILURE_DLQ_ID` beside the stack's shared key, encrypted with
it): every message is Lambda's invocation record, whose ``requestContext.functionArn`` names the function
and the alias or version that failed
(https://docs.aws.amazon.com/lambda/latest/dg/invocation-async-retain-records.html), so one queue loses no
information and is alarmed once. :func:`new_failure_queues` makes a function's own pair
(``failure_queue_per_function``, or a function with its own key).
"""

from __future__ import annotations

import weakref
from dataclasses import dataclass

from aws_cdk import RemovalPolicy, Stack
from aws_cdk import aws_kms as kms
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_lambda_destinations as destinations
from aws_cdk import aws_sqs as sqs
from constructs import Construct

from lambda_constructs import scanners
from lambda_constructs._jsii_speed import defaults, read_once
from lambda_constructs.compliance import LIBRARY_ACKNOWLEDGEMENTS, AcknowledgementKey, acknowledge_rule
from lambda_constructs.errors import require_free_id
from lambda_constructs.keys import stack_key

__all__ = [
    "STACK_FAILURE_DLQ_ID",
    "STACK_FAILURE_QUEUE_ID",
    "QueueDestination",
    "SharedFailureQueues",
    "new_failure_queues",
    "queue_destination",
    "shared_failure_queues_of",
    "stack_failure_queues",
]

_STACK_PREFIX = "LambdaConstructs"
#: Construct id (a child of the stack, beside ``keys.STACK_KEY_ID``) of the failure queue SecureFunctions of a
#: stack share by default.
STACK_FAILURE_QUEUE_ID = f"{_STACK_PREFIX}FailureQueue"
#: Construct id (a child of the stack) of the shared failure queue's redrive queue.
STACK_FAILURE_DLQ_ID = f"{_STACK_PREFIX}FailureDeadLetterQueue"


class QueueDestination(destinations.SqsDestination):
    """An SQS on-failure destination whose grants are added by the caller (no wildcard actions).

    ``SqsDestination.bind`` would also grant ``sqs:GetQueueAttributes``/``sqs:GetQueueUrl`` and
    ``kms:Encrypt``/``kms:ReEncrypt*``/``kms:GenerateDataKey*`` on the queue's key; this one only returns
    the queue ARN (the function's policy holds the exact actions).
    One jsii subclass object for the function and all its aliases (a jsii speed-up, see ``_jsii_speed``).

    JavaScript calls :meth:`bind` back for the function and for each alias: two round trips each beyond
    the construct's creation. One completes the callback; the other (``Get type``) is jsii reading the
    options struct, which JavaScript passes by reference: the Python runtime (``_handle_callback`` →
    ``_recursize_dereference``, the same in jsii 1.115 and 1.142) reads every field of such a struct
    before it looks at the method, so no signature of ``bind`` (keyword-only ``type`` or ``*args``) avoids it.
    """

    def __init__(self, queue: sqs.IQueue) -> None:
        super().__init__(queue)
        self._queue = queue
        self._arn: str | None = None
        self._config: lambda_.DestinationConfig | None = None

    def bind(
        self,
        _scope: Construct,
        _fn: lambda_.IFunction,
        *,
        type: lambda_.DestinationType,
    ) -> lambda_.DestinationConfig:
        if self._config is None:  # one immutable struct for every bind (it is serialized by value)
            self._config = lambda_.DestinationConfig(destination=self.queue_arn)
        return self._config

    @property
    def queue_arn(self) -> str:
        """The queue's ARN, read once."""
        if self._arn is None:
            self._arn = self._queue.queue_arn
        return self._arn


def queue_destination(queue: sqs.IQueue) -> QueueDestination:
    """The :class:`QueueDestination` of ``queue``, one per queue: functions that share a failure queue (a
    stack's or a ``LambdaService``'s) share it, and the queue's ARN is read once (a jsii speed-up, see
    ``_jsii_speed``)."""
    return read_once(_DESTINATIONS, queue, QueueDestination)


#: The destination of each failure queue (weak keys: a queue's destination lives as long as the queue).
_DESTINATIONS: weakref.WeakKeyDictionary[sqs.IQueue, QueueDestination] = weakref.WeakKeyDictionary()


def new_failure_queues(scope: Construct, key: kms.IKey, *, prefix: str = "") -> tuple[sqs.Queue, sqs.Queue]:
    """The failure queue (construct id ``<prefix>FailureQueue``) and its redrive queue
    (``<prefix>FailureDeadLetterQueue``), children of ``scope``. Default ``prefix``: none.

    Both are encrypted with ``key``; the redrive queue gets the failure queue's messages after 5 receives.
    Returns ``(failure_queue, dead_letter_queue)``.
    """
    common: dict[str, object] = {
        "encryption": sqs.QueueEncryption.KMS,
        "encryption_master_key": key,
        "enforce_ssl": True,
        "retention_period": defaults().failure_retention,
        "removal_policy": RemovalPolicy.RETAIN,
    }
    dlq = sqs.Queue(scope, f"{prefix}FailureDeadLetterQueue", **common)  # type: ignore[arg-type]
    scanners.created(dlq, "AWS::SQS::Queue")
    acknowledge_rule(
        dlq, "SQSRedrivePolicy", LIBRARY_ACKNOWLEDGEMENTS[AcknowledgementKey.FAILURE_DLQ_REDRIVE], ("Serverless",)
    )
    queue = sqs.Queue(
        scope,
        f"{prefix}FailureQueue",
        dead_letter_queue=sqs.DeadLetterQueue(max_receive_count=5, queue=dlq),
        **common,  # type: ignore[arg-type]
    )
    return queue, dlq


@dataclass(frozen=True)
class SharedFailureQueues:
    """The failure queue the SecureFunctions of one stack share, its redrive queue and their destination.

    Attributes:
        queue: the failure queue (construct id :data:`STACK_FAILURE_QUEUE_ID` under the stack).
        dead_letter_queue: its redrive queue (:data:`STACK_FAILURE_DLQ_ID`).
        key: the key both queues are encrypted with: the stack's shared key (``keys.stack_key``).
        stack: the stack holding them.
    """

    queue: sqs.Queue
    dead_letter_queue: sqs.Queue
    key: kms.IKey
    stack: Stack

    @property
    def destination(self) -> QueueDestination:
        """The on-failure destination every function and alias of the stack uses (:func:`queue_destination`:
        one jsii object for all of them, see ``_jsii_speed``)."""
        return queue_destination(self.queue)


#: The shared queues of each stack, and the same by their failure queue (monitoring looks them up by queue).
_BY_STACK: weakref.WeakKeyDictionary[Stack, SharedFailureQueues] = weakref.WeakKeyDictionary()
_BY_QUEUE: weakref.WeakKeyDictionary[sqs.IQueue, SharedFailureQueues] = weakref.WeakKeyDictionary()


def stack_failure_queues(stack: Stack) -> SharedFailureQueues:
    """The stack's shared failure queue and redrive queue, created by the first function that needs them.

    Children of ``stack`` with the ids :data:`STACK_FAILURE_QUEUE_ID` and :data:`STACK_FAILURE_DLQ_ID`,
    encrypted with the stack's shared key (``keys.stack_key``, created if needed), TLS-only, 14 days,
    retained, redriven after 5 receives: the properties of a function's own pair (:func:`new_failure_queues`).
    Two standard queues bill per request only (https://aws.amazon.com/sqs/pricing/): idle, they cost nothing.

    Raises:
        LambdaConstructsError: ``stack`` already has another construct with one of these ids.
    """
    shared = _BY_STACK.get(stack)
    if shared is not None:
        return shared
    for construct_id in (STACK_FAILURE_DLQ_ID, STACK_FAILURE_QUEUE_ID):
        require_free_id(
            stack,
            construct_id,
            holder="SecureFunctions put the stack's shared failure queue there",
            fix="rename your construct, or pass failure_queue= (or failure_queue_per_function=True) to the functions",
        )
    key = stack_key(stack)
    queue, dlq = new_failure_queues(stack, key, prefix=_STACK_PREFIX)
    shared = _BY_STACK[stack] = SharedFailureQueues(queue, dlq, key, stack)
    _BY_QUEUE[queue] = shared
    return shared


def shared_failure_queues_of(queue: sqs.IQueue) -> SharedFailureQueues | None:
    """The :class:`SharedFailureQueues` whose failure queue is ``queue``; None for any other queue."""
    return _BY_QUEUE.get(queue)
