"""The consumer gate's app: a CDK app outside the repo that uses the library broadly.

Copied into a scratch folder by tests/integration/consumer_gate.py and run there with the installed
wheel; nothing here is imported by the library. The app writes no suppression of any kind: findings on
its own resources (buckets, table, secret) stay visible and are the user's to review; the
Kafka/MQ/DocumentDB sources are referenced by ARN. Validation errors on its own resources make
``app.synth()`` raise after the templates are written; the gate scans those templates.
"""

from __future__ import annotations

import sys
from pathlib import Path

import aws_cdk as cdk
from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_kms as kms
from aws_cdk import aws_s3 as s3
from aws_cdk import aws_secretsmanager as secretsmanager

from lambda_constructs import SecretReference, SecureFunction, SecureFunctionProps
from lambda_constructs.compliance import add_compliance_packs
from lambda_constructs.layers import PythonLayer, PythonLayerProps
from lambda_constructs.monitoring import monitor_stack
from lambda_constructs.private_network import PrivateNetwork
from lambda_constructs.triggers import (
    DocumentDbTrigger,
    DynamoDbStreamTrigger,
    KafkaAuth,
    KinesisTrigger,
    MqTrigger,
    MskTrigger,
    RestApiTrigger,
    S3Trigger,
    SelfManagedKafkaTrigger,
    SnsTrigger,
    SqsTrigger,
    StepFunctionsTask,
)

HERE = Path(__file__).resolve().parent
MSK_ARN = "arn:aws:kafka:eu-west-1:123456789012:cluster/demo/abcd-1234"
MQ_ARN = "arn:aws:mq:eu-west-1:123456789012:broker:b:b-1234"
DOCDB_ARN = "arn:aws:rds:eu-west-1:123456789012:cluster:docs"
ENV = cdk.Environment(account="123456789012", region="eu-west-1")


def _bucket(scope: cdk.Stack, name: str) -> s3.Bucket:
    """The app's own bucket: KMS-encrypted, versioned, TLS-only, private, with access logs."""
    key = kms.Key(scope, f"{name}Key", enable_key_rotation=True)
    logs_bucket = s3.Bucket(
        scope,
        f"{name}AccessLogs",
        encryption=s3.BucketEncryption.S3_MANAGED,
        enforce_ssl=True,
        versioned=True,
        block_public_access=s3.BlockPublicAccess.BLOCK_ALL,
    )
    return s3.Bucket(
        scope,
        name,
        encryption=s3.BucketEncryption.KMS,
        encryption_key=key,
        enforce_ssl=True,
        versioned=True,
        block_public_access=s3.BlockPublicAccess.BLOCK_ALL,
        server_access_logs_bucket=logs_bucket,
    )


def main(outdir: str) -> None:
    app = cdk.App(outdir=outdir)
    stack = cdk.Stack(app, "Consumer", env=ENV)
    data = cdk.Stack(app, "ConsumerData", env=ENV)
    uploads_stack = cdk.Stack(app, "ConsumerUploads", env=ENV)

    layer = PythonLayer(stack, "Deps", PythonLayerProps(asset_path=HERE / "layer", description="consumer dependencies"))
    orders = SecureFunction(
        stack,
        "Orders",
        SecureFunctionProps(
            code_dir=HERE / "handler",
            handler="main.handler",
            layers=[layer],
            releases=HERE / "releases.json",
        ),
    )
    hook = SecureFunction(stack, "PreTraffic", SecureFunctionProps(code_dir=HERE / "handler", handler="main.handler"))
    orders.releases.deployment_group("Prod").add_pre_hook(hook.function)  # type: ignore[union-attr]
    orders.add_trigger(SqsTrigger(), alias="Prod")
    orders.add_trigger(SnsTrigger(), alias="Prod")
    orders.add_trigger(RestApiTrigger(), alias="Prod")
    orders.add_trigger(StepFunctionsTask(), alias="Prod")

    reports = _bucket(data, "Reports")
    # A bucket in another stack than the function: the S3 → Lambda notification lands in that stack.
    uploads = _bucket(uploads_stack, "Uploads")
    table = dynamodb.Table(
        data,
        "Table",
        partition_key=dynamodb.Attribute(name="pk", type=dynamodb.AttributeType.STRING),
        stream=dynamodb.StreamViewType.NEW_AND_OLD_IMAGES,
        billing_mode=dynamodb.BillingMode.PAY_PER_REQUEST,
        encryption=dynamodb.TableEncryption.CUSTOMER_MANAGED,
        encryption_key=kms.Key(data, "TableKey", enable_key_rotation=True),
        point_in_time_recovery_specification=dynamodb.PointInTimeRecoverySpecification(
            point_in_time_recovery_enabled=True
        ),
    )
    secret = secretsmanager.Secret(
        data, "Credentials", encryption_key=kms.Key(data, "SecretKey", enable_key_rotation=True)
    )

    worker = SecureFunction(stack, "Worker", SecureFunctionProps(code_dir=HERE / "handler", handler="main.handler"))
    worker.add_trigger(S3Trigger(bucket=uploads, prefix="incoming/"))
    worker.add_trigger(S3Trigger(via_event_bridge=True, prefix="drop/"), construct_id="Drops")  # no CDK handler
    worker.add_trigger(DynamoDbStreamTrigger(table=table))
    worker.add_trigger(KinesisTrigger())
    worker.grant_read(reports, objects="reports/*")
    worker.grant_write(table)

    pollers = SecureFunction(stack, "Pollers", SecureFunctionProps(code_dir=HERE / "handler", handler="main.handler"))
    pollers.add_trigger(MskTrigger(cluster_arn=MSK_ARN, topic="orders", authentication=KafkaAuth.IAM))
    pollers.add_trigger(
        SelfManagedKafkaTrigger(
            bootstrap_servers=["b1:9096"], topic="orders", authentication=KafkaAuth.SASL_SCRAM_512, secret=secret
        )
    )
    pollers.add_trigger(MqTrigger(broker_arn=MQ_ARN, queue_name="q", secret=secret))
    pollers.add_trigger(DocumentDbTrigger(cluster_arn=DOCDB_ARN, database_name="db", secret=secret))

    network = PrivateNetwork(stack, "Network")
    private = SecureFunction(
        stack,
        "Private",
        SecureFunctionProps(
            code_dir=HERE / "handler",
            handler="main.handler",
            vpc=network.vpc,
            vpc_subnets=network.subnets,
            secret_environment={"DB_SECRET": SecretReference.from_secret(secret)},
        ),
    )
    private.grant_write(table)
    network.add_endpoints_for(private)

    monitor_stack(stack)
    add_compliance_packs(app)
    app.synth()


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "cdk.out")
