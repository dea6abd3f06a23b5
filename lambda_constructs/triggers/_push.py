"""Asynchronous push triggers: the service calls Invoke with ``Event``.

Retries, maximum event age and the on-failure destination come from the target alias's
``AWS::Lambda::EventInvokeConfig`` (created by :meth:`SecureFunction.add_alias`). Each trigger
adds one ``AWS::Lambda::Permission`` on the target scoped by ``SourceArn`` (and ``SourceAccount``
where AWS allows it). Services that deliver before invoking (SNS, EventBridge, Scheduler, IoT)
get their own encrypted dead-letter queue. Resources are created in a :class:`PushSource`
construct named by the trigger's construct id under the function (the ``resources`` of the
:class:`~lambda_constructs.contract.TriggerResult` that ``fn.add_trigger`` returns).

EventBridge archive replay (:class:`ArchiveReplayTrigger`): the trigger archives the bus's events
matching ``event_pattern`` and adds a rule that matches only *replayed* events (EventBridge adds
``replay-name`` to them). Start a replay with
``aws events start-replay --event-source-arn <archive arn> --destination Arn=<bus arn>,FilterArns=<rule arn> ...``;
the replayed events reach the function through that rule.

IoT Events: :class:`IotEventsTrigger` grants ``iotevents.amazonaws.com`` invoke permission for a
named detector model; put ``{"lambda": {"functionArn": <target arn>}}`` in the detector model's
actions (IoT Events invokes asynchronously).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from aws_cdk import Aws, Duration
from aws_cdk import aws_events as events
from aws_cdk import aws_iam as iam
from aws_cdk import aws_iot as iot
from aws_cdk import aws_kms as kms
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_logs as logs
from aws_cdk import aws_s3 as s3
from aws_cdk import aws_scheduler as scheduler
from aws_cdk import aws_ses as ses
from aws_cdk import aws_sns as sns
from aws_cdk import aws_sqs as sqs
from constructs import Construct, IConstruct

from lambda_constructs import scanners
from lambda_constructs.compliance import AcknowledgementKey
from lambda_constructs.scanners import ignore_cfn_lint
from lambda_constructs.triggers._queues import (
    allow_service_on_queue,
    dead_letter_queue,
)
from lambda_constructs.triggers._resources import TriggerResources
from lambda_constructs.triggers.base import InvocationKind
from lambda_constructs.validation import check_range, duration_seconds

if TYPE_CHECKING:
    from lambda_constructs.contract import FunctionView

#: Top-level fields of an EventBridge event an event pattern may match.
EVENT_PATTERN_KEYS: tuple[str, ...] = (
    "version",
    "id",
    "detail-type",
    "source",
    "account",
    "time",
    "region",
    "resources",
    "detail",
    "replay-name",
)
#: Aliases of the acknowledgement keys used by the S3 and SNS triggers (older imports; the triggers use
#: the :class:`~lambda_constructs.compliance.AcknowledgementKey` members).
S3_ACCESS_LOGS_ACK = AcknowledgementKey.ACCESS_LOGS_BUCKET_LOGGING
S3_LOGS_ENCRYPTION_ACK = AcknowledgementKey.ACCESS_LOGS_BUCKET_ENCRYPTION
S3_REPLICATION_ACK = AcknowledgementKey.S3_REPLICATION
S3_NOTIFICATIONS_HANDLER_ACK = AcknowledgementKey.BUCKET_NOTIFICATIONS_HANDLER
SNS_ALIAS_ACK = AcknowledgementKey.SNS_ALIAS_ENDPOINT


class PushSource(TriggerResources):
    """Resources an asynchronous trigger created (construct id = the trigger's construct id).

    Attributes:
        permission: the ``AWS::Lambda::Permission`` on the target.
        dead_letter_queue: the delivery dead-letter queue (SNS, EventBridge, Scheduler, IoT), else None.
        bucket / access_logs_bucket: the S3 buckets the trigger created, else None.
        topic / subscription: the SNS topic the trigger created and the subscription.
        rule / archive / schedule / role / subscription_filter / topic_rule / receipt_rule: per trigger.
    """

    def __init__(self, scope: Construct, construct_id: str) -> None:
        super().__init__(scope, construct_id)
        self.permission: lambda_.CfnPermission | None = None
        self.dead_letter_queue: sqs.Queue | None = None
        self.bucket: s3.Bucket | None = None
        self.access_logs_bucket: s3.Bucket | None = None
        self.topic: sns.Topic | None = None
        self.subscription: sns.Subscription | None = None
        self.rule: events.CfnRule | None = None
        self.archive: events.Archive | None = None
        self.schedule: scheduler.CfnSchedule | None = None
        self.role: iam.Role | None = None
        self.subscription_filter: logs.CfnSubscriptionFilter | None = None
        self.topic_rule: iot.CfnTopicRule | None = None
        self.receipt_rule: ses.CfnReceiptRule | None = None


def _permission(
    source: PushSource, target: lambda_.IFunction, service: str, source_arn: str, *, account: bool
) -> lambda_.CfnPermission:
    permission = lambda_.CfnPermission(
        source,
        "Permission",
        action="lambda:InvokeFunction",
        function_name=target.function_arn,
        principal=service,
        source_arn=source_arn,
        source_account=Aws.ACCOUNT_ID if account else None,
    )
    scanners.created(permission, "AWS::Lambda::Permission")
    source.permission = permission
    source.permissions.append(permission)
    ignore_cfn_lint(permission, "ES1007")  # the alias's EventInvokeConfig is matched by Qualifier
    return permission


def _dlq(source: PushSource, fn: FunctionView, key: kms.IKey | None = None) -> sqs.Queue:
    source.dead_letter_queue = dead_letter_queue(source, "DeadLetterQueue", key or fn.key, delivery=True)
    return source.dead_letter_queue


class _Async:
    @property
    def kind(self) -> InvocationKind:
        """Always ``InvocationKind.ASYNC`` (the service invokes with ``Event``)."""
        return InvocationKind.ASYNC


def _retry(source: IConstruct, retry_attempts: int, max_event_age: Duration) -> dict[str, int]:
    check_range(source, "retry_attempts", retry_attempts, 0, 185)
    age = duration_seconds(max_event_age)
    check_range(source, "max_event_age", age, 60, 86_400, "seconds")
    return {"maximumRetryAttempts": retry_attempts, "maximumEventAgeInSeconds": int(age or 86_400)}


def _rule(
    source: PushSource,
    fn: FunctionView,
    target: lambda_.IFunction,
    pattern: dict[str, Any],
    bus: events.IEventBus | None,
    retry: dict[str, int],
    description: str | None,
) -> events.CfnRule:
    dlq = _dlq(source, fn)
    rule = events.CfnRule(
        source,
        "Rule",
        event_bus_name=bus.event_bus_name if bus is not None else None,
        event_pattern=pattern,
        description=description,
        state="ENABLED",
        targets=[
            events.CfnRule.TargetProperty(
                id="Function",
                arn=target.function_arn,
                dead_letter_config=events.CfnRule.DeadLetterConfigProperty(arn=dlq.queue_arn),
                retry_policy=events.CfnRule.RetryPolicyProperty(
                    maximum_retry_attempts=retry["maximumRetryAttempts"],
                    maximum_event_age_in_seconds=retry["maximumEventAgeInSeconds"],
                ),
            )
        ],
    )
    allow_service_on_queue(dlq, "events.amazonaws.com", rule.attr_arn)
    _permission(source, target, "events.amazonaws.com", rule.attr_arn, account=False)
    source.rule = rule
    return rule


def _l2_pattern(pattern: Mapping[str, Any]) -> events.EventPattern:
    names = {"detail-type": "detail_type"}
    return events.EventPattern(**{names.get(k, k): v for k, v in pattern.items() if k != "replay-name"})
