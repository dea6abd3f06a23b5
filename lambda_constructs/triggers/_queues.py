"""Helpers shared by the trigger classes: encrypted queues, scoped grants, validation."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from functools import cache
from typing import Any

from aws_cdk import Aws, Duration, RemovalPolicy
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_sqs as sqs
from constructs import Construct, IConstruct

from lambda_constructs import scanners
from lambda_constructs.compliance import LIBRARY_ACKNOWLEDGEMENTS, AcknowledgementKey, acknowledge, acknowledge_rule
from lambda_constructs.errors import fail
from lambda_constructs.role_grants import FunctionStackPolicy
from lambda_constructs.validation import is_token


@cache
def dlq_retention() -> Duration:
    """How long messages stay in a dead-letter queue the library creates: 14 days, one shared Duration,
    created on first use (importing the library makes no jsii call)."""
    return Duration.days(14)


#: Aliases of the acknowledgement keys of terminal / delivery dead-letter queues of trigger queues (older
#: imports; the code here uses the :class:`~lambda_constructs.compliance.AcknowledgementKey` members).
TRIGGER_DLQ_ACK = AcknowledgementKey.TRIGGER_DLQ_REDRIVE
DELIVERY_DLQ_ACK = AcknowledgementKey.DELIVERY_DLQ


def dead_letter_queue(
    scope: Construct, construct_id: str, key: kms.IKey, *, fifo: bool = False, delivery: bool = False
) -> sqs.Queue:
    """A terminal, KMS-encrypted, TLS-only dead-letter queue kept 14 days and retained.

    ``delivery``: the queue receives a service's failed deliveries (not a queue's redrive).
    """
    queue = sqs.Queue(
        scope,
        construct_id,
        encryption=sqs.QueueEncryption.KMS,
        encryption_master_key=key,
        enforce_ssl=True,
        retention_period=dlq_retention(),
        removal_policy=RemovalPolicy.RETAIN,
        fifo=True if fifo else None,
    )
    scanners.created(queue, "AWS::SQS::Queue")
    acknowledge_rule(
        queue, "SQSRedrivePolicy", LIBRARY_ACKNOWLEDGEMENTS[AcknowledgementKey.TRIGGER_DLQ_REDRIVE], ("Serverless",)
    )
    if delivery:
        acknowledge(queue, "AwsSolutions-SQS3", LIBRARY_ACKNOWLEDGEMENTS[AcknowledgementKey.DELIVERY_DLQ])
    return queue


def allow_service_on_queue(queue: sqs.IQueue, service: str, source_arn: str) -> None:
    """Let ``service`` send to ``queue`` only for ``source_arn`` (queue policy), and use its key."""
    principal = iam.ServicePrincipal(service)
    queue.add_to_resource_policy(
        iam.PolicyStatement(
            principals=[principal],
            actions=["sqs:SendMessage"],
            resources=[queue.queue_arn],
            conditions={"ArnEquals": {"aws:SourceArn": source_arn}},
        )
    )
    allow_service_on_key(queue.encryption_master_key, service)


def allow_service_on_key(key: kms.IKey | None, service: str) -> None:
    """Let ``service`` encrypt with ``key`` for resources of this account and region (no-op for imported keys).

    The condition names the account's ARNs of the service rather than one resource's ARN: the
    resource (a topic, a rule) usually references the key, so naming it would be a cycle.
    """
    if key is None:
        return
    service_name = service.split(".")[0]
    key.add_to_resource_policy(
        iam.PolicyStatement(
            sid=f"Allow{service_name.capitalize()}OfThisAccount",
            principals=[iam.ServicePrincipal(service)],
            actions=["kms:GenerateDataKey", "kms:Decrypt"],
            resources=["*"],
            conditions={
                "StringEquals": {"aws:SourceAccount": Aws.ACCOUNT_ID},
                "ArnLike": {"aws:SourceArn": f"arn:{Aws.PARTITION}:{service_name}:{Aws.REGION}:{Aws.ACCOUNT_ID}:*"},
            },
        )
    )


def send_statements(queue: sqs.IQueue) -> list[iam.PolicyStatement]:
    """sqs:SendMessage on ``queue`` and the KMS actions its key needs, nothing else."""
    statements = [iam.PolicyStatement(actions=["sqs:SendMessage"], resources=[queue.queue_arn])]
    if queue.encryption_master_key is not None:
        statements.append(
            iam.PolicyStatement(
                actions=["kms:GenerateDataKey", "kms:Decrypt"], resources=[queue.encryption_master_key.key_arn]
            )
        )
    return statements


def grant_send(principal: iam.IGrantable | FunctionStackPolicy, queue: sqs.IQueue) -> None:
    """Add :func:`send_statements` to ``principal``'s policy."""
    target = principal if isinstance(principal, FunctionStackPolicy) else principal.grant_principal
    for statement in send_statements(queue):
        target.add_to_principal_policy(statement)


def grant(principal: iam.IGrantable | FunctionStackPolicy, actions: Sequence[str], resources: Sequence[str]) -> None:
    """One statement on the principal's policy."""
    grant_statements(principal, iam.PolicyStatement(actions=list(actions), resources=list(resources)))


def grant_statements(principal: iam.IGrantable | FunctionStackPolicy, *statements: iam.PolicyStatement) -> None:
    """Statements (no X-Ray actions) on the principal's policy: one round trip for a library execution role.

    ``principal``: a function's grant target is :func:`lambda_constructs.role_grants.grantee` (its role, or
    the policy of its stack when the role is in another stack)."""
    add = getattr(principal, "add_grant_statements", None)  # the library's execution role, FunctionStackPolicy
    if add is not None:
        add(*statements)
        return
    assert not isinstance(principal, FunctionStackPolicy)  # it has add_grant_statements
    grantee = principal.grant_principal
    for statement in statements:
        grantee.add_to_principal_policy(statement)


def check_pattern(scope: IConstruct, name: str, pattern: object, *, allowed_keys: Sequence[str] = ()) -> dict[str, Any]:
    """A non-empty JSON object (dict or JSON text) whose leaves are lists or nested objects.

    ``allowed_keys`` (when given) lists the top-level keys allowed. Returns the pattern as a dict.
    """
    value: object = pattern
    if isinstance(pattern, str) and not is_token(pattern):
        try:
            value = json.loads(pattern)
        except json.JSONDecodeError as exc:
            raise fail(scope, f"{name} is not valid JSON: {exc.msg}", value=pattern, fix="pass a JSON object") from exc
    if not isinstance(value, Mapping):
        raise fail(scope, f"{name} must be a JSON object", value=pattern, fix='pass e.g. {"source": ["my.app"]}')
    if not value:
        raise fail(scope, f"{name} must not be empty", value=pattern, fix="match at least one field")
    for key in value:
        if not isinstance(key, str) or not key:
            raise fail(scope, f"{name} has an invalid key", value=key, fix="keys are non-empty strings")
        if allowed_keys and key not in allowed_keys:
            raise fail(
                scope,
                f"{name} has an unknown top-level key {key!r}",
                value=key,
                fix="use only: " + ", ".join(allowed_keys),
            )
    _check_leaves(scope, name, value)
    return dict(value)


def _check_leaves(scope: IConstruct, name: str, node: Mapping[Any, Any]) -> None:
    for key, leaf in node.items():
        if isinstance(leaf, Mapping):
            if not leaf:
                raise fail(scope, f"{name}: field {key!r} is an empty object", value=leaf, fix="remove it")
            _check_leaves(scope, name, leaf)
        elif not isinstance(leaf, list) or not leaf:
            raise fail(
                scope,
                f"{name}: the value of {key!r} must be a non-empty list of matches",
                value=leaf,
                fix=f'write {{"{key}": [...]}}',
            )
