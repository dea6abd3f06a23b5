"""Amazon Kinesis Data Streams trigger: an event source mapping reading a stream (created, or yours)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from aws_cdk import Duration, RemovalPolicy
from aws_cdk import aws_kinesis as kinesis
from aws_cdk import aws_kms as kms
from aws_cdk import aws_lambda as lambda_

from lambda_constructs.compliance import LIBRARY_ACKNOWLEDGEMENTS, AcknowledgementKey, acknowledge
from lambda_constructs.errors import fail
from lambda_constructs.field_types import checked_fields
from lambda_constructs.role_grants import grantee
from lambda_constructs.structs import given_fields
from lambda_constructs.triggers._options import options_scope
from lambda_constructs.triggers._polled import (
    PolledSource,
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
class KinesisTrigger(_StreamOptions):
    """Poll a Kinesis data stream. Pass ``stream`` or ``stream_props``, not both.

    A created stream is KMS-encrypted (the function's key unless ``encryption_key``), keeps records
    24 hours and is retained. ``enhanced_fan_out`` reads through a dedicated consumer.
    """

    stream: kinesis.IStream | None = None
    """An existing stream. Default: None (a stream is created)."""
    stream_props: kinesis.StreamProps | None = None
    """Overrides for the created stream. Default: None (1 shard, 24 h, KMS)."""
    encryption_key: kms.IKey | None = None
    """Key of the created stream. Default: the function's key."""
    enhanced_fan_out: bool = False
    """Read through a ``AWS::Kinesis::StreamConsumer`` (dedicated 2 MB/s per shard). Default: False."""

    def __post_init__(self) -> None:
        """Check the options that do not depend on the function.

        Raises:
            LambdaConstructsError: both ``stream`` and ``stream_props``, or a stream option out of range.
        """
        super().__post_init__()
        if self.stream is not None and self.stream_props is not None:
            raise fail(
                options_scope(self),
                "pass either stream (an existing stream) or stream_props (to create one), not both",
                value="stream + stream_props",
                fix="drop one of them",
            )

    def bind(self, fn: FunctionView, target: lambda_.IFunction, construct_id: str) -> TriggerResult:
        """Create the Kinesis event source mapping on ``target`` (see the class docstring)."""
        source = PolledSource(fn.construct, construct_id)
        props = self._stream_props(source, fn)
        stream = self.stream if self.stream is not None else self._create(source, fn)
        read = [
            "kinesis:DescribeStream",
            "kinesis:DescribeStreamSummary",
            "kinesis:GetRecords",
            "kinesis:GetShardIterator",
            "kinesis:ListShards",
        ]  # kinesis:SubscribeToShard is authorized on the consumer only: granted below with enhanced fan-out
        grant(grantee(fn), read, [stream.stream_arn])
        _decrypt(fn, stream.encryption_key)
        source_arn = stream.stream_arn
        if self.enhanced_fan_out:
            source.consumer = kinesis.CfnStreamConsumer(
                source, "Consumer", consumer_name=f"{construct_id}Consumer", stream_arn=stream.stream_arn
            )
            source_arn = source.consumer.attr_consumer_arn
            grant(grantee(fn), ["kinesis:SubscribeToShard", "kinesis:DescribeStreamConsumer"], [source_arn])
        mapping = _mapping(source, fn, target, event_source_arn=source_arn, **props)
        if source.consumer is not None:
            mapping.node.add_dependency(source.consumer)
        return source.result(self, source=SourceKind.STREAM, failure_destination=self.on_failure)

    def _create(self, source: PolledSource, fn: FunctionView) -> kinesis.Stream:
        overrides = given_fields(self.stream_props) if self.stream_props is not None else {}
        settings: dict[str, Any] = {
            "shard_count": 1,
            "retention_period": Duration.hours(24),
            "removal_policy": RemovalPolicy.RETAIN,
            **overrides,
            "encryption": kinesis.StreamEncryption.KMS,
            "encryption_key": self.encryption_key or fn.key,
        }
        if settings.get("stream_mode") == kinesis.StreamMode.ON_DEMAND:
            settings.pop("shard_count", None)
        source.stream = kinesis.Stream(source, "Stream", **settings)
        acknowledge(source.stream, "AwsSolutions-KDS3", LIBRARY_ACKNOWLEDGEMENTS[AcknowledgementKey.KINESIS_CMK])
        return source.stream
