"""EFS mounts (lambda_constructs.efs): access point, FileSystemConfigs, NFS ingress, nag-clean, bad input."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import aws_cdk as cdk
import pytest
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_efs as efs
from aws_cdk import aws_iam as iam
from aws_cdk.assertions import Match, Template

from lambda_constructs import LambdaConstructsError, SecureFunction, SecureFunctionProps
from lambda_constructs.compliance import acknowledge, acknowledge_rule
from lambda_constructs.efs import efs_mount
from tests.helpers import nag_findings, new_app, new_stack

CODE = "def handler(event, context):\n    return {}\n"


def _vpc(stack: cdk.Stack) -> ec2.Vpc:
    vpc = ec2.Vpc(
        stack,
        "Vpc",
        max_azs=2,
        nat_gateways=0,
        subnet_configuration=[ec2.SubnetConfiguration(name="Isolated", subnet_type=ec2.SubnetType.PRIVATE_ISOLATED)],
    )
    reason = (
        "Test-only isolated VPC holding the file system and the function; flow logs (a log group, a role) "
        "are the network owner's choice and not what this test checks."
    )
    acknowledge(vpc, "AwsSolutions-VPC7", reason)
    acknowledge_rule(vpc, "VPCFlowLogsEnabled", reason)
    return vpc


def _file_system(stack: cdk.Stack, vpc: ec2.IVpc) -> efs.FileSystem:
    file_system = efs.FileSystem(
        stack,
        "Files",
        vpc=vpc,
        encrypted=True,
        enable_automatic_backups=True,
        removal_policy=cdk.RemovalPolicy.DESTROY,
    )
    acknowledge_rule(
        file_system,
        "EFSInBackupPlan",
        "Test-only file system: automatic backups are on (the AWS Backup default plan, which cdk-nag cannot "
        "see); a named backup plan is the data owner's choice.",
    )
    return file_system


class Built:
    """One function mounting an EFS access point, synthesized once with the five packs."""

    def __init__(self) -> None:
        self.app = new_app(nag=True)
        self.stack = new_stack(self.app)
        vpc = _vpc(self.stack)
        self.file_system = _file_system(self.stack, vpc)
        mount = efs_mount(self.stack, "AccessPoint", self.file_system, mount_path="/mnt/shared")
        self.fn = SecureFunction(self.stack, "Fn", SecureFunctionProps(inline_code=CODE, vpc=vpc, filesystem=mount))
        self.findings = nag_findings(self.app)  # one synth: the template is read from the assembly
        self.template = Template.from_json(
            json.loads((Path(self.app.outdir) / self.stack.template_file).read_text(encoding="utf-8"))
        )

    def ref(self, value: Any) -> Any:
        return self.stack.resolve(value)


@pytest.fixture(scope="module")
def built() -> Built:
    return Built()


def test_function_mounts_the_access_point(built: Built) -> None:
    access_points = built.template.find_resources("AWS::EFS::AccessPoint")
    assert len(access_points) == 1
    (logical_id,) = access_points
    built.template.has_resource_properties(
        "AWS::Lambda::Function",
        {
            "FileSystemConfigs": [
                {"Arn": Match.object_like({"Fn::Join": Match.any_value()}), "LocalMountPath": "/mnt/shared"}
            ]
        },
    )
    (fn_props,) = [
        r["Properties"]
        for r in built.template.find_resources("AWS::Lambda::Function").values()
        if "FileSystemConfigs" in r["Properties"]
    ]
    assert logical_id in str(fn_props["FileSystemConfigs"][0]["Arn"])  # the access point's ARN, not the file system's


def test_access_point_has_a_fixed_posix_user_and_restrictive_root(built: Built) -> None:
    built.template.has_resource_properties(
        "AWS::EFS::AccessPoint",
        {
            "FileSystemId": built.ref(built.file_system.file_system_id),
            "PosixUser": {"Uid": "1001", "Gid": "1001"},
            "RootDirectory": {
                "Path": "/lambda",
                "CreationInfo": {"OwnerUid": "1001", "OwnerGid": "1001", "Permissions": "750"},
            },
        },
    )


def test_mount_grants_name_the_file_system_through_the_access_point(built: Built) -> None:
    statements = [
        statement
        for policy in built.template.find_resources("AWS::IAM::ManagedPolicy").values()
        for statement in policy["Properties"]["PolicyDocument"]["Statement"]
        if "elasticfilesystem:" in str(statement["Action"])
    ]
    actions = sorted(a for s in statements for a in ([s["Action"]] if isinstance(s["Action"], str) else s["Action"]))
    assert actions == ["elasticfilesystem:ClientMount", "elasticfilesystem:ClientWrite"]
    for statement in statements:
        assert statement["Resource"] != "*"  # CDK's from_efs_access_point grants ClientMount on "*"
        assert built.ref(built.file_system.file_system_id) in statement["Resource"]["Fn::Join"][1]
        assert "elasticfilesystem:AccessPointArn" in statement["Condition"]["StringEquals"]


def test_the_default_grants_follow_the_mount_grants_in_the_role_policy(built: Built) -> None:
    # aws-cdk-lib's Function adds the mount's statements while it is built; the library's default grants are
    # added after it (the order the template always had; function.py grants first only without a filesystem).
    # The X-Ray statement is in the stack's shared policy (roles.stack_tracing_policy), not under the role.
    assert [c.node.id for c in built.fn.role.node.children if isinstance(c, iam.ManagedPolicy)] == [
        "Policy",
        "NetworkPolicy",
    ]
    policy = built.template.find_resources("AWS::IAM::ManagedPolicy")[
        built.ref(built.fn.role.policy.managed_policy_arn)["Ref"]
    ]
    assert [s["Action"] for s in policy["Properties"]["PolicyDocument"]["Statement"]] == [
        ["elasticfilesystem:ClientMount", "elasticfilesystem:ClientWrite"],
        ["logs:CreateLogStream", "logs:PutLogEvents"],
        ["kms:Decrypt", "kms:GenerateDataKey"],
        "sqs:SendMessage",
    ]


def test_nfs_is_open_only_from_the_function_security_group(built: Built) -> None:
    (function_group,) = built.fn.security_groups
    built.template.has_resource_properties(
        "AWS::EC2::SecurityGroupIngress",
        {
            "IpProtocol": "tcp",
            "FromPort": 2049,
            "ToPort": 2049,
            "SourceSecurityGroupId": built.ref(function_group.security_group_id),
            "GroupId": built.ref(built.file_system.connections.security_groups[0].security_group_id),
        },
    )
    ingress = built.template.find_resources("AWS::EC2::SecurityGroupIngress")
    assert all("CidrIp" not in r["Properties"] for r in ingress.values())


def test_function_is_ordered_after_the_mount_targets(built: Built) -> None:
    (fn_resource,) = [
        r
        for r in built.template.find_resources("AWS::Lambda::Function").values()
        if "FileSystemConfigs" in r["Properties"]
    ]
    mount_targets = built.template.find_resources("AWS::EFS::MountTarget")
    assert mount_targets and set(mount_targets) <= set(fn_resource.get("DependsOn", []))


def test_efs_mount_passes_the_five_packs(built: Built) -> None:
    assert built.findings == []


def test_filesystem_without_vpc_is_an_error() -> None:
    stack = new_stack()
    file_system = _file_system(stack, _vpc(stack))
    mount = efs_mount(stack, "AccessPoint", file_system)
    with pytest.raises(LambdaConstructsError, match=r"TestStack/Fn: .*filesystem need vpc=.*Fix: pass vpc="):
        SecureFunction(stack, "Fn", SecureFunctionProps(inline_code=CODE, filesystem=mount))


def test_mount_path_outside_mnt_is_an_error() -> None:
    stack = new_stack()
    file_system = _file_system(stack, _vpc(stack))
    with pytest.raises(LambdaConstructsError, match=r"TestStack: mount_path must be /mnt/<name>.*'/data'"):
        efs_mount(stack, "AccessPoint", file_system, mount_path="/data")
