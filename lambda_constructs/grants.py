"""Least-privilege grants for a function's role, scoped to the named resources.

:func:`grant` builds explicit statements (no ``*`` actions, no ``*`` resources) for S3 buckets,
DynamoDB tables, SQS queues, SNS topics, Secrets Manager secrets, SSM parameters and KMS keys, adds
the matching KMS statement when the resource has a customer-managed key (only through that service:
``kms:ViaService``; a prefix-scoped S3 read lists only that prefix: ``s3:prefix``), warns when the resource
lives in another account (its resource/key policy must also allow the role), and returns the VPC
endpoint service the grant needs. Object-level wildcards that AWS requires (``bucket/*``,
``table/index/*``) are acknowledged on the role's policy with a reason.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Mapping
from typing import TYPE_CHECKING, Literal, TypeAlias, cast

from aws_cdk import Stack, Token
from aws_cdk import aws_iam as iam
from constructs import IConstruct

from lambda_constructs.compliance import acknowledge
from lambda_constructs.errors import fail, warn
from lambda_constructs.role_grants import StatementTarget

if TYPE_CHECKING:
    # Types only: dispatch is on attributes, so a function that grants nothing loads none of these modules.
    from aws_cdk import aws_dynamodb as dynamodb
    from aws_cdk import aws_kms as kms
    from aws_cdk import aws_s3 as s3
    from aws_cdk import aws_secretsmanager as secretsmanager
    from aws_cdk import aws_sns as sns
    from aws_cdk import aws_sqs as sqs
    from aws_cdk import aws_ssm as ssm

Access = Literal["read", "write"]
Grantable: TypeAlias = (
    "s3.IBucket | dynamodb.ITable | sqs.IQueue | sns.ITopic | secretsmanager.ISecret | ssm.IParameter | kms.IKey"
)

#: Actions per resource type and access. Reads include the describe calls the SDKs make.
ACTIONS: dict[str, dict[str, list[str]]] = {
    "s3": {
        "read": ["s3:GetObject"],
        "write": ["s3:PutObject", "s3:AbortMultipartUpload"],
        "bucket-read": ["s3:ListBucket"],
    },
    "dynamodb": {
        "read": [
            "dynamodb:GetItem",
            "dynamodb:BatchGetItem",
            "dynamodb:Query",
            "dynamodb:Scan",
            "dynamodb:ConditionCheckItem",
            "dynamodb:DescribeTable",
        ],
        "write": [
            "dynamodb:PutItem",
            "dynamodb:UpdateItem",
            "dynamodb:DeleteItem",
            "dynamodb:BatchWriteItem",
            "dynamodb:DescribeTable",
        ],
    },
    "sqs": {
        "read": [
            "sqs:ReceiveMessage",
            "sqs:DeleteMessage",
            "sqs:ChangeMessageVisibility",
            "sqs:GetQueueAttributes",
            "sqs:GetQueueUrl",
        ],
        "write": ["sqs:SendMessage", "sqs:GetQueueAttributes", "sqs:GetQueueUrl"],
    },
    "sns": {
        "read": ["sns:GetTopicAttributes"],
        "write": ["sns:Publish"],
    },
    "secretsmanager": {
        "read": ["secretsmanager:GetSecretValue", "secretsmanager:DescribeSecret"],
        "write": ["secretsmanager:PutSecretValue", "secretsmanager:DescribeSecret"],
    },
    "ssm": {
        "read": ["ssm:GetParameter", "ssm:GetParameters"],
        "write": ["ssm:PutParameter"],
    },
    "kms": {
        "read": ["kms:Decrypt", "kms:DescribeKey"],
        "write": ["kms:Encrypt", "kms:GenerateDataKey", "kms:DescribeKey"],
    },
}
#: KMS actions on the resource's own key.
KEY_ACTIONS: dict[str, list[str]] = {
    "read": ["kms:Decrypt"],
    "write": ["kms:Decrypt", "kms:GenerateDataKey"],
}

OBJECTS_REASON = (
    "Object and index ARNs are named per object: this wildcard covers only the objects (or indexes) of "
    "the one bucket (or table) granted explicitly to this function."
)


def grant(
    role: StatementTarget,
    policy_scope: IConstruct,
    resource: Grantable,
    access: Access,
    *,
    objects: str = "*",
    indexes: bool = False,
) -> str:
    """Grant ``access`` on ``resource`` to ``role``; returns the VPC endpoint service it needs.

    ``role``: the function's role, or the policy of its stack that takes its statements when the role is
    in another stack (:func:`lambda_constructs.role_grants.grantee`).

    ``objects`` (S3 only) is the object key pattern (default ``*``: every object of the bucket).
    ``indexes`` (DynamoDB read only) also grants the table's indexes. Default: False.
    ``policy_scope`` receives the acknowledgements of required object/index wildcards.
    """
    if access not in ("read", "write"):
        raise fail(policy_scope, "access must be 'read' or 'write'", value=access, fix="use 'read' or 'write'")
    stack = Stack.of(policy_scope)
    service, resources, key = _describe(stack, resource, access, objects=objects, indexes=indexes)
    statements = [iam.PolicyStatement(actions=ACTIONS[service][access], resources=resources)]
    if service == "s3" and access == "read":
        bucket_arn = cast("s3.IBucket", resource).bucket_arn
        # A key pattern narrower than * also limits listing to it (s3:prefix on ListBucket).
        conditions = {"StringLike": {"s3:prefix": [objects]}} if objects != "*" else None
        statements.append(
            iam.PolicyStatement(actions=ACTIONS["s3"]["bucket-read"], resources=[bucket_arn], conditions=conditions)
        )
    if key is not None:
        statements.append(
            iam.PolicyStatement(
                actions=KEY_ACTIONS[access],
                resources=[key.key_arn],
                conditions={"StringEquals": {"kms:ViaService": via_service(service, resource, stack)}},
            )
        )
    for statement in statements:
        role.add_to_principal_policy(statement)
    producer = _producer(resource, stack)
    for item in resources:
        if "*" in repr(stack.resolve(item)):
            finding = nag_resource(stack, item, producer=producer)
            acknowledge(policy_scope, f"AwsSolutions-IAM5[Resource::{finding}]", OBJECTS_REASON)
    _check_account(policy_scope, stack, resource, key)
    return service


def via_service(service: str, resource: Grantable, stack: Stack) -> str:
    """``<service>.<region>.amazonaws.com``: the ``kms:ViaService`` value of requests ``service`` makes to
    KMS for the caller (https://docs.aws.amazon.com/kms/latest/developerguide/conditions-kms.html#conditions-kms-via-service).

    The region is the resource's when it is known, else this stack's (``AWS::Region``).
    """
    region = getattr(getattr(resource, "env", None), "region", None)
    if not isinstance(region, str) or Token.is_unresolved(region):
        region = stack.region
    return f"{service}.{region}.amazonaws.com"


def _producer(resource: Grantable, stack: Stack) -> Stack | None:
    """The stack that defines ``resource`` when it is another (top-level) stack of the same app, else None."""
    owner = getattr(resource, "stack", None)
    if isinstance(owner, Stack) and owner is not stack and owner.nested_stack_parent is None:
        return owner
    return None


def _describe(
    stack: Stack, resource: Grantable, access: Access, *, objects: str, indexes: bool
) -> tuple[str, list[str], kms.IKey | None]:
    # jsii interfaces are not runtime-checkable protocols: dispatch on the class's ARN property.
    if _has(resource, "bucket_arn"):
        bucket = cast("s3.IBucket", resource)
        return "s3", [bucket.arn_for_objects(objects)], bucket.encryption_key
    if _has(resource, "table_arn"):
        table = cast("dynamodb.ITable", resource)
        arns = [table.table_arn]
        if indexes and access == "read":
            arns.append(f"{table.table_arn}/index/*")
        return "dynamodb", arns, table.encryption_key
    if _has(resource, "queue_arn"):
        queue = cast("sqs.IQueue", resource)
        return "sqs", [queue.queue_arn], queue.encryption_master_key
    if _has(resource, "topic_arn"):
        topic = cast("sns.ITopic", resource)
        return "sns", [topic.topic_arn], topic.master_key
    if _has(resource, "secret_arn"):
        secret = cast("secretsmanager.ISecret", resource)
        return "secretsmanager", [secret.secret_full_arn or f"{secret.secret_arn}-??????"], secret.encryption_key
    if _has(resource, "parameter_arn"):
        return "ssm", [cast("ssm.IParameter", resource).parameter_arn], None
    if _has(resource, "key_arn"):
        return "kms", [cast("kms.IKey", resource).key_arn], None
    raise fail(
        stack,
        "cannot grant access to this resource type",
        value=type(resource).__name__,
        fix="pass an S3 bucket, DynamoDB table, SQS queue, SNS topic, secret, SSM parameter or KMS key",
    )


def _has(resource: object, attribute: str) -> bool:
    # Imported resources can be dynamic jsii proxies: look at the instance, not only its class.
    return hasattr(type(resource), attribute) or hasattr(resource, attribute)


def _check_account(scope: IConstruct, stack: Stack, resource: Grantable, key: kms.IKey | None) -> None:
    """Warn when the resource (or its key) is in another account: its own policy must allow the role."""
    own = stack.account
    if Token.is_unresolved(own):
        return
    for item, what in ((resource, "resource"), (key, "key")):
        if item is None:
            continue
        account = item.env.account
        if Token.is_unresolved(account) or account == own:
            continue
        warn(
            scope,
            "crossAccountGrant",
            f"the granted {what} {item.node.path} is in account {account}: an identity policy alone does not "
            f"give access; its resource policy (and its KMS key policy) in {account} must also allow this role",
        )


def nag_resource(stack: Stack, value: str, *, producer: Stack | None = None) -> str:
    """How cdk-nag prints a resource in a finding id (``<LogicalId.Arn>/*`` for ``GetAtt`` + ``/*``).

    ``producer``: the other stack that defines the referenced resource. CDK then turns each reference
    into an ``Fn::ImportValue`` of the export it creates in ``producer``, which cdk-nag prints by its
    name (``<producer>:ExportsOutputFnGetAtt<LogicalId><Attr><hash>``). Default: None (same stack).
    """
    return _render(stack.resolve(value), producer)


def export_name(producer: Stack, reference: Mapping[str, object]) -> str:
    """The export name aws-cdk-lib gives a cross-stack ``reference`` of ``producer`` (core ``refs.ts``
    ``generateExportName``: ``makeUniqueId(["Exports", "Output" + JSON(reference)])`` prefixed by the
    stack name; ``makeUniqueId`` = alphanumerics of the parts + the first 8 hex of their md5, upper case)."""
    output = "Output" + json.dumps(reference, separators=(",", ":"))
    digest = hashlib.md5(f"Exports/{output}".encode(), usedforsecurity=False).hexdigest()[:8].upper()
    human = re.sub("[^A-Za-z0-9]", "", f"Exports{output}")[:240]
    return f"{producer.stack_name}:{human}{digest}"


def _render(node: object, producer: Stack | None = None) -> str:
    if isinstance(node, str):
        return node
    if isinstance(node, dict):
        if "Fn::GetAtt" in node:
            if producer is not None:
                return export_name(producer, node)
            logical, attr = node["Fn::GetAtt"]
            return f"<{logical}.{attr}>"
        if "Ref" in node:
            if producer is not None and not str(node["Ref"]).startswith("AWS::"):
                return export_name(producer, node)
            ref = node["Ref"]
            return f"<{ref}>"
        if "Fn::Join" in node:
            sep, parts = node["Fn::Join"]
            return str(sep).join(_render(part, producer) for part in parts)
    return str(node)
