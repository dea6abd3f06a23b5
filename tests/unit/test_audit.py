"""The compliance gate: scripts/audit.py over the example app (cdk-nag packs, cfn-lint, checkov)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.background import BackgroundRun
from tests.conftest import ExampleAssembly

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.slow
def test_audit_has_no_unacknowledged_findings(example_assembly: ExampleAssembly, background_run: BackgroundRun) -> None:
    """The gate over the session's synthesized example app (same stacks and packs as app.py), so the
    test does not synthesize a second time nor overwrite the working tree's cdk.out; `make audit`
    runs the same script after a real `cdk synth`. The script (``scripts/audit.py --skip-synth
    --outdir <assembly>``) is started as soon as the assembly exists (tests/background.py)."""
    if not (ROOT / ".venv-audit" / "bin" / "checkov").exists():
        pytest.fail("checkov is missing: run `make audit-install` (make test does it)")
    outdir = str(example_assembly.outdir)
    assert background_run.argv[1:] == ["scripts/audit.py", "--skip-synth", "--outdir", outdir]
    result = background_run.result(timeout=600)
    assert result.returncode == 0, result.stdout[-6000:] + result.stderr[-2000:]
    report = json.loads((Path(outdir) / "compliance-report.json").read_text())
    packs = {p["pack"]: p for p in report["cdk_nag"]["packs"]}
    assert set(packs) == {"AwsSolutions", "Serverless", "NIST.800.53.R5", "HIPAA.Security", "PCI.DSS.321"}
    assert all(p["unsuppressed_violations"] == 0 for p in packs.values())
    assert report["cfn_lint"]["findings"] == [] and report["checkov"]["findings"] == []
