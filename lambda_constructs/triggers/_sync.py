"""Helpers shared by the synchronous push triggers: access log groups, the open-endpoint reason,
the function timeout, the permission-only resources.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from aws_cdk import RemovalPolicy
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_logs as logs
from constructs import Construct, IConstruct

from lambda_constructs.errors import fail
from lambda_constructs.triggers._resources import TriggerResources
from lambda_constructs.validation import duration_seconds

if TYPE_CHECKING:
    from lambda_constructs.contract import FunctionView


#: API Gateway's default maximum integration timeout of a REST API, seconds ("Maximum integration timeout",
#: 50 ms – 29 s, raisable for Regional and private REST APIs only:
#: https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-execution-service-limits-table.html).
API_GATEWAY_MAX_TIMEOUT = 29
#: An HTTP API's maximum integration timeout, seconds (not raisable):
#: https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-quotas.html
HTTP_API_MAX_TIMEOUT = 30
#: Cognito waits this long for a user pool trigger, seconds (the function must answer within 5 s:
#: https://docs.aws.amazon.com/cognito/latest/developerguide/cognito-user-pools-working-with-lambda-triggers.html).
COGNITO_TIMEOUT = 5


def _access_log_group(scope: Construct, fn: FunctionView) -> logs.LogGroup:
    """A log group encrypted with the function's key, retained, with the function's retention."""
    return logs.LogGroup(
        scope,
        "AccessLogs",
        encryption_key=fn.key,
        retention=fn.props.log_retention,
        removal_policy=RemovalPolicy.RETAIN,
    )


def _require_reason(scope: IConstruct, what: str, reason: str | None, value: object) -> str:
    if reason is None or not reason.strip():
        raise fail(
            scope,
            f"{what} is open to anyone only with an explicit reason",
            value=value,
            fix="pass open_reason='why this endpoint must be unauthenticated', or use an authorizer",
        )
    return reason


def _function_timeout(fn: FunctionView) -> float | None:
    return duration_seconds(fn.props.timeout)


class PermissionResources(TriggerResources):
    """What a permission-only trigger created: ``permission``."""

    permission: lambda_.CfnPermission
