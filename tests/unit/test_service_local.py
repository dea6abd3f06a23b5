"""Functions in LambdaService shards (nested stacks) through the CLIs: ``invoke`` runs them from their
asset, ``release``/``promote``/``status`` see them and a re-synth moves their aliases."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import aws_cdk as cdk
import pytest
from aws_cdk import aws_lambda as lambda_

from lambda_constructs import SecureFunction, SecureFunctionProps
from lambda_constructs.__main__ import main
from lambda_constructs.errors import LambdaConstructsError
from lambda_constructs.invoke.assembly import list_functions, resolve_function
from lambda_constructs.invoke.cli import resolve_target
from lambda_constructs.releases.assembly import read_assembly
from lambda_constructs.releases.cli import _resolve_key
from lambda_constructs.service import LambdaService, LambdaServiceProps, _shard_id
from lambda_constructs.tune import cli as tune_cli
from tests.helpers import new_app
from tests.unit.test_assembly import strip_template_file_metadata
from tests.unit.test_invoke_runner import HANDLERS, LAYER, _run
from tests.unit.test_tune_target import Fakes

INLINE = SecureFunctionProps(inline_code="def handler(event, context):\n    return 'parent'\n")
#: Placement by hash with shards=2 (service.home_shard): Orders in shard 0, Billing in shard 1.
SHARDS = {"Orders": "Shard000", "Billing": "Shard001"}


def synth(outdir: Path, code: Path, releases: Path) -> dict[str, Any]:
    """``Shop``: layer ``Deps`` and a function ``Orders`` in the stack itself; LambdaService ``Svc`` with
    ``Orders`` (code ``code``, the layer, release-managed) and ``Billing`` in two shards. Path and asset
    metadata on, as the CDK CLI synthesizes. Returns the shard stacks' placements."""
    app = new_app(outdir=str(outdir))
    stack = cdk.Stack(app, "Shop")
    stack.node.set_context("aws:cdk:enable-path-metadata", True)
    stack.node.set_context("aws:cdk:enable-asset-metadata", True)
    layer = lambda_.LayerVersion(stack, "Deps", code=lambda_.Code.from_asset(str(LAYER)))
    SecureFunction(stack, "Orders", INLINE)
    svc = LambdaService(stack, "Svc", LambdaServiceProps(shards=2))
    svc.add_function(
        "Orders",
        SecureFunctionProps(code_dir=code, handler="app.uses_layer", layers=[layer], releases=releases),
    )
    svc.add_function("Billing", SecureFunctionProps(code_dir=HANDLERS, handler="app.echo"))
    app.synth()
    return {fid: svc.placement(fid).shard_id for fid in ("Orders", "Billing")}


@pytest.fixture(scope="module")
def workspace(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    tmp = tmp_path_factory.mktemp("shards")
    code = tmp / "code"
    shutil.copytree(HANDLERS, code)
    releases = tmp / "releases.json"
    releases.write_text('{"format": 1, "functions": {}}\n')
    placements = synth(tmp / "out1", code, releases)
    assert placements == SHARDS  # the targets below name these shards
    return {"tmp": tmp, "code": code, "releases": releases, "out": tmp / "out1"}


@pytest.fixture(scope="module")
def assembly(workspace: dict[str, Path]) -> Path:
    return workspace["out"]


def test_shard_functions_resolve_by_path_with_or_without_the_shard(assembly: Path) -> None:
    spec = resolve_function(assembly, "Shop/Svc/Orders")
    assert spec.construct_path == "Svc/Shard000/Orders/Function/Resource"
    for target in ("Shop/Svc/Shard000/Orders", "Shop/Svc/Orders/Function", "Shop/Svc/Shard000/Orders/Function"):
        assert resolve_function(assembly, target).construct_path == spec.construct_path, target
    assert spec.handler == "app.uses_layer" and spec.runtime.startswith("python")
    assert spec.code_path is not None and (spec.code_path / "app.py").is_file()
    # The layer is the parent's, passed to the shard as a nested-stack parameter: followed to its asset.
    assert len(spec.layer_paths) == 1 and (spec.layer_paths[0] / "python" / "layer_helper.py").is_file()
    assert spec.unresolved_layers == ()
    assert set(spec.aliases) == {"Dev", "Stage", "Prod"}  # from the shard's template (releases=)
    assert spec.aliases["Dev"].version == "$LATEST" and spec.aliases["Stage"].version is None
    billing = resolve_function(assembly, "Shop/Svc/Billing")
    assert billing.construct_path == "Svc/Shard001/Billing/Function/Resource" and billing.handler == "app.echo"


def test_the_stacks_own_function_keeps_its_targets(assembly: Path) -> None:
    """``Shop/Orders`` and its logical id (which the shard's Orders shares: logical ids are per template)
    still name the function of the stack's own template."""
    own = resolve_function(assembly, "Shop/Orders")
    assert own.construct_path == "Orders/Function/Resource"
    nested = resolve_function(assembly, "Shop/Svc/Orders")
    assert own.logical_id == nested.logical_id
    assert resolve_function(assembly, f"Shop/{own.logical_id}").construct_path == own.construct_path


def test_shard_function_runs_from_its_asset_with_the_parents_layer(assembly: Path) -> None:
    result = _run(resolve_function(assembly, "Shop/Svc/Orders"), {"name": "shard"}, alias="Stage")
    assert (result.status, result.payload) == ("ok", "hello shard from the layer"), result.logs


def test_cli_invokes_a_shard_function(assembly: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["invoke", "Shop/Svc/Billing", "--event", "sqs", "--assembly", str(assembly)]) == 0
    captured = capsys.readouterr()
    assert json.loads(captured.out)["event"]["Records"][0]["eventSource"] == "aws:sqs"
    assert "START Shop/Svc/Shard001/Billing/Function/Resource" in captured.err


def test_listing_and_suggestions_name_shard_functions_without_the_shard(assembly: Path) -> None:
    assert list_functions(assembly) == ["Shop/Orders/Function", "Shop/Svc/Billing/Function", "Shop/Svc/Orders/Function"]
    with pytest.raises(LambdaConstructsError) as caught:
        resolve_target(assembly, "Shop/Svc/Nope")
    assert caught.value.message == "no Lambda function 'Svc/Nope' in this stack"
    assert caught.value.fix == "name one of: Shop/Orders, Shop/Svc/Billing, Shop/Svc/Orders"  # the stack's
    with pytest.raises(LambdaConstructsError) as caught:
        resolve_target(assembly, "Shop/Svc")
    assert caught.value.message == "'Svc' matches several functions"
    assert caught.value.fix == "name one of: Shop/Svc/Billing, Shop/Svc/Orders"
    with pytest.raises(LambdaConstructsError, match="use one of: Orders/Function, Svc/Billing/Function"):
        resolve_function(assembly, "Shop/Nope")


def test_tune_reads_a_shard_functions_name_through_its_nested_stack(
    assembly: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """``tune`` takes invoke's targets: a shard function is asked of its nested stack (by the stack ID
    the parent's ``AWS::CloudFormation::Stack`` resource has), never of the parent stack, where the stack's
    own Orders has the same logical id."""
    spec = resolve_function(assembly, "Shop/Svc/Orders")
    (shard_resource,) = spec.nested_stack_ids
    assert shard_resource.startswith("SvcShard000NestedStack")
    nested_arn = "arn:aws:cloudformation:us-east-1:123456789012:stack/Shop-SvcShard000-X/1"
    fakes = Fakes(
        {
            (None, "Shop", shard_resource): nested_arn,
            (None, nested_arn, spec.logical_id): "Shop-SvcShard000-X-OrdersFunction-abc",
            (None, "Shop", spec.logical_id): "the-stacks-own-orders",
        }
    )
    monkeypatch.setattr(tune_cli, "_clients", fakes.clients)
    monkeypatch.setattr(tune_cli, "_cloudformation", fakes.cloudformation)
    assert main(["tune", "Shop/Svc/Orders", "--assembly", str(assembly), "--since", "1h"]) == 0
    assert fakes.calls[:3] == [
        ("cloudformation", (None, "Shop", shard_resource)),
        ("cloudformation", (None, nested_arn, spec.logical_id)),
        ("lambda", (None, "Shop-SvcShard000-X-OrdersFunction-abc")),
    ]
    assert resolve_function(assembly, "Shop/Orders").nested_stack_ids == ()


def _without_asset_and_path_metadata(source: Path, target: Path) -> None:
    """The assembly as a bare ``App().synth()`` writes it: no ``aws:asset:path``/``aws:cdk:path`` metadata."""
    shutil.copytree(source, target)
    for template in target.glob("*.template.json"):
        data = json.loads(template.read_text())
        for resource in data["Resources"].values():
            for key in ("aws:asset:path", "aws:cdk:path"):
                resource.get("Metadata", {}).pop(key, None)
        template.write_text(json.dumps(data))


@pytest.mark.parametrize("style", ["bare", "floor"])
def test_shard_functions_in_bare_and_floor_assemblies(assembly: Path, tmp_path: Path, style: str) -> None:
    """Without asset metadata the code is found by its S3Key in the parent's asset manifest; without
    ``aws:cdk:templateFile`` metadata (aws-cdk-lib 2.220) the shards' templates by their logical ids."""
    copy = tmp_path / style
    if style == "bare":
        _without_asset_and_path_metadata(assembly, copy)
    else:
        strip_template_file_metadata(assembly, copy, inline=False)
    spec = resolve_function(copy, "Shop/Svc/Orders")
    assert spec.construct_path == "Svc/Shard000/Orders/Function/Resource"
    assert spec.code_path is not None and (spec.code_path / "app.py").is_file()
    assert len(spec.layer_paths) == 1 and (spec.layer_paths[0] / "python").is_dir()
    assert list_functions(copy) == list_functions(assembly)


# --- releases ------------------------------------------------------------------------------------------


def cli(*argv: str) -> None:
    assert main(list(argv)) == 0, argv


def shard_template(outdir: Path, shard: str) -> dict[str, Any]:
    (path,) = outdir.glob(f"ShopSvc{shard}*.nested.template.json")
    data: dict[str, Any] = json.loads(path.read_text())
    return data


def alias_version(template: dict[str, Any], name: str) -> Any:
    (alias,) = [
        r
        for r in template["Resources"].values()
        if r["Type"] == "AWS::Lambda::Alias" and r["Properties"]["Name"] == name
    ]
    return alias["Properties"]["FunctionVersion"]


def release_version(template: dict[str, Any], label: str) -> dict[str, str]:
    (logical_id,) = [k for k in template["Resources"] if k.startswith(f"OrdersRelease{label}")]
    return {"Fn::GetAtt": [logical_id, "Version"]}


_SHARD = SHARDS["Orders"]
KEY = f"Shop/Svc/{_SHARD}/Orders"


def test_release_reads_shard_functions(assembly: Path) -> None:
    found = read_assembly(assembly)
    assert set(found) == {KEY}  # Billing and the stack's own Orders have no releases=
    assert found[KEY].nested_stack == f"Shop/Svc/{_SHARD}" and found[KEY].stack == "Shop"
    # Its Output<alias> ids are the shard template's; `status --deployed` reads them from the nested stack,
    # found through the parent's AWS::CloudFormation::Stack resource.
    assert set(found[KEY].output_ids) == {"Dev", "Stage", "Prod"}
    shard = shard_template(assembly, _SHARD)
    assert all(lid in shard["Outputs"] for lid in found[KEY].output_ids.values())
    (nested_id,) = found[KEY].nested_stack_ids
    assert nested_id.startswith(f"Svc{_SHARD}NestedStack")
    parent = json.loads((assembly / "Shop.template.json").read_text())
    assert parent["Resources"][nested_id]["Type"] == "AWS::CloudFormation::Stack"
    assert str(found[KEY].parts["code"]).startswith("asset:")


def test_release_commands_name_shard_functions_without_the_shard_id() -> None:
    assert _shard_id(0) == _SHARD  # the id format _resolve_key drops
    keys = [KEY, "Shop/Orders", "Shop/Other/Shard001/Orders"]
    assert _resolve_key("Svc/Orders", keys) == KEY
    assert _resolve_key("Shop/Svc/Orders", keys) == KEY
    assert _resolve_key("Shard000/Orders", keys) == KEY
    assert _resolve_key("Svc/Orders", [*keys, "Shop/Svc/Orders"]) == "Shop/Svc/Orders"  # a key's suffix first
    with pytest.raises(LambdaConstructsError, match="matches several functions"):
        _resolve_key("Orders", keys)
    with pytest.raises(LambdaConstructsError, match="unknown function 'Svc/Billing'"):
        _resolve_key("Svc/Billing", keys)


def test_release_promote_and_resynth_move_a_shard_functions_alias(
    workspace: dict[str, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    tmp, code, releases = workspace["tmp"], workspace["code"], str(workspace["releases"])
    cli("release", "Svc/Orders", "--file", releases, "--assembly", str(workspace["out"]))
    cli("mark-published", "Orders", "--file", releases)
    app_py = code / "app.py"
    app_py.write_text(app_py.read_text() + "\n# v2\n")
    synth(tmp / "out2", code, Path(releases))
    before = shard_template(tmp / "out2", _SHARD)
    assert alias_version(before, "Stage") == release_version(before, "v1")
    capsys.readouterr()
    cli("status", "--file", releases, "--assembly", str(tmp / "out2"))
    status = capsys.readouterr().out
    assert f"{KEY}  Dev    $LATEST" in status and "new code on $LATEST: code" in status
    cli("release", "Svc/Orders", "--file", releases, "--assembly", str(tmp / "out2"))
    cli("promote", "Svc/Orders", "Stage", "v2", "--file", releases)
    record = json.loads(Path(releases).read_text())["functions"][KEY]
    assert [r["label"] for r in record["releases"]] == ["v1", "v2"]
    assert record["aliases"]["Stage"] == {"release": "v2", "history": ["v1"]}

    synth(tmp / "out3", code, Path(releases))
    after = shard_template(tmp / "out3", _SHARD)
    assert alias_version(after, "Stage") == release_version(after, "v2")  # the alias moved
    assert alias_version(after, "Prod") == release_version(after, "v1")
    assert alias_version(after, "Dev") == "$LATEST"
    outputs = {k: v["Value"] for k, v in after["Outputs"].items() if k.startswith("OrdersOutputStage")}
    assert [value.split(" ")[0] for value in outputs.values()] == ["v2"]
    # The parent stack holds no release resource of the shard's function (only its own Orders' alias).
    parent = json.loads((tmp / "out3" / "Shop.template.json").read_text())["Resources"].values()
    assert not [r for r in parent if r["Type"] == "AWS::Lambda::Version"]
    assert [r["Metadata"]["aws:cdk:path"] for r in parent if r["Type"] == "AWS::Lambda::Alias"] == [
        "Shop/Orders/Aliaslive/Resource"
    ]
    capsys.readouterr()
    cli("status", "--file", releases, "--assembly", str(tmp / "out3"), "--outputs", str(_outputs(tmp)))
    rows = [line.split() for line in capsys.readouterr().out.splitlines() if line.startswith(KEY)]
    assert rows[1][1:3] == ["Stage", "v2"] and "(nested stack)" in " ".join(rows[1])


def _outputs(tmp: Path) -> Path:
    path = tmp / "outputs.json"
    path.write_text('{"Shop": {}}')
    return path
