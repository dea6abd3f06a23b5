"""Every function's cdk-nag acknowledgements are written only when cdk-nag is loaded (lambda_constructs/nag_metadata.py).

The session loads cdk-nag (tests/conftest.py), so here ``nag_metadata.nag_loaded`` is patched: "not loaded"
while the app is built, then "loaded" (as an app that imports cdk-nag, or attaches a pack, after building
its functions) or never.
"""

from __future__ import annotations

import inspect
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import aws_cdk as cdk
import pytest
from aws_cdk.assertions import Template

from lambda_constructs import SecureFunction, SecureFunctionProps, _compat, nag_metadata
from lambda_constructs.compliance import ACKNOWLEDGED_RULES_KEY, add_compliance_packs
from lambda_constructs.triggers import SqsTrigger
from tests.helpers import feature_flags, nag_findings, new_app, skip_unless

HANDLER = "def handler(event, context):\n    return {}\n"


class _Loaded:
    """A switch standing for "cdk_nag is in sys.modules"."""

    def __init__(self) -> None:
        self.value = False

    def __call__(self) -> bool:
        return self.value


@pytest.fixture
def loaded(monkeypatch: pytest.MonkeyPatch) -> Iterator[_Loaded]:
    switch = _Loaded()
    monkeypatch.setattr(nag_metadata, "nag_loaded", switch)
    saved = dict(nag_metadata._STACKS)
    nag_metadata._STACKS.clear()
    yield switch
    nag_metadata._STACKS.clear()  # this test's stacks (their apps are gone)
    nag_metadata._STACKS.update(saved)


def _build(stack: cdk.Stack, name: str = "Fn") -> SecureFunction:
    fn = SecureFunction(stack, name, SecureFunctionProps(inline_code=HANDLER, default_alias=None))
    fn.add_alias("Prod", fn.latest_version)
    fn.add_trigger(SqsTrigger(), alias="Prod")
    return fn


def _acknowledged(node_of: Any) -> list[dict[str, str]]:
    return [entry.data for entry in node_of.node.metadata if entry.type == ACKNOWLEDGED_RULES_KEY]


def _manifest_acknowledgements(outdir: Path) -> dict[str, list[str]]:
    """Construct path -> acknowledged rule ids, from every stack's metadata in the cloud assembly."""
    found: dict[str, list[str]] = {}
    for artifact in json.loads((outdir / "manifest.json").read_text())["artifacts"].values():
        metadata = dict(artifact.get("metadata") or {})
        if artifact.get("additionalMetadataFile"):
            metadata.update(json.loads((outdir / artifact["additionalMetadataFile"]).read_text()))
        for path, entries in metadata.items():
            for entry in entries:
                if entry["type"] == ACKNOWLEDGED_RULES_KEY:
                    found.setdefault(path, []).extend(entry["data"])
    return found


def test_without_cdk_nag_nothing_is_written_and_the_template_is_the_same(loaded: _Loaded, tmp_path: Path) -> None:
    app = cdk.App(context=feature_flags(), outdir=str(tmp_path))
    fn = _build(cdk.Stack(app, "S"))
    assert _acknowledged(fn.function) == []
    assert nag_metadata.pending_count() == 2  # the function's and its mapping's
    deferred = Template.from_stack(fn.stack).to_json()
    # The function's and its mapping's are not in the assembly; what a stack makes once is written at once.
    assert [path for path in _manifest_acknowledgements(tmp_path) if path.startswith("/S/Fn/")] == []

    loaded.value = True
    eager_app = cdk.App(context=feature_flags())
    eager = _build(cdk.Stack(eager_app, "S"))
    assert _acknowledged(eager.function) != []  # written at once when cdk-nag is loaded
    assert Template.from_stack(eager.stack).to_json() == deferred


def test_loaded_after_building_the_validation_writes_them_before_the_packs_run(loaded: _Loaded) -> None:
    skip_unless(_compat.NAG_PLUGINS)
    app = new_app()
    fn = _build(cdk.Stack(app, "S"))
    assert _acknowledged(fn.function) == []
    loaded.value = True
    from aws_cdk import Validations
    from cdk_nag import AwsSolutionsChecks, ServerlessChecks

    # Attached directly (not through add_compliance_packs), and synthesized from JavaScript's side: the
    # library's synth boundary does not run, only the stack's validation does.
    Validations.of(app).add_plugins(AwsSolutionsChecks(app), ServerlessChecks(app))
    synth = inspect.unwrap(cdk.App.synth)
    assembly = synth(app)
    acknowledged = _manifest_acknowledgements(Path(assembly.directory))
    assert "Annotation::Serverless-LambdaDLQ" in acknowledged["/S/Fn/Function"]
    assert acknowledged["/S/Fn/SqsTrigger1/Mapping"] == ["Annotation::Serverless-LambdaEventSourceMappingDestination"]
    assert nag_metadata.pending_count() == 0
    report = json.loads((Path(assembly.directory) / "validation-report.json").read_text())
    violations = [v["ruleName"] for plugin in report.get("pluginReports", []) for v in plugin.get("violations", [])]
    assert not [rule for rule in violations if "LambdaDLQ" in rule or "EventSourceMappingDestination" in rule]


def test_all_five_packs_pass_when_attached_after_the_functions(loaded: _Loaded) -> None:
    skip_unless(_compat.NAG_PLUGINS)
    app = new_app()
    _build(cdk.Stack(app, "S"))
    loaded.value = True
    add_compliance_packs(app)
    assert nag_findings(app) == []


def test_a_nested_stage_is_written_before_its_packs_run(loaded: _Loaded) -> None:
    skip_unless(_compat.NAG_PLUGINS)
    app = new_app()
    stage = cdk.Stage(app, "Inner")
    _build(cdk.Stack(stage, "S"))
    loaded.value = True
    from aws_cdk import Validations
    from cdk_nag import AwsSolutionsChecks, ServerlessChecks

    Validations.of(stage).add_plugins(AwsSolutionsChecks(stage), ServerlessChecks(stage))
    assert nag_metadata.pending_count() == 2
    # The inner stage is synthesized first (its stack's validation writes them); aws-cdk-lib runs every
    # stage's plugins at the end of the app's synthesis and writes one report at the app's root.
    assembly = inspect.unwrap(cdk.App.synth)(app)
    inner = Path(assembly.directory) / "assembly-Inner"
    report = json.loads((Path(assembly.directory) / "validation-report.json").read_text())
    violations = [v["ruleName"] for plugin in report.get("pluginReports", []) for v in plugin.get("violations", [])]
    assert violations == []
    assert "Annotation::Serverless-LambdaDLQ" in _manifest_acknowledgements(inner)["/Inner/S/Fn/Function"]


def test_synthesis_without_validation_still_writes_them(loaded: _Loaded, tmp_path: Path) -> None:
    app = cdk.App(context=feature_flags(), outdir=str(tmp_path))
    _build(cdk.Stack(app, "S"))
    loaded.value = True
    app.synth(skip_validation=True)  # aws-cdk-lib skips validations but still runs plugins: the boundary writes
    assert "Annotation::Serverless-LambdaDLQ" in _manifest_acknowledgements(tmp_path)["/S/Fn/Function"]


def test_never_loaded_stays_pending_and_written_by_a_later_synthesis(loaded: _Loaded, tmp_path: Path) -> None:
    app = cdk.App(context=feature_flags(), outdir=str(tmp_path))
    _build(cdk.Stack(app, "S"))
    app.synth()
    assert nag_metadata.pending_count() == 2
    loaded.value = True
    assembly = app.synth(force=True)
    assert nag_metadata.pending_count() == 0
    assert "/S/Fn/SqsTrigger1/Mapping" in _manifest_acknowledgements(Path(assembly.directory))
