"""Subprocess checks started as soon as collection finishes, awaited by the test that asserts on them.

A check qualifies when it needs nothing from the test session, only the working tree (e.g. ``make docs``:
a fresh interpreter that imports the package and renders every page). Started early, it runs on the
second core while the in-process tests (Python + the jsii kernel, about one core) run on the first;
the test then waits for the same command's result and asserts exactly what it would on a foreground run.
tests/conftest.py starts them (only for selected tests) and stops any left running at session end.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from tests.helpers import ROOT


@dataclass
class BackgroundRun:
    """One command run in its own process group, output captured to files."""

    argv: list[str]
    workdir: Path  # scratch folder for the command (its output, stdout.txt, stderr.txt)
    proc: subprocess.Popen[bytes] = field(init=False)
    started: float = field(init=False)

    def __post_init__(self) -> None:
        self.started = time.monotonic()
        with (self.workdir / "stdout.txt").open("wb") as out, (self.workdir / "stderr.txt").open("wb") as err:
            self.proc = subprocess.Popen(
                self.argv, cwd=ROOT, stdin=subprocess.DEVNULL, stdout=out, stderr=err, start_new_session=True
            )

    def result(self, timeout: float) -> subprocess.CompletedProcess[str]:
        """Wait (at most ``timeout`` seconds from the start) and return the completed process."""
        remaining = max(0.0, timeout - (time.monotonic() - self.started))
        try:
            self.proc.wait(timeout=remaining)
        except subprocess.TimeoutExpired:
            self.stop()
            raise
        return subprocess.CompletedProcess(
            self.argv,
            self.proc.returncode,
            (self.workdir / "stdout.txt").read_text(errors="replace"),
            (self.workdir / "stderr.txt").read_text(errors="replace"),
        )

    def stop(self) -> None:
        """Kill the command's process group if it still runs."""
        if self.proc.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait()


def _start(prefix: str, argv: list[str]) -> BackgroundRun:
    workdir = Path(tempfile.mkdtemp(prefix=prefix))
    return BackgroundRun([arg.replace("{workdir}", str(workdir)) for arg in argv], workdir)


def start_make_docs() -> BackgroundRun:
    """``make docs`` (scripts/docs.py, as the Makefile runs it) into a fresh folder ``<workdir>/site``."""
    return _start("make-docs-", [sys.executable, "scripts/docs.py", "--out", "{workdir}/site"])


def start_external_app() -> BackgroundRun:
    """tests/integration/external_app.py: the wheel built, installed and used by a foreign app in ``<workdir>``."""
    return _start("external-app-", [sys.executable, "-m", "tests.integration.external_app", "{workdir}"])


def start_external_local_app() -> BackgroundRun:
    """tests/integration/external_local_app.py: an app outside the repo runs the ``local`` emulator flow."""
    return _start("external-local-app-", [sys.executable, "-m", "tests.integration.external_local_app", "{workdir}"])


def start_consumer_gate() -> BackgroundRun:
    """tests/integration/consumer_gate.py: the wheel in a fresh venv, a broad consumer app, every scanner."""
    return _start("consumer-gate-", [sys.executable, "-m", "tests.integration.consumer_gate", "{workdir}"])


def start_audit(outdir: Path) -> BackgroundRun:
    """scripts/audit.py (cdk-nag report, cfn-lint, checkov) over the synthesized assembly in ``outdir``."""
    return _start("audit-", [sys.executable, "scripts/audit.py", "--skip-synth", "--outdir", str(outdir)])


def start_cfn_lint(outdir: Path) -> BackgroundRun:
    """cfn-lint (no config file: reasoned ignores travel in the templates) over every template in ``outdir``."""
    templates = sorted(str(path) for path in outdir.glob("*.template.json"))
    return _start("cfn-lint-", [str(Path(sys.executable).parent / "cfn-lint"), "--format", "parseable", *templates])


def start_mypy() -> BackgroundRun:
    """mypy --strict on the package (files and flags from pyproject.toml); ≈ 95 s without a .mypy_cache."""
    return _start("mypy-", [str(Path(sys.executable).parent / "mypy")])


# Test node id -> how to start the command its test checks (after collection).
STARTERS: dict[str, Callable[[], BackgroundRun]] = {
    "tests/unit/test_lint.py::test_mypy_strict_is_clean": start_mypy,
    "tests/integration/test_make_docs.py::test_api_reference_builds": start_make_docs,
    "tests/integration/test_external_app.py::test_installed_wheel_synthesizes_in_a_foreign_app": start_external_app,
    "tests/integration/test_external_local_app.py::test_external_app_start_deploy_promote_deploy_verify_stop": (
        start_external_local_app
    ),
    "tests/integration/test_consumer_gate.py::test_consumer_app_is_clean_in_every_scanner_on_library_resources": (
        start_consumer_gate
    ),
}

# Test node id -> how to start the command its test checks on the session's example assembly (started
# by the example_assembly fixture as soon as the app is synthesized).
ON_EXAMPLE_ASSEMBLY: dict[str, Callable[[Path], BackgroundRun]] = {
    "tests/unit/test_audit.py::test_audit_has_no_unacknowledged_findings": start_audit,
    "tests/unit/test_example_app.py::test_cfn_lint_has_no_errors_or_unreviewed_warnings": start_cfn_lint,
}
