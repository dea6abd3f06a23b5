"""The synth-time rules (lambda_constructs/deploy_rules.py) cost no jsii round trip per function after synthesis,
and find each function in the finished template wherever it is (a nested stack, a Stage, an overridden logical id,
an app without logical-id metadata), so values set with overrides still count (issue #21)."""

from __future__ import annotations

import traceback
from collections.abc import Callable, Iterator
from pathlib import Path

import aws_cdk as cdk
import pytest
from aws_cdk import aws_cloudfront as cloudfront
from aws_cdk import aws_cloudfront_origins as origins
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_sqs as sqs
from aws_cdk.assertions import Template
from constructs import Construct
from jsii._kernel.providers.process import _NodeProcess

from lambda_constructs import LambdaConstructsError, SecureFunction, SecureFunctionProps, assembly, deploy_rules
from lambda_constructs._jsii_speed import same_object
from lambda_constructs.triggers import EventBridgeRuleTrigger
from tests import oracles
from tests.helpers import feature_flags, new_app, new_stack

CODE = "def handler(event, context):\n    return {}\n"
ENV_ERROR = r"environment variables take 5003 bytes; Lambda allows at most 4096 bytes in total"


def _fn(scope: Construct, name: str = "Fn", **kwargs: object) -> SecureFunction:
    return SecureFunction(scope, name, SecureFunctionProps(inline_code=CODE, **kwargs))  # type: ignore[arg-type]


def _override_big(fn: SecureFunction) -> None:
    cfn = fn.function.node.default_child
    assert isinstance(cfn, lambda_.CfnFunction)
    cfn.add_property_override("Environment.Variables.BIG", "x" * 5000)  # seen only in the finished template


def _the_api_oracle_agrees() -> None:
    """The template was written before the check failed: the oracles find only the same (and are drained)."""
    found = oracles.check_recorded()
    assert all(".Environment = 5003: > 4096 bytes" in f for f in found), found


@pytest.fixture
def round_trips(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    """``<request kind> <innermost lambda_constructs function>`` of every request sent to the jsii kernel."""
    sent: list[str] = []
    original = _NodeProcess.send

    def send(self: _NodeProcess, request: object, response_type: object) -> object:
        sites = [f.name for f in traceback.extract_stack(limit=12) if "/lambda_constructs/" in f.filename]
        sent.append(f"{type(request).__name__} {sites[-1] if sites else ''}")
        return original(self, request, response_type)  # type: ignore[arg-type]

    monkeypatch.setattr(_NodeProcess, "send", send)
    yield sent


def _synth_trips(n: int, sent: list[str]) -> list[str]:
    """The requests the library sends while the app of ``n`` functions synthesizes."""
    stack = new_stack()
    for i in range(n):
        _fn(stack, f"F{i}")
    sent.clear()
    stack.node.root.synth()  # type: ignore[attr-defined]
    return list(sent)


def test_the_checks_after_synthesis_make_no_round_trip_per_function(round_trips: list[str]) -> None:
    trips = _synth_trips(6, round_trips)
    after = [s for s in trips if s.endswith((" check_synthesized", " _logical_id", " template_of"))]
    assert len(after) == 3, after  # Stage.of, outdir, templateFile: once per stack


def test_the_checks_during_synthesis_read_each_function_once(round_trips: list[str]) -> None:
    trips = _synth_trips(6, round_trips)
    by_function = [s for s in trips if s.endswith(" _rendered_many")]
    # each function's raw properties, then one resolve for the stack
    assert len(by_function) == 6 + 1, by_function
    # the edge aspect knows its L1 and the root without reading paths (the root is kept per stack)
    assert [s for s in trips if s.endswith(" visit")] == []


def test_same_object_compares_the_javascript_objects_behind_proxies() -> None:
    stack = new_stack()
    fn, other = _fn(stack), _fn(stack, "Other")
    again = fn.function.node.default_child
    assert same_object(again, fn._cfn_function) and not same_object(again, other._cfn_function)
    assert not same_object("a", "a") and not same_object(None, again)


SYNTHS: dict[str, Callable[[cdk.Stack], object]] = {
    "Template.from_stack": lambda stack: Template.from_stack(stack),
    "app.synth": lambda stack: stack.node.root.synth(),  # type: ignore[attr-defined]
}


@pytest.mark.parametrize("synth", SYNTHS.values(), ids=SYNTHS.keys())
def test_an_override_in_a_nested_stack_is_checked(synth: Callable[[cdk.Stack], object]) -> None:
    stack = new_stack()
    nested = cdk.NestedStack(stack, "Inner")
    _fn(nested, "Ok")
    _override_big(_fn(nested))
    with pytest.raises(LambdaConstructsError, match=rf"^TestStack/Inner/Fn: {ENV_ERROR}") as err:
        synth(stack)
    assert err.value.value == ["BIG"]
    _the_api_oracle_agrees()


def test_an_override_in_a_stage_is_checked() -> None:
    app = new_app()
    stage = cdk.Stage(app, "Prod")
    stack = cdk.Stack(stage, "Svc")
    _fn(stack, "Ok")
    _override_big(_fn(stack))
    with pytest.raises(LambdaConstructsError, match=rf"^Prod/Svc/Fn: {ENV_ERROR}"):
        app.synth()
    _the_api_oracle_agrees()


def test_an_overridden_logical_id_is_followed() -> None:
    stack = new_stack()
    fn = _fn(stack)
    _fn(stack, "Other")
    cfn = fn.function.node.default_child
    assert isinstance(cfn, lambda_.CfnFunction)
    cfn.override_logical_id("Renamed")
    _override_big(fn)
    with pytest.raises(LambdaConstructsError, match=rf"^TestStack/Fn: {ENV_ERROR}"):
        Template.from_stack(stack)
    _the_api_oracle_agrees()


def test_without_logical_id_metadata_the_logical_id_is_resolved() -> None:
    app = cdk.App(context={**feature_flags(), "aws:cdk:disable-logicalId-metadata": True})
    stack = cdk.Stack(app, "TestStack")
    _fn(stack, "Ok")
    _override_big(_fn(stack))
    with pytest.raises(LambdaConstructsError, match=rf"^TestStack/Fn: {ENV_ERROR}"):
        app.synth()
    _the_api_oracle_agrees()


def test_a_construct_id_with_a_slash_is_found_by_its_real_path() -> None:
    stack = new_stack()
    _fn(Construct(stack, "a"), "b")  # at TestStack/a/b: where an id "a/b" would be if paths kept the slash
    fn = _fn(stack, "a/b")
    assert fn.node.path == "TestStack/a--b"  # the constructs library rewrites it
    _override_big(fn)
    with pytest.raises(LambdaConstructsError, match=rf"^TestStack/a--b: {ENV_ERROR}"):
        Template.from_stack(stack)
    _the_api_oracle_agrees()


def test_function_properties_reads_what_the_function_renders() -> None:
    stack = new_stack()
    fn = _fn(stack, environment={"AA": "1"}, reserved_concurrent_executions=3)
    fn.function.add_environment("BB", "2")
    both = deploy_rules.functions_properties([fn, _fn(stack, "Other")], "Environment", "ReservedConcurrentExecutions")
    assert both[0] == {"Environment": {"Variables": {"AA": "1", "BB": "2"}}, "ReservedConcurrentExecutions": 3}
    assert both[0] == deploy_rules.function_properties(fn, "Environment", "ReservedConcurrentExecutions")
    assert "ReservedConcurrentExecutions" not in both[1]


def test_functions_of_several_stacks_read_together_keep_their_own_properties() -> None:
    app = new_app()
    one, two = cdk.Stack(app, "One"), cdk.Stack(app, "Two")
    queue = sqs.Queue(one, "Q")
    functions = [
        _fn(one, "A", environment={"AA": "1"}),
        _fn(two, "B", reserved_concurrent_executions=7),
        _fn(one, "C", environment={"CC": queue.queue_url}),
    ]
    read = deploy_rules.functions_properties(functions, "Environment", "ReservedConcurrentExecutions")
    assert read[0] == {"Environment": {"Variables": {"AA": "1"}}}
    assert read[1] == {"ReservedConcurrentExecutions": 7}
    assert read[2] == {"Environment": {"Variables": {"CC": one.resolve(queue.queue_url)}}}
    assert read == [
        deploy_rules.function_properties(f, "Environment", "ReservedConcurrentExecutions") for f in functions
    ]


def test_the_policy_rule_reads_each_permission_with_two_round_trips(round_trips: list[str]) -> None:
    stack = new_stack()
    fn = _fn(stack)
    for i in range(12):
        fn.add_trigger(EventBridgeRuleTrigger(event_pattern={"source": [f"app.{i}"]}), construct_id=f"Rule{i}")
    round_trips.clear()
    stack.node.root.synth()  # type: ignore[attr-defined]
    policy = [s for s in round_trips if s.endswith((" check_policy_sizes", " <listcomp>", " _rendered_many"))]
    # per permission its stack and raw properties (its path only for an error); the function's raw properties;
    # one resolve per batch; the tree search
    assert len(policy) == 12 * 2 + 1 + 2 + 2, policy


def test_after_synthesis_only_the_metadata_of_stacks_with_functions_is_read(monkeypatch: pytest.MonkeyPatch) -> None:
    app = new_app()
    stack = cdk.Stack(app, "WithFunctions")
    for i in range(3):
        _fn(stack, f"F{i}")
    sqs.Queue(cdk.Stack(app, "Other"), "Q")
    read: list[str] = []
    original = assembly.read_json

    def reading(path: Path) -> object:
        read.append(path.name)
        return original(path)

    monkeypatch.setattr(assembly, "read_json", reading)
    out = Path(app.synth().directory)
    assert not [n for n in read if n.startswith("Other")], read
    if (out / "Other.metadata.json").exists():  # aws-cdk-lib writes metadata files beside the manifest
        assert "WithFunctions.metadata.json" in read, read
    else:  # older aws-cdk-lib (the floor, 2.220) keeps each stack's metadata in manifest.json
        assert read == ["manifest.json"], read


def test_a_version_made_elsewhere_under_the_function_is_found_at_the_edge() -> None:
    stack = new_stack(env=cdk.Environment(account="111122223333", region="us-east-1"))
    fn = _fn(stack, memory_size=256, timeout=cdk.Duration.seconds(5), architecture=lambda_.Architecture.X86_64)
    version = lambda_.Version(fn, "Pinned", lambda_=fn.function)  # under fn, not under fn.function
    cloudfront.Distribution(
        stack,
        "Cdn",
        default_behavior=cloudfront.BehaviorOptions(
            origin=origins.HttpOrigin("example.com"),
            edge_lambdas=[
                cloudfront.EdgeLambda(
                    function_version=version, event_type=cloudfront.LambdaEdgeEventType.VIEWER_REQUEST
                )
            ],
        ),
    )
    with pytest.raises(LambdaConstructsError, match=r"^TestStack/Fn: this function runs at the edge .*memory 256 MB"):
        Template.from_stack(stack)


def test_a_distribution_is_recognised_by_its_jsii_reference() -> None:
    """``_is_distribution`` finds the ``CfnDistribution`` L1 of a ``Distribution`` and nothing else."""
    from aws_cdk import App, Stack
    from aws_cdk import aws_cloudfront as cloudfront
    from aws_cdk import aws_cloudfront_origins as origins
    from aws_cdk import aws_s3 as s3

    from lambda_constructs.deploy_rules import _is_distribution

    stack = Stack(App(), "S")
    bucket = s3.Bucket(stack, "Bucket")
    cloudfront.Distribution(
        stack,
        "Cdn",
        default_behavior=cloudfront.BehaviorOptions(origin=origins.S3BucketOrigin.with_origin_access_control(bucket)),
    )
    found = [node.node.path for node in stack.node.find_all() if _is_distribution(node)]
    assert found == ["S/Cdn/Resource"]
