"""EdgeTrigger (lambda_constructs/triggers/edge.py): options checked when the trigger is created, and the
Lambda@Edge restrictions checked when it is bound (moved from tests/unit/test_triggers_sync.py)."""

from __future__ import annotations

from typing import Any

import aws_cdk as cdk
import pytest
from aws_cdk import aws_cloudfront as cloudfront
from aws_cdk import aws_lambda as lambda_
from aws_cdk.assertions import Match, Template

from lambda_constructs import LambdaConstructsError, SecureFunction, SecureFunctionProps
from lambda_constructs.triggers import EdgeTrigger
from lambda_constructs.triggers.edge import EdgeResources
from tests.helpers import new_stack

CODE = "def handler(event, context):\n    return {}\n"


def _fn(stack: cdk.Stack, name: str = "Fn", **props: Any) -> SecureFunction:
    return SecureFunction(stack, name, SecureFunctionProps(inline_code=CODE, **props))


def test_include_body_on_a_response_event_fails_when_created() -> None:
    with pytest.raises(
        LambdaConstructsError, match=r"^EdgeTrigger\(include_body=\.\.\.\) applies only to request events"
    ):
        EdgeTrigger(event_type=cloudfront.LambdaEdgeEventType.VIEWER_RESPONSE, include_body=True)


def test_include_body_on_a_request_event_is_accepted() -> None:
    trigger = EdgeTrigger(event_type=cloudfront.LambdaEdgeEventType.ORIGIN_REQUEST, include_body=True)
    assert trigger.include_body


# ------------------------------------------------------------------------------- Lambda@Edge

EDGE_OK: dict[str, Any] = {
    "architecture": lambda_.Architecture.X86_64,
    "memory_size": 128,
    "timeout": cdk.Duration.seconds(5),
}


def _edge_stack(region: str | None = "us-east-1") -> cdk.Stack:
    env = cdk.Environment(account="123456789012", region=region) if region else None
    return new_stack(env=env)


def test_edge_publishes_a_version_and_trusts_edgelambda() -> None:
    stack = _edge_stack()
    fn = _fn(stack, **EDGE_OK)
    trigger = EdgeTrigger(event_type=cloudfront.LambdaEdgeEventType.VIEWER_REQUEST)
    result = fn.add_trigger(trigger, alias="$LATEST", construct_id="Edge")
    template = Template.from_stack(stack)
    template.resource_count_is("AWS::Lambda::Version", 1)
    template.has_resource_properties(
        "AWS::IAM::Role",
        {
            "AssumeRolePolicyDocument": {
                "Statement": Match.array_with(
                    [Match.object_like({"Principal": {"Service": Match.array_with(["edgelambda.amazonaws.com"])}})]
                )
            }
        },
    )
    assert isinstance(result.resources, EdgeResources)
    assert result.resources.edge_lambda.event_type == cloudfront.LambdaEdgeEventType.VIEWER_REQUEST


@pytest.mark.parametrize(
    ("region", "props", "alias", "message"),
    [
        ("eu-west-1", EDGE_OK, "$LATEST", r"us-east-1 .*'eu-west-1'"),
        (None, EDGE_OK, "$LATEST", r"us-east-1.*unknown at synth"),
        ("us-east-1", EDGE_OK, None, r"numbered version, not an alias .*'live'"),
        ("us-east-1", {**EDGE_OK, "architecture": lambda_.Architecture.ARM_64}, "$LATEST", r"x86_64 .*'arm64'"),
        ("us-east-1", {**EDGE_OK, "environment": {"STAGE": "prod"}}, "$LATEST", r"environment variables .*'STAGE'"),
        ("us-east-1", {**EDGE_OK, "memory_size": 256}, "$LATEST", r"memory_size .*between 128 and 128 MB .*256"),
        (
            "us-east-1",
            {**EDGE_OK, "timeout": cdk.Duration.seconds(6)},
            "$LATEST",
            r"timeout .*between 1 and 5 seconds .*6",
        ),
    ],
)
def test_edge_restrictions_are_errors(
    region: str | None, props: dict[str, Any], alias: str | None, message: str
) -> None:
    stack = _edge_stack(region)
    fn = _fn(stack, **props)
    with pytest.raises(LambdaConstructsError, match=r"TestStack/Fn/Edge: .*" + message):
        fn.add_trigger(
            EdgeTrigger(event_type=cloudfront.LambdaEdgeEventType.VIEWER_REQUEST), alias=alias, construct_id="Edge"
        )


def test_edge_origin_events_allow_30_seconds_but_not_more() -> None:
    stack = _edge_stack()
    ok = _fn(stack, **{**EDGE_OK, "memory_size": 1024, "timeout": cdk.Duration.seconds(30)})
    ok.add_trigger(EdgeTrigger(event_type=cloudfront.LambdaEdgeEventType.ORIGIN_REQUEST), alias="$LATEST")
    too_long = _fn(stack, "Slow", **{**EDGE_OK, "timeout": cdk.Duration.seconds(31)})
    with pytest.raises(LambdaConstructsError, match=r"TestStack/Slow/EdgeTrigger1: timeout .*between 1 and 30 .*31"):
        too_long.add_trigger(EdgeTrigger(event_type=cloudfront.LambdaEdgeEventType.ORIGIN_REQUEST), alias="$LATEST")
