"""cdk-nag's acknowledgement metadata is written only once cdk-nag is loaded (lambda_constructs/nag_metadata.py).

The session loads cdk-nag (tests/conftest.py), so the in-process tests patch ``nag_metadata.nag_loaded``: "not
loaded" while the app is built, then "loaded" or never. The import itself (the post-import hook) is tested in a
fresh interpreter, where cdk-nag really is imported late.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import aws_cdk as cdk
import pytest
from aws_cdk.assertions import Template

from lambda_constructs import SecureFunction, SecureFunctionProps, _compat, nag_metadata
from lambda_constructs.compliance import ACKNOWLEDGED_RULES_KEY
from lambda_constructs.triggers import SqsTrigger
from tests.helpers import ROOT, feature_flags, skip_unless

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
    saved = list(nag_metadata._PENDING)
    nag_metadata._PENDING.clear()
    yield switch
    nag_metadata._PENDING[:] = saved  # this test's entries go (their app is gone)


def _build(stack: cdk.Stack, name: str = "Fn") -> SecureFunction:
    fn = SecureFunction(stack, name, SecureFunctionProps(inline_code=HANDLER, default_alias=None))
    fn.add_alias("Prod", fn.latest_version)
    fn.add_trigger(SqsTrigger(), alias="Prod")
    return fn


def _acknowledged(construct: Any) -> list[dict[str, str]]:
    return [entry.data for entry in construct.node.metadata if entry.type == ACKNOWLEDGED_RULES_KEY]


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
    # the function's, its mapping's, and what the stack makes once (failure and trigger DLQs, tracing policy)
    assert nag_metadata.pending_count() == 5
    deferred = Template.from_stack(fn.stack).to_json()
    assert _manifest_acknowledgements(tmp_path) == {}

    loaded.value = True
    eager_app = cdk.App(context=feature_flags())
    eager = _build(cdk.Stack(eager_app, "S"))
    assert _acknowledged(eager.function) != []  # written at once when cdk-nag is loaded
    assert Template.from_stack(eager.stack).to_json() == deferred


def test_a_synthesis_from_python_writes_what_waits(loaded: _Loaded, tmp_path: Path) -> None:
    """cdk_nag in sys.modules without an import the hook saw: the synth boundary writes them first (also
    when aws-cdk-lib skips validations, which it does not for plugins)."""
    app = cdk.App(context=feature_flags(), outdir=str(tmp_path))
    _build(cdk.Stack(app, "S"))
    loaded.value = True
    app.synth(skip_validation=True)
    acknowledged = _manifest_acknowledgements(tmp_path)
    assert "Annotation::Serverless-LambdaDLQ" in acknowledged["/S/Fn/Function"]
    assert acknowledged["/S/Fn/SqsTrigger1/Mapping"] == ["Annotation::Serverless-LambdaEventSourceMappingDestination"]
    assert nag_metadata.pending_count() == 0


def test_never_loaded_waits_and_a_later_synthesis_writes_them(loaded: _Loaded, tmp_path: Path) -> None:
    app = cdk.App(context=feature_flags(), outdir=str(tmp_path))
    _build(cdk.Stack(app, "S"))
    app.synth()
    assert nag_metadata.pending_count() == 5
    loaded.value = True
    assembly = app.synth(force=True)
    assert nag_metadata.pending_count() == 0
    assert "/S/Fn/SqsTrigger1/Mapping" in _manifest_acknowledgements(Path(assembly.directory))


#: A fresh interpreter: functions in a nested Stage; cdk_nag imported EARLY or LATE (after building); packs with
#: write_suppressions_to_cloud_formation (an aspect copies acknowledgements into the template) attached to the
#: Stage; the app synthesized from JavaScript's side (the library's Python synth boundary never runs).
_SCRIPT = textwrap.dedent(
    """
    import inspect, json, sys
    from pathlib import Path
    import aws_cdk as cdk
    if sys.argv[1] == "early":
        import cdk_nag
    from lambda_constructs import SecureFunction, SecureFunctionProps
    from lambda_constructs.triggers import SqsTrigger
    from lambda_constructs.compliance import ACKNOWLEDGED_RULES_KEY
    app = cdk.App(outdir=sys.argv[2])
    stage = cdk.Stage(app, "Inner")
    fn = SecureFunction(cdk.Stack(stage, "S"), "Fn", SecureFunctionProps(inline_code="x = 1\\n", default_alias=None))
    fn.add_alias("Prod", fn.latest_version)
    fn.add_trigger(SqsTrigger(), alias="Prod")
    before = sum(e.type == ACKNOWLEDGED_RULES_KEY for e in fn.function.node.metadata)
    import cdk_nag
    after = sum(e.type == ACKNOWLEDGED_RULES_KEY for e in fn.function.node.metadata)
    checks = [cdk_nag.AwsSolutionsChecks(stage, write_suppressions_to_cloud_formation=True),
              cdk_nag.ServerlessChecks(stage, write_suppressions_to_cloud_formation=True)]
    cdk.Validations.of(stage).add_plugins(*checks)
    assembly = inspect.unwrap(cdk.App.synth)(app)
    template = json.loads(next((Path(assembly.directory) / "assembly-Inner").glob("*.template.json")).read_text())
    report = json.loads((Path(assembly.directory) / "validation-report.json").read_text())
    suppressed = {
        logical_id: sorted(r["id"] for r in (res.get("Metadata", {}).get("cdk_nag", {}).get("rules_to_suppress") or []))
        for logical_id, res in template["Resources"].items()
        if res["Type"] in ("AWS::Lambda::Function", "AWS::Lambda::EventSourceMapping")
    }
    print(json.dumps({
        "before": before, "after": after, "suppressed": suppressed,
        "violations": [v["ruleName"] for p in report.get("pluginReports", []) for v in p.get("violations", [])],
    }))
    """
)


def _run(tmp_path: Path, when: str) -> dict[str, Any]:
    script = tmp_path / "app.py"
    script.write_text(_SCRIPT)
    env = {**os.environ, "JSII_SILENCE_WARNING_UNTESTED_NODE_VERSION": "1", "PYTHONPATH": str(ROOT)}
    result = subprocess.run(
        [sys.executable, str(script), when, str(tmp_path / f"out-{when}")],
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    parsed: dict[str, Any] = json.loads(result.stdout.strip().splitlines()[-1])
    return parsed


def test_importing_cdk_nag_late_writes_them_before_anything_reads_them(tmp_path: Path) -> None:
    skip_unless(_compat.NAG_PLUGINS)
    late, early = _run(tmp_path, "late"), _run(tmp_path, "early")
    assert late["before"] == 0  # not written while cdk_nag is not loaded
    assert late["after"] == 1  # written by the import of cdk_nag itself
    assert early["before"] == early["after"] == 1
    assert late["violations"] == early["violations"] == []
    # cdk-nag's aspect, which runs before any validation, found them too
    assert late["suppressed"] == early["suppressed"]
    function_ids = next(ids for logical_id, ids in late["suppressed"].items() if "Function" in logical_id)
    assert "Serverless-LambdaDLQ" in function_ids
