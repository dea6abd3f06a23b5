"""Acknowledgements are real and listed: each names a rule its cdk-nag pack has, and the README lists them all."""

from __future__ import annotations

import sys

from lambda_constructs.compliance import pack_rules
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
