"""AWS Secrets Manager trigger: a rotation schedule calling the alias."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from aws_cdk import Aws, Duration
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_secretsmanager as secretsmanager

from lambda_constructs.errors import fail
from lambda_constructs.field_types import checked_fields
from lambda_constructs.role_grants import FunctionStackPolicy, grantee
from lambda_constructs.triggers._options import options_scope
from lambda_constructs.triggers._resources import TriggerResources
from lambda_constructs.triggers.access import BoundTrigger, permission
from lambda_constructs.triggers.base import InvocationKind, TriggerResult
from lambda_constructs.validation import check_range, is_token

if TYPE_CHECKING:
    from lambda_constructs.contract import FunctionView


class SecretRotationResources(TriggerResources):
    """What :class:`SecretRotationTrigger` created: ``schedule``, ``permission``."""

    schedule: secretsmanager.CfnRotationSchedule
    permission: lambda_.CfnPermission


@checked_fields
@dataclass(frozen=True, kw_only=True)
class SecretRotationTrigger(BoundTrigger[SecretRotationResources]):
    """Secrets Manager rotation: a rotation schedule calling the alias.

    The permission for ``secretsmanager.amazonaws.com`` is scoped to the secret's ARN and account;
    the execution role gets read/write on that secret only (``GetRandomPassword`` is not granted:
    it has no resource-level permission — generate passwords in the function).
    """

    secret: secretsmanager.ISecret
    """The secret to rotate (required)."""
    automatically_after: Duration = field(default_factory=lambda: Duration.days(30))
    """Rotation interval, whole days 1–1000. Default: 30 days."""
    rotate_immediately_on_update: bool = True
    """Rotate when the schedule is created or changed. Default: True."""

    @property
    def kind(self) -> InvocationKind:
        """Secrets Manager invokes each rotation step synchronously."""
        return InvocationKind.SYNC

    def __post_init__(self) -> None:
        """Check the options that do not depend on the function (before any construct exists).

        Raises:
            LambdaConstructsError: a rotation interval that is not whole days in 1–1000.
        """
        scope = options_scope(self)
        days = self.automatically_after.to_days() if not is_token(self.automatically_after.to_seconds()) else None
        check_range(scope, "automatically_after", days, 1, 1000, "days")
        if days is not None and days != int(days):
            raise fail(scope, "automatically_after must be whole days", value=days, fix="use Duration.days(n)")

    def bind(self, fn: FunctionView, target: lambda_.IFunction, construct_id: str) -> TriggerResult:
        """Create the permission, grants and schedule under ``fn/<construct_id>``."""
        res = SecretRotationResources(fn.construct, construct_id)
        days = self.automatically_after.to_days() if not is_token(self.automatically_after.to_seconds()) else None
        res.permission = permission(
            res,
            "Permission",
            target,
            "secretsmanager.amazonaws.com",
            source_arn=self.secret.secret_arn,
            source_account=Aws.ACCOUNT_ID,
        )
        sink = grantee(fn)
        if isinstance(sink, FunctionStackPolicy):
            # A role of another stack: aws-cdk-lib's grant_read / grant_write would write to the role's own
            # policy, in its stack; the same actions as statements in the function's stack instead.
            sink.add_grant_statements(*_rotation_statements(self.secret))
        else:
            self.secret.grant_read(fn.role)
            self.secret.grant_write(fn.role)
            fn.role.add_to_principal_policy(
                iam.PolicyStatement(
                    actions=["secretsmanager:UpdateSecretVersionStage"], resources=[self.secret.secret_arn]
                )
            )
        res.schedule = secretsmanager.CfnRotationSchedule(
            res,
            "Schedule",
            secret_id=self.secret.secret_arn,
            rotation_lambda_arn=target.function_arn,
            rotate_immediately_on_update=self.rotate_immediately_on_update,
            rotation_rules=secretsmanager.CfnRotationSchedule.RotationRulesProperty(
                automatically_after_days=int(days) if days is not None else None
            ),
        )
        res.schedule.node.add_dependency(res.permission)
        res.schedule.node.add_dependency(fn.role)
        if isinstance(sink, FunctionStackPolicy):
            sink.depend(res.schedule)
        return self._result(res)


def _rotation_statements(secret: secretsmanager.ISecret) -> list[iam.PolicyStatement]:
    """What ``secret.grant_read`` + ``grant_write`` + ``secretsmanager:UpdateSecretVersionStage`` give a role of
    the secret's account: the secret's read and write actions on its ARN, and its key's through Secrets Manager
    only (``kms:ViaService``)."""
    statements = [
        iam.PolicyStatement(
            actions=[
                "secretsmanager:GetSecretValue",
                "secretsmanager:DescribeSecret",
                "secretsmanager:PutSecretValue",
                "secretsmanager:UpdateSecret",
                "secretsmanager:UpdateSecretVersionStage",
            ],
            resources=[secret.secret_arn],
        )
    ]
    key = secret.encryption_key
    if key is not None:
        statements.append(
            iam.PolicyStatement(
                actions=["kms:Decrypt", "kms:Encrypt", "kms:ReEncrypt*", "kms:GenerateDataKey*"],
                resources=[key.key_arn],
                conditions={"StringEquals": {"kms:ViaService": f"secretsmanager.{Aws.REGION}.amazonaws.com"}},
            )
        )
    return statements
