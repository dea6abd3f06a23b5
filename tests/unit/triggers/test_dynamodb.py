"""DynamoDbStreamTrigger (lambda_constructs/triggers/dynamodb.py):
moved from tests/unit/test_triggers_polled.py (issue #20)."""

from __future__ import annotations

import pytest
from aws_cdk import aws_dynamodb as dynamodb

from lambda_constructs import LambdaConstructsError
from lambda_constructs.triggers import DynamoDbStreamTrigger
from tests.helpers import new_stack


def test_table_without_stream() -> None:
    stack = new_stack()
    table = dynamodb.Table(stack, "T", partition_key=dynamodb.Attribute(name="pk", type=dynamodb.AttributeType.STRING))
    with pytest.raises(LambdaConstructsError, match=r"^DynamoDbStreamTrigger\(\.\.\.\): the table has no stream"):
        DynamoDbStreamTrigger(table=table)
