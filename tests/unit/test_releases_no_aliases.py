"""A function whose ``aliases`` are ``{}`` (a valid file): ``status`` still lists it (its row was missing,
the table was empty) and ``promote`` says how to add an alias (its fix read "use one of: ")."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.unit.test_releases_cli import KEY, rel, run, write_record


def test_status_lists_a_function_without_aliases(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    file = write_record(tmp_path / "releases.json", [rel("v1"), rel("v2")], {})
    code, out = run(capsys, "status", "--file", str(file), "--assembly", str(tmp_path / "none"))
    assert code == 0, out
    rows = [line for line in out.splitlines() if line.startswith(KEY + " ")]
    assert len(rows) == 1 and "v2" in rows[0] and "no aliases" in rows[0], out


def test_promote_without_aliases_names_the_fix(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    file = write_record(tmp_path / "releases.json", [rel("v1"), rel("v2")], {})
    before = file.read_bytes()
    code, out = run(capsys, "promote", KEY, "Stage", "v2", "--file", str(file))
    assert code == 2, out
    line = out.strip()
    assert "\n" not in line and line.startswith("error: ") and "use one of: (none: add one to the file" in line, out
    assert '"Stage": {"release": "<label>"}' in line
    assert file.read_bytes() == before
