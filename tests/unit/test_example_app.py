"""The example app as a whole: compliance packs, cfn-lint, the overview's function-environment pattern."""

from __future__ import annotations

import sys
from pathlib import Path

from tests.background import BackgroundRun
from tests.conftest import ExampleAssembly
from tests.helpers import ROOT


def test_example_app_passes_all_five_nag_packs(example_assembly: ExampleAssembly) -> None:
    assert example_assembly.findings == []


def test_example_app_has_at_least_two_functions(example_assembly: ExampleAssembly) -> None:
    functions = [
        resource
        for template in example_assembly.templates.values()
        for resource in template["Resources"].values()
        if resource["Type"] == "AWS::Lambda::Function"
    ]
    assert len(functions) >= 2


def test_cfn_lint_has_no_errors_or_unreviewed_warnings(
    example_assembly: ExampleAssembly, background_run: BackgroundRun
) -> None:
    """cfn-lint over every template, run from the repository root with no config file: the library's
    reasoned ignores are in the templates (Metadata cfn-lint); started as soon as the assembly exists."""
    templates = sorted(str(path) for path in Path(example_assembly.outdir).glob("*.template.json"))
    assert templates
    assert background_run.argv == [str(Path(sys.executable).parent / "cfn-lint"), "--format", "parseable", *templates]
    result = background_run.result(timeout=900)
    assert result.returncode == 0, result.stdout + result.stderr


def test_orders_handler_initialises_outside_the_handler() -> None:
    source = (ROOT / "runtime" / "orders" / "app.py").read_text()
    module_level, _, _ = source.partition("def handler")
    assert "Logger(" in module_level and "os.environ" in module_level
