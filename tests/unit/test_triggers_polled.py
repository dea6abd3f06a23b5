"""Polled triggers: event source mappings, created sources, grants and every bad input."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import aws_cdk as cdk
import pytest
from aws_cdk import Duration
from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_secretsmanager as secretsmanager
from aws_cdk import aws_sqs as sqs
from aws_cdk.assertions import Match, Template

from lambda_constructs import LambdaConstructsError, SecureFunction, SecureFunctionProps
from lambda_constructs.triggers import (
    DocumentDbTrigger,
    DynamoDbStreamTrigger,
    InvocationKind,
    KafkaAuth,
    KinesisTrigger,
    MqTrigger,
    MskTrigger,
    SelfManagedKafkaTrigger,
    SqsTrigger,
    Trigger,
)
from tests.helpers import nag_findings, new_app, new_stack

CODE = "def handler(event, context):\n    return {}\n"
MSK_ARN = "arn:aws:kafka:eu-west-1:111122223333:cluster/demo/abcd-1234"


def _fn(stack: cdk.Stack, name: str = "Fn", timeout: int = 30) -> SecureFunction:
    return SecureFunction(stack, name, SecureFunctionProps(inline_code=CODE, timeout=Duration.seconds(timeout)))


def _build(app: cdk.App) -> cdk.Stack:
    stack = new_stack(app)
    fn = _fn(stack)
    fn.add_trigger(SqsTrigger(max_concurrency=5, filters=[{"body": {"kind": ["order"]}}]), construct_id="Orders")
    fn.add_trigger(SqsTrigger(queue_props=sqs.QueueProps(fifo=True), batch_size=10), construct_id="Fifo")
    fn.add_trigger(KinesisTrigger(enhanced_fan_out=True), construct_id="Clicks")
    table = dynamodb.Table(
        stack,
        "Table",
        partition_key=dynamodb.Attribute(name="pk", type=dynamodb.AttributeType.STRING),
        stream=dynamodb.StreamViewType.NEW_AND_OLD_IMAGES,
    )
    fn.add_trigger(DynamoDbStreamTrigger(table=table), construct_id="Changes")
    return stack


@pytest.fixture(scope="module")
def synthesized() -> tuple[Template, list[str]]:
    template = Template.from_stack(_build(new_app()))
    app = new_app(nag=True)
    _build(app)
    findings = [f for f in nag_findings(app) if "/Table/" not in f]  # the test table itself is not ours
    return template, findings


def test_kind_and_protocol() -> None:
    trigger = SqsTrigger()
    assert trigger.kind is InvocationKind.POLLED
    assert isinstance(trigger, Trigger)


def test_sqs_mapping_defaults(synthesized: tuple[Template, list[str]]) -> None:
    template, _ = synthesized
    template.has_resource_properties(
        "AWS::Lambda::EventSourceMapping",
        {
            "FunctionName": {"Ref": Match.string_like_regexp("FnAliaslive")},
            "EventSourceArn": {"Fn::GetAtt": [Match.string_like_regexp("FnOrdersQueue"), "Arn"]},
            "BatchSize": 10,
            "FunctionResponseTypes": ["ReportBatchItemFailures"],
            "ScalingConfig": {"MaximumConcurrency": 5},
            "FilterCriteria": {"Filters": [{"Pattern": '{"body":{"kind":["order"]}}'}]},
        },
    )


def test_created_queue_is_encrypted_tls_only_with_redrive(synthesized: tuple[Template, list[str]]) -> None:
    template, _ = synthesized
    template.has_resource(
        "AWS::SQS::Queue",
        {
            "Properties": {
                "KmsMasterKeyId": {"Fn::GetAtt": [Match.string_like_regexp("LambdaConstructsKey"), "Arn"]},
                "VisibilityTimeout": 180,  # 6 x 30 s
                "RedrivePolicy": {
                    # the stack's shared trigger dead-letter queue (triggers/test_shared_dead_letter_queue.py)
                    "deadLetterTargetArn": {
                        "Fn::GetAtt": [
                            Match.string_like_regexp("^LambdaConstructsTriggerDeadLetterQueue[0-9A-F]{8}$"),
                            "Arn",
                        ]
                    },
                    "maxReceiveCount": 5,
                },
            },
            "DeletionPolicy": "Retain",
        },
    )
    template.has_resource_properties(
        "AWS::SQS::QueuePolicy",
        {
            "PolicyDocument": {
                "Statement": Match.array_with(
                    [Match.object_like({"Effect": "Deny", "Condition": {"Bool": {"aws:SecureTransport": "false"}}})]
                )
            }
        },
    )


def test_fifo_queue(synthesized: tuple[Template, list[str]]) -> None:
    template, _ = synthesized
    template.has_resource_properties("AWS::SQS::Queue", {"FifoQueue": True, "VisibilityTimeout": 180})


def test_sqs_read_grant_scoped_to_queue_and_key(synthesized: tuple[Template, list[str]]) -> None:
    template, _ = synthesized
    template.has_resource_properties(
        "AWS::IAM::ManagedPolicy",
        {
            "PolicyDocument": {
                "Statement": Match.array_with(
                    [
                        {
                            "Action": [
                                "sqs:ChangeMessageVisibility",
                                "sqs:DeleteMessage",
                                "sqs:GetQueueAttributes",
                                "sqs:ReceiveMessage",
                            ],
                            "Effect": "Allow",
                            "Resource": Match.array_with(
                                [{"Fn::GetAtt": [Match.string_like_regexp("FnOrdersQueue"), "Arn"]}]
                            ),
                        }
                    ]
                )
            }
        },
    )


def test_kinesis_stream_defaults(synthesized: tuple[Template, list[str]]) -> None:
    template, _ = synthesized
    template.has_resource_properties(
        "AWS::Kinesis::Stream",
        {"StreamEncryption": {"EncryptionType": "KMS", "KeyId": {"Fn::GetAtt": [Match.any_value(), "Arn"]}}},
    )
    template.has_resource_properties("AWS::Kinesis::StreamConsumer", {"ConsumerName": "ClicksConsumer"})
    template.has_resource_properties(
        "AWS::Lambda::EventSourceMapping",
        {
            "EventSourceArn": {"Fn::GetAtt": [Match.string_like_regexp("FnClicksConsumer"), "ConsumerARN"]},
            "StartingPosition": "TRIM_HORIZON",
            "BisectBatchOnFunctionError": True,
            "MaximumRetryAttempts": 3,
            "MaximumRecordAgeInSeconds": 86400,
            "FunctionResponseTypes": ["ReportBatchItemFailures"],
            "DestinationConfig": {
                "OnFailure": {
                    "Destination": {"Fn::GetAtt": [Match.string_like_regexp("^LambdaConstructsFailureQueue"), "Arn"]}
                }
            },
        },
    )


def test_dynamodb_mapping_and_list_streams_policy(synthesized: tuple[Template, list[str]]) -> None:
    template, _ = synthesized
    template.has_resource_properties(
        "AWS::Lambda::EventSourceMapping",
        {"EventSourceArn": {"Fn::GetAtt": [Match.string_like_regexp("Table"), "StreamArn"]}, "BatchSize": 100},
    )
    template.has_resource_properties(
        "AWS::IAM::ManagedPolicy",
        {"PolicyDocument": {"Statement": [{"Action": "dynamodb:ListStreams", "Effect": "Allow", "Resource": "*"}]}},
    )


def test_polled_triggers_are_nag_clean(synthesized: tuple[Template, list[str]]) -> None:
    _, findings = synthesized
    assert findings == []


def test_mq_and_documentdb() -> None:
    stack = new_stack()
    secret = secretsmanager.Secret(stack, "Secret")
    fn = _fn(stack)
    fn.add_trigger(MqTrigger(broker_arn="arn:aws:mq:eu-west-1:111122223333:broker:b:id", queue_name="q", secret=secret))
    fn.add_trigger(
        DocumentDbTrigger(
            cluster_arn="arn:aws:rds:eu-west-1:111122223333:cluster:docs", database_name="db", secret=secret
        )
    )
    template = Template.from_stack(stack)
    template.has_resource_properties("AWS::Lambda::EventSourceMapping", {"Queues": ["q"]})
    template.has_resource_properties(
        "AWS::Lambda::EventSourceMapping",
        {"DocumentDBEventSourceConfig": {"DatabaseName": "db", "FullDocument": "Default"}},
    )


# ------------------------------------------------------------------------------ bad input

#: Options checked when the trigger is created (its __post_init__), before any construct exists.
BAD: list[tuple[str, Callable[[], Any], str]] = [
    ("sqs batch above 10 without window", lambda: SqsTrigger(batch_size=11), "11"),
    ("sqs batch above 10000", lambda: SqsTrigger(batch_size=10_001, max_batching_window=Duration.seconds(1)), "10001"),
    # without a window too: the limit of any window, not "add a window" (which then fails on the limit)
    ("sqs batch above 10000 without window", lambda: SqsTrigger(batch_size=10_001), "between 1 and 10000"),
    ("sqs batch 0", lambda: SqsTrigger(batch_size=0), "0"),
    ("fifo batch 11", lambda: SqsTrigger(queue_props=sqs.QueueProps(fifo=True), batch_size=11), "11"),
    (
        "fifo window",
        lambda: SqsTrigger(queue_props=sqs.QueueProps(fifo=True), max_batching_window=Duration.seconds(5)),
        "FIFO",
    ),
    ("window above 300 s", lambda: SqsTrigger(max_batching_window=Duration.seconds(301)), "301"),
    ("max concurrency 1", lambda: SqsTrigger(max_concurrency=1), "max_concurrency"),
    ("max concurrency 1001", lambda: SqsTrigger(max_concurrency=1001), "1001"),
    ("bad filter", lambda: SqsTrigger(filters=["not json"]), "not valid JSON"),
    ("empty filter", lambda: SqsTrigger(filters=[{}]), "must not be empty"),
    ("filter not object", lambda: SqsTrigger(filters=["[1]"]), "JSON object"),
    ("kinesis batch", lambda: KinesisTrigger(batch_size=10_001), "10001"),
    ("kinesis retries", lambda: KinesisTrigger(retry_attempts=-1), "retry_attempts"),
    ("kinesis record age", lambda: KinesisTrigger(max_record_age=Duration.seconds(59)), "max_record_age"),
    ("kinesis record age high", lambda: KinesisTrigger(max_record_age=Duration.days(8)), "604800"),
    ("kinesis parallelization", lambda: KinesisTrigger(parallelization_factor=11), "parallelization_factor"),
    ("msk no auth", lambda: MskTrigger(cluster_arn=MSK_ARN, topic="t"), "needs authentication"),
    ("msk batch", lambda: MskTrigger(cluster_arn=MSK_ARN, topic="t", authentication=KafkaAuth.IAM, batch_size=0), "0"),
    (
        "msk scram without secret",
        lambda: MskTrigger(cluster_arn=MSK_ARN, topic="t", authentication=KafkaAuth.MTLS),
        "secret",
    ),
    (
        "kafka topic",
        lambda: MskTrigger(cluster_arn=MSK_ARN, topic=".x", authentication=KafkaAuth.IAM),
        "invalid Kafka topic name",
    ),
    ("kafka no auth", lambda: SelfManagedKafkaTrigger(bootstrap_servers=["b:9092"], topic="t"), "needs authentication"),
    (
        "kafka iam",
        lambda: SelfManagedKafkaTrigger(bootstrap_servers=["b:9092"], topic="t", authentication=KafkaAuth.IAM),
        "needs authentication",
    ),
]


@pytest.mark.parametrize(("case", "make", "expected"), BAD, ids=[case for case, _, _ in BAD])
def test_bad_option_fails_when_the_trigger_is_created(case: str, make: Callable[[], Any], expected: str) -> None:
    with pytest.raises(LambdaConstructsError) as error:
        make()
    assert re.match(r"^(Sqs|Kinesis|Msk|SelfManagedKafka)Trigger\((\w+=)?\.\.\.\)[: ]", str(error.value)), str(
        error.value
    )
    assert expected in str(error.value)


def test_visibility_below_six_function_timeouts_fails_at_bind() -> None:
    stack = new_stack()
    trigger = SqsTrigger(queue_props=sqs.QueueProps(visibility_timeout=Duration.seconds(100)))
    with pytest.raises(
        LambdaConstructsError, match=r"TestStack/Fn/Bad: the queue's visibility timeout \(100 s\) is below"
    ):
        _fn(stack).add_trigger(trigger, construct_id="Bad")


def test_queue_and_queue_props_are_exclusive() -> None:
    stack = new_stack()
    queue = sqs.Queue(stack, "Q")
    with pytest.raises(LambdaConstructsError, match=r"^SqsTrigger\(\.\.\.\): pass either queue"):
        SqsTrigger(queue=queue, queue_props=sqs.QueueProps())


def test_existing_queue_visibility_is_checked() -> None:
    stack = new_stack()
    queue = sqs.Queue(stack, "Q", visibility_timeout=Duration.seconds(60))
    with pytest.raises(LambdaConstructsError, match=r"visibility timeout \(60 s\).*= 180 s"):
        _fn(stack).add_trigger(SqsTrigger(queue=queue), construct_id="Bad")


def test_token_batch_size_is_not_checked() -> None:
    stack = new_stack()
    size = int(cdk.Token.as_number(cdk.CfnParameter(stack, "Size", type="Number").value_as_number))
    _fn(stack).add_trigger(KinesisTrigger(batch_size=size), construct_id="T")
    Template.from_stack(stack).has_resource_properties(
        "AWS::Lambda::EventSourceMapping", {"BatchSize": {"Ref": "Size"}}
    )


def test_aws_cdk_lib_filter_criteria_objects_are_accepted() -> None:
    """``lambda_.FilterCriteria.filter(...)`` returns {"pattern": "<JSON text>"}: it was rejected with
    'the value of 'pattern' must be a non-empty list of matches ... Fix: write {"pattern": [...]}'."""
    from aws_cdk import aws_lambda as lambda_

    stack = new_stack()
    fn = _fn(stack)
    fn.add_trigger(
        SqsTrigger(
            filters=[
                lambda_.FilterCriteria.filter({"body": {"a": lambda_.FilterRule.is_equal("x")}}),
                {"body": {"b": ["y"]}},
            ]
        ),
        construct_id="Filtered",
    )
    fn.add_trigger(
        KinesisTrigger(filters=[lambda_.FilterCriteria.filter({"data": {"c": lambda_.FilterRule.exists()}})])
    )
    mappings = Template.from_stack(stack).find_resources("AWS::Lambda::EventSourceMapping")
    patterns = sorted(
        f["Pattern"] for m in mappings.values() for f in m["Properties"].get("FilterCriteria", {}).get("Filters", [])
    )
    assert patterns == ['{"body":{"a":["x"]}}', '{"body":{"b":["y"]}}', '{"data":{"c":[{"exists":true}]}}']
    with pytest.raises(LambdaConstructsError, match=r"filters\[0\]: the value of 'a' must be a non-empty list"):
        SqsTrigger(filters=[{"pattern": '{"body": {"a": "x"}}'}])  # the unwrapped pattern is checked as before
