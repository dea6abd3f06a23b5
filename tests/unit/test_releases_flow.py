"""The overview's three versioning states, driven by the CLI against a tmp release file and code dir."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from lambda_constructs import SecureFunction, SecureFunctionProps
from lambda_constructs.__main__ import main
from tests.helpers import new_app, new_stack

HANDLER = 'def handler(event, context):\n    return {"state": %d}\n'


def synth(tmp: Path, code_dir: Path, release_file: Path) -> tuple[dict[str, Any], str]:
    """The stack template and the assembly directory."""
    app = new_app(outdir=str(tmp / f"out{len(list(tmp.glob('out*')))}"))
    stack = new_stack(app, "Svc")
    SecureFunction(stack, "Orders", SecureFunctionProps(code_dir=code_dir, releases=release_file))
    assembly = app.synth()
    return assembly.get_stack_by_name("Svc").template, assembly.directory


def cli(*argv: str) -> None:
    assert main(list(argv)) == 0, argv


def of_type(template: dict[str, Any], kind: str) -> dict[str, Any]:
    return {k: v for k, v in template["Resources"].items() if v["Type"] == kind}


def alias_target(template: dict[str, Any], name: str) -> Any:
    (alias,) = [a for a in of_type(template, "AWS::Lambda::Alias").values() if a["Properties"]["Name"] == name]
    return alias["Properties"]["FunctionVersion"]


def version_id(template: dict[str, Any], label: str) -> str:
    (logical_id,) = [k for k in of_type(template, "AWS::Lambda::Version") if k.startswith(f"OrdersRelease{label}")]
    return logical_id


@pytest.fixture(scope="module")
def states(tmp_path_factory: pytest.TempPathFactory) -> dict[Any, Any]:
    tmp = tmp_path_factory.mktemp("flow")
    code = tmp / "code"
    code.mkdir()
    file = tmp / "releases.json"
    file.write_text('{"format": 1, "functions": {}}\n')
    result: dict[Any, Any] = {"file": file}

    # Each synth after a code change also serves the next `release` (versions and aliases do not
    # depend on the code, only the function and the Dev output do): four synths for three states.
    # Initial state: version 1; Dev -> $LATEST, Stage and Prod -> 1.
    (code / "app.py").write_text(HANDLER % 1)
    _, out = synth(tmp, code, file)
    cli("release", "Svc/Orders", "--file", str(file), "--assembly", out)
    result["unpublished"] = json.loads(file.read_text())
    cli("mark-published", "Orders", "--file", str(file))

    # Second state: version 2 (new code); Stage -> 2, Prod stays on 1.
    (code / "app.py").write_text(HANDLER % 2)
    result[1], out = synth(tmp, code, file)
    cli("release", "Orders", "--file", str(file), "--assembly", out)
    cli("promote", "Orders", "Stage", "v2", "--file", str(file))
    cli("mark-published", "Orders", "--file", str(file))

    # Third state: version 3; Stage -> 3, Prod -> 2 (promoted by hand), then Stage rolled back.
    (code / "app.py").write_text(HANDLER % 3)
    result[2], out = synth(tmp, code, file)
    cli("release", "Orders", "--file", str(file), "--assembly", out)
    cli("mark-published", "Orders", "--file", str(file))
    cli("promote", "Orders", "Stage", "v3", "--file", str(file))
    cli("promote", "Orders", "Prod", "v2", "--file", str(file))
    result[3], _ = synth(tmp, code, file)
    result["record3"] = json.loads(file.read_text())
    cli("rollback", "Orders", "Stage", "--file", str(file))
    result["rolled_back"] = json.loads(file.read_text())
    return result


def test_initial_state(states: dict[Any, Any]) -> None:
    entry = states["unpublished"]["functions"]["Svc/Orders"]
    assert [r["label"] for r in entry["releases"]] == ["v1"]
    assert entry["releases"][0]["published"] is False
    t = states[1]
    v1 = version_id(t, "v1")
    assert alias_target(t, "Dev") == "$LATEST"
    assert alias_target(t, "Stage") == {"Fn::GetAtt": [v1, "Version"]}
    assert alias_target(t, "Prod") == {"Fn::GetAtt": [v1, "Version"]}


def test_second_state(states: dict[Any, Any]) -> None:
    t = states[2]
    assert alias_target(t, "Dev") == "$LATEST"
    assert alias_target(t, "Stage") == {"Fn::GetAtt": [version_id(t, "v2"), "Version"]}
    assert alias_target(t, "Prod") == {"Fn::GetAtt": [version_id(t, "v1"), "Version"]}


def test_third_state(states: dict[Any, Any]) -> None:
    t = states[3]
    assert alias_target(t, "Dev") == "$LATEST"
    assert alias_target(t, "Stage") == {"Fn::GetAtt": [version_id(t, "v3"), "Version"]}
    assert alias_target(t, "Prod") == {"Fn::GetAtt": [version_id(t, "v2"), "Version"]}
    prod = states["record3"]["functions"]["Svc/Orders"]["aliases"]["Prod"]
    assert prod["history"] == ["v1"]


def test_rollback_returns_to_previous_target(states: dict[Any, Any]) -> None:
    stage = states["rolled_back"]["functions"]["Svc/Orders"]["aliases"]["Stage"]
    assert stage["release"] == "v2"
    assert stage["history"] == ["v1"]


def test_versions_and_aliases_never_change_between_states(states: dict[Any, Any]) -> None:
    for before, after in ((1, 2), (2, 3)):
        old, new = states[before], states[after]
        for logical_id, resource in of_type(old, "AWS::Lambda::Version").items():
            assert new["Resources"][logical_id] == resource, logical_id
        old_aliases = of_type(old, "AWS::Lambda::Alias")
        new_aliases = of_type(new, "AWS::Lambda::Alias")
        assert set(old_aliases) == set(new_aliases)


def test_versions_are_retained(states: dict[Any, Any]) -> None:
    versions = of_type(states[3], "AWS::Lambda::Version")
    assert len(versions) == 3
    for resource in versions.values():
        assert resource["DeletionPolicy"] == "Retain"
        assert resource["UpdateReplacePolicy"] == "Retain"


def test_fingerprints_differ_per_state(states: dict[Any, Any]) -> None:
    releases = states["record3"]["functions"]["Svc/Orders"]["releases"]
    assert len({r["fingerprint"] for r in releases}) == 3
    assert releases[1]["parts"]["code"] != releases[0]["parts"]["code"]
    assert releases[1]["parts"]["handler"] == releases[0]["parts"]["handler"]


def test_outputs_record_label_and_fingerprint(states: dict[Any, Any]) -> None:
    releases = {r["label"]: r["fingerprint"] for r in states["record3"]["functions"]["Svc/Orders"]["releases"]}
    outputs = states[3]["Outputs"]
    (prod,) = [v for k, v in outputs.items() if k.startswith("OrdersOutputProd")]
    assert prod["Value"] == f"v2 {releases['v2']}"
    (dev,) = [v for k, v in outputs.items() if k.startswith("OrdersOutputDev")]
    assert dev["Value"] == f"$LATEST {releases['v3']}"
    (stage1,) = [v for k, v in states[1]["Outputs"].items() if k.startswith("OrdersOutputStage")]
    assert stage1["Value"] == f"v1 {releases['v1']}"
    # Stable logical ids: the same outputs exist in every state.
    assert {k for k in states[1]["Outputs"] if k.startswith("OrdersOutput")} == {
        k for k in outputs if k.startswith("OrdersOutput")
    }
