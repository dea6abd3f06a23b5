"""The dead-letter queue the SQS trigger queues of a stack share: one per stack and queue type.

An :class:`~lambda_constructs.triggers.sqs.SqsTrigger` that creates its queue redrives it, by default, into
its stack's shared dead-letter queue (construct id :data:`STACK_TRIGGER_DLQ_ID`, or
:data:`STACK_TRIGGER_FIFO_DLQ_ID` for FIFO source queues, children of the stack beside the shared key
``LambdaConstructsKey`` and encrypted with it), created by the first trigger that needs it, instead of a
dead-letter queue of its own (an ``AWS::SQS::Queue`` and its TLS-only ``AWS::SQS::QueuePolicy``: 2 resources
per trigger).

One queue loses no information, on AWS's word (botocore's SQS service model, 2012-11-05):

- SQS keeps the source queue of each message it moves to a dead-letter queue: ``DeadLetterQueueSourceArn``
  is a value of ``MessageSystemAttributeName`` (what ReceiveMessage's ``MessageSystemAttributeNames`` asks
  for), and StartMessageMoveTask's ``DestinationArn`` reads "If this field is left blank, the messages will
  be redriven back to their respective original source queues". A dead-letter-queue redrive of the shared
  queue (https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-dead-letter-queues.html)
  therefore returns every message to the trigger queue it came from, and the attribute names that queue.
- Any number of source queues may use it: ``RedriveAllowPolicy`` ``redrivePermission`` ``allowAll`` is the
  default ("Any source queues in this Amazon Web Services account in the same Region can specify this
  queue as the dead-letter queue"; ``byQueue`` would stop at 10 source queues).
- The queue type must match: "The dead-letter queue of a FIFO queue must also be a FIFO queue. Similarly,
  the dead-letter queue of a standard queue must also be a standard queue." (CreateQueue ``Attributes``;
  the SQS Developer Guide: "the queue type must match the source queue type—a FIFO queue can only use a
  FIFO DLQ", https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-configure-dead-letter-queue.html),
  hence one queue per type.

A trigger shares the queue only when its queue is encrypted with the key the functions of its stack share
(``keys.shared_key_of``: the stack's ``LambdaConstructsKey``, or a ``LambdaService``'s key in its shards):
a trigger with its own ``encryption_key``, or of a function with a key of its own, keeps a dead-letter
queue of its own, encrypted with that key (``SqsTrigger.dead_letter_queue_per_trigger``).
"""

from __future__ import annotations

import weakref
from dataclasses import dataclass

from aws_cdk import Stack
from aws_cdk import aws_kms as kms
from aws_cdk import aws_sqs as sqs

from lambda_constructs.errors import fail, require_free_id
from lambda_constructs.keys import shared_key_of
from lambda_constructs.triggers._queues import dead_letter_queue

__all__ = [
    "STACK_TRIGGER_DLQ_ID",
    "STACK_TRIGGER_FIFO_DLQ_ID",
    "SharedTriggerDeadLetterQueue",
    "shared_trigger_dead_letter_queue_of",
    "shared_trigger_dead_letter_queues",
    "stack_trigger_dead_letter_queue",
]

#: Construct id (a child of the stack, beside ``keys.STACK_KEY_ID``) of the dead-letter queue the standard
#: queues created by the stack's SQS triggers share by default.
STACK_TRIGGER_DLQ_ID = "LambdaConstructsTriggerDeadLetterQueue"
#: Construct id (a child of the stack) of the dead-letter queue the FIFO queues created by the stack's SQS
#: triggers share (a FIFO queue's dead-letter queue must be FIFO too).
STACK_TRIGGER_FIFO_DLQ_ID = f"{STACK_TRIGGER_DLQ_ID}Fifo"

#: What an operator reads to find the failing trigger (alarm descriptions and docs say it).
SOURCE_ATTRIBUTE = "DeadLetterQueueSourceArn"


@dataclass(frozen=True)
class SharedTriggerDeadLetterQueue:
    """The dead-letter queue of one type the SQS trigger queues of one stack share.

    Attributes:
        queue: the queue (construct id :data:`STACK_TRIGGER_DLQ_ID` or :data:`STACK_TRIGGER_FIFO_DLQ_ID`
            under the stack).
        key: the key it is encrypted with: the key the stack's functions share (``keys.shared_key_of``).
        stack: the stack holding it.
        fifo: True for the FIFO queue.
    """

    queue: sqs.Queue
    key: kms.IKey
    stack: Stack
    fifo: bool

    @property
    def construct_id(self) -> str:
        """The queue's construct id under the stack."""
        return STACK_TRIGGER_FIFO_DLQ_ID if self.fifo else STACK_TRIGGER_DLQ_ID


#: The shared queues of each stack by type (False: standard, True: FIFO), and the same by queue (monitoring
#: looks them up by queue). Weak keys: an entry lives as long as its stack (``_jsii_speed.read_once`` style).
_BY_STACK: weakref.WeakKeyDictionary[Stack, dict[bool, SharedTriggerDeadLetterQueue]] = weakref.WeakKeyDictionary()
_BY_QUEUE: weakref.WeakKeyDictionary[sqs.IQueue, SharedTriggerDeadLetterQueue] = weakref.WeakKeyDictionary()


def shares_key(stack: Stack, key: kms.IKey | None) -> bool:
    """True when ``key`` is the key the SecureFunctions of ``stack`` share (``keys.shared_key_of``)."""
    return key is not None and key is shared_key_of(stack)


def stack_trigger_dead_letter_queue(stack: Stack, *, fifo: bool) -> SharedTriggerDeadLetterQueue:
    """The stack's shared trigger dead-letter queue of the type ``fifo``, created on first use.

    A child of ``stack`` (:data:`STACK_TRIGGER_DLQ_ID`, or :data:`STACK_TRIGGER_FIFO_DLQ_ID` when ``fifo``),
    encrypted with the key the stack's functions share, TLS-only, 14 days, retained, with the
    acknowledgements of a trigger's own dead-letter queue (``_queues.dead_letter_queue``). SQS bills a standard
    or FIFO queue per request only (https://aws.amazon.com/sqs/pricing/): idle, it costs nothing.

    Raises:
        LambdaConstructsError: the stack's functions share no key yet (no function of the stack uses the
            stack's shared key), or ``stack`` already has another construct with the queue's id.
    """
    queues = _BY_STACK.get(stack)
    if queues is None:
        queues = _BY_STACK[stack] = {}
    shared = queues.get(fifo)
    if shared is not None:
        return shared
    construct_id = STACK_TRIGGER_FIFO_DLQ_ID if fifo else STACK_TRIGGER_DLQ_ID
    key = shared_key_of(stack)
    if key is None:
        raise fail(
            stack,
            "the stack's SQS triggers share a dead-letter queue encrypted with the key its functions share, "
            "and no function of the stack uses one yet",
            value=construct_id,
            fix="create the trigger on a SecureFunction of this stack that uses the stack's shared key",
        )
    require_free_id(
        stack,
        construct_id,
        holder="SqsTriggers put the stack's shared dead-letter queue there",
        fix="rename your construct, or pass dead_letter_queue_per_trigger=True to the stack's SqsTriggers",
    )
    queue = dead_letter_queue(stack, construct_id, key, fifo=fifo)
    shared = queues[fifo] = SharedTriggerDeadLetterQueue(queue, key, stack, fifo)
    _BY_QUEUE[queue] = shared
    return shared


def shared_trigger_dead_letter_queue_of(queue: sqs.IQueue | None) -> SharedTriggerDeadLetterQueue | None:
    """The :class:`SharedTriggerDeadLetterQueue` whose queue is ``queue``; None for any other queue."""
    return None if queue is None else _BY_QUEUE.get(queue)


def shared_trigger_dead_letter_queues(stack: Stack) -> tuple[SharedTriggerDeadLetterQueue, ...]:
    """The shared trigger dead-letter queues created in ``stack`` so far (standard first). No jsii round trip."""
    queues = _BY_STACK.get(stack, {})
    return tuple(queues[fifo] for fifo in (False, True) if fifo in queues)
