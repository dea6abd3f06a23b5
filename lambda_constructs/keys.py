"""Customer-managed KMS keys the library creates: rotation on, retained, usable by CloudWatch Logs."""

from __future__ import annotations

from aws_cdk import ArnFormat, Aws, RemovalPolicy, Stack
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from constructs import Construct


def new_key(scope: Construct, construct_id: str, description: str, *, for_logs: bool = True) -> kms.Key:
    """A key with rotation enabled and RETAIN; ``for_logs`` lets this account's CloudWatch Logs use it."""
    key = kms.Key(
        scope,
        construct_id,
        description=description,
        enable_key_rotation=True,
        removal_policy=RemovalPolicy.RETAIN,
    )
    if for_logs:
        allow_cloudwatch_logs(key)
    return key


def allow_cloudwatch_logs(key: kms.Key) -> None:
    """Let CloudWatch Logs of the key's account and region encrypt log groups with ``key``.

    The condition limits use to log groups of this account and region; naming the exact log group
    would create a dependency cycle (the group refers to the key).
    """
    key.add_to_resource_policy(
        iam.PolicyStatement(
            sid="AllowCloudWatchLogsOfThisAccountAndRegion",
            principals=[iam.ServicePrincipal(f"logs.{Aws.REGION}.amazonaws.com")],
            actions=[
                "kms:Encrypt",
                "kms:Decrypt",
                "kms:ReEncryptFrom",
                "kms:ReEncryptTo",
                "kms:GenerateDataKey",
                "kms:GenerateDataKeyWithoutPlaintext",
                "kms:DescribeKey",
            ],
            resources=["*"],
            conditions={
                "ArnLike": {
                    "kms:EncryptionContext:aws:logs:arn": Stack.of(key).format_arn(
                        service="logs",
                        resource="log-group",
                        resource_name="*",
                        arn_format=ArnFormat.COLON_RESOURCE_NAME,
                    )
                }
            },
        )
    )
