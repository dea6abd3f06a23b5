"""Where the library's statements for one function go: the function's role, or a policy in its own stack.

Every statement the library grants a function (its log group, key, failure queue, ``grant_read`` /
``grant_write``, secret environment values, trigger sources …) goes through :func:`add_statements` (or
:func:`grantee`, for helpers taking a grant target). With a role of the function's stack (the library's
:class:`~lambda_constructs.roles.ExecutionRole` or a role you passed) they go to the role as before. With a
role of ANOTHER stack they go to a customer-managed policy created in the function's stack,
:class:`FunctionStackPolicy` (construct id ``RolePolicy`` under the ``SecureFunction``, attached to the
role): the role's own policies live in the role's stack, and statements naming the function's resources
there would make the role's stack reference the function's while the function's references the role's
(``DependencyCycle`` at synthesis). So only the function's stack references the role's.
"""

from __future__ import annotations

from typing import Protocol

from aws_cdk import Stack
from aws_cdk import aws_iam as iam
from constructs import Construct, IConstruct

from lambda_constructs._jsii_speed import same_object

__all__ = ["POLICY_ID", "FunctionStackPolicy", "StatementTarget", "add_statements", "grantee", "role_in_other_stack"]

#: Construct id of :class:`FunctionStackPolicy`'s policy under the function.
POLICY_ID = "RolePolicy"


class StatementTarget(Protocol):
    """What takes a function's statements: a role (``iam.IRole``) or a :class:`FunctionStackPolicy`."""

    def add_to_principal_policy(self, statement: iam.PolicyStatement) -> iam.AddToPrincipalPolicyResult:
        """Add ``statement`` to a policy of the principal."""
        ...


class _Holder(Protocol):
    """A function view that may hold a :class:`FunctionStackPolicy` (``SecureFunction`` does)."""

    @property
    def role(self) -> iam.IRole: ...


def role_in_other_stack(role: iam.IRole, stack: Stack) -> bool:
    """True when ``role`` was defined in a stack other than ``stack`` (two jsii round trips)."""
    return not same_object(Stack.of(role), stack)


class FunctionStackPolicy:
    """The customer-managed policy (``RolePolicy`` under ``scope``, in ``scope``'s stack, ``roles=[role]``)
    holding the library's statements for a function whose role is in another stack.

    The policy is created on first use, with the first statements given to its constructor, and
    ``on_create`` (when given) is called with it (``SecureFunction`` makes its function depend on it, as an
    ``aws_lambda.Function`` depends on the policies of a role of its own stack). It is an
    ``AWS::IAM::ManagedPolicy``: the NIST / HIPAA / PCI cdk-nag packs do not report it as an inline policy.
    """

    def __init__(self, scope: Construct, role: iam.IRole) -> None:
        self._scope = scope
        self.role = role
        self._policy: iam.ManagedPolicy | None = None
        self.dependents: list[IConstruct] = []
        """Constructs made to depend on the policy once it exists (the function, event source mappings)."""

    @property
    def created(self) -> iam.ManagedPolicy | None:
        """The policy when it exists, else None (no jsii round trip)."""
        return self._policy

    @property
    def policy(self) -> iam.ManagedPolicy:
        """The policy, created now (empty) when it does not exist yet."""
        return self.ensure()

    def ensure(self, statements: tuple[iam.PolicyStatement, ...] = ()) -> iam.ManagedPolicy:
        """The policy with ``statements`` added (given to its constructor when it is created now)."""
        if self._policy is None:
            self._policy = iam.ManagedPolicy(
                self._scope,
                POLICY_ID,
                roles=[self.role],
                description=f"Least-privilege grants of {self._scope.node.path} (its role is in another stack)",
                statements=list(statements) or None,
            )
            for dependent in self.dependents:
                dependent.node.add_dependency(self._policy)
        elif statements:
            self._policy.add_statements(*statements)
        return self._policy

    def depend(self, construct: IConstruct) -> None:
        """Make ``construct`` depend on the policy (now when it exists, else when it is created)."""
        self.dependents.append(construct)
        if self._policy is not None:
            construct.node.add_dependency(self._policy)

    def add_grant_statements(self, *statements: iam.PolicyStatement) -> None:
        """Add ``statements`` to the policy (the interface of the library's execution role)."""
        self.ensure(statements)

    def add_to_principal_policy(self, statement: iam.PolicyStatement) -> iam.AddToPrincipalPolicyResult:
        """Add ``statement`` to the policy."""
        policy = self.ensure((statement,))
        return iam.AddToPrincipalPolicyResult(statement_added=True, policy_dependable=policy)


def grantee(fn: _Holder) -> iam.IRole | FunctionStackPolicy:
    """Where ``fn``'s statements go: its :class:`FunctionStackPolicy` when its role is in another stack,
    else its role (a function view without one: its role)."""
    target = getattr(fn, "role_policy", None)
    return target if isinstance(target, FunctionStackPolicy) else fn.role


def add_statements(fn: _Holder, *statements: iam.PolicyStatement) -> list[iam.AddToPrincipalPolicyResult]:
    """Add ``statements`` to :func:`grantee` of ``fn``, one ``add_to_principal_policy`` each (the library's
    execution role sorts wildcard actions into their policies). Returns the results, in order."""
    target = grantee(fn)
    return [target.add_to_principal_policy(statement) for statement in statements]
