"""The one result of a trigger's bind (lambda_constructs/triggers/_resources.py, contract.TriggerResult):
returned by ``fn.add_trigger``, kept in ``fn.trigger_results``, read by monitoring."""

from __future__ import annotations

import dataclasses

import pytest
from aws_cdk import aws_kinesis as kinesis
from aws_cdk import aws_sqs as sqs

from lambda_constructs import SecureFunction, SecureFunctionProps
from lambda_constructs.triggers import (
    FunctionUrlTrigger,
    InvocationKind,
    InvokeAccess,
    KinesisTrigger,
    PolledSource,
    PushSource,
    SnsTrigger,
    SourceKind,
    SqsTrigger,
    TriggerResult,
)
from lambda_constructs.triggers.function_url import FunctionUrlResources
from tests.helpers import new_stack

CODE = "def handler(event, context):\n    return {}\n"


def _fn() -> SecureFunction:
    return SecureFunction(new_stack(), "Fn", SecureFunctionProps(inline_code=CODE))


def test_a_created_queue_is_a_queue_source_with_its_dead_letter_queue() -> None:
    fn = _fn()
    result = fn.add_trigger(SqsTrigger(), construct_id="Orders")
    assert isinstance(result, TriggerResult) and result in fn.trigger_results
    assert (result.construct_id, result.kind, result.source) == ("Orders", InvocationKind.POLLED, SourceKind.QUEUE)
    assert isinstance(result.resources, PolledSource) and result.resources is fn.node.find_child("Orders")
    assert result.dead_letter_queue is result.resources.dead_letter_queue and result.dead_letter_queue is not None
    assert result.failure_destination is None


def test_a_stream_names_the_callers_failure_destination() -> None:
    fn = _fn()
    stream = kinesis.Stream(fn, "S")
    queue = sqs.Queue(fn, "Failed")
    result = fn.add_trigger(KinesisTrigger(stream=stream, on_failure=queue))
    assert result.source is SourceKind.STREAM and result.failure_destination is queue
    assert result.dead_letter_queue is None and result.construct_id == "KinesisTrigger1"


def test_a_push_trigger_lists_its_permission_and_delivery_queue() -> None:
    result = _fn().add_trigger(SnsTrigger())
    assert (result.kind, result.source) == (InvocationKind.ASYNC, SourceKind.PUSH)
    assert isinstance(result.resources, PushSource)
    assert result.permissions == (result.resources.permission,)
    assert result.dead_letter_queue is result.resources.dead_letter_queue and result.dead_letter_queue is not None


def test_invoke_access_lists_one_permission_per_account_and_service() -> None:
    result = _fn().add_trigger(
        InvokeAccess(accounts=["111122223333", "444455556666"], service="events.amazonaws.com", source_account="1")
    )
    assert [p.node.id for p in result.permissions] == ["Account0", "Account1", "Service"]


def test_the_result_is_immutable() -> None:
    result = _fn().add_trigger(SqsTrigger())
    with pytest.raises(dataclasses.FrozenInstanceError):
        result.construct_id = "Other"  # type: ignore[misc]
    assert isinstance(result.permissions, tuple)


def test_trigger_resources_is_deprecated_but_works() -> None:
    trigger = FunctionUrlTrigger()
    result = _fn().add_trigger(trigger)
    with pytest.warns(DeprecationWarning, match=r"FunctionUrlTrigger\.resources is deprecated"):
        resources = trigger.resources
    assert isinstance(resources, FunctionUrlResources) and resources is result.resources
