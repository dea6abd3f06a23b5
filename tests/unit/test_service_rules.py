"""Service rules AWS enforces at deploy time, checked at synth (issue #17's public reports).

Each test is one report: the input a new user writes, and the error or the template property AWS needs.
"""

from __future__ import annotations

import aws_cdk as cdk
import pytest
from aws_cdk import Duration
from aws_cdk import aws_sqs as sqs
from aws_cdk.assertions import Template

from lambda_constructs import LambdaConstructsError, SecureFunction, SecureFunctionProps
from lambda_constructs.triggers import SqsTrigger
from tests.helpers import new_stack

CODE = "def handler(event, context):\n    return {}\n"


def _fn(stack: cdk.Stack, name: str = "Fn", timeout: int = 30, **kwargs: object) -> SecureFunction:
    props = SecureFunctionProps(inline_code=CODE, timeout=Duration.seconds(timeout), **kwargs)  # type: ignore[arg-type]
    return SecureFunction(stack, name, props)


def warnings_of(scope: cdk.Stack) -> list[str]:
    return [
        str(entry.data)
        for child in scope.node.find_all()
        for entry in child.node.metadata
        if entry.type == "aws:cdk:warning"
    ]


# aws/aws-cdk#20527 -------------------------------------------------------------------------


def test_unset_visibility_timeout_is_sqs_default_of_30_seconds() -> None:
    stack = new_stack()
    queue = sqs.Queue(stack, "Q")  # no visibility_timeout: SQS uses 30 s
    with pytest.raises(LambdaConstructsError, match=r"TestStack/Fn/Orders: the queue's visibility timeout \(30 s\)"):
        _fn(stack, timeout=120).add_trigger(SqsTrigger(queue=queue), construct_id="Orders")


def test_explicit_30_seconds_is_rejected_the_same_way() -> None:
    stack = new_stack()
    queue = sqs.Queue(stack, "Q", visibility_timeout=Duration.seconds(30))
    with pytest.raises(LambdaConstructsError, match=r"visibility timeout \(30 s\).*= 720 s"):
        _fn(stack, timeout=120).add_trigger(SqsTrigger(queue=queue), construct_id="Orders")


def test_unset_visibility_passes_when_30_seconds_suffice() -> None:
    stack = new_stack()
    _fn(stack, timeout=5).add_trigger(SqsTrigger(queue=sqs.Queue(stack, "Q")), construct_id="Orders")  # 6 × 5 = 30
    Template.from_stack(stack).resource_count_is("AWS::Lambda::EventSourceMapping", 1)


def test_imported_queue_gets_an_acknowledgeable_warning() -> None:
    stack = new_stack()
    queue = sqs.Queue.from_queue_arn(stack, "Q", "arn:aws:sqs:eu-west-1:111122223333:orders")
    fn = _fn(stack, timeout=120)
    fn.add_trigger(SqsTrigger(queue=queue), construct_id="Orders")
    found = [w for w in warnings_of(stack) if "lambda-constructs:queueVisibilityUnknown" in w]
    assert len(found) == 1 and "720 s" in found[0], warnings_of(stack)
