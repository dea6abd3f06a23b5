"""Amazon DocumentDB trigger: an event source mapping reading a change stream."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import Enum
from typing import TYPE_CHECKING, Any

from aws_cdk import ArnFormat, Duration, Stack
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_secretsmanager as secretsmanager

from lambda_constructs.compliance import LIBRARY_ACKNOWLEDGEMENTS, AcknowledgementKey, acknowledge, nag_arn
from lambda_constructs.field_types import checked_fields
from lambda_constructs.role_grants import grantee
from lambda_constructs.triggers._options import options_scope
from lambda_constructs.triggers._polled import (
    PolledSource,
    StartingPosition,
    _check_batching,
    _filters,
    _grant_secret,
    _mapping,
    _network_policy,
    _no_destination,
    _seconds,
)
from lambda_constructs.triggers._queues import grant
from lambda_constructs.triggers.base import InvocationKind, SourceKind, TriggerResult

if TYPE_CHECKING:
    from lambda_constructs.contract import FunctionView


class FullDocument(Enum):
    """What a DocumentDB change event carries for updates."""

    DEFAULT = "Default"
    """Only the changed fields."""
    UPDATE_LOOKUP = "UpdateLookup"
    """The whole document as it is now."""


@checked_fields
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

    def __post_init__(self) -> None:
        """Check the options that do not depend on the function.

        Raises:
            LambdaConstructsError: a batch size or batching window out of range, or an invalid filter.
        """
        scope = options_scope(self)
        _check_batching(scope, self.max_batching_window, self.batch_size, self.filters)

    def bind(self, fn: FunctionView, target: lambda_.IFunction, construct_id: str) -> TriggerResult:
        """Create the DocumentDB event source mapping on ``target`` (see the class docstring)."""
        source = PolledSource(fn.construct, construct_id)
        window = _seconds(self.max_batching_window)
        grant(grantee(fn), ["rds:DescribeDBClusters"], [self.cluster_arn])
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
                LIBRARY_ACKNOWLEDGEMENTS[AcknowledgementKey.EVENT_SOURCE_NETWORK_INTERFACES],
            )
        return source.result(self, source=SourceKind.CHANGE_STREAM)
