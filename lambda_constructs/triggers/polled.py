"""Polled triggers: event source mappings (SQS, Kinesis, DynamoDB streams, Kafka, Amazon MQ, DocumentDB).

Every mapping is created with safe defaults set together: partial batch responses
(``ReportBatchItemFailures``), for streams bisect-on-error, an on-failure destination (the
function's failure queue unless ``on_failure`` is given), bounded retries and record age, and
``TRIM_HORIZON`` as the starting position. The function's role gets exactly the read permissions
the source needs, scoped to its ARN (plus ``kms:Decrypt`` on its key). Resources are created in a
:class:`PolledSource` construct named by the trigger's construct id under the function:
``fn.node.find_child("SqsTrigger1")``.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from enum import Enum
from typing import TYPE_CHECKING, Any

from aws_cdk import ArnFormat, Duration, Fn, RemovalPolicy, Stack
from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kinesis as kinesis
from aws_cdk import aws_kms as kms
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_secretsmanager as secretsmanager
from aws_cdk import aws_sqs as sqs
from constructs import Construct, IConstruct, Node

from lambda_constructs.compliance import LIBRARY_ACKNOWLEDGEMENTS, acknowledge, acknowledge_rule, nag_arn
from lambda_constructs.errors import fail, warn
from lambda_constructs.triggers._queues import check_pattern, dead_letter_queue, grant, grant_send, grant_statements
from lambda_constructs.triggers.base import InvocationKind
from lambda_constructs.validation import check_range, duration_seconds, is_token, seconds

if TYPE_CHECKING:
    from lambda_constructs.contract import FunctionView

#: Lambda's batching-window limit (seconds) for every polled source.
MAX_BATCHING_WINDOW = 300
#: Largest batch of any source (standard SQS with a batching window, streams, Kafka, MQ, DocumentDB).
MAX_BATCH = 10_000
#: SQS: batch size above this needs a batching window of at least 1 s; FIFO queues never exceed it.
SQS_MAX_BATCH_WITHOUT_WINDOW = 10
#: SQS's maximum visibility timeout (12 hours).
SQS_MAX_VISIBILITY_SECONDS = 43_200
#: Retention of a created source queue (SQS's default, 4 days), one shared Duration.
SQS_RETENTION = Duration.days(4)
#: LIBRARY_ACKNOWLEDGEMENTS keys used here.
ESM_DESTINATION_ACK = "LambdaEventSourceMappingDestination"
NETWORK_ACK = "AwsSolutions-IAM5[Resource::*] (event source network interfaces)"
LIST_STREAMS_ACK = "AwsSolutions-IAM5[Resource::*] (dynamodb:ListStreams)"
KINESIS_CMK_ACK = "AwsSolutions-KDS3"


class StartingPosition(Enum):
    """Where a stream or Kafka mapping starts reading."""

    TRIM_HORIZON = "TRIM_HORIZON"
    """The oldest record still retained (no record is skipped on first deploy)."""
    LATEST = "LATEST"
    """Only records written after the mapping is created."""


_KAFKA_TOPIC = re.compile(r"[a-zA-Z0-9_-][a-zA-Z0-9._-]{1,248}")


class KafkaAuth(Enum):
    """How Lambda authenticates to a Kafka cluster (unauthenticated clusters are rejected)."""

    IAM = "IAM"
    """IAM access control (Amazon MSK only): the function role gets kafka-cluster:* on the topic."""
    SASL_SCRAM_512 = "SASL_SCRAM_512_AUTH"
    """SASL/SCRAM-SHA-512 with a Secrets Manager secret (username/password)."""
    SASL_SCRAM_256 = "SASL_SCRAM_256_AUTH"
    """SASL/SCRAM-SHA-256 (self-managed Kafka only)."""
    MTLS = "CLIENT_CERTIFICATE_TLS_AUTH"
    """Mutual TLS with a client certificate stored in Secrets Manager."""


class PolledSource(Construct):
    """The resources a polled trigger created (construct id = the trigger's construct id).

    Attributes:
        mapping: the ``AWS::Lambda::EventSourceMapping``.
        queue: the source queue the trigger created (None when you passed one).
        dead_letter_queue: that queue's redrive target (None unless the queue was created).
        stream: the Kinesis stream the trigger created (None when you passed one).
        consumer: the enhanced fan-out consumer (None unless ``enhanced_fan_out``).
        network_policy: the policy holding the EC2 network-interface permissions (VPC sources only).
    """

    def __init__(self, scope: Construct, construct_id: str) -> None:
        super().__init__(scope, construct_id)
        self.mapping: lambda_.CfnEventSourceMapping | None = None
        self.queue: sqs.Queue | None = None
        self.dead_letter_queue: sqs.Queue | None = None
        self.stream: kinesis.Stream | None = None
        self.consumer: kinesis.CfnStreamConsumer | None = None
        self.network_policy: iam.ManagedPolicy | None = None
        self._mapping_node: Node | None = None
        """``mapping.node`` (kept: each read is a jsii round trip)."""


# --------------------------------------------------------------------------------- helpers


def _seconds(value: Duration | None) -> float | None:
    return None if value is None else duration_seconds(value)


def _filters(scope: IConstruct, filters: Sequence[Mapping[str, Any] | str]) -> dict[str, Any] | None:
    if not filters:
        return None
    check_range(scope, "number of filters", len(filters), 1, 5)
    patterns = [check_pattern(scope, f"filters[{index}]", pattern) for index, pattern in enumerate(filters)]
    return {"filters": [{"pattern": json.dumps(pattern, separators=(",", ":"))} for pattern in patterns]}


def _mapping(
    source: PolledSource, fn: FunctionView, target: lambda_.IFunction, **props: Any
) -> lambda_.CfnEventSourceMapping:
    mapping = lambda_.CfnEventSourceMapping(
        source, "Mapping", function_name=target.function_arn, **{k: v for k, v in props.items() if v is not None}
    )
    # The role's policies must exist before Lambda validates the mapping's source.
    node = mapping.node
    node.add_dependency(fn.role)
    source.mapping = mapping
    source._mapping_node = node
    return mapping


def _destination(fn: FunctionView, on_failure: sqs.IQueue | None) -> dict[str, Any]:
    queue = on_failure or fn.failure_queue
    if on_failure is not None:
        grant_send(fn.role, on_failure)
    return {"onFailure": {"destination": queue.queue_arn}}


def _decrypt(fn: FunctionView, key: kms.IKey | None) -> None:
    if key is not None:
        grant(fn.role, ["kms:Decrypt"], [key.key_arn])


def _attach(policy: iam.ManagedPolicy, role: iam.IRole) -> None:
    if isinstance(role, iam.Role):
        role.add_managed_policy(policy)
    else:
        policy.attach_to_role(role)


def _network_policy(
    source: PolledSource,
    fn: FunctionView,
    subnet_ids: Sequence[str] = (),
    security_group_ids: Sequence[str] = (),
) -> iam.ManagedPolicy:
    """The EC2 permissions Lambda's pollers need to reach a source inside a VPC, scoped as far as EC2 allows.

    Service Authorization Reference (https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazonec2.html):
    ``CreateNetworkInterface`` is authorized on the new ENI (no ARN before it exists →
    ``network-interface/*`` of this account and region) and on the subnet and security groups it uses
    (the named ones when given, else ``subnet/*`` / ``security-group/*`` of this account and region);
    ``DeleteNetworkInterface`` on ``network-interface/*``; ``ec2:Describe*`` support only ``*``.
    """
    stack = Stack.of(source)

    def arn(resource: str, name: str) -> str:
        return stack.format_arn(
            service="ec2", resource=resource, resource_name=name, arn_format=ArnFormat.SLASH_RESOURCE_NAME
        )

    enis = arn("network-interface", "*")
    subnets = [arn("subnet", s) for s in subnet_ids] or [arn("subnet", "*")]
    groups = [arn("security-group", g) for g in security_group_ids] or [arn("security-group", "*")]
    policy = iam.ManagedPolicy(
        source,
        "NetworkPolicy",
        description="Network interfaces of the event source poller (scoped to this account's ENIs and subnets)",
        statements=[
            iam.PolicyStatement(actions=["ec2:CreateNetworkInterface"], resources=[enis, *subnets, *groups]),
            iam.PolicyStatement(actions=["ec2:DeleteNetworkInterface"], resources=[enis]),
            iam.PolicyStatement(
                actions=[
                    "ec2:DescribeNetworkInterfaces",
                    "ec2:DescribeSecurityGroups",
                    "ec2:DescribeSubnets",
                    "ec2:DescribeVpcs",
                ],
                resources=["*"],
            ),
        ],
    )
    _attach(policy, fn.role)
    stack = Stack.of(policy)
    findings = ["*", nag_arn(stack, "ec2", "network-interface/*")]
    if not subnet_ids:
        findings.append(nag_arn(stack, "ec2", "subnet/*"))
    if not security_group_ids:
        findings.append(nag_arn(stack, "ec2", "security-group/*"))
    for finding in findings:
        acknowledge(policy, f"AwsSolutions-IAM5[Resource::{finding}]", LIBRARY_ACKNOWLEDGEMENTS[NETWORK_ACK])
    source.network_policy = policy
    if source.mapping is not None:
        source.mapping.node.add_dependency(policy)
    return policy


def _no_destination(mapping: IConstruct, node: Node | None = None) -> None:
    acknowledge_rule(
        mapping, ESM_DESTINATION_ACK, LIBRARY_ACKNOWLEDGEMENTS[ESM_DESTINATION_ACK], ("Serverless",), node=node
    )


def _check_window(scope: IConstruct, window: Duration | None) -> float | None:
    seconds = _seconds(window)
    check_range(scope, "max_batching_window", seconds, 0, MAX_BATCHING_WINDOW, "seconds")
    return seconds


# ------------------------------------------------------------------------------------- SQS


@dataclass(frozen=True, kw_only=True)
class SqsTrigger:
    """Poll an SQS queue (standard or FIFO). Pass ``queue`` or ``queue_props``, not both.

    When the trigger creates the queue it is KMS-encrypted (the function's key unless
    ``encryption_key``), TLS-only, retained, with its own dead-letter queue (``max_receive_count``
    receives) and a visibility timeout of 6 × the function timeout + the batching window.
    """

    queue: sqs.IQueue | None = None
    """An existing queue. Default: None (a queue is created)."""
    queue_props: sqs.QueueProps | None = None
    """Overrides for the created queue (``fifo=True`` for FIFO). Default: None (the defaults above).
    A ``visibility_timeout`` below 6 × function timeout + batching window is rejected."""
    encryption_key: kms.IKey | None = None
    """Key of the created queue and its dead-letter queue. Default: the function's key."""
    max_receive_count: int = 5
    """Receives before a message moves to the created dead-letter queue, 1–1000. Default: 5."""
    batch_size: int = 10
    """Records per batch: 1–10; up to 10,000 for standard queues with a batching window. Default: 10."""
    max_batching_window: Duration | None = None
    """Wait up to this long to fill a batch, 0–300 s; not allowed on FIFO queues. Default: none."""
    max_concurrency: int | None = None
    """Maximum concurrent invocations from this queue, 2–1000. Default: unlimited."""
    filters: Sequence[Mapping[str, Any] | str] = ()
    """Event filter patterns (JSON objects), at most 5. Default: none (every message)."""
    report_batch_item_failures: bool = True
    """Let the handler return ``batchItemFailures``. Default: True."""
    enabled: bool = True
    """Default: True."""

    @property
    def kind(self) -> InvocationKind:
        """Always ``InvocationKind.POLLED`` (Lambda polls the queue)."""
        return InvocationKind.POLLED

    def bind(self, fn: FunctionView, target: lambda_.IFunction, construct_id: str) -> None:
        """Create the SQS event source mapping on ``target`` (see the class docstring)."""
        source = PolledSource(fn.construct, construct_id)
        if self.queue is not None and self.queue_props is not None:
            raise fail(
                source,
                "pass either queue (an existing queue) or queue_props (to create one), not both",
                value="queue + queue_props",
                fix="drop one of them",
            )
        fifo = _is_fifo(self.queue) if self.queue is not None else bool(self.queue_props and self.queue_props.fifo)
        window = self._validate(source, fifo)
        required = 6 * (duration_seconds(fn.props.timeout) or 0) + (window or 0)
        if self.queue is not None:
            queue: sqs.IQueue = self.queue
            self._check_visibility(source, _visibility_seconds(queue), required, fn)
            key = queue.encryption_master_key
        else:
            queue, visibility = self._create(source, fn, bool(fifo), required)
            self._check_visibility(source, visibility, required, fn)
            key = self.encryption_key or fn.key
        queue_arn = queue.queue_arn
        statements = [
            iam.PolicyStatement(
                actions=[
                    "sqs:ReceiveMessage",
                    "sqs:DeleteMessage",
                    "sqs:GetQueueAttributes",
                    "sqs:ChangeMessageVisibility",
                ],
                resources=[queue_arn],
            )
        ]
        if key is not None and key is not fn.key:  # kms:Decrypt on its own key is a default grant
            statements.append(iam.PolicyStatement(actions=["kms:Decrypt"], resources=[key.key_arn]))
        grant_statements(fn.role, *statements)
        mapping = _mapping(
            source,
            fn,
            target,
            event_source_arn=queue_arn,
            batch_size=self.batch_size,
            maximum_batching_window_in_seconds=int(window) if window is not None else None,
            function_response_types=["ReportBatchItemFailures"] if self.report_batch_item_failures else None,
            filter_criteria=_filters(source, self.filters),
            scaling_config={"maximumConcurrency": self.max_concurrency} if self.max_concurrency else None,
            enabled=self.enabled,
        )
        _no_destination(mapping, source._mapping_node)

    def _validate(self, source: PolledSource, fifo: bool | None) -> float | None:
        window = _check_window(source, self.max_batching_window)
        if fifo is None and (window or self.batch_size > SQS_MAX_BATCH_WITHOUT_WINDOW):
            warn(
                source,
                "queueFifoUnknown",
                f"whether the queue is FIFO is unknown at synth (an imported queue whose ARN and name are tokens); "
                f"a FIFO queue takes no batching window and at most {SQS_MAX_BATCH_WITHOUT_WINDOW} messages per "
                f"batch ({SQS_PARAMETERS_URL}), so this mapping (batching window {window or 0:g} s, batch size "
                f"{self.batch_size}) fails to deploy if it is one",
            )
        if fifo and window:
            raise fail(
                source,
                "a batching window is not supported for FIFO queues",
                value=self.max_batching_window and f"{window:g} seconds",
                fix="remove max_batching_window or use a standard queue",
            )
        high = MAX_BATCH if (window or 0) >= 1 else SQS_MAX_BATCH_WITHOUT_WINDOW
        if fifo:
            check_range(source, "batch_size (FIFO queue)", self.batch_size, 1, SQS_MAX_BATCH_WITHOUT_WINDOW)
        elif high == SQS_MAX_BATCH_WITHOUT_WINDOW and self.batch_size > high:
            raise fail(
                source,
                f"batch_size above {high} needs a batching window of at least 1 second",
                value=self.batch_size,
                fix=f"set max_batching_window=Duration.seconds(1) or more, or batch_size in [1, {high}]",
            )
        else:
            check_range(source, "batch_size", self.batch_size, 1, high)
        if self.max_concurrency is not None:
            check_range(source, "max_concurrency", self.max_concurrency, 2, 1000)
        check_range(source, "max_receive_count", self.max_receive_count, 1, 1000)
        return window

    def _create(
        self, source: PolledSource, fn: FunctionView, fifo: bool, required: float
    ) -> tuple[sqs.Queue, float | None]:
        """The queue and its visibility timeout in seconds (None when it is a token)."""
        key = self.encryption_key or fn.key
        source.dead_letter_queue = dead_letter_queue(source, "DeadLetterQueue", key, fifo=fifo)
        overrides = dict(self.queue_props._values) if self.queue_props is not None else {}
        settings: dict[str, Any] = {
            "visibility_timeout": seconds(min(SQS_MAX_VISIBILITY_SECONDS, int(required + 0.999))),
            "retention_period": SQS_RETENTION,
            "removal_policy": RemovalPolicy.RETAIN,
            "dead_letter_queue": sqs.DeadLetterQueue(
                max_receive_count=self.max_receive_count, queue=source.dead_letter_queue
            ),
            **overrides,
            # Security settings the library does not let props weaken:
            "encryption": sqs.QueueEncryption.KMS,
            "encryption_master_key": key,
            "enforce_ssl": True,
        }
        source.queue = sqs.Queue(source, "Queue", **settings)
        return source.queue, duration_seconds(settings["visibility_timeout"])

    def _check_visibility(
        self, source: PolledSource, visibility: float | None, required: float, fn: FunctionView
    ) -> None:
        if required > SQS_MAX_VISIBILITY_SECONDS and visibility is not None:
            raise fail(
                source,
                f"6 × function timeout + batching window is {required:g} s, above SQS's {SQS_MAX_VISIBILITY_SECONDS} s",
                value=required,
                fix="lower the function timeout or the batching window",
            )
        if visibility is None:
            warn(
                source,
                "queueVisibilityUnknown",
                f"the queue's visibility timeout is unknown at synth (an imported queue or a token); Lambda needs "
                f"at least 6 × the function timeout + the batching window = {required:g} s, or messages are "
                f"received again while a batch is still running",
            )
            return
        if visibility < required:
            timeout = duration_seconds(fn.props.timeout)
            raise fail(
                source,
                f"the queue's visibility timeout ({visibility:g} s) is below 6 × the function timeout "
                f"({timeout:g} s) + the batching window = {required:g} s",
                value=visibility,
                fix=f"set visibility_timeout to at least Duration.seconds({int(required + 0.999)})",
            )


#: Lambda's SQS parameters: "For FIFO queues, the maximum [BatchSize] is 10", "Batching window is not
#: supported for FIFO queues".
SQS_PARAMETERS_URL = "https://docs.aws.amazon.com/lambda/latest/dg/services-sqs-parameters.html"


def _is_fifo(queue: sqs.IQueue) -> bool | None:
    """Whether ``queue`` is a FIFO queue; None when unknown at synth (imported, its ARN and name tokens).

    aws-cdk-lib's ``fifo`` of a queue imported by a token ARN is ``False`` unless ``fifo=True`` was given;
    a FIFO queue's name ends in ``.fifo`` (CreateQueue ``QueueName``), so a literal name decides.
    """
    if queue.fifo:
        return True
    if isinstance(queue, sqs.Queue):
        return False  # created in this app: its fifo prop
    name = queue.queue_name
    return None if is_token(name) else name.endswith(".fifo")


#: SQS's visibility timeout when the queue sets none: 30 s ("VisibilityTimeout … Default: 30",
#: https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_CreateQueue.html).
SQS_DEFAULT_VISIBILITY_SECONDS = 30


def _visibility_seconds(queue: sqs.IQueue) -> float | None:
    """The visibility timeout of a queue defined in this app (SQS's 30 s default when it sets none).

    None when unknown at synth: an imported queue or a token.
    """
    cfn = queue.node.default_child if isinstance(queue, sqs.Queue) else None
    if not isinstance(cfn, sqs.CfnQueue):
        return None
    visibility = cfn.visibility_timeout
    if visibility is None:
        return float(SQS_DEFAULT_VISIBILITY_SECONDS)
    return float(visibility) if isinstance(visibility, int | float) and not is_token(visibility) else None


# --------------------------------------------------------------------------------- streams


@dataclass(frozen=True, kw_only=True)
class _StreamOptions:
    batch_size: int = 100
    """Records per batch, 1–10,000. Default: 100."""
    max_batching_window: Duration | None = None
    """0–300 s. Default: none."""
    starting_position: StartingPosition = StartingPosition.TRIM_HORIZON
    """Default: TRIM_HORIZON (the oldest retained record)."""
    retry_attempts: int = 3
    """Retries of a failing batch, 0–10,000 (unbounded -1 is refused). Default: 3."""
    max_record_age: Duration = field(default_factory=lambda: Duration.days(1))
    """Records older than this go to the on-failure destination, 60 s – 7 days. Default: 1 day."""
    bisect_batch_on_error: bool = True
    """Split a failing batch in two and retry each half. Default: True."""
    parallelization_factor: int = 1
    """Concurrent batches per shard, 1–10. Default: 1."""
    report_batch_item_failures: bool = True
    """Default: True (the handler returns ``batchItemFailures``)."""
    on_failure: sqs.IQueue | None = None
    """Where discarded batches' metadata goes. Default: the function's failure queue."""
    filters: Sequence[Mapping[str, Any] | str] = ()
    """Event filter patterns (JSON objects), at most 5. Default: none."""
    enabled: bool = True
    """Default: True."""

    @property
    def kind(self) -> InvocationKind:
        """Always ``InvocationKind.POLLED`` (Lambda polls the stream)."""
        return InvocationKind.POLLED

    def _stream_props(self, source: PolledSource, fn: FunctionView) -> dict[str, Any]:
        window = _check_window(source, self.max_batching_window)
        check_range(source, "batch_size", self.batch_size, 1, MAX_BATCH)
        check_range(source, "retry_attempts", self.retry_attempts, 0, 10_000)
        age = duration_seconds(self.max_record_age)
        check_range(source, "max_record_age", age, 60, 604_800, "seconds")
        check_range(source, "parallelization_factor", self.parallelization_factor, 1, 10)
        return {
            "batch_size": self.batch_size,
            "maximum_batching_window_in_seconds": int(window) if window is not None else None,
            "starting_position": self.starting_position.value,
            "maximum_retry_attempts": self.retry_attempts,
            "maximum_record_age_in_seconds": int(age) if age is not None else None,
            "bisect_batch_on_function_error": self.bisect_batch_on_error,
            "parallelization_factor": self.parallelization_factor,
            "function_response_types": ["ReportBatchItemFailures"] if self.report_batch_item_failures else None,
            "destination_config": _destination(fn, self.on_failure),
            "filter_criteria": _filters(source, self.filters),
            "enabled": self.enabled,
        }


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

    def bind(self, fn: FunctionView, target: lambda_.IFunction, construct_id: str) -> None:
        """Create the Kinesis event source mapping on ``target`` (see the class docstring)."""
        source = PolledSource(fn.construct, construct_id)
        if self.stream is not None and self.stream_props is not None:
            raise fail(
                source,
                "pass either stream (an existing stream) or stream_props (to create one), not both",
                value="stream + stream_props",
                fix="drop one of them",
            )
        props = self._stream_props(source, fn)
        stream = self.stream if self.stream is not None else self._create(source, fn)
        read = [
            "kinesis:DescribeStream",
            "kinesis:DescribeStreamSummary",
            "kinesis:GetRecords",
            "kinesis:GetShardIterator",
            "kinesis:ListShards",
        ]  # kinesis:SubscribeToShard is authorized on the consumer only: granted below with enhanced fan-out
        grant(fn.role, read, [stream.stream_arn])
        _decrypt(fn, stream.encryption_key)
        source_arn = stream.stream_arn
        if self.enhanced_fan_out:
            source.consumer = kinesis.CfnStreamConsumer(
                source, "Consumer", consumer_name=f"{construct_id}Consumer", stream_arn=stream.stream_arn
            )
            source_arn = source.consumer.attr_consumer_arn
            grant(fn.role, ["kinesis:SubscribeToShard", "kinesis:DescribeStreamConsumer"], [source_arn])
        mapping = _mapping(source, fn, target, event_source_arn=source_arn, **props)
        if source.consumer is not None:
            mapping.node.add_dependency(source.consumer)

    def _create(self, source: PolledSource, fn: FunctionView) -> kinesis.Stream:
        overrides = dict(self.stream_props._values) if self.stream_props is not None else {}
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
        acknowledge(source.stream, "AwsSolutions-KDS3", LIBRARY_ACKNOWLEDGEMENTS[KINESIS_CMK_ACK])
        return source.stream


@dataclass(frozen=True, kw_only=True)
class DynamoDbStreamTrigger(_StreamOptions):
    """Poll a DynamoDB table's stream (the table must have ``stream`` enabled)."""

    table: dynamodb.ITable
    """The table (its ``table_stream_arn`` must be known: a table with a stream)."""

    def bind(self, fn: FunctionView, target: lambda_.IFunction, construct_id: str) -> None:
        """Create the DynamoDB stream event source mapping on ``target`` (see the class docstring)."""
        source = PolledSource(fn.construct, construct_id)
        stream_arn = self.table.table_stream_arn
        if stream_arn is None:
            raise fail(
                source,
                "the table has no stream",
                value=self.table.node.path,
                fix="create the table with stream=StreamViewType.NEW_AND_OLD_IMAGES (or import it with table_stream_arn)",
            )
        props = self._stream_props(source, fn)
        grant(fn.role, ["dynamodb:DescribeStream", "dynamodb:GetRecords", "dynamodb:GetShardIterator"], [stream_arn])
        _decrypt(fn, self.table.encryption_key)
        # Lambda checks dynamodb:ListStreams, which has no resource-level ARN: kept in its own policy.
        list_policy = iam.ManagedPolicy(
            source,
            "ListStreamsPolicy",
            description="dynamodb:ListStreams (no resource-level ARN) for the event source mapping",
            statements=[iam.PolicyStatement(actions=["dynamodb:ListStreams"], resources=["*"])],
        )
        _attach(list_policy, fn.role)
        acknowledge(list_policy, "AwsSolutions-IAM5[Resource::*]", LIBRARY_ACKNOWLEDGEMENTS[LIST_STREAMS_ACK])
        mapping = _mapping(source, fn, target, event_source_arn=stream_arn, **props)
        mapping.node.add_dependency(list_policy)


# ----------------------------------------------------------------------------------- Kafka


def _kafka_auth(
    source: PolledSource, auth: KafkaAuth | None, secret: secretsmanager.ISecret | None, allowed: Sequence[KafkaAuth]
) -> list[dict[str, str]]:
    if auth is None or auth not in allowed:
        raise fail(
            source,
            "a Kafka source needs authentication",
            value=auth,
            fix="set authentication to one of " + ", ".join(f"KafkaAuth.{a.name}" for a in allowed),
        )
    if auth is KafkaAuth.IAM:
        return []
    if secret is None:
        raise fail(
            source,
            f"authentication {auth.name} needs a Secrets Manager secret",
            value=None if secret is None else secret.secret_arn,
            fix="pass secret=<the secret holding the credentials or client certificate>",
        )
    return [{"type": auth.value, "uri": secret.secret_arn}]


def _grant_secret(fn: FunctionView, secret: secretsmanager.ISecret | None) -> None:
    if secret is not None:
        grant(fn.role, ["secretsmanager:GetSecretValue"], [secret.secret_arn])
        _decrypt(fn, secret.encryption_key)


@dataclass(frozen=True, kw_only=True)
class _KafkaOptions:
    topic: str
    """The topic to consume."""
    authentication: KafkaAuth | None = None
    """Required (an unauthenticated cluster is refused). Default: None → error."""
    secret: secretsmanager.ISecret | None = None
    """Credentials (SASL/SCRAM) or client certificate (mTLS). Default: None (IAM needs none)."""
    consumer_group_id: str | None = None
    """Default: ``<construct id>`` of the trigger (stable across deployments)."""
    batch_size: int = 100
    """1–10,000. Default: 100."""
    max_batching_window: Duration | None = None
    """0–300 s. Default: none."""
    starting_position: StartingPosition = StartingPosition.TRIM_HORIZON
    """Default: TRIM_HORIZON."""
    on_failure: sqs.IQueue | None = None
    """Where discarded records' metadata goes. Default: the function's failure queue."""
    filters: Sequence[Mapping[str, Any] | str] = ()
    """Event filter patterns, at most 5. Default: none."""
    enabled: bool = True
    """Default: True."""

    @property
    def kind(self) -> InvocationKind:
        """Always ``InvocationKind.POLLED`` (Lambda polls the topic)."""
        return InvocationKind.POLLED

    def _common(self, source: PolledSource, fn: FunctionView, group: str) -> dict[str, Any]:
        if not is_token(self.topic) and not _KAFKA_TOPIC.fullmatch(self.topic):
            raise fail(
                source,
                "invalid Kafka topic name (Lambda: 2–249 of [a-zA-Z0-9._-], not starting with '.')",
                value=self.topic,
                fix="use the topic's exact name",
            )
        window = _check_window(source, self.max_batching_window)
        check_range(source, "batch_size", self.batch_size, 1, MAX_BATCH)
        return {
            "topics": [self.topic],
            "batch_size": self.batch_size,
            "maximum_batching_window_in_seconds": int(window) if window is not None else None,
            "starting_position": self.starting_position.value,
            "destination_config": _destination(fn, self.on_failure),
            "filter_criteria": _filters(source, self.filters),
            "enabled": self.enabled,
        }


@dataclass(frozen=True, kw_only=True)
class MskTrigger(_KafkaOptions):
    """Consume a topic of an Amazon MSK cluster (IAM, SASL/SCRAM-512 or mTLS authentication)."""

    cluster_arn: str
    """ARN of the MSK cluster (``arn:aws:kafka:<region>:<account>:cluster/<name>/<uuid>``)."""

    def bind(self, fn: FunctionView, target: lambda_.IFunction, construct_id: str) -> None:
        """Create the MSK event source mapping on ``target`` (see the class docstring)."""
        source = PolledSource(fn.construct, construct_id)
        access = _kafka_auth(
            source, self.authentication, self.secret, (KafkaAuth.IAM, KafkaAuth.SASL_SCRAM_512, KafkaAuth.MTLS)
        )
        group = self.consumer_group_id or construct_id
        props = self._common(source, fn, group)
        grant(fn.role, ["kafka:DescribeClusterV2"], [self.cluster_arn])
        _grant_secret(fn, self.secret)
        if self.authentication is KafkaAuth.IAM:
            prefix = Fn.select(0, Fn.split(":cluster/", self.cluster_arn))
            name_uuid = Fn.select(1, Fn.split(":cluster/", self.cluster_arn))
            grant(
                fn.role,
                ["kafka-cluster:Connect", "kafka-cluster:DescribeClusterDynamicConfiguration"],
                [self.cluster_arn],
            )
            grant(
                fn.role,
                ["kafka-cluster:DescribeTopic", "kafka-cluster:ReadData"],
                [Fn.join("", [prefix, ":topic/", name_uuid, "/", self.topic])],
            )
            grant(
                fn.role,
                ["kafka-cluster:DescribeGroup", "kafka-cluster:AlterGroup"],
                [Fn.join("", [prefix, ":group/", name_uuid, "/", group])],
            )
        _mapping(
            source,
            fn,
            target,
            event_source_arn=self.cluster_arn,
            source_access_configurations=access or None,
            amazon_managed_kafka_event_source_config={"consumerGroupId": group},
            **props,
        )
        policy = _network_policy(source, fn)
        # kafka:GetBootstrapBrokers supports no resource-level permission (Service Authorization Reference,
        # https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazonmanagedstreamingforapachekafka.html):
        # granted on * in the policy whose acknowledgement says so.
        policy.add_statements(iam.PolicyStatement(actions=["kafka:GetBootstrapBrokers"], resources=["*"]))


@dataclass(frozen=True, kw_only=True)
class SelfManagedKafkaTrigger(_KafkaOptions):
    """Consume a topic of a self-managed Kafka cluster (SASL/SCRAM or mTLS authentication)."""

    bootstrap_servers: Sequence[str]
    """``host:port`` of the brokers (at least one)."""
    root_ca_secret: secretsmanager.ISecret | None = None
    """Root CA of the brokers' certificates. Default: none (public CAs)."""
    subnet_ids: Sequence[str] = ()
    """Subnets Lambda's pollers use to reach brokers in a VPC. Default: none (public brokers)."""
    security_group_ids: Sequence[str] = ()
    """Security groups for those pollers. Default: none."""

    def bind(self, fn: FunctionView, target: lambda_.IFunction, construct_id: str) -> None:
        """Create the Kafka event source mapping on ``target`` (see the class docstring)."""
        source = PolledSource(fn.construct, construct_id)
        if not self.bootstrap_servers:
            raise fail(source, "bootstrap_servers is empty", value=list(self.bootstrap_servers), fix="list host:port")
        access = _kafka_auth(
            source,
            self.authentication,
            self.secret,
            (KafkaAuth.SASL_SCRAM_512, KafkaAuth.SASL_SCRAM_256, KafkaAuth.MTLS),
        )
        if self.root_ca_secret is not None:
            access.append({"type": "SERVER_ROOT_CA_CERTIFICATE", "uri": self.root_ca_secret.secret_arn})
        access += [{"type": "VPC_SUBNET", "uri": f"subnet:{s}"} for s in self.subnet_ids]
        access += [{"type": "VPC_SECURITY_GROUP", "uri": f"security_group:{g}"} for g in self.security_group_ids]
        group = self.consumer_group_id or construct_id
        props = self._common(source, fn, group)
        _grant_secret(fn, self.secret)
        _grant_secret(fn, self.root_ca_secret)
        _mapping(
            source,
            fn,
            target,
            self_managed_event_source={"endpoints": {"kafkaBootstrapServers": list(self.bootstrap_servers)}},
            self_managed_kafka_event_source_config={"consumerGroupId": group},
            source_access_configurations=access,
            **props,
        )
        if self.subnet_ids:
            _network_policy(source, fn, self.subnet_ids, self.security_group_ids)


# ------------------------------------------------------------------------- MQ and DocumentDB


@dataclass(frozen=True, kw_only=True)
class MqTrigger:
    """Consume a queue of an Amazon MQ broker (ActiveMQ or RabbitMQ) with broker credentials."""

    broker_arn: str
    """ARN of the broker."""
    queue_name: str
    """The queue to consume."""
    secret: secretsmanager.ISecret
    """Broker credentials (``{"username": ..., "password": ...}``)."""
    virtual_host: str | None = None
    """RabbitMQ virtual host. Default: none (``/``)."""
    batch_size: int = 100
    """1–10,000. Default: 100."""
    max_batching_window: Duration | None = None
    """0–300 s. Default: none."""
    filters: Sequence[Mapping[str, Any] | str] = ()
    """Event filter patterns, at most 5. Default: none."""
    enabled: bool = True
    """Default: True."""

    @property
    def kind(self) -> InvocationKind:
        """Always ``InvocationKind.POLLED`` (Lambda polls the broker queue)."""
        return InvocationKind.POLLED

    def bind(self, fn: FunctionView, target: lambda_.IFunction, construct_id: str) -> None:
        """Create the Amazon MQ event source mapping on ``target`` (see the class docstring)."""
        source = PolledSource(fn.construct, construct_id)
        window = _check_window(source, self.max_batching_window)
        check_range(source, "batch_size", self.batch_size, 1, MAX_BATCH)
        access = [{"type": "BASIC_AUTH", "uri": self.secret.secret_arn}]
        if self.virtual_host:
            access.append({"type": "VIRTUAL_HOST", "uri": self.virtual_host})
        grant(fn.role, ["mq:DescribeBroker"], [self.broker_arn])
        _grant_secret(fn, self.secret)
        mapping = _mapping(
            source,
            fn,
            target,
            event_source_arn=self.broker_arn,
            queues=[self.queue_name],
            source_access_configurations=access,
            batch_size=self.batch_size,
            maximum_batching_window_in_seconds=int(window) if window is not None else None,
            filter_criteria=_filters(source, self.filters),
            enabled=self.enabled,
        )
        _no_destination(mapping, source._mapping_node)
        _network_policy(source, fn)


class FullDocument(Enum):
    """What a DocumentDB change event carries for updates."""

    DEFAULT = "Default"
    """Only the changed fields."""
    UPDATE_LOOKUP = "UpdateLookup"
    """The whole document as it is now."""


@dataclass(frozen=True, kw_only=True)
class DocumentDbTrigger:
    """Consume a DocumentDB change stream (change streams must be enabled on the collection)."""

    cluster_arn: str
    """ARN of the DocumentDB cluster."""
    database_name: str
    """Database to watch."""
    secret: secretsmanager.ISecret
    """Cluster credentials."""
    collection_name: str | None = None
    """Default: every collection of the database."""
    full_document: FullDocument = FullDocument.DEFAULT
    """Default: DEFAULT (changed fields only)."""
    batch_size: int = 100
    """1–10,000. Default: 100."""
    max_batching_window: Duration | None = None
    """0–300 s. Default: none."""
    starting_position: StartingPosition = StartingPosition.TRIM_HORIZON
    """Default: TRIM_HORIZON."""
    filters: Sequence[Mapping[str, Any] | str] = ()
    """Event filter patterns, at most 5. Default: none."""
    enabled: bool = True
    """Default: True."""

    @property
    def kind(self) -> InvocationKind:
        """Always ``InvocationKind.POLLED`` (Lambda polls the change stream)."""
        return InvocationKind.POLLED

    def bind(self, fn: FunctionView, target: lambda_.IFunction, construct_id: str) -> None:
        """Create the DocumentDB event source mapping on ``target`` (see the class docstring)."""
        source = PolledSource(fn.construct, construct_id)
        window = _check_window(source, self.max_batching_window)
        check_range(source, "batch_size", self.batch_size, 1, MAX_BATCH)
        grant(fn.role, ["rds:DescribeDBClusters"], [self.cluster_arn])
        _grant_secret(fn, self.secret)
        config: dict[str, str] = {"databaseName": self.database_name, "fullDocument": self.full_document.value}
        if self.collection_name:
            config["collectionName"] = self.collection_name
        mapping = _mapping(
            source,
            fn,
            target,
            event_source_arn=self.cluster_arn,
            document_db_event_source_config=config,
            source_access_configurations=[{"type": "BASIC_AUTH", "uri": self.secret.secret_arn}],
            batch_size=self.batch_size,
            maximum_batching_window_in_seconds=int(window) if window is not None else None,
            starting_position=self.starting_position.value,
            filter_criteria=_filters(source, self.filters),
            enabled=self.enabled,
        )
        _no_destination(mapping, source._mapping_node)
        policy = _network_policy(source, fn)
        # Service Authorization Reference (https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazonrds.html):
        # rds:DescribeDBSubnetGroups is authorized on the subnet group (subgrp), DescribeDBClusterParameters on
        # the cluster parameter group (cluster-pg); the cluster ARN names neither, so any of this account and region.
        for action, kind in (
            ("rds:DescribeDBSubnetGroups", "subgrp"),
            ("rds:DescribeDBClusterParameters", "cluster-pg"),
        ):
            resource = Stack.of(source).format_arn(
                service="rds", resource=kind, resource_name="*", arn_format=ArnFormat.COLON_RESOURCE_NAME
            )
            policy.add_statements(iam.PolicyStatement(actions=[action], resources=[resource]))
            acknowledge(
                policy,
                "AwsSolutions-IAM5[Resource::" + nag_arn(Stack.of(source), "rds", f"{kind}:*") + "]",
                LIBRARY_ACKNOWLEDGEMENTS[NETWORK_ACK],
            )
