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
    from lambda_constructs.enums import (
        HttpApiAuthorization,
        RestApiAuthorization,
    )
    from lambda_constructs.triggers._polled import (
        PolledSource,
        StartingPosition,
    )
    from lambda_constructs.triggers._push import (
        PushSource,
    )
    from lambda_constructs.triggers._resources import (
        TriggerResources,
    )
    from lambda_constructs.triggers.access import (
        InvokeAccess,
    )
    from lambda_constructs.triggers.alb import (
        AlbTarget,
    )
    from lambda_constructs.triggers.alexa import (
        AlexaSkillTrigger,
    )
    from lambda_constructs.triggers.api_gateway import (
        HttpApiTrigger,
        RestApiTrigger,
    )
    from lambda_constructs.triggers.base import (
        InvocationKind,
        SourceKind,
        Trigger,
        TriggerResult,
    )
    from lambda_constructs.triggers.codecommit import (
        CodeCommitTrigger,
    )
    from lambda_constructs.triggers.cognito import (
        CognitoTrigger,
    )
    from lambda_constructs.triggers.config_rule import (
        ConfigRuleTrigger,
    )
    from lambda_constructs.triggers.custom_resource import (
        CustomResourceTrigger,
    )
    from lambda_constructs.triggers.documentdb import (
        DocumentDbTrigger,
        FullDocument,
    )
    from lambda_constructs.triggers.dynamodb import (
        DynamoDbStreamTrigger,
    )
    from lambda_constructs.triggers.edge import (
        EdgeTrigger,
    )
    from lambda_constructs.triggers.eventbridge import (
        ArchiveReplayTrigger,
        EventBridgeRuleTrigger,
    )
    from lambda_constructs.triggers.function_url import (
        FunctionUrlTrigger,
    )
    from lambda_constructs.triggers.iot import (
        IotEventsTrigger,
        IotRuleTrigger,
    )
    from lambda_constructs.triggers.kafka import (
        KafkaAuth,
        MskTrigger,
        SelfManagedKafkaTrigger,
    )
    from lambda_constructs.triggers.kinesis import (
        KinesisTrigger,
    )
    from lambda_constructs.triggers.lex import (
        LexBotTrigger,
    )
    from lambda_constructs.triggers.logs_subscription import (
        LogsSubscriptionTrigger,
    )
    from lambda_constructs.triggers.mq import (
        MqTrigger,
    )
    from lambda_constructs.triggers.s3 import (
        S3Trigger,
    )
    from lambda_constructs.triggers.s3_batch import (
        S3BatchOperationsTrigger,
    )
    from lambda_constructs.triggers.scheduler import (
        ScheduleTrigger,
    )
    from lambda_constructs.triggers.secret_rotation import (
        SecretRotationTrigger,
    )
    from lambda_constructs.triggers.service_events import (
        ServiceEventTrigger,
    )
    from lambda_constructs.triggers.ses import (
        SesReceiptTrigger,
    )
    from lambda_constructs.triggers.sns import (
        SnsTrigger,
    )
    from lambda_constructs.triggers.sqs import (
        SqsTrigger,
    )
    from lambda_constructs.triggers.step_functions import (
        StepFunctionsTask,
    )


#: Public name -> the module defining it.
_MODULES: dict[str, str] = {
    "AlbTarget": "lambda_constructs.triggers.alb",
    "AlexaSkillTrigger": "lambda_constructs.triggers.alexa",
    "ArchiveReplayTrigger": "lambda_constructs.triggers.eventbridge",
    "CodeCommitTrigger": "lambda_constructs.triggers.codecommit",
    "CognitoTrigger": "lambda_constructs.triggers.cognito",
    "ConfigRuleTrigger": "lambda_constructs.triggers.config_rule",
    "CustomResourceTrigger": "lambda_constructs.triggers.custom_resource",
    "DocumentDbTrigger": "lambda_constructs.triggers.documentdb",
    "DynamoDbStreamTrigger": "lambda_constructs.triggers.dynamodb",
    "EdgeTrigger": "lambda_constructs.triggers.edge",
    "EventBridgeRuleTrigger": "lambda_constructs.triggers.eventbridge",
    "FullDocument": "lambda_constructs.triggers.documentdb",
    "FunctionUrlTrigger": "lambda_constructs.triggers.function_url",
    "HttpApiAuthorization": "lambda_constructs.enums",
    "HttpApiTrigger": "lambda_constructs.triggers.api_gateway",
    "InvocationKind": "lambda_constructs.triggers.base",
    "InvokeAccess": "lambda_constructs.triggers.access",
    "IotEventsTrigger": "lambda_constructs.triggers.iot",
    "IotRuleTrigger": "lambda_constructs.triggers.iot",
    "KafkaAuth": "lambda_constructs.triggers.kafka",
    "KinesisTrigger": "lambda_constructs.triggers.kinesis",
    "LexBotTrigger": "lambda_constructs.triggers.lex",
    "LogsSubscriptionTrigger": "lambda_constructs.triggers.logs_subscription",
    "MqTrigger": "lambda_constructs.triggers.mq",
    "MskTrigger": "lambda_constructs.triggers.kafka",
    "PolledSource": "lambda_constructs.triggers._polled",
    "PushSource": "lambda_constructs.triggers._push",
    "RestApiAuthorization": "lambda_constructs.enums",
    "RestApiTrigger": "lambda_constructs.triggers.api_gateway",
    "S3BatchOperationsTrigger": "lambda_constructs.triggers.s3_batch",
    "S3Trigger": "lambda_constructs.triggers.s3",
    "ScheduleTrigger": "lambda_constructs.triggers.scheduler",
    "SecretRotationTrigger": "lambda_constructs.triggers.secret_rotation",
    "SelfManagedKafkaTrigger": "lambda_constructs.triggers.kafka",
    "ServiceEventTrigger": "lambda_constructs.triggers.service_events",
    "SesReceiptTrigger": "lambda_constructs.triggers.ses",
    "SnsTrigger": "lambda_constructs.triggers.sns",
    "SqsTrigger": "lambda_constructs.triggers.sqs",
    "StartingPosition": "lambda_constructs.triggers._polled",
    "StepFunctionsTask": "lambda_constructs.triggers.step_functions",
    "Trigger": "lambda_constructs.triggers.base",
    "TriggerResources": "lambda_constructs.triggers._resources",
    "TriggerResult": "lambda_constructs.triggers.base",
    "SourceKind": "lambda_constructs.triggers.base",
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
    "HttpApiAuthorization",
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
    "RestApiAuthorization",
    "RestApiTrigger",
    "S3BatchOperationsTrigger",
    "S3Trigger",
    "ScheduleTrigger",
    "SecretRotationTrigger",
    "SelfManagedKafkaTrigger",
    "ServiceEventTrigger",
    "SesReceiptTrigger",
    "SnsTrigger",
    "SourceKind",
    "SqsTrigger",
    "StartingPosition",
    "StepFunctionsTask",
    "Trigger",
    "TriggerResources",
    "TriggerResult",
]


_LAZY = LazyExports(globals(), _MODULES)


def __getattr__(name: str) -> Any:
    return _LAZY.load(name)


def __dir__() -> list[str]:
    return _LAZY.names()
