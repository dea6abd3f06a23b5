"""The release file must say its format: ``{}`` (or any JSON without ``"format"``) is not read as an empty file."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from lambda_constructs import SecureFunction, SecureFunctionProps
from lambda_constructs.errors import LambdaConstructsError
from lambda_constructs.releases import load_record
from tests.helpers import ROOT, new_stack

CODE = str(ROOT / "runtime" / "orders")
FIX = 'start the file with "format": 1 (an empty one is {"format": 1, "functions": {}}), or pass --file with the release file'


@pytest.mark.parametrize(
    ("text", "keys"),
    [("{}", "the object is empty"), ('{"functions": {}}', "its keys: functions")],
)
def test_a_file_without_format_names_the_file_and_the_fix(tmp_path: Path, text: str, keys: str) -> None:
    file = tmp_path / "releases.json"
    file.write_text(text)
    with pytest.raises(LambdaConstructsError) as caught:
        load_record(file)
    assert str(caught.value) == (
        f"{file}: top level: no 'format' field, so not a release file the CLI wrote ({keys}). Fix: {FIX}"
    )
    assert caught.value.fix == FIX


def test_the_format_the_cli_writes_still_loads(tmp_path: Path) -> None:
    file = tmp_path / "releases.json"
    file.write_text('{"format": 1, "functions": {}}\n')
    assert load_record(file).functions == {}
    assert load_record(ROOT / "releases.json").functions  # the repository's own file


def test_synth_refuses_it(tmp_path: Path) -> None:
    file = tmp_path / "releases.json"
    file.write_text("{}\n")
    with pytest.raises(LambdaConstructsError, match="no 'format' field"):
        SecureFunction(new_stack(), "Orders", SecureFunctionProps(code_dir=CODE, releases=str(file)))


def test_cli_prints_one_line_and_exits_2(tmp_path: Path) -> None:
    file = tmp_path / "releases.json"
    file.write_text("{}\n")
    result = subprocess.run(
        [sys.executable, "-m", "lambda_constructs", "status", "--file", str(file), "--assembly", str(tmp_path)],
        capture_output=True, text=True, timeout=60, cwd=ROOT,
    )  # fmt: skip
    assert result.returncode == 2
    assert result.stderr == (
        f"error: {file}: top level: no 'format' field, so not a release file the CLI wrote "
        f"(the object is empty). Fix: {FIX}\n"
    )
    assert file.read_text() == "{}\n"


def test_a_missing_file_says_release_creates_it(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from lambda_constructs.__main__ import main

    file = tmp_path / "releases.json"
    assert main(["status", "--file", str(file), "--assembly", str(tmp_path)]) == 2
    assert capsys.readouterr().err == (
        f"error: cannot read the release file: No such file or directory (got {str(file)!r}). "
        "Fix: pass --file PATH (default: releases.json in the current directory); "
        "`python -m lambda_constructs release STACK/FUNCTION` creates the file with the first release\n"
    )
