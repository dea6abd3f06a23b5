"""Amazon DynamoDB Streams trigger: an event source mapping reading a table's stream."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_

from lambda_constructs.compliance import LIBRARY_ACKNOWLEDGEMENTS, AcknowledgementKey, acknowledge
from lambda_constructs.errors import fail
from lambda_constructs.field_types import checked_fields
from lambda_constructs.role_grants import grantee
from lambda_constructs.triggers._options import options_scope
from lambda_constructs.triggers._polled import (
    PolledSource,
    _attach,
    _decrypt,
    _mapping,
    _StreamOptions,
)
from lambda_constructs.triggers._queues import grant
from lambda_constructs.triggers.base import SourceKind, TriggerResult

if TYPE_CHECKING:
    from lambda_constructs.contract import FunctionView


@checked_fields
@dataclass(frozen=True, kw_only=True)
class DynamoDbStreamTrigger(_StreamOptions):
    """Poll a DynamoDB table's stream (the table must have ``stream`` enabled)."""

    table: dynamodb.ITable
    """The table (its ``table_stream_arn`` must be known: a table with a stream)."""

    def __post_init__(self) -> None:
        """Check the options that do not depend on the function.

        Raises:
            LambdaConstructsError: a table without a stream, or a stream option out of range.
        """
        super().__post_init__()
        if self.table.table_stream_arn is None:
            raise fail(
                options_scope(self),
                "the table has no stream",
                value=self.table.node.path,
                fix="create the table with stream=StreamViewType.NEW_AND_OLD_IMAGES (or import it with table_stream_arn)",
            )

    def bind(self, fn: FunctionView, target: lambda_.IFunction, construct_id: str) -> TriggerResult:
        """Create the DynamoDB stream event source mapping on ``target`` (see the class docstring)."""
        source = PolledSource(fn.construct, construct_id)
        stream_arn = self.table.table_stream_arn
        assert stream_arn is not None  # checked in __post_init__
        props = self._stream_props(source, fn)
        grant(
            grantee(fn), ["dynamodb:DescribeStream", "dynamodb:GetRecords", "dynamodb:GetShardIterator"], [stream_arn]
        )
        _decrypt(fn, self.table.encryption_key)
        # Lambda checks dynamodb:ListStreams, which has no resource-level ARN: kept in its own policy.
        list_policy = iam.ManagedPolicy(
            source,
            "ListStreamsPolicy",
            description="dynamodb:ListStreams (no resource-level ARN) for the event source mapping",
            statements=[iam.PolicyStatement(actions=["dynamodb:ListStreams"], resources=["*"])],
        )
        _attach(list_policy, fn)
        acknowledge(
            list_policy,
            "AwsSolutions-IAM5[Resource::*]",
            LIBRARY_ACKNOWLEDGEMENTS[AcknowledgementKey.DYNAMODB_LIST_STREAMS],
        )
        mapping = _mapping(source, fn, target, event_source_arn=stream_arn, **props)
        mapping.node.add_dependency(list_policy)
        return source.result(self, source=SourceKind.STREAM, failure_destination=self.on_failure)
