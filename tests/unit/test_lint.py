"""The standards as tests: ruff (lint + format) on the whole tree, mypy --strict on the package."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from tests.background import BackgroundRun
from tests.helpers import ROOT

BIN = Path(sys.executable).parent


def run(*command: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(command, cwd=ROOT, capture_output=True, text=True, check=False)


def test_ruff_check_is_clean() -> None:
    result = run(str(BIN / "ruff"), "check", ".")
    assert result.returncode == 0, result.stdout + result.stderr


def test_ruff_format_is_clean() -> None:
    result = run(str(BIN / "ruff"), "format", "--check", ".")
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.slow
def test_mypy_strict_is_clean(background_run: BackgroundRun) -> None:
    # mypy (files and --strict from pyproject.toml) is started after collection and runs beside the
    # other tests (tests/background.py): a clean clone has no .mypy_cache and needs ≈ 95 s.
    assert background_run.argv == [str(BIN / "mypy")]
    result = background_run.result(timeout=900)
    assert result.returncode == 0, result.stdout + result.stderr
