"""S3Trigger (lambda_constructs/triggers/s3.py):
moved from tests/unit/test_triggers_async.py (issue #20)."""

from __future__ import annotations

import aws_cdk as cdk
import pytest
from aws_cdk import aws_iam as iam
from aws_cdk import aws_s3 as s3
from aws_cdk.assertions import Template

from lambda_constructs import LambdaConstructsError, SecureFunction, SecureFunctionProps
from lambda_constructs.triggers import S3Trigger
from tests.helpers import new_stack

CODE = "def handler(event, context):\n    return {}\n"


def _fn(stack: cdk.Stack) -> SecureFunction:
    return SecureFunction(stack, "Fn", SecureFunctionProps(inline_code=CODE))


def test_bucket_and_props_are_exclusive() -> None:
    stack = new_stack()
    bucket = s3.Bucket(stack, "B")
    with pytest.raises(LambdaConstructsError, match=r"^S3Trigger\(\.\.\.\): pass either bucket"):
        S3Trigger(bucket=bucket, bucket_props=s3.BucketProps())


def test_s3_loop_warns_when_function_can_write_the_bucket() -> None:
    stack = new_stack()
    fn = _fn(stack)
    bucket = s3.Bucket(stack, "B", enforce_ssl=True)
    fn.role.add_to_principal_policy(
        iam.PolicyStatement(actions=["s3:PutObject"], resources=[bucket.arn_for_objects("*")])
    )
    fn.add_trigger(S3Trigger(bucket=bucket), construct_id="Loop")
    Template.from_stack(stack)  # runs validations
    warnings = [
        entry.data for child in fn.node.find_all() for entry in child.node.metadata if entry.type == "aws:cdk:warning"
    ]
    assert any("lambda-constructs:s3NotificationLoop" in str(w) for w in warnings)


def test_no_loop_warning_without_write_access() -> None:
    stack = new_stack()
    fn = _fn(stack)
    bucket = s3.Bucket(stack, "B", enforce_ssl=True)
    fn.add_trigger(S3Trigger(bucket=bucket), construct_id="NoLoop")
    Template.from_stack(stack)
    warnings = [str(e.data) for c in fn.node.find_all() for e in c.node.metadata if e.type == "aws:cdk:warning"]
    assert not any("s3NotificationLoop" in w for w in warnings)
