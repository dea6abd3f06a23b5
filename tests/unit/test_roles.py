"""lambda_constructs/roles.py: one role class writing statements into customer-managed policies."""

from __future__ import annotations

import pytest
from aws_cdk import aws_iam as iam
from aws_cdk.assertions import Match, Template

from lambda_constructs import ExecutionRole, LambdaConstructsError, SecureFunction, SecureFunctionProps
from lambda_constructs.compliance import ACKNOWLEDGED_RULES_KEY, LIBRARY_ACKNOWLEDGEMENTS, AcknowledgementKey
from lambda_constructs.function import ExecutionRole as ExecutionRoleFromFunction
from lambda_constructs.roles import (
    SERVICE_ROLE_WILDCARDS,
    STACK_TRACING_POLICY_ID,
    TRACING_STATEMENT_JSON,
    Role,
    ServiceRole,
    stack_tracing_policy,
    tracing_statement,
)
from tests.helpers import new_app, new_stack

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


# ------------------------------------------------------------------------- the stack's shared X-Ray policy


def test_stack_tracing_policy_is_one_acknowledged_child_of_the_stack_with_the_tracing_statement() -> None:
    stack = new_stack()
    policy = stack_tracing_policy(stack)
    assert stack_tracing_policy(stack) is policy  # created once, then cached
    assert policy.node.scope is stack and policy.node.id == STACK_TRACING_POLICY_ID == "LambdaConstructsTracingPolicy"
    acknowledged = [entry.data for entry in policy.node.metadata if entry.type == ACKNOWLEDGED_RULES_KEY]
    assert acknowledged == [
        {"Annotation::AwsSolutions-IAM5[Resource::*]": LIBRARY_ACKNOWLEDGEMENTS[AcknowledgementKey.XRAY_RESOURCE_STAR]}
    ]
    (resource,) = Template.from_stack(stack).find_resources("AWS::IAM::ManagedPolicy").values()
    assert resource["Properties"]["PolicyDocument"]["Statement"] == [
        {"Action": ["xray:PutTelemetryRecords", "xray:PutTraceSegments"], "Effect": "Allow", "Resource": "*"}
    ]


def test_stack_tracing_policy_refuses_an_id_you_took() -> None:
    stack = new_stack()
    iam.ManagedPolicy(stack, STACK_TRACING_POLICY_ID)  # even a managed policy: its statements are not ours to share
    with pytest.raises(LambdaConstructsError, match=r"construct id LambdaConstructsTracingPolicy is taken.*rename"):
        stack_tracing_policy(stack)


def test_a_shared_tracing_policy_is_attached_by_the_constructor_without_a_round_trip(
    round_trips: list[object],
) -> None:
    stack = new_stack()
    shared = stack_tracing_policy(stack)
    get_object = iam.PolicyStatement(actions=["s3:GetObject"], resources=["arn:aws:s3:::b/k"])
    mine = iam.ManagedPolicy(stack, "Mine", statements=[get_object])
    principal = iam.ServicePrincipal("lambda.amazonaws.com")
    round_trips.clear()
    plain = Role(stack, "Plain", assumed_by=principal, managed_policies=[mine])
    plain_trips = len(round_trips)
    round_trips.clear()
    role = Role(stack, "Traced", assumed_by=principal, managed_policies=[mine], shared_tracing_policy=shared)
    assert len(round_trips) == plain_trips
    assert role.shared_tracing_policy is shared and role.tracing_policy is shared
    assert plain.shared_tracing_policy is None and plain.tracing_policy is None
    for each in (plain, role):
        each.add_grant_statements(get_object)
    roles = Template.from_stack(stack).find_resources("AWS::IAM::Role")
    arns = {logical_id[:5]: r["Properties"].get("ManagedPolicyArns") for logical_id, r in roles.items()}
    mine_ref, shared_ref = (
        {"Ref": stack.get_logical_id(p.node.default_child)}  # type: ignore[arg-type]
        for p in (mine, shared)
    )
    assert arns == {"Plain": [mine_ref], "Trace": [mine_ref, shared_ref]}  # yours kept, the shared one after


def test_xray_statements_added_to_a_role_with_the_shared_policy_stay_in_its_own_policy() -> None:
    stack = new_stack()
    shared = stack_tracing_policy(stack)
    role = Role(stack, "R", assumed_by=iam.ServicePrincipal("lambda.amazonaws.com"), shared_tracing_policy=shared)
    role.add_to_principal_policy(iam.PolicyStatement(actions=["xray:GetSamplingRules"], resources=["*"]))
    role.add_grant_statements(iam.PolicyStatement(actions=["s3:GetObject"], resources=["arn:aws:s3:::b/k"]))
    own = role.node.try_find_child("TracingPolicy")
    assert isinstance(own, iam.ManagedPolicy) and own is not shared
    assert role.tracing_policy is shared
    policies = Template.from_stack(stack).find_resources("AWS::IAM::ManagedPolicy")
    shared_id = stack.get_logical_id(shared.node.default_child)  # type: ignore[arg-type]
    assert policies[shared_id]["Properties"]["PolicyDocument"]["Statement"] == [
        {"Action": ["xray:PutTelemetryRecords", "xray:PutTraceSegments"], "Effect": "Allow", "Resource": "*"}
    ]


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


def test_the_rendered_tracing_statement_is_what_the_shared_policy_check_expects() -> None:
    # roles.shared_tracing_policy_errors compares the shared policy's rendered document with this constant.
    assert tracing_statement().to_statement_json() == TRACING_STATEMENT_JSON


# ExecutionRole's iam.Role keyword arguments are checked (its constructor skips aws-cdk-lib's typeguard checks).


def _lambda_principal() -> iam.ServicePrincipal:
    return iam.ServicePrincipal("lambda.amazonaws.com")


def test_an_execution_role_keyword_of_the_wrong_type_names_the_class_the_argument_and_the_fix() -> None:
    from aws_cdk import Stack

    from lambda_constructs import ExecutionRole, LambdaConstructsError
    from lambda_constructs.errors import LambdaConstructsTypeError

    stack = Stack(new_app(), "S")
    with pytest.raises(LambdaConstructsTypeError) as caught:
        ExecutionRole(stack, "R", assumed_by=_lambda_principal(), max_session_duration=7200)
    message = str(caught.value)
    assert message.startswith("S/R: ExecutionRole(max_session_duration=...) must be aws_cdk.Duration or None, not int")
    assert "Duration.seconds(7200)" in message
    assert isinstance(caught.value, TypeError) and isinstance(caught.value, LambdaConstructsError)
    with pytest.raises(LambdaConstructsTypeError, match=r"ExecutionRole\(assumed_by=\.\.\.\) must be .*IPrincipal"):
        ExecutionRole(stack, "R2", assumed_by="lambda.amazonaws.com")
    with pytest.raises(LambdaConstructsTypeError, match=r"ExecutionRole\(external_ids=\.\.\.\)"):
        ExecutionRole(stack, "R3", assumed_by=_lambda_principal(), external_ids="one")


def test_an_unknown_execution_role_keyword_names_execution_role() -> None:
    from aws_cdk import Stack

    from lambda_constructs import ExecutionRole

    stack = Stack(new_app(), "S")
    with pytest.raises(TypeError, match=r"^ExecutionRole\(\) got unexpected keyword argument\(s\) foo \(.*RoleProps"):
        ExecutionRole(stack, "R", assumed_by=_lambda_principal(), foo=1)


def test_what_aws_cdk_lib_accepts_an_execution_role_accepts() -> None:
    from aws_cdk import Duration, Stack

    from lambda_constructs import ExecutionRole

    stack = Stack(new_app(), "S")
    ExecutionRole(
        stack,
        "R",
        assumed_by=_lambda_principal(),
        max_session_duration=Duration.hours(2),
        external_ids=["one"],
        managed_policies=[iam.ManagedPolicy.from_aws_managed_policy_name("ReadOnlyAccess")],
        path="/app/",
        role_name=None,
        description="d",
    )


def test_an_execution_role_refuses_inline_policies() -> None:
    from aws_cdk import Stack

    from lambda_constructs import ExecutionRole, LambdaConstructsError

    stack = Stack(new_app(), "S")
    document = iam.PolicyDocument(statements=[iam.PolicyStatement(actions=["s3:GetObject"], resources=["*"])])
    with pytest.raises(LambdaConstructsError, match=r"never inline ones.*Fix: pass the documents as managed policies"):
        ExecutionRole(stack, "R", assumed_by=_lambda_principal(), inline_policies={"Reads": document})
