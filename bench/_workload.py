"""The benchmark workload shared by the bench scripts: N library functions, 3 aliases + an SQS trigger each."""

from __future__ import annotations

from aws_cdk import Duration, RemovalPolicy, Stack
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_sqs as sqs

from lambda_constructs.function import SecureFunction, SecureFunctionProps
from lambda_constructs.service import LambdaService, LambdaServiceProps

HANDLER = "def handler(event, context):\n    return {'ok': True}\n"
ALIASES = ("stage", "prod")  # + the default "live" alias = three aliases


def add_sqs_trigger(fn: SecureFunction) -> None:
    """A KMS-encrypted, TLS-only source queue polled through the ``live`` alias (plain event source mapping).

    lambda_constructs.triggers.polled.SqsTrigger was not committed when this was written; this is
    the equivalent aws-cdk-lib wiring, identical in bench/_handwritten.py.
    """
    queue = sqs.Queue(
        fn,
        "SourceQueue",
        encryption=sqs.QueueEncryption.KMS,
        encryption_master_key=fn.key,
        enforce_ssl=True,
        visibility_timeout=Duration.seconds(180),
        removal_policy=RemovalPolicy.RETAIN,
    )
    queue.grant_consume_messages(fn.role)
    lambda_.EventSourceMapping(
        fn, "SqsTrigger", target=fn.aliases["live"], event_source_arn=queue.queue_arn, report_batch_item_failures=True
    )


def configure(fn: SecureFunction) -> None:
    for name in ALIASES:
        fn.add_alias(name, fn.function.latest_version)
    add_sqs_trigger(fn)


def function_props() -> SecureFunctionProps:
    return SecureFunctionProps(inline_code=HANDLER)


def library_functions(stack: Stack, n: int) -> list[SecureFunction]:
    """N SecureFunctions in one stack (each with its own key), for the like-for-like comparison."""
    fns = []
    for i in range(n):
        fn = SecureFunction(stack, f"fn-{i:04d}", function_props())
        configure(fn)
        fns.append(fn)
    return fns


def library_service(stack: Stack, n: int, *, shards: int) -> LambdaService:
    """N functions in a sharded LambdaService (shared key in the parent)."""
    svc = LambdaService(stack, "Orders", LambdaServiceProps(shards=shards))
    for i in range(n):
        svc.add_function(f"fn-{i:04d}", function_props(), configure=configure)
    return svc
