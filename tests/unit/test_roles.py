"""lambda_constructs/roles.py: one role class writing statements into customer-managed policies."""

from __future__ import annotations

import pytest
from aws_cdk import aws_iam as iam
from aws_cdk.assertions import Match, Template

from lambda_constructs import ExecutionRole, SecureFunction, SecureFunctionProps
from lambda_constructs.compliance import ACKNOWLEDGED_RULES_KEY, LIBRARY_ACKNOWLEDGEMENTS, AcknowledgementKey
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


def test_wildcard_statements_go_to_their_policy_created_once_and_acknowledged() -> None:
    stack = new_stack()
    role = Role(stack, "R", assumed_by=iam.ServicePrincipal("lambda.amazonaws.com"))
    first = role.add_wildcard_statements(
        "TracingPolicy", iam.PolicyStatement(actions=["xray:PutTraceSegments"], resources=["*"]), look_up=False
    )
    again = role.add_wildcard_statements(
        "TracingPolicy", iam.PolicyStatement(actions=["xray:GetSamplingRules"], resources=["*"])
    )
    # What add_to_principal_policy routes there lands in the same policy.
    role.add_to_principal_policy(iam.PolicyStatement(actions=["xray:GetSamplingTargets"], resources=["*"]))
    role.add_grant_statements(iam.PolicyStatement(actions=["s3:GetObject"], resources=["arn:aws:s3:::b/k"]))
    assert first is again is role.tracing_policy
    acknowledged = [entry.data for entry in first.node.metadata if entry.type == ACKNOWLEDGED_RULES_KEY]
    assert acknowledged == [
        {"Annotation::AwsSolutions-IAM5[Resource::*]": LIBRARY_ACKNOWLEDGEMENTS[AcknowledgementKey.XRAY_RESOURCE_STAR]}
    ]
    policies = Template.from_stack(stack).find_resources("AWS::IAM::ManagedPolicy")
    tracing = [p for logical_id, p in policies.items() if logical_id.startswith("RTracingPolicy")]
    assert len(tracing) == 1
    statements = tracing[0]["Properties"]["PolicyDocument"]["Statement"]
    assert statements == [  # the three statements, merged (cdk.json: @aws-cdk/aws-iam:minimizePolicies)
        {
            "Action": ["xray:GetSamplingRules", "xray:GetSamplingTargets", "xray:PutTraceSegments"],
            "Effect": "Allow",
            "Resource": "*",
        }
    ]


def test_wildcard_statements_join_a_policy_a_caller_created_unless_told_not_to_look() -> None:
    stack = new_stack()
    role = Role(stack, "R", assumed_by=iam.ServicePrincipal("lambda.amazonaws.com"))
    mine = iam.ManagedPolicy(role, "TracingPolicy", roles=[role])
    statement = iam.PolicyStatement(actions=["xray:PutTraceSegments"], resources=["*"])
    assert role.add_wildcard_statements("TracingPolicy", statement) is mine
    with pytest.raises(KeyError, match="'LogDeliveryPolicy' is none of this role's wildcard policies"):
        role.add_wildcard_statements("LogDeliveryPolicy", statement)


def test_a_deferred_policy_gets_its_first_grants_in_its_constructor(round_trips: list[object]) -> None:
    stack = new_stack()
    role = Role(stack, "R", assumed_by=iam.ServicePrincipal("lambda.amazonaws.com"), defer_policy=True)
    assert role.node.try_find_child("Policy") is None
    read = iam.PolicyStatement(actions=["s3:GetObject"], resources=["arn:aws:s3:::b/k"])
    write = iam.PolicyStatement(actions=["sqs:SendMessage"], resources=["arn:aws:sqs:us-east-1:111111111111:q"])
    round_trips.clear()
    role.add_grant_statements(read, write)
    # One round trip: the policy's creation, with both statements (no addStatements call after it).
    assert [(type(r).__name__, getattr(r, "fqn", None)) for r in round_trips] == [
        ("CreateRequest", "aws-cdk-lib.aws_iam.ManagedPolicy")
    ]
    role.add_to_principal_policy(iam.PolicyStatement(actions=["sqs:ReceiveMessage"], resources=["arn:aws:sqs:::x"]))
    assert role.node.find_child("Policy") is role.policy
    (policy,) = Template.from_stack(stack).find_resources("AWS::IAM::ManagedPolicy").values()
    assert [s["Action"] for s in policy["Properties"]["PolicyDocument"]["Statement"]] == [
        "s3:GetObject",
        "sqs:SendMessage",
        "sqs:ReceiveMessage",
    ]


def test_a_deferred_policy_is_created_by_whatever_uses_it_first_and_loses_nothing() -> None:
    stack = new_stack()
    role = Role(stack, "R", assumed_by=iam.ServicePrincipal("lambda.amazonaws.com"), defer_policy=True)
    role.add_to_principal_policy(iam.PolicyStatement(actions=["s3:GetObject"], resources=["arn:aws:s3:::b/k"]))
    assert role.ensure_policy() is role.policy is role.node.find_child("Policy")
    role.add_grant_statements(iam.PolicyStatement(actions=["s3:PutObject"], resources=["arn:aws:s3:::b/k"]))
    (policy,) = Template.from_stack(stack).find_resources("AWS::IAM::ManagedPolicy").values()
    assert policy["Properties"]["PolicyDocument"]["Statement"] == [
        {"Action": ["s3:GetObject", "s3:PutObject"], "Effect": "Allow", "Resource": "arn:aws:s3:::b/k"}
    ]
    assert policy["Properties"]["Roles"] == [{"Ref": stack.get_logical_id(role.node.default_child)}]  # type: ignore[arg-type]
