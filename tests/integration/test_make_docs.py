"""`make docs` builds the API reference: every public module gets a page (run as the Makefile does).

The build (scripts/docs.py in a fresh interpreter) is started right after collection and runs beside
the other tests (tests/background.py); this test waits for it and checks its result.
"""

from __future__ import annotations

from tests.background import BackgroundRun


def test_api_reference_builds(background_run: BackgroundRun) -> None:
    out = background_run.workdir / "site"
    result = background_run.result(timeout=900)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    pages = {path.relative_to(out).as_posix() for path in out.rglob("*.html")}
    for module in (
        "lambda_constructs/function.html",
        "lambda_constructs/triggers/polled.html",
        "lambda_constructs/releases/cli.html",
    ):
        assert module in pages, sorted(pages)[:20]
    assert "SecureFunctionProps" in (out / "lambda_constructs" / "function.html").read_text()
