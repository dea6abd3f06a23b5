"""Session-wide fixtures: the example app is synthesized once per test session."""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tests.background import MAKE_DOCS_TEST, BackgroundRun, start_make_docs
from tests.helpers import nag_findings, new_app

_BACKGROUND: dict[str, BackgroundRun] = {}


def pytest_collection_finish(session: pytest.Session) -> None:
    """Start ``make docs`` now if its test is selected (tests/background.py: it runs beside the rest)."""
    if not session.config.option.collectonly and any(item.nodeid == MAKE_DOCS_TEST for item in session.items):
        _BACKGROUND[MAKE_DOCS_TEST] = start_make_docs()


def pytest_sessionfinish(session: pytest.Session) -> None:
    for run in _BACKGROUND.values():
        run.stop()
        shutil.rmtree(run.workdir, ignore_errors=True)


@pytest.fixture(scope="session")
def make_docs_run() -> BackgroundRun:
    """The ``make docs`` build started after collection (started now if it was not)."""
    if MAKE_DOCS_TEST not in _BACKGROUND:
        _BACKGROUND[MAKE_DOCS_TEST] = start_make_docs()
    return _BACKGROUND[MAKE_DOCS_TEST]


@dataclass(frozen=True)
class ExampleAssembly:
    """The example app synthesized with the five cdk-nag packs attached."""

    outdir: Path
    templates: dict[str, dict[str, Any]]
    findings: list[str]


@pytest.fixture(scope="session")
def example_assembly(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ExampleAssembly]:
    from stacks import create_stacks

    outdir = tmp_path_factory.mktemp("example-cdk-out")
    app = new_app(nag=True, outdir=str(outdir))
    stacks = create_stacks(app)
    findings = nag_findings(app)
    templates = {stack.stack_name: json.loads((outdir / stack.template_file).read_text()) for stack in stacks}
    yield ExampleAssembly(outdir=outdir, templates=templates, findings=findings)
