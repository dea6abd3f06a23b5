"""One IAM role class for every role the library creates: statements go to customer-managed policies.

NIST 800-53, HIPAA and PCI DSS packs reject inline policies, so :class:`Role` writes every statement
into its ``Policy`` (a customer-managed policy) instead of CDK's inline default policy. Actions AWS
offers no resource-level permission for (X-Ray; log delivery of Step Functions and API Gateway) go to
a policy of their own (:class:`WildcardPolicy`), so the acknowledgement of their ``*`` resource covers
nothing else. The permissions boundary, when given, is applied to the role.

* The function's execution role: ``Role(...)`` with the defaults (:data:`EXECUTION_ROLE_WILDCARDS`);
  ``ExecutionRole`` is the same class under its historical name. The execution roles ``SecureFunction``
  creates in a stack share one X-Ray policy (:func:`stack_tracing_policy`, construct id
  :data:`STACK_TRACING_POLICY_ID` under the stack) holding :func:`tracing_statement`: the statement is the
  same for every function, and its actions support no resource-level permission, so one policy grants no
  function more than its own would.
* Roles a trigger creates for a service (Step Functions, API Gateway logging, S3 Batch Operations):
  ``Role(..., boundary=fn.permissions_boundary, wildcard_policies=SERVICE_ROLE_WILDCARDS)``;
  ``ServiceRole(scope, id, fn, ...)`` is the deprecated spelling.
"""

from __future__ import annotations

import json
import warnings
import weakref
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING, Any

from aws_cdk import ArnFormat, Stack
from aws_cdk import aws_iam as iam
from constructs import Construct

from lambda_constructs._jsii_speed import create, init, read_once, root_of, same_object
from lambda_constructs.compliance import LIBRARY_ACKNOWLEDGEMENTS, AcknowledgementKey, acknowledge
from lambda_constructs.errors import fail, require_free_id
from lambda_constructs.role_arguments import check_role_arguments

if TYPE_CHECKING:
    from constructs import IConstruct

    from lambda_constructs.contract import FunctionView
    from lambda_constructs.errors import LambdaConstructsError

__all__ = [
    "EXECUTION_ROLE_WILDCARDS",
    "INSIGHTS_MANAGED_POLICY",
    "SERVICE_ROLE_WILDCARDS",
    "STACK_TRACING_POLICY_ID",
    "TRACING_ACTIONS",
    "TRACING_STATEMENT_JSON",
    "ExecutionRole",
    "Role",
    "ServiceRole",
    "WildcardPolicy",
    "shared_tracing_policy_errors",
    "shared_tracing_policy_of",
    "stack_tracing_policy",
    "tracing_statement",
]

#: The AWS managed policy CDK attaches for Lambda Insights; Role replaces it (see add_managed_policy).
INSIGHTS_MANAGED_POLICY = "CloudWatchLambdaInsightsExecutionRolePolicy"
INSIGHTS_LOG_STREAMS_FINDING = (
    "arn:<AWS::Partition>:logs:<AWS::Region>:<AWS::AccountId>:log-group:/aws/lambda-insights:*"
)
INSIGHTS_REASON = (
    "The Lambda Insights extension writes to log streams it names at run time in the /aws/lambda-insights "
    "log group of this account and region; the statement is scoped to that log group."
)
#: The cdk-nag finding a wildcard policy's acknowledgement is for.
WILDCARD_FINDING = "AwsSolutions-IAM5[Resource::*]"


@dataclass(frozen=True, kw_only=True)
class WildcardPolicy:
    """Where a role puts statements whose actions have no resource-level permission."""

    prefix: str
    """A statement goes here when every action starts with this (e.g. ``xray:``; required)."""
    policy_id: str
    """Construct id of the managed policy under the role (required; construct ids are API)."""
    description: str
    """The policy's description (required)."""
    acknowledgement: AcknowledgementKey | str
    """Key of ``LIBRARY_ACKNOWLEDGEMENTS`` (an :class:`~lambda_constructs.compliance.AcknowledgementKey`; its string works too) giving the reason of the ``*`` finding (required)."""
    star_only: bool = True
    """Only statements whose resources are exactly ``["*"]``. Default: True."""


#: The execution role: X-Ray statements (resource ``*`` by nature) in ``TracingPolicy``.
EXECUTION_ROLE_WILDCARDS: tuple[WildcardPolicy, ...] = (
    WildcardPolicy(
        prefix="xray:",
        policy_id="TracingPolicy",
        description="X-Ray segments (no resource-level ARNs)",
        acknowledgement=AcknowledgementKey.XRAY_RESOURCE_STAR,
        star_only=False,
    ),
)
#: A service's role: X-Ray and log-delivery statements on ``*`` in ``TracingPolicy`` / ``LogDeliveryPolicy``.
SERVICE_ROLE_WILDCARDS: tuple[WildcardPolicy, ...] = (
    WildcardPolicy(
        prefix="xray:",
        policy_id="TracingPolicy",
        description="xray:* without resource ARNs",
        acknowledgement=AcknowledgementKey.XRAY_RESOURCE_STAR,
    ),
    WildcardPolicy(
        prefix="logs:",
        policy_id="LogDeliveryPolicy",
        description="logs:* without resource ARNs",
        acknowledgement=AcknowledgementKey.STEP_FUNCTIONS_LOG_DELIVERY,
    ),
)


@cache
def tracing_statement() -> iam.PolicyStatement:
    """The statement ``aws_lambda.Function`` adds for tracing: ``xray:PutTraceSegments`` and
    ``xray:PutTelemetryRecords`` on ``*``. Frozen (``PolicyStatement.freeze``, immutable) and created once
    per process, so every function's ``TracingPolicy`` shares it (a jsii speed-up, see ``_jsii_speed``)."""
    return iam.PolicyStatement(actions=list(TRACING_ACTIONS), resources=["*"]).freeze()


#: The actions of :func:`tracing_statement`, in its order.
TRACING_ACTIONS = ("xray:PutTraceSegments", "xray:PutTelemetryRecords")

#: :func:`tracing_statement` as its policy document renders it (``PolicyStatement.to_statement_json``).
TRACING_STATEMENT_JSON: dict[str, Any] = {"Action": list(TRACING_ACTIONS), "Effect": "Allow", "Resource": "*"}


#: Construct id (a child of the stack, beside ``keys.STACK_KEY_ID``) of the X-Ray policy the execution roles
#: ``SecureFunction`` creates in a stack share (:func:`stack_tracing_policy`).
STACK_TRACING_POLICY_ID = "LambdaConstructsTracingPolicy"


def stack_tracing_policy(stack: Stack) -> iam.ManagedPolicy:
    """The stack's shared X-Ray policy, created by the first function that needs it.

    A customer-managed policy, child of ``stack`` with the id :data:`STACK_TRACING_POLICY_ID`, holding only
    :func:`tracing_statement` (``xray:PutTraceSegments`` and ``xray:PutTelemetryRecords`` on ``*``: neither
    action supports a resource-level permission in the Service Authorization Reference,
    https://docs.aws.amazon.com/service-authorization/latest/reference/list_awsx-ray.html), its ``*``
    acknowledged once (``AwsSolutions-IAM5[Resource::*]``, the reason of a role's own ``TracingPolicy``).
    Roles take it in their constructor (``Role(..., shared_tracing_policy=...)``, listed in the role's
    ``ManagedPolicyArns``): no call per role. Created and acknowledged once per stack (three jsii round
    trips, and two to check the id), then read from a cache (weak keys: it lives as long as the stack).

    It must hold nothing else: every traced ``SecureFunction`` role of the stack has it, so a statement added
    to it (``add_statements``, ``document.add_statements``) would reach all of them; synthesis fails when it
    does (:func:`shared_tracing_policy_errors`). Attaching it to another principal (``attach_to_role`` …)
    grants that principal only the X-Ray statement and is allowed.

    Raises:
        LambdaConstructsError: ``stack`` already has another construct with the id :data:`STACK_TRACING_POLICY_ID`
            (a construct of that id created under the stack *after* the policy gets aws-cdk-lib's own
            "There is already a Construct with name" error instead, at its creation).
    """
    return read_once(_STACK_TRACING_POLICIES, stack, _new_stack_tracing_policy)


def _new_stack_tracing_policy(stack: Stack) -> iam.ManagedPolicy:
    require_free_id(
        stack,
        STACK_TRACING_POLICY_ID,
        holder="SecureFunctions put the stack's shared X-Ray policy there",
        fix="rename your construct",
    )
    policy = iam.ManagedPolicy(
        stack,
        STACK_TRACING_POLICY_ID,
        description="X-Ray segments of the stack's SecureFunctions (no resource-level ARNs)",
        statements=[tracing_statement()],
    )
    acknowledge(policy, WILDCARD_FINDING, LIBRARY_ACKNOWLEDGEMENTS[AcknowledgementKey.XRAY_RESOURCE_STAR])
    return policy


#: The shared X-Ray policy of each stack, once created (weak keys: it lives as long as the stack).
_STACK_TRACING_POLICIES: weakref.WeakKeyDictionary[Stack, iam.ManagedPolicy] = weakref.WeakKeyDictionary()


def shared_tracing_policy_of(stack: Stack) -> iam.ManagedPolicy | None:
    """The shared X-Ray policy :func:`stack_tracing_policy` made in ``stack``, None before one needed it (no
    jsii round trip)."""
    return _STACK_TRACING_POLICIES.get(stack)


#: Where to put a statement instead of the shared X-Ray policy (the ``fix`` of its error).
_SHARED_TRACING_POLICY_FIX = (
    "grant a function what it needs on its own role: fn.owned_role.add_to_principal_policy(statement) or "
    "fn.function.add_to_role_policy(statement) (X-Ray statements added so go to the role's own TracingPolicy "
    "by themselves); remove the statements you added to the shared policy"
)


def shared_tracing_policy_errors(root: IConstruct) -> list[LambdaConstructsError]:
    """One error per shared X-Ray policy (:func:`stack_tracing_policy`) in the app whose root is ``root``
    that holds more than :func:`tracing_statement`: it is in the ``ManagedPolicyArns`` of every traced
    ``SecureFunction`` role of its stack, so whatever else it holds reaches all of them, and its
    ``AwsSolutions-IAM5[Resource::*]`` acknowledgement would hide a ``*`` (synth-time check of
    ``deploy_rules``; empty when all are untouched).

    Read at synthesis, after every aspect, so statements added at any time count (``add_statements`` and
    ``document.add_statements`` alike). The policy's document must render to exactly
    :data:`TRACING_STATEMENT_JSON`; its statement count is not enough: with the feature flag
    ``@aws-cdk/aws-iam:minimizePolicies`` aws-cdk-lib merges statements of the same resources in place
    before the validation runs (``s3:GetObject`` on ``*`` joins the X-Ray statement: one statement). Two jsii
    round trips per shared policy of this app (its ``document``, ``to_json``); none for the policies of
    other apps held by the process (their root was read when they were made) and none without a shared
    policy. Whom the policy is attached to is not checked: another principal (``attach_to_role`` /
    ``attach_to_user`` / ``attach_to_group``) gets only X-Ray's two write-only telemetry actions, which no
    resource-level permission could narrow anyway. Statements written with ``add_property_override`` on
    its ``AWS::IAM::ManagedPolicy`` are not seen.
    """
    errors: list[LambdaConstructsError] = []
    for stack, policy in list(_STACK_TRACING_POLICIES.items()):
        if not same_object(root_of(stack), root):
            continue
        statements = (policy.document.to_json() or {}).get("Statement") or []
        if statements != [TRACING_STATEMENT_JSON]:
            errors.append(
                fail(
                    policy,
                    "the stack's shared X-Ray policy must hold only the library's statement "
                    f"(xray:PutTraceSegments, xray:PutTelemetryRecords on *) but renders {len(statements)} "
                    "statement(s), these besides it or merged into it (@aws-cdk/aws-iam:minimizePolicies): the "
                    "policy is attached to the execution role of every traced SecureFunction of the stack, so "
                    "they would reach each of them (hidden from cdk-nag by its acknowledgement of Resource::*, "
                    "meant for X-Ray only)",
                    value=[statement for statement in statements if statement != TRACING_STATEMENT_JSON],
                    fix=_SHARED_TRACING_POLICY_FIX,
                )
            )
    return errors


class Role(iam.Role):
    """A role whose statements go to customer-managed policies, never inline ones.

    ``boundary``: the permissions boundary to apply (None: none). ``wildcard_policies``: where
    statements without resource-level permissions go (default: the execution role's).
    ``shared_tracing_policy``: a policy holding the X-Ray statement of tracing that other roles share (the
    stack's, :func:`stack_tracing_policy`), attached by the role's constructor (appended to
    ``managed_policies``: no call of its own); None (default): none. ``defer_policy``:
    create ``Policy`` on first use instead of now (default False), so that the first
    :meth:`add_grant_statements` gives it its statements in its constructor: one jsii round trip fewer
    (``SecureFunction`` does this; see ``_jsii_speed``). Whatever uses the policy first creates it
    (:attr:`policy`, :meth:`add_grant_statements`, :meth:`add_to_principal_policy`), so no statement is
    lost; the caller keeps the template's order by creating it (:meth:`ensure_policy`) before any other
    child of the role (a wildcard policy, ``NetworkPolicy``), as an eager role does. Other keyword
    arguments are ``iam.Role``'s (``assumed_by``, ``description``, ``managed_policies`` …), checked against
    ``iam.RoleProps``' annotations (what aws-cdk-lib accepts) before the role is made, but not
    ``inline_policies``: this role never has inline policies.

    Raises:
        LambdaConstructsTypeError: an ``iam.Role`` keyword argument of the wrong type
            (``max_session_duration=7200`` instead of ``Duration.hours(2)``), naming the class and argument.
        LambdaConstructsError: ``inline_policies`` given (fix: managed policies or ``add_to_principal_policy``).
        TypeError: a keyword argument ``iam.Role`` does not take, naming the class.
    """

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        boundary: iam.IManagedPolicy | None = None,
        wildcard_policies: Sequence[WildcardPolicy] = EXECUTION_ROLE_WILDCARDS,
        shared_tracing_policy: iam.ManagedPolicy | None = None,
        defer_policy: bool = False,
        **kwargs: Any,
    ) -> None:
        display_name = "ExecutionRole" if type(self) is Role else type(self).__name__
        check_role_arguments(scope, construct_id, display_name, kwargs)
        if shared_tracing_policy is not None:
            kwargs["managed_policies"] = [*(kwargs.get("managed_policies") or ()), shared_tracing_policy]
        # iam.Role's constructor (_jsii_speed), without its typeguard checks: check_role_arguments did them.
        init(self, iam.Role, iam.RoleProps, scope, construct_id, display_name=display_name, **kwargs)
        self._shared_tracing_policy = shared_tracing_policy
        self._policy: iam.ManagedPolicy | None = None
        if not defer_policy:
            self.ensure_policy()
        self._wildcards = tuple(wildcard_policies)
        self._wildcard_policies: dict[str, iam.ManagedPolicy] = {}
        if boundary is not None:
            iam.PermissionsBoundary.of(self).apply(boundary)

    @property
    def shared_tracing_policy(self) -> iam.ManagedPolicy | None:
        """The shared X-Ray policy given to the constructor (``shared_tracing_policy``); None without one."""
        return self._shared_tracing_policy

    @property
    def policy(self) -> iam.ManagedPolicy:
        """The ``Policy`` managed policy (construct id ``Policy`` under the role) holding every statement that
        goes to no wildcard policy; created on first use when the role was made with ``defer_policy``."""
        return self.ensure_policy()

    def ensure_policy(self, statements: Sequence[iam.PolicyStatement] = ()) -> iam.ManagedPolicy:
        """:attr:`policy`, created now (with ``statements``, given to its constructor) when it does not exist
        yet; ``statements`` (default: none) are added to it when it does. Returns the policy."""
        if self._policy is None:
            self._policy = create(
                iam.ManagedPolicy,
                iam.ManagedPolicyProps,
                self,
                "Policy",
                roles=[self],
                description="Least-privilege grants",
                statements=list(statements) or None,  # what add_statements would add, without another call
            )
        elif statements:
            self._policy.add_statements(*statements)
        return self._policy

    def release_empty_policy(self) -> None:
        """Remove :attr:`policy` when it exists and holds no statement (one jsii round trip); it is created
        again on first use. A ``SecureFunction`` of another stack calls this: its statements go to a policy
        of its own stack, and an empty ``AWS::IAM::ManagedPolicy`` fails synthesis ("Managed Policy is
        empty")."""
        if self._policy is not None and self._policy.document.is_empty:
            self.node.try_remove_child("Policy")
            self._policy = None

    @property
    def tracing_policy(self) -> iam.ManagedPolicy | None:
        """The policy granting this role the X-Ray statement of tracing: ``shared_tracing_policy`` (the stack's
        shared policy for a ``SecureFunction``'s role with tracing on); for a role without one, its own
        ``TracingPolicy`` once an X-Ray statement went there; else None.

        X-Ray statements added to the role later (``add_to_principal_policy``, ``add_wildcard_statements``)
        go to the role's own ``TracingPolicy`` (created on first use), never into the shared policy, which
        would grant them to every role sharing it. Add no statements to the shared policy yourself
        (``tracing_policy.add_statements`` / ``tracing_policy.document.add_statements``): synthesis fails with
        a ``LambdaConstructsError`` naming the policy's path (:func:`shared_tracing_policy_errors`); grant a
        function what it needs with ``fn.owned_role.add_to_principal_policy(statement)`` or
        ``fn.function.add_to_role_policy(statement)`` instead. Before the shared policy (this release's
        ``CHANGELOG``), this was the role's own policy, where such statements reached one function only.
        """
        return self._shared_tracing_policy or self._wildcard_policies.get("TracingPolicy")

    def add_grant_statements(self, *statements: iam.PolicyStatement) -> None:
        """Add statements that hold no wildcard-policy actions to the grants policy, in one jsii round trip
        (given to its constructor when the policy is created now, see ``defer_policy``).

        What :meth:`add_to_principal_policy` does with them, without reading each statement's actions
        back from JavaScript; the library's own grants use it.
        """
        self.ensure_policy(statements)

    def add_to_principal_policy(self, statement: iam.PolicyStatement) -> iam.AddToPrincipalPolicyResult:
        """Add ``statement`` to ``policy``, or to its wildcard policy (created on first use, acknowledged)."""
        target = self.policy
        actions = statement.actions  # one jsii round trip, not two per statement
        for wildcard in self._wildcards:
            if (
                actions
                and all(action.startswith(wildcard.prefix) for action in actions)
                and (not wildcard.star_only or statement.resources == ["*"])
            ):
                target = self._wildcard_policy(wildcard, (statement,))
                break
        else:
            target.add_statements(statement)
        return iam.AddToPrincipalPolicyResult(statement_added=True, policy_dependable=target)

    def add_wildcard_statements(
        self, policy_id: str, *statements: iam.PolicyStatement, look_up: bool = True
    ) -> iam.ManagedPolicy:
        """Add ``statements`` to the wildcard policy ``policy_id`` (created on first use, acknowledged).

        What :meth:`add_to_principal_policy` does with statements whose actions belong there, without
        reading each statement's actions back from JavaScript: the caller vouches that they belong (the
        library's X-Ray statement, see ``SecureFunction``). When the policy is new, the statements are
        given to its constructor (no separate ``add_statements`` call). ``look_up``: first look for a policy
        of that id a caller created under the role outside this class (two jsii round trips; default True);
        False when nothing but this class can have added children to the role yet (a role just created).
        Returns the policy.

        Raises:
            KeyError: none of the role's ``wildcard_policies`` has the construct id ``policy_id``.
        """
        for wildcard in self._wildcards:
            if wildcard.policy_id == policy_id:
                return self._wildcard_policy(wildcard, statements, look_up=look_up)
        raise KeyError(
            f"{policy_id!r} is none of this role's wildcard policies: {[w.policy_id for w in self._wildcards]}"
        )

    def _wildcard_policy(
        self, wildcard: WildcardPolicy, statements: Sequence[iam.PolicyStatement] = (), *, look_up: bool = True
    ) -> iam.ManagedPolicy:
        """The wildcard policy (created on first use, acknowledged) with ``statements`` added."""
        found = self._wildcard_policies.get(wildcard.policy_id)
        if found is None and look_up:
            # A caller may have created it already (the API Gateway account role's LogDeliveryPolicy).
            existing = self.node.try_find_child(wildcard.policy_id)
            if isinstance(existing, iam.ManagedPolicy):
                found = existing
        if found is None:
            found = iam.ManagedPolicy(
                self,
                wildcard.policy_id,
                roles=[self],
                description=wildcard.description,
                statements=list(statements) or None,  # what add_statements would add, without another call
            )
            acknowledge(found, WILDCARD_FINDING, LIBRARY_ACKNOWLEDGEMENTS[wildcard.acknowledgement])
        elif statements:
            found.add_statements(*statements)
        self._wildcard_policies[wildcard.policy_id] = found
        return found

    def add_managed_policy(self, policy: iam.IManagedPolicy) -> None:
        """Attach ``policy``; the Lambda Insights AWS managed policy becomes a scoped ``InsightsPolicy``."""
        stack = Stack.of(self)
        if INSIGHTS_MANAGED_POLICY not in json.dumps(stack.resolve(policy.managed_policy_arn)):
            super().add_managed_policy(policy)
            return
        if self.node.try_find_child("InsightsPolicy") is not None:
            return
        self.ensure_policy()  # Policy first among the role's children (their order is the template's)
        insights = iam.ManagedPolicy(
            self, "InsightsPolicy", roles=[self], description="Lambda Insights extension: its own log group only"
        )
        log_group = stack.format_arn(
            service="logs",
            resource="log-group",
            resource_name="/aws/lambda-insights",
            arn_format=ArnFormat.COLON_RESOURCE_NAME,
        )
        insights.add_statements(
            iam.PolicyStatement(actions=["logs:CreateLogGroup"], resources=[log_group]),
            iam.PolicyStatement(actions=["logs:CreateLogStream", "logs:PutLogEvents"], resources=[f"{log_group}:*"]),
        )
        acknowledge(insights, f"AwsSolutions-IAM5[Resource::{INSIGHTS_LOG_STREAMS_FINDING}]", INSIGHTS_REASON)


#: The function's execution role: :class:`Role` under its historical name (the same class).
ExecutionRole = Role


class ServiceRole(Role):
    """Deprecated: ``Role(scope, id, boundary=fn.permissions_boundary, wildcard_policies=SERVICE_ROLE_WILDCARDS)``.

    Kept so ``ServiceRole(scope, construct_id, fn, **kwargs)`` keeps working; warns (DeprecationWarning).
    """

    def __init__(self, scope: Construct, construct_id: str, fn: FunctionView, **kwargs: Any) -> None:
        warnings.warn(
            "ServiceRole is deprecated: use lambda_constructs.roles.Role(scope, id, "
            "boundary=fn.permissions_boundary, wildcard_policies=SERVICE_ROLE_WILDCARDS, ...)",
            DeprecationWarning,
            stacklevel=2,
        )
        super().__init__(
            scope,
            construct_id,
            boundary=fn.permissions_boundary,
            wildcard_policies=SERVICE_ROLE_WILDCARDS,
            **kwargs,
        )
