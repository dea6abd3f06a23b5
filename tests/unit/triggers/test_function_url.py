"""FunctionUrlTrigger (lambda_constructs/triggers/function_url.py): moved from tests/unit/test_triggers_sync.py (issue #20),
whose shared-stack tests of this trigger stay there."""

from __future__ import annotations

from typing import Any

import aws_cdk as cdk
import pytest
from aws_cdk import aws_lambda as lambda_
from aws_cdk.assertions import Annotations, Match, Template

from lambda_constructs import LambdaConstructsError, SecureFunction, SecureFunctionProps
from lambda_constructs.triggers import FunctionUrlTrigger
from tests.helpers import new_stack

CODE = "def handler(event, context):\n    return {}\n"


def _fn(stack: cdk.Stack, name: str = "Fn", **props: Any) -> SecureFunction:
    return SecureFunction(stack, name, SecureFunctionProps(inline_code=CODE, **props))


def test_function_url_public_needs_reason_and_warns() -> None:
    with pytest.raises(LambdaConstructsError, match=r"^FunctionUrlTrigger\(.*explicit reason.*'NONE'"):
        FunctionUrlTrigger(auth_type=lambda_.FunctionUrlAuthType.NONE)
    stack = new_stack()
    _fn(stack).add_trigger(
        FunctionUrlTrigger(
            auth_type=lambda_.FunctionUrlAuthType.NONE,
            open_reason="webhook verified by HMAC in the handler",
            cors=lambda_.FunctionUrlCorsOptions(allowed_origins=["https://example.com"]),
        ),
        construct_id="Url",
    )
    Template.from_stack(stack).has_resource_properties(
        "AWS::Lambda::Url", {"AuthType": "NONE", "Cors": {"AllowOrigins": ["https://example.com"]}}
    )
    Annotations.from_stack(stack).has_warning("/TestStack/Fn/Url", Match.string_like_regexp("HMAC"))
