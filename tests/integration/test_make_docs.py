"""`make docs` builds the API reference: every public module gets a page (run as the Makefile does)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from tests.helpers import ROOT


def test_api_reference_builds(tmp_path: Path) -> None:
    out = tmp_path / "site"
    result = subprocess.run(
        [sys.executable, "scripts/docs.py", "--out", str(out)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
        timeout=900,
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    pages = {path.relative_to(out).as_posix() for path in out.rglob("*.html")}
    for module in (
        "lambda_constructs/function.html",
        "lambda_constructs/triggers/polled.html",
        "lambda_constructs/releases/cli.html",
    ):
        assert module in pages, sorted(pages)[:20]
    assert "SecureFunctionProps" in (out / "lambda_constructs" / "function.html").read_text()
