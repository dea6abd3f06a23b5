"""Amazon S3 Batch Operations trigger: the role Batch Operations assumes to invoke the alias."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from aws_cdk import Aws
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_

from lambda_constructs.field_types import checked_fields
from lambda_constructs.roles import SERVICE_ROLE_WILDCARDS, Role
from lambda_constructs.triggers._resources import TriggerResources
from lambda_constructs.triggers.access import BoundTrigger
from lambda_constructs.triggers.base import InvocationKind, TriggerResult

if TYPE_CHECKING:
    from lambda_constructs.contract import FunctionView


class S3BatchResources(TriggerResources):
    """What :class:`S3BatchOperationsTrigger` created: ``role`` (pass its ARN to CreateJob)."""

    role: Role


@checked_fields
@dataclass(frozen=True, kw_only=True)
class S3BatchOperationsTrigger(BoundTrigger[S3BatchResources]):
    """The role S3 Batch Operations assumes to invoke the alias (and nothing else).

    Grant it read on the manifest and write on the report location yourself, e.g.
    ``bucket.grant_read(fn.add_trigger(trigger).resources.role, "manifests/*")``.
    """

    description: str | None = None
    """Role description. Default: 'S3 Batch Operations role invoking <alias>'."""

    @property
    def kind(self) -> InvocationKind:
        """Batch Operations invokes per object and waits for the result."""
        return InvocationKind.SYNC

    def bind(self, fn: FunctionView, target: lambda_.IFunction, construct_id: str) -> TriggerResult:
        """Create the role, trusted by batchoperations.s3.amazonaws.com from this account only."""
        res = S3BatchResources(fn.construct, construct_id)
        res.role = Role(
            res,
            "Role",
            boundary=fn.permissions_boundary,
            wildcard_policies=SERVICE_ROLE_WILDCARDS,
            assumed_by=iam.ServicePrincipal(
                "batchoperations.s3.amazonaws.com", conditions={"StringEquals": {"aws:SourceAccount": Aws.ACCOUNT_ID}}
            ),
            description=self.description or f"S3 Batch Operations role invoking {target.node.path}",
        )
        res.role.add_to_principal_policy(
            iam.PolicyStatement(actions=["lambda:InvokeFunction"], resources=[target.function_arn])
        )
        return self._result(res)
