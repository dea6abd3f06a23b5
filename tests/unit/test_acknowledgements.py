"""Acknowledgements are real and listed: each names a rule its cdk-nag pack has, and the README lists them all."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import aws_cdk as cdk
import pytest
from aws_cdk import aws_sqs as sqs

from lambda_constructs import _compat, _nag_rules
from lambda_constructs.compliance import (
    ACKNOWLEDGED_RULES_KEY,
    PACK_PREFIXES,
    acknowledge_many,
    installed_cdk_nag_version,
    pack_rules,
    read_pack_rules,
    write_pack_report,
)
from tests.conftest import ExampleAssembly
from tests.helpers import ROOT, nag_findings, new_app, new_stack, skip_unless

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


def test_generated_rule_table_matches_the_installed_cdk_nag() -> None:
    skip_unless(_compat.NAG_PLUGINS)  # the table is generated from the pinned cdk-nag 3 (the floor job has cdk-nag 2)
    assert installed_cdk_nag_version() == _nag_rules.CDK_NAG_VERSION, "run scripts/nag_rules.py"
    table = {pack: frozenset(ids) for pack, ids in _nag_rules.PACK_RULES.items()}
    assert table == read_pack_rules(), "lambda_constructs/_nag_rules.py is stale: run scripts/nag_rules.py"
    assert pack_rules() == table


def test_acknowledgements_are_one_metadata_entry_cdk_nag_reads() -> None:
    skip_unless(_compat.NAG_PLUGINS)
    assert cdk.Validations.ACKNOWLEDGED_RULES_METADATA_KEY == ACKNOWLEDGED_RULES_KEY
    app = new_app(nag=True)
    sqs.Queue(new_stack(app), "Queue", enforce_ssl=True)
    before = [finding for finding in nag_findings(app) if "/Queue/" in finding]
    assert any("AwsSolutions-SQS3" in finding for finding in before), before

    app = new_app(nag=True)
    stack = new_stack(app)
    queue = sqs.Queue(stack, "Queue", enforce_ssl=True)
    reasons = {
        rule: "tested: this queue is a test fixture" for rule in ("AwsSolutions-SQS3", "Serverless-SQSRedrivePolicy")
    }
    acknowledge_many(queue, reasons)
    entries = [entry for entry in queue.node.metadata if entry.type == ACKNOWLEDGED_RULES_KEY]
    assert [entry.data for entry in entries] == [{f"Annotation::{rule}": reason for rule, reason in reasons.items()}]
    after = [finding for finding in nag_findings(app) if "/Queue/" in finding]
    assert not any("SQS3" in finding or "SQSRedrivePolicy" in finding for finding in after), after


def test_namespaced_acknowledgements_go_through_validations() -> None:
    skip_unless(_compat.VALIDATIONS)
    queue = sqs.Queue(new_stack(), "Queue")
    acknowledge_many(queue, {"CloudFormation-Validate::W3694": "reason", "AwsSolutions-IAM5[Resource::*]": "reason"})
    data = [entry.data for entry in queue.node.metadata if entry.type == ACKNOWLEDGED_RULES_KEY]
    assert {"Annotation::AwsSolutions-IAM5[Resource::*]": "reason"} in data
    assert {"CloudFormation-Validate::W3694": "reason"} in data


def test_namespaced_acknowledgements_are_plain_metadata_before_validations() -> None:
    """Before aws-cdk-lib 2.252.0 (no Validations.acknowledge) they join the one metadata entry (make test-floor)."""
    if _compat.has(_compat.VALIDATIONS):
        pytest.skip("runs on aws-cdk-lib < 2.252.0 only (make test-floor); newer ones use Validations.acknowledge")
    queue = sqs.Queue(new_stack(), "Queue")
    acknowledge_many(queue, {"CloudFormation-Validate::W3694": "reason", "AwsSolutions-IAM5[Resource::*]": "reason"})
    data = [entry.data for entry in queue.node.metadata if entry.type == ACKNOWLEDGED_RULES_KEY]
    assert data == [
        {"Annotation::AwsSolutions-IAM5[Resource::*]": "reason", "CloudFormation-Validate::W3694": "reason"}
    ]


def test_acknowledging_without_a_reason_fails() -> None:
    queue = sqs.Queue(new_stack(), "Queue")
    with pytest.raises(ValueError, match=r"TestStack/Queue: acknowledging AwsSolutions-SQS3 needs a reason"):
        acknowledge_many(queue, {"AwsSolutions-SQS3": "  "})


def test_nag_arn_names_the_literal_environment_of_an_environment_specific_stack() -> None:
    """cdk-nag prints the ARN as the template has it: pseudo parameters in an environment-agnostic
    stack, the literal region and account in an environment-specific one (the consumer gate's
    MSK/MQ/DocumentDB network policies and VPC ENI policy were unacknowledged there before)."""
    import aws_cdk as cdk

    from lambda_constructs.compliance import nag_arn

    app = cdk.App()
    agnostic = cdk.Stack(app, "Agnostic")
    specific = cdk.Stack(app, "Specific", env=cdk.Environment(account="123456789012", region="eu-west-1"))
    assert nag_arn(agnostic, "ec2", "subnet/*") == "arn:<AWS::Partition>:ec2:<AWS::Region>:<AWS::AccountId>:subnet/*"
    assert nag_arn(specific, "rds", "subgrp:*") == "arn:<AWS::Partition>:rds:eu-west-1:123456789012:subgrp:*"
