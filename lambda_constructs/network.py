"""VPC placement of a :class:`~lambda_constructs.function.SecureFunction`.

* :func:`select_function_subnets` – private subnets with egress or isolated subnets only.
* :func:`new_function_security_group` – the function's own group: no ingress, egress open or
  restricted to the given :class:`EgressRule` peers (never to the whole internet).
* :func:`eni_policy_statements` – the ENI permissions Lambda needs, scoped to the function's subnets,
  security groups and VPC as far as EC2's authorization data allows (the Describe actions need ``*``).
* :class:`FunctionEndpoints` – the interface/gateway endpoints an isolated-subnet function needs.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from aws_cdk import ArnFormat, Stack, Token
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_iam as iam
from constructs import Construct, IConstruct

from lambda_constructs import _compat
from lambda_constructs.errors import fail
from lambda_constructs.field_types import checked_fields

#: Endpoint names accepted by :class:`FunctionEndpoints` → ``ec2.InterfaceVpcEndpointAwsService`` attribute
#: (read on use: each read is a jsii round trip, not worth paying at import).
_INTERFACE_ATTRS = {
    "logs": "CLOUDWATCH_LOGS",
    "kms": "KMS",
    "sqs": "SQS",
    "sns": "SNS",
    "secretsmanager": "SECRETS_MANAGER",
    "ssm": "SSM",
    "xray": "XRAY",
}
#: Endpoint names served by (free) gateway endpoints → ``ec2.GatewayVpcEndpointAwsService`` attribute.
_GATEWAY_ATTRS = {"s3": "S3", "dynamodb": "DYNAMODB"}
INTERFACE_SERVICES: frozenset[str] = frozenset(_INTERFACE_ATTRS)
"""Endpoint names served by interface endpoints."""
GATEWAY_SERVICES: frozenset[str] = frozenset(_GATEWAY_ATTRS)
"""Endpoint names served by gateway endpoints."""
ENDPOINT_SERVICES: frozenset[str] = INTERFACE_SERVICES | GATEWAY_SERVICES

#: Construct ids of the endpoints (ids are API: renaming one replaces the endpoint).
_ENDPOINT_IDS = {
    "logs": "Logs",
    "kms": "Kms",
    "sqs": "Sqs",
    "sns": "Sns",
    "secretsmanager": "SecretsManager",
    "ssm": "Ssm",
    "xray": "XRay",
    "s3": "S3",
    "dynamodb": "DynamoDb",
}

_OPEN_CIDRS = frozenset({"0.0.0.0/0", "::/0"})


@checked_fields
@dataclass(frozen=True, kw_only=True)
class EgressRule:
    """One allowed outbound destination of the function's security group."""

    peer: ec2.IPeer
    """Where to: a CIDR, a security group, or a prefix list. Never ``0.0.0.0/0`` / ``::/0``."""
    port: ec2.Port
    """Which port(s), e.g. ``ec2.Port.tcp(5432)``."""
    description: str = "Allowed outbound destination"
    """Rule description. Default: 'Allowed outbound destination'."""


def select_function_subnets(
    scope: IConstruct, vpc: ec2.IVpc, selection: ec2.SubnetSelection | None
) -> ec2.SubnetSelection:
    """The subnets the function's ENIs go to, as an explicit selection.

    Default: the VPC's private subnets with egress, else its isolated subnets. Public subnets and
    an empty selection are rejected (a function in a public subnet gets no public IP).
    """
    if selection is None:
        if vpc.private_subnets:
            selection = ec2.SubnetSelection(subnet_type=ec2.SubnetType.PRIVATE_WITH_EGRESS)
        elif vpc.isolated_subnets:
            selection = ec2.SubnetSelection(subnet_type=ec2.SubnetType.PRIVATE_ISOLATED)
        else:
            raise fail(
                scope,
                "the VPC has no private or isolated subnets for the function",
                value=vpc.node.path,
                fix="add PRIVATE_WITH_EGRESS or PRIVATE_ISOLATED subnets to the VPC, or pass vpc_subnets",
            )
    if selection.subnet_type == ec2.SubnetType.PUBLIC:
        raise fail(
            scope,
            "a function cannot be placed in public subnets (Lambda ENIs never get a public IP)",
            value="SubnetType.PUBLIC",
            fix="select PRIVATE_WITH_EGRESS (NAT) or PRIVATE_ISOLATED subnets (with VPC endpoints)",
        )
    try:
        selected = _select(vpc, selection)
    except RuntimeError as exc:  # CDK rejects unknown group names / types
        raise fail(
            scope,
            "vpc_subnets selects no subnets",
            value=str(exc).split("\n")[0],
            fix="select subnets that exist in the VPC (PRIVATE_WITH_EGRESS or PRIVATE_ISOLATED)",
        ) from exc
    if not selected.subnets:
        raise fail(
            scope,
            "vpc_subnets selects no subnets",
            value=selection.subnet_type or selection.subnet_group_name,
            fix="select subnets that exist in the VPC (PRIVATE_WITH_EGRESS or PRIVATE_ISOLATED)",
        )
    public_ids = {subnet.subnet_id for subnet in vpc.public_subnets}
    bad = [subnet.subnet_id for subnet in selected.subnets if subnet.subnet_id in public_ids]
    if bad:
        raise fail(
            scope,
            "vpc_subnets selects public subnets",
            value=[s if not Token.is_unresolved(s) else "<public subnet>" for s in bad],
            fix="select PRIVATE_WITH_EGRESS or PRIVATE_ISOLATED subnets",
        )
    return ec2.SubnetSelection(subnets=selected.subnets)


def _select(vpc: ec2.IVpc, selection: ec2.SubnetSelection) -> ec2.SelectedSubnets:
    return vpc.select_subnets(
        availability_zones=selection.availability_zones,
        one_per_az=selection.one_per_az,
        subnet_filters=selection.subnet_filters,
        subnet_group_name=selection.subnet_group_name,
        subnet_type=selection.subnet_type,
        subnets=selection.subnets,
    )


def check_security_groups(scope: IConstruct, vpc: ec2.IVpc, groups: Iterable[ec2.ISecurityGroup]) -> None:
    """Every group whose VPC is known must belong to ``vpc``."""
    stack = Stack.of(scope)
    expected = stack.resolve(vpc.vpc_id)
    for group in groups:
        vpc_id = _group_vpc_id(group)
        if vpc_id is None:
            continue
        if stack.resolve(vpc_id) != expected:
            raise fail(
                scope,
                "security group belongs to another VPC than the function",
                value=group.node.path,
                fix="pass security groups created in the function's vpc",
            )


def _group_vpc_id(group: ec2.ISecurityGroup) -> str | None:
    # The L1's VpcId (a Ref to the VPC); the L2's security_group_vpc_id is a GetAtt of the group itself.
    child = group.node.default_child if isinstance(group, ec2.SecurityGroup) else None
    return child.vpc_id if isinstance(child, ec2.CfnSecurityGroup) else None


def new_function_security_group(
    scope: Construct, construct_id: str, vpc: ec2.IVpc, egress: Sequence[EgressRule] | None
) -> ec2.SecurityGroup:
    """The function's own group: no ingress; egress open (``egress=None``) or only to ``egress``."""
    restricted = egress is not None
    group = ec2.SecurityGroup(
        scope,
        construct_id,
        vpc=vpc,
        description=f"Lambda function {scope.node.path} (no ingress)",
        allow_all_outbound=not restricted,
        allow_all_ipv6_outbound=False,
    )
    for rule in egress or ():
        check_egress_rule(scope, rule)
        group.add_egress_rule(rule.peer, rule.port, rule.description)
    return group


def check_egress_rule(scope: IConstruct, rule: EgressRule) -> None:
    """Restricted egress must not reopen the whole internet."""
    cidrs = _compat.egress_cidrs(rule.peer)
    if cidrs & _OPEN_CIDRS:
        raise fail(
            scope,
            "allow_egress_to restricts egress, but this rule opens it to the whole internet",
            value=rule.peer.unique_id,
            fix="name the destination (a security group, a CIDR of your network or a prefix list); "
            "pass allow_egress_to=None for unrestricted egress",
        )


def subnet_arns(stack: Stack, selection: ec2.SubnetSelection, vpc: ec2.IVpc) -> list[str]:
    """ARNs of the selected subnets."""
    return [
        stack.format_arn(
            service="ec2", resource="subnet", resource_name=subnet.subnet_id, arn_format=ArnFormat.SLASH_RESOURCE_NAME
        )
        for subnet in _select(vpc, selection).subnets
    ]


def eni_policy_statements(
    stack: Stack,
    vpc: ec2.IVpc,
    selection: ec2.SubnetSelection,
    groups: Sequence[ec2.ISecurityGroup],
) -> list[iam.PolicyStatement]:
    """The ENI statements of a VPC function, as narrow as the EC2 authorization model allows.

    Service Authorization Reference (https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazonec2.html):
    ``CreateNetworkInterface`` is authorized on the new ENI and, separately, on the subnet and the
    security groups it uses. The ENI has no ARN before creation (``network-interface/*`` of this
    account and region) and AWS lists neither ``ec2:Subnet`` nor ``ec2:Vpc`` for that resource of that
    action (a condition on them would never match), so the subnets and groups are scoped by naming
    them in their own statement. Delete/Assign/Unassign are constrained to ENIs of this VPC
    (``ec2:Vpc`` is listed for them). ``DescribeNetworkInterfaces`` and ``DescribeSubnets`` (which
    Lambda calls, AWSLambdaVPCAccessExecutionRole) support no resource-level permission (``*``).
    """

    def arn(resource: str, name: str) -> str:
        return stack.format_arn(
            service="ec2", resource=resource, resource_name=name, arn_format=ArnFormat.SLASH_RESOURCE_NAME
        )

    vpc_arn = arn("vpc", vpc.vpc_id)
    subnets = subnet_arns(stack, selection, vpc)
    any_eni = arn("network-interface", "*")
    return [
        iam.PolicyStatement(
            sid="CreateEniInFunctionSubnets",
            actions=["ec2:CreateNetworkInterface"],
            resources=[any_eni],
        ),
        iam.PolicyStatement(
            sid="UseFunctionSubnetsAndSecurityGroups",
            actions=["ec2:CreateNetworkInterface"],
            resources=[*subnets, *(arn("security-group", g.security_group_id) for g in groups)],
        ),
        iam.PolicyStatement(
            sid="ManageEnisInFunctionVpc",
            actions=[
                "ec2:DeleteNetworkInterface",
                "ec2:AssignPrivateIpAddresses",
                "ec2:UnassignPrivateIpAddresses",
            ],
            resources=[any_eni],
            conditions={"ArnEquals": {"ec2:Vpc": vpc_arn}},
        ),
        iam.PolicyStatement(
            sid="DescribeEnis",
            actions=["ec2:DescribeNetworkInterfaces", "ec2:DescribeSubnets"],
            resources=["*"],
        ),
    ]


class FunctionEndpoints(Construct):
    """VPC endpoints for functions in isolated subnets, reachable on 443 from their groups only.

    Interface endpoints (private DNS on) get their own security group whose only ingress is TCP 443
    from each function security group; S3 and DynamoDB get gateway endpoints on the subnets' route
    tables. With restricted function egress, the function groups get an egress rule to the
    endpoints' group (gateway endpoints need the service prefix list in ``allow_egress_to``).

    Attributes:
        security_group: the endpoints' security group.
        interface_endpoints / gateway_endpoints: endpoints by service name.
    """

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        vpc: ec2.IVpc,
        services: Iterable[str],
        function_security_groups: Sequence[ec2.ISecurityGroup],
        subnets: ec2.SubnetSelection | None = None,
    ) -> None:
        super().__init__(scope, construct_id)
        wanted = sorted(set(services))
        unknown = [name for name in wanted if name not in ENDPOINT_SERVICES]
        if unknown:
            raise fail(
                self, "unknown endpoint service", value=unknown, fix="use: " + ", ".join(sorted(ENDPOINT_SERVICES))
            )
        if not function_security_groups:
            raise fail(self, "no function security group to allow", value=[], fix="pass the function's security groups")
        check_security_groups(self, vpc, function_security_groups)
        selection = subnets or ec2.SubnetSelection(subnet_type=ec2.SubnetType.PRIVATE_ISOLATED)
        self.interface_endpoints: dict[str, ec2.InterfaceVpcEndpoint] = {}
        self.gateway_endpoints: dict[str, ec2.GatewayVpcEndpoint] = {}
        self.security_group = ec2.SecurityGroup(
            self,
            "SecurityGroup",
            vpc=vpc,
            description="VPC interface endpoints - HTTPS from the function security groups only",
            allow_all_outbound=False,
            allow_all_ipv6_outbound=False,
        )
        for group in function_security_groups:
            self.security_group.add_ingress_rule(group, ec2.Port.tcp(443), "HTTPS from the function")
            if isinstance(group, ec2.SecurityGroup) and not group.allow_all_outbound:
                group.add_egress_rule(self.security_group, ec2.Port.tcp(443), "HTTPS to the VPC endpoints")
        for name in wanted:
            if name in INTERFACE_SERVICES:
                self.interface_endpoints[name] = ec2.InterfaceVpcEndpoint(
                    self,
                    _ENDPOINT_IDS[name],
                    vpc=vpc,
                    service=getattr(ec2.InterfaceVpcEndpointAwsService, _INTERFACE_ATTRS[name]),
                    subnets=selection,
                    security_groups=[self.security_group],
                    private_dns_enabled=True,
                    open=False,
                )
            else:
                self.gateway_endpoints[name] = ec2.GatewayVpcEndpoint(
                    self,
                    _ENDPOINT_IDS[name],
                    vpc=vpc,
                    service=getattr(ec2.GatewayVpcEndpointAwsService, _GATEWAY_ATTRS[name]),
                    subnets=[selection],
                )
