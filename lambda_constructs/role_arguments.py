"""The ``iam.Role`` keyword arguments of the library's :class:`~lambda_constructs.roles.Role` (``ExecutionRole``),
checked as aws-cdk-lib's generated constructor would (its constructor skips those checks: ``_jsii_speed.init``).
"""

from __future__ import annotations

import typing
from functools import cache
from typing import Any

from aws_cdk import aws_iam as iam
from constructs import Construct

from lambda_constructs._jsii_speed import child_path
from lambda_constructs.errors import LambdaConstructsTypeError, fail
from lambda_constructs.field_types import check_argument

__all__ = ["check_role_arguments"]


@cache
def _role_props_hints() -> dict[str, Any]:
    """The annotations of ``iam.RoleProps``' constructor (what aws-cdk-lib's own typeguard checks against)."""
    hints = typing.get_type_hints(iam.RoleProps.__init__)
    hints.pop("return", None)
    return hints


def check_role_arguments(scope: Construct, construct_id: str, display_name: str, kwargs: dict[str, Any]) -> None:
    """Check the ``iam.Role`` keyword arguments given to :class:`Role` against ``iam.RoleProps``' annotations
    (no jsii round trip unless one is wrong: the path is read for the error only); refuse ``inline_policies``.

    Raises:
        LambdaConstructsTypeError: a keyword argument of the wrong type, naming the class and the argument.
        LambdaConstructsError: ``inline_policies`` given (this role's statements never go to inline policies).
    """
    if kwargs.get("inline_policies"):
        raise fail(
            scope,
            f"{display_name}({construct_id!r}, inline_policies=...): this role keeps every statement in "
            "customer-managed policies, never inline ones (the NIST 800-53 R5, HIPAA and PCI DSS cdk-nag packs "
            "report inline policies as IAMNoInlinePolicy)",
            value=sorted(kwargs["inline_policies"]),
            fix="pass the documents as managed policies: managed_policies=[iam.ManagedPolicy(scope, id, "
            "document=doc)], or add statements with role.add_to_principal_policy(statement)",
        )
    hints = _role_props_hints()
    for name, value in kwargs.items():
        annotation = hints.get(name)
        if annotation is None:
            continue  # an unknown keyword: _jsii_speed.init names it
        try:
            check_argument("", display_name, name, value, annotation)
        except LambdaConstructsTypeError:
            check_argument(child_path(scope, construct_id), display_name, name, value, annotation)
