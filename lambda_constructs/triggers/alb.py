"""Application Load Balancer trigger: the alias as a target of an ALB target group."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import jsii
from aws_cdk import Aws
from aws_cdk import aws_elasticloadbalancingv2 as elbv2
from aws_cdk import aws_lambda as lambda_

from lambda_constructs.errors import fail
from lambda_constructs.field_types import checked_fields
from lambda_constructs.triggers._options import options_scope
from lambda_constructs.triggers._resources import TriggerResources
from lambda_constructs.triggers.access import BoundTrigger, permission
from lambda_constructs.triggers.base import InvocationKind, TriggerResult
from lambda_constructs.validation import check_range

if TYPE_CHECKING:
    from lambda_constructs.contract import FunctionView


class AlbTargetResources(TriggerResources):
    """What :class:`AlbTarget` created: ``target_group``, ``permission``."""

    target_group: elbv2.ApplicationTargetGroup
    permission: lambda_.CfnPermission


@jsii.implements(elbv2.IApplicationLoadBalancerTarget)
class _AliasTarget:
    """Registers the alias ARN in a Lambda target group after the permission exists."""

    def __init__(self, target: lambda_.IFunction, perm: lambda_.CfnPermission) -> None:
        self._target = target
        self._permission = perm

    def attach_to_application_target_group(
        self, target_group: elbv2.IApplicationTargetGroup
    ) -> elbv2.LoadBalancerTargetProps:
        target_group.node.add_dependency(self._permission)
        return elbv2.LoadBalancerTargetProps(
            target_type=elbv2.TargetType.LAMBDA, target_json={"id": self._target.function_arn}
        )


@checked_fields
@dataclass(frozen=True, kw_only=True)
class AlbTarget(BoundTrigger[AlbTargetResources]):
    """A Lambda target group on an Application Load Balancer listener, targeting the alias.

    The permission for ``elasticloadbalancing.amazonaws.com`` is scoped by ``SourceAccount``: a
    ``SourceArn`` of the target group would be a circular reference (the group registers the alias).
    """

    listener: elbv2.IApplicationListener
    """The listener to route from (required)."""
    priority: int | None = None
    """Rule priority 1–50000, with ``conditions``. Default: none (the listener's default action)."""
    conditions: Sequence[elbv2.ListenerCondition] = ()
    """Conditions of the rule. Default: none."""
    multi_value_headers: bool = False
    """Send multi-value headers/query strings. Default: False."""

    @property
    def kind(self) -> InvocationKind:
        """The load balancer waits for the answer."""
        return InvocationKind.SYNC

    def __post_init__(self) -> None:
        """Check the options that do not depend on the function (before any construct exists).

        Raises:
            LambdaConstructsError: a priority out of range, or a priority without conditions (or conditions without a priority).
        """
        scope = options_scope(self)
        check_range(scope, "priority", self.priority, 1, 50000)
        if (self.priority is None) != (not self.conditions):
            raise fail(
                scope,
                "priority and conditions go together",
                value={"priority": self.priority, "conditions": len(self.conditions)},
                fix="pass both (a listener rule) or neither (the listener's default action)",
            )

    def bind(self, fn: FunctionView, target: lambda_.IFunction, construct_id: str) -> TriggerResult:
        """Create the target group and listener rule under ``fn/<construct_id>``."""
        res = AlbTargetResources(fn.construct, construct_id)
        res.permission = permission(
            res, "Permission", target, "elasticloadbalancing.amazonaws.com", source_account=Aws.ACCOUNT_ID
        )
        res.target_group = elbv2.ApplicationTargetGroup(
            res,
            "TargetGroup",
            target_type=elbv2.TargetType.LAMBDA,
            targets=[_AliasTarget(target, res.permission)],
        )
        if self.multi_value_headers:
            res.target_group.set_attribute("lambda.multi_value_headers.enabled", "true")
        self.listener.add_target_groups(
            f"{fn.node.id}{construct_id}",
            target_groups=[res.target_group],
            priority=self.priority,
            conditions=list(self.conditions) or None,
        )
        return self._result(res)
