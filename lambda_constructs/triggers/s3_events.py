"""S3 → EventBridge: the event pattern that matches what a bucket sends to the default bus.

Used by :class:`~lambda_constructs.triggers.push_async.S3Trigger` with ``via_event_bridge=True``: no
bucket notification, so no aws-cdk-lib ``BucketNotificationsHandler`` (a Lambda function with the AWS
managed ``AWSLambdaBasicExecutionRole`` policy and an inline policy, no tracing, no log retention).
AWS's event shapes: https://docs.aws.amazon.com/AmazonS3/latest/userguide/ev-events.html (source
``aws.s3``; ``detail.bucket.name``, ``detail.object.key``) and the detail types per event
(https://docs.aws.amazon.com/AmazonS3/latest/userguide/EventBridge.html).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from aws_cdk import aws_s3 as s3
from constructs import IConstruct

from lambda_constructs.errors import fail

#: Bucket-notification event types with an EventBridge equivalent → the detail type S3 sends.
DETAIL_TYPES: dict[str, str] = {
    s3.EventType.OBJECT_CREATED.value: "Object Created",
    s3.EventType.OBJECT_REMOVED.value: "Object Deleted",
    s3.EventType.OBJECT_RESTORE_POST.value: "Object Restore Initiated",
    s3.EventType.OBJECT_RESTORE_COMPLETED.value: "Object Restore Completed",
    s3.EventType.OBJECT_RESTORE_DELETE.value: "Object Restore Expired",
    s3.EventType.OBJECT_TAGGING_PUT.value: "Object Tags Added",
    s3.EventType.OBJECT_TAGGING_DELETE.value: "Object Tags Deleted",
    s3.EventType.OBJECT_ACL_PUT.value: "Object ACL Updated",
    s3.EventType.LIFECYCLE_TRANSITION.value: "Object Storage Class Changed",
    s3.EventType.INTELLIGENT_TIERING.value: "Object Access Tier Changed",
}


def s3_event_pattern(
    scope: IConstruct, bucket_name: str, events: Sequence[s3.EventType], prefix: str | None, suffix: str | None
) -> dict[str, Any]:
    """The EventBridge pattern for ``events`` of the bucket named ``bucket_name`` (token or literal).

    Key filters become ``prefix`` / ``suffix`` matches on ``detail.object.key`` (both: a ``wildcard``
    ``<prefix>*<suffix>``). Raises ``LambdaConstructsError`` for an event type without an EventBridge
    detail type (e.g. ``OBJECT_CREATED_PUT``: EventBridge reports all creations as "Object Created").
    """
    unknown = [event.value for event in events if event.value not in DETAIL_TYPES]
    if unknown:
        raise fail(
            scope,
            "these S3 event types have no EventBridge detail type",
            value=unknown,
            fix="use " + ", ".join(sorted(DETAIL_TYPES)) + " or via_event_bridge=False",
        )
    detail: dict[str, Any] = {"bucket": {"name": [bucket_name]}}
    if prefix and suffix:
        detail["object"] = {"key": [{"wildcard": f"{prefix}*{suffix}"}]}
    elif prefix:
        detail["object"] = {"key": [{"prefix": prefix}]}
    elif suffix:
        detail["object"] = {"key": [{"suffix": suffix}]}
    return {
        "source": ["aws.s3"],
        "detail-type": sorted({DETAIL_TYPES[event.value] for event in events}),
        "detail": detail,
    }
