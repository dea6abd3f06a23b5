"""Local invoke: cloud assembly resolution, the subprocess runner and the CLI."""

from __future__ import annotations

import io
import json
import shutil
import time
from pathlib import Path
from typing import Any

import aws_cdk as cdk
import pytest
from aws_cdk import aws_lambda as lambda_

from lambda_constructs import _compat
from lambda_constructs.__main__ import main
from lambda_constructs.errors import LambdaConstructsError
from lambda_constructs.invoke.assembly import FunctionSpec, list_functions, resolve_function
from lambda_constructs.invoke.events import make_event
from lambda_constructs.invoke.runner import LocalFunction, code_directory, invoke, local_function
from tests.conftest import ExampleAssembly

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "invoke"
HANDLERS = FIXTURES / "handlers"
LAYER = FIXTURES / "layer"

# --- a hand-written cloud assembly, in the format `cdk synth` writes ---------------------------------


def _function(handler: str, *, timeout: int = 3, layers: list[Any] | None = None, path: str) -> dict[str, Any]:
    return {
        "Type": "AWS::Lambda::Function",
        "Properties": {
            "Code": {"S3Bucket": {"Fn::Sub": "cdk-assets-${AWS::AccountId}"}, "S3Key": "abc.zip"},
            "Handler": handler,
            "Runtime": "python3.12",
            "Timeout": timeout,
            "MemorySize": 256,
            "Layers": layers or [],
            "Environment": {
                "Variables": {
                    "TABLE_NAME": "orders",
                    "POWERTOOLS_SERVICE_NAME": "orders",
                    "QUEUE_URL": {"Ref": "Queue4A7E3555"},
                }
            },
        },
        "Metadata": {"aws:cdk:path": path, "aws:asset:path": "asset.code", "aws:asset:property": "Code"},
    }


@pytest.fixture
def assembly(tmp_path: Path) -> Path:
    """cdk.out with stack ``Shop`` (functions Orders/Function, Slow, Broken) and a stage ``Prod/Shop``."""
    return write_shop_assembly(tmp_path)


def write_shop_assembly(tmp_path: Path) -> Path:
    """Write the ``assembly`` fixture's cdk.out into ``tmp_path`` (also used by other test modules)."""
    shutil.copytree(HANDLERS, tmp_path / "asset.code")
    shutil.copytree(LAYER, tmp_path / "asset.layer")
    resources = {
        "OrdersFunctionABC123": _function(
            "app.echo", layers=[{"Ref": "DepsLayer1234"}, "arn:aws:lambda:us-east-1:017000801446:layer:X:1"],
            path="Shop/Orders/Function/Resource",
        ),
        "SlowDEF456": _function("app.sleepy", timeout=1, path="Shop/Slow/Resource"),
        "BrokenAAA111": _function("app.boom", path="Shop/Broken/Resource"),
        "LayerUserBBB222": _function("app.uses_layer", layers=[{"Ref": "DepsLayer1234"}], path="Shop/LayerUser/Resource"),
        "DepsLayer1234": {
            "Type": "AWS::Lambda::LayerVersion",
            "Properties": {"Content": {"S3Bucket": "b", "S3Key": "layer.zip"}},
            "Metadata": {"aws:cdk:path": "Shop/Deps/Resource", "aws:asset:path": "asset.layer"},
        },
        "LiveAlias": {
            "Type": "AWS::Lambda::Alias",
            "Properties": {"FunctionName": {"Ref": "OrdersFunctionABC123"}, "FunctionVersion": "7", "Name": "live"},
        },
        "Queue4A7E3555": {"Type": "AWS::SQS::Queue"},
    }  # fmt: skip
    (tmp_path / "Shop.template.json").write_text(json.dumps({"Resources": resources}))
    stage = tmp_path / "assembly-Prod"
    stage.mkdir()
    shutil.copytree(HANDLERS, stage / "asset.code")
    prod = {"ProdOrders99": _function("app.echo", path="Prod/Shop/Orders/Resource")}
    (stage / "ProdShop.template.json").write_text(json.dumps({"Resources": prod}))
    (stage / "manifest.json").write_text(
        json.dumps(
            {
                "version": "55.0.0",
                "artifacts": {
                    "ProdShop1A2B3C": {
                        "type": "aws:cloudformation:stack",
                        "environment": "aws://111122223333/eu-west-1",
                        "properties": {"templateFile": "ProdShop.template.json", "stackName": "Prod-Shop"},
                        "displayName": "Prod/Shop",
                    }
                },
            }
        )
    )
    manifest = {
        "version": "55.0.0",
        "artifacts": {
            "Shop": {
                "type": "aws:cloudformation:stack",
                "environment": "aws://unknown-account/unknown-region",
                "properties": {"templateFile": "Shop.template.json"},
                "displayName": "Shop",
            },
            "assembly-Prod": {
                "type": "cdk:cloud-assembly",
                "properties": {"directoryName": "assembly-Prod", "displayName": "Prod"},
            },
            "Tree": {"type": "cdk:tree", "properties": {"file": "tree.json"}},
        },
    }
    (tmp_path / "manifest.json").write_text(json.dumps(manifest))
    return tmp_path


def _run(spec: FunctionSpec, event: Any, **kwargs: Any) -> Any:
    with code_directory(spec.code_path) as code:
        return invoke(local_function(spec, code, **kwargs), event)


def test_resolves_function_configuration(assembly: Path) -> None:
    spec = resolve_function(assembly, "Shop/Orders")
    assert (spec.logical_id, spec.construct_path) == ("OrdersFunctionABC123", "Orders/Function/Resource")
    assert (spec.handler, spec.runtime, spec.timeout_s, spec.memory_mb) == ("app.echo", "python3.12", 3, 256)
    assert spec.code_path == assembly / "asset.code"
    assert spec.layer_paths == (assembly / "asset.layer",)
    assert spec.unresolved_layers == ("arn:aws:lambda:us-east-1:017000801446:layer:X:1",)
    assert spec.environment == {"TABLE_NAME": "orders", "POWERTOOLS_SERVICE_NAME": "orders"}
    assert spec.unresolved_environment == {"QUEUE_URL": {"Ref": "Queue4A7E3555"}}
    assert spec.alias("live").version == "7"
    for name in ("Shop/Orders/Function", "Shop/Orders/Function/Resource", "Shop/OrdersFunctionABC123"):
        assert resolve_function(assembly, name).logical_id == "OrdersFunctionABC123"


def test_resolves_stage_stacks_in_nested_assemblies(assembly: Path) -> None:
    spec = resolve_function(assembly, "Prod/Shop/Orders")
    assert (spec.stack, spec.logical_id, spec.region, spec.account) == (
        "Prod/Shop", "ProdOrders99", "eu-west-1", "111122223333",
    )  # fmt: skip
    assert spec.code_path == assembly / "assembly-Prod" / "asset.code"
    assert resolve_function(assembly, "Prod-Shop/Orders").logical_id == "ProdOrders99"
    assert "Prod/Shop/Orders" in list_functions(assembly)


def test_unknown_stack_function_and_alias_list_what_exists(assembly: Path) -> None:
    with pytest.raises(LambdaConstructsError, match=r"no stack matches 'Shopp/Orders'.*Prod/Shop, Shop"):
        resolve_function(assembly, "Shopp/Orders")
    with pytest.raises(LambdaConstructsError, match=r"no Lambda function 'Order'.*Broken, .*Orders/Function"):
        resolve_function(assembly, "Shop/Order")
    spec = resolve_function(assembly, "Shop/Orders")
    with pytest.raises(LambdaConstructsError, match=r"no alias 'prod'.*known aliases: live"):
        local_function(spec, HANDLERS, alias="prod")
    with pytest.raises(LambdaConstructsError, match="does not exist"):
        resolve_function(assembly / "nowhere", "Shop/Orders")


def test_invoke_success_with_context_environment_and_alias(assembly: Path) -> None:
    spec = resolve_function(assembly, "Shop/Orders")
    result = _run(spec, make_event("sqs"), alias="live", env_overrides={"QUEUE_URL": "https://q"})
    assert result.status == "ok", result.logs
    payload = result.payload
    assert payload["event"] == make_event("sqs")
    assert payload["env"]["TABLE_NAME"] == "orders"
    assert payload["env"]["POWERTOOLS_SERVICE_NAME"] == "orders"
    assert payload["env"]["QUEUE_URL"] == "https://q"
    assert payload["env"]["AWS_REGION"] == "us-east-1"
    assert payload["function_version"] == payload["env"]["AWS_LAMBDA_FUNCTION_VERSION"] == "7"
    assert payload["invoked_function_arn"] == (
        "arn:aws:lambda:us-east-1:123456789012:function:Shop-OrdersFunctionABC123:live"
    )
    assert payload["function_name"] == "Shop-OrdersFunctionABC123"
    assert payload["memory_limit_in_mb"] == "256"
    assert payload["log_group_name"] == "/aws/lambda/Shop-OrdersFunctionABC123"
    assert payload["log_stream_name"].startswith("2023/11/14/[7]")
    assert 0 < payload["remaining_ms"] <= 3000
    assert isinstance(payload["aws_request_id"], str)
    assert Path(payload["cwd"]) == assembly / "asset.code"
    assert "hello from echo" in result.logs
    assert "to stderr" in result.logs
    assert 0 < result.max_memory_mb < 256
    assert result.exit_code == 0
    assert "Memory Size: 256 MB" in result.report()


def test_unresolved_environment_is_marked_not_dropped(assembly: Path) -> None:
    result = _run(resolve_function(assembly, "Shop/Orders"), {})
    assert result.payload["env"]["QUEUE_URL"] == "<unresolved:QUEUE_URL>"
    assert result.payload["function_version"] == "$LATEST"


def test_layer_python_directory_is_on_pythonpath(assembly: Path) -> None:
    result = _run(resolve_function(assembly, "Shop/LayerUser"), {"name": "ada"})
    assert (result.status, result.payload) == ("ok", "hello ada from the layer")


def test_handler_exception_shows_traceback_and_fails(assembly: Path) -> None:
    result = _run(resolve_function(assembly, "Shop/Broken"), {})
    assert result.status == "error"
    assert result.exit_code == 1
    assert result.payload["errorType"] == "KeyError"
    assert "missing-order-id" in result.payload["errorMessage"]
    assert "Traceback (most recent call last)" in result.logs
    assert 'raise KeyError("missing-order-id")' in result.logs


def test_timeout_kills_the_handler() -> None:
    function = LocalFunction("app.sleepy", HANDLERS, timeout_s=0.3, memory_mb=128)
    started = time.monotonic()
    result = invoke(function, {})
    assert time.monotonic() - started < 5
    assert result.status == "timeout"
    assert result.exit_code == 1
    assert result.payload["errorMessage"] == "Task timed out after 0.3 seconds"
    assert "timed out after 0.3 s" in result.report()
    assert "going to sleep" in result.logs
    assert 300 <= result.duration_ms < 2000


def test_logs_stream_live_and_handler_path_with_directory() -> None:
    sink = io.StringIO()
    result = invoke(LocalFunction("app.echo", HANDLERS, 3, 128), {}, stream=sink)
    assert "hello from echo" in sink.getvalue()
    nested = invoke(LocalFunction("pkg/nested.handler", HANDLERS, 3, 128), {"n": 1})
    assert (result.status, nested.payload) == ("ok", {"nested": {"n": 1}})


def test_import_and_handler_errors_are_lambda_shaped() -> None:
    missing_module = invoke(LocalFunction("nope.handler", HANDLERS, 3, 128), {})
    assert missing_module.payload["errorType"] == "Runtime.ImportModuleError"
    missing_function = invoke(LocalFunction("app.nothing", HANDLERS, 3, 128), {})
    assert missing_function.payload["errorType"] == "Runtime.HandlerNotFound"


def test_cli_invoke_and_events(assembly: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["invoke", "Shop/Orders", "--assembly", str(assembly), "--event", "eventbridge",
                 "--set", "detail.status=ok", "--env", "QUEUE_URL=https://q"])  # fmt: skip
    out, err = capsys.readouterr()
    assert code == 0, err
    assert json.loads(out)["event"]["detail"]["status"] == "ok"
    assert "REPORT Status: ok" in err
    assert "hello from echo" in err

    assert main(["invoke", "Shop/Broken", "--assembly", str(assembly), "--event", "sqs"]) == 1
    assert json.loads(capsys.readouterr().out)["errorType"] == "KeyError"

    assert main(["invoke", "Shop/Orders", "--assembly", str(assembly), "--event", "nope"]) == 2
    assert "neither a known kind" in capsys.readouterr().err
    assert main(["invoke", "Shop/Orders", "--assembly", str(assembly), "--event", "sqs", "--alias", "x"]) == 2
    assert "known aliases: live" in capsys.readouterr().err

    assert main(["events"]) == 0
    assert "cloudwatch-logs" in capsys.readouterr().out
    assert main(["events", "sqs", "--set", "Records.0.body=hi"]) == 0
    assert json.loads(capsys.readouterr().out)["Records"][0]["body"] == "hi"


# --- a real synthesized app: checks the format assumptions against CDK's own output ------------------


@pytest.fixture(scope="module")
def synthesized(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One app, two stacks: ``CliStack`` as the CDK CLI synthesizes (path and asset metadata on) and
    ``BareStack`` as a bare ``App().synth()`` does (neither)."""
    outdir = tmp_path_factory.mktemp("cdkout")
    # CDK's built-in template validation is slow and irrelevant here.
    app = cdk.App(outdir=str(outdir), **_compat.builtin_validation_kwargs(False))
    for name in ("CliStack", "BareStack"):
        stack = cdk.Stack(app, name)
        if name == "CliStack":
            stack.node.set_context("aws:cdk:enable-path-metadata", True)
            stack.node.set_context("aws:cdk:enable-asset-metadata", True)
        layer = lambda_.LayerVersion(stack, "Deps", code=lambda_.Code.from_asset(str(LAYER)))
        function = lambda_.Function(
            stack,
            "Orders",
            runtime=lambda_.Runtime.PYTHON_3_12,
            handler="app.uses_layer",
            code=lambda_.Code.from_asset(str(HANDLERS)),
            timeout=cdk.Duration.seconds(5),
            memory_size=512,
            layers=[layer],
            environment={"STAGE": "dev", "LAYER_ARN": layer.layer_version_arn},
        )
        lambda_.Alias(stack, "Live", alias_name="live", version=function.current_version)
    app.synth()
    return outdir


@pytest.mark.parametrize("stack", ["CliStack", "BareStack"])
def test_real_cdk_assembly_resolves_and_invokes(synthesized: Path, stack: str) -> None:
    template = json.loads((synthesized / f"{stack}.template.json").read_text())
    metadata = [r.get("Metadata") or {} for r in template["Resources"].values()]
    assert any("aws:asset:path" in entry for entry in metadata) == (stack == "CliStack")
    spec = resolve_function(synthesized, f"{stack}/Orders")
    assert spec.construct_path == "Orders/Resource"
    assert (spec.handler, spec.runtime, spec.timeout_s, spec.memory_mb) == ("app.uses_layer", "python3.12", 5, 512)
    assert spec.code_path is not None and (spec.code_path / "app.py").is_file()
    assert len(spec.layer_paths) == 1 and (spec.layer_paths[0] / "python" / "layer_helper.py").is_file()
    assert spec.environment == {"STAGE": "dev"}
    assert set(spec.unresolved_environment) == {"LAYER_ARN"}
    assert set(spec.aliases) == {"live"} and spec.aliases["live"].version is None
    result = _run(spec, {"name": "cdk"}, alias="live")
    assert (result.status, result.payload) == ("ok", "hello cdk from the layer"), result.logs
    assert spec.arn.endswith(f":function:{stack}-{spec.logical_id}")


def test_documented_sqs_example_runs_on_every_record(
    example_assembly: ExampleAssembly, capsys: pytest.CaptureFixture[str]
) -> None:
    """docs/local.md's `invoke LambdaConstructsIngest/Batches --event sqs --set 'Records.*.body=…'`."""
    args = ["invoke", "LambdaConstructsIngest/Batches", "--event", "sqs", "--set", 'Records.*.body={"id": 7}']
    assert main([*args, "--assembly", str(example_assembly.outdir)]) == 0
    result = json.loads(capsys.readouterr().out)
    assert result == {"batchItemFailures": []}  # both records processed, none reported as failed
