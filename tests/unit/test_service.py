"""LambdaService: sharding over nested stacks, stable placement, budgets and errors."""

from __future__ import annotations

import dataclasses
import json
import tempfile
from pathlib import Path
from typing import Any

import aws_cdk as cdk
import pytest
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_sqs as sqs

from lambda_constructs import LambdaConstructsError, SecureFunctionProps, _compat
from lambda_constructs.service import (
    LambdaService,
    LambdaServiceProps,
    check_template_limits,
    home_shard,
)
from tests.helpers import feature_flags

PROPS = SecureFunctionProps(inline_code="def handler(event, context):\n    return 1\n")


def fast_app() -> cdk.App:
    """No cdk-nag and no built-in CloudFormation validation (seconds per stack, see docs/performance.md)."""
    return cdk.App(
        context=feature_flags(),
        outdir=tempfile.mkdtemp(prefix="cdkout-svc-"),
        **_compat.builtin_validation_kwargs(False),
    )


def build(ids: list[str], *, shards: int) -> tuple[cdk.App, LambdaService]:
    app = fast_app()
    stack = cdk.Stack(app, "Svc")
    svc = LambdaService(stack, "Orders", LambdaServiceProps(shards=shards))
    for function_id in ids:
        svc.add_function(function_id, PROPS)
    return app, svc


def synth_locations(ids: list[str], *, shards: int) -> tuple[dict[str, tuple[str, dict[str, Any]]], Path]:
    """function id → (template file, {logical id: resource}) of everything under the function."""
    app, _ = build(ids, shards=shards)
    assembly = app.synth()
    outdir = Path(assembly.directory)
    templates = {p.name: json.loads(p.read_text()) for p in outdir.glob("*.template.json")}
    located: dict[str, tuple[str, dict[str, Any]]] = {}
    for function_id in ids:
        prefix = function_id.replace("-", "")
        shard_file = [
            name
            for name, tpl in templates.items()
            if any(lid.startswith(prefix + "Function") for lid in tpl.get("Resources", {}))
        ]
        assert len(shard_file) == 1, (function_id, shard_file)
        resources = {lid: res for lid, res in templates[shard_file[0]]["Resources"].items() if lid.startswith(prefix)}
        located[function_id] = (shard_file[0], resources)
    return located, outdir


def test_home_shard_is_a_pure_function_of_the_id() -> None:
    assert home_shard("fn-001", 16) == home_shard("fn-001", 16)
    spread = {home_shard(f"fn-{i:03d}", 16) for i in range(200)}
    assert spread == set(range(16))


def test_adding_and_removing_functions_moves_no_other_function() -> None:
    ids = [f"fn-{i:03d}" for i in range(24)]
    base, _ = synth_locations(ids, shards=6)
    added, _ = synth_locations([*ids, "fn-024"], shards=6)
    removed_id = ids[12]
    removed, _ = synth_locations([i for i in ids if i != removed_id], shards=6)
    for function_id in ids:
        assert added[function_id] == base[function_id], function_id
        if function_id != removed_id:
            assert removed[function_id] == base[function_id], function_id


def test_shared_key_lives_in_the_parent_and_is_the_only_cross_stack_reference() -> None:
    ids = [f"fn-{i:03d}" for i in range(6)]
    app, svc = build(ids, shards=3)
    outdir = Path(app.synth().directory)
    parent = json.loads((outdir / "Svc.template.json").read_text())
    types = sorted(r["Type"] for r in parent["Resources"].values())
    assert types.count("AWS::KMS::Key") == 1
    assert types.count("AWS::CloudFormation::Stack") == len(svc.shard_stacks)
    refs = svc.cross_stack_references()
    assert {r.shard_id for r in refs} == {s.node.id for s in svc.shard_stacks.values()}
    for nested in outdir.glob("*.nested.template.json"):
        tpl = json.loads(nested.read_text())
        assert not any(r["Type"] == "AWS::KMS::Key" for r in tpl["Resources"].values())
        params = [p for p in tpl.get("Parameters", {}) if "SharedKey" in p]
        assert len(params) == 1, nested.name


@pytest.mark.slow
def test_600_functions_fit_every_template_and_601_moves_none() -> None:
    ids = [f"fn-{i:03d}" for i in range(600)]
    app, svc = build(ids, shards=64)
    before = {p.function_id: p.shard for p in svc.placements()}
    logical = {
        i: cdk.Stack.of(fn).get_logical_id(fn.function.node.default_child)  # type: ignore[arg-type]
        for i, fn in svc.functions.items()
    }
    outdir = Path(app.synth().directory)
    usages = check_template_limits(str(outdir), max_resources=400, max_template_bytes=800_000)
    assert len(usages) == len(svc.shard_stacks) + 1
    templates = {p.name: json.loads(p.read_text()) for p in outdir.glob("*.nested.template.json")}
    assert sum(len(t["Resources"]) for t in templates.values()) == sum(svc.shard_resources().values())
    # 601: placement is by id hash; the same id lands in the same shard under the same logical id.
    _, svc601 = build([*ids[:3], "fn-600"], shards=64)
    assert all(svc601.placement(i).shard == before[i] for i in ids[:3])
    assert {i: home_shard(i, 64) for i in ids} == before
    for function_id, lid in logical.items():
        shard_id = svc.placement(function_id).shard_id
        assert any(lid in t["Resources"] for name, t in templates.items() if shard_id in name), function_id


def test_duplicate_id_is_rejected() -> None:
    _, svc = build(["fn-1"], shards=2)
    with pytest.raises(LambdaConstructsError, match="two functions with the id 'fn-1'"):
        svc.add_function("fn-1", PROPS)


def test_a_function_larger_than_the_budget_is_rejected() -> None:
    app = fast_app()
    svc = LambdaService(cdk.Stack(app, "Svc"), "Orders", LambdaServiceProps(max_resources=6))
    with pytest.raises(LambdaConstructsError, match=r"alone has \d+ resources, more than the per-stack budget of 6"):
        svc.add_function("big", PROPS)


def test_a_full_shard_is_rejected_with_free_shards_named() -> None:
    app = fast_app()
    svc = LambdaService(cdk.Stack(app, "Svc"), "Orders", LambdaServiceProps(shards=2, max_resources=12))
    svc.add_function("a", PROPS, shard=0)
    with pytest.raises(LambdaConstructsError, match=r"shard 0 is full.*free: 1"):
        svc.add_function("b", PROPS, shard=0)


def test_aliases_added_after_add_function_are_counted_when_added() -> None:
    app = fast_app()
    svc = LambdaService(cdk.Stack(app, "Svc"), "Orders", LambdaServiceProps(shards=1, max_resources=16))
    fn = svc.add_function("a", PROPS)
    before = svc.placement("a").resources
    fn.add_alias("b", fn.latest_version)  # an alias + its EventInvokeConfig
    assert svc.placement("a").resources == before + 2
    assert svc.shard_resources() == {0: before + 2 + 1}  # + the shard's shared X-Ray policy
    for name in ("c", "d", "e"):
        fn.add_alias(name, fn.latest_version)
    with pytest.raises(
        LambdaConstructsError, match=r"function a alone has 17 resources, more than the per-stack budget"
    ):
        fn.add_alias("f", fn.latest_version)


def test_each_shard_has_one_shared_tracing_policy_counted_in_its_budget() -> None:
    from lambda_constructs.roles import STACK_TRACING_POLICY_ID

    app = fast_app()
    svc = LambdaService(cdk.Stack(app, "Svc"), "Orders", LambdaServiceProps(shards=2))
    untraced = dataclasses.replace(PROPS, tracing=lambda_.Tracing.DISABLED)
    for function_id, shard, props in (("a", 0, PROPS), ("b", 0, PROPS), ("c", 1, untraced)):
        svc.add_function(function_id, props, shard=shard)
    assembly = app.synth()
    parent = assembly.get_stack_artifact("Svc").template
    assert not any(lid.startswith(STACK_TRACING_POLICY_ID) for lid in parent["Resources"])
    counted = svc.shard_resources()
    placed = {p.shard: 0 for p in svc.placements()}
    for placement in svc.placements():
        placed[placement.shard] += placement.resources
    for index, shard in svc.shard_stacks.items():
        template = json.loads((Path(assembly.directory) / shard.template_file).read_text())
        shared = [lid for lid in template["Resources"] if lid.startswith(STACK_TRACING_POLICY_ID)]
        assert len(shared) == (1 if index == 0 else 0)  # the untraced shard has none
        assert counted[index] == len(template["Resources"]) == placed[index] + len(shared)
        roles = [r for r in template["Resources"].values() if r["Type"] == "AWS::IAM::Role"]
        listed = [{"Ref": shared[0]}] if shared else None
        assert [r["Properties"].get("ManagedPolicyArns") for r in roles] == [listed] * len(roles)


def test_resources_added_behind_the_library_fail_synth_over_the_shard_budget() -> None:
    from aws_cdk import aws_sqs as sqs

    app = fast_app()
    svc = LambdaService(cdk.Stack(app, "Svc"), "Orders", LambdaServiceProps(shards=1, max_resources=20))
    fn = svc.add_function("a", PROPS)
    for i in range(15):  # plain constructs under the function: not counted when added
        sqs.CfnQueue(fn, f"Extra{i}")
    with pytest.raises(
        Exception,
        match=r"Number of resources in stack 'Svc/Orders/Shard000': \d+ is greater than allowed maximum of 20",
    ):
        app.synth()


@pytest.mark.parametrize(
    ("props", "message"),
    [
        (LambdaServiceProps(shards=0), "shards must be between 1 and 200"),
        (LambdaServiceProps(max_resources=501), "max_resources must be between 1 and 500"),
        (LambdaServiceProps(max_template_bytes=2_000_000), "max_template_bytes must be between"),
    ],
)
def test_bad_settings_are_rejected(props: LambdaServiceProps, message: str) -> None:
    with pytest.raises(LambdaConstructsError, match=message):
        LambdaService(cdk.Stack(fast_app(), "Svc"), "Orders", props)


def test_bad_ids_and_shards_are_rejected() -> None:
    _, svc = build([], shards=2)
    with pytest.raises(LambdaConstructsError, match="without '/'"):
        svc.add_function("a/b", PROPS)
    with pytest.raises(LambdaConstructsError, match="shard of x must be between 0 and 1"):
        svc.add_function("x", PROPS, shard=2)


def test_check_template_limits_names_templates_over_budget(tmp_path: Path) -> None:
    (tmp_path / "Big.template.json").write_text(json.dumps({"Resources": {f"R{i}": {} for i in range(5)}}))
    with pytest.raises(LambdaConstructsError, match=r"Big.template.json \(5 resources"):
        check_template_limits(str(tmp_path), max_resources=4)


# ------------------------------------------------------------------------------ monitoring


def _monitored(*, monitored: bool, max_resources: int, per_function: bool = False) -> tuple[cdk.App, LambdaService]:
    app = fast_app()
    svc = LambdaService(
        cdk.Stack(app, "Svc"),
        "Orders",
        LambdaServiceProps(
            shards=1, max_resources=max_resources, monitored=monitored, failure_queue_per_function=per_function
        ),
    )
    for function_id in ("a", "b"):
        svc.add_function(function_id, PROPS)
    return app, svc


def _alarms(template: dict[str, Any]) -> list[dict[str, Any]]:
    return [r["Properties"] for r in template["Resources"].values() if r["Type"] == "AWS::CloudWatch::Alarm"]


def test_monitor_puts_alarms_in_the_shards_and_one_topic_in_the_parent() -> None:
    app, svc = _monitored(monitored=True, max_resources=45)
    top = svc.monitor()
    assembly = app.synth()
    parent = assembly.get_stack_artifact("Svc").template
    assert [r["Type"] for r in parent["Resources"].values()].count("AWS::SNS::Topic") == 1
    # One alarm on the shared failure queue, in the parent, for every function of the service.
    (queue_alarm,) = _alarms(parent)
    assert queue_alarm["MetricName"] == "ApproximateNumberOfMessagesVisible"
    assert svc.failure_queue is not None
    queue_id = cdk.Stack.of(svc).get_logical_id(svc.failure_queue.node.default_child)  # type: ignore[arg-type]
    assert queue_alarm["Dimensions"][0]["Value"] == {"Fn::GetAtt": [queue_id, "QueueName"]}
    assert set(svc.failure_queue_alarms) == {"FailureQueueDepth"}
    assert "requestContext.functionArn" in queue_alarm["AlarmDescription"]
    (nested_file,) = Path(assembly.directory).glob("*.nested.template.json")
    nested = json.loads(nested_file.read_text())
    alarms = _alarms(nested)
    # Two billed alarm metrics per function: no per-function failure-queue alarm.
    assert sorted(a["MetricName"] for a in alarms) == sorted(["Errors", "Throttles"] * 2)
    # Every alarm notifies the service's one topic, passed in as a nested-stack parameter.
    assert all(a["AlarmActions"] == [{"Ref": a["AlarmActions"][0]["Ref"]}] for a in alarms)
    assert {a["AlarmActions"][0]["Ref"] for a in alarms} <= set(nested["Parameters"])
    assert top.alarm_topic is not None and len(nested["Resources"]) <= 45
    # The topic uses the service's key: one key in the whole service.
    assert top.alarm_topic_key is svc.key
    assert [r["Type"] for r in parent["Resources"].values()].count("AWS::KMS::Key") == 1


def test_monitor_without_room_fails_with_the_fix() -> None:
    _, svc = _monitored(monitored=False, max_resources=20)
    with pytest.raises(LambdaConstructsError, match=r"over the budget of 20.*monitored=True"):
        svc.monitor()


def test_monitor_with_the_full_set_beyond_the_reserve_says_what_monitored_keeps_room_for() -> None:
    # monitored=True reserves room for the compact set only: the full set can still overflow a tight shard,
    # and the fix must not repeat "monitored=True" to a service that has it.
    from lambda_constructs.monitoring import ServiceMonitoringProps

    _, svc = _monitored(monitored=True, max_resources=31)  # the compact set's reserve fits, the full set does not
    with pytest.raises(LambdaConstructsError, match=r"over the budget of 31") as raised:
        svc.monitor(props=ServiceMonitoringProps(dashboard=False, alarm_set="full"))
    assert "keeps room for the compact alarm set" in str(raised.value)
    assert "alarm_set='full'" in str(raised.value)
    assert "declare the service with" not in str(raised.value)


def test_monitored_service_keeps_room_when_adding() -> None:
    with pytest.raises(LambdaConstructsError, match="shard 0 is full"):
        _monitored(monitored=True, max_resources=30)


def test_functions_share_one_failure_queue_in_the_parent() -> None:
    app, svc = _monitored(monitored=False, max_resources=400)
    a, b = svc.functions["a"], svc.functions["b"]
    assert a.failure_queue is b.failure_queue is svc.failure_queue and a.failure_dlq is None
    parent_stack = cdk.Stack.of(svc)
    assert svc.failure_queue is not None
    queue_id = parent_stack.get_logical_id(svc.failure_queue.node.default_child)  # type: ignore[arg-type]
    assembly = app.synth()
    parent = assembly.get_stack_artifact("Svc").template
    queues = {lid: r for lid, r in parent["Resources"].items() if r["Type"] == "AWS::SQS::Queue"}
    assert len(queues) == 2 and queues[queue_id]["Properties"]["RedrivePolicy"]["maxReceiveCount"] == 5
    assert queues[queue_id]["Properties"]["KmsMasterKeyId"] == {
        "Fn::GetAtt": [parent_stack.get_logical_id(svc.key.node.default_child), "Arn"]  # type: ignore[arg-type]
    }
    (nested_file,) = Path(assembly.directory).glob("*.nested.template.json")
    nested = json.loads(nested_file.read_text())
    assert not [r for r in nested["Resources"].values() if r["Type"] == "AWS::SQS::Queue"]
    (param,) = [p for p in nested["Parameters"] if "FailureQueue" in p]
    configs = [r["Properties"] for r in nested["Resources"].values() if r["Type"] == "AWS::Lambda::EventInvokeConfig"]
    assert len(configs) == 4  # $LATEST and the live alias of both functions
    assert all(c["DestinationConfig"]["OnFailure"]["Destination"] == {"Ref": param} for c in configs)
    assert {(r.shard_id, r.producer_path) for r in svc.cross_stack_references()} == {
        ("Shard000", "Svc/Orders/SharedKey"),
        ("Shard000", "Svc/Orders/FailureQueue"),
    }


def test_failure_queue_per_function_keeps_the_previous_design() -> None:
    app, svc = _monitored(monitored=True, max_resources=400, per_function=True)
    assert svc.failure_queue is None and svc.functions["a"].failure_dlq is not None
    svc.monitor()
    assembly = app.synth()
    parent = assembly.get_stack_artifact("Svc").template
    assert not _alarms(parent)
    assert not [r for r in parent["Resources"].values() if r["Type"] == "AWS::SQS::Queue"]
    (nested_file,) = Path(assembly.directory).glob("*.nested.template.json")
    alarms = _alarms(json.loads(nested_file.read_text()))
    assert sorted(a["MetricName"] for a in alarms) == sorted(
        ["Errors", "Throttles", "ApproximateNumberOfMessagesVisible"] * 2
    )


def test_a_function_asking_for_its_own_failure_queue_gets_it_in_a_service() -> None:
    """SecureFunctionProps(failure_queue_per_function=True) is not overridden by the service's shared queue."""
    app, svc = _monitored(monitored=True, max_resources=400)
    own = svc.add_function("own", dataclasses.replace(PROPS, failure_queue_per_function=True), shard=0)
    assert own.failure_queue is not svc.failure_queue and own.failure_dlq is not None
    assert own.key is svc.key  # its pair is encrypted with the service's key
    assert svc.functions["a"].failure_queue is svc.failure_queue
    svc.monitor()
    assembly = app.synth()
    (nested_file,) = Path(assembly.directory).glob("*.nested.template.json")
    nested = json.loads(nested_file.read_text())
    queues = [lid for lid, r in nested["Resources"].items() if r["Type"] == "AWS::SQS::Queue"]
    assert sorted(queues, key=len)[0].startswith("ownFailureQueue") and len(queues) == 2
    # Its own queue is alarmed with the function: 3 metrics for it, 2 for the others.
    assert sorted(a["MetricName"] for a in _alarms(nested)) == sorted(
        ["Errors", "Throttles"] * 3 + ["ApproximateNumberOfMessagesVisible"]
    )


def test_full_alarm_set_alarms_the_shared_queues_once() -> None:
    from lambda_constructs.monitoring import ServiceMonitoringProps

    app, svc = _monitored(monitored=False, max_resources=400)
    own = svc.add_function(
        "own", dataclasses.replace(PROPS, failure_queue=sqs.Queue(cdk.Stack.of(svc), "OwnQueue")), shard=0
    )
    top = svc.monitor(props=ServiceMonitoringProps(alarm_set="full", dashboard=True))
    assert set(svc.failure_queue_alarms) == {"FailureQueueDepth", "FailureDeadLetterQueueDepth"}
    assert own.failure_queue is not svc.failure_queue
    shard = svc.shard_stacks[0].node.find_child("Monitoring")
    per_function = {fid: set(m.alarms) for fid, m in shard.functions.items()}  # type: ignore[attr-defined]
    # No function alarms on the shared queues; a function's own queue keeps its alarm.
    assert not any("FailureQueue" in name for fid in ("a", "b") for name in per_function[fid])
    assert "FailureQueueDepth" in per_function["own"]
    assert top.dashboard is not None
    app.synth()
