"""Deprecated module path, kept so existing imports work: the synchronous push triggers (and CloudFormation, AWS Config).

Each trigger now lives in a module of its own (see docs/design.md, "Adding a trigger kind");
import from ``lambda_constructs.triggers`` instead.
"""

from __future__ import annotations

from lambda_constructs.roles import ServiceRole
from lambda_constructs.triggers._sync import (
    API_GATEWAY_MAX_TIMEOUT,
    COGNITO_TIMEOUT,
    HTTP_API_MAX_TIMEOUT,
    PermissionResources,
)
from lambda_constructs.triggers.alb import (
    AlbTarget,
    AlbTargetResources,
)
from lambda_constructs.triggers.alexa import (
    ALEXA_SKILL_ID,
    AlexaSkillTrigger,
)
from lambda_constructs.triggers.api_gateway import (
    HttpApiResources,
    HttpApiTrigger,
    RestApiResources,
    RestApiTrigger,
)
from lambda_constructs.triggers.cognito import (
    COGNITO_OPERATIONS,
    CognitoTrigger,
    CognitoTriggerResources,
)
from lambda_constructs.triggers.config_rule import (
    ConfigRuleResources,
    ConfigRuleTrigger,
)
from lambda_constructs.triggers.custom_resource import (
    CUSTOM_RESOURCE_TYPE,
    CustomResourceResources,
    CustomResourceTrigger,
)
from lambda_constructs.triggers.edge import (
    EDGE_LIMITS,
    EdgeResources,
    EdgeTrigger,
)
from lambda_constructs.triggers.function_url import (
    FunctionUrlResources,
    FunctionUrlTrigger,
)
from lambda_constructs.triggers.lex import (
    LEX_BOT_ALIAS_ARN,
    LexBotTrigger,
)
from lambda_constructs.triggers.s3_batch import (
    S3BatchOperationsTrigger,
    S3BatchResources,
)
from lambda_constructs.triggers.secret_rotation import (
    SecretRotationResources,
    SecretRotationTrigger,
)
from lambda_constructs.triggers.step_functions import (
    StepFunctionsResources,
    StepFunctionsTask,
)

__all__ = [
    "ALEXA_SKILL_ID",
    "API_GATEWAY_MAX_TIMEOUT",
    "COGNITO_OPERATIONS",
    "COGNITO_TIMEOUT",
    "CUSTOM_RESOURCE_TYPE",
    "EDGE_LIMITS",
    "HTTP_API_MAX_TIMEOUT",
    "LEX_BOT_ALIAS_ARN",
    "AlbTarget",
    "AlbTargetResources",
    "AlexaSkillTrigger",
    "CognitoTrigger",
    "CognitoTriggerResources",
    "ConfigRuleResources",
    "ConfigRuleTrigger",
    "CustomResourceResources",
    "CustomResourceTrigger",
    "EdgeResources",
    "EdgeTrigger",
    "FunctionUrlResources",
    "FunctionUrlTrigger",
    "HttpApiResources",
    "HttpApiTrigger",
    "LexBotTrigger",
    "PermissionResources",
    "RestApiResources",
    "RestApiTrigger",
    "S3BatchOperationsTrigger",
    "S3BatchResources",
    "SecretRotationResources",
    "SecretRotationTrigger",
    "ServiceRole",
    "StepFunctionsResources",
    "StepFunctionsTask",
]
