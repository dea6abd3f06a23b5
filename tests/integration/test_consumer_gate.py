"""Compliance travels: a consumer app outside the repo, with the built wheel, is clean in every scanner.

The pipeline (tests/integration/consumer_gate.py) runs beside the other tests (tests/background.py).
The app (tests/integration/consumer_app.py) writes no acknowledgement at all; the scanners run with no
file from this repository (no checkov skip file, no .cfnlintrc). Findings on the app's OWN resources
(its buckets, table, secret and keys: APP_OWNED) are the user's to acknowledge and are listed in
docs/security.md; anything else is a resource the library created or caused, and must be clean.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests import oracles
from tests.background import BackgroundRun
from tests.oracles.intrinsics import exports_of

pytestmark = pytest.mark.slow

APP_SOURCE = Path(__file__).with_name("consumer_app.py")
#: Construct paths of the app's own resources (everything else was created by the library or by
#: aws-cdk-lib because of it: functions, triggers, network, deployment groups, notification handlers).
APP_OWNED = (
    "ConsumerData/",
    "ConsumerUploads/Uploads/Resource",
    "ConsumerUploads/Uploads/Policy/",
    "ConsumerUploads/UploadsKey/",
    "ConsumerUploads/UploadsAccessLogs/",
)
#: Findings issue #17 fixes on its branch (the IAM statements it owns); remove once merged.


def _library_findings(gate: dict[str, object]) -> set[tuple[str, str, str]]:
    found = set()
    for tool in ("nag", "checkov", "cfn_lint"):
        for finding in gate[tool]:  # type: ignore[attr-defined]
            if not finding["path"].startswith(APP_OWNED):
                found.add((tool, finding["rule"], finding["path"]))
    return found


def test_consumer_app_is_clean_in_every_scanner_on_library_resources(background_run: BackgroundRun) -> None:
    pipeline = background_run.result(timeout=1200)
    assert pipeline.returncode == 0, pipeline.stderr[-6000:]
    gate = json.loads((background_run.workdir / "gate.json").read_text())
    # The wheel, not the worktree, was imported; all three stacks were written.
    assert "/venv/" in gate["library"] and "site-packages/lambda_constructs" in gate["library"], gate["library"]
    assert gate["templates"] == [
        "Consumer.template.json",
        "ConsumerData.template.json",
        "ConsumerUploads.template.json",
    ]
    # The app writes no acknowledgement, checkov skip or cfn-lint ignore of its own.
    source = APP_SOURCE.read_text()
    assert "acknowledge" not in source and "checkov" not in source and "cfn-lint" not in source
    library = _library_findings(gate)
    assert library == set(), "findings on library resources:\n" + "\n".join(sorted(map(str, library)))
    # The scanners did run and see the app's own (unacknowledged) resources: the gate can fail.
    tools = {(f["rule"].split("-")[0], f["path"].split("/")[0]) for f in gate["nag"]}
    assert ("NIST.800.53.R5", "ConsumerData") in tools
    assert any(f["rule"] == "CKV_AWS_18" for f in gate["checkov"])
    assert any(f["rule"] == "W3045" for f in gate["cfn_lint"])
    # AWS's own rules (tests/oracles: IAM authorization data, the Lambda API model) on every template the
    # consumer app synthesized with the CLI, cross-stack references resolved through the assembly's outputs.
    out = gate_dir(background_run)
    stacks = [(name.removesuffix(".template.json"), json.loads((out / name).read_text())) for name in gate["templates"]]
    imports = exports_of(stacks)
    oracle_findings = [finding for stack, template in stacks for finding in oracles.findings(template, stack, imports)]
    assert oracle_findings == [], "\n".join(oracle_findings)
    # The library's own suppressions travelled in the template, with their reasons.
    template = json.loads((Path(gate_dir(background_run)) / "Consumer.template.json").read_text())
    function = template["Resources"][next(k for k in template["Resources"] if k.startswith("OrdersFunction"))]
    skips = {skip["id"]: skip["comment"] for skip in function["Metadata"]["checkov"]["skip"]}
    assert set(skips) == {"CKV_AWS_115", "CKV_AWS_116", "CKV_AWS_117"} and all(len(c) > 40 for c in skips.values())
    assert function["Metadata"]["cfn-lint"]["config"]["ignore_checks"] == ["W3005", "WS1004"]


def gate_dir(background_run: BackgroundRun) -> Path:
    return background_run.workdir / "app" / "cdk.out"
