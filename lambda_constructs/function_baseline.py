"""What every function starts with: its default grants and the cdk-nag acknowledgements of its defaults.

The grants: write to its log group, decrypt with its key, send to its failure queue (and use that
queue's key) - exact actions on exact resources. The acknowledgements: the rules the library's
defaults answer another way (LambdaDLQ: the on-failure destination; LambdaConcurrency: unreserved
concurrency unless set; LambdaInsideVPC: no VPC unless ``vpc``), and the cfn-lint findings of
aws-cdk-lib's own output.
"""

from __future__ import annotations

import weakref
from typing import Protocol

from aws_cdk import CfnResource
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_logs as logs
from aws_cdk import aws_sqs as sqs
from constructs import Node

from lambda_constructs._jsii_speed import create
from lambda_constructs.compliance import LIBRARY_ACKNOWLEDGEMENTS, AcknowledgementKey, acknowledge_many, rule_ids
from lambda_constructs.scanners import default_child, ignore_cfn_lint

__all__ = ["LOG_WRITE_ACTIONS", "StatementSink", "acknowledge_defaults", "grant_defaults"]

#: Packs that have a LambdaDLQ rule / the LambdaConcurrency and LambdaInsideVPC rules.
_DLQ_PACKS = ("Serverless", "NIST.800.53.R5", "HIPAA.Security")
_CONCURRENCY_PACKS = ("NIST.800.53.R5", "HIPAA.Security")
_VPC_PACKS = ("NIST.800.53.R5", "HIPAA.Security", "PCI.DSS.321")


class StatementSink(Protocol):
    """The library's execution role: takes statements (no X-Ray actions) into its grants policy in one call."""

    def add_grant_statements(self, *statements: iam.PolicyStatement) -> None:
        """Add ``statements`` to the role's grants policy."""
        ...


#: What ``log_group.grant_write(role)`` grants on a log group: the default grant to write the function's logs.
LOG_WRITE_ACTIONS = ("logs:CreateLogStream", "logs:PutLogEvents")


def grant_defaults(
    role: iam.IRole,
    owned_role: StatementSink | None,
    *,
    log_group: logs.ILogGroup,
    own_log_group: bool,
    key: kms.IKey,
    failure_queue: sqs.IQueue,
    failure_queue_arn: str,
    own_failure_queue: bool,
) -> list[tuple[iam.PolicyStatement, bool]]:
    """Let ``role`` write logs, decrypt with ``key`` and send to the failure queue.

    Returns the statements added one by one through ``role.add_to_principal_policy`` (a role you brought,
    ``owned_role`` None), each with the ``statement_added`` its result reported; empty otherwise.

    ``owned_role``: ``role`` when it is the library's execution role, which takes the statements in one
    call (None: a role you brought, each statement through ``add_to_principal_policy``); or, for a role of
    another stack, the policy of the function's stack that takes them
    (:class:`~lambda_constructs.role_grants.FunctionStackPolicy`).
    ``own_log_group`` / ``own_failure_queue``: the library created them (the log group is then in this
    stack, and the queue is encrypted with ``key``).
    """
    statements: list[iam.PolicyStatement] = []
    # A sink of another kind than the role (the policy in the function's stack for a role of another stack):
    # log_group.grant_write(role) would write to the role's own policy, in the role's stack.
    statements_only = owned_role is not None and not isinstance(owned_role, iam.Role)
    if (own_log_group or statements_only) and owned_role is not None:
        # What log_group.grant_write(role) adds for a log group of this stack, as a statement (see _jsii_speed).
        statements.append(
            create(
                iam.PolicyStatement,
                iam.PolicyStatementProps,
                actions=list(LOG_WRITE_ACTIONS),
                resources=[log_group.log_group_arn],
            )
        )
    else:
        log_group.grant_write(role)
    if own_failure_queue:
        # The library's queue is encrypted with key: sending needs GenerateDataKey on it too
        # (one statement; CDK's policy minimization merges the two statements into this anyway).
        statements += _key_and_queue_statements(key, failure_queue_arn)
    else:
        statements += [
            iam.PolicyStatement(actions=["kms:Decrypt"], resources=[key.key_arn]),
            iam.PolicyStatement(actions=["sqs:SendMessage"], resources=[failure_queue_arn]),
        ]
        queue_key = failure_queue.encryption_master_key
        if queue_key is not None:
            statements.append(
                iam.PolicyStatement(actions=["kms:GenerateDataKey", "kms:Decrypt"], resources=[queue_key.key_arn])
            )
    if owned_role is not None:
        owned_role.add_grant_statements(*statements)
        return []
    return [(statement, role.add_to_principal_policy(statement).statement_added) for statement in statements]


#: The key and failure-queue statements of each (key, failure queue ARN), shared by the roles of the functions
#: that use both (the stack's shared key and failure queue): two statements created and the key's ARN read once
#: per stack instead of once per function (a jsii speed-up, see ``_jsii_speed``). CDK freezes a statement when
#: its document is rendered, and nothing in the library changes one after adding it, so sharing renders the
#: same JSON in every policy.
_KEY_AND_QUEUE: weakref.WeakKeyDictionary[kms.IKey, dict[str, tuple[iam.PolicyStatement, iam.PolicyStatement]]] = (
    weakref.WeakKeyDictionary()
)


def _key_and_queue_statements(key: kms.IKey, failure_queue_arn: str) -> tuple[iam.PolicyStatement, ...]:
    """``kms:Decrypt`` + ``kms:GenerateDataKey`` on ``key`` and ``sqs:SendMessage`` on the failure queue, one
    pair of statement objects per (key, queue)."""
    per_key = _KEY_AND_QUEUE.setdefault(key, {})
    found = per_key.get(failure_queue_arn)
    if found is None:
        found = per_key[failure_queue_arn] = (
            iam.PolicyStatement(actions=["kms:Decrypt", "kms:GenerateDataKey"], resources=[key.key_arn]),
            iam.PolicyStatement(actions=["sqs:SendMessage"], resources=[failure_queue_arn]),
        )
    return found


def acknowledge_defaults(
    function: lambda_.Function,
    *,
    reserved_concurrency: bool,
    in_vpc: bool,
    own_log_group: bool,
    node: Node | None = None,
    cfn: CfnResource | None = None,
) -> CfnResource:
    """Acknowledge the cdk-nag rules the defaults answer, and ignore aws-cdk-lib's cfn-lint findings.

    Returns the function's ``AWS::Lambda::Function`` L1 (its default child, read here anyway), which the
    function keeps for the synth-time rules (:mod:`lambda_constructs.deploy_rules`).

    ``reserved_concurrency`` / ``in_vpc``: the function has them (their rules then need no
    acknowledgement); ``own_log_group``: the library created the log group (cfn-lint-serverless WS1004
    looks for ``/aws/lambda/<name>``). ``node`` / ``cfn``: ``function.node`` and its default child when the
    caller holds them already (saves jsii round trips). Default: read.
    """
    # The key of each acknowledgement is its rule's name.
    rules: list[tuple[AcknowledgementKey, tuple[str, ...]]] = [(AcknowledgementKey.LAMBDA_DLQ, _DLQ_PACKS)]
    if not reserved_concurrency:
        rules.append((AcknowledgementKey.LAMBDA_CONCURRENCY, _CONCURRENCY_PACKS))
    if not in_vpc:  # function.is_bound_to_vpc, known from the props (see _jsii_speed)
        rules.append((AcknowledgementKey.LAMBDA_INSIDE_VPC, _VPC_PACKS))
    # One Validations.of(fn).acknowledge(...) for all of them, in the order they were made one by one.
    acknowledge_many(
        function,
        {
            rule_id: LIBRARY_ACKNOWLEDGEMENTS[rule]
            for rule, packs in rules
            for rule_id in rule_ids(function, rule.value, packs)
        },
        node=node,
        default_child=cfn,
    )
    # The function's L1 (from the caller, else read once per scanners.batch).
    resource = cfn or default_child(function, node)
    assert isinstance(resource, CfnResource)
    # aws-cdk-lib's DependsOn on the role next to its GetAtt; cfn-lint-serverless's /aws/lambda/<name> check.
    ignore_cfn_lint(resource, "W3005", *(("WS1004",) if own_log_group else ()))
    return resource
