"""PrivateNetwork: a VPC function built on it is clean in the five cdk-nag packs with no acknowledgement."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from aws_cdk import aws_secretsmanager as secretsmanager
from aws_cdk.assertions import Match, Template

from lambda_constructs import LambdaConstructsError, SecretReference, SecureFunction, SecureFunctionProps
from lambda_constructs.private_network import PrivateNetwork, PrivateNetworkProps
from tests.helpers import nag_findings, new_app, new_stack

CODE = "def handler(event, context):\n    return {}\n"


def _app(public: bool) -> dict[str, Any]:
    app = new_app(nag=True)
    # Env-agnostic: with a concrete env the ENI policy's acknowledgement misses (issue #17 fixes it).
    stack = new_stack(app, "Net")
    network = PrivateNetwork(stack, "Network", PrivateNetworkProps(public_subnets=public))
    secret = secretsmanager.Secret(stack, "Secret", encryption_key=network.key)
    fn = SecureFunction(
        stack,
        "Fn",
        SecureFunctionProps(
            inline_code=CODE,
            vpc=network.vpc,
            vpc_subnets=network.subnets,
            secret_environment={"SECRET_ARN": SecretReference.from_secret(secret)},
        ),
    )
    network.add_endpoints_for(fn)
    findings = nag_findings(app)
    template = json.loads((Path(app.outdir) / "Net.template.json").read_text())
    return {"findings": findings, "template": Template.from_json(template), "network": network}


@pytest.fixture(scope="module")
def isolated() -> dict[str, Any]:
    return _app(public=False)


def test_vpc_function_is_clean_in_all_five_packs_without_acknowledgements(isolated: dict[str, Any]) -> None:
    # The test's own secret has no rotation: that is the only finding, and it is not the network's.
    assert [f for f in isolated["findings"] if " at Net/Secret/" not in f] == []


def test_isolated_network_has_no_internet_path_and_logs_its_flows(isolated: dict[str, Any]) -> None:
    template: Template = isolated["template"]
    template.resource_count_is("AWS::EC2::InternetGateway", 0)
    template.resource_count_is("AWS::EC2::NatGateway", 0)
    template.all_resources_properties("AWS::EC2::Subnet", {"MapPublicIpOnLaunch": False})
    template.has_resource_properties("AWS::Logs::LogGroup", {"KmsKeyId": Match.any_value(), "RetentionInDays": 365})
    template.has_resource_properties("AWS::EC2::FlowLog", {"ResourceType": "VPC", "TrafficType": "ALL"})
    template.resource_count_is("Custom::VpcRestrictDefaultSG", 1)
    services = [
        str(props["Properties"]["ServiceName"]) for props in template.find_resources("AWS::EC2::VPCEndpoint").values()
    ]
    assert any("secretsmanager" in s for s in services) and any("xray" in s for s in services)
    handler = next(
        iter(
            template.find_resources(
                "AWS::Lambda::Function", {"Properties": {"Handler": "__entrypoint__.handler"}}
            ).values()
        )
    )
    assert {s["id"] for s in handler["Metadata"]["checkov"]["skip"]} == {"CKV_AWS_115", "CKV_AWS_116", "CKV_AWS_117"}


def test_public_subnets_only_on_request_and_without_public_ips() -> None:
    built = _app(public=True)
    assert [f for f in built["findings"] if " at Net/Secret/" not in f] == []
    template: Template = built["template"]
    template.resource_count_is("AWS::EC2::NatGateway", 1)
    template.all_resources_properties("AWS::EC2::Subnet", {"MapPublicIpOnLaunch": False})


def test_bad_sizes_fail_with_the_librarys_error() -> None:
    stack = new_stack()
    with pytest.raises(LambdaConstructsError, match="max_azs"):
        PrivateNetwork(stack, "A", PrivateNetworkProps(max_azs=0))
    with pytest.raises(LambdaConstructsError, match="subnet_cidr_mask"):
        PrivateNetwork(stack, "B", PrivateNetworkProps(subnet_cidr_mask=30))
    with pytest.raises(LambdaConstructsError, match="nat_gateways"):
        PrivateNetwork(stack, "C", PrivateNetworkProps(public_subnets=True, nat_gateways=3))


def test_endpoints_need_a_function_in_this_network() -> None:
    stack = new_stack()
    network = PrivateNetwork(stack, "Network")
    fn = SecureFunction(stack, "Fn", SecureFunctionProps(inline_code=CODE))
    with pytest.raises(LambdaConstructsError, match="not in this network"):
        network.add_endpoints_for(fn)
