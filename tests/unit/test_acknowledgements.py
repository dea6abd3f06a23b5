"""Acknowledgements are real and listed: each names a rule its cdk-nag pack has, and the README lists them all."""

from __future__ import annotations

import json
import sys
from pathlib import Path

from lambda_constructs.compliance import PACK_PREFIXES, pack_rules, write_pack_report
from tests.conftest import ExampleAssembly
from tests.helpers import ROOT

sys.path.insert(0, str(ROOT / "scripts"))
import acknowledgements


def test_pack_rules_are_read() -> None:
    rules = pack_rules()
    assert "AwsSolutions-IAM5" in rules["AwsSolutions"]
    assert "NIST.800.53.R5-LambdaDLQ" in rules["NIST.800.53.R5"]
    assert "PCI.DSS.321-LambdaDLQ" not in rules["PCI.DSS.321"]


def test_every_acknowledgement_names_an_existing_rule(example_assembly: ExampleAssembly) -> None:
    rules = pack_rules()
    unknown = []
    for rule, path, reason in acknowledgements.collect(example_assembly.outdir):
        assert reason.strip(), f"{rule} at {path} has no reason"
        prefix = next((p for p in sorted(rules, key=len, reverse=True) if rule.startswith(p + "-")), None)
        if prefix is not None and rule.split("[")[0] not in rules[prefix]:
            unknown.append(f"{rule} at {path}")
    assert unknown == [], "acknowledgements of rules the packs do not have:\n" + "\n".join(sorted(set(unknown)))


def test_readme_lists_every_acknowledgement(example_assembly: ExampleAssembly) -> None:
    readme = ROOT / "README.md"
    expected = acknowledgements.update(
        readme, acknowledgements.render(acknowledgements.collect(example_assembly.outdir))
    )
    assert expected == readme.read_text(), "README acknowledgements are stale: run make readme"


def test_pack_report_names_all_five_packs_with_zero_violations(example_assembly: ExampleAssembly) -> None:
    report = json.loads(write_pack_report(example_assembly.outdir).read_text())
    packs = {entry["pack"]: entry for entry in report["packs"]}
    assert list(packs) == list(PACK_PREFIXES)
    assert all(entry["unsuppressed_violations"] == 0 for entry in packs.values())
    assert all(entry["acknowledgements"] > 0 for entry in packs.values())


def test_pack_report_counts_violations(tmp_path: Path) -> None:
    (tmp_path / "validation-report.json").write_text(
        json.dumps(
            {
                "pluginReports": [
                    {
                        "violations": [
                            {
                                "ruleName": "HIPAA.Security-LambdaDLQ",
                                "violatingConstructs": [{"constructPath": "S/Fn/Resource"}],
                            }
                        ]
                    }
                ]
            }
        )
    )
    report = json.loads(write_pack_report(tmp_path).read_text())
    hipaa = next(entry for entry in report["packs"] if entry["pack"] == "HIPAA.Security")
    assert hipaa["unsuppressed_violations"] == 1
    assert hipaa["violations"] == ["HIPAA.Security-LambdaDLQ at S/Fn/Resource"]
