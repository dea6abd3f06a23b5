"""A role of another stack: the library's statements go to a policy of the function's stack (role_grants)."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from aws_cdk import App, Stack
from aws_cdk import aws_iam as iam
from aws_cdk import aws_s3 as s3
from aws_cdk.assertions import Match, Template

from lambda_constructs import ExecutionRole, SecureFunction, SecureFunctionProps
from lambda_constructs.triggers import SqsTrigger
from tests.helpers import nag_findings, new_app

OK_DIR = Path(__file__).resolve().parent.parent / "fixtures" / "handlers" / "ok"
LAMBDA = "lambda.amazonaws.com"

RoleFactory = Callable[[Stack], iam.IRole]
ROLES: dict[str, RoleFactory] = {
    "iam.Role": lambda stack: iam.Role(stack, "Role", assumed_by=iam.ServicePrincipal(LAMBDA)),
    "ExecutionRole": lambda stack: ExecutionRole(stack, "Role", assumed_by=iam.ServicePrincipal(LAMBDA)),
}
CODE: dict[str, dict[str, Any]] = {
    "code_dir": {"code_dir": OK_DIR},
    "inline_code": {"inline_code": "def handler(event, context):\n    return None\n"},
}


def _two_stacks(app: App | None = None) -> tuple[App, Stack, Stack]:
    app = app or new_app()
    return app, Stack(app, "RA"), Stack(app, "RB")


def _policy(template: Template) -> dict[str, Any]:
    (policy,) = template.find_resources(
        "AWS::IAM::ManagedPolicy", {"Properties": {"Description": Match.string_like_regexp("another stack")}}
    ).values()
    return policy


def _actions(policy: dict[str, Any]) -> list[str]:
    actions: list[str] = []
    for statement in policy["Properties"]["PolicyDocument"]["Statement"]:
        action = statement["Action"]
        actions += [action] if isinstance(action, str) else action
    return actions


@pytest.mark.parametrize("code", CODE)
@pytest.mark.parametrize("kind", ROLES)
def test_a_role_of_another_stack_synthesizes_with_the_grants_in_a_managed_policy_of_the_functions_stack(
    kind: str, code: str
) -> None:
    app, a, b = _two_stacks()
    role = ROLES[kind](a)
    fn = SecureFunction(b, "F1", SecureFunctionProps(role=role, **CODE[code]))
    assembly = app.synth()  # before the fix: DependencyCycle ('RB' depends on 'RA', RA -> RB/F1/LogGroup)
    role_stack = json.dumps(assembly.get_stack_by_name("RA").template)
    assert "Fn::ImportValue" not in role_stack and "GetStackOutput" not in role_stack  # only RB references RA
    assert "AWS::IAM::Policy" not in role_stack or kind == "iam.Role"  # aws-cdk-lib's own X-Ray DefaultPolicy
    function_stack = Template.from_stack(b)
    policy = _policy(function_stack)
    assert fn.role_policy is not None and fn.role_policy.created is not None
    assert fn.role_policy.created.node.path == "RB/F1/RolePolicy"
    (attached,) = policy["Properties"]["Roles"]  # the role of RA, through a cross-stack reference
    assert "Role1ABCC5F0" in json.dumps(attached) and "Ref" not in attached
    assert {
        "logs:CreateLogStream",
        "logs:PutLogEvents",
        "kms:Decrypt",
        "kms:GenerateDataKey",
        "sqs:SendMessage",
    } <= set(_actions(policy))
    (logical_id,) = function_stack.find_resources(
        "AWS::IAM::ManagedPolicy", {"Properties": {"Description": Match.string_like_regexp("another stack")}}
    )
    function_stack.has_resource("AWS::Lambda::Function", {"DependsOn": Match.array_with([logical_id])})
    assert fn.owned_role is None  # its policies are RA's: nothing of this function is created under it


def test_an_execution_role_of_another_stack_keeps_none_of_the_functions_statements() -> None:
    app, a, b = _two_stacks()
    role = ExecutionRole(a, "Role", assumed_by=iam.ServicePrincipal(LAMBDA))
    SecureFunction(b, "F1", SecureFunctionProps(code_dir=OK_DIR, role=role))
    # Its empty grants policy is gone (an empty AWS::IAM::ManagedPolicy fails synthesis) ...
    assert role.node.try_find_child("Policy") is None
    # ... and comes back on first use, for a function of its own stack.
    SecureFunction(a, "F0", SecureFunctionProps(code_dir=OK_DIR, role=role))
    assert isinstance(role.node.try_find_child("Policy"), iam.ManagedPolicy)
    app.synth()
    Template.from_stack(a).resource_count_is("AWS::IAM::ManagedPolicy", 2)  # Policy, TracingPolicy


def test_trigger_and_grant_statements_of_a_function_with_a_role_of_another_stack_land_in_its_policy() -> None:
    app, a, b = _two_stacks()
    role = iam.Role(a, "Role", assumed_by=iam.ServicePrincipal(LAMBDA))
    fn = SecureFunction(b, "F1", SecureFunctionProps(code_dir=OK_DIR, role=role))
    fn.add_trigger(SqsTrigger())
    fn.grant_read(s3.Bucket(b, "Bucket"))
    app.synth()
    template = Template.from_stack(b)
    actions = _actions(_policy(template))
    assert {"sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:ChangeMessageVisibility", "s3:GetObject"} <= set(actions)
    (logical_id,) = template.find_resources(
        "AWS::IAM::ManagedPolicy", {"Properties": {"Description": Match.string_like_regexp("another stack")}}
    )
    # The mapping waits for its permissions, as it waits for a same-stack role (DependsOn the role).
    template.has_resource("AWS::Lambda::EventSourceMapping", {"DependsOn": Match.array_with([logical_id])})
    assert "AWS::IAM::Policy" not in json.dumps(template.to_json())


def test_a_role_of_the_functions_own_stack_gets_no_role_policy() -> None:
    app = new_app()
    stack = Stack(app, "RA")
    role = iam.Role(stack, "Role", assumed_by=iam.ServicePrincipal(LAMBDA))
    fn = SecureFunction(stack, "F1", SecureFunctionProps(code_dir=OK_DIR, role=role))
    assert fn.role_policy is None
    assert fn.node.try_find_child("RolePolicy") is None


def test_an_execution_role_of_another_stack_passes_the_nag_packs_inline_policy_rules() -> None:
    app, a, b = _two_stacks(new_app(nag=True))
    role = ExecutionRole(a, "Role", assumed_by=iam.ServicePrincipal(LAMBDA))
    SecureFunction(b, "F1", SecureFunctionProps(code_dir=OK_DIR, role=role))
    findings = nag_findings(app)
    assert [f for f in findings if "InlinePolicy" in f] == []


def test_secret_rotation_of_a_function_with_a_role_of_another_stack_grants_in_its_policy() -> None:
    from aws_cdk import aws_secretsmanager as secretsmanager

    from lambda_constructs.triggers import SecretRotationTrigger

    app, a, b = _two_stacks()
    role = ExecutionRole(a, "Role", assumed_by=iam.ServicePrincipal(LAMBDA))
    fn = SecureFunction(b, "F1", SecureFunctionProps(code_dir=OK_DIR, role=role))
    fn.add_trigger(SecretRotationTrigger(secret=secretsmanager.Secret(b, "Secret")))
    app.synth()  # before: DependencyCycle (the secret's grants went to the role's policy in RA)
    template = Template.from_stack(b)
    assert {
        "secretsmanager:GetSecretValue",
        "secretsmanager:PutSecretValue",
        "secretsmanager:UpdateSecretVersionStage",
    } <= set(_actions(_policy(template)))
    (logical_id,) = template.find_resources(
        "AWS::IAM::ManagedPolicy", {"Properties": {"Description": Match.string_like_regexp("another stack")}}
    )
    template.has_resource("AWS::SecretsManager::RotationSchedule", {"DependsOn": Match.array_with([logical_id])})


def test_the_s3_loop_check_sees_the_grants_of_a_function_with_a_role_of_another_stack() -> None:
    from aws_cdk.assertions import Annotations

    from lambda_constructs.triggers import S3Trigger

    app, a, b = _two_stacks()
    role = iam.Role(a, "Role", assumed_by=iam.ServicePrincipal(LAMBDA))
    fn = SecureFunction(b, "F1", SecureFunctionProps(code_dir=OK_DIR, role=role))
    bucket = s3.Bucket(b, "Bucket")
    fn.grant_write(bucket)
    fn.add_trigger(S3Trigger(bucket=bucket))
    app.synth()
    warnings = [str(w.entry.data) for w in Annotations.from_stack(b).find_warning("*", Match.any_value())]
    assert [w for w in warnings if "s3NotificationLoop" in w]
