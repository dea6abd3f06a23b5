"""The release CLI paths not covered by test_releases / test_releases_flow, run in-process.

Most tests use a small fake cloud assembly shaped like the one aws-cdk-lib writes (manifest,
template with the fingerprint metadata, construct metadata in the ``additionalMetadataFile``);
one module-scoped real synth checks that ``status --outputs`` finds the outputs of a real assembly.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from lambda_constructs import SecureFunction, SecureFunctionProps
from lambda_constructs.__main__ import main
from lambda_constructs.releases.assembly import read_assembly
from lambda_constructs.releases.fingerprint import METADATA_KEY, fingerprint
from lambda_constructs.releases.record import parse_record
from tests.helpers import new_app, new_stack

KEY = "Svc/Orders"
OLD_PARTS = {"code": "asset:old", "runtime": "python3.13", "handler": "app.handler", "memory": 128}
NEW_PARTS = {**OLD_PARTS, "code": "asset:new", "memory": 256}
OLD_FP = fingerprint(OLD_PARTS)
NEW_FP = fingerprint(NEW_PARTS)


def rel(label: str, fp: str = OLD_FP, *, published: bool = True, parts: dict[str, Any] | None = None) -> dict[str, Any]:
    return {"label": label, "fingerprint": fp, "parts": dict(parts or OLD_PARTS), "published": published}


def write_record(path: Path, releases: list[dict[str, Any]], aliases: dict[str, Any], key: str = KEY) -> Path:
    path.write_text(json.dumps({"format": 1, "functions": {key: {"releases": releases, "aliases": aliases}}}, indent=2))
    return path


DEFAULT_ALIASES = {
    "Dev": {"follows": "$LATEST"},
    "Stage": {"release": "v2", "history": ["v1"]},
    "Prod": {"release": "v1", "history": []},
}


def fake_assembly(directory: Path, *, key: str = KEY, fp: str = NEW_FP, parts: dict[str, Any] | None = None) -> Path:
    """A cloud assembly with one stack holding one release-managed function (as aws-cdk-lib 2 writes it)."""
    directory.mkdir(parents=True, exist_ok=True)
    stack, name = key.split("/")
    aliases = ("Dev", "Stage", "Prod")
    template = {
        "Resources": {
            f"{name}Function520DBA95": {
                "Type": "AWS::Lambda::Function",
                "Properties": {},
                "Metadata": {METADATA_KEY: {"key": key, "fingerprint": fp, "parts": dict(parts or NEW_PARTS)}},
            },
        },
        "Outputs": {f"{name}Output{a}00000000": {"Value": "…"} for a in aliases},
    }
    metadata = {
        f"/{key}/Output{a}": [{"type": "aws:cdk:logicalId", "data": f"{name}Output{a}00000000"}] for a in aliases
    }
    manifest = {
        "version": "55.0.0",
        "artifacts": {
            stack: {
                "type": "aws:cloudformation:stack",
                "properties": {"templateFile": f"{stack}.template.json"},
                "additionalMetadataFile": f"{stack}.metadata.json",
                "displayName": stack,
            },
        },
    }
    (directory / f"{stack}.template.json").write_text(json.dumps(template))
    (directory / f"{stack}.metadata.json").write_text(json.dumps(metadata))
    (directory / "manifest.json").write_text(json.dumps(manifest))
    return directory


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str]:
    code = main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out + captured.err


def entry(path: Path, key: str = KEY) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(path.read_text())["functions"][key]
    return data


def status_rows(out: str) -> dict[str, str]:
    """ALIAS -> the whole status line, for the rows of KEY."""
    return {line.split()[1]: line for line in out.splitlines() if line.startswith(KEY + " ")}


@pytest.fixture
def file(tmp_path: Path) -> Path:
    return write_record(tmp_path / "releases.json", [rel("v1"), rel("v2")], DEFAULT_ALIASES)


@pytest.fixture
def assembly(tmp_path: Path) -> Path:
    return fake_assembly(tmp_path / "cdk.out")


# --------------------------------------------------------------------------------- release --amend


def test_amend_rerecords_the_unpublished_newest_release(
    tmp_path: Path, assembly: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    file = write_record(tmp_path / "r.json", [rel("v1"), rel("v2", published=False)], DEFAULT_ALIASES)
    code, out = run(capsys, "release", "Orders", "--amend", "--file", str(file), "--assembly", str(assembly))
    assert code == 0, out
    assert "re-recorded v2" in out and "changed: code, memory" in out
    data = entry(file)
    assert [r["label"] for r in data["releases"]] == ["v1", "v2"]
    v1, v2 = data["releases"]
    assert v2["fingerprint"] == NEW_FP and v2["parts"] == NEW_PARTS and v2["published"] is False
    assert v2["recorded_at"]
    assert v1 == rel("v1")
    assert data["aliases"] == DEFAULT_ALIASES


def test_amend_refused_when_the_newest_release_is_published(
    file: Path, assembly: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    before = file.read_bytes()
    code, out = run(capsys, "release", "Orders", "--amend", "--file", str(file), "--assembly", str(assembly))
    assert code == 2
    assert "--amend re-records the newest release only while it is unpublished" in out
    assert "v2 is published" in out and "release Orders" in out
    assert file.read_bytes() == before


def test_amend_refused_without_releases_and_does_not_create_the_file(
    tmp_path: Path, assembly: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    file = tmp_path / "new.json"
    code, out = run(capsys, "release", "Orders", "--amend", "--file", str(file), "--assembly", str(assembly))
    assert code == 2 and "no releases" in out
    assert not file.exists()


def test_amend_keeps_the_label(tmp_path: Path, assembly: Path, capsys: pytest.CaptureFixture[str]) -> None:
    file = write_record(tmp_path / "r.json", [rel("v1"), rel("v2", published=False)], DEFAULT_ALIASES)
    before = file.read_bytes()
    argv = ("release", "Orders", "--amend", "--label", "v3", "--file", str(file), "--assembly", str(assembly))
    code, out = run(capsys, *argv)
    assert code == 2 and "--amend keeps the label" in out and "omit --label (v2)" in out
    assert file.read_bytes() == before


def test_release_without_amend_refused_while_newest_unpublished(
    tmp_path: Path, assembly: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    file = write_record(tmp_path / "r.json", [rel("v1"), rel("v2", published=False)], DEFAULT_ALIASES)
    before = file.read_bytes()
    code, out = run(capsys, "release", "Orders", "--file", str(file), "--assembly", str(assembly))
    assert code == 2 and "release v2 is not published yet" in out and "--amend" in out
    assert file.read_bytes() == before


def test_release_records_next_label_after_published(
    file: Path, assembly: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out = run(capsys, "release", "Orders", "--file", str(file), "--assembly", str(assembly))
    assert code == 0, out
    assert "recorded v3" in out and "(code, memory)" in out and "unpublished until deployed" in out
    v3 = entry(file)["releases"][-1]
    assert (v3["label"], v3["fingerprint"], v3["published"]) == ("v3", NEW_FP, False)
    assert entry(file)["aliases"] == DEFAULT_ALIASES


def test_release_refuses_a_function_missing_from_the_assembly(
    tmp_path: Path, file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    other = fake_assembly(tmp_path / "other.out", key="Svc/Payments")
    before = file.read_bytes()
    code, out = run(capsys, "release", "Orders", "--file", str(file), "--assembly", str(other))
    assert code == 2 and "Svc/Orders is not in the cloud assembly" in out and "Svc/Payments" in out
    assert file.read_bytes() == before


# --------------------------------------------------------------------------------- mark-published


def test_mark_published_marks_the_newest_release_then_refuses(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    file = write_record(tmp_path / "r.json", [rel("v1"), rel("v2", published=False)], DEFAULT_ALIASES)
    code, out = run(capsys, "mark-published", "Orders", "--file", str(file))
    assert code == 0 and f"{KEY}: v2 published" in out
    assert [r["published"] for r in entry(file)["releases"]] == [True, True]
    assert entry(file)["aliases"] == DEFAULT_ALIASES
    after = file.read_bytes()
    # A second run has nothing to do: refused, the file is unchanged.
    code, out = run(capsys, "mark-published", "Orders", "--file", str(file))
    assert code == 2 and "no unpublished release" in out and "nothing to do" in out
    assert file.read_bytes() == after


def test_mark_published_without_releases_refuses(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    file = write_record(tmp_path / "r.json", [], {"Dev": {"follows": "$LATEST"}})
    before = file.read_bytes()
    code, out = run(capsys, "mark-published", KEY, "--file", str(file))
    assert code == 2 and "no unpublished release" in out
    assert file.read_bytes() == before


# --------------------------------------------------------------------------------- status --outputs


def outputs_file(path: Path, values: dict[str, str], name: str = "Orders", stack: str = "Svc") -> Path:
    """A `cdk deploy --outputs-file` file: {stack: {output logical id: value}}."""
    path.write_text(json.dumps({stack: {f"{name}Output{a}00000000": v for a, v in values.items()}}))
    return path


def test_status_outputs_reports_a_mismatch(
    tmp_path: Path, file: Path, assembly: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # Deployed: Stage on v2 (as the file says), Prod on v2 (the file has rolled it back to v1).
    outputs = outputs_file(tmp_path / "cdk-outputs.json", {"Stage": f"v2 {OLD_FP}", "Prod": f"v2 {OLD_FP}"})
    argv = ("status", "--file", str(file), "--assembly", str(assembly), "--outputs", str(outputs))
    code, out = run(capsys, *argv)
    assert code == 0, out
    rows = status_rows(out)
    assert rows["Stage"].endswith("no change")
    assert rows["Prod"].endswith("moves v2 -> v1")
    assert "new code on $LATEST: code, memory" in rows["Dev"]


def test_status_outputs_names_the_deployment(
    tmp_path: Path, assembly: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    aliases = {**DEFAULT_ALIASES, "Prod": {"release": "v2", "deployment": "Canary10Percent5Minutes", "history": ["v1"]}}
    file = write_record(tmp_path / "r.json", [rel("v1"), rel("v2")], aliases)
    outputs = outputs_file(tmp_path / "cdk-outputs.json", {"Prod": f"v1 {OLD_FP}"})
    code, out = run(capsys, "status", "--file", str(file), "--assembly", str(assembly), "--outputs", str(outputs))
    assert code == 0, out
    assert status_rows(out)["Prod"].endswith("moves v1 -> v2 via Canary10Percent5Minutes")


def test_status_without_outputs_shows_the_history(
    file: Path, assembly: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out = run(capsys, "status", "--file", str(file), "--assembly", str(assembly))
    assert code == 0, out
    rows = status_rows(out)
    assert rows["Stage"].endswith("v2 (previous: v1)") and rows["Prod"].endswith("v1")


@pytest.fixture(scope="module")
def real_assembly(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, dict[str, Any]]:
    """One real synth of a function with releases=: (release file, assembly dir, template outputs)."""
    tmp = tmp_path_factory.mktemp("real")
    code = tmp / "code"
    code.mkdir()
    (code / "app.py").write_text("def handler(event, context):\n    return 1\n")
    file = write_record(tmp / "releases.json", [rel("v1"), rel("v2")], DEFAULT_ALIASES)
    app = new_app(outdir=str(tmp / "cdk.out"))
    SecureFunction(new_stack(app, "Svc"), "Orders", SecureFunctionProps(code_dir=code, releases=file))
    cloud = app.synth()
    return file, Path(cloud.directory), cloud.get_stack_by_name("Svc").template["Outputs"]


def test_real_assembly_output_ids_match_the_template(real_assembly: tuple[Path, Path, dict[str, Any]]) -> None:
    _, directory, outputs = real_assembly
    found = read_assembly(directory)[KEY]
    assert set(found.output_ids) == {"Dev", "Stage", "Prod"}
    assert set(found.output_ids.values()) == set(outputs)


def test_status_outputs_against_a_real_assembly(
    tmp_path: Path, real_assembly: tuple[Path, Path, dict[str, Any]], capsys: pytest.CaptureFixture[str]
) -> None:
    file, directory, outputs = real_assembly
    deployed = {lid: ("v2 sha256:x" if "Prod" in lid else o["Value"]) for lid, o in outputs.items()}
    path = tmp_path / "cdk-outputs.json"
    path.write_text(json.dumps({"Svc": deployed}))
    code, out = run(capsys, "status", "--file", str(file), "--assembly", str(directory), "--outputs", str(path))
    assert code == 0, out
    rows = status_rows(out)
    assert rows["Prod"].endswith("moves v2 -> v1")
    assert rows["Stage"].endswith("no change")


# ---------------------------------------------------------------------- weights and CodeDeploy deployment


def test_promote_weight_refused_on_an_alias_with_a_deployment(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    aliases = {**DEFAULT_ALIASES, "Prod": {"release": "v1", "deployment": "AllAtOnce", "history": []}}
    file = write_record(tmp_path / "r.json", [rel("v1"), rel("v2")], aliases)
    before = file.read_bytes()
    code, out = run(capsys, "promote", "Orders", "Prod", "v2", "--weight", "0.1", "--file", str(file))
    assert code == 2
    assert "weights and a CodeDeploy deployment are exclusive" in out and "remove 'weights' or 'deployment'" in out
    assert file.read_bytes() == before


def test_promote_without_weight_keeps_the_deployment(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    aliases = {**DEFAULT_ALIASES, "Prod": {"release": "v1", "deployment": "AllAtOnce", "history": []}}
    file = write_record(tmp_path / "r.json", [rel("v1"), rel("v2")], aliases)
    code, out = run(capsys, "promote", "Orders", "Prod", "v2", "--file", str(file))
    assert code == 0, out
    assert entry(file)["aliases"]["Prod"] == {
        "release": "v2",
        "deployment": "AllAtOnce",
        "alarms": True,
        "history": ["v1"],
    }


def test_file_with_weights_and_deployment_is_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    prod = {"release": "v1", "weights": {"v2": 0.1}, "deployment": "Canary10Percent5Minutes", "history": []}
    file = write_record(tmp_path / "r.json", [rel("v1"), rel("v2")], {**DEFAULT_ALIASES, "Prod": prod})
    before = file.read_bytes()
    with pytest.raises(Exception, match="weights and a CodeDeploy deployment are exclusive"):
        parse_record(before.decode())
    for argv in (("status",), ("promote", "Orders", "Stage", "v1"), ("mark-published", "Orders")):
        code, out = run(capsys, *argv, "--file", str(file))
        assert code == 2, argv
        assert "aliases['Prod'].weights: weights and a CodeDeploy deployment are exclusive" in out
    assert file.read_bytes() == before


# --------------------------------------------------------------------------------- promote --weight


def test_promote_weight_splits_then_full_promote_moves(file: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out = run(capsys, "promote", "Orders", "Prod", "v2", "--weight", "0.25", "--file", str(file))
    assert code == 0 and f"{KEY}: Prod -> v1 (75%) + v2 (25%)" in out
    assert entry(file)["aliases"]["Prod"] == {"release": "v1", "weights": {"v2": 0.25}, "history": []}
    # A new weight replaces the split (the alias stays on v1, no history entry).
    assert run(capsys, "promote", "Orders", "Prod", "v2", "--weight", "0.5", "--file", str(file))[0] == 0
    assert entry(file)["aliases"]["Prod"] == {"release": "v1", "weights": {"v2": 0.5}, "history": []}
    # Promoting the weighted release in full moves the alias and drops the split.
    code, out = run(capsys, "promote", "Orders", "Prod", "v2", "--file", str(file))
    assert code == 0 and f"{KEY}: Prod -> v2 (was v1)" in out
    assert entry(file)["aliases"]["Prod"] == {"release": "v2", "history": ["v1"]}


def test_promote_to_the_current_release_clears_a_split(file: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(capsys, "promote", "Orders", "Prod", "v2", "--weight", "0.1", "--file", str(file))[0] == 0
    code, out = run(capsys, "promote", "Orders", "Prod", "v1", "--file", str(file))
    assert code == 0 and "Prod -> v1 (was v1)" in out
    assert entry(file)["aliases"]["Prod"] == {"release": "v1", "history": []}


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        (("Prod", "v2", "--weight", "0"), "strictly between 0 and 1"),
        (("Prod", "v2", "--weight", "1"), "strictly between 0 and 1"),
        (("Prod", "v2", "--weight", "-0.1"), "strictly between 0 and 1"),
        (("Prod", "v1", "--weight", "0.1"), "Prod already points to v1"),
        (("Dev", "v2", "--weight", "0.1"), "follows $LATEST"),
    ],
)
def test_promote_weight_refusals(
    file: Path, capsys: pytest.CaptureFixture[str], argv: tuple[str, ...], expected: str
) -> None:
    before = file.read_bytes()
    code, out = run(capsys, "promote", "Orders", *argv, "--file", str(file))
    assert code == 2 and expected in out
    assert file.read_bytes() == before


def test_promote_weight_refused_with_provisioned_concurrency(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    aliases = {**DEFAULT_ALIASES, "Prod": {"release": "v1", "provisioned_concurrency": 2, "history": []}}
    file = write_record(tmp_path / "r.json", [rel("v1"), rel("v2")], aliases)
    before = file.read_bytes()
    code, out = run(capsys, "promote", "Orders", "Prod", "v2", "--weight", "0.1", "--file", str(file))
    assert code == 2 and "provisioned concurrency on an alias with weights" in out
    assert file.read_bytes() == before


# --------------------------------------------------------------------------------- rollback


def test_rollback_with_empty_history_is_refused(file: Path, capsys: pytest.CaptureFixture[str]) -> None:
    before = file.read_bytes()
    code, out = run(capsys, "rollback", "Orders", "Prod", "--file", str(file))
    assert code == 2
    assert f"{KEY}: alias Prod has no previous release to roll back to" in out
    assert "promote it to a release explicitly" in out
    assert file.read_bytes() == before


def test_rollback_pops_history_until_empty(file: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out = run(capsys, "rollback", "Orders", "Stage", "--file", str(file))
    assert code == 0 and "Stage -> v1 (rolled back from v2)" in out
    assert entry(file)["aliases"]["Stage"] == {"release": "v1", "history": []}
    code, out = run(capsys, "rollback", "Orders", "Stage", "--file", str(file))
    assert code == 2 and "no previous release" in out


# --------------------------------------------------------------------------------- unknown names


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        (("promote", "Nope", "Prod", "v1"), ["unknown function 'Nope'", KEY]),
        (("promote", "Orders", "Beta", "v1"), ["has no alias 'Beta'", "Dev, Stage, Prod"]),
        (("promote", "Orders", "Prod", "v9"), ["has no release 'v9'", "v1, v2"]),
        (("promote", "Orders", "Prod", "v9", "--weight", "0.1"), ["has no release 'v9'"]),
        (("rollback", "Nope", "Prod"), ["unknown function 'Nope'"]),
        (("rollback", "Orders", "Beta"), ["has no alias 'Beta'"]),
        (("mark-published", "Nope"), ["unknown function 'Nope'"]),
        (("release", "Nope", "--assembly", "{assembly}"), ["unknown function 'Nope'", KEY]),
        (("release", "Nope", "--amend", "--assembly", "{assembly}"), ["unknown function 'Nope'"]),
    ],
)
def test_unknown_names_exit_2_and_leave_the_file_identical(
    file: Path, assembly: Path, capsys: pytest.CaptureFixture[str], argv: tuple[str, ...], expected: list[str]
) -> None:
    before = file.read_bytes()
    code, out = run(capsys, *(a.format(assembly=assembly) for a in argv), "--file", str(file))
    assert code == 2
    assert out.startswith("error: ")
    for text in expected:
        assert text in out
    assert file.read_bytes() == before


def test_ambiguous_suffix_is_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    releases = [rel("v1")]
    aliases = {"Prod": {"release": "v1", "history": []}}
    data = {"format": 1, "functions": {k: {"releases": releases, "aliases": aliases} for k in ("A/Orders", "B/Orders")}}
    file = tmp_path / "r.json"
    file.write_text(json.dumps(data))
    before = file.read_bytes()
    code, out = run(capsys, "mark-published", "Orders", "--file", str(file))
    assert code == 2 and "'Orders' matches several functions" in out and "A/Orders, B/Orders" in out
    assert file.read_bytes() == before
