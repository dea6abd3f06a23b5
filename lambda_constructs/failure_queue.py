"""A function's on-failure destination for asynchronous invocations: an encrypted queue and its redrive queue.

Asynchronous invocations (``Event``) that fail after their retries, or grow older than
``max_event_age``, go to the failure queue; its own dead-letter queue catches messages a consumer of
the failure queue fails five times. Both are KMS-encrypted with the function's key, TLS-only, retained
(``RemovalPolicy.RETAIN``), with 14 days retention.
"""

from __future__ import annotations

import weakref

from aws_cdk import RemovalPolicy
from aws_cdk import aws_kms as kms
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_lambda_destinations as destinations
from aws_cdk import aws_sqs as sqs
from constructs import Construct

from lambda_constructs._jsii_speed import defaults, read_once
from lambda_constructs.compliance import LIBRARY_ACKNOWLEDGEMENTS, AcknowledgementKey, acknowledge_rule

__all__ = ["QueueDestination", "new_failure_queues", "queue_destination"]


class QueueDestination(destinations.SqsDestination):
    """An SQS on-failure destination whose grants are added by the caller (no wildcard actions).

    ``SqsDestination.bind`` would also grant ``sqs:GetQueueAttributes``/``sqs:GetQueueUrl`` and
    ``kms:Encrypt``/``kms:ReEncrypt*``/``kms:GenerateDataKey*`` on the queue's key; this one only returns
    the queue ARN (the function's policy holds the exact actions).
    One jsii subclass object for the function and all its aliases (a jsii speed-up, see ``_jsii_speed``).
    """

    def __init__(self, queue: sqs.IQueue) -> None:
        super().__init__(queue)
        self._queue = queue
        self._arn: str | None = None

    def bind(
        self,
        _scope: Construct,
        _fn: lambda_.IFunction,
        *,
        type: lambda_.DestinationType,
    ) -> lambda_.DestinationConfig:
        return lambda_.DestinationConfig(destination=self.queue_arn)

    @property
    def queue_arn(self) -> str:
        """The queue's ARN, read once."""
        if self._arn is None:
            self._arn = self._queue.queue_arn
        return self._arn


def queue_destination(queue: sqs.IQueue) -> QueueDestination:
    """The :class:`QueueDestination` of ``queue``, one per queue: functions that share a failure queue (a
    ``LambdaService``'s) share it, and the queue's ARN is read once (a jsii speed-up, see ``_jsii_speed``)."""
    return read_once(_DESTINATIONS, queue, QueueDestination)


#: The destination of each failure queue (weak keys: a queue's destination lives as long as the queue).
_DESTINATIONS: weakref.WeakKeyDictionary[sqs.IQueue, QueueDestination] = weakref.WeakKeyDictionary()


def new_failure_queues(scope: Construct, key: kms.IKey) -> tuple[sqs.Queue, sqs.Queue]:
    """The failure queue (construct id ``FailureQueue``) and its redrive queue (``FailureDeadLetterQueue``).

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
    dlq = sqs.Queue(scope, "FailureDeadLetterQueue", **common)  # type: ignore[arg-type]
    acknowledge_rule(
        dlq, "SQSRedrivePolicy", LIBRARY_ACKNOWLEDGEMENTS[AcknowledgementKey.FAILURE_DLQ_REDRIVE], ("Serverless",)
    )
    queue = sqs.Queue(
        scope,
        "FailureQueue",
        dead_letter_queue=sqs.DeadLetterQueue(max_receive_count=5, queue=dlq),
        **common,  # type: ignore[arg-type]
    )
    return queue, dlq
