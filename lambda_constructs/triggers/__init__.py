"""Triggers: typed objects that make a SecureFunction's alias (or version) respond to an event source.

Use ``fn.add_trigger(trigger, alias=None)``; the default target is the function's default alias
(``live``), ``alias="$LATEST"`` targets the unqualified function on purpose.
"""

from lambda_constructs.triggers.access import InvokeAccess
from lambda_constructs.triggers.base import InvocationKind, Trigger
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
    "CognitoTrigger",
    "ConfigRuleTrigger",
    "CustomResourceTrigger",
    "EdgeTrigger",
    "FunctionUrlTrigger",
    "HttpApiTrigger",
    "InvocationKind",
    "InvokeAccess",
    "LexBotTrigger",
    "RestApiTrigger",
    "S3BatchOperationsTrigger",
    "SecretRotationTrigger",
    "ServiceEventTrigger",
    "StepFunctionsTask",
    "Trigger",
]
