"""Shared helpers for the synchronous triggers, and ``InvokeAccess``: direct invocation.

"Direct invocation", "custom application" and "mobile application" are not event sources: a
caller (an SDK, the CLI, an app using Cognito identity-pool credentials) calls ``lambda:Invoke``
itself. What the function needs is a scoped grant, on the alias only.
"""

from __future__ import annotations

import re
import warnings
import weakref
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Generic, TypeVar, cast

from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from constructs import Construct

from lambda_constructs.errors import fail
from lambda_constructs.field_types import checked_fields
from lambda_constructs.triggers._options import options_scope
from lambda_constructs.triggers._resources import TriggerResources
from lambda_constructs.triggers.base import InvocationKind, TriggerResult
from lambda_constructs.validation import is_token

if TYPE_CHECKING:
    from lambda_constructs.contract import FunctionView, Trigger

R = TypeVar("R", bound=TriggerResources)

ACCOUNT_ID = re.compile(r"^\d{12}$")


#: id(trigger) -> what its last bind created, only for the deprecated ``BoundTrigger.resources`` (an entry
#: goes when its trigger is garbage-collected).
_LAST_BOUND: dict[int, TriggerResources] = {}


@dataclass(frozen=True, kw_only=True)
class BoundTrigger(Generic[R]):
    """Base of the triggers whose resources construct has typed attributes (``R``).

    What ``bind`` created is the :class:`~lambda_constructs.contract.TriggerResult` that
    ``fn.add_trigger(trigger)`` returns (``result.resources`` is the ``R`` construct).
    """

    @property
    def resources(self) -> R:
        """Deprecated: use ``fn.add_trigger(trigger).resources``. What the last ``bind`` created.

        Raises:
            RuntimeError: the trigger was not added to a function yet.
        """
        warnings.warn(
            f"{type(self).__name__}.resources is deprecated: use the result of fn.add_trigger(trigger) "
            "(its .resources)",
            DeprecationWarning,
            stacklevel=2,
        )
        found = _LAST_BOUND.get(id(self))
        if found is None:
            raise RuntimeError(f"{type(self).__name__} is not bound yet: call fn.add_trigger(trigger) first")
        return cast("R", found)

    def _result(self, res: R, **options: Any) -> TriggerResult:
        """The result of binding this trigger to ``res``."""
        if id(self) not in _LAST_BOUND:
            weakref.finalize(self, _LAST_BOUND.pop, id(self), None)
        _LAST_BOUND[id(self)] = res
        return res.result(cast("Trigger", self), **options)


def permission(
    scope: Construct,
    construct_id: str,
    target: lambda_.IFunction,
    principal: str,
    *,
    source_arn: str | None = None,
    source_account: str | None = None,
    event_source_token: str | None = None,
    action: str = "lambda:InvokeFunction",
) -> lambda_.CfnPermission:
    """A resource-based ``lambda:InvokeFunction`` permission on ``target`` (an alias ARN) only."""
    created = lambda_.CfnPermission(
        scope,
        construct_id,
        action=action,
        function_name=target.function_arn,
        principal=principal,
        source_arn=source_arn,
        source_account=source_account,
        event_source_token=event_source_token,
    )
    if isinstance(scope, TriggerResources):
        scope.permissions.append(created)
    return created


class InvokeAccessResources(TriggerResources):
    """What :class:`InvokeAccess` created.

    Attributes:
        grants: one ``iam.Grant`` per IAM principal (identity policy on the principal).
        permissions: one ``CfnPermission`` per account or service principal (resource policy).
    """

    def __init__(self, scope: Construct, construct_id: str) -> None:
        super().__init__(scope, construct_id)
        self.grants: list[iam.Grant] = []


@checked_fields
@dataclass(frozen=True, kw_only=True)
class InvokeAccess(BoundTrigger[InvokeAccessResources]):
    """Direct invocation (SDK/CLI, a custom or mobile application): ``lambda:InvokeFunction`` on the alias only.

    IAM principals in this account get an identity-policy grant (``grant_invoke``); other accounts
    and service principals get a resource-based permission, with ``SourceArn``/``SourceAccount``
    when given. At least one of ``principals``, ``accounts`` and ``service`` is required.
    """

    principals: Sequence[iam.IGrantable] = ()
    """Roles, users or groups (e.g. a Cognito identity pool's authenticated role for a mobile app)
    allowed to invoke. Default: none."""
    accounts: Sequence[str] = ()
    """12-digit account ids allowed to invoke (resource-based permission). Default: none."""
    service: str | None = None
    """A service principal (e.g. ``events.amazonaws.com``) allowed to invoke. Default: none."""
    source_arn: str | None = None
    """``SourceArn`` condition for ``service``. Default: none (then ``source_account`` is required)."""
    source_account: str | None = None
    """``SourceAccount`` condition for ``service``. Default: none."""

    @property
    def kind(self) -> InvocationKind:
        """The caller chooses; RequestResponse is the default of the Invoke API."""
        return InvocationKind.SYNC

    def __post_init__(self) -> None:
        """Check the options that do not depend on the function (before any construct exists).

        Raises:
            LambdaConstructsError: no principal, an account that is not a 12-digit id, or a service principal without a condition.
        """
        scope = options_scope(self)
        if not (self.principals or self.accounts or self.service):
            raise fail(
                scope,
                "InvokeAccess needs at least one of principals, accounts or service",
                value="no principal",
                fix="pass principals=[role], accounts=['123456789012'] or service='x.amazonaws.com'",
            )
        for account in self.accounts:
            if not is_token(account) and not ACCOUNT_ID.match(account):
                raise fail(
                    scope, "accounts must be 12-digit AWS account ids", value=account, fix="use e.g. '123456789012'"
                )
        if self.service is not None and self.source_arn is None and self.source_account is None:
            raise fail(
                scope,
                "a service principal needs a SourceArn or SourceAccount condition (confused deputy)",
                value=self.service,
                fix="pass source_arn= (the calling resource) or source_account=",
            )

    def bind(self, fn: FunctionView, target: lambda_.IFunction, construct_id: str) -> TriggerResult:
        """Create the grants and permissions under ``fn/<construct_id>``."""
        res = InvokeAccessResources(fn.construct, construct_id)
        for principal in self.principals:
            res.grants.append(target.grant_invoke(principal))
        for index, account in enumerate(self.accounts):
            permission(res, f"Account{index}", target, account)
        if self.service is not None:
            permission(
                res,
                "Service",
                target,
                self.service,
                source_arn=self.source_arn,
                source_account=self.source_account,
            )
        return self._result(res)
