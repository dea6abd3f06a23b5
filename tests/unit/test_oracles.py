"""The oracles of tests/oracles find what AWS's data rejects, and pass what it accepts.

The statements below are the ones the library synthesized before issue #17 (each a finding), next to
their fixed form (none).
"""

from __future__ import annotations

from typing import Any

import pytest
from aws_cdk import aws_iam as iam
from aws_cdk.assertions import Template

from tests import oracles
from tests.helpers import new_stack
from tests.oracles import iam as iam_oracle
from tests.oracles import lambda_api
from tests.oracles.intrinsics import UNKNOWN, resolve

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
