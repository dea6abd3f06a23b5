"""CognitoTrigger (lambda_constructs/triggers/cognito.py): moved from tests/unit/test_triggers_sync.py (issue #20),
whose shared-stack tests of this trigger stay there."""

from __future__ import annotations

from typing import Any

import aws_cdk as cdk
import pytest
from aws_cdk import aws_cognito as cognito
from aws_cdk.assertions import Annotations, Match, Template

from lambda_constructs import LambdaConstructsError, SecureFunction, SecureFunctionProps
from lambda_constructs.triggers import CognitoTrigger
from tests.helpers import new_stack

CODE = "def handler(event, context):\n    return {}\n"


def _fn(stack: cdk.Stack, name: str = "Fn", **props: Any) -> SecureFunction:
    return SecureFunction(stack, name, SecureFunctionProps(inline_code=CODE, **props))


def test_cognito_gives_a_default_timeout_its_five_seconds_without_warning() -> None:
    stack = new_stack()
    pool = cognito.UserPool(stack, "Pool")
    _fn(stack).add_trigger(CognitoTrigger(user_pool=pool, operation="preSignUp"), construct_id="Cognito")
    Template.from_stack(stack).has_resource_properties("AWS::Lambda::Function", {"Timeout": 5})
    assert Annotations.from_stack(stack).find_warning("/TestStack/Fn/Cognito", Match.any_value()) == []


def test_cognito_unknown_operation_is_an_error() -> None:
    stack = new_stack()
    pool = cognito.UserPool(stack, "Pool")
    with pytest.raises(
        LambdaConstructsError, match=r"^CognitoTrigger\(\.\.\.\): unknown Cognito .*'preSignIn'.*pre_sign_up"
    ):
        CognitoTrigger(user_pool=pool, operation="preSignIn")
