"""The oracles of tests/oracles find what AWS's data rejects, and pass what it accepts.

The statements below are the ones the library synthesized before issue #17 (each a finding), next to
their fixed form (none).
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import aws_cdk as cdk
import pytest
from aws_cdk import aws_iam as iam
from aws_cdk import aws_s3 as s3
from aws_cdk.assertions import Template

from tests import oracles
from tests.helpers import new_app, new_stack
from tests.oracles import iam as iam_oracle
from tests.oracles import lambda_api
from tests.oracles.intrinsics import UNKNOWN, UNKNOWN_VALUE, exports_of, resolve, stack_output_key

ENI = {
    "Fn::Join": [
        "",
        [
            "arn:",
            {"Ref": "AWS::Partition"},
            ":ec2:",
            {"Ref": "AWS::Region"},
            ":",
            {"Ref": "AWS::AccountId"},
            ":network-interface/*",
        ],
    ]
}
SUBNET = "arn:aws:ec2:eu-west-1:111122223333:subnet/subnet-1"
CLUSTER = "arn:aws:kafka:eu-west-1:111122223333:cluster/demo/abcd-1234"


def kinds(statement: dict[str, Any], resources: dict[str, Any] | None = None) -> list[str]:
    return sorted(
        f"{f.kind} {f.action}"
        for f in iam_oracle.check_statement({"Effect": "Allow", **statement}, resources or {}, "t")
    )


def test_intrinsics_resolve_to_arn_patterns() -> None:
    resources = {"Q": {"Type": "AWS::SQS::Queue"}, "T": {"Type": "AWS::SNS::Topic"}}
    assert resolve(ENI, resources) == f"arn:aws:ec2:{UNKNOWN}:{UNKNOWN}:network-interface/*"
    assert resolve({"Fn::GetAtt": ["Q", "Arn"]}, resources) == f"arn:aws:sqs:{UNKNOWN}:{UNKNOWN}:{UNKNOWN}"
    assert resolve({"Ref": "T"}, resources).startswith("arn:aws:sns:")
    assert resolve({"Fn::Sub": "arn:${AWS::Partition}:logs:${AWS::Region}:x:log-group:/a"}, {}) == (
        f"arn:aws:logs:{UNKNOWN}:x:log-group:/a"
    )


def test_eni_conditions_aws_does_not_list_are_found() -> None:
    before = {
        "Action": "ec2:CreateNetworkInterface",
        "Resource": ENI,
        "Condition": {"ArnEquals": {"ec2:Subnet": [SUBNET], "ec2:Vpc": "arn:aws:ec2:eu-west-1:1:vpc/vpc-1"}},
    }
    assert kinds(before) == ["condition-key ec2:CreateNetworkInterface"] * 2
    assert kinds({"Action": "ec2:CreateNetworkInterface", "Resource": ENI}) == []
    # the same keys are listed for DeleteNetworkInterface on network-interface: no finding
    assert kinds({**before, "Action": "ec2:DeleteNetworkInterface"}) == []


def test_resource_level_mismatches_are_found() -> None:
    assert kinds({"Action": "kafka:GetBootstrapBrokers", "Resource": CLUSTER}) == [
        "only-star kafka:GetBootstrapBrokers",  # the action supports only *
        "resource-type kafka:GetBootstrapBrokers",  # and the cluster ARN is dead in the statement
    ]
    assert kinds({"Action": "kafka:GetBootstrapBrokers", "Resource": "*"}) == []
    cluster = "arn:aws:rds:eu-west-1:111122223333:cluster:docs"
    found = kinds({"Action": "rds:DescribeDBClusterParameters", "Resource": cluster})
    assert "resource-type rds:DescribeDBClusterParameters" in found
    assert (
        kinds({"Action": "rds:DescribeDBClusterParameters", "Resource": "arn:aws:rds:eu-west-1:1:cluster-pg:*"}) == []
    )
    log_groups = "arn:aws:logs:eu-west-1:1:log-group:*"
    assert "only-star logs:DescribeLogGroups" in kinds({"Action": "logs:DescribeLogGroups", "Resource": log_groups})
    assert kinds({"Action": "ec2:CreateNetworkInterface", "Resource": "*"}) == [
        "wildcard-resource ec2:CreateNetworkInterface"
    ]
    assert kinds({"Action": "lambda:InvokeFunctionz", "Resource": "*"}) == ["unknown-action lambda:InvokeFunctionz"]


def test_wildcard_actions_and_key_policies() -> None:
    # kms:* on the key: the actions that apply to a key are granted, the account-level ones are not findings
    key = f"arn:aws:kms:{UNKNOWN}:{UNKNOWN}:key/{UNKNOWN}"
    assert iam_oracle.check_statement({"Effect": "Allow", "Action": "kms:*", "Resource": "*"}, {}, "t", key) == []
    assert kinds({"Action": "s3:GetObject", "Resource": "arn:aws:s3:::bucket"}) == ["resource-type s3:GetObject"] * 2


def test_api_oracle_checks_literals_against_the_botocore_model_and_quotas() -> None:
    template = {
        "Resources": {
            "Fn": {
                "Type": "AWS::Lambda::Function",
                "Properties": {
                    "FunctionName": "bad name!",
                    "Runtime": "python9",
                    "MemorySize": 20000,
                    "Timeout": 1000,
                    "Description": "d" * 300,
                    "Environment": {"Variables": {"BIG": "x" * 5000, "REF": {"Ref": "P"}}},
                    "Role": {"Fn::GetAtt": ["R", "Arn"]},
                    "Code": {"ZipFile": "x"},
                },
            },
            "Alias": {"Type": "AWS::Lambda::Alias", "Properties": {"Name": "live", "FunctionVersion": "1"}},
        }
    }
    found = sorted(f"{f.kind} {f.path.split('.', 1)[1]}" for f in lambda_api.check_template(template))
    assert found == [
        "enum Runtime",
        "max Description",
        "pattern FunctionName",
        "quota Environment",
        "quota MemorySize",
        "quota Timeout",
    ]


def test_every_template_from_stack_reaches_the_oracles() -> None:
    stack = new_stack()
    role = iam.Role(stack, "R", assumed_by=iam.ServicePrincipal("lambda.amazonaws.com"))
    role.add_to_policy(
        iam.PolicyStatement(actions=["logs:DescribeLogGroups"], resources=["arn:aws:logs:*:*:log-group:*"])
    )
    Template.from_stack(stack)
    found = oracles.check_recorded()  # the teardown check would fail on it: take it here
    assert any("only-star: logs:DescribeLogGroups" in f for f in found), found


def _role_with(stack: cdk.Stack, action: str, resource: str) -> iam.Role:
    role = iam.Role(stack, "R", assumed_by=iam.ServicePrincipal("lambda.amazonaws.com"))
    role.add_to_policy(iam.PolicyStatement(actions=[action], resources=[resource]))
    return role


def test_every_template_app_synth_makes_reaches_the_oracles() -> None:
    """``app.synth()`` (aws-cdk-lib 2.275 generates ``App.synth`` apart from ``Stage.synth``): a statement
    AWS's data rejects, in a stack of an app synthesized with it, is found."""
    app = new_app()
    _role_with(new_stack(app, "AppSynthOracle"), "kafka:GetBootstrapBrokers", CLUSTER)  # supports only "*"
    app.synth()
    found = oracles.check_recorded()  # the teardown check would fail on it: take it here
    assert any("only-star: kafka:GetBootstrapBrokers" in f and "AppSynthOracle:" in f for f in found), found


def _wrappers(entry: Callable[..., Any]) -> list[str]:
    """The chain of wrappers around a synthesis entry point, outermost first (by code name)."""
    names = []
    while entry is not None:
        names.append(entry.__code__.co_name)
        entry = getattr(entry, "__wrapped__", None)  # type: ignore[assignment]
    return names


@pytest.mark.parametrize("entry", ["App.synth", "Stage.synth"])
def test_the_oracle_wrapper_and_the_library_boundary_compose(entry: str) -> None:
    """Each entry point is wrapped once by tests/conftest.py and once by the library's synth boundary, also
    after the library installs it again (it skips a wrapper carrying its mark, which functools.wraps copies)."""
    from lambda_constructs.deploy_rules import check_synthesized
    from lambda_constructs.errors import install_synth_boundary

    install_synth_boundary(check_synthesized)
    owner, name = entry.split(".")
    chain = _wrappers(getattr(getattr(cdk, owner), name))
    assert chain.count("recording_synth") == 1 and chain.count("guarded") == 1, chain
    assert chain[-1] == "synth"


def test_a_cross_stack_reference_resolves_through_the_other_stacks_outputs() -> None:
    """A grant on a bucket of another stack: the object ARN is the bucket ARN the other template outputs
    (``Fn::GetStackOutput`` with cdk.json's weak cross-stack references), so the statement is checked as
    ``arn:aws:s3:::¤/reports/*`` and passes, and a statement of the wrong service on that ARN is found;
    without the other stack's outputs the ARN is unknown (any shape) and the wrong statement goes unseen."""
    app = new_app()
    bucket = s3.Bucket(new_stack(app, "OracleData"), "Reports")
    stack = new_stack(app, "OracleReader")
    role = iam.Role(stack, "R", assumed_by=iam.ServicePrincipal("lambda.amazonaws.com"))
    bucket.grant_read(role, "reports/*")
    assembly = app.synth()
    assert oracles.check_recorded() == []
    imports = exports_of((s.stack_name, s.template) for s in assembly.stacks_recursively)
    reader = assembly.get_stack_by_name("OracleReader").template
    (policy,) = [r for r in reader["Resources"].values() if r["Type"] == "AWS::IAM::Policy"]
    (get,) = [st for st in policy["Properties"]["PolicyDocument"]["Statement"] if "s3:GetObject*" in st["Action"]]
    objects = next(r for r in get["Resource"] if "reports" in str(r))  # [bucket ARN, objects ARN]
    assert "Fn::GetStackOutput" in str(objects) or "Fn::ImportValue" in str(objects)
    assert resolve(objects, reader["Resources"], imports) == f"arn:aws:s3:::{UNKNOWN}/reports/*"
    assert resolve(objects, reader["Resources"]) == f"{UNKNOWN_VALUE}/reports/*"
    wrong = {"Effect": "Allow", "Action": "sqs:SendMessage", "Resource": objects}
    assert [f.kind for f in iam_oracle.check_statement(wrong, reader["Resources"], "t", None, imports)] == [
        "resource-type",
        "resource-type",
    ]
    assert iam_oracle.check_statement(wrong, reader["Resources"], "t") == []


@pytest.mark.parametrize("how", ["app.synth", "Template.from_stack"])
def test_the_recorded_templates_carry_their_assemblys_outputs(how: str) -> None:
    """Both recording paths resolve a cross-stack reference: a queue action on another stack's bucket objects
    is found (unresolved, the ARN could be anything and it would pass)."""
    app = new_app()
    bucket = s3.Bucket(new_stack(app, f"OracleBuckets{how.split('.')[0]}"), "B")
    stack = new_stack(app, f"OracleWrong{how.split('.')[0]}")
    role = iam.Role(stack, "R", assumed_by=iam.ServicePrincipal("lambda.amazonaws.com"))
    role.add_to_policy(iam.PolicyStatement(actions=["sqs:SendMessage"], resources=[bucket.arn_for_objects("x/*")]))
    if how == "app.synth":
        app.synth()
    else:
        Template.from_stack(stack)
    found = oracles.check_recorded()  # the teardown check would fail on it: take it here
    assert any(f.startswith("resource-type: sqs:SendMessage on arn:aws:s3:::") for f in found), found


def test_import_value_and_stack_outputs_resolve_or_stay_unknown_arns() -> None:
    exporter = {
        "Resources": {"B": {"Type": "AWS::S3::Bucket"}},
        "Outputs": {
            "Out": {"Value": {"Fn::GetAtt": ["B", "Arn"]}, "Export": {"Name": "Data:BucketArn"}},
            "Plain": {"Value": {"Fn::GetAtt": ["B", "Arn"]}},
        },
    }
    imports = exports_of([("Data", exporter)])
    assert imports == {
        "Data:BucketArn": f"arn:aws:s3:::{UNKNOWN}",
        stack_output_key("Data", "Out"): f"arn:aws:s3:::{UNKNOWN}",
        stack_output_key("Data", "Plain"): f"arn:aws:s3:::{UNKNOWN}",
    }
    imported = {"Fn::Join": ["", [{"Fn::ImportValue": "Data:BucketArn"}, "/reports/*"]]}
    output = {"Fn::GetStackOutput": {"StackName": "Data", "Region": {"Ref": "AWS::Region"}, "OutputName": "Plain"}}
    assert resolve(imported, {}, imports) == f"arn:aws:s3:::{UNKNOWN}/reports/*"
    assert resolve(output, {}, imports) == f"arn:aws:s3:::{UNKNOWN}"
    # not exported by any template given: an unknown value that may be a whole ARN, not a skipped statement
    assert resolve(imported, {}) == f"{UNKNOWN_VALUE}/reports/*"
    assert kinds({"Action": "s3:GetObject", "Resource": imported}) == []
    assert kinds({"Action": "kafka:GetBootstrapBrokers", "Resource": {"Fn::ImportValue": "Elsewhere"}}) == [
        "only-star kafka:GetBootstrapBrokers",
        "resource-type kafka:GetBootstrapBrokers",
    ]


def test_lifecycle_hook_status_is_reviewed_on_deployment_groups_only() -> None:
    """AWS's CodeDeploy permissions reference scopes PutLifecycleEventHookExecutionStatus to the deployment
    group (iam_reviewed.toml); the data lists none: the entries cover that ARN and nothing else."""
    action = "codedeploy:PutLifecycleEventHookExecutionStatus"
    group = "arn:aws:codedeploy:eu-west-1:111122223333:deploymentgroup:app/group"
    application = "arn:aws:codedeploy:eu-west-1:111122223333:application:app"
    on_group = iam_oracle.check_statement({"Effect": "Allow", "Action": action, "Resource": group}, {}, "t")
    on_app = iam_oracle.check_statement({"Effect": "Allow", "Action": action, "Resource": application}, {}, "t")
    assert on_group and all(iam_oracle._is_reviewed(f) for f in on_group)
    assert on_app and not any(iam_oracle._is_reviewed(f) for f in on_app)


def test_reviewed_entries_carry_a_reason_and_aws_link() -> None:
    entries = iam_oracle.reviewed()
    assert all(e.reason and e.link.startswith("https://docs.aws.amazon.com/") for e in entries)


@pytest.mark.parametrize("resource", ["arn:aws:sqs:eu-west-1:1:q", {"Fn::GetAtt": ["Q", "Arn"]}])
def test_clean_statement_has_no_finding(resource: Any) -> None:
    assert (
        kinds(
            {"Action": ["sqs:ReceiveMessage", "sqs:DeleteMessage"], "Resource": resource},
            {"Q": {"Type": "AWS::SQS::Queue"}},
        )
        == []
    )


SUBPROCESS_APP = """
import sys
import aws_cdk as cdk
from aws_cdk import aws_iam as iam
from lambda_constructs._compat import builtin_validation_kwargs

# CDK's built-in CloudFormation validation is not under test (~19 s to load in a fresh process)
app = cdk.App(outdir=sys.argv[1], **builtin_validation_kwargs(False))
stack = cdk.Stack(app, "WrittenByAChild")
role = iam.Role(stack, "Role", assumed_by=iam.ServicePrincipal("lambda.amazonaws.com"))
role.add_to_policy(iam.PolicyStatement(actions=["kafka:GetBootstrapBrokers"], resources=[sys.argv[2]]))
app.synth()
"""


def test_an_assembly_a_subprocess_writes_into_tmp_path_reaches_the_oracles(tmp_path: Path) -> None:
    """tests/conftest.py's ``aws_oracles`` reads every cloud assembly under a test's ``tmp_path`` (and its
    background command's folder) after the test: templates a CDK CLI or an ``app.py`` child synthesized."""
    from tests.conftest import _record_written_assemblies

    outdir = tmp_path / "cdk.out"
    subprocess.run([sys.executable, "-c", SUBPROCESS_APP, str(outdir), CLUSTER], check=True, cwd=tmp_path)
    oracles.check_recorded()
    _record_written_assemblies(tmp_path)
    found = oracles.check_recorded()  # the teardown check would fail on it: take it here, then remove it
    shutil.rmtree(outdir)
    assert any("only-star: kafka:GetBootstrapBrokers" in f and "WrittenByAChild" in f for f in found), found
