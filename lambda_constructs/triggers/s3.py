"""Amazon S3 trigger: bucket notifications invoking the alias (with a loop guard)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import jsii
from aws_cdk import CfnResource, Duration, RemovalPolicy, Stack
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_s3 as s3
from aws_cdk import aws_s3_notifications as s3n
from constructs import IConstruct, IValidation

from lambda_constructs import scanners
from lambda_constructs.compliance import LIBRARY_ACKNOWLEDGEMENTS, AcknowledgementKey, acknowledge, acknowledge_rule
from lambda_constructs.errors import fail, warn
from lambda_constructs.field_types import checked_fields
from lambda_constructs.role_grants import FunctionStackPolicy, grantee
from lambda_constructs.scanners import ignore_cfn_lint, skip_checkov
from lambda_constructs.structs import given_fields
from lambda_constructs.triggers._options import options_scope
from lambda_constructs.triggers._push import (
    PushSource,
    _Async,
    _retry,
    _rule,
)
from lambda_constructs.triggers.base import TriggerResult
from lambda_constructs.triggers.s3_events import s3_event_pattern

if TYPE_CHECKING:
    from lambda_constructs.contract import FunctionView


@jsii.implements(IValidation)
class _NoLoop:
    """Warns, at synth, when the function can write to the bucket that triggers it."""

    def __init__(self, source: PushSource, fn: FunctionView, bucket: s3.IBucket) -> None:
        self._source, self._fn, self._bucket = source, fn, bucket

    def validate(self) -> list[str]:
        stack = Stack.of(self._source)
        needle = json.dumps(stack.resolve(self._bucket.bucket_arn))
        policies: list[IConstruct] = list(self._fn.role.node.find_all())
        sink = grantee(self._fn)
        if isinstance(sink, FunctionStackPolicy) and sink.created is not None:
            policies.append(sink.created)  # a role of another stack: the function's grants are in its stack
        for child in policies:
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


@checked_fields
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

    def __post_init__(self) -> None:
        """Check the options that do not depend on the function (before any construct exists).

        Raises:
            LambdaConstructsError: both ``bucket`` and ``bucket_props``, or no event.
        """
        scope = options_scope(self)
        if self.bucket is not None and self.bucket_props is not None:
            raise fail(
                scope,
                "pass either bucket (an existing bucket) or bucket_props (to create one), not both",
                value="bucket + bucket_props",
                fix="drop one of them",
            )
        if not self.events:
            raise fail(scope, "events is empty", value=list(self.events), fix="list at least one s3.EventType")
        if self.via_event_bridge:  # event types without an EventBridge detail type (the bucket name is not checked)
            s3_event_pattern(scope, "bucket", self.events, self.prefix, self.suffix)

    def bind(self, fn: FunctionView, target: lambda_.IFunction, construct_id: str) -> TriggerResult:
        """Create the bucket notification and permission on ``target`` (see the class docstring)."""
        source = PushSource(fn.construct, construct_id)
        bucket = self.bucket if self.bucket is not None else self._create(source, fn)
        if self.via_event_bridge:
            pattern = s3_event_pattern(source, bucket.bucket_name, self.events, self.prefix, self.suffix)
            if self.bucket is None:
                cfn = bucket.node.default_child
                assert isinstance(cfn, CfnResource)
                cfn.add_property_override("NotificationConfiguration.EventBridgeConfiguration.EventBridgeEnabled", True)
            _rule(source, fn, target, pattern, None, _retry(source, 185, Duration.hours(24)), "S3 events")
            source.node.add_validation(_NoLoop(source, fn, bucket))
            return source.result(self)
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
                LIBRARY_ACKNOWLEDGEMENTS[AcknowledgementKey.BUCKET_NOTIFICATIONS_HANDLER],
                ("NIST.800.53.R5", "HIPAA.Security", "PCI.DSS.321"),
            )
        # The handler singleton lands in the bucket's stack, which may not be the function's.
        _acknowledge_notifications_handler(Stack.of(bucket))
        return source.result(self)

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
        scanners.created(logs_bucket, "AWS::S3::Bucket")
        acknowledge_rule(
            logs_bucket,
            "S3BucketLoggingEnabled",
            LIBRARY_ACKNOWLEDGEMENTS[AcknowledgementKey.ACCESS_LOGS_BUCKET_LOGGING],
        )
        acknowledge(
            logs_bucket, "AwsSolutions-S1", LIBRARY_ACKNOWLEDGEMENTS[AcknowledgementKey.ACCESS_LOGS_BUCKET_LOGGING]
        )
        acknowledge_rule(
            logs_bucket,
            "S3DefaultEncryptionKMS",
            LIBRARY_ACKNOWLEDGEMENTS[AcknowledgementKey.ACCESS_LOGS_BUCKET_ENCRYPTION],
        )
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
        scanners.created(bucket, "AWS::S3::Bucket")
        for created in (bucket, logs_bucket):
            acknowledge_rule(
                created, "S3BucketReplicationEnabled", LIBRARY_ACKNOWLEDGEMENTS[AcknowledgementKey.S3_REPLICATION]
            )
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
                LIBRARY_ACKNOWLEDGEMENTS[AcknowledgementKey.BUCKET_NOTIFICATIONS_HANDLER],
            )
            # checkov reads the handler's raw AWS::Lambda::Function (cdk-nag's Lambda rules do not).
            handler = child.node.try_find_child("Resource")
            if isinstance(handler, CfnResource):
                skip_checkov(handler, NOTIFICATIONS_HANDLER_SKIPS)
                ignore_cfn_lint(handler, "W3005", "WS1000", "WS1004", "ES1005")
