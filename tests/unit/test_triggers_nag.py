"""Every trigger not covered by another nag test, in one app: the five cdk-nag packs stay clean.

Findings on a trigger's own resources are library bugs (fixed in the trigger module). Only the test's
scaffolding (VPC, load balancer, user pool, table, secret) is acknowledged here, each with its reason.
"""

from __future__ import annotations

import aws_cdk as cdk
import pytest
from aws_cdk import aws_cloudfront as cloudfront
from aws_cdk import aws_cognito as cognito
from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_elasticloadbalancingv2 as elbv2
from aws_cdk import aws_events as events
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_logs as logs
from aws_cdk import aws_secretsmanager as secretsmanager
from constructs import IConstruct

from lambda_constructs import SecureFunction, SecureFunctionProps
from lambda_constructs.compliance import acknowledge, acknowledge_rule
from lambda_constructs.triggers import (
    AlbTarget,
    AlexaSkillTrigger,
    ArchiveReplayTrigger,
    CodeCommitTrigger,
    CognitoTrigger,
    ConfigRuleTrigger,
    CustomResourceTrigger,
    DocumentDbTrigger,
    DynamoDbStreamTrigger,
    EdgeTrigger,
    InvokeAccess,
    IotEventsTrigger,
    IotRuleTrigger,
    KafkaAuth,
    KinesisTrigger,
    LexBotTrigger,
    LogsSubscriptionTrigger,
    MqTrigger,
    MskTrigger,
    S3BatchOperationsTrigger,
    SecretRotationTrigger,
    SelfManagedKafkaTrigger,
    ServiceEventTrigger,
    SesReceiptTrigger,
    Trigger,
)
from tests.helpers import nag_findings, new_app, new_stack

CODE = "def handler(event, context):\n    return {}\n"
SKILL = "amzn1.ask.skill.12345678-1234-1234-1234-123456789012"
BOT_ALIAS = "arn:aws:lex:eu-west-1:123456789012:bot-alias/ABCDEFGHIJ/TSTALIASID"
MSK_ARN = "arn:aws:kafka:eu-west-1:123456789012:cluster/demo/abcd-1234"
MQ_ARN = "arn:aws:mq:eu-west-1:123456789012:broker:b:b-1234"
DOCDB_ARN = "arn:aws:rds:eu-west-1:123456789012:cluster:docs"


def _fn(stack: cdk.Stack, name: str, **props: object) -> SecureFunction:
    return SecureFunction(stack, name, SecureFunctionProps(inline_code=CODE, **props))  # type: ignore[arg-type]


def _ack(scope: IConstruct, reason: str, *rules: str) -> None:
    """Acknowledge findings on test scaffolding (rules without a pack prefix go to every pack that has them)."""
    for rule in rules:
        if rule.startswith(("AwsSolutions-", "Serverless-")):
            acknowledge(scope, rule, reason)
        else:
            acknowledge_rule(scope, rule, reason)


def _scaffold_network(stack: cdk.Stack) -> elbv2.IApplicationListener:
    """A VPC, an internal ALB and an HTTP listener: the AlbTarget's environment, not the library's."""
    vpc = ec2.Vpc(
        stack,
        "Vpc",
        max_azs=2,
        nat_gateways=0,
        subnet_configuration=[ec2.SubnetConfiguration(name="Isolated", subnet_type=ec2.SubnetType.PRIVATE_ISOLATED)],
    )
    _ack(
        vpc,
        "Test-only isolated VPC holding the load balancer the AlbTarget registers with; flow logs (a log group, "
        "a role) are the network owner's choice and not what this test checks.",
        "AwsSolutions-VPC7",
        "VPCFlowLogsEnabled",
    )
    alb = elbv2.ApplicationLoadBalancer(
        stack, "Alb", vpc=vpc, internet_facing=False, drop_invalid_header_fields=True, deletion_protection=False
    )
    _ack(
        alb,
        "Test-only internal load balancer: access logs need a log bucket, WAF a web ACL, and deletion protection "
        "would block teardown; the test checks the trigger's target group and permission, not the ALB.",
        "AwsSolutions-ELB2",
        "ELBLoggingEnabled",
        "ELBDeletionProtectionEnabled",
        "ALBWAFEnabled",
    )
    listener = alb.add_listener("Http", port=80, open=False)
    _ack(
        listener,
        "Test-only listener of an internal load balancer in an isolated VPC; HTTPS needs an ACM certificate "
        "(a domain) a unit test does not have.",
        "ALBHttpToHttpsRedirection",
        "ELBv2ACMCertificateRequired",
    )
    return listener


def _build(app: cdk.App) -> None:
    stack = new_stack(app)
    fn = _fn(stack, "Fn")
    poller = _fn(stack, "Poller")
    sign_up = _fn(stack, "SignUp", timeout=cdk.Duration.seconds(5))  # Cognito waits 5 s for a trigger

    listener = _scaffold_network(stack)
    pool = cognito.UserPool(
        stack,
        "Pool",
        password_policy=cognito.PasswordPolicy(
            min_length=12, require_uppercase=True, require_lowercase=True, require_digits=True, require_symbols=True
        ),
        mfa=cognito.Mfa.REQUIRED,
        mfa_second_factor=cognito.MfaSecondFactor(otp=True, sms=False),
    )
    _ack(
        pool,
        "Test-only user pool: the Plus feature plan is priced per user and is the application's choice.",
        "AwsSolutions-COG8",
    )
    secret_key = kms.Key(stack, "SecretKey", enable_key_rotation=True, removal_policy=cdk.RemovalPolicy.DESTROY)
    secret = secretsmanager.Secret(stack, "Secret", encryption_key=secret_key)
    table = dynamodb.Table(
        stack,
        "Table",
        partition_key=dynamodb.Attribute(name="pk", type=dynamodb.AttributeType.STRING),
        stream=dynamodb.StreamViewType.NEW_AND_OLD_IMAGES,
        billing_mode=dynamodb.BillingMode.PAY_PER_REQUEST,
        point_in_time_recovery_specification=dynamodb.PointInTimeRecoverySpecification(
            point_in_time_recovery_enabled=True
        ),
    )
    _ack(
        table,
        "Test-only source table of the stream trigger; its AWS Backup plan is the data owner's choice.",
        "DynamoDBInBackupPlan",
    )
    bus = events.EventBus(stack, "Bus")
    group = logs.LogGroup(stack, "Logs", retention=logs.RetentionDays.ONE_YEAR, encryption_key=fn.key)
    reader = iam.Role(stack, "Reader", assumed_by=iam.AccountRootPrincipal())

    sign_up.add_trigger(CognitoTrigger(user_pool=pool, operation="preSignUp"), construct_id="Cognito")
    triggers: dict[str, Trigger] = {
        "Alb": AlbTarget(listener=listener),
        "ConfigRule": ConfigRuleTrigger(resource_types=["AWS::S3::Bucket"]),
        "Lex": LexBotTrigger(bot_alias_arn=BOT_ALIAS),
        "Alexa": AlexaSkillTrigger(skill_id=SKILL),
        "Custom": CustomResourceTrigger(properties={"Table": "orders"}, resource_type="Custom::Seed"),
        "Rotation": SecretRotationTrigger(secret=secret),
        "Batch": S3BatchOperationsTrigger(),
        "Direct": InvokeAccess(principals=[reader], accounts=["111122223333"]),
        "Iot": IotRuleTrigger(sql="SELECT * FROM 'devices/+/telemetry'"),
        "IotEvents": IotEventsTrigger(detector_model_name="dm"),
        "Mail": SesReceiptTrigger(rule_set_name="set", rule_name="inbound"),
        "LogsSub": LogsSubscriptionTrigger(log_group=group),
        "Repo": CodeCommitTrigger(repository_name="repo", branches=["main"]),
        "Replay": ArchiveReplayTrigger(event_pattern={"source": ["my.app"]}, event_bus=bus),
        "Kms": ServiceEventTrigger.for_service("kms"),
    }
    for construct_id, trigger in triggers.items():
        fn.add_trigger(trigger, construct_id=construct_id)
    # InvokeAccess grants through the principal's own policy: CDK adds it to the test role's default policy.
    _ack(
        reader.node.find_child("DefaultPolicy"),
        "Test-only caller role: CDK's grant puts lambda:InvokeFunction on the alias into the role's default "
        "(inline) policy; how a caller's role holds its grants is the caller's choice.",
        "IAMNoInlinePolicy",
    )

    polled: dict[str, Trigger] = {
        "Msk": MskTrigger(cluster_arn=MSK_ARN, topic="orders", authentication=KafkaAuth.IAM),
        "Kafka": SelfManagedKafkaTrigger(
            bootstrap_servers=["b1:9096"], topic="orders", authentication=KafkaAuth.SASL_SCRAM_512, secret=secret
        ),
        "Mq": MqTrigger(broker_arn=MQ_ARN, queue_name="q", secret=secret),
        "Docs": DocumentDbTrigger(cluster_arn=DOCDB_ARN, database_name="db", secret=secret),
        "Changes": DynamoDbStreamTrigger(table=table),
        "Clicks": KinesisTrigger(),
    }
    for construct_id, trigger in polled.items():
        poller.add_trigger(trigger, construct_id=construct_id)

    edge_stack = new_stack(app, "EdgeStack", env=cdk.Environment(account="123456789012", region="us-east-1"))
    edge = _fn(
        edge_stack, "Edge", architecture=lambda_.Architecture.X86_64, memory_size=128, timeout=cdk.Duration.seconds(5)
    )
    edge.add_trigger(
        EdgeTrigger(event_type=cloudfront.LambdaEdgeEventType.VIEWER_REQUEST), alias="$LATEST", construct_id="Viewer"
    )


@pytest.fixture(scope="module")
def findings() -> list[str]:
    app = new_app(nag=True)
    _build(app)
    return nag_findings(app)


def test_every_remaining_trigger_passes_the_five_packs(findings: list[str]) -> None:
    assert findings == []
