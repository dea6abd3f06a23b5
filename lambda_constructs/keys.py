"""Customer-managed KMS keys the library creates: rotation on, retained, usable by CloudWatch Logs."""

from __future__ import annotations

import weakref
from functools import cache

from aws_cdk import ArnFormat, Aws, RemovalPolicy, Stack
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from constructs import Construct

from lambda_constructs._jsii_speed import read_once


def new_key(
    scope: Construct, construct_id: str, description: str, *, for_logs: bool = True, stack: Stack | None = None
) -> kms.Key:
    """A key with rotation enabled and RETAIN; ``for_logs`` lets this account's CloudWatch Logs use it.

    ``stack``: the stack of ``scope`` when the caller knows it (saves looking it up). Default: looked up.
    """
    key = kms.Key(
        scope,
        construct_id,
        description=description,
        enable_key_rotation=True,
        removal_policy=RemovalPolicy.RETAIN,
    )
    if for_logs:
        allow_cloudwatch_logs(key, stack=stack)
    return key


#: Construct id (a child of the stack) of the key SecureFunctions of a stack share by default.
STACK_KEY_ID = "LambdaConstructsKey"


def stack_key(stack: Stack) -> kms.Key:
    """The stack's shared function key (id :data:`STACK_KEY_ID`), created by the first function that needs it.

    One customer-managed key costs $1.00 a month (https://aws.amazon.com/kms/pricing/), whatever the
    number of functions using it; it is usable by CloudWatch Logs of this account and region.
    """
    return read_once(_STACK_KEYS, stack, _find_or_create_stack_key)


def _find_or_create_stack_key(stack: Stack) -> kms.Key:
    existing = stack.node.try_find_child(STACK_KEY_ID)
    if isinstance(existing, kms.Key):
        return existing
    return new_key(
        stack,
        STACK_KEY_ID,
        f"Environment, logs and failure queues of the SecureFunctions of {stack.node.path}",
        stack=stack,
    )


#: The shared key of each stack, once found or created: looked up once per stack, not once per function
#: (two jsii round trips; a construct cannot be replaced under the same id). See ``_jsii_speed``.
_STACK_KEYS: weakref.WeakKeyDictionary[Stack, kms.Key] = weakref.WeakKeyDictionary()


def share_key(stack: Stack, key: kms.IKey) -> None:
    """Declare ``key`` the key the SecureFunctions of ``stack`` share instead of the stack's own shared key.

    A :class:`~lambda_constructs.service.LambdaService` calls it for each shard (a nested stack) with the
    service's key, which it passes to every function it builds there as ``encryption_key``.
    """
    _SHARED_KEYS[stack] = key


def shared_key_of(stack: Stack) -> kms.IKey | None:
    """The key the SecureFunctions of ``stack`` share: the one given to :func:`share_key` (a ``LambdaService``
    shard's service key), else the stack's own shared key once created (:func:`stack_key`), else None.

    Reads only the library's caches (no jsii round trip, creates nothing).
    """
    shared = _SHARED_KEYS.get(stack)
    return shared if shared is not None else _STACK_KEYS.get(stack)


#: Keys declared shared by the functions of a stack (:func:`share_key`; weak keys, as :data:`_STACK_KEYS`).
_SHARED_KEYS: weakref.WeakKeyDictionary[Stack, kms.IKey] = weakref.WeakKeyDictionary()


@cache
def service_principal(service: str) -> iam.ServicePrincipal:
    """One shared ``iam.ServicePrincipal`` per service name (principals are immutable values)."""
    return iam.ServicePrincipal(service)


@cache
def logs_service() -> str:
    """``logs.<region>.amazonaws.com`` (``Aws.REGION`` is one constant token: read it once per process)."""
    return f"logs.{Aws.REGION}.amazonaws.com"


def allow_cloudwatch_logs(key: kms.Key, *, stack: Stack | None = None) -> None:
    """Let CloudWatch Logs of the key's account and region encrypt log groups with ``key``.

    The condition limits use to log groups of this account and region; naming the exact log group
    would create a dependency cycle (the group refers to the key).
    """
    statement = iam.PolicyStatement(
        sid="AllowCloudWatchLogsOfThisAccountAndRegion",
        principals=[service_principal(logs_service())],
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
                "kms:EncryptionContext:aws:logs:arn": (stack or Stack.of(key)).format_arn(
                    service="logs",
                    resource="log-group",
                    resource_name="*",
                    arn_format=ArnFormat.COLON_RESOURCE_NAME,
                )
            }
        },
    )
    key.add_to_resource_policy(statement)
