"""given_fields reads a CDK props object through its public properties: what was given, nothing else."""

from __future__ import annotations

from aws_cdk import Duration
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_s3 as s3
from aws_cdk import aws_sqs as sqs

from lambda_constructs.structs import given_fields


def test_only_given_fields_by_python_name() -> None:
    timeout = Duration.seconds(5)
    assert given_fields(sqs.QueueProps(visibility_timeout=timeout, fifo=True)) == {
        "fifo": True,
        "visibility_timeout": timeout,
    }
    assert given_fields(s3.BucketProps()) == {}


def test_a_derived_struct() -> None:
    """FunctionProps extends FunctionOptions and EventInvokeConfigOptions (retry_attempts is one of the latter's)."""
    props = lambda_.FunctionProps(
        code=lambda_.Code.from_inline("x"),
        handler="index.handler",
        runtime=lambda_.Runtime.PYTHON_3_12,
        retry_attempts=1,
    )
    assert set(given_fields(props)) == {"code", "handler", "runtime", "retry_attempts"}
