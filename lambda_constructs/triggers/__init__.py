"""Triggers: typed objects that make a SecureFunction's alias (or version) respond to an event source.

Use ``fn.add_trigger(trigger, alias=None)``; the default target is the function's default alias
(``live``), ``alias="$LATEST"`` targets the unqualified function on purpose.

The names are imported on first use (PEP 562): a function that uses one trigger loads only that
trigger's module and the aws_cdk modules it needs (see docs/performance.md, "Imports").
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from lambda_constructs._lazy import LazyExports

if TYPE_CHECKING:
    from lambda_constructs.triggers.access import (
        InvokeAccess,
    )
    from lambda_constructs.triggers.base import (
        InvocationKind,
        Trigger,
    )
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
    from lambda_constructs.triggers.service_events import (
        ServiceEventTrigger,
    )

#: Public name -> the module defining it.
_MODULES: dict[str, str] = {
    "AlbTarget": "lambda_constructs.triggers.push_sync",
    "AlexaSkillTrigger": "lambda_constructs.triggers.push_sync",
    "ArchiveReplayTrigger": "lambda_constructs.triggers.push_async",
    "CodeCommitTrigger": "lambda_constructs.triggers.push_async",
    "CognitoTrigger": "lambda_constructs.triggers.push_sync",
    "ConfigRuleTrigger": "lambda_constructs.triggers.push_sync",
    "CustomResourceTrigger": "lambda_constructs.triggers.push_sync",
    "DocumentDbTrigger": "lambda_constructs.triggers.polled",
    "DynamoDbStreamTrigger": "lambda_constructs.triggers.polled",
    "EdgeTrigger": "lambda_constructs.triggers.push_sync",
    "EventBridgeRuleTrigger": "lambda_constructs.triggers.push_async",
    "FullDocument": "lambda_constructs.triggers.polled",
    "FunctionUrlTrigger": "lambda_constructs.triggers.push_sync",
    "HttpApiTrigger": "lambda_constructs.triggers.push_sync",
    "InvocationKind": "lambda_constructs.triggers.base",
    "InvokeAccess": "lambda_constructs.triggers.access",
    "IotEventsTrigger": "lambda_constructs.triggers.push_async",
    "IotRuleTrigger": "lambda_constructs.triggers.push_async",
    "KafkaAuth": "lambda_constructs.triggers.polled",
    "KinesisTrigger": "lambda_constructs.triggers.polled",
    "LexBotTrigger": "lambda_constructs.triggers.push_sync",
    "LogsSubscriptionTrigger": "lambda_constructs.triggers.push_async",
    "MqTrigger": "lambda_constructs.triggers.polled",
    "MskTrigger": "lambda_constructs.triggers.polled",
    "PolledSource": "lambda_constructs.triggers.polled",
    "PushSource": "lambda_constructs.triggers.push_async",
    "RestApiTrigger": "lambda_constructs.triggers.push_sync",
    "S3BatchOperationsTrigger": "lambda_constructs.triggers.push_sync",
    "S3Trigger": "lambda_constructs.triggers.push_async",
    "ScheduleTrigger": "lambda_constructs.triggers.push_async",
    "SecretRotationTrigger": "lambda_constructs.triggers.push_sync",
    "SelfManagedKafkaTrigger": "lambda_constructs.triggers.polled",
    "ServiceEventTrigger": "lambda_constructs.triggers.service_events",
    "SesReceiptTrigger": "lambda_constructs.triggers.push_async",
    "SnsTrigger": "lambda_constructs.triggers.push_async",
    "SqsTrigger": "lambda_constructs.triggers.polled",
    "StartingPosition": "lambda_constructs.triggers.polled",
    "StepFunctionsTask": "lambda_constructs.triggers.push_sync",
    "Trigger": "lambda_constructs.triggers.base",
}

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


_LAZY = LazyExports(globals(), _MODULES)


def __getattr__(name: str) -> Any:
    return _LAZY.load(name)


def __dir__() -> list[str]:
    return _LAZY.names()
