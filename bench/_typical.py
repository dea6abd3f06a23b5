"""A typical hand-written aws-cdk-lib app: what a team writes without the library (issue #21's baseline).

Per function: a ``lambda.Function`` (inline code, newest Python runtime CDK knows, arm64, X-Ray active), its
log group (one-year retention, encrypted with the stack's key), aliases Dev, Stage and Prod on ``$LATEST``,
and an SQS queue (encrypted with the stack's key) polled by an event source mapping on Prod. One shared KMS
key per stack. No cdk-nag acknowledgements, no failure queue, CDK's own role with the AWS managed policy.
It imports only what it uses (no lambda_constructs), so its import time is a hand-written app's.
"""

from __future__ import annotations

from aws_cdk import RemovalPolicy, Stack
from aws_cdk import aws_kms as kms
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_lambda_event_sources as sources
from aws_cdk import aws_logs as logs
from aws_cdk import aws_sqs as sqs

HANDLER = "def handler(event, context):\n    return {'ok': True}\n"
ALIASES = ("Dev", "Stage", "Prod")


def typical_functions(stack: Stack, n: int) -> None:
    """N typical functions in ``stack``, sharing one key."""
    key = kms.Key(stack, "Key", enable_key_rotation=True, removal_policy=RemovalPolicy.RETAIN)
    key.grant_encrypt_decrypt(_logs_principal(stack))
    for i in range(n):
        fid = f"fn-{i:04d}"
        log_group = logs.LogGroup(stack, f"{fid}-logs", retention=logs.RetentionDays.ONE_YEAR, encryption_key=key)
        fn = lambda_.Function(
            stack,
            fid,
            runtime=lambda_.Runtime.PYTHON_3_13,
            handler="index.handler",
            code=lambda_.Code.from_inline(HANDLER),
            architecture=lambda_.Architecture.ARM_64,
            tracing=lambda_.Tracing.ACTIVE,
            log_group=log_group,
        )
        aliases = {
            name: lambda_.Alias(stack, f"{fid}-{name}", alias_name=name, version=fn.latest_version) for name in ALIASES
        }
        queue = sqs.Queue(stack, f"{fid}-queue", encryption=sqs.QueueEncryption.KMS, encryption_master_key=key)
        aliases["Prod"].add_event_source(sources.SqsEventSource(queue))


def _logs_principal(stack: Stack) -> object:
    from aws_cdk import aws_iam as iam

    return iam.ServicePrincipal(f"logs.{stack.region}.amazonaws.com")
