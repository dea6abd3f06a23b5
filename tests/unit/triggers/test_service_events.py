"""ServiceEventTrigger (lambda_constructs/triggers/service_events.py): ready-made EventBridge patterns for AWS
service events, DLQ and retries."""

from __future__ import annotations

from typing import Any

import pytest
from aws_cdk.assertions import Match, Template

from lambda_constructs import LambdaConstructsError, SecureFunction, SecureFunctionProps
from lambda_constructs.triggers import InvocationKind, ServiceEventTrigger
from lambda_constructs.triggers.service_events import SERVICE_EVENTS, ServiceEventResources
from tests.helpers import new_stack

CODE = "def handler(event, context):\n    return {}\n"


class Built:
    def __init__(self) -> None:
        self.stack = new_stack()
        self.fn = SecureFunction(self.stack, "Fn", SecureFunctionProps(inline_code=CODE))
        self.kms = ServiceEventTrigger.for_service("kms", detail_types=["KMS CMK Rotation"])
        self.glue = ServiceEventTrigger.api_calls("glue", ["StartJobRun"], retry_attempts=5)
        self.kms_result = self.fn.add_trigger(self.kms, construct_id="Kms")
        self.fn.add_trigger(self.glue, construct_id="Glue")
        self.template = Template.from_stack(self.stack)
        self.alias: dict[str, Any] = self.stack.resolve(self.fn.target().function_arn)


@pytest.fixture(scope="module")
def built() -> Built:
    return Built()


def test_for_service_pattern_matches_what_aws_emits(built: Built) -> None:
    built.template.has_resource_properties(
        "AWS::Events::Rule",
        {"EventPattern": {"source": ["aws.kms"], "detail-type": ["KMS CMK Rotation"]}, "State": "ENABLED"},
    )
    assert built.kms.kind is InvocationKind.ASYNC


def test_api_calls_pattern_uses_cloudtrail_detail_type(built: Built) -> None:
    built.template.has_resource_properties(
        "AWS::Events::Rule",
        {
            "EventPattern": {
                "source": ["aws.glue"],
                "detail-type": ["AWS API Call via CloudTrail"],
                "detail": {"eventSource": ["glue.amazonaws.com"], "eventName": ["StartJobRun"]},
            }
        },
    )


def test_target_is_the_alias_with_dlq_and_retry_policy(built: Built) -> None:
    built.template.has_resource_properties(
        "AWS::Events::Rule",
        {
            "EventPattern": Match.object_like({"source": ["aws.glue"]}),
            "Targets": [
                Match.object_like(
                    {
                        "Arn": built.alias,
                        "DeadLetterConfig": {"Arn": Match.any_value()},
                        "RetryPolicy": {"MaximumRetryAttempts": 5, "MaximumEventAgeInSeconds": 86400},
                    }
                )
            ],
        },
    )


def test_dead_letter_queue_is_encrypted_retained(built: Built) -> None:
    queues = built.template.find_resources("AWS::SQS::Queue")
    dlqs = [q for lid, q in queues.items() if "KmsDeadLetterQueue" in lid]
    assert len(dlqs) == 1
    assert dlqs[0]["DeletionPolicy"] == "Retain"
    assert "KmsMasterKeyId" in dlqs[0]["Properties"]


def test_permission_is_scoped_to_the_rule(built: Built) -> None:
    assert isinstance(built.kms_result.resources, ServiceEventResources)
    rule_arn = built.stack.resolve(built.kms_result.resources.rule.rule_arn)
    built.template.has_resource_properties(
        "AWS::Lambda::Permission",
        {"Principal": "events.amazonaws.com", "FunctionName": built.alias, "SourceArn": rule_arn},
    )


def test_every_known_service_has_an_aws_source() -> None:
    for name, (source, detail_types) in SERVICE_EVENTS.items():
        assert source.startswith("aws."), name
        assert detail_types, name
        trigger = ServiceEventTrigger.for_service(name)
        assert list(trigger.source) == [source]


def test_unknown_service_is_an_error() -> None:
    with pytest.raises(LambdaConstructsError, match=r"ServiceEventTrigger: unknown service .*'nosuch'"):
        ServiceEventTrigger.for_service("nosuch")


def test_unknown_detail_type_is_an_error() -> None:
    with pytest.raises(LambdaConstructsError, match=r"kms emits no such detail-type .*'KMS Key Created'"):
        ServiceEventTrigger.for_service("kms", detail_types=["KMS Key Created"])


def test_retry_attempts_out_of_range_is_an_error() -> None:
    with pytest.raises(
        LambdaConstructsError, match=r"^ServiceEventTrigger\(retry_attempts=\.\.\.\) must be between 0 and 185 .*200"
    ):
        ServiceEventTrigger.for_service("rds", retry_attempts=200)
