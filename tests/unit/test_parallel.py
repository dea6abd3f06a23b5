"""Parallel synthesis, in process: the worker context, declare_function, and the assembly merge on files."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

import aws_cdk as cdk
import pytest

from lambda_constructs import LambdaConstructsError, SecureFunction, SecureFunctionProps, _compat
from lambda_constructs.parallel import WORKER_CONTEXT, Worker, parse_worker, worker_of
from lambda_constructs.parallel.merge import (
    AssetOwners,
    _merge_metadata,
    construct_positions,
    merge_assemblies,
    merge_assets,
    merge_templates,
    merge_tree,
    order_template,
)
from lambda_constructs.service import LambdaService, LambdaServiceProps, count_resources, home_shard
from tests.helpers import ROOT, feature_flags

PROPS = SecureFunctionProps(inline_code="def handler(event, context):\n    return 1\n")
IDS = [f"fn-{i:03d}" for i in range(12)]


def service(worker: str | None, *, shards: int = 4) -> tuple[cdk.App, LambdaService]:
    context = {**feature_flags(), **({WORKER_CONTEXT: worker} if worker is not None else {})}
    app = cdk.App(
        context=context, outdir=tempfile.mkdtemp(prefix="cdkout-par-"), **_compat.builtin_validation_kwargs(False)
    )
    return app, LambdaService(cdk.Stack(app, "Svc"), "Orders", LambdaServiceProps(shards=shards))


# ------------------------------------------------------------------------------- worker context


@pytest.mark.parametrize(
    ("value", "expected"),
    [("0/2", Worker(0, 2)), ("1/2", Worker(1, 2)), ("3/16", Worker(3, 16)), ("0/1", Worker(0, 1))],
)
def test_parse_worker_accepts_index_over_count(value: str, expected: Worker) -> None:
    assert parse_worker(value) == expected


@pytest.mark.parametrize("value", ["2/2", "0/0", "0/17", "-1/2", "1", "a/b", "1/2/3", 1, None, ""])
def test_parse_worker_rejects_anything_else(value: object) -> None:
    assert parse_worker(value) is None


def test_worker_owns_shards_round_robin() -> None:
    assert [s for s in range(7) if Worker(1, 3).owns(s)] == [1, 4]
    assert all(sum(Worker(k, 3).owns(s) for k in range(3)) == 1 for s in range(20))


def test_a_bad_worker_context_fails_naming_the_path_value_and_fix() -> None:
    app = cdk.App(context={WORKER_CONTEXT: "2/2"})
    stack = cdk.Stack(app, "Svc")
    with pytest.raises(LambdaConstructsError) as error:
        LambdaService(stack, "Orders")
    assert error.value.path == "Svc/Orders"
    assert error.value.value == "2/2"
    assert "python -m lambda_constructs parallel" in error.value.fix


def test_no_worker_context_means_one_process() -> None:
    app = cdk.App()
    assert worker_of(cdk.Stack(app, "S")) is None


# ------------------------------------------------------------------------------ declare_function


def test_declare_function_outside_a_parallel_synthesis_builds_like_add_function() -> None:
    calls: list[str] = []
    _, svc = service(None)
    placement = svc.declare_function("a", PROPS, configure=lambda fn: calls.append(fn.node.id))
    assert calls == ["a"]
    assert placement.built and placement.resources == count_resources(svc.functions["a"]) > 0
    assert placement.shard == home_shard("a", 4)
    assert svc.placement("a") == placement


def test_a_worker_builds_only_the_shards_it_owns() -> None:
    calls: list[str] = []
    _, svc = service("1/2")
    for function_id in IDS:
        svc.declare_function(function_id, PROPS, configure=lambda fn: calls.append(fn.node.id))
    owned = [i for i in IDS if home_shard(i, 4) % 2 == 1]
    assert owned and len(owned) < len(IDS)  # both kinds present
    assert calls == owned
    assert list(svc.functions) == owned
    assert sorted(svc.shard_stacks) == sorted({home_shard(i, 4) for i in owned})
    for placement in svc.placements():
        assert placement.built is (placement.function_id in owned)
        assert (placement.resources > 0) is placement.built
        assert placement.shard == home_shard(placement.function_id, 4)
    assert [p.function_id for p in svc.placements()] == IDS  # every declaration is known, in order
    # The shards built elsewhere have their place held, in first-declaration order, as one process has.
    first_use = list(dict.fromkeys(f"Shard{home_shard(i, 4):03d}" for i in IDS))
    children = [c.node.id for c in svc.node.children if c.node.id.startswith("Shard")]
    assert children == [part for shard in first_use for part in (shard, f"{shard}.NestedStack")]
    for held in {f"Shard{home_shard(i, 4):03d}" for i in IDS} - {f"Shard{s:03d}" for s in svc.shard_stacks}:
        assert not svc.node.find_child(held).node.children
        assert not svc.node.find_child(f"{held}.NestedStack").node.children


def test_a_pinned_function_goes_to_the_worker_owning_the_pin() -> None:
    _, svc = service("0/2")
    assert svc.declare_function("pinned", PROPS, shard=2).built
    assert not svc.declare_function("other", PROPS, shard=3).built
    assert svc.functions["pinned"].node.scope is svc.shard_stacks[2]


def test_the_workers_of_a_synthesis_together_build_every_function_once() -> None:
    built: list[str] = []
    for worker in ("0/3", "1/3", "2/3"):
        _, svc = service(worker)
        for function_id in IDS:
            svc.declare_function(function_id, PROPS)
        built += svc.functions
    assert sorted(built) == IDS


def test_add_function_in_a_worker_that_does_not_own_the_shard_fails_with_the_fix() -> None:
    _, svc = service("0/2")
    foreign = next(i for i in IDS if home_shard(i, 4) % 2 == 1)
    mine = next(i for i in IDS if home_shard(i, 4) % 2 == 0)
    assert isinstance(svc.add_function(mine, PROPS), SecureFunction)
    with pytest.raises(LambdaConstructsError) as error:
        svc.add_function(foreign, PROPS)
    assert error.value.path == "Svc/Orders"
    assert error.value.value == foreign
    assert "declare_function" in error.value.fix


def test_duplicate_ids_fail_even_when_neither_is_built_here() -> None:
    _, svc = service("0/2")
    foreign = next(i for i in IDS if home_shard(i, 4) % 2 == 1)
    svc.declare_function(foreign, PROPS)
    with pytest.raises(LambdaConstructsError, match="two functions with the id"):
        svc.declare_function(foreign, PROPS)


def test_declare_function_checks_pins_in_every_worker() -> None:
    _, svc = service("1/2")
    with pytest.raises(LambdaConstructsError, match="shard of x must be between 0 and 3"):
        svc.declare_function("x", PROPS, shard=4)


# ----------------------------------------------------------------------------------------- merge


def test_merge_templates_is_the_union_and_fails_on_a_differing_entry() -> None:
    a = {"Resources": {"Key": {"Type": "K"}, "S0": {"Type": "S"}}, "Outputs": {"O": {"Value": "1"}}}
    b = {"Resources": {"Key": {"Type": "K"}, "S1": {"Type": "S"}}, "Parameters": {"P": {"Type": "String"}}}
    merged = merge_templates("Svc", [a, b])
    assert list(merged["Resources"]) == ["Key", "S0", "S1"]
    assert merged["Outputs"] == {"O": {"Value": "1"}}
    assert merged["Parameters"] == {"P": {"Type": "String"}}
    c = {"Resources": {"Key": {"Type": "K", "Properties": {"X": 1}}}}
    with pytest.raises(LambdaConstructsError) as error:
        merge_templates("Svc", [a, c])
    assert error.value.path == "Svc Resources.Key"
    assert "declare_function" in error.value.fix


def test_merge_tree_unions_children_by_id() -> None:
    a = {"id": "App", "children": {"S": {"id": "S", "children": {"Shard000": {"id": "Shard000"}}}}}
    b = {"id": "App", "children": {"S": {"id": "S", "children": {"Shard001": {"id": "Shard001"}}}}}
    merged = merge_tree([a, b])
    assert list(merged["children"]["S"]["children"]) == ["Shard000", "Shard001"]


def test_merge_tree_takes_a_built_node_over_a_held_place() -> None:
    held = {"id": "Shard001", "path": "S/Shard001", "constructInfo": {"fqn": "constructs.Construct"}}
    built = {
        "id": "Shard001",
        "path": "S/Shard001",
        "constructInfo": {"fqn": "aws-cdk-lib.NestedStack"},
        "children": {},
    }
    built["children"] = {"Fn": {"id": "Fn", "path": "S/Shard001/Fn"}}
    assert merge_tree([held, built]) == built
    assert merge_tree([built, held]) == built


def test_templates_are_ordered_by_the_construct_tree() -> None:
    tree = {
        "path": "",
        "children": {
            "S": {
                "path": "S",
                "children": {
                    "Key": {"path": "S/Key"},
                    "A": {"path": "S/A"},
                    "B": {"path": "S/B"},
                    "Out": {"path": "S/Out"},
                },
            }
        },
    }
    positions = construct_positions(tree)
    assert [positions[p] for p in ("", "S", "S/Key", "S/A", "S/B", "S/Out")] == [0, 1, 2, 3, 4, 5]
    metadata = {
        f"/S/{name}": [{"type": "aws:cdk:logicalId", "data": logical}]
        for name, logical in (("Key", "KeyX"), ("A", "AX"), ("B", "BX"), ("Out", "OutX"))
    }
    template = {
        "Outputs": {"OutX": {}},
        "Resources": {"BX": {}, "KeyX": {}, "AX": {}},
        "AWSTemplateFormatVersion": "2010-09-09",
    }
    ordered = order_template(template, metadata, positions)
    assert list(ordered) == ["AWSTemplateFormatVersion", "Resources", "Outputs"]
    assert list(ordered["Resources"]) == ["KeyX", "AX", "BX"]
    unknown = order_template({"Resources": {"BX": {}, "Other": {}}}, metadata, positions)
    assert list(unknown["Resources"]) == ["BX", "Other"]  # an entry of unknown place: order kept


def _assembly(root: Path, resources: dict[str, Any], extra: dict[str, bytes]) -> Path:
    """A minimal cloud assembly: one stack with its asset manifest, the template an asset of it."""
    root.mkdir(parents=True)
    text = json.dumps({"Resources": resources}, indent=1)
    digest = hashlib.sha256(text.encode()).hexdigest()
    (root / "S.template.json").write_text(text)
    destination = {"bucketName": "b", "objectKey": f"{digest}.json"}
    dest_key = (
        "current_account-current_region-"
        + hashlib.sha256(json.dumps(destination, separators=(",", ":")).encode()).hexdigest()[:8]
    )
    files = {
        digest: {"source": {"path": "S.template.json", "packaging": "file"}, "destinations": {dest_key: destination}}
    }
    (root / "S.assets.json").write_text(json.dumps({"version": "1", "files": files}))
    manifest = {
        "version": "1",
        "artifacts": {
            "S.assets": {"type": "cdk:asset-manifest", "properties": {"file": "S.assets.json"}},
            "S": {
                "type": "aws:cloudformation:stack",
                "properties": {
                    "templateFile": "S.template.json",
                    "stackTemplateAssetObjectUrl": f"s3://b/{digest}.json",
                    "additionalDependencies": ["S.assets"],
                },
            },
        },
    }
    (root / "manifest.json").write_text(json.dumps(manifest))
    for name, data in extra.items():
        (root / name).write_bytes(data)
    return root


def test_merge_recomputes_the_template_hash_and_its_asset_entry(tmp_path: Path) -> None:
    a = _assembly(tmp_path / "a", {"Key": {"Type": "K"}, "S0": {"Type": "S"}}, {"n0.json": b"0"})
    b = _assembly(tmp_path / "b", {"Key": {"Type": "K"}, "S1": {"Type": "S"}}, {"n1.json": b"1"})
    report = merge_assemblies([a, b], tmp_path / "out")
    out = tmp_path / "out"
    assert report.templates_merged == ["S"] and report.stacks == ["S"]
    text = (out / "S.template.json").read_text()
    assert list(json.loads(text)["Resources"]) == ["Key", "S0", "S1"]
    digest = hashlib.sha256(text.encode()).hexdigest()
    url = json.loads((out / "manifest.json").read_text())["artifacts"]["S"]["properties"]["stackTemplateAssetObjectUrl"]
    assert url == f"s3://b/{digest}.json"
    files = json.loads((out / "S.assets.json").read_text())["files"]
    assert list(files) == [digest]  # each worker's partial-template entry is gone
    [(dest_key, destination)] = files[digest]["destinations"].items()
    assert destination["objectKey"] == f"{digest}.json"
    expected = hashlib.sha256(json.dumps(destination, separators=(",", ":")).encode()).hexdigest()[:8]
    assert dest_key == f"current_account-current_region-{expected}"
    assert (out / "n0.json").read_bytes() == b"0" and (out / "n1.json").read_bytes() == b"1"


def test_merge_recurses_into_the_assembly_of_a_stage(tmp_path: Path) -> None:
    """A Stage's stacks live in their own assembly directory: both workers' shards must survive."""
    sources = []
    for worker, shard in (("a", "S0"), ("b", "S1")):
        root = _assembly(tmp_path / worker, {"Key": {"Type": "K"}}, {})
        _assembly(root / "assembly-Prod", {"Key": {"Type": "K"}, shard: {"Type": "S"}}, {f"{shard}.nested.json": b"x"})
        manifest = json.loads((root / "manifest.json").read_text())
        manifest["artifacts"]["assembly-Prod"] = {
            "type": "cdk:cloud-assembly",
            "properties": {"directoryName": "assembly-Prod", "displayName": "Prod"},
        }
        (root / "manifest.json").write_text(json.dumps(manifest))
        sources.append(root)
    (tmp_path / "out" / "assembly-Prod").mkdir(parents=True)
    (tmp_path / "out" / "assembly-Prod" / "S0.nested.json").write_bytes(b"stale")  # from an earlier synthesis
    (tmp_path / "a" / "S0.nested.json").write_bytes(b"top")  # the same name moved at the top level first
    report = merge_assemblies(sources, tmp_path / "out")
    stage = tmp_path / "out" / "assembly-Prod"
    assert (stage / "S0.nested.json").read_bytes() == b"x"  # replaced, not taken for a conflict
    assert report.files_moved == 3
    assert list(json.loads((stage / "S.template.json").read_text())["Resources"]) == ["Key", "S0", "S1"]
    assert (stage / "S0.nested.json").exists() and (stage / "S1.nested.json").exists()
    assert report.stacks == ["S", "S"]  # the top-level stack and the stage's
    assert "assembly-Prod" in json.loads((tmp_path / "out" / "manifest.json").read_text())["artifacts"]


def test_merge_fails_when_two_workers_wrote_one_file_differently(tmp_path: Path) -> None:
    a = _assembly(tmp_path / "a", {"Key": {"Type": "K"}}, {"Nested.template.json": b"{}"})
    b = _assembly(tmp_path / "b", {"Key": {"Type": "K"}}, {"Nested.template.json": b"{ }"})
    with pytest.raises(LambdaConstructsError) as error:
        merge_assemblies([a, b], tmp_path / "out")
    assert error.value.path == "Nested.template.json"


def test_merge_replaces_files_left_by_an_earlier_synthesis(tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    (out / "n0.json").write_bytes(b"stale")
    a = _assembly(tmp_path / "a", {"Key": {"Type": "K"}}, {"n0.json": b"fresh"})
    b = _assembly(tmp_path / "b", {"Key": {"Type": "K"}}, {})
    report = merge_assemblies([a, b], out)
    assert (out / "n0.json").read_bytes() == b"fresh"
    assert report.templates_merged == []  # identical templates are copied, not re-serialized


def test_merge_fails_when_a_worker_lacks_a_stack(tmp_path: Path) -> None:
    a = _assembly(tmp_path / "a", {"Key": {"Type": "K"}}, {})
    b = _assembly(tmp_path / "b", {"Key": {"Type": "K"}}, {})
    manifest = json.loads((b / "manifest.json").read_text())
    del manifest["artifacts"]["S"]
    (b / "manifest.json").write_text(json.dumps(manifest))
    with pytest.raises(LambdaConstructsError, match="missing from the assembly of some workers"):
        merge_assemblies([a, b], tmp_path / "out")


def test_merge_fails_clearly_when_a_worker_wrote_no_assembly(tmp_path: Path) -> None:
    a = _assembly(tmp_path / "a", {"Key": {"Type": "K"}}, {})
    (tmp_path / "b").mkdir()
    with pytest.raises(LambdaConstructsError) as error:
        merge_assemblies([a, tmp_path / "b"], tmp_path / "out")
    assert "CDK_OUTDIR" in error.value.fix


def test_the_launcher_imports_neither_aws_cdk_nor_constructs() -> None:
    code = (
        "import sys, lambda_constructs.parallel.cli as c; "
        "print(sorted(m for m in ('aws_cdk', 'constructs', 'jsii') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_the_launcher_is_also_a_sub_command_of_the_package_cli() -> None:
    from lambda_constructs.__main__ import build_parser

    args = build_parser().parse_args(["parallel", "--workers", "3", "--output", "o", "--", "python", "app.py"])
    assert (args.workers, args.output, args.command) == (3, "o", ["--", "python", "app.py"])
    assert args.func.__module__ == "lambda_constructs.parallel.cli"


FAKE_APP = """
import json, os, sys
from pathlib import Path
out = Path(os.environ["CDK_OUTDIR"])
out.mkdir(parents=True, exist_ok=True)
context = json.loads(os.environ.get("CDK_CONTEXT_JSON") or "{}")
(out / "seen.json").write_text(json.dumps({"context": context, "argv": sys.argv[1:]}))
"""


def test_one_worker_runs_the_app_itself_without_a_worker_context(tmp_path: Path) -> None:
    from lambda_constructs.parallel.cli import run

    app = tmp_path / "app.py"
    app.write_text(FAKE_APP)
    env = {**os.environ, "CDK_CONTEXT_JSON": json.dumps({"k": "v"})}
    assert run([sys.executable, str(app), "x"], workers=1, outdir=tmp_path / "out", env=env) == 0
    seen = json.loads((tmp_path / "out" / "seen.json").read_text())
    assert seen == {"context": {"k": "v"}, "argv": ["x"]}  # no worker context, no merge
    assert sorted(p.name for p in tmp_path.iterdir()) == ["app.py", "out"]  # no scratch directory


def test_each_worker_gets_its_context_and_output_directory(tmp_path: Path) -> None:
    from lambda_constructs.parallel.cli import _worker_env

    base = {"CDK_CONTEXT_JSON": json.dumps({"k": "v"}), "PATH": "/bin"}
    env = _worker_env(base, 1, 2, tmp_path / "w1", tmp_path)
    assert json.loads(env["CDK_CONTEXT_JSON"]) == {"k": "v", WORKER_CONTEXT: "1/2"}
    assert env["CDK_OUTDIR"] == str(tmp_path / "w1")
    overflow = tmp_path / "context.json"
    overflow.write_text(json.dumps({"big": "x"}))
    env = _worker_env({"CONTEXT_OVERFLOW_LOCATION_ENV": str(overflow)}, 0, 2, tmp_path / "w0", tmp_path)
    assert json.loads(Path(env["CONTEXT_OVERFLOW_LOCATION_ENV"]).read_text()) == {"big": "x", WORKER_CONTEXT: "0/2"}
    assert json.loads(overflow.read_text()) == {"big": "x"}  # the CLI's own file is left alone


def test_merged_metadata_keeps_the_entries_a_worker_repeated_and_drops_those_another_worker_repeats() -> None:
    # aws-cdk-lib writes an analytics entry per call: a ManagedPolicy created with two statements records
    # addStatements twice. The worker that built the construct and a worker holding its place both wrote it.
    add = {"type": "aws:cdk:analytics:method", "data": {"addStatements": [{}]}}
    attach = {"type": "aws:cdk:analytics:method", "data": {"attachToRole": ["*"]}}
    builder = {"/S/Fn/Role/Policy": [attach, add, add], "/S": [{"type": "aws:cdk:logicalId", "data": "S"}]}
    placeholder = {"/S/Fn/Role/Policy": [attach, add], "/S": [{"type": "aws:cdk:logicalId", "data": "S"}]}
    expected = {"/S/Fn/Role/Policy": [attach, add, add], "/S": [{"type": "aws:cdk:logicalId", "data": "S"}]}
    assert _merge_metadata([builder, placeholder]) == expected
    assert _merge_metadata([placeholder, builder]) == expected


# ------------------------------------------------------------------------------- shared assets

SHARED_CODE_IDS = ("orders-create", "orders-cancel", "orders-refund", "orders-report")  # docs/scaling.md


def _synth_shared_code(code_dir: Path, outdir: Path, worker: str | None) -> Path:
    """docs/scaling.md's parallel example without triggers: four functions of one code_dir in 8 shards."""
    context = {**feature_flags(), **({WORKER_CONTEXT: worker} if worker is not None else {})}
    app = cdk.App(context=context, outdir=str(outdir), **_compat.builtin_validation_kwargs(False))
    svc = LambdaService(cdk.Stack(app, "OrdersService"), "Orders", LambdaServiceProps(shards=8))
    for function_id in SHARED_CODE_IDS:
        svc.declare_function(function_id, SecureFunctionProps(code_dir=str(code_dir)))
    app.synth()
    return outdir


@pytest.fixture(scope="module")
def shared_code(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[Path]]:
    """One-process assembly and the two workers' assemblies of the shared-code app (merge them at will)."""
    root = tmp_path_factory.mktemp("shared-code")
    code = root / "orders"
    code.mkdir()
    (code / "app.py").write_text("def handler(event, context):\n    return {}\n")
    serial = _synth_shared_code(code, root / "serial", None)
    workers = [_synth_shared_code(code, root / f"w{k}", f"{k}/2") for k in range(2)]
    return serial, workers


def _copies(workers: list[Path], into: Path) -> list[Path]:
    """Copies of the workers' assemblies (a merge consumes its sources)."""
    copies = [into / source.name for source in workers]
    for source, copy in zip(workers, copies, strict=True):
        shutil.copytree(source, copy)
    return copies


def _display_names(assembly: Path) -> dict[str, str]:
    files = json.loads((assembly / "OrdersService.assets.json").read_text())["files"]
    return {key: entry["displayName"] for key, entry in files.items() if "/Function/Code" in entry["displayName"]}


def test_a_shared_code_asset_merges_to_the_asset_manifest_one_process_writes(
    shared_code: tuple[Path, list[Path]], tmp_path: Path
) -> None:
    serial, workers = shared_code
    # The premise: one asset (one hash), named after a different function by each worker.
    (code_hash,) = _display_names(serial)
    assert [_display_names(w)[code_hash] for w in workers] == [
        "Orders/Shard000/orders-create/Function/Code",
        "Orders/Shard001/orders-cancel/Function/Code",
    ]
    assert _display_names(serial)[code_hash] == "Orders/Shard000/orders-create/Function/Code"
    for order in (workers, workers[::-1]):  # whichever worker is merged first
        out = tmp_path / f"out-{order[0].name}"
        merge_assemblies(_copies(order, tmp_path / f"src-{order[0].name}"), out)
        assets = (out / "OrdersService.assets.json").read_bytes()
        assert assets == (serial / "OrdersService.assets.json").read_bytes()
        # equal as JSON: an older aws-cdk-lib (2.220, the floor job) writes the stacks' metadata into manifest.json, whose paths the
        # merge orders as its metadata files (the floor job); the asset manifest above is byte-identical everywhere
        assert json.loads((out / "manifest.json").read_text()) == json.loads((serial / "manifest.json").read_text())


def _mutated_worker(workers: list[Path], into: Path, change: Any) -> list[Path]:
    copies = _copies(workers, into)
    path = copies[1] / "OrdersService.assets.json"
    manifest = json.loads(path.read_text())
    (code_hash,) = _display_names(copies[1])
    change(manifest["files"][code_hash])
    path.write_text(json.dumps(manifest, indent=2))
    return copies


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda entry: entry["source"].update(path="asset.other"), "this entry differs between the workers"),
        (lambda entry: entry["source"].update(packaging="file"), "this entry differs between the workers"),
        (
            lambda entry: next(iter(entry["destinations"].values())).update(bucketName="other"),
            "this entry differs between the workers",
        ),
        (lambda entry: entry.update(displayName="handmade"), "does not name a construct of the stack"),
        (lambda entry: entry.pop("displayName"), "does not name a construct of the stack"),
    ],
)
def test_a_shared_asset_that_differs_in_more_than_the_construct_it_names_is_refused(
    shared_code: tuple[Path, list[Path]], tmp_path: Path, change: Any, message: str
) -> None:
    _, workers = shared_code
    copies = _mutated_worker(workers, tmp_path / "src", change)
    with pytest.raises(LambdaConstructsError, match=message) as error:
        merge_assemblies(copies, tmp_path / "out")
    (code_hash,) = _display_names(workers[0])
    assert error.value.path == f"OrdersService.assets.json files {code_hash}"


def test_a_shared_docker_image_takes_the_name_of_the_construct_first_in_the_tree() -> None:
    owners = AssetOwners("Prod/S", {"Prod/S": 0, "Prod/S/A/Image": 3, "Prod/S/B/Image": 7})
    entry = {"source": {"directory": "asset.h"}, "destinations": {"d": {"repositoryName": "r", "imageTag": "h"}}}
    workers = [{"h": {"displayName": "B/Image", **entry}}, {"h": {"displayName": "A/Image", **entry}}]
    merged = merge_assets("S.assets.json dockerImages ", workers, owners)
    assert json.dumps(merged) == json.dumps({"h": {"displayName": "A/Image", **entry}})  # key order kept
    other = {**entry, "source": {"directory": "asset.other"}}
    with pytest.raises(LambdaConstructsError, match="differs between the workers") as error:
        merge_assets("S.assets.json dockerImages ", [workers[0], {"h": {"displayName": "A/Image", **other}}], owners)
    assert error.value.path == "S.assets.json dockerImages h"


def test_merged_assets_keep_each_workers_order_and_interleave_by_the_tree() -> None:
    # One process adds the assets of constructs as they are created, then the nested stacks' templates.
    owners = AssetOwners(
        "S",
        {"S": 0, "S/Svc/Shard000": 1, "S/Svc/Shard000/a": 2, "S/Svc/Shard001": 3, "S/Svc/Shard001/b": 4, "S/Common": 5},
    )

    def asset(name: str) -> dict[str, Any]:
        return {"displayName": name, "source": {"path": name}}

    w0 = {"a": asset("Svc/Shard000/a"), "c": asset("Common"), "n0": asset("Svc/Shard000 Nested Stack Template")}
    w1 = {"b": asset("Svc/Shard001/b"), "c": asset("Common"), "n1": asset("Svc/Shard001 Nested Stack Template")}
    assert list(merge_assets("", [w0, w1], owners)) == ["a", "b", "c", "n0", "n1"]
    assert list(merge_assets("", [w1, w0], owners)) == ["a", "b", "c", "n0", "n1"]
