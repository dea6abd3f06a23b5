"""LogsSubscriptionTrigger (lambda_constructs/triggers/logs_subscription.py):
moved from tests/unit/test_triggers_async.py (issue #20)."""

from __future__ import annotations

import aws_cdk as cdk
import pytest

from lambda_constructs import LambdaConstructsError, SecureFunction, SecureFunctionProps
from lambda_constructs.triggers import LogsSubscriptionTrigger
from tests.helpers import new_stack

CODE = "def handler(event, context):\n    return {}\n"


def _fn(stack: cdk.Stack) -> SecureFunction:
    return SecureFunction(stack, "Fn", SecureFunctionProps(inline_code=CODE))


def test_own_log_group_subscription_is_refused() -> None:
    fn = _fn(new_stack())
    with pytest.raises(LambdaConstructsError, match="TestStack/Fn/Bad: a function cannot subscribe to its own"):
        fn.add_trigger(LogsSubscriptionTrigger(log_group=fn.log_group), construct_id="Bad")
