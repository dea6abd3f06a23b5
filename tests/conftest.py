"""Session-wide fixtures: the example app is synthesized once per test session."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tests.helpers import nag_findings, new_app


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
