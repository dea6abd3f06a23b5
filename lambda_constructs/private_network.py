"""PrivateNetwork: a VPC for SecureFunctions that is clean in the five cdk-nag packs without acknowledgements.

A plain ``ec2.Vpc(stack, "Vpc", max_azs=2)`` gives public subnets with public IP auto-assign and routes
to an internet gateway, no flow logs and an open default security group (cdk-nag: AwsSolutions-VPC7,
VPCFlowLogsEnabled, VPCSubnetAutoAssignPublicIpDisabled, VPCNoUnrestrictedRouteToIGW,
VPCDefaultSecurityGroupClosed). This construct builds the compliant one:

* isolated subnets only (no internet gateway, no NAT) unless ``public_subnets=True`` asks for NAT egress
  (public subnets then never auto-assign public IPs; their default route to the internet gateway is the
  NAT gateway's path out, acknowledged with that reason);
* flow logs (ALL traffic) to a CloudWatch log group encrypted with a customer-managed key, with retention;
  the flow-log role keeps its grants in a customer-managed policy;
* the default security group restricted (``restrict_default_security_group``: aws-cdk-lib's custom resource
  removes its rules; https://docs.aws.amazon.com/vpc/latest/userguide/default-security-group.html);
* :meth:`add_endpoints_for` adds the interface/gateway endpoints a function's grants and secret
  references need (plus X-Ray when the function traces), reachable on 443 from its security group only.

Cost (eu-west-1 list prices; https://aws.amazon.com/privatelink/pricing/,
https://aws.amazon.com/cloudwatch/pricing/, https://aws.amazon.com/kms/pricing/): the VPC, subnets and
gateway endpoints (S3, DynamoDB) are free; each interface endpoint ≈ USD 0.011/h per AZ (≈ USD 8/month
per AZ, 2 AZs ≈ USD 16/month per service); flow logs ≈ USD 0.57/GB ingested (vended logs) plus storage;
the key USD 1/month. ``public_subnets=True`` adds one NAT gateway per AZ (``nat_gateways``, ≈ USD 35/month
each plus USD 0.048/GB processed).
"""

from __future__ import annotations

from dataclasses import dataclass

from aws_cdk import CfnResource, RemovalPolicy, Stack, Token
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_logs as logs
from constructs import Construct

from lambda_constructs.compliance import acknowledge_rule
from lambda_constructs.errors import fail
from lambda_constructs.field_types import checked_fields
from lambda_constructs.function import ExecutionRole, SecureFunction
from lambda_constructs.keys import new_key
from lambda_constructs.network import FunctionEndpoints
from lambda_constructs.scanners import ignore_cfn_lint, skip_checkov

#: Why the NAT path's public subnets route 0.0.0.0/0 to the internet gateway (public_subnets=True only).
NAT_ROUTE_REASON = (
    "The public subnets hold only the NAT gateways (public_subnets=True asked for internet egress): their "
    "default route to the internet gateway is the NAT's way out. No function or endpoint is placed in them "
    "and they never auto-assign public IPs."
)

#: checkov findings on aws-cdk-lib's default-security-group custom resource provider (Custom::VpcRestrictDefaultSG).
RESTRICT_SG_PROVIDER_SKIPS: dict[str, str] = {
    "CKV_AWS_115": (
        "aws-cdk-lib's deploy-time custom resource handler (restricts the VPC's default security group): "
        "CloudFormation invokes it a few times per deployment; reserving concurrency would take capacity."
    ),
    "CKV_AWS_116": (
        "aws-cdk-lib's deploy-time custom resource handler: CloudFormation invokes it synchronously, so there "
        "are no asynchronous events to dead-letter."
    ),
    "CKV_AWS_117": (
        "aws-cdk-lib's deploy-time custom resource handler: it only calls the EC2 API (revoke the default "
        "security group's rules) and reaches nothing in the VPC."
    ),
}
_PROVIDER_ID = "Custom::VpcRestrictDefaultSGCustomResourceProvider"
_ISOLATED = "Isolated"
_PRIVATE = "Private"
_PUBLIC = "Public"


@checked_fields
@dataclass(frozen=True, kw_only=True)
class PrivateNetworkProps:
    """Options of a :class:`PrivateNetwork`. Every field states its default."""

    max_azs: int = 2
    """Availability zones (1–6 here; subnets per AZ). Default: 2."""
    cidr: str = "10.0.0.0/16"
    """The VPC's IPv4 block. Default: ``10.0.0.0/16``."""
    subnet_cidr_mask: int = 24
    """Prefix length of each subnet (16–28, the VPC limits). Default: 24 (251 usable addresses)."""
    public_subnets: bool = False
    """Add public subnets with NAT gateways and put functions in private subnets with egress.
    Default: False (isolated subnets only; functions reach AWS through endpoints)."""
    nat_gateways: int = 1
    """NAT gateways when ``public_subnets`` (one per AZ for zone independence). Default: 1."""
    flow_log_retention: logs.RetentionDays = logs.RetentionDays.ONE_YEAR
    """Retention of the flow-log group. Default: one year."""
    encryption_key: kms.IKey | None = None
    """Key of the flow-log group (CloudWatch Logs must be allowed to use it). Default: a new key (rotation
    on, retained, usable by CloudWatch Logs of this account and region only)."""
    removal_policy: RemovalPolicy = RemovalPolicy.RETAIN
    """Of the flow-log group. Default: RETAIN (flow logs are audit records)."""


class PrivateNetwork(Construct):
    """A VPC for VPC functions, compliant by default (see the module docstring).

    Attributes:
        vpc: the ``ec2.Vpc`` (pass as ``SecureFunctionProps(vpc=...)``).
        subnets: where functions go (``vpc_subnets=``): isolated, or private with egress.
        key: the flow-log group's key.
        flow_log_group / flow_log: the flow-log destination and the flow log.

    Raises:
        LambdaConstructsError: ``max_azs`` outside 1–6, ``subnet_cidr_mask`` outside 16–28 (the VPC
        subnet size limits, https://docs.aws.amazon.com/vpc/latest/userguide/subnet-sizing.html) or
        ``nat_gateways`` outside 1–``max_azs`` when ``public_subnets``.
    """

    def __init__(self, scope: Construct, construct_id: str, props: PrivateNetworkProps | None = None) -> None:
        super().__init__(scope, construct_id)
        props = props or PrivateNetworkProps()
        self._validate(props)
        self.props = props
        subnet_type = ec2.SubnetType.PRIVATE_WITH_EGRESS if props.public_subnets else ec2.SubnetType.PRIVATE_ISOLATED
        configuration = [
            ec2.SubnetConfiguration(
                name=_PRIVATE if props.public_subnets else _ISOLATED,
                subnet_type=subnet_type,
                cidr_mask=props.subnet_cidr_mask,
            )
        ]
        if props.public_subnets:
            configuration.append(
                ec2.SubnetConfiguration(
                    name=_PUBLIC,
                    subnet_type=ec2.SubnetType.PUBLIC,
                    cidr_mask=props.subnet_cidr_mask,
                    map_public_ip_on_launch=False,
                )
            )
        self.vpc = ec2.Vpc(
            self,
            "Vpc",
            ip_addresses=ec2.IpAddresses.cidr(props.cidr),
            max_azs=props.max_azs,
            nat_gateways=props.nat_gateways if props.public_subnets else 0,
            subnet_configuration=configuration,
            restrict_default_security_group=True,
        )
        self.subnets = ec2.SubnetSelection(subnet_type=subnet_type)
        self.key: kms.IKey = props.encryption_key or new_key(self, "Key", f"Flow logs of {self.node.path}")
        self.flow_log_group = logs.LogGroup(
            self,
            "FlowLogs",
            retention=props.flow_log_retention,
            encryption_key=self.key,
            removal_policy=props.removal_policy,
        )
        # An ExecutionRole keeps the flow log grants in a customer-managed policy (no inline policy).
        role = ExecutionRole(self, "FlowLogRole", assumed_by=iam.ServicePrincipal("vpc-flow-logs.amazonaws.com"))
        self.flow_log = self.vpc.add_flow_log(
            "FlowLog", destination=ec2.FlowLogDestination.to_cloud_watch_logs(self.flow_log_group, role)
        )
        if props.public_subnets:
            for subnet in self.vpc.public_subnets:
                route = subnet.node.try_find_child("DefaultRoute")
                if route is not None:
                    acknowledge_rule(route, "VPCNoUnrestrictedRouteToIGW", NAT_ROUTE_REASON)
        self._scanner_suppressions()

    def add_endpoints_for(self, fn: SecureFunction, construct_id: str = "Endpoints") -> FunctionEndpoints:
        """The endpoints ``fn`` needs in this network: its grants' and secret references' services, and
        X-Ray when it traces (the X-Ray daemon in the sandbox sends segments to the X-Ray API).

        Call it after the function's grants. Raises ``LambdaConstructsError`` when ``fn`` is not in this
        network's VPC.
        """
        if fn.props.vpc is not self.vpc:
            raise fail(
                self,
                f"{fn.node.path} is not in this network's VPC",
                value=fn.props.vpc.node.path if fn.props.vpc is not None else None,
                fix="create the function with vpc=network.vpc, vpc_subnets=network.subnets",
            )
        services = set(fn.endpoint_services)
        if fn.props.tracing == lambda_.Tracing.ACTIVE:
            services.add("xray")
        return fn.add_vpc_endpoints(construct_id, services=sorted(services))

    # ------------------------------------------------------------------------------------- internals

    def _validate(self, props: PrivateNetworkProps) -> None:
        if not 1 <= props.max_azs <= 6:
            raise fail(self, "max_azs must be 1-6", value=props.max_azs, fix="use 2 or 3")
        if not 16 <= props.subnet_cidr_mask <= 28:
            raise fail(
                self, "subnet_cidr_mask must be 16-28 (VPC subnet size limits)", value=props.subnet_cidr_mask, fix="24"
            )
        if props.public_subnets and not 1 <= props.nat_gateways <= props.max_azs:
            raise fail(self, "nat_gateways must be 1..max_azs", value=props.nat_gateways, fix=f"1 to {props.max_azs}")

    def _scanner_suppressions(self) -> None:
        """checkov skips on aws-cdk-lib's default-security-group handler; cfn-lint W3010 on resolved AZs."""
        stack = Stack.of(self)
        suppress_default_sg_provider(stack)
        if not Token.is_unresolved(stack.region):
            for subnet in [*self.vpc.isolated_subnets, *self.vpc.private_subnets, *self.vpc.public_subnets]:
                child = subnet.node.default_child
                if isinstance(child, CfnResource):
                    ignore_cfn_lint(child, "W3010")


def suppress_default_sg_provider(stack: Stack) -> bool:
    """Write the reasoned checkov skips (:data:`RESTRICT_SG_PROVIDER_SKIPS`) and the cfn-lint W3005 ignore
    into aws-cdk-lib's ``Custom::VpcRestrictDefaultSG`` handler function of ``stack``.

    For VPCs built by hand with ``restrict_default_security_group`` (or the
    ``@aws-cdk/aws-ec2:restrictDefaultSecurityGroup`` feature flag); :class:`PrivateNetwork` calls it.
    Returns False when the stack has no such handler (yet).
    """
    provider = stack.node.try_find_child(_PROVIDER_ID)
    handler = provider.node.try_find_child("Handler") if provider is not None else None
    if not isinstance(handler, CfnResource):
        return False
    skip_checkov(handler, RESTRICT_SG_PROVIDER_SKIPS)
    ignore_cfn_lint(handler, "W3005", "WS1000", "WS1004")
    return True


__all__ = ["NAT_ROUTE_REASON", "PrivateNetwork", "PrivateNetworkProps", "suppress_default_sg_provider"]
