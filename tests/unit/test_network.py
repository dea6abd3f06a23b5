"""VPC placement: subnets, the function's security group, ENI policy and teardown order, endpoints."""

from __future__ import annotations

from typing import Any

import pytest
from aws_cdk import Stack
from aws_cdk import aws_ec2 as ec2
from aws_cdk.assertions import Match, Template

from lambda_constructs import LambdaConstructsError, SecureFunction, SecureFunctionProps
from lambda_constructs.network import EgressRule
from tests.helpers import new_stack

INLINE = "def handler(event, context):\n    return {}\n"


def isolated_vpc(stack: Stack, name: str = "Vpc") -> ec2.Vpc:
    return ec2.Vpc(
        stack,
        name,
        max_azs=2,
        nat_gateways=0,
        restrict_default_security_group=False,
        subnet_configuration=[
            ec2.SubnetConfiguration(name="iso", subnet_type=ec2.SubnetType.PRIVATE_ISOLATED),
            ec2.SubnetConfiguration(name="pub", subnet_type=ec2.SubnetType.PUBLIC),
        ],
    )


def props(**kwargs: Any) -> SecureFunctionProps:
    return SecureFunctionProps(inline_code=INLINE, **kwargs)


@pytest.fixture(scope="module")
def built() -> tuple[Stack, SecureFunction, Template]:
    stack = new_stack()
    vpc = isolated_vpc(stack)
    db = ec2.SecurityGroup(stack, "Db", vpc=vpc, allow_all_outbound=False)
    fn = SecureFunction(
        stack,
        "Fn",
        props(vpc=vpc, allow_egress_to=[EgressRule(peer=db, port=ec2.Port.tcp(5432), description="db")]),
    )
    fn.add_vpc_endpoints(services=["secretsmanager", "s3"])
    return stack, fn, Template.from_stack(stack)


def test_function_in_isolated_subnets_with_own_group(built: tuple[Stack, SecureFunction, Template]) -> None:
    stack, fn, template = built
    assert fn.security_group is not None
    template.has_resource_properties(
        "AWS::Lambda::Function",
        {
            "VpcConfig": {
                "SubnetIds": [
                    {"Ref": Match.string_like_regexp("VpcisoSubnet1")},
                    {"Ref": Match.string_like_regexp("VpcisoSubnet2")},
                ],
                "SecurityGroupIds": [
                    {"Fn::GetAtt": [stack.get_logical_id(fn.security_group.node.default_child), "GroupId"]}
                ],  # type: ignore[arg-type]
            }
        },
    )


def test_security_group_has_no_ingress_and_restricted_egress(built: tuple[Stack, SecureFunction, Template]) -> None:
    stack, fn, template = built
    assert fn.security_group is not None
    group = template.find_resources(
        "AWS::EC2::SecurityGroup", {"Properties": {"GroupDescription": Match.string_like_regexp("Lambda function")}}
    )
    (properties,) = (r["Properties"] for r in group.values())
    assert "SecurityGroupIngress" not in properties
    assert all(rule.get("CidrIp") != "0.0.0.0/0" for rule in properties.get("SecurityGroupEgress", []))
    sg_id = stack.get_logical_id(fn.security_group.node.default_child)  # type: ignore[arg-type]
    template.has_resource_properties(
        "AWS::EC2::SecurityGroupEgress",
        {"GroupId": {"Fn::GetAtt": [sg_id, "GroupId"]}, "FromPort": 5432, "ToPort": 5432, "IpProtocol": "tcp"},
    )
    template.has_resource_properties(
        "AWS::EC2::SecurityGroupEgress",
        {"GroupId": {"Fn::GetAtt": [sg_id, "GroupId"]}, "FromPort": 443, "ToPort": 443},
    )


def test_eni_policy_is_scoped_and_separate(built: tuple[Stack, SecureFunction, Template]) -> None:
    _, _, template = built
    template.has_resource_properties(
        "AWS::IAM::ManagedPolicy",
        {
            "PolicyDocument": {
                "Statement": Match.array_with(
                    [
                        # AWS lists neither ec2:Subnet nor ec2:Vpc for network-interface on CreateNetworkInterface
                        # (a condition on them never matches, issue #17): the subnets are named in their own statement.
                        Match.object_like(
                            {
                                "Sid": "CreateEniInFunctionSubnets",
                                "Action": "ec2:CreateNetworkInterface",
                                "Condition": Match.absent(),
                            }
                        ),
                        Match.object_like(
                            {
                                "Sid": "UseFunctionSubnetsAndSecurityGroups",
                                "Action": "ec2:CreateNetworkInterface",
                                "Resource": Match.array_with(
                                    [
                                        Match.object_like(
                                            {"Fn::Join": Match.array_with([Match.array_with([":subnet/"])])}
                                        )
                                    ]
                                ),
                            }
                        ),
                        Match.object_like(
                            {
                                "Sid": "ManageEnisInFunctionVpc",
                                "Condition": {"ArnEquals": {"ec2:Vpc": Match.any_value()}},
                            }
                        ),
                        Match.object_like(
                            {
                                "Sid": "DescribeEnis",
                                "Action": ["ec2:DescribeNetworkInterfaces", "ec2:DescribeSubnets"],
                                "Resource": "*",
                            }
                        ),
                    ]
                )
            }
        },
    )


def test_function_depends_on_eni_policy(built: tuple[Stack, SecureFunction, Template]) -> None:
    """CloudFormation deletes the function (and its ENIs) before the ENI permissions."""
    stack, fn, template = built
    assert fn.network_policy is not None
    policy_id = stack.get_logical_id(fn.network_policy.node.default_child)  # type: ignore[arg-type]
    template.has_resource("AWS::Lambda::Function", {"DependsOn": Match.array_with([policy_id])})


def test_endpoints_allow_443_from_function_only(built: tuple[Stack, SecureFunction, Template]) -> None:
    stack, fn, template = built
    assert fn.security_group is not None
    template.resource_count_is("AWS::EC2::VPCEndpoint", 2)
    template.has_resource_properties(
        "AWS::EC2::VPCEndpoint",
        {"VpcEndpointType": "Interface", "PrivateDnsEnabled": True, "SecurityGroupIds": Match.any_value()},
    )
    template.has_resource_properties("AWS::EC2::VPCEndpoint", {"VpcEndpointType": "Gateway"})
    template.has_resource_properties(
        "AWS::EC2::SecurityGroupIngress",
        {
            "FromPort": 443,
            "ToPort": 443,
            "SourceSecurityGroupId": {
                "Fn::GetAtt": [stack.get_logical_id(fn.security_group.node.default_child), "GroupId"]
            },  # type: ignore[arg-type]
        },
    )


def test_public_subnets_rejected() -> None:
    stack = new_stack()
    vpc = isolated_vpc(stack)
    with pytest.raises(LambdaConstructsError, match="public subnets"):
        SecureFunction(stack, "Fn", props(vpc=vpc, vpc_subnets=ec2.SubnetSelection(subnet_type=ec2.SubnetType.PUBLIC)))


def test_no_subnets_selected_rejected() -> None:
    stack = new_stack()
    vpc = isolated_vpc(stack)
    with pytest.raises(LambdaConstructsError, match="selects no subnets"):
        SecureFunction(stack, "Fn", props(vpc=vpc, vpc_subnets=ec2.SubnetSelection(subnet_group_name="missing")))


def test_security_group_from_another_vpc_rejected() -> None:
    stack = new_stack()
    vpc, other = isolated_vpc(stack), isolated_vpc(stack, "Other")
    group = ec2.SecurityGroup(stack, "Sg", vpc=other)
    with pytest.raises(LambdaConstructsError, match="another VPC"):
        SecureFunction(stack, "Fn", props(vpc=vpc, security_groups=[group]))


def test_egress_to_internet_rejected_when_restricting() -> None:
    stack = new_stack()
    vpc = isolated_vpc(stack)
    rule = EgressRule(peer=ec2.Peer.any_ipv4(), port=ec2.Port.tcp(443))
    with pytest.raises(LambdaConstructsError, match="whole internet"):
        SecureFunction(stack, "Fn", props(vpc=vpc, allow_egress_to=[rule]))


def test_vpc_options_without_vpc_rejected() -> None:
    with pytest.raises(LambdaConstructsError, match="need vpc"):
        SecureFunction(new_stack(), "Fn", props(allow_egress_to=[]))
