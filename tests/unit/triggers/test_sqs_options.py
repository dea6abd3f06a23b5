"""SqsTrigger options: FIFO inferred as aws-cdk-lib infers it, and options that would be silently dropped rejected."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import aws_cdk as cdk
import pytest
from aws_cdk import Duration
from aws_cdk import aws_kms as kms
from aws_cdk import aws_sqs as sqs
from aws_cdk.assertions import Match, Template

from lambda_constructs import LambdaConstructsError, SecureFunction, SecureFunctionProps
from lambda_constructs.triggers import PolledSource, SqsTrigger
from lambda_constructs.triggers.shared_dead_letter_queue import STACK_TRIGGER_DLQ_ID, STACK_TRIGGER_FIFO_DLQ_ID
from tests.helpers import new_stack

CODE = "def handler(event, context):\n    return {}\n"


def _fn(stack: cdk.Stack, name: str = "Fn") -> SecureFunction:
    return SecureFunction(stack, name, SecureFunctionProps(inline_code=CODE))


def _source(result: Any) -> PolledSource:
    assert isinstance(result.resources, PolledSource)
    return result.resources


def _lid(construct: Any) -> str:
    return cdk.Stack.of(construct).get_logical_id(construct.node.default_child)


def _warnings(stack: cdk.Stack, warning_id: str) -> list[str]:
    return [
        str(entry.data)
        for child in stack.node.find_all()
        for entry in child.node.metadata
        if entry.type == "aws:cdk:warning" and warning_id in str(entry.data)
    ]


# ------------------------------------------------------------------ FIFO inferred like aws-cdk-lib

#: QueueProps aws-cdk-lib's Queue makes FIFO without ``fifo=True`` (its determineFifoProps).
INFERRED_FIFO: dict[str, Callable[[], sqs.QueueProps]] = {
    "name ending in .fifo": lambda: sqs.QueueProps(queue_name="orders.fifo"),
    "content-based deduplication": lambda: sqs.QueueProps(content_based_deduplication=True),
    "deduplication scope": lambda: sqs.QueueProps(deduplication_scope=sqs.DeduplicationScope.MESSAGE_GROUP),
    "throughput limit": lambda: sqs.QueueProps(fifo_throughput_limit=sqs.FifoThroughputLimit.PER_MESSAGE_GROUP_ID),
}


@pytest.mark.parametrize("case", sorted(INFERRED_FIFO))
def test_an_inferred_fifo_queue_redrives_to_the_fifo_shared_queue(case: str) -> None:
    # Before the fix these redrove to the standard shared queue: cfn-lint E3502, a failed deploy.
    stack = new_stack()
    source = _source(_fn(stack).add_trigger(SqsTrigger(queue_props=INFERRED_FIFO[case]())))
    assert source.queue is not None and source.dead_letter_queue is not None
    assert source.dead_letter_queue.node.id == STACK_TRIGGER_FIFO_DLQ_ID
    assert stack.node.try_find_child(STACK_TRIGGER_DLQ_ID) is None
    template = Template.from_stack(stack)
    queues = template.find_resources("AWS::SQS::Queue")
    assert queues[_lid(source.queue)]["Properties"]["FifoQueue"] is True  # aws-cdk-lib did make it FIFO
    template.has_resource_properties(
        "AWS::SQS::Queue",
        {
            "FifoQueue": True,
            "RedrivePolicy": {
                "deadLetterTargetArn": {
                    "Fn::GetAtt": [Match.string_like_regexp(f"^{STACK_TRIGGER_FIFO_DLQ_ID}"), "Arn"]
                },
                "maxReceiveCount": 5,
            },
        },
    )
    assert queues[_lid(source.dead_letter_queue)]["Properties"]["FifoQueue"] is True


@pytest.mark.parametrize("case", sorted(INFERRED_FIFO))
def test_the_fifo_batch_checks_apply_to_an_inferred_fifo_queue(case: str) -> None:
    with pytest.raises(LambdaConstructsError, match=r"^SqsTrigger\(batch_size=\.\.\.\) \(FIFO queue\).*11"):
        SqsTrigger(queue_props=INFERRED_FIFO[case](), batch_size=11, max_batching_window=None)
    with pytest.raises(
        LambdaConstructsError, match=r"^SqsTrigger\(\.\.\.\): a batching window is not supported for FIFO"
    ):
        SqsTrigger(queue_props=INFERRED_FIFO[case](), max_batching_window=Duration.seconds(5))


def test_an_explicit_fifo_false_wins_as_in_aws_cdk_lib() -> None:
    # aws-cdk-lib infers only while fifo is undefined; fifo=False with a deduplication scope it rejects itself.
    assert SqsTrigger(queue_props=sqs.QueueProps(fifo=False, queue_name="orders"))._fifo() is False
    assert SqsTrigger(queue_props=sqs.QueueProps(queue_name="orders"))._fifo() is False
    assert SqsTrigger(queue_props=sqs.QueueProps(content_based_deduplication=False))._fifo() is False


def test_a_standard_queue_with_a_literal_name_redrives_to_the_standard_shared_queue() -> None:
    stack = new_stack()
    source = _source(_fn(stack).add_trigger(SqsTrigger(queue_props=sqs.QueueProps(queue_name="orders"))))
    assert source.dead_letter_queue is not None and source.dead_letter_queue.node.id == STACK_TRIGGER_DLQ_ID


def test_a_token_name_is_not_fifo_and_warns_when_its_literal_part_cannot_decide() -> None:
    stack = new_stack()
    name = cdk.CfnParameter(stack, "QueueName").value_as_string
    source = _source(_fn(stack).add_trigger(SqsTrigger(queue_props=sqs.QueueProps(queue_name=name))))
    # aws-cdk-lib does not infer FIFO from an unresolved name: a standard queue, the standard shared queue.
    assert source.dead_letter_queue is not None and source.dead_letter_queue.node.id == STACK_TRIGGER_DLQ_ID
    found = _warnings(stack, "lambda-constructs:queueNameFifoUnknown")
    assert len(found) == 1 and "must end in '.fifo'" in found[0], found
    assert (
        "FifoQueue"
        not in Template.from_stack(stack).find_resources("AWS::SQS::Queue")[_lid(source.queue)]["Properties"]
    )


@pytest.mark.parametrize(
    ("make", "fifo"),
    [
        (lambda name: sqs.QueueProps(queue_name=name + "-orders"), False),  # the literal tail decides
        (lambda name: sqs.QueueProps(queue_name=name + ".fifo", fifo=True), True),
        (lambda name: sqs.QueueProps(queue_name=name + ".fifo", content_based_deduplication=True), True),
    ],
)
def test_a_token_name_with_a_deciding_literal_tail_does_not_warn(
    make: Callable[[str], sqs.QueueProps], fifo: bool
) -> None:
    stack = new_stack()
    name = cdk.CfnParameter(stack, "QueueName").value_as_string
    source = _source(_fn(stack).add_trigger(SqsTrigger(queue_props=make(name))))
    assert _warnings(stack, "queueNameFifoUnknown") == []
    expected = STACK_TRIGGER_FIFO_DLQ_ID if fifo else STACK_TRIGGER_DLQ_ID
    assert source.dead_letter_queue is not None and source.dead_letter_queue.node.id == expected


# ---------------------------------------------------------------- queue_props the trigger would replace


def test_queue_props_encryption_master_key_is_rejected() -> None:
    stack = new_stack()
    key = kms.Key(stack, "Mine")
    with pytest.raises(LambdaConstructsError) as caught:
        SqsTrigger(queue_props=sqs.QueueProps(encryption_master_key=key))
    message = str(caught.value)
    assert message.startswith("SqsTrigger(queue_props=...): queue_props.encryption_master_key is not used")
    assert "(got 'queue_props.encryption_master_key')" in message
    assert "Fix: pass SqsTrigger(encryption_key=...) instead" in message


@pytest.mark.parametrize(
    "encryption", [sqs.QueueEncryption.KMS_MANAGED, sqs.QueueEncryption.SQS_MANAGED, sqs.QueueEncryption.UNENCRYPTED]
)
def test_queue_props_encryption_other_than_kms_is_rejected(encryption: sqs.QueueEncryption) -> None:
    with pytest.raises(LambdaConstructsError) as caught:
        SqsTrigger(queue_props=sqs.QueueProps(encryption=encryption))
    message = str(caught.value)
    assert message.startswith("SqsTrigger(queue_props=...): queue_props.encryption is not used")
    assert f"(got 'queue_props.encryption={encryption}')" in message
    assert "Fix: drop queue_props.encryption" in message


def test_queue_props_encryption_kms_is_what_the_trigger_does_anyway() -> None:
    stack = new_stack()
    fn = _fn(stack)
    source = _source(fn.add_trigger(SqsTrigger(queue_props=sqs.QueueProps(encryption=sqs.QueueEncryption.KMS))))
    assert source.queue is not None
    props = Template.from_stack(stack).find_resources("AWS::SQS::Queue")[_lid(source.queue)]["Properties"]
    assert props["KmsMasterKeyId"] == {"Fn::GetAtt": [_lid(fn.key), "Arn"]}


def test_per_trigger_dead_letter_queue_with_a_redrive_in_queue_props_is_rejected() -> None:
    stack = new_stack()
    props = sqs.QueueProps(dead_letter_queue=sqs.DeadLetterQueue(max_receive_count=3, queue=sqs.Queue(stack, "Dlq")))
    with pytest.raises(LambdaConstructsError) as caught:
        SqsTrigger(queue_props=props, dead_letter_queue_per_trigger=True)
    message = str(caught.value)
    assert message.startswith("SqsTrigger(dead_letter_queue_per_trigger=...) has no effect when queue_props sets")
    assert "(got 'dead_letter_queue_per_trigger=True + queue_props.dead_letter_queue')" in message
    assert "Fix: drop dead_letter_queue_per_trigger, or drop queue_props.dead_letter_queue" in message


# ---------------------------------------------------------------- options that need a created queue


@pytest.mark.parametrize(
    ("options", "value"),
    [
        ({"dead_letter_queue_per_trigger": True}, "dead_letter_queue_per_trigger=True"),
        ({"encryption_key": "key"}, "encryption_key=<key>"),
        ({"max_receive_count": 3}, "max_receive_count=3"),
        (
            {"encryption_key": "key", "max_receive_count": 10},
            "encryption_key=<key>, max_receive_count=10",
        ),
    ],
)
def test_options_of_a_created_queue_are_rejected_with_an_existing_queue(options: dict[str, Any], value: str) -> None:
    stack = new_stack()
    queue = sqs.Queue(stack, "Q")
    if "encryption_key" in options:
        options = {**options, "encryption_key": kms.Key(stack, "K")}
    with pytest.raises(LambdaConstructsError) as caught:
        SqsTrigger(queue=queue, **options)
    message = str(caught.value)
    names = ", ".join(options)
    # one option: the message names it as written; several: the trigger
    start = f"SqsTrigger({names}=...) only applies" if len(options) == 1 else f"SqsTrigger(...): {names} only apply"
    assert message.startswith(f"{start} to a queue the trigger creates"), message
    assert f"(got {value!r})" in message
    assert re.search(rf"Fix: drop {re.escape(names)}, or pass queue_props", message), message


def test_an_existing_queue_with_the_default_receive_count_is_fine() -> None:
    stack = new_stack()
    queue = sqs.Queue(stack, "Q", visibility_timeout=Duration.seconds(180))
    _fn(stack).add_trigger(SqsTrigger(queue=queue, max_receive_count=5), construct_id="Orders")
    Template.from_stack(stack).resource_count_is("AWS::Lambda::EventSourceMapping", 1)


def test_an_option_error_names_the_trigger_and_the_option_as_written_and_has_no_path() -> None:
    """The trigger has no construct before fn.add_trigger binds it: the message says which trigger and option."""
    with pytest.raises(LambdaConstructsError) as caught:
        SqsTrigger(batch_size=0)
    assert str(caught.value) == (
        "SqsTrigger(batch_size=...) must be between 1 and 10 (got 0). Fix: set batch_size to a value in [1, 10]"
    )
    assert caught.value.path == ""
    stack = new_stack()
    with pytest.raises(LambdaConstructsError) as caught:
        SqsTrigger(queue=sqs.Queue(stack, "Q"), queue_props=sqs.QueueProps())
    assert str(caught.value).startswith("SqsTrigger(...): pass either queue (an existing queue) or queue_props")
    assert caught.value.path == ""


def test_options_scope_messages() -> None:
    from lambda_constructs.errors import OptionsScope, fail

    trigger = SqsTrigger()
    scope = OptionsScope(trigger)
    assert (
        str(fail(scope, "batch_size must be at most 10", value=11))
        == "SqsTrigger(batch_size=...) must be at most 10 (got 11)"
    )
    assert str(fail(scope, "queue_props.fifo is odd")) == "SqsTrigger(queue_props=...): queue_props.fifo is odd"
    assert (
        str(fail(scope, "batch_size=11 needs a window")) == "SqsTrigger(batch_size=...): batch_size=11 needs a window"
    )
    assert str(fail(scope, "batch_size, enabled clash")) == "SqsTrigger(...): batch_size, enabled clash"
    assert str(fail(scope, "SqsTrigger needs a queue")) == "SqsTrigger(...) needs a queue"
    assert str(fail(scope, "a FIFO queue takes no window")) == "SqsTrigger(...): a FIFO queue takes no window"
    assert str(fail(scope, "batch_sizes are odd")) == "SqsTrigger(...): batch_sizes are odd"  # not an option
