"""Grants: statements scoped to the named resources, boundary on every role, cross-account warning."""

from __future__ import annotations

import json

import aws_cdk as cdk
import pytest
from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_s3 as s3
from aws_cdk import aws_sns as sns
from aws_cdk import aws_sqs as sqs
from aws_cdk.assertions import Annotations, Match, Template

from lambda_constructs import LambdaConstructsError, SecureFunction, SecureFunctionProps
from tests.helpers import nag_findings, new_app, new_stack

INLINE = "def handler(event, context):\n    return {}\n"
BOUNDARY = "arn:aws:iam::123456789012:policy/boundary"
#: Wildcard resources the library may emit (each acknowledged with a reason).
ALLOWED_WILDCARDS = ("*", "/*", "/index/*", "network-interface/*", ":log-group:*")


def build(app: cdk.App) -> cdk.Stack:
    stack = cdk.Stack(app, "Grants")
    fn = SecureFunction(stack, "Fn", SecureFunctionProps(inline_code=INLINE, permissions_boundary=BOUNDARY))
    key = kms.Key(stack, "BucketKey", enable_key_rotation=True)
    bucket = s3.Bucket(stack, "Bucket", encryption_key=key, enforce_ssl=True)
    table = dynamodb.Table(
        stack, "Table", partition_key=dynamodb.Attribute(name="pk", type=dynamodb.AttributeType.STRING)
    )
    fn.grant_read(bucket)
    fn.grant_write(bucket, objects="out/*")
    fn.grant_read(table, indexes=True)
    fn.grant_write(table)
    fn.grant_write(sqs.Queue(stack, "Queue", enforce_ssl=True))
    fn.grant_write(sns.Topic(stack, "Topic"))
    fn.grant_read(key)
    return stack


@pytest.fixture(scope="module")
def template() -> Template:
    return Template.from_stack(build(new_app()))


def _library_statements(template: Template) -> list[dict[str, object]]:
    policies = template.find_resources("AWS::IAM::ManagedPolicy")
    return [s for p in policies.values() for s in p["Properties"]["PolicyDocument"]["Statement"]]


def test_s3_grants_are_scoped(template: Template) -> None:
    statements = json.dumps(_library_statements(template))
    assert '"s3:GetObject"' in statements and '"s3:ListBucket"' in statements
    template.has_resource_properties(
        "AWS::IAM::ManagedPolicy",
        {
            "PolicyDocument": {
                "Statement": Match.array_with(
                    [
                        Match.object_like(
                            {
                                "Action": ["s3:AbortMultipartUpload", "s3:PutObject"],
                                "Resource": {
                                    "Fn::Join": [
                                        "",
                                        [{"Fn::GetAtt": [Match.string_like_regexp("Bucket"), "Arn"]}, "/out/*"],
                                    ]
                                },
                            }
                        ),
                    ]
                )
            }
        },
    )


def test_bucket_key_grants(template: Template) -> None:
    template.has_resource_properties(
        "AWS::IAM::ManagedPolicy",
        {
            "PolicyDocument": {
                "Statement": Match.array_with(
                    [
                        Match.object_like(
                            {
                                "Action": ["kms:Decrypt", "kms:GenerateDataKey"],
                                "Resource": {"Fn::GetAtt": [Match.string_like_regexp("BucketKey"), "Arn"]},
                                # Only through S3 (kms:ViaService), not direct KMS calls with the key.
                                "Condition": {
                                    "StringEquals": {
                                        "kms:ViaService": {
                                            "Fn::Join": ["", ["s3.", {"Ref": "AWS::Region"}, ".amazonaws.com"]]
                                        }
                                    }
                                },
                            }
                        )
                    ]
                )
            }
        },
    )


def test_no_wildcard_actions_or_unlisted_wildcard_resources(template: Template) -> None:
    for statement in _library_statements(template):
        actions = statement["Action"] if isinstance(statement["Action"], list) else [statement["Action"]]
        assert all("*" not in action for action in actions), statement
        resources = statement["Resource"] if isinstance(statement["Resource"], list) else [statement["Resource"]]
        for resource in resources:
            text = json.dumps(resource)
            if "*" in text:
                assert any(text.rstrip('"]}').endswith(w) for w in ALLOWED_WILDCARDS), text


def test_grants_pass_all_packs() -> None:
    """The function's own constructs (role, policies) have no unacknowledged finding in the five packs."""
    app = new_app(nag=True)
    build(app)
    assert [f for f in nag_findings(app) if " at Grants/Fn/" in f] == []


def test_boundary_on_every_role(template: Template) -> None:
    roles = template.find_resources("AWS::IAM::Role")
    assert roles
    for role in roles.values():
        assert role["Properties"]["PermissionsBoundary"] == BOUNDARY


def test_boundary_not_a_managed_policy_arn_rejected() -> None:
    with pytest.raises(LambdaConstructsError, match="not a managed policy ARN"):
        SecureFunction(
            new_stack(),
            "Fn",
            SecureFunctionProps(inline_code=INLINE, permissions_boundary="arn:aws:iam::123456789012:role/x"),
        )


def test_boundary_managed_policy_object_accepted() -> None:
    stack = new_stack()
    SecureFunction(
        stack,
        "Fn",
        SecureFunctionProps(
            inline_code=INLINE, permissions_boundary=iam.ManagedPolicy.from_managed_policy_name(stack, "B", "boundary")
        ),
    )
    Template.from_stack(stack).has_resource_properties("AWS::IAM::Role", {"PermissionsBoundary": Match.any_value()})


def test_cross_account_grant_warns() -> None:
    stack = new_stack(env=cdk.Environment(account="111111111111", region="eu-west-1"))
    fn = SecureFunction(stack, "Fn", SecureFunctionProps(inline_code=INLINE))
    key = kms.Key.from_key_arn(
        stack, "Foreign", "arn:aws:kms:eu-west-1:222222222222:key/1234abcd-12ab-34cd-56ef-1234567890ab"
    )
    fn.grant_read(key)
    Annotations.from_stack(stack).has_warning("*", Match.string_like_regexp("crossAccountGrant|account 222222222222"))
