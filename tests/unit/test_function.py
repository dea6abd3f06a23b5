"""SecureFunction: every default asserted in the template, every bad input rejected at synth."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import botocore.loaders  # type: ignore[import-untyped]
import pytest
from aws_cdk import Annotations as CdkAnnotations
from aws_cdk import CfnParameter, Duration, NestedStack, Size, Stack, Token
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_sqs as sqs
from aws_cdk.assertions import Annotations, Match, Template

from lambda_constructs import LambdaConstructsError, SecureFunction, SecureFunctionProps
from lambda_constructs.compliance import ACKNOWLEDGED_RULES_KEY, LIBRARY_ACKNOWLEDGEMENTS, AcknowledgementKey
from lambda_constructs.function import TRACING_MODES
from lambda_constructs.roles import STACK_TRACING_POLICY_ID
from lambda_constructs.runtimes import latest_python
from lambda_constructs.validation import RESERVED_ENV_NAMES
from tests import oracles
from tests.helpers import nag_findings, new_app, new_stack

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "handlers"
OK_DIR = FIXTURES / "ok"


def make(**overrides: Any) -> tuple[SecureFunction, Template]:
    stack = new_stack()
    props = SecureFunctionProps(**{"code_dir": OK_DIR, **overrides})
    fn = SecureFunction(stack, "Fn", props)
    return fn, Template.from_stack(stack)


@pytest.fixture(scope="module")
def default() -> tuple[SecureFunction, Template]:
    return make()


def only(template: Template, type_: str) -> tuple[str, dict[str, Any]]:
    resources = template.find_resources(type_)
    assert len(resources) == 1, f"expected one {type_}, got {list(resources)}"
    return next(iter(resources.items()))


# --------------------------------------------------------------------------- defaults


def test_function_defaults(default: tuple[SecureFunction, Template]) -> None:
    _, template = default
    template.has_resource_properties(
        "AWS::Lambda::Function",
        {
            "Runtime": latest_python().name,
            "Handler": "app.handler",
            "Architectures": ["arm64"],
            "MemorySize": 512,
            "Timeout": 30,
            "EphemeralStorage": {"Size": 512},
            "TracingConfig": {"Mode": "Active"},
            "KmsKeyArn": {"Fn::GetAtt": [Match.string_like_regexp("^LambdaConstructsKey"), "Arn"]},
            "LoggingConfig": {
                "LogFormat": "JSON",
                "ApplicationLogLevel": "INFO",
                "SystemLogLevel": "INFO",
                "LogGroup": {"Ref": Match.string_like_regexp("^FnLogGroup")},
            },
        },
    )


def test_latest_python_runtime_is_newest_known() -> None:
    versions = [
        tuple(int(p) for p in name.removeprefix("PYTHON_").split("_"))
        for name in dir(lambda_.Runtime)
        if name.startswith("PYTHON_3_")
    ]
    assert latest_python().name == "python" + ".".join(map(str, max(versions)))


def test_role_has_no_aws_managed_or_inline_policies(default: tuple[SecureFunction, Template]) -> None:
    _, template = default
    _, role = only(template, "AWS::IAM::Role")
    # The only policy the role lists itself is the stack's shared X-Ray policy, a customer-managed policy of
    # this template (no AWS managed policy ARN); its other policies name the role in their Roles.
    (shared,) = (
        logical_id
        for logical_id in template.find_resources("AWS::IAM::ManagedPolicy")
        if logical_id.startswith("LambdaConstructsTracingPolicy")
    )
    assert role["Properties"]["ManagedPolicyArns"] == [{"Ref": shared}]
    assert role["Properties"]["AssumeRolePolicyDocument"]["Statement"][0]["Principal"] == {
        "Service": "lambda.amazonaws.com"
    }
    template.resource_count_is("AWS::IAM::Policy", 0)


def test_policy_statements_are_scoped(default: tuple[SecureFunction, Template]) -> None:
    _, template = default
    template.has_resource_properties(
        "AWS::IAM::ManagedPolicy",
        {
            "PolicyDocument": {
                "Statement": Match.array_with(
                    [
                        {
                            "Action": ["logs:CreateLogStream", "logs:PutLogEvents"],
                            "Effect": "Allow",
                            "Resource": {"Fn::GetAtt": [Match.string_like_regexp("^FnLogGroup"), "Arn"]},
                        },
                        {
                            # decrypt env vars; encrypt failure-queue messages with the same key
                            "Action": ["kms:Decrypt", "kms:GenerateDataKey"],
                            "Effect": "Allow",
                            "Resource": {"Fn::GetAtt": [Match.string_like_regexp("^LambdaConstructsKey"), "Arn"]},
                        },
                        {
                            "Action": "sqs:SendMessage",
                            "Effect": "Allow",
                            # the stack's shared failure queue
                            "Resource": {
                                "Fn::GetAtt": [Match.string_like_regexp("^LambdaConstructsFailureQueue"), "Arn"]
                            },
                        },
                    ]
                )
            }
        },
    )
    # Wildcard resources exist only in the tracing policy (X-Ray has no resource-level permissions).
    for logical_id, policy in template.find_resources("AWS::IAM::ManagedPolicy").items():
        for statement in policy["Properties"]["PolicyDocument"]["Statement"]:
            if statement["Resource"] == "*":
                assert logical_id.startswith("LambdaConstructsTracingPolicy"), logical_id
                assert all(action.startswith("xray:") for action in statement["Action"])


def test_log_group_retained_encrypted_one_year(default: tuple[SecureFunction, Template]) -> None:
    _, template = default
    template.has_resource(
        "AWS::Logs::LogGroup",
        {
            "Properties": {
                "RetentionInDays": 365,
                "KmsKeyId": {"Fn::GetAtt": [Match.string_like_regexp("^LambdaConstructsKey"), "Arn"]},
            },
            "DeletionPolicy": "Retain",
            "UpdateReplacePolicy": "Retain",
        },
    )


def test_key_rotates_is_retained_and_lets_logs_use_it(default: tuple[SecureFunction, Template]) -> None:
    _, template = default
    template.has_resource(
        "AWS::KMS::Key",
        {
            "Properties": {
                "EnableKeyRotation": True,
                "KeyPolicy": {
                    "Statement": Match.array_with(
                        [
                            Match.object_like(
                                {
                                    "Sid": "AllowCloudWatchLogsOfThisAccountAndRegion",
                                    "Condition": {"ArnLike": {"kms:EncryptionContext:aws:logs:arn": Match.any_value()}},
                                }
                            )
                        ]
                    )
                },
            },
            "DeletionPolicy": "Retain",
        },
    )


def test_failure_queue_encrypted_tls_only_with_redrive(default: tuple[SecureFunction, Template]) -> None:
    _, template = default
    template.resource_count_is("AWS::SQS::Queue", 2)
    template.has_resource(
        "AWS::SQS::Queue",
        {
            "Properties": {
                "KmsMasterKeyId": {"Fn::GetAtt": [Match.string_like_regexp("^LambdaConstructsKey"), "Arn"]},
                "RedrivePolicy": {
                    "deadLetterTargetArn": {
                        "Fn::GetAtt": [Match.string_like_regexp("^LambdaConstructsFailureDeadLetterQueue"), "Arn"]
                    },
                    "maxReceiveCount": 5,
                },
                "MessageRetentionPeriod": 1209600,
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


def test_async_settings_on_latest_and_alias(default: tuple[SecureFunction, Template]) -> None:
    _, template = default
    configs = template.find_resources(
        "AWS::Lambda::EventInvokeConfig",
        {
            "Properties": {
                "MaximumRetryAttempts": 2,
                "MaximumEventAgeInSeconds": 21600,
                "DestinationConfig": {
                    "OnFailure": {
                        "Destination": {
                            "Fn::GetAtt": [Match.string_like_regexp("^LambdaConstructsFailureQueue"), "Arn"]
                        }
                    }
                },
            }
        },
    )
    qualifiers = [config["Properties"]["Qualifier"] for config in configs.values()]
    assert "$LATEST" in qualifiers and len(qualifiers) == 2


def test_live_alias_on_latest(default: tuple[SecureFunction, Template]) -> None:
    fn, template = default
    template.has_resource_properties("AWS::Lambda::Alias", {"Name": "live", "FunctionVersion": "$LATEST"})
    assert set(fn.aliases) == {"live"}
    assert fn.target() is fn.aliases["live"]


def test_typed_attributes(default: tuple[SecureFunction, Template]) -> None:
    fn, _ = default
    assert isinstance(fn.function, lambda_.Function)
    assert isinstance(fn.role, iam.Role)
    assert fn.failure_dlq is not None
    assert fn.key is not None and fn.log_group is not None and fn.failure_queue is not None


def test_unknown_alias_target_fails(default: tuple[SecureFunction, Template]) -> None:
    fn, _ = default
    with pytest.raises(LambdaConstructsError, match=r"no alias named 'Prod'.*live"):
        fn.target("Prod")


def test_default_function_passes_all_five_packs() -> None:
    app = new_app(nag=True)
    SecureFunction(new_stack(app), "Fn", SecureFunctionProps(code_dir=OK_DIR))
    assert nag_findings(app) == []


def test_environment_is_set_and_encrypted() -> None:
    _, template = make(environment={"TABLE": "orders", "LOG_LEVEL": "DEBUG"})
    template.has_resource_properties(
        "AWS::Lambda::Function",
        {
            "Environment": {"Variables": {"TABLE": "orders", "LOG_LEVEL": "DEBUG"}},
            "KmsKeyArn": Match.any_value(),
        },
    )


def test_explicit_settings_reach_the_template() -> None:
    _, template = make(
        architecture=lambda_.Architecture.X86_64,
        memory_size=2048,
        timeout=Duration.minutes(15),
        ephemeral_storage_size=Size.gibibytes(10),
        reserved_concurrent_executions=5,
        retry_attempts=0,
        max_event_age=Duration.minutes(1),
        application_log_level=lambda_.ApplicationLogLevel.WARN,
        system_log_level=lambda_.SystemLogLevel.DEBUG,
    )
    template.has_resource_properties(
        "AWS::Lambda::Function",
        {
            "Architectures": ["x86_64"],
            "MemorySize": 2048,
            "Timeout": 900,
            "EphemeralStorage": {"Size": 10240},
            "ReservedConcurrentExecutions": 5,
            "LoggingConfig": Match.object_like({"ApplicationLogLevel": "WARN", "SystemLogLevel": "DEBUG"}),
        },
    )
    template.has_resource_properties(
        "AWS::Lambda::EventInvokeConfig", {"MaximumRetryAttempts": 0, "MaximumEventAgeInSeconds": 60}
    )


def test_permissions_boundary_on_created_role() -> None:
    stack = new_stack()
    boundary = iam.ManagedPolicy.from_managed_policy_arn(stack, "Boundary", "arn:aws:iam::123456789012:policy/boundary")
    SecureFunction(stack, "Fn", SecureFunctionProps(code_dir=OK_DIR, permissions_boundary=boundary))
    Template.from_stack(stack).has_resource_properties(
        "AWS::IAM::Role", {"PermissionsBoundary": "arn:aws:iam::123456789012:policy/boundary"}
    )


def test_bring_your_own_role_creates_no_role() -> None:
    stack = new_stack()
    role = iam.Role(stack, "Mine", assumed_by=iam.ServicePrincipal("lambda.amazonaws.com"))
    fn = SecureFunction(stack, "Fn", SecureFunctionProps(code_dir=OK_DIR, role=role))
    template = Template.from_stack(stack)
    template.resource_count_is("AWS::IAM::Role", 1)
    assert fn.role is role


def test_inline_code_and_nested_handler() -> None:
    _, template = make(code_dir=None, inline_code="def handler(event, context):\n    return 1\n")
    template.has_resource_properties(
        "AWS::Lambda::Function",
        {"Handler": "index.handler", "Code": {"ZipFile": Match.string_like_regexp("def handler")}},
    )
    _, template = make(code_dir=FIXTURES, handler="pkg/sub/worker.main")
    template.has_resource_properties("AWS::Lambda::Function", {"Handler": "pkg/sub/worker.main"})
    _, template = make(code_dir=FIXTURES, handler="pkg.sub.worker.main")
    template.has_resource_properties("AWS::Lambda::Function", {"Handler": "pkg.sub.worker.main"})


def test_token_values_skip_range_checks() -> None:
    stack = new_stack()
    memory = CfnParameter(stack, "Memory", type="Number").value_as_number
    SecureFunction(stack, "Fn", SecureFunctionProps(code_dir=OK_DIR, memory_size=memory))
    assert Token.is_unresolved(memory)
    Template.from_stack(stack).has_resource_properties("AWS::Lambda::Function", {"MemorySize": {"Ref": "Memory"}})


def test_reserved_concurrency_zero_warns_and_can_be_acknowledged() -> None:
    stack = new_stack()
    fn = SecureFunction(stack, "Fn", SecureFunctionProps(code_dir=OK_DIR, reserved_concurrent_executions=0))
    Annotations.from_stack(stack).has_warning("/TestStack/Fn", Match.string_like_regexp("throttles every invocation"))
    stack2 = new_stack(name="Acked")
    fn2 = SecureFunction(stack2, "Fn", SecureFunctionProps(code_dir=OK_DIR, reserved_concurrent_executions=0))
    CdkAnnotations.of(fn2).acknowledge_warning(
        "lambda-constructs:reservedConcurrencyZero", "paused on purpose during a migration"
    )
    Annotations.from_stack(stack2).has_no_warning("*", Match.string_like_regexp("throttles every invocation"))
    assert fn.function is not None


# ------------------------------------------------------------------------- bad input


BAD_INPUTS: list[tuple[dict[str, Any], str]] = [
    ({"memory_size": 127}, r"memory_size must be between 128 and 10240 MB \(got 127\)"),
    ({"memory_size": 10241}, r"memory_size must be between 128 and 10240 MB \(got 10241\)"),
    ({"timeout": Duration.seconds(0)}, r"timeout must be between 1 and 900 seconds \(got 0\.0\)"),
    ({"timeout": Duration.seconds(901)}, r"timeout must be between 1 and 900 seconds \(got 901\.0\)"),
    ({"ephemeral_storage_size": Size.mebibytes(511)}, r"ephemeral_storage_size .*512 and 10240 MB \(got 511\.0\)"),
    ({"ephemeral_storage_size": Size.mebibytes(10241)}, r"ephemeral_storage_size .*\(got 10241\.0\)"),
    ({"environment": {"1ABC": "x"}}, r"names must match .*\(got '1ABC'\)"),
    ({"environment": {"A-B": "x"}}, r"names must match .*\(got 'A-B'\)"),
    ({"environment": {"A": "x"}}, r"names must match .*\(got 'A'\)"),
    ({"environment": {"AWS_REGION": "eu-west-1"}}, r"AWS_REGION is reserved"),
    ({"environment": {"_HANDLER": "x"}}, r"_HANDLER is reserved"),
    ({"environment": {"LAMBDA_TASK_ROOT": "x"}}, r"LAMBDA_TASK_ROOT is reserved"),
    ({"environment": {"BIG": "x" * 4094}}, r"take 4097 bytes; Lambda allows at most 4096"),
    ({"handler": "app"}, r"handler is not of the python.* form module\.function.*\(got 'app'\)"),
    ({"handler": "app.handler-x"}, r"handler is not of the .* form"),
    ({"handler": "missing.handler"}, r"code_dir has no module for handler missing\.handler"),
    ({"handler": "app.other"}, r"app\.py defines no top-level other"),
    ({"code_dir": FIXTURES / "nope"}, r"code_dir is not a folder"),
    ({"code_dir": FIXTURES / "nofunc"}, r"defines no top-level handler"),
    ({"retry_attempts": 3}, r"retry_attempts must be between 0 and 2 \(got 3\)"),
    ({"retry_attempts": -1}, r"retry_attempts must be between 0 and 2 \(got -1\)"),
    ({"max_event_age": Duration.seconds(59)}, r"max_event_age must be between 60 and 21600 seconds \(got 59\.0\)"),
    ({"max_event_age": Duration.seconds(21601)}, r"max_event_age .*\(got 21601\.0\)"),
    (
        {"reserved_concurrent_executions": -1},
        r"reserved_concurrent_executions must be at least 0 \(got -1\)\. Fix: set reserved_concurrent_executions to 0 "
        r"or more$",
    ),
    ({"role_description": "x", "role": "ROLE"}, r"role= cannot be combined with role options"),
    ({"inline_code": "def handler(e, c): pass"}, r"exactly one of code_dir and inline_code"),
    ({"code_dir": None}, r"exactly one of code_dir and inline_code"),
    ({"code_dir": None, "inline_code": "#" * 4097}, r"inline_code has 4097 characters"),
    # Wrong types a newcomer writes (were "cannot create weak reference to 'int' object" / "'<=' not supported").
]


def test_reserved_concurrency_has_lambdas_bounds_min_0_and_no_max() -> None:
    """It said "must be between 0 and 1e+09": a maximum Lambda does not have, printed as no one writes it. The
    bounds are botocore's lambda model's; the account quota is checked at synth (deploy_rules.check_concurrency)."""
    shape = botocore.loaders.Loader().load_service_model("lambda", "service-2")["shapes"][
        "ReservedConcurrentExecutions"
    ]
    assert (shape["type"], shape.get("min"), shape.get("max")) == ("integer", 0, None)
    stack = new_stack()
    SecureFunction(stack, "Fn", SecureFunctionProps(code_dir=OK_DIR, reserved_concurrent_executions=2_000_000_000))
    functions = Template.from_stack(stack).find_resources("AWS::Lambda::Function")
    assert [f["Properties"]["ReservedConcurrentExecutions"] for f in functions.values()] == [2_000_000_000]


@pytest.mark.parametrize(("overrides", "message"), BAD_INPUTS, ids=[m[:40] for _, m in BAD_INPUTS])
def test_bad_input_fails_at_synth(overrides: dict[str, Any], message: str) -> None:
    stack = new_stack()
    if overrides.get("role") == "ROLE":
        overrides = {
            **overrides,
            "role": iam.Role(stack, "Mine", assumed_by=iam.ServicePrincipal("lambda.amazonaws.com")),
        }
    with pytest.raises(LambdaConstructsError, match=message) as caught:
        SecureFunction(stack, "Fn", SecureFunctionProps(**{"code_dir": OK_DIR, **overrides}))
    error = caught.value
    assert isinstance(error, ValueError)
    assert str(error).startswith("TestStack/Fn: ")
    assert "Fix: " in str(error)


def test_reserved_names_cover_the_documented_list() -> None:
    for name in ("AWS_LAMBDA_FUNCTION_NAME", "AWS_LAMBDA_RUNTIME_API", "AWS_SESSION_TOKEN", "_X_AMZN_TRACE_ID"):
        assert name in RESERVED_ENV_NAMES
    # Settable by users (not reserved): the exec wrapper and X-Ray settings.
    assert "AWS_LAMBDA_EXEC_WRAPPER" not in RESERVED_ENV_NAMES


def test_paths_stack_and_latest_version_are_read_once_and_are_right() -> None:
    from aws_cdk import Stack, Stage
    from constructs import Construct

    from lambda_constructs.function import child_path

    stage = Stage(new_app(), "Prod")
    stack = Stack(stage, "Svc")
    group = Construct(stack, "Group")
    fn = SecureFunction(group, "Fn", SecureFunctionProps(code_dir=OK_DIR))
    assert fn._path == fn.node.path == "Prod/Svc/Group/Fn"
    assert child_path(group, "Other") == "Prod/Svc/Group/Other"
    assert fn.stack is Stack.of(fn)
    assert fn.latest_version is fn.latest_version
    assert fn.latest_version.version == "$LATEST"
    description = Template.from_stack(stack).find_resources("AWS::IAM::Role")
    assert [r["Properties"]["Description"] for r in description.values()] == ["Execution role of Prod/Svc/Group/Fn"]


def test_tracing_statement_is_alone_in_the_tracing_policy(default: tuple[SecureFunction, Template]) -> None:
    _, template = default
    policies = template.find_resources("AWS::IAM::ManagedPolicy")
    tracing = [p for logical_id, p in policies.items() if "TracingPolicy" in logical_id]
    assert len(tracing) == 1
    assert tracing[0]["Properties"]["PolicyDocument"]["Statement"] == [
        {"Action": ["xray:PutTelemetryRecords", "xray:PutTraceSegments"], "Effect": "Allow", "Resource": "*"}
    ]
    grants = [p for logical_id, p in policies.items() if "TracingPolicy" not in logical_id]
    assert all("xray" not in str(p["Properties"]["PolicyDocument"]) for p in grants)


@pytest.mark.parametrize("tracing", list(TRACING_MODES))
def test_tracing_is_written_as_aws_cdk_lib_writes_it(tracing: lambda_.Tracing) -> None:
    # The oracle: aws_lambda.Function given the same tracing (the library writes mode and statement itself).
    stack = new_stack()
    lambda_.Function(
        stack,
        "Plain",
        runtime=latest_python(),
        handler="index.handler",
        code=lambda_.Code.from_inline("x"),
        tracing=tracing,
    )
    SecureFunction(stack, "Fn", SecureFunctionProps(inline_code="def handler(e, c):\n    return 1\n", tracing=tracing))
    template = Template.from_stack(stack)
    functions = template.find_resources("AWS::Lambda::Function")
    modes = {logical_id[:2]: f["Properties"]["TracingConfig"] for logical_id, f in functions.items()}
    assert modes == {"Pl": {"Mode": TRACING_MODES[tracing]}, "Fn": {"Mode": TRACING_MODES[tracing]}}
    (cdk_policy,) = template.find_resources("AWS::IAM::Policy").values()  # the plain function's default policy
    (tracing_policy,) = (
        p
        for logical_id, p in template.find_resources("AWS::IAM::ManagedPolicy").items()
        if "TracingPolicy" in logical_id
    )
    assert (
        tracing_policy["Properties"]["PolicyDocument"]["Statement"]
        == cdk_policy["Properties"]["PolicyDocument"]["Statement"]
    )


def test_tracing_disabled_writes_no_mode_and_no_tracing_policy_until_a_statement_needs_it() -> None:
    stack = new_stack()
    fn = SecureFunction(stack, "Fn", SecureFunctionProps(code_dir=OK_DIR, tracing=lambda_.Tracing.DISABLED))
    assert fn.owned_role is not None and fn.owned_role.tracing_policy is None
    assert "TracingConfig" not in only(Template.from_stack(stack), "AWS::Lambda::Function")[1]["Properties"]
    fn.function.add_to_role_policy(iam.PolicyStatement(actions=["xray:GetSamplingRules"], resources=["*"]))
    assert fn.owned_role.tracing_policy is not None  # routed as before, created on first use


def test_tracing_of_a_role_you_bring_is_added_by_aws_cdk_lib() -> None:
    stack = new_stack()
    role = iam.Role(stack, "Mine", assumed_by=iam.ServicePrincipal("lambda.amazonaws.com"))
    SecureFunction(stack, "Fn", SecureFunctionProps(code_dir=OK_DIR, role=role))
    template = Template.from_stack(stack)
    template.has_resource_properties("AWS::Lambda::Function", {"TracingConfig": {"Mode": "Active"}})
    template.has_resource_properties(
        "AWS::IAM::Policy",
        {
            "PolicyDocument": {
                "Statement": Match.array_with(
                    [Match.object_like({"Action": Match.array_with(["xray:PutTraceSegments"])})]
                )
            }
        },
    )


def test_a_statement_you_add_later_goes_to_the_role_own_tracing_policy_not_the_shared_one() -> None:
    # The shared policy grants every function of the stack: a statement one function adds stays with its role.
    stack = new_stack()
    fn = SecureFunction(stack, "Fn", SecureFunctionProps(code_dir=OK_DIR))
    other = SecureFunction(stack, "Other", SecureFunctionProps(code_dir=OK_DIR))
    fn.function.add_to_role_policy(iam.PolicyStatement(actions=["xray:GetSamplingRules"], resources=["*"]))
    policies = Template.from_stack(stack).find_resources("AWS::IAM::ManagedPolicy")
    statements = {
        logical_id.rstrip("0123456789ABCDEF"): p["Properties"]["PolicyDocument"]["Statement"]
        for logical_id, p in policies.items()
        if "TracingPolicy" in logical_id
    }
    assert statements == {
        "LambdaConstructsTracingPolicy": [
            {"Action": ["xray:PutTelemetryRecords", "xray:PutTraceSegments"], "Effect": "Allow", "Resource": "*"}
        ],
        "FnRoleTracingPolicy": [{"Action": "xray:GetSamplingRules", "Effect": "Allow", "Resource": "*"}],
    }
    assert fn.owned_role is not None and other.owned_role is not None
    own = fn.owned_role.node.try_find_child("TracingPolicy")
    assert isinstance(own, iam.ManagedPolicy) and own is not fn.owned_role.tracing_policy
    assert fn.owned_role.tracing_policy is other.owned_role.tracing_policy  # the shared one, both roles


def test_javascript_calls_python_back_only_for_the_failure_destinations(monkeypatch: pytest.MonkeyPatch) -> None:
    # Each JavaScript -> Python callback costs round trips (#21): tracing makes none (the library writes it);
    # the failure destination's bind is the one left, once for $LATEST and once per alias (see _jsii_speed).
    import jsii._kernel as kernel

    called: list[str] = []
    handle = kernel._handle_callback

    def spy(k: Any, callback: Any) -> Any:
        called.append(callback.cookie)
        return handle(k, callback)

    stack = new_stack()
    SecureFunction(stack, "Warm", SecureFunctionProps(inline_code="def handler(e, c):\n    return 1\n"))
    monkeypatch.setattr(kernel, "_handle_callback", spy)
    fn = SecureFunction(stack, "Fn", SecureFunctionProps(inline_code="def handler(e, c):\n    return 1\n"))
    fn.add_alias("prod", fn.latest_version)
    assert called == ["bind", "bind", "bind"]  # $LATEST, live, prod


def test_the_default_grants_are_given_to_the_role_policy_when_it_is_created(round_trips: list[object]) -> None:
    # The library's role creates its Policy with the default statements (no addStatements call, #21), still
    # as the role's first policy (the children's order is the template's).
    stack = new_stack()
    code = "def handler(e, c):\n    return 1\n"
    SecureFunction(stack, "Warm", SecureFunctionProps(inline_code=code))
    round_trips.clear()
    fn = SecureFunction(stack, "Fn", SecureFunctionProps(inline_code=code))
    assert [r for r in round_trips if getattr(r, "method", None) == "addStatements"] == []
    assert fn.owned_role is not None
    # (the policies among the role's children; older aws-cdk-lib also has an ImportRole child; the X-Ray
    # statement is in the stack's shared policy, roles.stack_tracing_policy, not under the role)
    assert [c.node.id for c in fn.owned_role.node.children if isinstance(c, iam.ManagedPolicy)] == ["Policy"]
    policy = Template.from_stack(stack).find_resources("AWS::IAM::ManagedPolicy")[
        stack.resolve(fn.owned_role.policy.managed_policy_arn)["Ref"]
    ]
    assert [s["Action"] for s in policy["Properties"]["PolicyDocument"]["Statement"]] == [
        ["logs:CreateLogStream", "logs:PutLogEvents"],
        ["kms:Decrypt", "kms:GenerateDataKey"],
        "sqs:SendMessage",
    ]


def test_a_default_function_costs_at_most_16_round_trips(round_trips: list[object]) -> None:
    # A budget (#21): a warm SecureFunction with the defaults and no alias takes 16 jsii round trips (20 at
    # decb008; 19 once its role's Policy got the default grants in its constructor, 16 with the stack's shared
    # X-Ray policy). Fewer is welcome; more needs a reason.
    stack = new_stack()
    code = "def handler(e, c):\n    return 1\n"
    SecureFunction(stack, "Warm", SecureFunctionProps(inline_code=code, default_alias=None))
    round_trips.clear()
    SecureFunction(stack, "Fn", SecureFunctionProps(inline_code=code, default_alias=None))
    assert len(round_trips) <= 16, [type(r).__name__ for r in round_trips]


def test_functions_sharing_a_failure_queue_share_one_destination_object() -> None:
    stack = new_stack()
    queue = sqs.Queue(stack, "Shared", encryption=sqs.QueueEncryption.KMS_MANAGED, enforce_ssl=True)
    code = "def handler(e, c):\n    return 1\n"
    first, second = (SecureFunction(stack, i, SecureFunctionProps(inline_code=code, failure_queue=queue)) for i in "AB")
    own = SecureFunction(stack, "C", SecureFunctionProps(inline_code=code))
    assert first._failure_destination is second._failure_destination is not own._failure_destination
    configs = Template.from_stack(stack).find_resources("AWS::Lambda::EventInvokeConfig")
    destinations = {
        c["Properties"]["DestinationConfig"]["OnFailure"]["Destination"]["Fn::GetAtt"][0] for c in configs.values()
    }
    assert len(configs) == 6 and len(destinations) == 2 and any(d.startswith("Shared") for d in destinations)


# --------------------------------------------------------------------------- key sharing


def test_functions_of_a_stack_share_one_key_by_default() -> None:
    stack = new_stack()
    a = SecureFunction(stack, "A", SecureFunctionProps(inline_code="def handler(e, c):\n    return 1\n"))
    b = SecureFunction(stack, "B", SecureFunctionProps(inline_code="def handler(e, c):\n    return 1\n"))
    assert a.key is b.key
    template = Template.from_stack(stack)
    keys = template.find_resources("AWS::KMS::Key")
    assert list(keys) == [stack.get_logical_id(a.key.node.default_child)]  # type: ignore[arg-type]
    assert next(iter(keys)).startswith("LambdaConstructsKey")
    # Both functions' environment variables, log groups and failure queues use it.
    for fn in (a, b):
        lid = stack.get_logical_id(fn.function.node.default_child)  # type: ignore[arg-type]
        assert template.to_json()["Resources"][lid]["Properties"]["KmsKeyArn"] == {
            "Fn::GetAtt": [next(iter(keys)), "Arn"]
        }


def test_each_stack_has_its_own_shared_key_and_a_key_made_by_the_user_first_is_used() -> None:
    """The stack key is remembered per stack (keys.STACK_KEYS): a second stack gets its own, and a
    ``kms.Key`` with the shared id that the app created before any function is the one functions use."""
    from aws_cdk import Stack
    from aws_cdk import aws_kms as kms

    from lambda_constructs.keys import STACK_KEY_ID

    app = new_app()
    first, second, third = Stack(app, "First"), Stack(app, "Second"), Stack(app, "Third")
    own = kms.Key(third, STACK_KEY_ID, enable_key_rotation=True)
    props = SecureFunctionProps(inline_code="def handler(e, c):\n    return 1\n")
    a1, a2 = SecureFunction(first, "A1", props), SecureFunction(first, "A2", props)
    b1 = SecureFunction(second, "B1", props)
    c1 = SecureFunction(third, "C1", props)
    assert a1.key is a2.key
    assert b1.key is not a1.key
    assert b1.key.node.path == f"Second/{STACK_KEY_ID}"
    assert c1.key is own
    assert len(Template.from_stack(third).find_resources("AWS::KMS::Key")) == 1


def test_key_per_function_keeps_the_previous_construct_and_logical_id() -> None:
    stack = new_stack(name="LambdaConstructsApi")
    fn = SecureFunction(
        stack, "Api", SecureFunctionProps(inline_code="def handler(e, c):\n    return 1\n", key_per_function=True)
    )
    assert fn.key.node.path == "LambdaConstructsApi/Api/Key"
    # The logical id the per-function key had before the shared key became the default (example app snapshot).
    assert list(Template.from_stack(stack).find_resources("AWS::KMS::Key")) == ["ApiKey679C99C7"]


# --------------------------------------------------------------------------- the stack's shared X-Ray policy

TRACING_STATEMENT = {
    "Action": ["xray:PutTelemetryRecords", "xray:PutTraceSegments"],
    "Effect": "Allow",
    "Resource": "*",
}


def shared_tracing_policies(template: Template) -> dict[str, dict[str, Any]]:
    """The template's shared X-Ray policies (construct id LambdaConstructsTracingPolicy), by logical id."""
    return {
        logical_id: policy
        for logical_id, policy in template.find_resources("AWS::IAM::ManagedPolicy").items()
        if logical_id.startswith(STACK_TRACING_POLICY_ID)
    }


def test_two_functions_of_a_stack_share_one_tracing_policy_their_roles_list() -> None:
    app = new_app(nag=True)
    stack = new_stack(app)
    functions = [SecureFunction(stack, name, SecureFunctionProps(code_dir=OK_DIR)) for name in ("A", "B")]
    template = Template.from_stack(stack)
    ((logical_id, policy),) = shared_tracing_policies(template).items()
    assert policy["Properties"]["PolicyDocument"]["Statement"] == [TRACING_STATEMENT]
    assert "Roles" not in policy["Properties"]  # the roles list it, in their own ManagedPolicyArns
    roles = template.find_resources("AWS::IAM::Role")
    assert len(roles) == 2
    for role in roles.values():
        assert role["Properties"]["ManagedPolicyArns"] == [{"Ref": logical_id}]
    # No role has a TracingPolicy of its own, and no other policy holds an X-Ray action.
    others = [p for lid, p in template.find_resources("AWS::IAM::ManagedPolicy").items() if lid != logical_id]
    assert others and all("xray:" not in str(p["Properties"]["PolicyDocument"]) for p in others)
    assert [fn.owned_role.node.try_find_child("TracingPolicy") for fn in functions if fn.owned_role] == [None, None]
    shared = stack.node.find_child(STACK_TRACING_POLICY_ID)
    assert all(fn.owned_role is not None and fn.owned_role.tracing_policy is shared for fn in functions)
    assert nag_findings(app) == []
    assert oracles.findings(template.to_json(), "shared tracing policy") == []


def test_the_shared_tracing_policy_is_acknowledged_once_with_the_tracing_reason() -> None:
    stack = new_stack()
    for name in ("A", "B"):
        SecureFunction(stack, name, SecureFunctionProps(code_dir=OK_DIR))
    shared = stack.node.find_child(STACK_TRACING_POLICY_ID)
    acknowledged = [entry.data for entry in shared.node.metadata if entry.type == ACKNOWLEDGED_RULES_KEY]
    assert acknowledged == [
        {"Annotation::AwsSolutions-IAM5[Resource::*]": LIBRARY_ACKNOWLEDGEMENTS[AcknowledgementKey.XRAY_RESOURCE_STAR]}
    ]


def test_each_stack_has_its_own_tracing_policy() -> None:
    app = new_app()
    stacks = [new_stack(app, name) for name in ("One", "Two")]
    for stack in stacks:
        SecureFunction(stack, "Fn", SecureFunctionProps(code_dir=OK_DIR))
    for stack in stacks:
        template = Template.from_stack(stack)
        ((logical_id, _),) = shared_tracing_policies(template).items()
        (role,) = template.find_resources("AWS::IAM::Role").values()
        assert role["Properties"]["ManagedPolicyArns"] == [{"Ref": logical_id}]  # its own stack's, no import


def test_a_function_in_a_nested_stack_uses_the_nested_stack_tracing_policy() -> None:
    stack = new_stack()
    nested = NestedStack(stack, "Nested")
    SecureFunction(nested, "Fn", SecureFunctionProps(code_dir=OK_DIR))
    assert shared_tracing_policies(Template.from_stack(stack)) == {}
    template = Template.from_stack(nested)
    ((logical_id, _),) = shared_tracing_policies(template).items()
    (role,) = template.find_resources("AWS::IAM::Role").values()
    assert role["Properties"]["ManagedPolicyArns"] == [{"Ref": logical_id}]


def test_a_role_you_bring_is_untouched_and_no_shared_tracing_policy_is_made() -> None:
    stack = new_stack()
    role = iam.Role(stack, "Mine", assumed_by=iam.ServicePrincipal("lambda.amazonaws.com"))
    SecureFunction(stack, "Fn", SecureFunctionProps(code_dir=OK_DIR, role=role))
    template = Template.from_stack(stack)
    assert shared_tracing_policies(template) == {}
    (mine,) = template.find_resources("AWS::IAM::Role").values()
    assert "ManagedPolicyArns" not in mine["Properties"]  # aws-cdk-lib put the statement in its default policy
    assert stack.node.try_find_child(STACK_TRACING_POLICY_ID) is None


def test_tracing_disabled_attaches_no_tracing_policy() -> None:
    stack = new_stack()
    fn = SecureFunction(stack, "Fn", SecureFunctionProps(code_dir=OK_DIR, tracing=lambda_.Tracing.DISABLED))
    assert fn.owned_role is not None and fn.owned_role.shared_tracing_policy is None
    assert stack.node.try_find_child(STACK_TRACING_POLICY_ID) is None
    _, role = only(Template.from_stack(new_stack_with(lambda_.Tracing.DISABLED)), "AWS::IAM::Role")
    assert "ManagedPolicyArns" not in role["Properties"]
    # A traced function of the same stack creates it, and only its role lists it.
    traced = SecureFunction(stack, "Traced", SecureFunctionProps(code_dir=OK_DIR))
    template = Template.from_stack(stack)
    ((logical_id, _),) = shared_tracing_policies(template).items()
    listed = {
        lid: r["Properties"].get("ManagedPolicyArns") for lid, r in template.find_resources("AWS::IAM::Role").items()
    }
    assert sorted(listed.values(), key=str) == [None, [{"Ref": logical_id}]]
    assert traced.owned_role is not None and traced.owned_role.shared_tracing_policy is not None


def new_stack_with(tracing: lambda_.Tracing, n: int = 1) -> Stack:
    """A stack of ``n`` SecureFunctions with ``tracing``."""
    stack = new_stack()
    for i in range(n):
        SecureFunction(stack, f"Fn{i}", SecureFunctionProps(code_dir=OK_DIR, tracing=tracing))
    return stack


def test_tracing_costs_one_resource_per_stack_not_one_per_function() -> None:
    def resources(tracing: lambda_.Tracing, n: int) -> int:
        return len(Template.from_stack(new_stack_with(tracing, n)).to_json()["Resources"])

    assert resources(lambda_.Tracing.ACTIVE, 1) - resources(lambda_.Tracing.DISABLED, 1) == 1
    assert resources(lambda_.Tracing.ACTIVE, 3) - resources(lambda_.Tracing.DISABLED, 3) == 1


INLINE_ROLE_POLICY = "lambda-constructs:inlineRolePolicy"


def _warnings(stack: Stack) -> list[str]:
    return [str(w.entry.data) for w in Annotations.from_stack(stack).find_warning("*", Match.any_value())]


def test_a_plain_role_you_bring_gets_an_inline_policy_which_three_nag_packs_flag_and_a_warning_says_so() -> None:
    stack = new_stack()
    role = iam.Role(stack, "Mine", assumed_by=iam.ServicePrincipal("lambda.amazonaws.com"))
    SecureFunction(stack, "Fn", SecureFunctionProps(code_dir=OK_DIR, role=role))
    (warning,) = [w for w in _warnings(stack) if INLINE_ROLE_POLICY in w]
    assert "the role you passed (TestStack/Mine) is not the library's ExecutionRole" in warning
    assert "inline policy TestStack/Mine/DefaultPolicy" in warning
    assert "NIST.800.53.R5, HIPAA.Security, PCI.DSS.321 cdk-nag packs report it as IAMNoInlinePolicy" in warning
    assert "Fix: pass role=lambda_constructs.ExecutionRole(" in warning


def test_what_the_inline_role_policy_warning_says_is_what_cdk_nag_reports() -> None:
    app = new_app(nag=True)
    stack = new_stack(app)
    role = iam.Role(stack, "Mine", assumed_by=iam.ServicePrincipal("lambda.amazonaws.com"))
    SecureFunction(stack, "Fn", SecureFunctionProps(code_dir=OK_DIR, role=role))
    findings = nag_findings(app)
    assert [f for f in findings if "IAMNoInlinePolicy" in f] == [
        f"{pack}-IAMNoInlinePolicy at TestStack/Mine/DefaultPolicy/Resource"
        for pack in ("HIPAA.Security", "NIST.800.53.R5", "PCI.DSS.321")
    ]
    assert [f for f in findings if INLINE_ROLE_POLICY in f] == [f"Annotation::{INLINE_ROLE_POLICY} at TestStack/Fn"]


def test_the_inline_role_policy_warning_can_be_acknowledged() -> None:
    stack = new_stack()
    CdkAnnotations.of(stack).acknowledge_warning(INLINE_ROLE_POLICY, "our packs allow inline policies")
    role = iam.Role(stack, "Mine", assumed_by=iam.ServicePrincipal("lambda.amazonaws.com"))
    SecureFunction(stack, "Fn", SecureFunctionProps(code_dir=OK_DIR, role=role))
    assert not [w for w in _warnings(stack) if INLINE_ROLE_POLICY in w]


def test_no_inline_role_policy_warning_for_an_execution_role_an_immutable_role_or_no_role() -> None:
    from lambda_constructs import ExecutionRole

    stack = new_stack()
    mine = ExecutionRole(stack, "Mine", assumed_by=iam.ServicePrincipal("lambda.amazonaws.com"))
    SecureFunction(stack, "Own", SecureFunctionProps(code_dir=OK_DIR, role=mine))
    immutable = iam.Role.from_role_arn(stack, "Imm", "arn:aws:iam::123456789012:role/r", mutable=False)
    SecureFunction(stack, "Immutable", SecureFunctionProps(code_dir=OK_DIR, role=immutable))
    SecureFunction(stack, "Default", SecureFunctionProps(code_dir=OK_DIR))
    assert not [w for w in _warnings(stack) if INLINE_ROLE_POLICY in w]
    Template.from_stack(stack).resource_count_is("AWS::IAM::Policy", 0)


def test_a_mutable_imported_role_gets_the_warning_too() -> None:
    stack = new_stack()
    imported = iam.Role.from_role_arn(stack, "Imported", "arn:aws:iam::123456789012:role/r")
    SecureFunction(stack, "Fn", SecureFunctionProps(code_dir=OK_DIR, role=imported))
    (warning,) = [w for w in _warnings(stack) if INLINE_ROLE_POLICY in w]
    assert "inline policy TestStack/Imported/Policy" in warning  # PolicyTestStackImported<hash> with cdk.json flags


def test_a_lazy_role_gets_the_inline_role_policy_warning() -> None:
    stack = new_stack()
    lazy = iam.LazyRole(stack, "Lazy", assumed_by=iam.ServicePrincipal("lambda.amazonaws.com"))
    SecureFunction(stack, "Fn", SecureFunctionProps(code_dir=OK_DIR, role=lazy))
    (warning,) = [w for w in _warnings(stack) if INLINE_ROLE_POLICY in w]
    assert "the role you passed (TestStack/Lazy)" in warning
    assert "inline policy TestStack/Lazy/Default/DefaultPolicy" in warning
    Template.from_stack(stack).resource_count_is("AWS::IAM::Policy", 1)


GRANTS_NOT_APPLIED = "lambda-constructs:grantsNotApplied"


def _roles_that_take_no_statements(stack: Stack) -> list[iam.IRole]:
    other = Stack(stack.node.scope, "Other", env={"account": "111111111111", "region": "eu-west-1"})  # type: ignore[arg-type]
    return [
        iam.Role.from_role_arn(stack, "Imm", "arn:aws:iam::123456789012:role/r", mutable=False),
        iam.Role(stack, "Plain", assumed_by=iam.ServicePrincipal("lambda.amazonaws.com")).without_policy_updates(),
        iam.Role.from_role_arn(other, "Foreign", "arn:aws:iam::999999999999:role/r"),  # another account
    ]


@pytest.mark.parametrize("which", [0, 1, 2])
def test_a_role_that_takes_no_statements_warns_that_the_grants_were_not_applied(which: int) -> None:
    stack = new_stack()
    role = _roles_that_take_no_statements(stack)[which]
    fn = SecureFunction(Stack.of(role), "Fn", SecureFunctionProps(code_dir=OK_DIR, role=role))
    (warning,) = [w for w in _warnings(fn.stack) if GRANTS_NOT_APPLIED in w]
    assert "takes no statements" in warning
    assert "logs:CreateLogStream, logs:PutLogEvents on" in warning and "LogGroup" in warning
    assert "kms:Decrypt, kms:GenerateDataKey on" in warning
    assert "sqs:SendMessage on" in warning and "FailureQueue" in warning
    assert "Fix: grant these actions on these resources to the role yourself" in warning
    assert not [w for w in _warnings(fn.stack) if INLINE_ROLE_POLICY in w]


def test_the_grants_not_applied_warning_can_be_acknowledged_and_is_not_given_for_roles_that_take_grants() -> None:
    from lambda_constructs import ExecutionRole

    stack = new_stack()
    immutable = iam.Role.from_role_arn(stack, "Imm", "arn:aws:iam::123456789012:role/r", mutable=False)
    fn = SecureFunction(stack, "Fn", SecureFunctionProps(code_dir=OK_DIR, role=immutable))
    CdkAnnotations.of(fn).acknowledge_warning(GRANTS_NOT_APPLIED, "granted in the account that owns the role")
    mine = ExecutionRole(stack, "Mine", assumed_by=iam.ServicePrincipal("lambda.amazonaws.com"))
    SecureFunction(stack, "Own", SecureFunctionProps(code_dir=OK_DIR, role=mine))
    plain = iam.Role(stack, "Plain", assumed_by=iam.ServicePrincipal("lambda.amazonaws.com"))
    SecureFunction(stack, "PlainFn", SecureFunctionProps(code_dir=OK_DIR, role=plain))
    SecureFunction(stack, "Default", SecureFunctionProps(code_dir=OK_DIR))
    assert not [w for w in _warnings(stack) if GRANTS_NOT_APPLIED in w]
