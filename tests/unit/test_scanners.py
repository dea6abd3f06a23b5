"""Suppressions travel: the library's cdk-nag acknowledgements reach the template as checkov skips and
cfn-lint ignores (lambda_constructs/scanners.py), and the mapping table covers every acknowledgement."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import pytest
from aws_cdk import aws_kms as kms
from aws_cdk import aws_s3 as s3

from lambda_constructs import SecureFunction, SecureFunctionProps
from lambda_constructs.compliance import LIBRARY_ACKNOWLEDGEMENTS
from lambda_constructs.scanners import CFN_LINT_RULES, NAG_TO_SCANNERS, rule_name
from lambda_constructs.triggers import RestApiTrigger, S3Trigger, SnsTrigger, SqsTrigger
from tests.conftest import ExampleAssembly
from tests.helpers import ROOT, new_app, new_stack

sys.path.insert(0, str(ROOT / "scripts"))
import acknowledgements

CODE = "def handler(event, context):\n    return {}\n"


@pytest.fixture(scope="module")
def built() -> dict[str, Any]:
    app = new_app()
    stack = new_stack(app, "S")
    other = new_stack(app, "Buckets")
    fn = SecureFunction(stack, "Fn", SecureFunctionProps(inline_code=CODE))
    capped = SecureFunction(stack, "Capped", SecureFunctionProps(inline_code=CODE, reserved_concurrent_executions=2))
    fn.add_trigger(SqsTrigger())
    fn.add_trigger(SnsTrigger())
    fn.add_trigger(RestApiTrigger())
    fn.add_trigger(S3Trigger())  # creates its bucket and the server-access-logs bucket
    bucket = s3.Bucket(other, "Uploads", encryption_key=kms.Key(other, "K"), enforce_ssl=True)
    fn.add_trigger(S3Trigger(bucket=bucket), construct_id="Foreign")
    open_api = SecureFunction(stack, "Open", SecureFunctionProps(inline_code=CODE))
    open_api.add_trigger(RestApiTrigger(authorization="NONE", open_reason="Public webhook: the handler checks an HMAC"))
    data = new_stack(app, "Data")
    reports = s3.Bucket(data, "Reports", encryption_key=kms.Key(data, "K"), enforce_ssl=True)
    capped.grant_read(reports, objects="reports/*")
    assembly = app.synth()
    out = Path(assembly.directory)
    return {
        "S": json.loads((out / "S.template.json").read_text())["Resources"],
        "Buckets": json.loads((out / "Buckets.template.json").read_text())["Resources"],
        "outdir": out,
    }


def _one(resources: dict[str, Any], prefix: str, kind: str) -> dict[str, Any]:
    (found,) = [v for k, v in resources.items() if k.startswith(prefix) and v["Type"] == kind]
    return found


def _skips(resource: dict[str, Any]) -> dict[str, str]:
    return {s["id"]: s["comment"] for s in resource.get("Metadata", {}).get("checkov", {}).get("skip", [])}


def test_rule_name_strips_pack_finding_and_namespace() -> None:
    assert rule_name("NIST.800.53.R5-LambdaDLQ") == "LambdaDLQ"
    assert rule_name("AwsSolutions-IAM5[Resource::<Fn.Arn>:*]") == "IAM5"
    assert rule_name("CloudFormation-Validate::W3694") == "W3694"
    assert rule_name("Annotation::Serverless-LambdaDLQ") == "LambdaDLQ"


def test_function_carries_checkov_skips_with_the_acknowledgement_reasons(built: dict[str, Any]) -> None:
    skips = _skips(_one(built["S"], "FnFunction", "AWS::Lambda::Function"))
    assert skips == {
        "CKV_AWS_116": LIBRARY_ACKNOWLEDGEMENTS["LambdaDLQ"],
        "CKV_AWS_115": LIBRARY_ACKNOWLEDGEMENTS["LambdaConcurrency"],
        "CKV_AWS_117": LIBRARY_ACKNOWLEDGEMENTS["LambdaInsideVPC"],
    }
    # Reserved concurrency set: no LambdaConcurrency acknowledgement, so no CKV_AWS_115 skip either.
    assert set(_skips(_one(built["S"], "CappedFunction", "AWS::Lambda::Function"))) == {"CKV_AWS_116", "CKV_AWS_117"}
    function = _one(built["S"], "FnFunction", "AWS::Lambda::Function")
    assert function["Metadata"]["cfn-lint"]["config"]["ignore_checks"] == ["W3005", "WS1004"]


def test_api_stage_method_subscription_and_logs_bucket_carry_their_equivalents(built: dict[str, Any]) -> None:
    stages = [v for k, v in built["S"].items() if v["Type"] == "AWS::ApiGateway::Stage"]
    assert stages and all("CKV_AWS_120" in _skips(stage) for stage in stages)
    open_methods = [
        v for k, v in built["S"].items() if k.startswith("OpenRestApi") and v["Type"] == "AWS::ApiGateway::Method"
    ]
    assert open_methods
    assert all(_skips(m).get("CKV_AWS_59") == "Public webhook: the handler checks an HMAC" for m in open_methods)
    iam_methods = [
        v for k, v in built["S"].items() if k.startswith("FnRestApi") and v["Type"] == "AWS::ApiGateway::Method"
    ]
    assert iam_methods and not any("CKV_AWS_59" in _skips(m) for m in iam_methods)
    subscription = _one(built["S"], "FnSnsTrigger", "AWS::SNS::Subscription")
    assert subscription["Metadata"]["cfn-lint"]["config"]["ignore_checks"] == ["W3694"]
    logs_bucket = _one(built["S"], "FnS3Trigger1AccessLogsBucket", "AWS::S3::Bucket")
    assert set(_skips(logs_bucket)) == {"CKV_AWS_18"}


def test_notifications_handler_is_handled_in_the_bucket_stack(built: dict[str, Any], tmp_path: Path) -> None:
    handler = _one(built["Buckets"], "BucketNotificationsHandler", "AWS::Lambda::Function")
    assert set(_skips(handler)) == {"CKV_AWS_115", "CKV_AWS_116", "CKV_AWS_117"}
    # The stack's metadata: in manifest.json, plus the file newer aws-cdk-lib writes beside it.
    artifact = json.loads((built["outdir"] / "manifest.json").read_text())["artifacts"]["Buckets"]
    metadata = dict(artifact.get("metadata") or {})
    if artifact.get("additionalMetadataFile"):
        metadata.update(json.loads((built["outdir"] / artifact["additionalMetadataFile"]).read_text()))
    acked = [
        key
        for path, entries in metadata.items()
        if "BucketNotificationsHandler" in path
        for entry in entries
        if entry["type"] == "aws:cdk:acknowledged-rules"
        for key in entry["data"]
    ]
    assert any("AwsSolutions-IAM4" in key for key in acked)


def test_prefix_read_lists_only_the_prefix_and_key_grants_go_through_the_service(built: dict[str, Any]) -> None:
    (policy,) = [
        v for k, v in built["S"].items() if k.startswith("CappedRolePolicy") and v["Type"] == "AWS::IAM::ManagedPolicy"
    ]
    statements = policy["Properties"]["PolicyDocument"]["Statement"]
    (listing,) = [s for s in statements if s["Action"] == "s3:ListBucket"]
    assert listing["Condition"] == {"StringLike": {"s3:prefix": ["reports/*"]}}
    (decrypt,) = [s for s in statements if s["Action"] == "kms:Decrypt"]
    assert decrypt["Condition"]["StringEquals"]["kms:ViaService"] == {
        "Fn::Join": ["", ["s3.", {"Ref": "AWS::Region"}, ".amazonaws.com"]]
    }


def _acknowledged_rules(outdir: Path) -> set[str]:
    return {rule for rule, _path, _reason in acknowledgements.collect(outdir)}


def test_every_library_acknowledgement_is_in_the_mapping_table(
    built: dict[str, Any], example_assembly: ExampleAssembly
) -> None:
    rules = _acknowledged_rules(built["outdir"]) | _acknowledged_rules(example_assembly.outdir)
    # The example app's own data-tier acknowledgements (stacks/data_stack.py) are not the library's.
    own = {"SMG4", "SecretsManagerRotationEnabled", "IAM4", "RDS11", "RDSInBackupPlan"}
    # aws-cdk-lib acknowledges these CloudFormation-Validate rules itself (stack AZs, FlowLog DestinationOptions).
    own |= {"W3010", "F3002", "F3003"}
    missing = sorted(
        {rule_name(r) for r in rules} - set(NAG_TO_SCANNERS) - CFN_LINT_RULES - own - {"CloudFormation-Validate"}
    )
    assert missing == [], f"add these cdk-nag rules to scanners.NAG_TO_SCANNERS: {missing}"
    assert all(e.source for e in NAG_TO_SCANNERS.values()), "every row cites its checkov check or why none"
    assert all(bool(e.checkov) == bool(e.resource_types) for e in NAG_TO_SCANNERS.values())


def test_checkov_ids_in_the_table_exist_in_the_pinned_checkov() -> None:
    checks = ROOT / ".venv-audit" / "lib"
    found = list(checks.glob("python3*/site-packages/checkov/cloudformation/checks/resource/aws"))
    if not found:
        pytest.skip("checkov (.venv-audit) is not installed")
    text = "\n".join(path.read_text() for path in found[0].glob("*.py"))
    ids = {check for e in NAG_TO_SCANNERS.values() for check in e.checkov}
    assert ids and all(f'"{check}"' in text for check in ids)
