"""lambda_constructs.assembly: the one cloud-assembly reader (Stage assemblies, nested stacks, floor-style
manifests without ``aws:cdk:templateFile`` metadata, truncated files)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import aws_cdk as cdk
import pytest
from aws_cdk import aws_sqs as sqs

from lambda_constructs import _compat
from lambda_constructs.assembly import AssemblyError, AssemblyManifest, StackArtifact, read_stacks
from lambda_constructs.errors import LambdaConstructsError

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def synthesized(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """``Shop`` (a queue, nested stack ``Shard`` holding nested stack ``Inner``) at the top level and in Stage ``Prod``."""
    outdir = tmp_path_factory.mktemp("assembly")
    # CDK's built-in CloudFormation validation is not under test here (as new_app: ~19 s once a process)
    app = cdk.App(outdir=str(outdir), **_compat.builtin_validation_kwargs(False))
    stage = cdk.Stage(app, "Prod", env=cdk.Environment(account="111122223333", region="eu-west-1"))
    for scope in (app, stage):
        stack = cdk.Stack(scope, "Shop")
        sqs.Queue(stack, "Top")
        shard = cdk.NestedStack(stack, "Shard")
        sqs.Queue(shard, "Q")
        sqs.Queue(cdk.NestedStack(shard, "Inner"), "Q2")
    app.synth()
    return outdir


def by_name(directory: Path) -> dict[str, StackArtifact]:
    return {stack.display_name: stack for stack in read_stacks(directory)}


def test_stacks_of_stage_assemblies_are_read(synthesized: Path) -> None:
    stacks = by_name(synthesized)
    assert sorted(stacks) == ["Prod/Shop", "Shop"]
    top, prod = stacks["Shop"], stacks["Prod/Shop"]
    assert (top.artifact_id, top.stack_name, top.stage_path, top.directory) == ("Shop", "Shop", (), synthesized)
    assert prod.stack_name == "Prod-Shop" and prod.artifact_id != "Prod/Shop"
    assert prod.stage_path == ("Prod",)
    assert prod.directory == synthesized / "assembly-Prod"
    assert prod.environment == "aws://111122223333/eu-west-1"
    assert top.environment == "aws://unknown-account/unknown-region"
    assert prod.template_file.endswith(".template.json") and prod.has_template
    queues = [lid for lid, r in prod.resources.items() if r["Type"] == "AWS::SQS::Queue"]
    assert len(queues) == 1 and prod.construct_paths[queues[0]] == "Prod/Shop/Top/Resource"
    assert prod.logical_ids["Prod/Shop/Top/Resource"] == queues[0]


def nested_expected(stack: StackArtifact) -> dict[str, str]:
    """Nested stack path -> template file, from the CDK's own ``aws:cdk:templateFile`` entries."""
    return {
        path.lstrip("/"): entry["data"]
        for path, entries in stack.metadata.items()
        for entry in entries
        if entry.get("type") == "aws:cdk:templateFile" and entry["data"] != stack.template_file
    }


def test_nested_stacks_and_the_templates_their_resources_are_in(synthesized: Path) -> None:
    for name, stack in by_name(synthesized).items():
        assert sorted(stack.nested_stacks) == [f"{name}/Shard", f"{name}/Shard/Inner"]
        expected = nested_expected(stack)
        if expected:  # aws-cdk-lib 2.220 (the floor) writes no aws:cdk:templateFile: found by logical ids there
            assert stack.nested_stacks == expected
        for path, file in stack.nested_stacks.items():
            assert (synthesized / file).is_file() or any(synthesized.rglob(file)), (path, file)
        parts = {part.path: part for part in stack.parts}
        assert sorted(parts) == ["", f"{name}/Shard", f"{name}/Shard/Inner"]  # order: manifest (2.220: ids)
        for path, queue in (("", "Top"), (f"{name}/Shard", "Q"), (f"{name}/Shard/Inner", "Q2")):
            part = parts[path]
            queues = [lid for lid, r in part.template["Resources"].items() if r["Type"] == "AWS::SQS::Queue"]
            assert len(queues) == 1
            # The queue's path is listed under the innermost stack above it, and only there.
            assert part.construct_paths[queues[0]] == f"{path or name}/{queue}/Resource"
            others = [p for other in parts.values() if other is not part for p in other.construct_paths.values()]
            assert f"{path or name}/{queue}/Resource" not in others


def test_parent_of_a_nested_stack_is_the_template_holding_its_stack_resource(synthesized: Path) -> None:
    for name, stack in by_name(synthesized).items():
        parts = {part.path: part for part in stack.parts}
        assert stack.parent_of(parts[""]) is None
        for path, parent in ((f"{name}/Shard", ""), (f"{name}/Shard/Inner", f"{name}/Shard")):
            found = stack.parent_of(parts[path])
            assert found is not None and found[0] is parts[parent], path
            resource = found[0].template["Resources"][found[1]]
            assert resource["Type"] == "AWS::CloudFormation::Stack"
            assert found[0].construct_paths[found[1]].endswith(".NestedStackResource")


def strip_template_file_metadata(source: Path, target: Path, *, inline: bool) -> None:
    """Copy the assembly as aws-cdk-lib 2.220 (the floor) writes it: no ``aws:cdk:templateFile`` entries;
    with ``inline``, the metadata in manifest.json itself instead of an additional metadata file."""
    shutil.copytree(source, target)
    for manifest_file in target.rglob("manifest.json"):
        manifest = json.loads(manifest_file.read_text())
        for artifact in manifest["artifacts"].values():
            extra = artifact.get("additionalMetadataFile")
            if not extra:
                continue
            metadata: dict[str, Any] = json.loads((manifest_file.parent / extra).read_text())
            metadata = {
                path: [e for e in entries if e.get("type") != "aws:cdk:templateFile"]
                for path, entries in metadata.items()
            }
            if inline:
                artifact["metadata"] = metadata
                del artifact["additionalMetadataFile"]
                (manifest_file.parent / extra).unlink()
            else:
                (manifest_file.parent / extra).write_text(json.dumps(metadata))
        manifest_file.write_text(json.dumps(manifest))


@pytest.mark.parametrize("inline", [False, True], ids=["metadata-file", "inline-metadata"])
def test_floor_manifest_without_template_file_metadata(synthesized: Path, tmp_path: Path, inline: bool) -> None:
    floor = tmp_path / "floor"
    strip_template_file_metadata(synthesized, floor, inline=inline)
    originals = by_name(synthesized)
    for name, stack in by_name(floor).items():
        assert nested_expected(stack) == {}  # the metadata really is gone
        assert stack.nested_stacks == originals[name].nested_stacks  # found by the logical ids in each file
        assert [(p.path, p.file, dict(p.construct_paths)) for p in stack.parts] == [
            (p.path, p.file, dict(p.construct_paths)) for p in originals[name].parts
        ]


def test_manifest_is_read_but_templates_only_when_used(synthesized: Path, tmp_path: Path) -> None:
    copy = tmp_path / "copy"
    shutil.copytree(synthesized, copy)
    top = by_name(copy)["Shop"]
    (copy / top.template_file).write_text('{"Resources": {"Top')  # truncated after the listing
    stacks = by_name(copy)
    assert sorted(stacks) == ["Prod/Shop", "Shop"]
    assert stacks["Prod/Shop"].resources  # the other stack is unaffected
    with pytest.raises(
        AssemblyError, match=r"cannot read the cloud assembly file .*Shop\.template\.json: .*cdk synth` again"
    ):
        _ = stacks["Shop"].template


@pytest.mark.parametrize("where", ["manifest.json", "assembly-Prod/manifest.json"])
def test_a_truncated_manifest_is_an_error_naming_it(synthesized: Path, tmp_path: Path, where: str) -> None:
    copy = tmp_path / "copy"
    shutil.copytree(synthesized, copy)
    (copy / where).write_text('{"version": "48.0.0", "artifacts": {"Sh')
    with pytest.raises(AssemblyError) as caught:
        read_stacks(copy)
    message = str(caught.value)
    assert message.startswith(f"cannot read the cloud assembly file {copy / where}: ")
    assert message.endswith("Fix: run `cdk synth` again")
    assert isinstance(caught.value, LambdaConstructsError) and isinstance(caught.value, ValueError)


def test_missing_manifest_and_template_file(tmp_path: Path) -> None:
    with pytest.raises(AssemblyError, match=r"manifest\.json: it does not exist"):
        read_stacks(tmp_path)
    manifest = {"artifacts": {"Svc": {"type": "aws:cloudformation:stack", "properties": {}}}}
    (tmp_path / "manifest.json").write_text(json.dumps(manifest))
    (stack,) = read_stacks(tmp_path)
    assert (stack.template_file, stack.has_template, stack.parts) == ("", False, ())
    with pytest.raises(AssemblyError, match="stack Svc names no templateFile"):
        _ = stack.template
    manifest["artifacts"]["Svc"]["properties"] = {"templateFile": "Svc.template.json"}
    (tmp_path / "manifest.json").write_text(json.dumps(manifest))
    (stack,) = read_stacks(tmp_path)
    assert not stack.has_template
    with pytest.raises(AssemblyError, match=r"Svc\.template\.json: it does not exist"):
        _ = stack.template


def test_asset_paths_by_object_key(tmp_path: Path) -> None:
    assets = {"files": {"abc": {"source": {"path": "asset.abc"}, "destinations": {"d": {"objectKey": "abc.zip"}}}}}
    (tmp_path / "Svc.assets.json").write_text(json.dumps(assets))
    manifest = {
        "artifacts": {
            "Svc.assets": {"type": "cdk:asset-manifest", "properties": {"file": "Svc.assets.json"}},
            "Svc": {"type": "aws:cloudformation:stack", "properties": {"templateFile": "Svc.template.json"}},
        }
    }
    (tmp_path / "manifest.json").write_text(json.dumps(manifest))
    (stack,) = read_stacks(tmp_path)
    assert stack.assembly.asset_paths == {"abc.zip": tmp_path / "asset.abc"}


#: Modules that may read a manifest's stack artifacts themselves: the reader, and the parallel-synth merge
#: (which writes assemblies).
READERS_ALLOWED = {"lambda_constructs/assembly.py", "lambda_constructs/parallel/merge.py"}


def test_every_assembly_reader_uses_this_module() -> None:
    """No other module of the library (or the diagram script) walks a manifest's stack artifacts or globs its
    asset manifests."""
    sources = [*sorted((ROOT / "lambda_constructs").rglob("*.py")), ROOT / "scripts" / "diagram.py"]
    walking = sorted(
        str(path.relative_to(ROOT))
        for path in sources
        if any(
            marker in path.read_text()
            for marker in ('"aws:cloudformation:stack"', '"cdk:cloud-assembly"', "*.assets.json")
        )
    )
    assert set(walking) <= READERS_ALLOWED, walking
    assert "lambda_constructs/assembly.py" in walking


@pytest.mark.parametrize(
    ("environment", "account", "region"),
    [
        ("aws://111122223333/eu-west-1", "111122223333", "eu-west-1"),
        ("aws://unknown-account/unknown-region", None, None),
        ("", None, None),
    ],
)
def test_account_and_region_of_the_environment(environment: str, account: str | None, region: str | None) -> None:
    stack = StackArtifact("S", {"environment": environment} if environment else {}, AssemblyManifest(Path(".")))
    assert (stack.account, stack.region) == (account, region)
