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


MAKE_DOCS_TEST = "tests/integration/test_make_docs.py::test_api_reference_builds"


def start_make_docs() -> BackgroundRun:
    """``make docs`` (scripts/docs.py, as the Makefile runs it) into a fresh folder ``<workdir>/site``."""
    workdir = Path(tempfile.mkdtemp(prefix="make-docs-"))
    return BackgroundRun([sys.executable, "scripts/docs.py", "--out", str(workdir / "site")], workdir)
