"""The dead-letter queue the SQS trigger queues of a stack share: one per stack and queue type (issue #21)."""

from __future__ import annotations

from typing import Any

import aws_cdk as cdk
import pytest
from aws_cdk import aws_kms as kms
from aws_cdk import aws_sqs as sqs
from aws_cdk.assertions import Match, Template

from lambda_constructs import LambdaConstructsError, SecureFunction, SecureFunctionProps
from lambda_constructs.keys import STACK_KEY_ID
from lambda_constructs.monitoring import AlarmSet, AlarmThresholds, ServiceMonitoringProps, monitor_stack
from lambda_constructs.service import LambdaService, LambdaServiceProps, count_resources
from lambda_constructs.triggers import PolledSource, SqsTrigger
from lambda_constructs.triggers.shared_dead_letter_queue import (
    STACK_TRIGGER_DLQ_ID,
    STACK_TRIGGER_FIFO_DLQ_ID,
    shared_trigger_dead_letter_queue_of,
    shared_trigger_dead_letter_queues,
)
from tests import oracles
from tests.helpers import nag_findings, new_app, new_stack

CODE = "def handler(event, context):\n    return {}\n"
SHARED_LID = f"^{STACK_TRIGGER_DLQ_ID}[0-9A-F]{{8}}$"
FIFO_LID = f"^{STACK_TRIGGER_FIFO_DLQ_ID}[0-9A-F]{{8}}$"


def _fn(scope: Any, name: str, **props: Any) -> SecureFunction:
    return SecureFunction(scope, name, SecureFunctionProps(inline_code=CODE, **props))


def _lid(construct: Any) -> str:
    return cdk.Stack.of(construct).get_logical_id(construct.node.default_child)


def _resources(result: Any) -> PolledSource:
    assert isinstance(result.resources, PolledSource)
    return result.resources


def _queues(template: Template) -> dict[str, dict[str, Any]]:
    found: dict[str, dict[str, Any]] = template.find_resources("AWS::SQS::Queue")
    return found


def _redrive_target(template: Template, source: sqs.Queue) -> Any:
    return _queues(template)[_lid(source)]["Properties"]["RedrivePolicy"]["deadLetterTargetArn"]


def _alarms_on(template: Template, queue_lid: str) -> list[str]:
    return [
        lid
        for lid, alarm in template.find_resources("AWS::CloudWatch::Alarm").items()
        if alarm["Properties"].get("Dimensions")
        == [{"Name": "QueueName", "Value": {"Fn::GetAtt": [queue_lid, "QueueName"]}}]
    ]


# ------------------------------------------------------------------------------ shared by default


@pytest.fixture(scope="module")
def two_triggers() -> tuple[cdk.App, cdk.Stack, list[PolledSource], Template]:
    app = new_app(nag=True)
    stack = new_stack(app)
    sources = [_resources(_fn(stack, name).add_trigger(SqsTrigger())) for name in ("A", "B")]
    return app, stack, sources, Template.from_stack(stack)


def test_two_triggers_share_one_dead_letter_queue(
    two_triggers: tuple[cdk.App, cdk.Stack, list[PolledSource], Template],
) -> None:
    _, stack, sources, template = two_triggers
    a, b = sources
    assert a.dead_letter_queue is not None and a.dead_letter_queue is b.dead_letter_queue
    shared = a.dead_letter_queue
    assert shared.node.scope is stack and shared.node.id == STACK_TRIGGER_DLQ_ID
    dlq_lid = _lid(shared)
    assert dlq_lid.startswith(STACK_TRIGGER_DLQ_ID)
    for source in sources:
        assert source.queue is not None
        assert _redrive_target(template, source.queue) == {"Fn::GetAtt": [dlq_lid, "Arn"]}
    # 2 source queues + the shared DLQ + the shared failure queue pair; no DeadLetterQueue under a trigger.
    assert len(_queues(template)) == 5
    assert not [lid for lid in _queues(template) if "SqsTrigger" in lid and "DeadLetterQueue" in lid]
    assert [s.queue for s in shared_trigger_dead_letter_queues(stack)] == [shared]
    found = shared_trigger_dead_letter_queue_of(shared)
    assert found is not None and found.stack is stack and not found.fifo


def test_the_shared_queue_has_the_properties_of_a_trigger_queue_of_its_own(
    two_triggers: tuple[cdk.App, cdk.Stack, list[PolledSource], Template],
) -> None:
    _, stack, sources, template = two_triggers
    assert sources[0].dead_letter_queue is not None
    dlq_lid = _lid(sources[0].dead_letter_queue)
    key_lid = stack.get_logical_id(stack.node.find_child(STACK_KEY_ID).node.default_child)
    queue = _queues(template)[dlq_lid]
    assert queue["DeletionPolicy"] == "Retain" and queue["UpdateReplacePolicy"] == "Retain"
    assert queue["Properties"] == {
        "KmsMasterKeyId": {"Fn::GetAtt": [key_lid, "Arn"]},
        "MessageRetentionPeriod": 14 * 24 * 3600,
    }
    template.has_resource_properties(
        "AWS::SQS::QueuePolicy",
        {
            "Queues": [{"Ref": dlq_lid}],
            "PolicyDocument": {
                "Statement": [
                    Match.object_like({"Effect": "Deny", "Condition": {"Bool": {"aws:SecureTransport": "false"}}})
                ]
            },
        },
    )


def test_the_shared_queue_is_nag_and_oracle_clean(
    two_triggers: tuple[cdk.App, cdk.Stack, list[PolledSource], Template],
) -> None:
    app, _, _, template = two_triggers
    assert nag_findings(app) == []
    assert oracles.findings(template.to_json(), "shared trigger dead-letter queue") == []


def test_fifo_and_standard_queues_get_one_each() -> None:
    stack = new_stack()
    fn = _fn(stack, "Fn")
    standard = _resources(fn.add_trigger(SqsTrigger(), construct_id="Standard"))
    fifo = _resources(fn.add_trigger(SqsTrigger(queue_props=sqs.QueueProps(fifo=True)), construct_id="Fifo"))
    fifo2 = _resources(fn.add_trigger(SqsTrigger(queue_props=sqs.QueueProps(fifo=True)), construct_id="Fifo2"))
    template = Template.from_stack(stack)
    assert fifo.dead_letter_queue is fifo2.dead_letter_queue is not standard.dead_letter_queue
    assert fifo.dead_letter_queue is not None and fifo.dead_letter_queue.node.id == STACK_TRIGGER_FIFO_DLQ_ID
    fifo_lid = _lid(fifo.dead_letter_queue)
    assert _queues(template)[fifo_lid]["Properties"]["FifoQueue"] is True
    assert fifo.queue is not None and standard.queue is not None
    assert _redrive_target(template, fifo.queue) == {"Fn::GetAtt": [fifo_lid, "Arn"]}
    assert standard.dead_letter_queue is not None
    assert _redrive_target(template, standard.queue) == {"Fn::GetAtt": [_lid(standard.dead_letter_queue), "Arn"]}
    assert "FifoQueue" not in _queues(template)[_lid(standard.dead_letter_queue)]["Properties"]
    assert [s.fifo for s in shared_trigger_dead_letter_queues(stack)] == [False, True]


def test_failure_queue_per_function_still_shares_the_trigger_queue() -> None:
    stack = new_stack()
    source = _resources(_fn(stack, "Fn", failure_queue_per_function=True).add_trigger(SqsTrigger()))
    assert source.dead_letter_queue is not None and source.dead_letter_queue.node.id == STACK_TRIGGER_DLQ_ID


# ----------------------------------------------------------------------- a queue of the trigger's own


def _own_queue_kept(stack: cdk.Stack, source: PolledSource, key_lid: str) -> None:
    """The trigger's own DLQ at the path it always had (``<fn>/<trigger>/DeadLetterQueue``), under ``key_lid``."""
    assert source.dead_letter_queue is not None and source.dead_letter_queue.node.scope is source
    assert source.dead_letter_queue.node.id == "DeadLetterQueue"
    template = Template.from_stack(stack)
    dlq_lid = _lid(source.dead_letter_queue)
    assert dlq_lid.startswith("FnSqsTrigger1DeadLetterQueue")
    assert _queues(template)[dlq_lid]["Properties"]["KmsMasterKeyId"] == {"Fn::GetAtt": [key_lid, "Arn"]}
    assert source.queue is not None
    assert _redrive_target(template, source.queue) == {"Fn::GetAtt": [dlq_lid, "Arn"]}
    assert stack.node.try_find_child(STACK_TRIGGER_DLQ_ID) is None
    assert shared_trigger_dead_letter_queue_of(source.dead_letter_queue) is None


def test_a_trigger_with_its_own_key_keeps_its_own_queue() -> None:
    stack = new_stack()
    key = kms.Key(stack, "TriggerKey")
    source = _resources(_fn(stack, "Fn").add_trigger(SqsTrigger(encryption_key=key)))
    _own_queue_kept(stack, source, _lid(key))


def test_a_function_with_a_key_of_its_own_keeps_its_own_queue() -> None:
    stack = new_stack()
    fn = _fn(stack, "Fn", key_per_function=True)
    source = _resources(fn.add_trigger(SqsTrigger()))
    assert isinstance(fn.key, kms.Key)
    _own_queue_kept(stack, source, _lid(fn.key))


def test_a_function_with_a_key_you_bring_keeps_its_own_queue() -> None:
    stack = new_stack()
    key = kms.Key(stack, "Mine")
    source = _resources(_fn(stack, "Fn", encryption_key=key).add_trigger(SqsTrigger()))
    _own_queue_kept(stack, source, _lid(key))


def test_the_opt_out_restores_the_queue_of_its_own() -> None:
    stack = new_stack()
    fn = _fn(stack, "Fn")
    source = _resources(fn.add_trigger(SqsTrigger(dead_letter_queue_per_trigger=True)))
    _own_queue_kept(stack, source, _lid(fn.key))


def test_a_redrive_set_in_queue_props_creates_no_dead_letter_queue() -> None:
    # Before the fix the trigger still created a DeadLetterQueue (and its policy) nothing redrove to.
    # (With dead_letter_queue_per_trigger=True the combination is rejected: tests/unit/triggers/test_sqs_options.py.)
    stack = new_stack()
    fn = _fn(stack, "Fn")
    mine = sqs.Queue(stack, "MyDlq")
    props = sqs.QueueProps(dead_letter_queue=sqs.DeadLetterQueue(max_receive_count=3, queue=mine))
    result = fn.add_trigger(SqsTrigger(queue_props=props, max_receive_count=7))
    source = _resources(result)
    assert stack.node.try_find_child(STACK_TRIGGER_DLQ_ID) is None
    assert source.node.try_find_child("DeadLetterQueue") is None
    assert source.dead_letter_queue is mine and result.dead_letter_queue is mine
    assert source.queue is not None
    template = Template.from_stack(stack)
    # The trigger's queue, yours, and the stack's failure queue pair: nothing else.
    assert set(_queues(template)) == {
        _lid(source.queue),
        _lid(mine),
        _lid(fn.failure_queue),
        *(_lid(q) for q in [fn.failure_dlq] if q is not None),
    }
    template.resource_count_is("AWS::SQS::Queue", 4)
    redrive = _queues(template)[_lid(source.queue)]["Properties"]["RedrivePolicy"]
    assert redrive == {"deadLetterTargetArn": {"Fn::GetAtt": [_lid(mine), "Arn"]}, "maxReceiveCount": 3}


def test_monitoring_alarms_the_queue_of_a_redrive_set_in_queue_props() -> None:
    stack = new_stack()
    fn = _fn(stack, "Fn")
    mine = sqs.Queue(stack, "MyDlq")
    props = sqs.QueueProps(dead_letter_queue=sqs.DeadLetterQueue(max_receive_count=3, queue=mine))
    fn.add_trigger(SqsTrigger(queue_props=props), construct_id="Orders")
    monitoring = monitor_stack(stack)
    assert monitoring is not None
    assert monitoring.functions["Fn"].queues["OrdersDeadLetterQueue"] is mine
    assert "OrdersDeadLetterQueueDepth" in monitoring.functions["Fn"].alarms
    assert len(_alarms_on(Template.from_stack(stack), _lid(mine))) == 1


def test_resources_under_a_function_drop_by_two() -> None:
    stack = new_stack()
    own, shared = _fn(stack, "Own"), _fn(stack, "Shared")
    own.add_trigger(SqsTrigger(dead_letter_queue_per_trigger=True))
    shared.add_trigger(SqsTrigger())
    assert count_resources(own) - count_resources(shared) == 2  # AWS::SQS::Queue + AWS::SQS::QueuePolicy
    second = _fn(stack, "Second")
    second.add_trigger(SqsTrigger())
    before = count_resources(stack)
    third = _fn(stack, "Third")
    third.add_trigger(SqsTrigger())
    assert count_resources(stack) - before == count_resources(third)  # nothing new outside the function


# ------------------------------------------------------------------------------------ stacks


def test_each_stack_and_nested_stack_has_its_own() -> None:
    app = new_app()
    one, two = new_stack(app, "One"), new_stack(app, "Two")
    nested = cdk.NestedStack(one, "Nested")
    queues = {
        name: _resources(_fn(scope, "Fn").add_trigger(SqsTrigger())).dead_letter_queue
        for name, scope in (("one", one), ("two", two), ("nested", nested))
    }
    assert len({id(q) for q in queues.values()}) == 3
    for name, stack in (("one", one), ("two", two), ("nested", nested)):
        queue = queues[name]
        assert queue is not None and queue.node.scope is stack
        Template.from_stack(stack).resource_count_is("AWS::SQS::Queue", 4)  # source + shared DLQ + failure pair


def test_a_taken_construct_id_fails_naming_it() -> None:
    stack = new_stack()
    sqs.Queue(stack, STACK_TRIGGER_DLQ_ID)
    fn = _fn(stack, "Fn")
    with pytest.raises(LambdaConstructsError, match=STACK_TRIGGER_DLQ_ID) as caught:
        fn.add_trigger(SqsTrigger())
    assert "dead_letter_queue_per_trigger=True" in str(caught.value)


# -------------------------------------------------------------------------------- monitoring


def test_full_monitoring_alarms_the_shared_queue_once_per_stack() -> None:
    app = new_app()
    one, two = new_stack(app, "One"), new_stack(app, "Two")
    fns = [_fn(one, "A"), _fn(one, "B"), _fn(two, "C")]
    for fn in fns:
        fn.add_trigger(SqsTrigger())
    fns[0].add_trigger(SqsTrigger(queue_props=sqs.QueueProps(fifo=True)), construct_id="Fifo")
    monitoring = monitor_stack(one, props=ServiceMonitoringProps(functions=fns[2:], alarm_set="full"))
    assert monitoring is not None
    assert set(monitoring.trigger_dead_letter_queue_alarms) == {
        "TriggerDeadLetterQueueDepth",
        "TriggerDeadLetterQueueFifoDepth",
        "TriggerDeadLetterQueueDepthTwo",  # the queue of another stack: its id appended
    }
    assert all(alarm in monitoring.alarms for alarm in monitoring.trigger_dead_letter_queue_alarms.values())
    # No function alarms a trigger dead-letter queue of its own any more.
    assert not [name for m in monitoring.functions.values() for name in m.alarms if "DeadLetterQueue" in name]
    template = Template.from_stack(one)
    shared = shared_trigger_dead_letter_queues(one)
    for queue in shared:
        assert len(_alarms_on(template, _lid(queue.queue))) == 1
    template.has_resource_properties(
        "AWS::CloudWatch::Alarm",
        {
            "Dimensions": [{"Name": "QueueName", "Value": {"Fn::GetAtt": [_lid(shared[0].queue), "QueueName"]}}],
            "AlarmDescription": Match.string_like_regexp(
                f"^One/{STACK_TRIGGER_DLQ_ID}: .*DeadLetterQueueSourceArn system attribute, which names the "
                "trigger queue"
            ),
        },
    )
    dashboard = template.find_resources("AWS::CloudWatch::Dashboard")
    body = str(next(iter(dashboard.values()))["Properties"]["DashboardBody"])
    for title in (f"One: {STACK_TRIGGER_DLQ_ID}", f"One: {STACK_TRIGGER_FIFO_DLQ_ID}", f"Two: {STACK_TRIGGER_DLQ_ID}"):
        assert body.count(f'"title":"{title}"') == 1, title


def test_compact_monitoring_alarms_the_shared_queue_once_per_stack_and_graphs_it_once() -> None:
    # With ReportBatchItemFailures (the default) failed items are not Errors, so the compact set must watch
    # the queue they end up in: once per stack, as it watches the stack's shared failure queue.
    app = new_app()
    one, two = new_stack(app, "One"), new_stack(app, "Two")
    fns = [_fn(one, "A"), _fn(one, "B"), _fn(two, "C")]
    for fn in fns:
        fn.add_trigger(SqsTrigger())
    fns[0].add_trigger(SqsTrigger(queue_props=sqs.QueueProps(fifo=True)), construct_id="Fifo")
    monitoring = monitor_stack(one, props=ServiceMonitoringProps(functions=fns[2:]))
    assert monitoring is not None and monitoring.props.alarm_set is AlarmSet.COMPACT
    assert set(monitoring.trigger_dead_letter_queue_alarms) == {
        "TriggerDeadLetterQueueDepth",
        "TriggerDeadLetterQueueFifoDepth",
        "TriggerDeadLetterQueueDepthTwo",
    }
    assert all(alarm in monitoring.alarms for alarm in monitoring.trigger_dead_letter_queue_alarms.values())
    assert not [name for m in monitoring.functions.values() for name in m.alarms if "DeadLetterQueue" in name]
    shared = shared_trigger_dead_letter_queues(one)
    graphed = {id(q.queue) for q in monitoring.shared_trigger_dead_letter_queues}
    assert {id(q.queue) for q in shared} <= graphed and len(graphed) == 3
    assert all(s.queue is not q for s in shared for m in monitoring.functions.values() for q in m.queues.values())
    template = Template.from_stack(one)
    for queue in shared:
        assert len(_alarms_on(template, _lid(queue.queue))) == 1
    template.has_resource_properties(
        "AWS::CloudWatch::Alarm",
        {
            "Dimensions": [{"Name": "QueueName", "Value": {"Fn::GetAtt": [_lid(shared[0].queue), "QueueName"]}}],
            "Threshold": 1,
            "AlarmDescription": Match.string_like_regexp("items a batch reports as failed are not Errors"),
        },
    )
    # Errors and Throttles of A, B, C; the stacks' failure queues (One, Two); the three trigger queues.
    template.resource_count_is("AWS::CloudWatch::Alarm", 3 * 2 + 2 + 3)


def test_compact_monitoring_without_an_sqs_trigger_has_no_trigger_queue_alarm() -> None:
    stack = new_stack()
    _fn(stack, "A")
    monitoring = monitor_stack(stack)
    assert monitoring is not None and monitoring.trigger_dead_letter_queue_alarms == {}
    assert shared_trigger_dead_letter_queues(stack) == ()
    Template.from_stack(stack).resource_count_is("AWS::CloudWatch::Alarm", 2 + 1)  # Errors, Throttles; failure queue


def test_compact_monitoring_alarms_a_trigger_queue_of_its_own_per_trigger() -> None:
    # Mirrors a failure queue of a function's own, which the compact set alarms per function.
    stack = new_stack()
    fn = _fn(stack, "Fn")
    source = _resources(fn.add_trigger(SqsTrigger(dead_letter_queue_per_trigger=True), construct_id="Orders"))
    monitoring = monitor_stack(stack)
    assert monitoring is not None and monitoring.trigger_dead_letter_queue_alarms == {}
    assert set(monitoring.functions["Fn"].alarms) == {"Errors", "Throttles", "OrdersDeadLetterQueueDepth"}
    assert source.dead_letter_queue is not None
    assert len(_alarms_on(Template.from_stack(stack), _lid(source.dead_letter_queue))) == 1


def test_compact_monitoring_queue_messages_none_switches_the_trigger_queue_alarms_off() -> None:
    stack = new_stack()
    _fn(stack, "A").add_trigger(SqsTrigger())
    _fn(stack, "B").add_trigger(SqsTrigger(dead_letter_queue_per_trigger=True))
    monitoring = monitor_stack(stack, props=ServiceMonitoringProps(thresholds=AlarmThresholds(queue_messages=None)))
    assert monitoring is not None and monitoring.trigger_dead_letter_queue_alarms == {}
    assert not [name for m in monitoring.functions.values() for name in m.alarms if "DeadLetterQueue" in name]


@pytest.mark.parametrize("alarm_set", ["compact", "full"])
def test_excluding_the_shared_queue_drops_its_alarm_and_graph(alarm_set: str) -> None:
    stack = new_stack()
    source = _resources(_fn(stack, "Fn").add_trigger(SqsTrigger()))
    assert source.dead_letter_queue is not None
    monitoring = monitor_stack(
        stack, props=ServiceMonitoringProps(alarm_set=alarm_set, exclude_queues=[source.dead_letter_queue])
    )
    assert monitoring is not None and monitoring.trigger_dead_letter_queue_alarms == {}
    template = Template.from_stack(stack)
    assert _alarms_on(template, _lid(source.dead_letter_queue)) == []
    body = str(next(iter(template.find_resources("AWS::CloudWatch::Dashboard").values())))
    assert STACK_TRIGGER_DLQ_ID not in body


# ------------------------------------------------------------------------------ LambdaService


def _service(stack: cdk.Stack, **props: Any) -> LambdaService:
    return LambdaService(stack, "Svc", LambdaServiceProps(shards=2, **props))


def test_a_lambda_service_shard_shares_one_queue_under_the_service_key() -> None:
    stack = new_stack()
    service = _service(stack)
    fns = [
        service.add_function(f"fn{i}", SecureFunctionProps(inline_code=CODE), shard=0, configure=_sqs) for i in range(3)
    ]
    shard = service.shard_stacks[0]
    (shared,) = shared_trigger_dead_letter_queues(shard)
    assert shared.key is service.key and shared.queue.node.scope is shard
    for fn in fns:
        (result,) = fn.trigger_results
        assert result.dead_letter_queue is shared.queue
    # The shard counts the shared queue and its policy once, on top of its functions (+ 1: its shared X-Ray policy).
    assert service.shard_resources()[0] == sum(p.resources for p in service.placements()) + 2 + 1
    assert stack.node.try_find_child(STACK_TRIGGER_DLQ_ID) is None


def test_a_lambda_service_function_costs_two_resources_less() -> None:
    stack = new_stack()
    service = _service(stack)
    shared = service.add_function("shared", SecureFunctionProps(inline_code=CODE), shard=0, configure=_sqs)
    own = service.add_function(
        "own",
        SecureFunctionProps(inline_code=CODE),
        shard=1,
        configure=lambda fn: fn.add_trigger(SqsTrigger(dead_letter_queue_per_trigger=True)),
    )
    assert service.placement("own").resources - service.placement("shared").resources == 2
    assert shared.trigger_results[0].dead_letter_queue is not own.trigger_results[0].dead_letter_queue
    assert shared_trigger_dead_letter_queues(service.shard_stacks[1]) == ()


def test_a_trigger_added_later_counts_the_new_shared_queue_in_its_shard() -> None:
    stack = new_stack()
    service = _service(stack)
    fn = service.add_function("fn", SecureFunctionProps(inline_code=CODE), shard=0)
    tracing = 1  # the shard's shared X-Ray policy (roles.stack_tracing_policy), counted with its first function
    assert service.shard_resources()[0] == service.placement("fn").resources + tracing
    fn.add_trigger(SqsTrigger())
    assert service.shard_resources()[0] == service.placement("fn").resources + tracing + 2


def test_a_full_shard_counts_the_shared_queue_against_its_budget() -> None:
    stack = new_stack()
    probe = _service(new_stack(new_app(), "Probe"))
    probe.add_function("fn", SecureFunctionProps(inline_code=CODE), shard=0, configure=_sqs)
    cost = probe.placement("fn").resources
    # Room for the function but not for the shared queue and its policy as well.
    service = _service(stack, max_resources=cost + 1)
    with pytest.raises(LambdaConstructsError, match="shard 0 is full"):
        service.add_function("fn", SecureFunctionProps(inline_code=CODE), shard=0, configure=_sqs)


def test_lambda_service_monitoring_alarms_each_shard_queue_once() -> None:
    stack = new_stack()
    service = _service(stack)
    for i in range(2):
        service.add_function(f"fn{i}", SecureFunctionProps(inline_code=CODE), shard=0, configure=_sqs)
    top = service.monitor(props=ServiceMonitoringProps(alarm_set="full"))
    shard = service.shard_stacks[0]
    (shared,) = shared_trigger_dead_letter_queues(shard)
    assert len(_alarms_on(Template.from_stack(shard), _lid(shared.queue))) == 1
    # The service's dashboard graphs the shard's shared queue once.
    assert top.dashboard is not None
    body = str(next(iter(Template.from_stack(stack).find_resources("AWS::CloudWatch::Dashboard").values())))
    assert body.count(f'"title":"Shard000: {STACK_TRIGGER_DLQ_ID}"') == 1


def _shard_alarms(service: LambdaService, index: int) -> dict[str, dict[str, Any]]:
    found: dict[str, dict[str, Any]] = Template.from_stack(service.shard_stacks[index]).find_resources(
        "AWS::CloudWatch::Alarm"
    )
    return found


def test_compact_lambda_service_monitoring_alarms_each_shard_queue_once() -> None:
    stack = new_stack()
    service = _service(stack, monitored=True)
    for i in range(2):
        service.add_function(f"fn{i}", SecureFunctionProps(inline_code=CODE), shard=0, configure=_sqs)
    service.add_function("fn2", SecureFunctionProps(inline_code=CODE), shard=1, configure=_sqs)
    service.add_function("plain", SecureFunctionProps(inline_code=CODE), shard=1)
    service.monitor()
    for index, functions in ((0, 2), (1, 2)):
        (shared,) = shared_trigger_dead_letter_queues(service.shard_stacks[index])
        template = Template.from_stack(service.shard_stacks[index])
        assert len(_alarms_on(template, _lid(shared.queue))) == 1
        assert len(_shard_alarms(service, index)) == 2 * functions + 1  # Errors, Throttles; the shard's queue
    # The service's failure queue: one alarm on the parent stack, none in a shard.
    assert len(Template.from_stack(stack).find_resources("AWS::CloudWatch::Alarm")) == 1


def test_compact_lambda_service_monitoring_honours_exclude_queues() -> None:
    stack = new_stack()
    service = _service(stack)
    service.add_function("fn", SecureFunctionProps(inline_code=CODE), shard=0, configure=_sqs)
    (shared,) = shared_trigger_dead_letter_queues(service.shard_stacks[0])
    service.monitor(props=ServiceMonitoringProps(dashboard=False, exclude_queues=[shared.queue]))
    assert _alarms_on(Template.from_stack(service.shard_stacks[0]), _lid(shared.queue)) == []
    assert len(_shard_alarms(service, 0)) == 2


def test_a_monitored_lambda_service_counts_the_shard_queue_alarm() -> None:
    plain, monitored = _service(new_stack(new_app(), "Plain")), _service(new_stack(new_app(), "Mon"), monitored=True)
    for service in (plain, monitored):
        service.add_function("fn", SecureFunctionProps(inline_code=CODE), shard=0, configure=_sqs)
    reserve = monitored.placement("fn").resources - plain.placement("fn").resources
    from lambda_constructs.service import MONITORING_SHARD_RESERVE

    # The monitored shard keeps room for the queue's alarm too (+ 1 on top of the queue and its policy).
    assert monitored.shard_resources()[0] - plain.shard_resources()[0] == reserve + MONITORING_SHARD_RESERVE + 1
    monitored.monitor()
    assert count_resources(monitored.shard_stacks[0]) <= monitored.shard_resources()[0]


def _sqs(fn: SecureFunction) -> None:
    fn.add_trigger(SqsTrigger())


# ---------------------------------------------------------------------------------------- cost


def test_cost_puts_the_shared_queue_alarm_on_the_stack_not_on_a_function(tmp_path: Any) -> None:
    from lambda_constructs.cost.estimate import estimate
    from lambda_constructs.cost.prices import load_prices

    app = new_app(outdir=str(tmp_path))
    stack = new_stack(app, "Costed")
    for name in ("A", "B"):
        _fn(stack, name).add_trigger(SqsTrigger())
    monitor_stack(stack, props=ServiceMonitoringProps(alarm_set="full", dashboard=False))
    (costed,) = estimate(app.synth().directory, load_prices())
    # The two shared alarms of the stack (failure queue, its DLQ) and the shared trigger DLQ's: 3 metrics.
    assert costed.shared.lines["alarm metrics"].units == 3
    per_function = {path: bill.lines["alarm metrics"].units for path, bill in costed.functions.items()}
    assert len(per_function) == 2 and len(set(per_function.values())) == 1


def test_cost_of_the_compact_set_bills_the_shared_trigger_queue_once_per_stack(tmp_path: Any) -> None:
    from lambda_constructs.cost.estimate import estimate
    from lambda_constructs.cost.prices import load_prices

    app = new_app(outdir=str(tmp_path))
    stack = new_stack(app, "Costed")
    for name in ("A", "B"):
        _fn(stack, name).add_trigger(SqsTrigger())
    monitor_stack(stack, props=ServiceMonitoringProps(dashboard=False))
    (costed,) = estimate(app.synth().directory, load_prices())
    # The shared failure queue's alarm and the shared trigger DLQ's: 2 metrics, $0.20, for the stack.
    assert costed.shared.lines["alarm metrics"].units == 2
    assert costed.shared.lines["alarm metrics"].usd == pytest.approx(0.20)
    per_function = {path: bill.lines["alarm metrics"].units for path, bill in costed.functions.items()}
    assert len(per_function) == 2 and len(set(per_function.values())) == 1
