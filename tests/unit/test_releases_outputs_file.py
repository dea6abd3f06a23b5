"""``status --outputs FILE``: a file that is missing, not JSON or not ``{stack: {output: value}}`` is one
``error:`` line naming that file, exit code 2 (was a traceback, or an error naming the release file)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.unit.test_releases_cli import DEFAULT_ALIASES, OLD_FP, fake_assembly, rel, run, write_record


@pytest.mark.parametrize(
    ("content", "needle"),
    [
        (None, "cannot read the outputs file: No such file or directory"),
        ("import aws_cdk as cdk\n", "the outputs file is not JSON"),
        ("[1, 2]", "not an object {stack: {output: value}}"),
        ('{"Svc": "v1"}', "not an object {stack: {output: value}}"),
        (b"\xff\xfe{", "cannot read the outputs file"),
    ],
)
def test_a_bad_outputs_file_is_one_line_and_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], content: str | bytes | None, needle: str
) -> None:
    file = write_record(tmp_path / "releases.json", [rel("v1"), rel("v2")], DEFAULT_ALIASES)
    outputs = tmp_path / "outputs.json"
    if isinstance(content, bytes):
        outputs.write_bytes(content)
    elif content is not None:
        outputs.write_text(content)
    code, out = run(
        capsys, "status", "--file", str(file), "--assembly", str(tmp_path / "none"), "--outputs", str(outputs)
    )
    assert code == 2, out
    lines = out.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ") and needle in lines[0], out
    assert str(outputs) in lines[0] and "--outputs-file" in lines[0]


def test_a_good_outputs_file_is_still_read(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    file = write_record(tmp_path / "releases.json", [rel("v1"), rel("v2")], DEFAULT_ALIASES)
    assembly = fake_assembly(tmp_path / "cdk.out")
    outputs = tmp_path / "outputs.json"
    outputs.write_text(json.dumps({"Svc": {"OrdersOutputStage00000000": f"v1 {OLD_FP}"}}))
    code, out = run(capsys, "status", "--file", str(file), "--assembly", str(assembly), "--outputs", str(outputs))
    assert code == 0, out
    assert "DEPLOYED" in out.splitlines()[0]
