"""Deprecated module path, kept so existing imports work: the asynchronous push triggers.

Each trigger now lives in a module of its own (see docs/design.md, "Adding a trigger kind");
import from ``lambda_constructs.triggers`` instead.
"""

from __future__ import annotations

from lambda_constructs.triggers._push import (
    EVENT_PATTERN_KEYS,
    S3_ACCESS_LOGS_ACK,
    S3_LOGS_ENCRYPTION_ACK,
    S3_NOTIFICATIONS_HANDLER_ACK,
    S3_REPLICATION_ACK,
    SNS_ALIAS_ACK,
    PushSource,
)
from lambda_constructs.triggers.codecommit import (
    CodeCommitTrigger,
)
from lambda_constructs.triggers.eventbridge import (
    ArchiveReplayTrigger,
    EventBridgeRuleTrigger,
)
from lambda_constructs.triggers.iot import (
    IotEventsTrigger,
    IotRuleTrigger,
)
from lambda_constructs.triggers.logs_subscription import (
    LogsSubscriptionTrigger,
)
from lambda_constructs.triggers.s3 import (
    NOTIFICATIONS_HANDLER_SKIPS,
    SERVER_ACCESS_LOGS_USE_BUCKET_POLICY,
    S3Trigger,
)
from lambda_constructs.triggers.scheduler import (
    ScheduleTrigger,
    check_schedule_expression,
)
from lambda_constructs.triggers.ses import (
    SesReceiptTrigger,
)
from lambda_constructs.triggers.sns import (
    SnsTrigger,
)

__all__ = [
    "EVENT_PATTERN_KEYS",
    "NOTIFICATIONS_HANDLER_SKIPS",
    "S3_ACCESS_LOGS_ACK",
    "S3_LOGS_ENCRYPTION_ACK",
    "S3_NOTIFICATIONS_HANDLER_ACK",
    "S3_REPLICATION_ACK",
    "SERVER_ACCESS_LOGS_USE_BUCKET_POLICY",
    "SNS_ALIAS_ACK",
    "ArchiveReplayTrigger",
    "CodeCommitTrigger",
    "EventBridgeRuleTrigger",
    "IotEventsTrigger",
    "IotRuleTrigger",
    "LogsSubscriptionTrigger",
    "PushSource",
    "S3Trigger",
    "ScheduleTrigger",
    "SesReceiptTrigger",
    "SnsTrigger",
    "check_schedule_expression",
]
