"""Apache Kafka triggers: Amazon MSK (``MskTrigger``) and self-managed Kafka (``SelfManagedKafkaTrigger``),
one family sharing the Kafka options and authentication.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import Enum
from typing import TYPE_CHECKING, Any

from aws_cdk import Duration, Fn
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_secretsmanager as secretsmanager
from aws_cdk import aws_sqs as sqs
from constructs import IConstruct

from lambda_constructs.errors import fail
from lambda_constructs.field_types import checked_fields
from lambda_constructs.role_grants import grantee
from lambda_constructs.triggers._options import options_scope
from lambda_constructs.triggers._polled import (
    PolledSource,
    StartingPosition,
    _check_batching,
    _destination,
    _filters,
    _grant_secret,
    _mapping,
    _network_policy,
    _seconds,
)
from lambda_constructs.triggers._queues import grant
from lambda_constructs.triggers.base import InvocationKind, SourceKind, TriggerResult
from lambda_constructs.validation import is_token

if TYPE_CHECKING:
    from lambda_constructs.contract import FunctionView

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


def _kafka_auth(
    source: IConstruct, auth: KafkaAuth | None, secret: secretsmanager.ISecret | None, allowed: Sequence[KafkaAuth]
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


@checked_fields
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

    def _check_common(self) -> None:
        scope = options_scope(self)
        if not is_token(self.topic) and not _KAFKA_TOPIC.fullmatch(self.topic):
            raise fail(
                scope,
                "invalid Kafka topic name (Lambda: 2–249 of [a-zA-Z0-9._-], not starting with '.')",
                value=self.topic,
                fix="use the topic's exact name",
            )
        _check_batching(scope, self.max_batching_window, self.batch_size, self.filters)

    def _common(self, source: PolledSource, fn: FunctionView, group: str) -> dict[str, Any]:
        window = _seconds(self.max_batching_window)
        return {
            "topics": [self.topic],
            "batch_size": self.batch_size,
            "maximum_batching_window_in_seconds": int(window) if window is not None else None,
            "starting_position": self.starting_position.value,
            "destination_config": _destination(fn, self.on_failure),
            "filter_criteria": _filters(source, self.filters),
            "enabled": self.enabled,
        }


@checked_fields
@dataclass(frozen=True, kw_only=True)
class MskTrigger(_KafkaOptions):
    """Consume a topic of an Amazon MSK cluster (IAM, SASL/SCRAM-512 or mTLS authentication)."""

    cluster_arn: str
    """ARN of the MSK cluster (``arn:aws:kafka:<region>:<account>:cluster/<name>/<uuid>``)."""

    def __post_init__(self) -> None:
        """Check the options that do not depend on the function.

        Raises:
            LambdaConstructsError: an authentication MSK does not offer (or a missing secret), an invalid topic name, a batch size or batching window out of range, or an invalid filter.
        """
        _kafka_auth(
            options_scope(self),
            self.authentication,
            self.secret,
            (KafkaAuth.IAM, KafkaAuth.SASL_SCRAM_512, KafkaAuth.MTLS),
        )
        self._check_common()

    def bind(self, fn: FunctionView, target: lambda_.IFunction, construct_id: str) -> TriggerResult:
        """Create the MSK event source mapping on ``target`` (see the class docstring)."""
        source = PolledSource(fn.construct, construct_id)
        access = _kafka_auth(
            source, self.authentication, self.secret, (KafkaAuth.IAM, KafkaAuth.SASL_SCRAM_512, KafkaAuth.MTLS)
        )
        group = self.consumer_group_id or construct_id
        props = self._common(source, fn, group)
        grant(grantee(fn), ["kafka:DescribeClusterV2"], [self.cluster_arn])
        _grant_secret(fn, self.secret)
        if self.authentication is KafkaAuth.IAM:
            prefix = Fn.select(0, Fn.split(":cluster/", self.cluster_arn))
            name_uuid = Fn.select(1, Fn.split(":cluster/", self.cluster_arn))
            grant(
                grantee(fn),
                ["kafka-cluster:Connect", "kafka-cluster:DescribeClusterDynamicConfiguration"],
                [self.cluster_arn],
            )
            grant(
                grantee(fn),
                ["kafka-cluster:DescribeTopic", "kafka-cluster:ReadData"],
                [Fn.join("", [prefix, ":topic/", name_uuid, "/", self.topic])],
            )
            grant(
                grantee(fn),
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
        return source.result(self, source=SourceKind.KAFKA, failure_destination=self.on_failure)


@checked_fields
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

    def __post_init__(self) -> None:
        """Check the options that do not depend on the function.

        Raises:
            LambdaConstructsError: no bootstrap server, an authentication self-managed Kafka does not offer (or a missing secret), an invalid topic name, a batch size or batching window out of range, or an invalid filter.
        """
        scope = options_scope(self)
        if not self.bootstrap_servers:
            raise fail(scope, "bootstrap_servers is empty", value=list(self.bootstrap_servers), fix="list host:port")
        _kafka_auth(
            scope,
            self.authentication,
            self.secret,
            (KafkaAuth.SASL_SCRAM_512, KafkaAuth.SASL_SCRAM_256, KafkaAuth.MTLS),
        )
        self._check_common()

    def bind(self, fn: FunctionView, target: lambda_.IFunction, construct_id: str) -> TriggerResult:
        """Create the Kafka event source mapping on ``target`` (see the class docstring)."""
        source = PolledSource(fn.construct, construct_id)
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
        return source.result(self, source=SourceKind.KAFKA, failure_destination=self.on_failure)
