"""Hand-written aws-cdk-lib baseline: the resource set of SecureFunction + bench/_workload.configure.

Per function: KMS key (rotation, logs statement), role + two customer-managed policies (grants, X-Ray),
encrypted log group, failure queue + its redrive queue (KMS, TLS-only policies), the function (JSON
logs, tracing, arm64), EventInvokeConfigs for $LATEST and each alias, aliases live/stage/prod, and an
encrypted, TLS-only source queue polled by an event source mapping on ``live``. Same resource types
and counts as the library (bench_resources.py checks this); no cdk-nag acknowledgements.
"""

from __future__ import annotations

from aws_cdk import ArnFormat, Aws, Duration, RemovalPolicy, Size, Stack
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_lambda_destinations as destinations
from aws_cdk import aws_logs as logs
from aws_cdk import aws_sqs as sqs
from constructs import Construct

from bench._workload import ALIASES, HANDLER
from lambda_constructs import runtimes

LOGS_ACTIONS = [
    "kms:Encrypt",
    "kms:Decrypt",
    "kms:ReEncryptFrom",
    "kms:ReEncryptTo",
    "kms:GenerateDataKey",
    "kms:GenerateDataKeyWithoutPlaintext",
    "kms:DescribeKey",
]


def handwritten_function(stack: Stack, construct_id: str) -> Construct:
    scope = Construct(stack, construct_id)
    key = kms.Key(scope, "Key", enable_key_rotation=True, removal_policy=RemovalPolicy.RETAIN)
    key.add_to_resource_policy(
        iam.PolicyStatement(
            principals=[iam.ServicePrincipal(f"logs.{Aws.REGION}.amazonaws.com")],
            actions=LOGS_ACTIONS,
            resources=["*"],
            conditions={
                "ArnLike": {
                    "kms:EncryptionContext:aws:logs:arn": stack.format_arn(
                        service="logs",
                        resource="log-group",
                        resource_name="*",
                        arn_format=ArnFormat.COLON_RESOURCE_NAME,
                    )
                }
            },
        )
    )
    role = iam.Role(scope, "Role", assumed_by=iam.ServicePrincipal("lambda.amazonaws.com"))
    log_group = logs.LogGroup(
        scope,
        "LogGroup",
        retention=logs.RetentionDays.ONE_YEAR,
        encryption_key=key,
        removal_policy=RemovalPolicy.RETAIN,
    )
    common: dict[str, object] = {
        "encryption": sqs.QueueEncryption.KMS,
        "encryption_master_key": key,
        "enforce_ssl": True,
        "retention_period": Duration.days(14),
        "removal_policy": RemovalPolicy.RETAIN,
    }
    dlq = sqs.Queue(scope, "FailureDeadLetterQueue", **common)  # type: ignore[arg-type]
    failure = sqs.Queue(
        scope,
        "FailureQueue",
        dead_letter_queue=sqs.DeadLetterQueue(max_receive_count=5, queue=dlq),
        **common,  # type: ignore[arg-type]
    )
    source = sqs.Queue(
        scope,
        "SourceQueue",
        encryption=sqs.QueueEncryption.KMS,
        encryption_master_key=key,
        enforce_ssl=True,
        visibility_timeout=Duration.seconds(180),
        removal_policy=RemovalPolicy.RETAIN,
    )
    iam.ManagedPolicy(
        scope,
        "Policy",
        roles=[role],
        statements=[
            iam.PolicyStatement(
                actions=["logs:CreateLogStream", "logs:PutLogEvents"], resources=[log_group.log_group_arn]
            ),
            iam.PolicyStatement(actions=["kms:Decrypt"], resources=[key.key_arn]),
            iam.PolicyStatement(actions=["sqs:SendMessage"], resources=[failure.queue_arn]),
            iam.PolicyStatement(actions=["kms:GenerateDataKey", "kms:Decrypt"], resources=[key.key_arn]),
            iam.PolicyStatement(
                actions=[
                    "sqs:ReceiveMessage",
                    "sqs:ChangeMessageVisibility",
                    "sqs:GetQueueUrl",
                    "sqs:DeleteMessage",
                    "sqs:GetQueueAttributes",
                ],
                resources=[source.queue_arn],
            ),
        ],
    )
    iam.ManagedPolicy(
        scope,
        "TracingPolicy",
        roles=[role],
        statements=[
            iam.PolicyStatement(actions=["xray:PutTraceSegments", "xray:PutTelemetryRecords"], resources=["*"])
        ],
    )
    on_failure = destinations.SqsDestination(failure)
    fn = lambda_.Function(
        scope,
        "Function",
        runtime=runtimes.latest_python(),
        handler="index.handler",
        code=lambda_.Code.from_inline(HANDLER),
        architecture=lambda_.Architecture.ARM_64,
        memory_size=512,
        timeout=Duration.seconds(30),
        ephemeral_storage_size=Size.mebibytes(512),
        environment_encryption=key,
        role=role.without_policy_updates(),  # statements live in the managed policies above
        log_group=log_group,
        logging_format=lambda_.LoggingFormat.JSON,
        application_log_level_v2=lambda_.ApplicationLogLevel.INFO,
        system_log_level_v2=lambda_.SystemLogLevel.INFO,
        tracing=lambda_.Tracing.ACTIVE,
    )
    fn.configure_async_invoke(retry_attempts=2, max_event_age=Duration.hours(6), on_failure=on_failure)
    aliases = {
        name: lambda_.Alias(
            scope,
            f"Alias{name}",
            alias_name=name,
            version=fn.latest_version,
            retry_attempts=2,
            max_event_age=Duration.hours(6),
            on_failure=on_failure,
        )
        for name in ("live", *ALIASES)
    }
    lambda_.EventSourceMapping(
        scope, "SqsTrigger", target=aliases["live"], event_source_arn=source.queue_arn, report_batch_item_failures=True
    )
    return scope


def handwritten_functions(stack: Stack, n: int) -> None:
    for i in range(n):
        handwritten_function(stack, f"fn-{i:04d}")
