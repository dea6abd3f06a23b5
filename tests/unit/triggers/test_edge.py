"""EdgeTrigger (lambda_constructs/triggers/edge.py): options checked when the trigger is created."""

from __future__ import annotations

import pytest
from aws_cdk import aws_cloudfront as cloudfront

from lambda_constructs import LambdaConstructsError
from lambda_constructs.triggers import EdgeTrigger


def test_include_body_on_a_response_event_fails_when_created() -> None:
    with pytest.raises(LambdaConstructsError, match=r"^EdgeTrigger: include_body applies only to request events"):
        EdgeTrigger(event_type=cloudfront.LambdaEdgeEventType.VIEWER_RESPONSE, include_body=True)


def test_include_body_on_a_request_event_is_accepted() -> None:
    trigger = EdgeTrigger(event_type=cloudfront.LambdaEdgeEventType.ORIGIN_REQUEST, include_body=True)
    assert trigger.include_body
