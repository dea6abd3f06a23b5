"""The compliance gate: scripts/audit.py over the example app (cdk-nag packs, cfn-lint, checkov)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.slow
def test_audit_has_no_unacknowledged_findings() -> None:
    if not (ROOT / ".venv-audit" / "bin" / "checkov").exists():
        pytest.fail("checkov is missing: run `make audit-install` (make test does it)")
    result = subprocess.run(
        [sys.executable, "scripts/audit.py"], cwd=ROOT, capture_output=True, text=True, check=False, timeout=600
    )
    assert result.returncode == 0, result.stdout[-6000:] + result.stderr[-2000:]
    report = json.loads((ROOT / "cdk.out" / "compliance-report.json").read_text())
    packs = {p["pack"]: p for p in report["cdk_nag"]["packs"]}
    assert set(packs) == {"AwsSolutions", "Serverless", "NIST.800.53.R5", "HIPAA.Security", "PCI.DSS.321"}
    assert all(p["unsuppressed_violations"] == 0 for p in packs.values())
    assert report["cfn_lint"]["findings"] == [] and report["checkov"]["findings"] == []
