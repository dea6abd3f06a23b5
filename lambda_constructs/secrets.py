"""Environment values by reference: Secrets Manager secrets and SSM parameters.

The environment variable holds the secret's ARN (or the parameter's name), never its value; the
function reads it at runtime (SDK or the AWS Parameters and Secrets Lambda Extension) and the read
grant is added automatically (``secretsmanager:GetSecretValue`` on that secret, ``ssm:GetParameter``
on that parameter, ``kms:Decrypt`` on its key when one is given).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from aws_cdk import ArnFormat, Stack, Token
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from constructs import IConstruct

if TYPE_CHECKING:  # for annotations only: importing them costs every app that uses no secret
    from aws_cdk import aws_secretsmanager as secretsmanager
    from aws_cdk import aws_ssm as ssm

from lambda_constructs.errors import fail
from lambda_constructs.field_types import checked_fields

SECRET_ARN = re.compile(r"^arn:aws[a-z-]*:secretsmanager:[a-z0-9-]+:\d{12}:secret:[A-Za-z0-9/_+=.@-]+$")
SECRET_NAME = re.compile(r"^[A-Za-z0-9/_+=.@-]{1,512}$")
PARAMETER_ARN = re.compile(r"^arn:aws[a-z-]*:ssm:[a-z0-9-]+:\d{12}:parameter/[A-Za-z0-9_.\-/]+$")
PARAMETER_NAME = re.compile(r"^/?[A-Za-z0-9_.\-]+(/[A-Za-z0-9_.\-]+)*$")


@checked_fields
@dataclass(frozen=True, kw_only=True)
class SecretReference:
    """A reference to a secret value, for ``SecureFunctionProps.secret_environment``.

    Build it with :meth:`secret` or :meth:`parameter`.
    """

    kind: str
    """``secret`` (Secrets Manager) or ``parameter`` (SSM Parameter Store)."""
    secret: secretsmanager.ISecret | None = None
    """The secret construct. Default: None (then ``name`` holds the ARN or name)."""
    parameter: ssm.IParameter | None = None
    """The parameter construct. Default: None (then ``name`` holds the name or ARN)."""
    name: str | None = None
    """Secret ARN/name or parameter name/ARN when no construct is given. Default: None."""
    key: kms.IKey | None = None
    """Customer-managed key the value is encrypted with (``kms:Decrypt`` is granted). Default: the
    secret's own key when it has one, else none (AWS managed key)."""

    @staticmethod
    def from_secret(secret: secretsmanager.ISecret | str, *, key: kms.IKey | None = None) -> SecretReference:
        """A Secrets Manager secret: a construct, a full ARN or a name."""
        if isinstance(secret, str):
            return SecretReference(kind="secret", name=secret, key=key)
        return SecretReference(kind="secret", secret=secret, key=key or secret.encryption_key)

    @staticmethod
    def from_parameter(parameter: ssm.IParameter | str, *, key: kms.IKey | None = None) -> SecretReference:
        """An SSM parameter (String or SecureString): a construct, a name or an ARN."""
        if isinstance(parameter, str):
            return SecretReference(kind="parameter", name=parameter, key=key)
        return SecretReference(kind="parameter", parameter=parameter, key=key)


def check_reference(scope: IConstruct, env_name: str, ref: SecretReference) -> None:
    """A string reference must be a valid ARN or name (tokens are skipped)."""
    if ref.kind not in ("secret", "parameter"):
        raise fail(
            scope,
            f"{env_name}: unknown reference kind",
            value=ref.kind,
            fix="use SecretReference.from_secret/from_parameter",
        )
    if ref.secret is None and ref.parameter is None and ref.name is None:
        raise fail(
            scope, f"{env_name}: empty reference", value=None, fix="pass a secret/parameter, its ARN or its name"
        )
    if ref.name is None or Token.is_unresolved(ref.name):
        return
    name = ref.name
    if ref.kind == "secret":
        valid = bool(SECRET_ARN.match(name)) if name.startswith("arn:") else bool(SECRET_NAME.match(name))
        what = "a Secrets Manager secret ARN or name ([A-Za-z0-9/_+=.@-], at most 512 characters)"
    else:
        valid = (
            bool(PARAMETER_ARN.match(name))
            if name.startswith("arn:")
            else bool(PARAMETER_NAME.match(name)) and len(name) <= 2048
        )
        what = "an SSM parameter ARN or name (/path/name of [A-Za-z0-9_.-])"
    if not valid:
        raise fail(scope, f"{env_name}: not {what}", value=name, fix=f"pass {what}")


def env_value(stack: Stack, ref: SecretReference) -> str:
    """What goes into the environment variable: the secret ARN, or the parameter name."""
    if ref.secret is not None:
        return ref.secret.secret_arn
    if ref.parameter is not None:
        return ref.parameter.parameter_name
    assert ref.name is not None
    return ref.name


def read_statements(stack: Stack, ref: SecretReference) -> list[iam.PolicyStatement]:
    """The statements that read exactly this secret / parameter (and decrypt with its key)."""
    statements: list[iam.PolicyStatement] = []
    if ref.kind == "secret":
        statements.append(
            iam.PolicyStatement(
                actions=["secretsmanager:GetSecretValue", "secretsmanager:DescribeSecret"],
                resources=[_secret_arn(stack, ref)],
            )
        )
    else:
        statements.append(
            iam.PolicyStatement(
                actions=["ssm:GetParameter", "ssm:GetParameters"], resources=[_parameter_arn(stack, ref)]
            )
        )
    if ref.key is not None:
        service = "secretsmanager" if ref.kind == "secret" else "ssm"
        statements.append(
            iam.PolicyStatement(
                actions=["kms:Decrypt"],
                resources=[ref.key.key_arn],
                conditions={"StringEquals": {"kms:ViaService": f"{service}.{stack.region}.amazonaws.com"}},
            )
        )
    return statements


def _secret_arn(stack: Stack, ref: SecretReference) -> str:
    if ref.secret is not None:
        return ref.secret.secret_full_arn or f"{ref.secret.secret_arn}-??????"
    assert ref.name is not None
    if ref.name.startswith("arn:"):
        return ref.name
    # A name: Secrets Manager appends 6 random characters to the ARN.
    return stack.format_arn(
        service="secretsmanager",
        resource="secret",
        resource_name=f"{ref.name}-??????",
        arn_format=ArnFormat.COLON_RESOURCE_NAME,
    )


def _parameter_arn(stack: Stack, ref: SecretReference) -> str:
    if ref.parameter is not None:
        return ref.parameter.parameter_arn
    assert ref.name is not None
    if ref.name.startswith("arn:"):
        return ref.name
    return stack.format_arn(
        service="ssm",
        resource="parameter",
        resource_name=ref.name.lstrip("/"),
        arn_format=ArnFormat.SLASH_RESOURCE_NAME,
    )


def service_of(ref: SecretReference) -> str:
    """The VPC endpoint service this reference needs (see :class:`~lambda_constructs.network.FunctionEndpoints`)."""
    return "secretsmanager" if ref.kind == "secret" else "ssm"
