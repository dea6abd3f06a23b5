"""Session-wide fixtures: the example app is synthesized once per test session."""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tests import oracles
from tests.background import ON_EXAMPLE_ASSEMBLY, STARTERS, BackgroundRun
from tests.helpers import nag_findings, new_app

_BACKGROUND: dict[str, BackgroundRun] = {}
_SELECTED: set[str] = set()  # node ids of the tests this session runs


def _record_synthesized_templates() -> None:
    """Every template a test synthesizes goes to the oracles (tests/oracles): wrap the two ways tests synthesize."""
    import aws_cdk as cdk
    from aws_cdk import assertions

    from_stack = assertions.Template.from_stack
    synth = cdk.Stage.synth

    def recording_from_stack(stack: cdk.Stack, *args: Any, **kwargs: Any) -> assertions.Template:
        template = from_stack(stack, *args, **kwargs)
        oracles.record(template.to_json(), stack.stack_name)
        return template

    def recording_synth(self: cdk.Stage, *args: Any, **kwargs: Any) -> Any:
        assembly = synth(self, *args, **kwargs)
        for stack in assembly.stacks_recursively:
            oracles.record(stack.template, stack.stack_name)
        return assembly

    assertions.Template.from_stack = staticmethod(recording_from_stack)  # type: ignore[method-assign]
    cdk.Stage.synth = recording_synth  # type: ignore[method-assign]


_record_synthesized_templates()


@pytest.fixture(autouse=True)
def aws_oracles() -> Iterator[None]:
    """After each test: the IAM and Lambda API oracles over the templates it synthesized (tests/oracles)."""
    yield
    if os.environ.get("LAMBDA_CONSTRUCTS_ORACLES") == "off":  # make test-floor (docs/compatibility.md)
        oracles.check_recorded()  # drains what the test recorded
        return
    found = oracles.check_recorded()
    assert not found, "AWS oracles (tests/oracles; reviewed exceptions in iam_reviewed.toml):\n" + "\n".join(found)


def pytest_collection_finish(session: pytest.Session) -> None:
    """Start the background commands of the selected tests (tests/background.py: they run beside the rest)."""
    if session.config.option.collectonly:
        return
    _SELECTED.update(item.nodeid for item in session.items)
    for nodeid, start in STARTERS.items():
        if nodeid in _SELECTED and nodeid not in _BACKGROUND:
            _BACKGROUND[nodeid] = start()


def pytest_sessionfinish(session: pytest.Session) -> None:
    for run in _BACKGROUND.values():
        run.stop()
        shutil.rmtree(run.workdir, ignore_errors=True)


@pytest.fixture()
def background_run(request: pytest.FixtureRequest) -> BackgroundRun:
    """The command this test checks, started after collection (started now if it was not)."""
    nodeid = request.node.nodeid
    if nodeid not in _BACKGROUND:
        if nodeid in ON_EXAMPLE_ASSEMBLY:
            _BACKGROUND[nodeid] = ON_EXAMPLE_ASSEMBLY[nodeid](request.getfixturevalue("example_assembly").outdir)
        else:
            _BACKGROUND[nodeid] = STARTERS[nodeid]()
    return _BACKGROUND[nodeid]


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
    for nodeid, start in ON_EXAMPLE_ASSEMBLY.items():  # the checks that only read the assembly: start them now
        if nodeid in _SELECTED and nodeid not in _BACKGROUND:
            _BACKGROUND[nodeid] = start(outdir)
    yield ExampleAssembly(outdir=outdir, templates=templates, findings=findings)
