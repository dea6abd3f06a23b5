"""CloudFront Lambda@Edge trigger: a numbered version and (optionally) a behavior."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from aws_cdk import Stack
from aws_cdk import aws_cloudfront as cloudfront
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from constructs import Construct

from lambda_constructs.errors import fail, warn
from lambda_constructs.field_types import checked_fields
from lambda_constructs.triggers._options import options_scope
from lambda_constructs.triggers._resources import TriggerResources
from lambda_constructs.triggers._sync import (
    _function_timeout,
)
from lambda_constructs.triggers.access import BoundTrigger
from lambda_constructs.triggers.base import InvocationKind, TriggerResult
from lambda_constructs.validation import check_range, is_token

if TYPE_CHECKING:
    from lambda_constructs.contract import FunctionView


#: (memory MB, timeout s) caps of Lambda@Edge per event type (CloudFront quotas).
EDGE_LIMITS: dict[cloudfront.LambdaEdgeEventType, tuple[int, int]] = {
    cloudfront.LambdaEdgeEventType.VIEWER_REQUEST: (128, 5),
    cloudfront.LambdaEdgeEventType.VIEWER_RESPONSE: (128, 5),
    cloudfront.LambdaEdgeEventType.ORIGIN_REQUEST: (10240, 30),
    cloudfront.LambdaEdgeEventType.ORIGIN_RESPONSE: (10240, 30),
}


class EdgeResources(TriggerResources):
    """What :class:`EdgeTrigger` created: ``version`` (numbered) and ``edge_lambda`` (for a behavior)."""

    version: lambda_.IVersion
    edge_lambda: cloudfront.EdgeLambda


@checked_fields
@dataclass(frozen=True, kw_only=True)
class EdgeTrigger(BoundTrigger[EdgeResources]):
    """CloudFront Lambda@Edge: publishes a numbered version and (optionally) adds a behavior.

    Add it with ``alias="$LATEST"``: Lambda@Edge needs a numbered version, not an alias. Checked at
    synth: stack region us-east-1, x86_64, no environment variables, no layers, memory/timeout caps.
    """

    event_type: cloudfront.LambdaEdgeEventType
    """Viewer/origin request/response (required)."""
    include_body: bool = False
    """Expose the request body (request events only). Default: False."""
    distribution: cloudfront.Distribution | None = None
    """Add a behavior to this distribution. Default: none (use ``resources.edge_lambda``)."""
    path_pattern: str | None = None
    """Behavior path pattern, with ``distribution``. Default: none."""
    origin: cloudfront.IOrigin | None = None
    """Behavior origin, with ``distribution``. Default: none."""

    @property
    def kind(self) -> InvocationKind:
        """CloudFront waits for the answer."""
        return InvocationKind.SYNC

    def __post_init__(self) -> None:
        """Check the options that do not depend on the function (before any construct exists).

        Raises:
            LambdaConstructsError: ``include_body`` on a response event, or a distribution without path pattern and origin.
        """
        scope = options_scope(self)
        event = str(self.event_type.value).lower().replace("_", "-")
        if self.include_body and event not in ("viewer-request", "origin-request"):
            raise fail(scope, "include_body applies only to request events", value=event, fix="drop include_body")
        if self.distribution is not None and (self.path_pattern is None or self.origin is None):
            raise fail(
                scope,
                "distribution needs path_pattern and origin (a new behavior)",
                value=self.path_pattern,
                fix="pass path_pattern='/api/*' and origin=...",
            )

    def bind(self, fn: FunctionView, target: lambda_.IFunction, construct_id: str) -> TriggerResult:
        """Validate the Lambda@Edge restrictions and publish a version."""
        res = EdgeResources(fn.construct, construct_id)
        self._validate(res, fn, target)
        if isinstance(target, lambda_.Version):
            version: lambda_.IVersion = target
        else:
            version = fn.function.current_version
        if isinstance(fn.role, iam.Role):
            fn.role.assume_role_policy.add_statements(  # type: ignore[union-attr]
                iam.PolicyStatement(
                    actions=["sts:AssumeRole"], principals=[iam.ServicePrincipal("edgelambda.amazonaws.com")]
                )
            )
        else:
            warn(res, "edgeRoleTrust", "the execution role is imported: it must trust edgelambda.amazonaws.com")
        res.version = version
        res.edge_lambda = cloudfront.EdgeLambda(
            event_type=self.event_type, function_version=version, include_body=self.include_body or None
        )
        if self.distribution is not None:
            assert self.path_pattern is not None and self.origin is not None  # checked in _validate
            self.distribution.add_behavior(
                self.path_pattern,
                self.origin,
                edge_lambdas=[res.edge_lambda],
                viewer_protocol_policy=cloudfront.ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
            )
        return self._result(res)

    def _validate(self, res: Construct, fn: FunctionView, target: lambda_.IFunction) -> None:
        if isinstance(target, lambda_.Alias):
            raise fail(
                res,
                "Lambda@Edge needs a numbered version, not an alias",
                value=target.alias_name,
                fix="add the trigger with fn.add_trigger(EdgeTrigger(...), alias='$LATEST'): it publishes a version",
            )
        region = Stack.of(fn).region
        if is_token(region):
            raise fail(
                res,
                "Lambda@Edge functions must be in us-east-1; this stack's region is unknown at synth",
                value="${Token[AWS.Region]}",
                fix="give the stack env=Environment(region='us-east-1')",
            )
        if region != "us-east-1":
            raise fail(
                res, "Lambda@Edge functions must be in us-east-1", value=region, fix="deploy this stack to us-east-1"
            )
        if fn.props.architecture.name != lambda_.Architecture.X86_64.name:
            raise fail(
                res,
                "Lambda@Edge supports only x86_64",
                value=fn.props.architecture.name,
                fix="set architecture=lambda_.Architecture.X86_64",
            )
        if fn.props.environment:
            raise fail(
                res,
                "Lambda@Edge does not support environment variables",
                value=sorted(fn.props.environment),
                fix="remove environment; read configuration from the request or embed it in the code",
            )
        if fn.props.layers:
            raise fail(
                res,
                "Lambda@Edge does not support layers",
                value=len(fn.props.layers),
                fix="bundle dependencies into the code",
            )
        memory_cap, timeout_cap = EDGE_LIMITS[self.event_type]
        event = str(self.event_type.value).lower().replace("_", "-")
        check_range(res, f"memory_size for a {event} Lambda@Edge function", fn.props.memory_size, 128, memory_cap, "MB")
        check_range(
            res, f"timeout for a {event} Lambda@Edge function", _function_timeout(fn), 1, timeout_cap, "seconds"
        )
