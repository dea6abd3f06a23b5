"""Triggers: typed objects that make a SecureFunction's alias (or version) respond to an event source.

Use ``fn.add_trigger(trigger, alias=None)``; the default target is the function's default alias
(``live``), ``alias="$LATEST"`` targets the unqualified function on purpose.
"""

from lambda_constructs.triggers.access import InvokeAccess
from lambda_constructs.triggers.base import InvocationKind, Trigger
from lambda_constructs.triggers.polled import (
    DocumentDbTrigger,
    DynamoDbStreamTrigger,
    FullDocument,
    KafkaAuth,
    KinesisTrigger,
    MqTrigger,
    MskTrigger,
    PolledSource,
    SelfManagedKafkaTrigger,
    SqsTrigger,
    StartingPosition,
)
from lambda_constructs.triggers.push_async import (
    ArchiveReplayTrigger,
    CodeCommitTrigger,
    EventBridgeRuleTrigger,
    IotEventsTrigger,
    IotRuleTrigger,
    LogsSubscriptionTrigger,
    PushSource,
    S3Trigger,
    ScheduleTrigger,
    SesReceiptTrigger,
    SnsTrigger,
)
from lambda_constructs.triggers.push_sync import (
    AlbTarget,
    AlexaSkillTrigger,
    CognitoTrigger,
    ConfigRuleTrigger,
    CustomResourceTrigger,
    EdgeTrigger,
    FunctionUrlTrigger,
    HttpApiTrigger,
    LexBotTrigger,
    RestApiTrigger,
    S3BatchOperationsTrigger,
    SecretRotationTrigger,
    StepFunctionsTask,
)
from lambda_constructs.triggers.service_events import ServiceEventTrigger

__all__ = [
    "AlbTarget",
    "AlexaSkillTrigger",
    "ArchiveReplayTrigger",
    "CodeCommitTrigger",
    "CognitoTrigger",
    "ConfigRuleTrigger",
    "CustomResourceTrigger",
    "DocumentDbTrigger",
    "DynamoDbStreamTrigger",
    "EdgeTrigger",
    "EventBridgeRuleTrigger",
    "FullDocument",
    "FunctionUrlTrigger",
    "HttpApiTrigger",
    "InvocationKind",
    "InvokeAccess",
    "IotEventsTrigger",
    "IotRuleTrigger",
    "KafkaAuth",
    "KinesisTrigger",
    "LexBotTrigger",
    "LogsSubscriptionTrigger",
    "MqTrigger",
    "MskTrigger",
    "PolledSource",
    "PushSource",
    "RestApiTrigger",
    "S3BatchOperationsTrigger",
    "S3Trigger",
    "ScheduleTrigger",
    "SecretRotationTrigger",
    "SelfManagedKafkaTrigger",
    "ServiceEventTrigger",
    "SesReceiptTrigger",
    "SnsTrigger",
    "SqsTrigger",
    "StartingPosition",
    "StepFunctionsTask",
    "Trigger",
]
