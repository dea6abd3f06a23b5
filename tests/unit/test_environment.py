"""Command-line tools outside `make`: the project's Node first, one-line errors for a missing environment."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

import lambda_constructs.__main__ as cli
from lambda_constructs.environment import prefer_interpreter_bin
from lambda_constructs.parallel.cli import main as parallel_main


def test_missing_dependency_is_one_line_and_exit_2(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    def broken() -> None:
        raise ModuleNotFoundError("No module named 'aws_cdk'", name="aws_cdk")

    monkeypatch.setattr(cli, "build_parser", broken)
    assert cli.main(["events"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "cannot import aws_cdk (aws-cdk-lib)" in err and "source .venv/bin/activate" in err


def test_another_missing_module_is_not_hidden(monkeypatch: pytest.MonkeyPatch) -> None:
    def broken() -> None:
        raise ModuleNotFoundError("No module named 'mything'", name="mything")

    monkeypatch.setattr(cli, "build_parser", broken)
    with pytest.raises(ModuleNotFoundError):
        cli.main(["events"])


def test_parallel_app_command_not_found(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    assert parallel_main(["--workers", "1", "--output", str(tmp_path / "out"), "--", "no-such-command-i22"]) == 2
    assert "command not found: 'no-such-command-i22' is not on PATH" in capsys.readouterr().err


@pytest.mark.skipif(not (Path(sys.executable).parent / "node").exists(), reason="no node beside the interpreter")
def test_the_interpreters_node_comes_first(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATH", "/usr/bin:/bin")
    prefer_interpreter_bin()
    assert os.environ["PATH"].split(os.pathsep)[0] == str(Path(sys.executable).parent)
    prefer_interpreter_bin()  # idempotent: already first
    assert os.environ["PATH"].count(str(Path(sys.executable).parent)) == 1
