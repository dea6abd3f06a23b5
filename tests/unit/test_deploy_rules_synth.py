"""The synth-time rules (lambda_constructs/deploy_rules.py) cost no jsii round trip per function after synthesis,
and find each function in the finished template wherever it is (a nested stack, a Stage, an overridden logical id,
an app without logical-id metadata), so values set with overrides still count (issue #21)."""

from __future__ import annotations

import traceback
from collections.abc import Callable, Iterator
from pathlib import Path

import aws_cdk as cdk
import jsii
import pytest
from aws_cdk import aws_cloudfront as cloudfront
from aws_cdk import aws_cloudfront_origins as origins
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_s3 as s3
from aws_cdk import aws_sqs as sqs
from aws_cdk.assertions import Template
from constructs import Construct, IConstruct
from jsii._kernel.providers.process import _NodeProcess

from lambda_constructs import (
    LambdaConstructsError,
    SecureFunction,
    SecureFunctionProps,
    _compat,
    _jsii_speed,
    assembly,
    deploy_rules,
)
from lambda_constructs._jsii_speed import find_resources, same_object
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
    app = cdk.App(
        context={**feature_flags(), "aws:cdk:disable-logicalId-metadata": True},
        **_compat.builtin_validation_kwargs(False),  # as new_app: the built-in validation is not under test here
    )
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
    _synth_trips(1, round_trips)  # the first synthesis of the process makes the tree searches' selectors
    stack = new_stack()
    fn = _fn(stack)
    for i in range(12):
        fn.add_trigger(EventBridgeRuleTrigger(event_pattern={"source": [f"app.{i}"]}), construct_id=f"Rule{i}")
    round_trips.clear()
    stack.node.root.synth()  # type: ignore[attr-defined]
    policy = [s for s in round_trips if s.endswith((" check_policy_sizes", " <listcomp>", " _rendered_many"))]
    # per permission its stack and raw properties (its path only for an error); the function's raw properties;
    # one resolve per batch
    assert len(policy) == 12 * 2 + 1 + 2, policy
    # the tree searches (the edge aspect's distributions, the validation's permissions): one select each
    # (the selectors were made by an earlier synthesis of this process), or node + findAll without selectors
    searches = [s for s in round_trips if s.endswith((" find_resources", " _edge_events"))]
    assert len(searches) == (2 if hasattr(cdk, "ConstructSelector") else 4), searches


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


# ----------------------------------------------------------------------------- the tree searches (issue #21)


def _plain_function(scope: Construct, name: str = "Plain") -> lambda_.Function:
    return lambda_.Function(
        scope, name, runtime=lambda_.Runtime.PYTHON_3_12, handler="index.handler", code=lambda_.Code.from_inline(CODE)
    )


def _permissions(fn: lambda_.Function, count: int) -> None:
    """``count`` EventBridge permissions on ``fn`` (≈ 390 bytes of policy each: 70 pass 20 KB)."""
    for i in range(count):
        fn.add_permission(
            f"Rule{i}",
            principal=iam.ServicePrincipal("events.amazonaws.com"),
            source_arn=f"arn:aws:events:us-east-1:111122223333:rule/{'r' * 40}{i}",
        )


def _tree_app() -> cdk.App:
    """An app with permissions and distributions in a library function's stack, a nested stack, a Stage and a
    stack without library functions, and a generic ``CfnResource`` of the permission type."""
    app = new_app()
    main = cdk.Stack(app, "Main")
    fn = _fn(main)
    fn.add_trigger(EventBridgeRuleTrigger(event_pattern={"source": ["app.a"]}), construct_id="RuleA")
    nested = cdk.NestedStack(main, "Nested")
    _permissions(_plain_function(nested), 2)
    for scope in (main, nested):  # releases' fingerprint searches a stack for its layer versions
        bucket = s3.Bucket.from_bucket_name(scope, "Bucket", "layers")
        lambda_.LayerVersion(scope, "Layer", code=lambda_.Code.from_bucket(bucket, "layer.zip"))
    staged = cdk.Stack(cdk.Stage(app, "Stage"), "Staged")
    _permissions(_plain_function(staged), 2)
    cdk.CfnResource(staged, "Generic", type="AWS::Lambda::Permission", properties={"Action": "lambda:InvokeFunction"})
    other = cdk.Stack(app, "Other")
    _permissions(_plain_function(other), 1)
    cloudfront.Distribution(
        other, "Cdn", default_behavior=cloudfront.BehaviorOptions(origin=origins.HttpOrigin("example.com"))
    )
    return app


@pytest.mark.parametrize("selector", [True, False], ids=["ConstructSelector", "find_all"])
def test_find_resources_selects_what_find_all_selects(selector: bool, monkeypatch: pytest.MonkeyPatch) -> None:
    """The selector (aws-cdk-lib with the Mixins API) and ``find_all`` (older ones) give their callers the same L1s,
    in the same order, wherever they are (nested stacks, Stages, stacks without library functions)."""
    if selector and not hasattr(cdk, "ConstructSelector"):
        pytest.skip("aws-cdk-lib without ConstructSelector: find_resources uses find_all")
    monkeypatch.setattr(_jsii_speed, "_SELECTORS", {})
    if not selector:
        monkeypatch.delattr(cdk, "ConstructSelector", raising=False)
    app = _tree_app()
    everything = app.node.find_all()
    for cfn_type, wanted in (
        ("AWS::Lambda::Permission", lambda node: isinstance(node, lambda_.CfnPermission)),
        ("AWS::CloudFront::Distribution", deploy_rules._is_distribution),
        ("AWS::Lambda::LayerVersion", lambda node: isinstance(node, lambda_.CfnLayerVersion)),
    ):
        found = [node for node in find_resources(app, cfn_type) if wanted(node)]
        expected = [node for node in everything if wanted(node)]
        assert [n.node.path for n in found] == [n.node.path for n in expected]
        assert all(same_object(a, b) for a, b in zip(found, expected, strict=True))
    permissions = [n.node.path for n in everything if isinstance(n, lambda_.CfnPermission)]
    assert {"Main/Nested/Plain/Rule0", "Stage/Staged/Plain/Rule1", "Other/Plain/Rule0"} <= set(permissions)
    if selector:  # only the L1s of the type cross to Python: the permissions and the generic resource of that type
        paths = [n.node.path for n in find_resources(app, "AWS::Lambda::Permission")]
        assert sorted(paths) == sorted([*permissions, "Stage/Staged/Generic"])


class _LatePermissions:
    """An aspect adding permissions to a function when it visits it: after the edge aspect's search."""

    def __init__(self, fn: lambda_.Function, count: int) -> None:
        self._fn, self._count, self._done = fn, count, False

    def visit(self, node: IConstruct) -> None:
        if not self._done and same_object(node, self._fn):
            self._done = True
            _permissions(self._fn, self._count)


PLACES = ["stack without library functions", "nested stack", "stage", "added by a later aspect"]


@pytest.mark.parametrize("place", PLACES)
def test_the_policy_rule_sees_permissions_anywhere_in_the_app(place: str) -> None:
    """The validation searches the whole app when it runs: not only the stacks holding library functions, and
    after every aspect (so its search cannot be shared with the edge aspect's, which runs earlier)."""
    app = new_app()
    _fn(cdk.Stack(app, "Main"))
    if place == "nested stack":
        target = _plain_function(cdk.NestedStack(cdk.Stack(app, "Other"), "Nested"))
    elif place == "stage":
        target = _plain_function(cdk.Stack(cdk.Stage(app, "Stage"), "Other"))
    else:
        target = _plain_function(cdk.Stack(app, "Other"))
    if place == "added by a later aspect":
        cdk.Aspects.of(target).add(
            jsii.implements(cdk.IAspect)(_LatePermissions)(target, 70), priority=cdk.AspectPriority.READONLY
        )
    else:
        _permissions(target, 70)
    with pytest.raises(LambdaConstructsError, match=r"its resource-based policy would take ~[\d,]+ bytes for 70 perm"):
        app.synth()


def test_a_distribution_in_a_stack_without_library_functions_is_found_at_the_edge() -> None:
    app = new_app()
    env = cdk.Environment(account="111122223333", region="us-east-1")
    fn = _fn(cdk.Stack(app, "Main", env=env), memory_size=256, timeout=cdk.Duration.seconds(5))
    cloudfront.Distribution(
        cdk.Stack(app, "Cdn", env=env),
        "Cdn",
        default_behavior=cloudfront.BehaviorOptions(
            origin=origins.HttpOrigin("example.com"),
            edge_lambdas=[
                cloudfront.EdgeLambda(
                    function_version=fn.function.current_version,
                    event_type=cloudfront.LambdaEdgeEventType.VIEWER_REQUEST,
                )
            ],
        ),
    )
    with pytest.raises(LambdaConstructsError, match=r"^Main/Fn: this function runs at the edge .*memory 256 MB"):
        app.synth()


# ----------------------------------------------------------------------------- the shared X-Ray policy

SHARED_POLICY_ERROR = r"LambdaConstructsTracingPolicy: the stack's shared X-Ray policy must hold only the library's"
SHARED_POLICY_FIX = r"Fix: grant a function what it needs on its own role: fn\.owned_role\.add_to_principal_policy"


def _s3_read() -> iam.PolicyStatement:
    return iam.PolicyStatement(actions=["s3:GetObject"], resources=["*"])


def test_a_statement_added_to_the_shared_tracing_policy_of_one_function_fails_synthesis() -> None:
    stack = new_stack(name="Only")
    fn = _fn(stack)
    assert fn.owned_role is not None and fn.owned_role.tracing_policy is not None
    fn.owned_role.tracing_policy.add_statements(_s3_read())
    with pytest.raises(LambdaConstructsError) as raised:
        stack.node.root.synth()  # type: ignore[attr-defined]
    message = str(raised.value)
    assert message.startswith("Only/LambdaConstructsTracingPolicy: ")
    # new_app's feature flags hold @aws-cdk/aws-iam:minimizePolicies: aws-cdk-lib merged it into the X-Ray statement
    assert "renders 1 statement(s)" in message
    assert "(got [{'Action': ['s3:GetObject', 'xray:PutTelemetryRecords', 'xray:PutTraceSegments']" in message
    assert "fn.owned_role.add_to_principal_policy(statement)" in message
    assert "fn.function.add_to_role_policy(statement)" in message


def test_a_statement_added_to_the_shared_policy_document_fails_synthesis_too() -> None:
    stack = new_stack()
    fn = _fn(stack)
    assert fn.owned_role is not None and fn.owned_role.tracing_policy is not None
    bucket_objects = iam.PolicyStatement(actions=["s3:GetObject"], resources=["arn:aws:s3:::bucket/*"])
    fn.owned_role.tracing_policy.document.add_statements(bucket_objects)  # not merged: another resource
    with pytest.raises(LambdaConstructsError, match=f"^TestStack/{SHARED_POLICY_ERROR}.*{SHARED_POLICY_FIX}") as raised:
        Template.from_stack(stack)
    message = str(raised.value)
    assert "renders 2 statement(s)" in message
    assert "(got [{'Action': 's3:GetObject', 'Effect': 'Allow', 'Resource': 'arn:aws:s3:::bucket/*'}])" in message


def test_the_shared_policy_of_a_nested_stack_is_checked() -> None:
    stack = new_stack(name="Parent")
    fn = _fn(cdk.NestedStack(stack, "Nested"))
    assert fn.owned_role is not None and fn.owned_role.tracing_policy is not None
    fn.owned_role.tracing_policy.add_statements(_s3_read())
    with pytest.raises(LambdaConstructsError, match=f"^Parent/Nested/{SHARED_POLICY_ERROR}"):
        stack.node.root.synth()  # type: ignore[attr-defined]


def test_the_shared_policy_of_a_service_shard_is_checked() -> None:
    from lambda_constructs.service import LambdaService, LambdaServiceProps

    stack = new_stack(name="Svc")
    svc = LambdaService(stack, "Orders", LambdaServiceProps(shards=2))
    svc.add_function("a", SecureFunctionProps(inline_code=CODE), shard=0)
    fn = svc.add_function("b", SecureFunctionProps(inline_code=CODE), shard=1)
    assert fn.owned_role is not None and fn.owned_role.tracing_policy is not None
    fn.owned_role.tracing_policy.add_statements(_s3_read())
    with pytest.raises(LambdaConstructsError, match=f"^Svc/Orders/[^/]+/{SHARED_POLICY_ERROR}") as raised:
        stack.node.root.synth()  # type: ignore[attr-defined]
    assert not getattr(raised.value, "__notes__", None)  # the other shard's policy is untouched


def test_only_the_modified_stack_of_two_fails() -> None:
    app = new_app()
    _fn(cdk.Stack(app, "One"))
    fn = _fn(cdk.Stack(app, "Two"))
    assert fn.owned_role is not None and fn.owned_role.tracing_policy is not None
    fn.owned_role.tracing_policy.add_statements(_s3_read())
    with pytest.raises(LambdaConstructsError, match=f"^Two/{SHARED_POLICY_ERROR}") as raised:
        app.synth()
    assert not getattr(raised.value, "__notes__", None)


def test_the_modified_shared_policy_of_another_app_does_not_fail_this_one() -> None:
    other = _fn(new_stack(name="Other"))
    assert other.owned_role is not None and other.owned_role.tracing_policy is not None
    other.owned_role.tracing_policy.add_statements(_s3_read())  # never synthesized
    stack = new_stack()
    _fn(stack)
    Template.from_stack(stack)


def test_untouched_shared_policies_and_stacks_without_tracing_synthesize() -> None:
    app = new_app()
    _fn(cdk.Stack(app, "Traced"))
    _fn(cdk.Stack(app, "Untraced"), tracing=lambda_.Tracing.DISABLED)
    fn = _fn(cdk.Stack(app, "Attached"))
    assert fn.owned_role is not None and fn.owned_role.tracing_policy is not None
    # Another principal attached to it gets only the X-Ray statement: allowed.
    fn.owned_role.tracing_policy.attach_to_role(
        iam.Role(fn.stack, "Mine", assumed_by=iam.ServicePrincipal("lambda.amazonaws.com"))
    )
    # X-Ray statements added to a role go to its own TracingPolicy, not the shared one.
    fn.owned_role.add_to_principal_policy(iam.PolicyStatement(actions=["xray:GetSamplingRules"], resources=["*"]))
    app.synth()


def test_the_shared_policy_check_costs_two_round_trips_per_shared_policy(round_trips: list[str]) -> None:
    _fn(new_stack(name="ElsewhereInTheProcess"))  # another app's policy: no round trip for it
    app = new_app()
    for name in ("A", "B", "C"):
        stack = cdk.Stack(app, name)
        _fn(stack)
        _fn(stack, "G")
    _fn(cdk.Stack(app, "Untraced"), tracing=lambda_.Tracing.DISABLED)
    round_trips.clear()
    app.synth()
    check = [s for s in round_trips if s.endswith(" shared_tracing_policy_errors")]
    assert len(check) == 2 * 3, check


def test_the_shared_policy_check_costs_nothing_without_a_shared_policy(round_trips: list[str]) -> None:
    app = new_app()
    _fn(cdk.Stack(app, "Untraced"), tracing=lambda_.Tracing.DISABLED)
    round_trips.clear()
    app.synth()
    assert not [s for s in round_trips if s.endswith(" shared_tracing_policy_errors")]


@pytest.mark.parametrize("enabled", [True, False])
def test_reading_the_assembly_runs_no_garbage_collection_and_restores_the_collector(
    enabled: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The parsed templates and metadata hold no cycles; a full collection they triggered walked the whole app
    for nothing (≈ 50–60 ms at 40 functions). With thresholds of 1 every allocation would collect."""
    import gc

    app = new_app()
    stack = cdk.Stack(app, "S")
    for index in range(3):
        SecureFunction(stack, f"Fn{index}", SecureFunctionProps(inline_code=CODE))
    app.synth()  # the boundary runs the check once; run it again below, watched while it reads the assembly
    root = app.node.root
    reading = [False]
    collections: list[int] = []
    check_templates = deploy_rules._check_templates

    def watched(registry: object) -> None:
        reading[0] = True
        try:
            check_templates(registry)  # type: ignore[arg-type]
        finally:
            reading[0] = False

    def watch(phase: str, info: dict[str, int]) -> None:
        if phase == "start" and reading[0]:
            collections.append(info["generation"])

    monkeypatch.setattr(deploy_rules, "_check_templates", watched)
    thresholds = gc.get_threshold()
    was_enabled = gc.isenabled()
    gc.callbacks.append(watch)
    gc.set_threshold(1, 1, 1)
    try:
        (gc.enable if enabled else gc.disable)()
        deploy_rules.check_synthesized(root)
        after = gc.isenabled()
    finally:
        gc.callbacks.remove(watch)
        gc.set_threshold(*thresholds)
        (gc.enable if was_enabled else gc.disable)()
    assert collections == []
    assert after is enabled
