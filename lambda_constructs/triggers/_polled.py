"""Polled triggers: event source mappings (SQS, Kinesis, DynamoDB streams, Kafka, Amazon MQ, DocumentDB).

Every mapping is created with safe defaults set together: partial batch responses
(``ReportBatchItemFailures``), for streams bisect-on-error, an on-failure destination (the
function's failure queue unless ``on_failure`` is given), bounded retries and record age, and
``TRIM_HORIZON`` as the starting position. The function's role gets exactly the read permissions
the source needs, scoped to its ARN (plus ``kms:Decrypt`` on its key). Resources are created in a
:class:`PolledSource` construct named by the trigger's construct id under the function; it is the
``resources`` of the :class:`~lambda_constructs.contract.TriggerResult` that ``fn.add_trigger`` returns.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from enum import Enum
from typing import TYPE_CHECKING, Any

from aws_cdk import ArnFormat, Duration, Stack
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_sqs as sqs
from constructs import Construct, IConstruct, Node

from lambda_constructs import scanners
from lambda_constructs._jsii_speed import create
from lambda_constructs.compliance import (
    LIBRARY_ACKNOWLEDGEMENTS,
    AcknowledgementKey,
    acknowledge,
    acknowledge_rule,
    nag_arn,
)
from lambda_constructs.field_types import checked_fields
from lambda_constructs.role_grants import FunctionStackPolicy, grantee
from lambda_constructs.triggers._options import options_scope
from lambda_constructs.triggers._queues import check_pattern, grant, grant_send
from lambda_constructs.triggers._resources import TriggerResources
from lambda_constructs.triggers.base import InvocationKind
from lambda_constructs.validation import check_range, duration_seconds

if TYPE_CHECKING:  # annotations only: importing these aws_cdk modules costs ≈ 25 ms at start-up (issue #21)
    from aws_cdk import aws_kinesis as kinesis
    from aws_cdk import aws_secretsmanager as secretsmanager

    from lambda_constructs.contract import FunctionView

#: Lambda's batching-window limit (seconds) for every polled source.
MAX_BATCHING_WINDOW = 300
#: Largest batch of any source (standard SQS with a batching window, streams, Kafka, MQ, DocumentDB).
MAX_BATCH = 10_000
#: SQS: batch size above this needs a batching window of at least 1 s; FIFO queues never exceed it.
SQS_MAX_BATCH_WITHOUT_WINDOW = 10
#: SQS's maximum visibility timeout (12 hours).
SQS_MAX_VISIBILITY_SECONDS = 43_200
#: Retention of a created source queue in seconds (SQS's default, 4 days; a shared Duration is made on
#: first use by ``validation.seconds``: importing the library makes no jsii call).
SQS_RETENTION_SECONDS = 4 * 24 * 3600
#: Aliases of the acknowledgement keys of the polled triggers (older imports; the triggers use the
#: :class:`~lambda_constructs.compliance.AcknowledgementKey` members).
ESM_DESTINATION_ACK = AcknowledgementKey.ESM_DESTINATION
NETWORK_ACK = AcknowledgementKey.EVENT_SOURCE_NETWORK_INTERFACES
LIST_STREAMS_ACK = AcknowledgementKey.DYNAMODB_LIST_STREAMS
KINESIS_CMK_ACK = AcknowledgementKey.KINESIS_CMK


class StartingPosition(Enum):
    """Where a stream or Kafka mapping starts reading."""

    TRIM_HORIZON = "TRIM_HORIZON"
    """The oldest record still retained (no record is skipped on first deploy)."""
    LATEST = "LATEST"
    """Only records written after the mapping is created."""


class PolledSource(TriggerResources):
    """The resources a polled trigger created (construct id = the trigger's construct id).

    Attributes:
        mapping: the ``AWS::Lambda::EventSourceMapping``.
        queue: the source queue the trigger created (None when you passed one).
        dead_letter_queue: that queue's redrive target (None unless the queue was created): by default the
            stack's shared trigger dead-letter queue, a child of the stack, not of this construct (see
            ``SqsTrigger.dead_letter_queue_per_trigger``); the queue of your ``queue_props.dead_letter_queue``
            when you set one.
        stream: the Kinesis stream the trigger created (None when you passed one).
        consumer: the enhanced fan-out consumer (None unless ``enhanced_fan_out``).
        network_policy: the policy holding the EC2 network-interface permissions (VPC sources only).
    """

    def __init__(self, scope: Construct, construct_id: str) -> None:
        super().__init__(scope, construct_id)
        self.mapping: lambda_.CfnEventSourceMapping | None = None
        self.queue: sqs.Queue | None = None
        self.dead_letter_queue: sqs.IQueue | None = None
        self.stream: kinesis.Stream | None = None
        self.consumer: kinesis.CfnStreamConsumer | None = None
        self.network_policy: iam.ManagedPolicy | None = None
        self._mapping_node: Node | None = None
        """``mapping.node`` (kept: each read is a jsii round trip)."""


def _seconds(value: Duration | None) -> float | None:
    return None if value is None else duration_seconds(value)


def _unwrapped(pattern: Mapping[str, Any] | str) -> object:
    """The pattern of a filter: ``pattern`` itself, or the JSON text of what aws-cdk-lib's
    ``lambda_.FilterCriteria.filter(...)`` returns, ``{"pattern": "<JSON text>"}`` (never a pattern itself:
    a pattern's values are lists or objects, not text)."""
    if isinstance(pattern, Mapping) and len(pattern) == 1 and isinstance(pattern.get("pattern"), str):
        return pattern["pattern"]
    return pattern


def _filters(scope: IConstruct, filters: Sequence[Mapping[str, Any] | str]) -> dict[str, Any] | None:
    """The ``filter_criteria`` of an event source mapping for ``filters`` (each a pattern: a mapping, its JSON
    text, or what ``lambda_.FilterCriteria.filter(...)`` returns), None for none.

    Raises:
        LambdaConstructsError: more than 5 filters, or a pattern that is not a non-empty JSON object whose
            leaves are non-empty lists.
    """
    if not filters:
        return None
    check_range(scope, "number of filters", len(filters), 1, 5)
    patterns = [check_pattern(scope, f"filters[{index}]", _unwrapped(pattern)) for index, pattern in enumerate(filters)]
    return {"filters": [{"pattern": json.dumps(pattern, separators=(",", ":"))} for pattern in patterns]}


def _mapping(
    source: PolledSource, fn: FunctionView, target: lambda_.IFunction, **props: Any
) -> lambda_.CfnEventSourceMapping:
    # The 31-field props struct without its typed getters (_jsii_speed.create): one per polled trigger.
    mapping = create(
        lambda_.CfnEventSourceMapping,
        lambda_.CfnEventSourceMappingProps,
        source,
        "Mapping",
        function_name=target.function_arn,
        **props,
    )
    scanners.created(mapping, "AWS::Lambda::EventSourceMapping")
    # The role's policies must exist before Lambda validates the mapping's source.
    node = mapping.node
    node.add_dependency(fn.role)
    sink = grantee(fn)
    if isinstance(sink, FunctionStackPolicy):  # a role of another stack: its statements are in this one
        sink.depend(mapping)
    source.mapping = mapping
    source._mapping_node = node
    return mapping


def _destination(fn: FunctionView, on_failure: sqs.IQueue | None) -> dict[str, Any]:
    queue = on_failure or fn.failure_queue
    if on_failure is not None:
        grant_send(grantee(fn), on_failure)
    return {"onFailure": {"destination": queue.queue_arn}}


def _decrypt(fn: FunctionView, key: kms.IKey | None) -> None:
    if key is not None:
        grant(grantee(fn), ["kms:Decrypt"], [key.key_arn])


def _attach(policy: iam.ManagedPolicy, fn: FunctionView) -> None:
    """Attach ``policy`` to ``fn``'s role; from the policy's side when the role is in another stack (the
    role's ``ManagedPolicyArns`` would make its stack reference this one)."""
    role = fn.role
    if isinstance(role, iam.Role) and not isinstance(grantee(fn), FunctionStackPolicy):
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
    _attach(policy, fn)
    stack = Stack.of(policy)
    findings = ["*", nag_arn(stack, "ec2", "network-interface/*")]
    if not subnet_ids:
        findings.append(nag_arn(stack, "ec2", "subnet/*"))
    if not security_group_ids:
        findings.append(nag_arn(stack, "ec2", "security-group/*"))
    for finding in findings:
        acknowledge(
            policy,
            f"AwsSolutions-IAM5[Resource::{finding}]",
            LIBRARY_ACKNOWLEDGEMENTS[AcknowledgementKey.EVENT_SOURCE_NETWORK_INTERFACES],
        )
    source.network_policy = policy
    if source.mapping is not None:
        source.mapping.node.add_dependency(policy)
    return policy


def _no_destination(mapping: IConstruct, node: Node | None = None) -> None:
    acknowledge_rule(
        mapping,
        "LambdaEventSourceMappingDestination",
        LIBRARY_ACKNOWLEDGEMENTS[AcknowledgementKey.ESM_DESTINATION],
        ("Serverless",),
        node=node,
    )


def _check_window(scope: IConstruct, window: Duration | None) -> float | None:
    seconds = _seconds(window)
    check_range(scope, "max_batching_window", seconds, 0, MAX_BATCHING_WINDOW, "seconds")
    return seconds


def _check_batching(
    scope: IConstruct, window: Duration | None, batch_size: int, filters: Sequence[Mapping[str, Any] | str]
) -> None:
    """The batching window (0–300 s), batch size (1–10,000) and filter checks of a broker or change-stream source."""
    _check_window(scope, window)
    check_range(scope, "batch_size", batch_size, 1, MAX_BATCH)
    _filters(scope, filters)


@checked_fields
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
    """Event filter patterns (JSON objects, their JSON text, or ``lambda_.FilterCriteria.filter(...)``), at most 5.
    Default: none."""
    enabled: bool = True
    """Default: True."""

    @property
    def kind(self) -> InvocationKind:
        """Always ``InvocationKind.POLLED`` (Lambda polls the stream)."""
        return InvocationKind.POLLED

    def __post_init__(self) -> None:
        """Check the options that do not depend on the function.

        Raises:
            LambdaConstructsError: a batch size, batching window, retry count, record age or parallelization factor out of range, or an invalid filter.
        """
        scope = options_scope(self)
        _check_window(scope, self.max_batching_window)
        check_range(scope, "batch_size", self.batch_size, 1, MAX_BATCH)
        check_range(scope, "retry_attempts", self.retry_attempts, 0, 10_000)
        check_range(scope, "max_record_age", duration_seconds(self.max_record_age), 60, 604_800, "seconds")
        check_range(scope, "parallelization_factor", self.parallelization_factor, 1, 10)
        _filters(scope, self.filters)

    def _stream_props(self, source: PolledSource, fn: FunctionView) -> dict[str, Any]:
        window = _seconds(self.max_batching_window)
        age = duration_seconds(self.max_record_age)
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


def _grant_secret(fn: FunctionView, secret: secretsmanager.ISecret | None) -> None:
    if secret is not None:
        grant(grantee(fn), ["secretsmanager:GetSecretValue"], [secret.secret_arn])
        _decrypt(fn, secret.encryption_key)
