"""Amazon Cognito user pool trigger: the alias handles a user pool operation."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from aws_cdk import aws_cognito as cognito
from aws_cdk import aws_lambda as lambda_

from lambda_constructs.errors import fail, warn
from lambda_constructs.field_types import checked_fields
from lambda_constructs.triggers._options import options_scope
from lambda_constructs.triggers._resources import TriggerResources
from lambda_constructs.triggers._sync import (
    COGNITO_TIMEOUT,
    _function_timeout,
)
from lambda_constructs.triggers.access import BoundTrigger
from lambda_constructs.triggers.base import InvocationKind, TriggerResult

if TYPE_CHECKING:
    from lambda_constructs.contract import FunctionView


#: Accepted operation names (snake_case; camelCase as Cognito spells them is accepted too).
COGNITO_OPERATIONS: dict[str, cognito.UserPoolOperation] = {
    "pre_sign_up": cognito.UserPoolOperation.PRE_SIGN_UP,
    "post_confirmation": cognito.UserPoolOperation.POST_CONFIRMATION,
    "pre_authentication": cognito.UserPoolOperation.PRE_AUTHENTICATION,
    "post_authentication": cognito.UserPoolOperation.POST_AUTHENTICATION,
    "pre_token_generation": cognito.UserPoolOperation.PRE_TOKEN_GENERATION,
    "pre_token_generation_config": cognito.UserPoolOperation.PRE_TOKEN_GENERATION_CONFIG,
    "custom_message": cognito.UserPoolOperation.CUSTOM_MESSAGE,
    "define_auth_challenge": cognito.UserPoolOperation.DEFINE_AUTH_CHALLENGE,
    "create_auth_challenge": cognito.UserPoolOperation.CREATE_AUTH_CHALLENGE,
    "verify_auth_challenge_response": cognito.UserPoolOperation.VERIFY_AUTH_CHALLENGE_RESPONSE,
    "user_migration": cognito.UserPoolOperation.USER_MIGRATION,
    "custom_email_sender": cognito.UserPoolOperation.CUSTOM_EMAIL_SENDER,
    "custom_sms_sender": cognito.UserPoolOperation.CUSTOM_SMS_SENDER,
}


def _snake(name: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()


class CognitoTriggerResources(TriggerResources):
    """What :class:`CognitoTrigger` created: ``operation`` (the permission is added by the user pool,
    scoped by the pool's ARN)."""

    operation: cognito.UserPoolOperation


@checked_fields
@dataclass(frozen=True, kw_only=True)
class CognitoTrigger(BoundTrigger[CognitoTriggerResources]):
    """A Cognito user pool Lambda trigger (pre sign-up, post confirmation, pre token generation …)."""

    user_pool: cognito.UserPool
    """The user pool (required)."""
    operation: str
    """One of :data:`COGNITO_OPERATIONS` (``pre_sign_up`` or ``preSignUp``) (required)."""
    lambda_version: cognito.LambdaVersion | None = None
    """Event version for ``pre_token_generation_config`` (V2_0 for access-token customisation).
    Default: Cognito's default (V1_0)."""

    @property
    def kind(self) -> InvocationKind:
        """Cognito waits (5 s) for the answer; custom sender triggers are asynchronous."""
        if _snake(self.operation) in ("custom_email_sender", "custom_sms_sender"):
            return InvocationKind.ASYNC
        return InvocationKind.SYNC

    def __post_init__(self) -> None:
        """Check the options that do not depend on the function (before any construct exists).

        Raises:
            LambdaConstructsError: an unknown operation.
        """
        scope = options_scope(self)
        if COGNITO_OPERATIONS.get(_snake(self.operation)) is None:
            raise fail(
                scope,
                "unknown Cognito user pool trigger operation",
                value=self.operation,
                fix="use one of: " + ", ".join(COGNITO_OPERATIONS),
            )

    def bind(self, fn: FunctionView, target: lambda_.IFunction, construct_id: str) -> TriggerResult:
        """Add the trigger to the user pool (it grants cognito-idp with SourceArn = pool ARN)."""
        res = CognitoTriggerResources(fn.construct, construct_id)
        operation = COGNITO_OPERATIONS.get(_snake(self.operation))
        assert operation is not None  # checked in __post_init__
        if self.kind is InvocationKind.SYNC:
            fn.fit_default_timeout(COGNITO_TIMEOUT)  # a default timeout becomes what Cognito waits
        fn_seconds = _function_timeout(fn)
        if self.kind is InvocationKind.SYNC and fn_seconds is not None and fn_seconds > COGNITO_TIMEOUT:
            warn(
                res,
                "cognitoTimeout",
                f"Cognito waits {COGNITO_TIMEOUT} s for a {self.operation} trigger; the function's timeout is "
                f"{fn_seconds:g} s (slower answers fail the user's request)",
            )
        res.operation = operation
        self.user_pool.add_trigger(operation, target, self.lambda_version)
        return self._result(res)
