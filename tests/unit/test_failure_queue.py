"""The failure queue of SecureFunctions: one pair per stack by default, a pair per function as an option (#21)."""

from __future__ import annotations

from typing import Any

import aws_cdk as cdk
import pytest
from aws_cdk import aws_kms as kms
from aws_cdk import aws_sqs as sqs
from aws_cdk.assertions import Match, Template

from lambda_constructs import LambdaConstructsError, SecureFunction, SecureFunctionProps
from lambda_constructs.failure_queue import STACK_FAILURE_DLQ_ID, STACK_FAILURE_QUEUE_ID, shared_failure_queues_of
from lambda_constructs.monitoring import ServiceMonitoringProps, monitor_stack
from lambda_constructs.service import LambdaService, LambdaServiceProps
from tests import oracles
from tests.helpers import nag_findings, new_app, new_stack

CODE = "def handler(event, context):\n    return {}\n"
N = 3


def _fn(stack: cdk.Stack, name: str, **props: Any) -> SecureFunction:
    return SecureFunction(stack, name, SecureFunctionProps(inline_code=CODE, **props))


def _lid(stack: cdk.Stack, construct: Any) -> str:
    return stack.get_logical_id(construct.node.default_child)


def _policy_statements(template: Template, role_prefix: str) -> list[dict[str, Any]]:
    """The statements of the grants policy of the role whose logical id starts with ``role_prefix``."""
    return [
        statement
        for lid, policy in template.find_resources("AWS::IAM::ManagedPolicy").items()
        if lid.startswith(f"{role_prefix}RolePolicy")
        for statement in policy["Properties"]["PolicyDocument"]["Statement"]
    ]


def _queue_statements(statements: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The statements naming SQS or KMS actions (the failure queue's grants)."""
    return [
        s
        for s in statements
        if any(a.startswith(("sqs:", "kms:")) for a in ([s["Action"]] if isinstance(s["Action"], str) else s["Action"]))
    ]


# ------------------------------------------------------------------------- shared by default


@pytest.fixture(scope="module")
def shared() -> tuple[cdk.App, cdk.Stack, list[SecureFunction], Template]:
    app = new_app(nag=True)
    stack = new_stack(app)
    fns = [_fn(stack, f"Fn{i}") for i in range(N)]
    return app, stack, fns, Template.from_stack(stack)


def test_one_queue_pair_per_stack_for_n_functions(
    shared: tuple[cdk.App, cdk.Stack, list[SecureFunction], Template],
) -> None:
    _, stack, fns, template = shared
    template.resource_count_is("AWS::SQS::Queue", 2)
    template.resource_count_is("AWS::SQS::QueuePolicy", 2)
    queue, dlq = fns[0].failure_queue, fns[0].failure_dlq
    assert all(fn.failure_queue is queue and fn.failure_dlq is dlq for fn in fns)
    # Stable construct ids beside the stack's shared key: a child of the stack, not of the first function.
    assert stack.node.find_child(STACK_FAILURE_QUEUE_ID) is queue
    assert stack.node.find_child(STACK_FAILURE_DLQ_ID) is dlq
    assert _lid(stack, queue).startswith("LambdaConstructsFailureQueue")
    assert _lid(stack, dlq).startswith("LambdaConstructsFailureDeadLetterQueue")


def test_shared_queues_have_the_per_function_properties(
    shared: tuple[cdk.App, cdk.Stack, list[SecureFunction], Template],
) -> None:
    _, stack, fns, template = shared
    key_lid = _lid(stack, fns[0].key)
    assert key_lid.startswith("LambdaConstructsKey")
    queues = template.find_resources("AWS::SQS::Queue")
    queue, dlq = queues[_lid(stack, fns[0].failure_queue)], queues[_lid(stack, fns[0].failure_dlq)]
    for resource in (queue, dlq):
        assert resource["DeletionPolicy"] == "Retain" and resource["UpdateReplacePolicy"] == "Retain"
        assert resource["Properties"]["KmsMasterKeyId"] == {"Fn::GetAtt": [key_lid, "Arn"]}
        assert resource["Properties"]["MessageRetentionPeriod"] == 1209600
    assert queue["Properties"]["RedrivePolicy"] == {
        "deadLetterTargetArn": {"Fn::GetAtt": [_lid(stack, fns[0].failure_dlq), "Arn"]},
        "maxReceiveCount": 5,
    }
    assert "RedrivePolicy" not in dlq["Properties"]
    for target in (queue, dlq):
        template.has_resource_properties(
            "AWS::SQS::QueuePolicy",
            {
                "Queues": [{"Ref": next(k for k, v in queues.items() if v is target)}],
                "PolicyDocument": {
                    "Statement": Match.array_with(
                        [Match.object_like({"Effect": "Deny", "Condition": {"Bool": {"aws:SecureTransport": "false"}}})]
                    )
                },
            },
        )


def test_every_role_sends_to_the_shared_queue_with_exact_grants(
    shared: tuple[cdk.App, cdk.Stack, list[SecureFunction], Template],
) -> None:
    _, stack, fns, template = shared
    key_lid, queue_lid = _lid(stack, fns[0].key), _lid(stack, fns[0].failure_queue)
    for fn in fns:
        assert _queue_statements(_policy_statements(template, fn.node.id)) == [
            {
                "Action": ["kms:Decrypt", "kms:GenerateDataKey"],
                "Effect": "Allow",
                "Resource": {"Fn::GetAtt": [key_lid, "Arn"]},
            },
            {"Action": "sqs:SendMessage", "Effect": "Allow", "Resource": {"Fn::GetAtt": [queue_lid, "Arn"]}},
        ]
    # $LATEST and the live alias of every function send their failed events there.
    configs = template.find_resources(
        "AWS::Lambda::EventInvokeConfig",
        {"Properties": {"DestinationConfig": {"OnFailure": {"Destination": {"Fn::GetAtt": [queue_lid, "Arn"]}}}}},
    )
    assert len(configs) == 2 * N
    template.resource_count_is("AWS::Lambda::EventInvokeConfig", 2 * N)


def test_shared_queue_is_nag_and_oracle_clean(
    shared: tuple[cdk.App, cdk.Stack, list[SecureFunction], Template],
) -> None:
    app, _, _, template = shared
    assert nag_findings(app) == []
    assert oracles.findings(template.to_json(), "shared failure queue") == []


def test_each_stack_has_its_own_pair() -> None:
    app = new_app()
    one, two = new_stack(app, "One"), new_stack(app, "Two")
    a, b = _fn(one, "A"), _fn(two, "B")
    assert a.failure_queue is not b.failure_queue
    assert cdk.Stack.of(a.failure_queue) is one and cdk.Stack.of(b.failure_queue) is two
    for stack in (one, two):
        Template.from_stack(stack).resource_count_is("AWS::SQS::Queue", 2)


def test_a_taken_construct_id_fails_naming_it() -> None:
    stack = new_stack()
    sqs.Queue(stack, STACK_FAILURE_QUEUE_ID)
    with pytest.raises(LambdaConstructsError, match=STACK_FAILURE_QUEUE_ID) as caught:
        _fn(stack, "Fn")
    assert "failure_queue_per_function" in str(caught.value)


# ----------------------------------------------------------------------- the per-function option


def test_per_function_option_restores_the_old_shape() -> None:
    stack = new_stack()
    own = _fn(stack, "Own", failure_queue_per_function=True)
    template = Template.from_stack(stack)
    template.resource_count_is("AWS::SQS::Queue", 2)
    assert stack.node.try_find_child(STACK_FAILURE_QUEUE_ID) is None
    assert shared_failure_queues_of(own.failure_queue) is None
    queue_lid, dlq_lid = _lid(stack, own.failure_queue), _lid(stack, own.failure_dlq)
    assert queue_lid.startswith("OwnFailureQueue") and dlq_lid.startswith("OwnFailureDeadLetterQueue")
    key_lid = _lid(stack, own.key)
    assert key_lid.startswith("LambdaConstructsKey")  # still the stack's shared key
    template.has_resource(
        "AWS::SQS::Queue",
        {
            "Properties": {
                "KmsMasterKeyId": {"Fn::GetAtt": [key_lid, "Arn"]},
                "RedrivePolicy": {"deadLetterTargetArn": {"Fn::GetAtt": [dlq_lid, "Arn"]}, "maxReceiveCount": 5},
                "MessageRetentionPeriod": 1209600,
            },
            "DeletionPolicy": "Retain",
        },
    )
    assert {"Action": "sqs:SendMessage", "Effect": "Allow", "Resource": {"Fn::GetAtt": [queue_lid, "Arn"]}} in (
        _policy_statements(template, "Own")
    )


def test_per_function_and_shared_functions_send_only_to_their_own_queue() -> None:
    stack = new_stack()
    own = _fn(stack, "Own", failure_queue_per_function=True)
    plain = [_fn(stack, f"Plain{i}") for i in range(2)]
    template = Template.from_stack(stack)
    template.resource_count_is("AWS::SQS::Queue", 4)
    shared_lid = _lid(stack, plain[0].failure_queue)
    own_lid = _lid(stack, own.failure_queue)
    sends = {
        fn.node.id: [
            s["Resource"] for s in _policy_statements(template, fn.node.id) if s["Action"] == "sqs:SendMessage"
        ]
        for fn in (own, *plain)
    }
    assert sends == {
        "Own": [{"Fn::GetAtt": [own_lid, "Arn"]}],
        "Plain0": [{"Fn::GetAtt": [shared_lid, "Arn"]}],
        "Plain1": [{"Fn::GetAtt": [shared_lid, "Arn"]}],
    }


def test_key_per_function_keeps_a_queue_pair_under_that_key() -> None:
    stack = new_stack()
    fn = _fn(stack, "Fn", key_per_function=True)
    template = Template.from_stack(stack)
    # No shared queue and no shared key: the old design, resource for resource.
    template.resource_count_is("AWS::KMS::Key", 1)
    template.resource_count_is("AWS::SQS::Queue", 2)
    assert stack.node.try_find_child(STACK_FAILURE_QUEUE_ID) is None
    key_lid = _lid(stack, fn.key)
    assert key_lid.startswith("FnKey")
    for resource in template.find_resources("AWS::SQS::Queue").values():
        assert resource["Properties"]["KmsMasterKeyId"] == {"Fn::GetAtt": [key_lid, "Arn"]}
    assert _queue_statements(_policy_statements(template, "Fn")) == [
        {
            "Action": ["kms:Decrypt", "kms:GenerateDataKey"],
            "Effect": "Allow",
            "Resource": {"Fn::GetAtt": [key_lid, "Arn"]},
        },
        {
            "Action": "sqs:SendMessage",
            "Effect": "Allow",
            "Resource": {"Fn::GetAtt": [_lid(stack, fn.failure_queue), "Arn"]},
        },
    ]


def test_a_key_you_bring_keeps_a_queue_pair_under_it() -> None:
    stack = new_stack()
    key = kms.Key(stack, "MyKey", enable_key_rotation=True)
    fn = _fn(stack, "Fn", encryption_key=key)
    template = Template.from_stack(stack)
    assert stack.node.try_find_child(STACK_FAILURE_QUEUE_ID) is None
    assert _lid(stack, fn.failure_queue).startswith("FnFailureQueue")
    for resource in template.find_resources("AWS::SQS::Queue").values():
        assert resource["Properties"]["KmsMasterKeyId"] == {"Fn::GetAtt": [_lid(stack, key), "Arn"]}


def test_your_failure_queue_wins() -> None:
    stack = new_stack()
    queue_key = kms.Key(stack, "QueueKey", enable_key_rotation=True)
    mine = sqs.Queue(stack, "Mine", encryption=sqs.QueueEncryption.KMS, encryption_master_key=queue_key)
    fn = _fn(stack, "Fn", failure_queue=mine)
    other = _fn(stack, "Other", failure_queue=mine, failure_queue_per_function=True)
    template = Template.from_stack(stack)
    template.resource_count_is("AWS::SQS::Queue", 1)  # yours only: no shared pair, no pair per function
    assert stack.node.try_find_child(STACK_FAILURE_QUEUE_ID) is None
    assert fn.failure_queue is mine and fn.failure_dlq is None and other.failure_queue is mine
    mine_lid = _lid(stack, mine)
    for name in ("Fn", "Other"):
        statements = _queue_statements(_policy_statements(template, name))
        assert {
            "Action": "sqs:SendMessage",
            "Effect": "Allow",
            "Resource": {"Fn::GetAtt": [mine_lid, "Arn"]},
        } in statements
        assert {
            "Action": ["kms:Decrypt", "kms:GenerateDataKey"],
            "Effect": "Allow",
            "Resource": {"Fn::GetAtt": [_lid(stack, queue_key), "Arn"]},
        } in statements


# ------------------------------------------------------------------------------- monitoring


def _alarms_on(template: Template, queue_lid: str) -> list[str]:
    return [
        lid
        for lid, alarm in template.find_resources("AWS::CloudWatch::Alarm").items()
        if alarm["Properties"].get("Dimensions")
        == [{"Name": "QueueName", "Value": {"Fn::GetAtt": [queue_lid, "QueueName"]}}]
    ]


def test_monitoring_alarms_the_shared_queue_once() -> None:
    stack = new_stack()
    fns = [_fn(stack, f"Fn{i}") for i in range(N)]
    monitoring = monitor_stack(stack)
    assert monitoring is not None
    template = Template.from_stack(stack)
    queue_lid = _lid(stack, fns[0].failure_queue)
    (alarm,) = _alarms_on(template, queue_lid)
    assert alarm.startswith("MonitoringFailureQueueDepth")
    assert set(monitoring.failure_queue_alarms) == {"FailureQueueDepth"}
    # Which function failed stays answerable: each keeps its own Errors and Throttles alarms.
    assert {name: set(m.alarms) for name, m in monitoring.functions.items()} == {
        f"Fn{i}": {"Errors", "Throttles"} for i in range(N)
    }
    template.resource_count_is("AWS::CloudWatch::Alarm", 2 * N + 1)
    template.has_resource_properties(
        "AWS::CloudWatch::Alarm",
        {
            "MetricName": "ApproximateNumberOfMessagesVisible",
            "Statistic": "Maximum",
            "Threshold": 1,
            "AlarmDescription": Match.string_like_regexp("requestContext.functionArn names the function"),
            "AlarmActions": [{"Ref": Match.string_like_regexp("^MonitoringAlarmTopic")}],
        },
    )


def test_full_set_alarms_the_shared_redrive_queue_once_too() -> None:
    stack = new_stack()
    fns = [_fn(stack, f"Fn{i}") for i in range(N)]
    monitoring = monitor_stack(stack, props=ServiceMonitoringProps(alarm_set="full", dashboard=False))
    assert monitoring is not None
    template = Template.from_stack(stack)
    assert set(monitoring.failure_queue_alarms) == {"FailureQueueDepth", "FailureDeadLetterQueueDepth"}
    assert len(_alarms_on(template, _lid(stack, fns[0].failure_queue))) == 1
    assert len(_alarms_on(template, _lid(stack, fns[0].failure_dlq))) == 1


def test_a_per_function_queue_keeps_its_own_alarm() -> None:
    stack = new_stack()
    own = _fn(stack, "Own", failure_queue_per_function=True)
    plain = _fn(stack, "Plain")
    monitoring = monitor_stack(stack)
    assert monitoring is not None
    template = Template.from_stack(stack)
    assert set(monitoring.functions["Own"].alarms) == {"Errors", "Throttles", "FailureQueueDepth"}
    assert set(monitoring.functions["Plain"].alarms) == {"Errors", "Throttles"}
    assert len(_alarms_on(template, _lid(stack, own.failure_queue))) == 1
    assert len(_alarms_on(template, _lid(stack, plain.failure_queue))) == 1
    template.resource_count_is("AWS::CloudWatch::Alarm", 6)


def test_excluding_the_shared_queue_drops_its_alarm() -> None:
    stack = new_stack()
    fn = _fn(stack, "Fn")
    monitoring = monitor_stack(stack, props=ServiceMonitoringProps(exclude_queues=[fn.failure_queue]))
    assert monitoring is not None and monitoring.failure_queue_alarms == {}
    Template.from_stack(stack).resource_count_is("AWS::CloudWatch::Alarm", 2)


# ---------------------------------------------------------------------------- LambdaService


@pytest.mark.parametrize("per_function", [False, True])
def test_lambda_service_functions_never_use_the_stack_queue(per_function: bool) -> None:
    stack = new_stack()
    service = LambdaService(stack, "Svc", LambdaServiceProps(shards=1, failure_queue_per_function=per_function))
    fn = service.add_function("fn", SecureFunctionProps(inline_code=CODE))
    (shard,) = service.shard_stacks.values()
    assert shard.node.try_find_child(STACK_FAILURE_QUEUE_ID) is None
    assert stack.node.try_find_child(STACK_FAILURE_QUEUE_ID) is None
    assert shared_failure_queues_of(fn.failure_queue) is None
    if per_function:
        assert fn.failure_queue.node.scope is fn
    else:
        assert fn.failure_queue is service.failure_queue


def test_monitoring_functions_of_two_stacks_alarms_each_stack_queue_once() -> None:
    app = new_app()
    one, two = new_stack(app, "One"), new_stack(app, "Two")
    fns = [_fn(one, "A"), _fn(one, "B"), _fn(two, "C"), _fn(two, "D")]
    monitoring = monitor_stack(one, props=ServiceMonitoringProps(functions=fns[2:], dashboard=False))
    assert monitoring is not None
    # The queue of another stack than the monitoring's: the alarm id ends with that stack's construct id.
    assert set(monitoring.failure_queue_alarms) == {"FailureQueueDepth", "FailureQueueDepthTwo"}
    template = Template.from_stack(one)
    template.resource_count_is("AWS::CloudWatch::Alarm", 2 * 4 + 2)
    assert len(_alarms_on(template, _lid(one, fns[0].failure_queue))) == 1
    assert [fn.shares_failure_queue for fn in fns] == [True] * 4
