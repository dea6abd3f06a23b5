"""Asynchronous push triggers: the service calls Invoke with ``Event``.

Retries, maximum event age and the on-failure destination come from the target alias's
``AWS::Lambda::EventInvokeConfig`` (created by :meth:`SecureFunction.add_alias`). Each trigger
adds one ``AWS::Lambda::Permission`` on the target scoped by ``SourceArn`` (and ``SourceAccount``
where AWS allows it). Services that deliver before invoking (SNS, EventBridge, Scheduler, IoT)
get their own encrypted dead-letter queue. Resources are created in a :class:`PushSource`
construct named by the trigger's construct id under the function.

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

import json
import re
import zoneinfo
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

import jsii
from aws_cdk import ArnFormat, Aws, CfnResource, Duration, RemovalPolicy, Stack
from aws_cdk import aws_events as events
from aws_cdk import aws_iam as iam
from aws_cdk import aws_iot as iot
from aws_cdk import aws_kms as kms
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_logs as logs
from aws_cdk import aws_s3 as s3
from aws_cdk import aws_s3_notifications as s3n
from aws_cdk import aws_scheduler as scheduler
from aws_cdk import aws_ses as ses
from aws_cdk import aws_sns as sns
from aws_cdk import aws_sqs as sqs
from constructs import Construct, IConstruct, IValidation

from lambda_constructs.compliance import LIBRARY_ACKNOWLEDGEMENTS, acknowledge, acknowledge_rule
from lambda_constructs.errors import fail, warn
from lambda_constructs.keys import logs_service
from lambda_constructs.scanners import ignore_cfn_lint, skip_checkov
from lambda_constructs.structs import given_fields
from lambda_constructs.triggers._queues import (
    allow_service_on_queue,
    check_pattern,
    dead_letter_queue,
    send_statements,
)
from lambda_constructs.triggers.base import InvocationKind
from lambda_constructs.triggers.s3_events import s3_event_pattern
from lambda_constructs.validation import check_range, duration_seconds, is_token

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
S3_ACCESS_LOGS_ACK = "S3BucketLoggingEnabled (server access logs bucket)"
S3_LOGS_ENCRYPTION_ACK = "S3DefaultEncryptionKMS (server access logs bucket)"
S3_REPLICATION_ACK = "S3BucketReplicationEnabled"
S3_NOTIFICATIONS_HANDLER_ACK = "BucketNotificationsHandler"
SNS_ALIAS_ACK = "W3694"


class PushSource(Construct):
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
    source.permission = permission
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


# -------------------------------------------------------------------------------------- S3


@jsii.implements(IValidation)
class _NoLoop:
    """Warns, at synth, when the function can write to the bucket that triggers it."""

    def __init__(self, source: PushSource, fn: FunctionView, bucket: s3.IBucket) -> None:
        self._source, self._fn, self._bucket = source, fn, bucket

    def validate(self) -> list[str]:
        stack = Stack.of(self._source)
        needle = json.dumps(stack.resolve(self._bucket.bucket_arn))
        for child in self._fn.role.node.find_all():
            if isinstance(child, iam.ManagedPolicy | iam.Policy):
                for statement in stack.resolve(child.document.to_json()).get("Statement", []):
                    actions = statement.get("Action", [])
                    actions = [actions] if isinstance(actions, str) else actions
                    writes = any(a in ("s3:*", "s3:Put*", "s3:PutObject", "s3:PutObject*") for a in actions)
                    if writes and needle in json.dumps(statement.get("Resource")):
                        warn(
                            self._source,
                            "s3NotificationLoop",
                            "the function can write to the bucket that triggers it: an object it writes "
                            "can invoke it again in a loop; use another bucket, or a prefix/suffix filter "
                            "its writes never match",
                        )
                        return []
        return []


@dataclass(frozen=True, kw_only=True)
class S3Trigger(_Async):
    """S3 event notifications. Pass ``bucket`` or ``bucket_props``, not both.

    A created bucket is KMS-encrypted (the function's key unless ``encryption_key``), TLS-only,
    versioned, blocks public access, logs server access to a second bucket and is retained.
    """

    bucket: s3.IBucket | None = None
    """An existing bucket. Default: None (a bucket is created)."""
    bucket_props: s3.BucketProps | None = None
    """Overrides for the created bucket (security settings cannot be weakened). Default: None."""
    encryption_key: kms.IKey | None = None
    """Key of the created bucket. Default: the function's key."""
    events: Sequence[s3.EventType] = (s3.EventType.OBJECT_CREATED,)
    """Default: every ObjectCreated event."""
    prefix: str | None = None
    """Only keys starting with this. Default: none."""
    suffix: str | None = None
    """Only keys ending with this. Default: none."""
    via_event_bridge: bool = False
    """Deliver through an EventBridge rule on the default bus instead of a bucket notification: no
    aws-cdk-lib BucketNotificationsHandler (AWS managed policy, inline policy), and the rule has a DLQ and
    retries (185, 24 h). A created bucket gets EventBridge delivery turned on in its own template
    (``NotificationConfiguration.EventBridgeConfiguration``); an existing bucket must have it on already.
    EventBridge charges custom-rule matches of AWS events nothing; see triggers/s3_events.py for the
    event types it supports. Default: False (bucket notification)."""

    def bind(self, fn: FunctionView, target: lambda_.IFunction, construct_id: str) -> None:
        """Create the bucket notification and permission on ``target`` (see the class docstring)."""
        source = PushSource(fn.construct, construct_id)
        if self.bucket is not None and self.bucket_props is not None:
            raise fail(
                source,
                "pass either bucket (an existing bucket) or bucket_props (to create one), not both",
                value="bucket + bucket_props",
                fix="drop one of them",
            )
        if not self.events:
            raise fail(source, "events is empty", value=list(self.events), fix="list at least one s3.EventType")
        bucket = self.bucket if self.bucket is not None else self._create(source, fn)
        if self.via_event_bridge:
            pattern = s3_event_pattern(source, bucket.bucket_name, self.events, self.prefix, self.suffix)
            if self.bucket is None:
                cfn = bucket.node.default_child
                assert isinstance(cfn, CfnResource)
                cfn.add_property_override("NotificationConfiguration.EventBridgeConfiguration.EventBridgeEnabled", True)
            _rule(source, fn, target, pattern, None, _retry(source, 185, Duration.hours(24)), "S3 events")
            source.node.add_validation(_NoLoop(source, fn, bucket))
            return
        key_filters = (
            [s3.NotificationKeyFilter(prefix=self.prefix, suffix=self.suffix)] if self.prefix or self.suffix else []
        )
        for event in self.events:
            # LambdaDestination adds the permission (SourceArn = bucket, SourceAccount = this account).
            bucket.add_event_notification(event, s3n.LambdaDestination(target), *key_filters)
        source.node.add_validation(_NoLoop(source, fn, bucket))
        for child in bucket.node.children:  # LambdaDestination's permission, in the bucket's scope
            if child.node.id.startswith("AllowBucketNotificationsTo") and isinstance(child, CfnResource):
                ignore_cfn_lint(child, "ES1007")
        notifications = bucket.node.try_find_child("Notifications")
        if notifications is not None:
            acknowledge_rule(
                notifications,
                "IAMNoInlinePolicy",
                LIBRARY_ACKNOWLEDGEMENTS[S3_NOTIFICATIONS_HANDLER_ACK],
                ("NIST.800.53.R5", "HIPAA.Security", "PCI.DSS.321"),
            )
        # The handler singleton lands in the bucket's stack, which may not be the function's.
        _acknowledge_notifications_handler(Stack.of(bucket))

    def _create(self, source: PushSource, fn: FunctionView) -> s3.Bucket:
        # Server access logs are delivered under a bucket policy (logging.s3.amazonaws.com), as AWS recommends,
        # not the legacy LogDeliveryWrite ACL, which BUCKET_OWNER_ENFORCED forbids: an app without this feature
        # flag in its cdk.json would otherwise fail to synthesize.
        # https://docs.aws.amazon.com/AmazonS3/latest/userguide/enable-server-access-logging.html
        source.node.set_context(SERVER_ACCESS_LOGS_USE_BUCKET_POLICY, True)
        common: dict[str, Any] = {
            "block_public_access": s3.BlockPublicAccess.BLOCK_ALL,
            "enforce_ssl": True,
            "versioned": True,
            "removal_policy": RemovalPolicy.RETAIN,
            "object_ownership": s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
        }
        logs_bucket = s3.Bucket(
            source,
            "AccessLogsBucket",
            encryption=s3.BucketEncryption.S3_MANAGED,
            **common,
        )
        acknowledge_rule(logs_bucket, "S3BucketLoggingEnabled", LIBRARY_ACKNOWLEDGEMENTS[S3_ACCESS_LOGS_ACK])
        acknowledge(logs_bucket, "AwsSolutions-S1", LIBRARY_ACKNOWLEDGEMENTS[S3_ACCESS_LOGS_ACK])
        acknowledge_rule(logs_bucket, "S3DefaultEncryptionKMS", LIBRARY_ACKNOWLEDGEMENTS[S3_LOGS_ENCRYPTION_ACK])
        source.access_logs_bucket = logs_bucket
        overrides = given_fields(self.bucket_props) if self.bucket_props is not None else {}
        settings: dict[str, Any] = {
            "server_access_logs_bucket": logs_bucket,
            **overrides,
            **common,
            "encryption": s3.BucketEncryption.KMS,
            "encryption_key": self.encryption_key or fn.key,
            "bucket_key_enabled": True,
        }
        bucket = s3.Bucket(source, "Bucket", **settings)
        for created in (bucket, logs_bucket):
            acknowledge_rule(created, "S3BucketReplicationEnabled", LIBRARY_ACKNOWLEDGEMENTS[S3_REPLICATION_ACK])
        source.bucket = bucket
        return bucket


#: aws-cdk-lib feature flag (cx-api ``S3_SERVER_ACCESS_LOGS_USE_BUCKET_POLICY``) set on a created bucket's scope.
SERVER_ACCESS_LOGS_USE_BUCKET_POLICY = "@aws-cdk/aws-s3:serverAccessLogsUseBucketPolicy"

#: checkov findings on aws-cdk-lib's BucketNotificationsHandler function, with their reasons.
NOTIFICATIONS_HANDLER_SKIPS: dict[str, str] = {
    "CKV_AWS_115": (
        "aws-cdk-lib's BucketNotificationsHandler runs only while the stack deploys "
        "(s3:PutBucketNotificationConfiguration); reserving concurrency would take account capacity."
    ),
    "CKV_AWS_116": (
        "aws-cdk-lib's BucketNotificationsHandler is invoked synchronously by CloudFormation: there are no "
        "asynchronous events to dead-letter."
    ),
    "CKV_AWS_117": (
        "aws-cdk-lib's BucketNotificationsHandler only calls the S3 API while the stack deploys and reaches "
        "nothing in a VPC."
    ),
}


def _acknowledge_notifications_handler(stack: Stack) -> None:
    """The CDK's BucketNotificationsHandler singleton is a deploy-time custom resource, not app code.

    Only the finding that fires is acknowledged (measured): its role carries the AWS managed
    AWSLambdaBasicExecutionRole policy. It is a raw ``AWS::Lambda::Function`` CfnResource, so the packs'
    Lambda rules do not apply to it.
    """
    for child in stack.node.children:
        if child.node.id.startswith("BucketNotificationsHandler"):
            acknowledge(
                child,
                "AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]",
                LIBRARY_ACKNOWLEDGEMENTS[S3_NOTIFICATIONS_HANDLER_ACK],
            )
            # checkov reads the handler's raw AWS::Lambda::Function (cdk-nag's Lambda rules do not).
            handler = child.node.try_find_child("Resource")
            if isinstance(handler, CfnResource):
                skip_checkov(handler, NOTIFICATIONS_HANDLER_SKIPS)
                ignore_cfn_lint(handler, "W3005", "WS1000", "WS1004", "ES1005")


# ------------------------------------------------------------------------------------- SNS


@dataclass(frozen=True, kw_only=True)
class SnsTrigger(_Async):
    """Subscribe to an SNS topic. Pass ``topic`` or ``topic_props``, not both.

    A created topic is KMS-encrypted (the function's key unless ``encryption_key``) and TLS-only.
    The subscription gets its own encrypted dead-letter queue.
    """

    topic: sns.ITopic | None = None
    """An existing topic. Default: None (a topic is created)."""
    topic_props: sns.TopicProps | None = None
    """Overrides for the created topic. Default: None."""
    encryption_key: kms.IKey | None = None
    """Key of the created topic and the dead-letter queue. Default: the function's key."""
    filter_policy: Mapping[str, sns.SubscriptionFilter] | None = None
    """Message-attribute filter policy. Default: none (every message)."""

    def bind(self, fn: FunctionView, target: lambda_.IFunction, construct_id: str) -> None:
        """Create the SNS subscription and permission on ``target`` (see the class docstring)."""
        source = PushSource(fn.construct, construct_id)
        if self.topic is not None and self.topic_props is not None:
            raise fail(
                source,
                "pass either topic (an existing topic) or topic_props (to create one), not both",
                value="topic + topic_props",
                fix="drop one of them",
            )
        key = self.encryption_key or fn.key
        topic = self.topic if self.topic is not None else self._create(source, key)
        dlq = _dlq(source, fn, key)
        allow_service_on_queue(dlq, "sns.amazonaws.com", topic.topic_arn)
        permission = _permission(source, target, "sns.amazonaws.com", topic.topic_arn, account=False)
        source.subscription = sns.Subscription(
            source,
            "Subscription",
            topic=topic,
            endpoint=target.function_arn,
            protocol=sns.SubscriptionProtocol.LAMBDA,
            filter_policy=dict(self.filter_policy) if self.filter_policy else None,
            dead_letter_queue=dlq,
        )
        source.subscription.node.add_dependency(permission)
        # cfn-lint W3694 expects a function for protocol lambda; an alias ARN is a valid endpoint.
        acknowledge(source.subscription, "CloudFormation-Validate::W3694", LIBRARY_ACKNOWLEDGEMENTS[SNS_ALIAS_ACK])

    def _create(self, source: PushSource, key: kms.IKey) -> sns.Topic:
        overrides = given_fields(self.topic_props) if self.topic_props is not None else {}
        source.topic = sns.Topic(source, "Topic", **{**overrides, "master_key": key, "enforce_ssl": True})
        return source.topic


# ----------------------------------------------------------------------------- EventBridge


def _retry(source: PushSource, retry_attempts: int, max_event_age: Duration) -> dict[str, int]:
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

    def bind(self, fn: FunctionView, target: lambda_.IFunction, construct_id: str) -> None:
        """Create the EventBridge rule targeting ``target`` (see the class docstring)."""
        source = PushSource(fn.construct, construct_id)
        pattern = check_pattern(source, "event_pattern", self.event_pattern, allowed_keys=EVENT_PATTERN_KEYS)
        retry = _retry(source, self.retry_attempts, self.max_event_age)
        _rule(source, fn, target, pattern, self.event_bus, retry, self.description)


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

    def bind(self, fn: FunctionView, target: lambda_.IFunction, construct_id: str) -> None:
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


def _l2_pattern(pattern: Mapping[str, Any]) -> events.EventPattern:
    names = {"detail-type": "detail_type"}
    return events.EventPattern(**{names.get(k, k): v for k, v in pattern.items() if k != "replay-name"})


@dataclass(frozen=True, kw_only=True)
class CodeCommitTrigger(_Async):
    """Repository events of an existing CodeCommit repository (by name), through EventBridge.

    CodeCommit is closed to new customers; existing repositories keep working. EventBridge rules
    work for repositories not defined in this app (``AWS::CodeCommit::Repository`` Triggers do not).
    """

    repository_name: str
    """Name of the repository."""
    branches: Sequence[str] = ()
    """Only these branches. Default: every reference."""
    retry_attempts: int = 185
    """0–185. Default: 185."""
    max_event_age: Duration = field(default_factory=lambda: Duration.hours(24))
    """60 s – 24 h. Default: 24 hours."""

    def bind(self, fn: FunctionView, target: lambda_.IFunction, construct_id: str) -> None:
        """Create the repository-events rule targeting ``target`` (see the class docstring)."""
        source = PushSource(fn.construct, construct_id)
        if not is_token(self.repository_name) and not re.fullmatch(r"[\w.-]{1,100}", self.repository_name):
            raise fail(source, "invalid repository name", value=self.repository_name, fix="use 1–100 of [A-Za-z0-9_.-]")
        arn = Stack.of(source).format_arn(service="codecommit", resource=self.repository_name)
        pattern: dict[str, Any] = {
            "source": ["aws.codecommit"],
            "detail-type": ["CodeCommit Repository State Change"],
            "resources": [arn],
        }
        if self.branches:
            pattern["detail"] = {"referenceType": ["branch"], "referenceName": list(self.branches)}
        retry = _retry(source, self.retry_attempts, self.max_event_age)
        _rule(source, fn, target, pattern, None, retry, f"CodeCommit {self.repository_name}")


# ------------------------------------------------------------------------------- Scheduler

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

    def bind(self, fn: FunctionView, target: lambda_.IFunction, construct_id: str) -> None:
        """Create the schedule and its role invoking ``target`` (see the class docstring)."""
        source = PushSource(fn.construct, construct_id)
        check_schedule_expression(source, self.expression)
        if not is_token(self.timezone) and self.timezone not in zoneinfo.available_timezones():
            raise fail(source, "unknown time zone", value=self.timezone, fix="use an IANA name like Europe/Paris")
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


# ----------------------------------------------------------------------- Logs, IoT, SES


@dataclass(frozen=True, kw_only=True)
class LogsSubscriptionTrigger(_Async):
    """A CloudWatch Logs subscription filter delivering matching log events to the function."""

    log_group: logs.ILogGroup
    """The log group (not the function's own: that would loop)."""
    filter_pattern: str = ""
    """CloudWatch Logs filter pattern. Default: "" (every event)."""
    filter_name: str | None = None
    """Default: generated."""

    def bind(self, fn: FunctionView, target: lambda_.IFunction, construct_id: str) -> None:
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


_IOT_SQL = re.compile(r"^\s*SELECT\s+.+\s+FROM\s+'[^']+'", re.IGNORECASE | re.DOTALL)


@dataclass(frozen=True, kw_only=True)
class IotRuleTrigger(_Async):
    """An AWS IoT topic rule invoking the function; failed actions go to an encrypted SQS error queue."""

    sql: str
    """Rule query, e.g. ``SELECT * FROM 'devices/+/telemetry'``."""
    sql_version: str = "2016-03-23"
    """Default: 2016-03-23 (the newest)."""
    description: str | None = None
    """Default: none."""

    def bind(self, fn: FunctionView, target: lambda_.IFunction, construct_id: str) -> None:
        """Create the IoT topic rule invoking ``target`` (see the class docstring)."""
        source = PushSource(fn.construct, construct_id)
        if not is_token(self.sql) and not _IOT_SQL.match(self.sql):
            raise fail(
                source,
                "sql must be SELECT <fields> FROM '<topic filter>'",
                value=self.sql,
                fix="e.g. SELECT * FROM 'devices/+/telemetry'",
            )
        dlq = _dlq(source, fn)
        role = iam.Role(
            source,
            "ErrorActionRole",
            assumed_by=iam.ServicePrincipal(
                "iot.amazonaws.com", conditions={"StringEquals": {"aws:SourceAccount": Aws.ACCOUNT_ID}}
            ),
            description=f"IoT error action of {source.node.path}: sends to its error queue only",
        )
        policy = iam.ManagedPolicy(source, "ErrorActionPolicy", roles=[role])
        policy.add_statements(*send_statements(dlq))
        source.role = role
        rule = iot.CfnTopicRule(
            source,
            "TopicRule",
            topic_rule_payload=iot.CfnTopicRule.TopicRulePayloadProperty(
                sql=self.sql,
                aws_iot_sql_version=self.sql_version,
                rule_disabled=False,
                description=self.description,
                actions=[
                    iot.CfnTopicRule.ActionProperty(
                        lambda_=iot.CfnTopicRule.LambdaActionProperty(function_arn=target.function_arn)
                    )
                ],
                error_action=iot.CfnTopicRule.ActionProperty(
                    sqs=iot.CfnTopicRule.SqsActionProperty(queue_url=dlq.queue_url, role_arn=role.role_arn)
                ),
            ),
        )
        rule.node.add_dependency(policy)
        source.topic_rule = rule
        _permission(source, target, "iot.amazonaws.com", rule.attr_arn, account=True)


@dataclass(frozen=True, kw_only=True)
class IotEventsTrigger(_Async):
    """Allow an IoT Events detector model (by name) to invoke the target; see the module docs."""

    detector_model_name: str
    """Name of the detector model whose ``lambda`` action targets the function."""

    def bind(self, fn: FunctionView, target: lambda_.IFunction, construct_id: str) -> None:
        """Create the detector model's invoke permission on ``target`` (see the module docstring)."""
        source = PushSource(fn.construct, construct_id)
        arn = Stack.of(source).format_arn(
            service="iotevents", resource="detectorModel", resource_name=self.detector_model_name
        )
        _permission(source, target, "iotevents.amazonaws.com", arn, account=True)


@dataclass(frozen=True, kw_only=True)
class SesReceiptTrigger(_Async):
    """An SES receipt rule (spam/virus scan, TLS required) whose Lambda action invokes with Event."""

    rule_set_name: str
    """Name of the receipt rule set (it must be the active one to receive mail)."""
    rule_name: str
    """Name of the receipt rule (part of the permission's SourceArn)."""
    recipients: Sequence[str] = ()
    """Addresses or domains. Default: every recipient of the verified domains."""
    scan_enabled: bool = True
    """Default: True (spam and virus scanning)."""

    def bind(self, fn: FunctionView, target: lambda_.IFunction, construct_id: str) -> None:
        """Create the SES receipt rule invoking ``target`` (see the class docstring)."""
        source = PushSource(fn.construct, construct_id)
        if not is_token(self.rule_name) and not re.fullmatch(r"[A-Za-z0-9][\w.-]{0,63}", self.rule_name):
            raise fail(source, "invalid receipt rule name", value=self.rule_name, fix="1–64 of [A-Za-z0-9_.-]")
        arn = Stack.of(source).format_arn(
            service="ses",
            resource="receipt-rule-set",
            resource_name=f"{self.rule_set_name}:receipt-rule/{self.rule_name}",
            arn_format=ArnFormat.SLASH_RESOURCE_NAME,
        )
        permission = _permission(source, target, "ses.amazonaws.com", arn, account=True)
        rule = ses.CfnReceiptRule(
            source,
            "ReceiptRule",
            rule_set_name=self.rule_set_name,
            rule=ses.CfnReceiptRule.RuleProperty(
                name=self.rule_name,
                enabled=True,
                scan_enabled=self.scan_enabled,
                tls_policy="Require",
                recipients=list(self.recipients) or None,
                actions=[
                    ses.CfnReceiptRule.ActionProperty(
                        lambda_action=ses.CfnReceiptRule.LambdaActionProperty(
                            function_arn=target.function_arn, invocation_type="Event"
                        )
                    )
                ],
            ),
        )
        rule.node.add_dependency(permission)
        source.receipt_rule = rule
