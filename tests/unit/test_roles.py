"""lambda_constructs/roles.py: one role class writing statements into customer-managed policies."""

from __future__ import annotations

import pytest
from aws_cdk import aws_iam as iam
from aws_cdk.assertions import Match, Template

from lambda_constructs import ExecutionRole, SecureFunction, SecureFunctionProps
from lambda_constructs.function import ExecutionRole as ExecutionRoleFromFunction
from lambda_constructs.roles import SERVICE_ROLE_WILDCARDS, Role, ServiceRole
from tests.helpers import new_stack

CODE = "def handler(event, context):\n    return {}\n"


def test_execution_role_is_the_one_role_class() -> None:
    assert ExecutionRole is Role and ExecutionRoleFromFunction is Role
    assert issubclass(ServiceRole, Role)


def test_service_role_statements_on_star_go_to_their_own_policies_and_get_the_boundary() -> None:
    stack = new_stack()
    boundary = iam.ManagedPolicy.from_managed_policy_name(stack, "Boundary", "boundary")
    role = Role(
        stack,
        "R",
        boundary=boundary,
        wildcard_policies=SERVICE_ROLE_WILDCARDS,
        assumed_by=iam.ServicePrincipal("states.amazonaws.com"),
    )
    role.add_to_principal_policy(iam.PolicyStatement(actions=["logs:CreateLogDelivery"], resources=["*"]))
    role.add_to_principal_policy(iam.PolicyStatement(actions=["xray:PutTraceSegments"], resources=["*"]))
    role.add_to_principal_policy(
        iam.PolicyStatement(
            actions=["logs:PutLogEvents"], resources=["arn:aws:logs:eu-west-1:111111111111:log-group:g:log-stream:s"]
        )
    )
    template = Template.from_stack(stack)
    template.resource_count_is("AWS::IAM::Policy", 0)  # no inline policy
    for description, action in (
        ("logs:* without resource ARNs", "logs:CreateLogDelivery"),
        ("xray:* without resource ARNs", "xray:PutTraceSegments"),
        ("Least-privilege grants", "logs:PutLogEvents"),  # scoped: stays in the grants policy
    ):
        template.has_resource_properties(
            "AWS::IAM::ManagedPolicy",
            {
                "Description": description,
                "PolicyDocument": {"Statement": [Match.object_like({"Action": action})]},
            },
        )
    template.has_resource_properties("AWS::IAM::Role", {"PermissionsBoundary": {"Fn::Join": Match.any_value()}})


def test_service_role_is_deprecated_but_builds_the_same_role() -> None:
    stack = new_stack()
    fn = SecureFunction(stack, "Fn", SecureFunctionProps(inline_code=CODE))
    with pytest.warns(DeprecationWarning, match="ServiceRole is deprecated"):
        role = ServiceRole(fn, "Old", fn, assumed_by=iam.ServicePrincipal("states.amazonaws.com"))
    role.add_to_principal_policy(iam.PolicyStatement(actions=["logs:CreateLogDelivery"], resources=["*"]))
    assert role.node.try_find_child("LogDeliveryPolicy") is not None
