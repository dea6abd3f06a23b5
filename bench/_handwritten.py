"""Hand-written aws-cdk-lib baseline: what bench/_workload.py builds with the library, written by hand.

Per function: KMS key (rotation, CloudWatch Logs statement), role + a customer-managed grants policy (and
the stack's one X-Ray policy, created by the first function, listed in each role), encrypted log group, failure queue + its redrive queue (KMS, TLS-only policies), the function (JSON
logs, tracing, arm64), EventInvokeConfigs for $LATEST and each alias, aliases live/stage/prod, and an
encrypted, TLS-only source queue with its own dead-letter queue, polled by an event source mapping on
``live``. The construct paths are the library's, so the template is the same resource for resource
(bench_resources.py compares them), and the same cdk-nag acknowledgements are made, with the public
``Validations.of(scope).acknowledge`` API, so that both pass the same five packs.
"""

from __future__ import annotations

from aws_cdk import Acknowledgment, ArnFormat, Aws, Duration, RemovalPolicy, Size, Stack, Validations
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_lambda_destinations as destinations
from aws_cdk import aws_logs as logs
from aws_cdk import aws_sqs as sqs
from constructs import Construct

from bench._workload import ALIASES, HANDLER
from lambda_constructs import runtimes
from lambda_constructs.compliance import LIBRARY_ACKNOWLEDGEMENTS as REASONS

LOGS_ACTIONS = [
    "kms:Encrypt",
    "kms:Decrypt",
    "kms:ReEncryptFrom",
    "kms:ReEncryptTo",
    "kms:GenerateDataKey",
    "kms:GenerateDataKeyWithoutPlaintext",
    "kms:DescribeKey",
]


def _ack(scope: Construct, *rules: tuple[str, str]) -> None:
    Validations.of(scope).acknowledge(*(Acknowledgment(id=rule, reason=REASONS[reason]) for rule, reason in rules))


def _queue(scope: Construct, construct_id: str, key: kms.IKey, **props: object) -> sqs.Queue:
    return sqs.Queue(
        scope,
        construct_id,
        encryption=sqs.QueueEncryption.KMS,
        encryption_master_key=key,
        enforce_ssl=True,
        removal_policy=RemovalPolicy.RETAIN,
        **props,  # type: ignore[arg-type]
    )


def _tracing_policy(stack: Stack) -> iam.ManagedPolicy:
    """The stack's X-Ray policy, shared by the functions' roles (created by the first function)."""
    found = stack.node.try_find_child("LambdaConstructsTracingPolicy")
    if isinstance(found, iam.ManagedPolicy):
        return found
    tracing = iam.ManagedPolicy(
        stack,
        "LambdaConstructsTracingPolicy",
        description="X-Ray segments of the stack's SecureFunctions (no resource-level ARNs)",
        statements=[
            iam.PolicyStatement(actions=["xray:PutTraceSegments", "xray:PutTelemetryRecords"], resources=["*"])
        ],
    )
    _ack(tracing, ("AwsSolutions-IAM5[Resource::*]", "AwsSolutions-IAM5[Resource::*]"))
    return tracing


def handwritten_function(stack: Stack, construct_id: str) -> Construct:
    scope = Construct(stack, construct_id)
    path = f"{stack.stack_name}/{construct_id}"
    key = kms.Key(
        scope,
        "Key",
        description=f"Environment, logs and failure queue of {path}",
        enable_key_rotation=True,
        removal_policy=RemovalPolicy.RETAIN,
    )
    key.add_to_resource_policy(
        iam.PolicyStatement(
            sid="AllowCloudWatchLogsOfThisAccountAndRegion",
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
    role = iam.Role(
        scope,
        "Role",
        assumed_by=iam.ServicePrincipal("lambda.amazonaws.com"),
        description=f"Execution role of {path}",
        managed_policies=[_tracing_policy(stack)],
    )
    log_group = logs.LogGroup(
        scope,
        "LogGroup",
        retention=logs.RetentionDays.ONE_YEAR,
        encryption_key=key,
        removal_policy=RemovalPolicy.RETAIN,
    )
    dlq = _queue(scope, "FailureDeadLetterQueue", key, retention_period=Duration.days(14))
    _ack(dlq, ("Serverless-SQSRedrivePolicy", "SQSRedrivePolicy"))
    failure = _queue(
        scope,
        "FailureQueue",
        key,
        retention_period=Duration.days(14),
        dead_letter_queue=sqs.DeadLetterQueue(max_receive_count=5, queue=dlq),
    )
    trigger = Construct(scope, "SqsTrigger1")
    source_dlq = _queue(trigger, "DeadLetterQueue", key, retention_period=Duration.days(14))
    _ack(source_dlq, ("Serverless-SQSRedrivePolicy", "SQSRedrivePolicy (trigger dead-letter queue)"))
    source = _queue(
        trigger,
        "Queue",
        key,
        visibility_timeout=Duration.seconds(180),  # 6 × the 30 s function timeout
        retention_period=Duration.days(4),
        dead_letter_queue=sqs.DeadLetterQueue(max_receive_count=5, queue=source_dlq),
    )
    iam.ManagedPolicy(
        role,
        "Policy",
        roles=[role],
        description="Least-privilege grants",
        statements=[
            iam.PolicyStatement(
                actions=["logs:CreateLogStream", "logs:PutLogEvents"], resources=[log_group.log_group_arn]
            ),
            iam.PolicyStatement(actions=["kms:Decrypt", "kms:GenerateDataKey"], resources=[key.key_arn]),
            iam.PolicyStatement(actions=["sqs:SendMessage"], resources=[failure.queue_arn]),
            iam.PolicyStatement(
                actions=[
                    "sqs:ReceiveMessage",
                    "sqs:DeleteMessage",
                    "sqs:GetQueueAttributes",
                    "sqs:ChangeMessageVisibility",
                ],
                resources=[source.queue_arn],
            ),
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
    _ack(
        fn,
        *((f"{pack}-LambdaDLQ", "LambdaDLQ") for pack in ("Serverless", "NIST.800.53.R5", "HIPAA.Security")),
        *((f"{pack}-LambdaConcurrency", "LambdaConcurrency") for pack in ("NIST.800.53.R5", "HIPAA.Security")),
        *(
            (f"{pack}-LambdaInsideVPC", "LambdaInsideVPC")
            for pack in ("NIST.800.53.R5", "HIPAA.Security", "PCI.DSS.321")
        ),
    )
    latest = fn.latest_version
    aliases = {
        name: lambda_.Alias(
            scope,
            f"Alias{name}",
            alias_name=name,
            version=latest,
            retry_attempts=2,
            max_event_age=Duration.hours(6),
            on_failure=on_failure,
        )
        for name in ("live", *ALIASES)
    }
    mapping = lambda_.CfnEventSourceMapping(
        trigger,
        "Mapping",
        function_name=aliases["live"].function_arn,
        event_source_arn=source.queue_arn,
        batch_size=10,
        function_response_types=["ReportBatchItemFailures"],
        enabled=True,
    )
    mapping.node.add_dependency(role)
    _ack(mapping, ("Serverless-LambdaEventSourceMappingDestination", "LambdaEventSourceMappingDestination"))
    return scope


def handwritten_functions(stack: Stack, n: int) -> None:
    for i in range(n):
        handwritten_function(stack, f"fn-{i:04d}")
