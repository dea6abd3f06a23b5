"""A truncated ``cdk.out`` (an interrupted ``cdk synth``): ``cost``, ``status`` and ``release`` say which file
cannot be read, in one ``error:`` line with exit code 2 (were JSONDecodeError tracebacks)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.unit.test_releases_cli import DEFAULT_ALIASES, KEY, rel, run, write_record

MANIFEST = {
    "version": "48.0.0",
    "artifacts": {"Svc": {"type": "aws:cloudformation:stack", "properties": {"templateFile": "Svc.template.json"}}},
}


@pytest.mark.parametrize("broken", ["manifest.json", "Svc.template.json"])
def test_a_truncated_assembly_file_is_one_error_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], broken: str
) -> None:
    assembly = tmp_path / "cdk.out"
    assembly.mkdir()
    (assembly / "manifest.json").write_text(json.dumps(MANIFEST))
    (assembly / "Svc.template.json").write_text(json.dumps({"Resources": {}}))
    (assembly / broken).write_text('{"Resources": {"Fn": {"Type": "AWS::Lam')
    file = write_record(tmp_path / "releases.json", [rel("v1"), rel("v2")], DEFAULT_ALIASES)
    before = file.read_bytes()
    for argv in (
        ["cost", "--assembly", str(assembly)],
        ["status", "--file", str(file), "--assembly", str(assembly)],
        ["release", KEY, "--file", str(file), "--assembly", str(assembly)],
    ):
        code, out = run(capsys, *argv)
        lines = out.strip().splitlines()
        assert code == 2 and len(lines) == 1, (argv, out)
        assert lines[0].startswith("error: cannot read the cloud assembly file") and broken in lines[0], (argv, out)
        assert "run `cdk synth` again" in lines[0]
    assert file.read_bytes() == before
