"""S3Trigger(via_event_bridge=True): S3 → EventBridge → alias, without aws-cdk-lib's notifications handler."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from aws_cdk import aws_s3 as s3
from aws_cdk.assertions import Match, Template

from lambda_constructs import LambdaConstructsError, SecureFunction, SecureFunctionProps
from lambda_constructs.triggers import S3Trigger
from tests.helpers import nag_findings, new_app, new_stack

CODE = "def handler(event, context):\n    return {}\n"


@pytest.fixture(scope="module")
def built() -> dict[str, Any]:
    app = new_app(nag=True)
    stack = new_stack(app, "S")
    fn = SecureFunction(stack, "Fn", SecureFunctionProps(inline_code=CODE))
    fn.add_trigger(S3Trigger(via_event_bridge=True, prefix="in/", suffix=".csv"))
    findings = nag_findings(app)
    template = json.loads((Path(app.outdir) / "S.template.json").read_text())
    return {"findings": findings, "template": Template.from_json(template), "raw": template}


def test_clean_in_five_packs_and_no_notifications_handler(built: dict[str, Any]) -> None:
    assert built["findings"] == []
    types = {resource["Type"] for resource in built["raw"]["Resources"].values()}
    assert "Custom::S3BucketNotifications" not in types
    assert not [k for k in built["raw"]["Resources"] if k.startswith("BucketNotificationsHandler")]


def test_bucket_sends_to_eventbridge_and_the_rule_matches_its_objects(built: dict[str, Any]) -> None:
    template: Template = built["template"]
    template.has_resource_properties(
        "AWS::S3::Bucket",
        {"NotificationConfiguration": {"EventBridgeConfiguration": {"EventBridgeEnabled": True}}},
    )
    template.has_resource_properties(
        "AWS::Events::Rule",
        {
            "EventPattern": {
                "source": ["aws.s3"],
                "detail-type": ["Object Created"],
                "detail": {
                    "bucket": {"name": [{"Ref": Match.string_like_regexp("FnS3Trigger1Bucket")}]},
                    "object": {"key": [{"wildcard": "in/*.csv"}]},
                },
            },
            "Targets": [Match.object_like({"DeadLetterConfig": Match.any_value(), "RetryPolicy": Match.any_value()})],
        },
    )
    template.has_resource_properties(
        "AWS::Lambda::Permission", {"Principal": "events.amazonaws.com", "SourceArn": Match.any_value()}
    )


def test_event_types_without_an_eventbridge_detail_type_fail() -> None:
    stack = new_stack()
    fn = SecureFunction(stack, "Fn", SecureFunctionProps(inline_code=CODE))
    with pytest.raises(LambdaConstructsError, match="no EventBridge detail type"):
        fn.add_trigger(S3Trigger(via_event_bridge=True, events=(s3.EventType.OBJECT_CREATED_PUT,)))
