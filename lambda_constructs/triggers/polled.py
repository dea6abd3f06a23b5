"""Deprecated module path, kept so existing imports work: the polled triggers (event source mappings).

Each trigger now lives in a module of its own (see docs/design.md, "Adding a trigger kind");
import from ``lambda_constructs.triggers`` instead.
"""

from __future__ import annotations

from lambda_constructs.triggers._polled import (
    ESM_DESTINATION_ACK,
    KINESIS_CMK_ACK,
    LIST_STREAMS_ACK,
    MAX_BATCH,
    MAX_BATCHING_WINDOW,
    NETWORK_ACK,
    SQS_MAX_BATCH_WITHOUT_WINDOW,
    SQS_MAX_VISIBILITY_SECONDS,
    SQS_RETENTION_SECONDS,
    PolledSource,
    StartingPosition,
)
from lambda_constructs.triggers.documentdb import (
    DocumentDbTrigger,
    FullDocument,
)
from lambda_constructs.triggers.dynamodb import (
    DynamoDbStreamTrigger,
)
from lambda_constructs.triggers.kafka import (
    KafkaAuth,
    MskTrigger,
    SelfManagedKafkaTrigger,
)
from lambda_constructs.triggers.kinesis import (
    KinesisTrigger,
)
from lambda_constructs.triggers.mq import (
    MqTrigger,
)
from lambda_constructs.triggers.sqs import (
    SQS_DEFAULT_VISIBILITY_SECONDS,
    SqsTrigger,
)

__all__ = [
    "ESM_DESTINATION_ACK",
    "KINESIS_CMK_ACK",
    "LIST_STREAMS_ACK",
    "MAX_BATCH",
    "MAX_BATCHING_WINDOW",
    "NETWORK_ACK",
    "SQS_DEFAULT_VISIBILITY_SECONDS",
    "SQS_MAX_BATCH_WITHOUT_WINDOW",
    "SQS_MAX_VISIBILITY_SECONDS",
    "SQS_RETENTION_SECONDS",
    "DocumentDbTrigger",
    "DynamoDbStreamTrigger",
    "FullDocument",
    "KafkaAuth",
    "KinesisTrigger",
    "MqTrigger",
    "MskTrigger",
    "PolledSource",
    "SelfManagedKafkaTrigger",
    "SqsTrigger",
    "StartingPosition",
]
