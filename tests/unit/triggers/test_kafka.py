"""MskTrigger and SelfManagedKafkaTrigger (lambda_constructs/triggers/kafka.py):
moved from tests/unit/test_triggers_polled.py (issue #20)."""

from __future__ import annotations

from typing import Any

import aws_cdk as cdk
from aws_cdk import Duration
from aws_cdk import aws_secretsmanager as secretsmanager
from aws_cdk.assertions import Match, Template

from lambda_constructs import SecureFunction, SecureFunctionProps
from lambda_constructs.triggers import (
    KafkaAuth,
    MskTrigger,
    SelfManagedKafkaTrigger,
)
from tests.helpers import new_stack

CODE = "def handler(event, context):\n    return {}\n"
MSK_ARN = "arn:aws:kafka:eu-west-1:111122223333:cluster/demo/abcd-1234"


def _fn(stack: cdk.Stack, name: str = "Fn", timeout: int = 30) -> SecureFunction:
    return SecureFunction(stack, name, SecureFunctionProps(inline_code=CODE, timeout=Duration.seconds(timeout)))


def _template_of(trigger: Any) -> Template:
    stack = new_stack()
    _fn(stack).add_trigger(trigger, construct_id="T")
    return Template.from_stack(stack)


def test_msk_iam_grants_topic_and_group() -> None:
    template = _template_of(MskTrigger(cluster_arn=MSK_ARN, topic="orders", authentication=KafkaAuth.IAM))
    template.has_resource_properties(
        "AWS::Lambda::EventSourceMapping",
        {"Topics": ["orders"], "AmazonManagedKafkaEventSourceConfig": {"ConsumerGroupId": "T"}},
    )
    template.has_resource_properties(
        "AWS::IAM::ManagedPolicy",
        {
            "PolicyDocument": {
                "Statement": Match.array_with(
                    [Match.object_like({"Action": ["kafka-cluster:DescribeTopic", "kafka-cluster:ReadData"]})]
                )
            }
        },
    )


def test_self_managed_kafka_with_scram() -> None:
    stack = new_stack()
    secret = secretsmanager.Secret(stack, "Secret")
    _fn(stack).add_trigger(
        SelfManagedKafkaTrigger(
            bootstrap_servers=["b1:9096"], topic="orders", authentication=KafkaAuth.SASL_SCRAM_512, secret=secret
        ),
        construct_id="K",
    )
    Template.from_stack(stack).has_resource_properties(
        "AWS::Lambda::EventSourceMapping",
        {
            "SelfManagedEventSource": {"Endpoints": {"KafkaBootstrapServers": ["b1:9096"]}},
            "SourceAccessConfigurations": [{"Type": "SASL_SCRAM_512_AUTH", "URI": {"Ref": Match.any_value()}}],
        },
    )
