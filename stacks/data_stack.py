"""Reaching a database: an isolated VPC, an encrypted PostgreSQL instance and a VPC function.

The function sits in isolated subnets (no NAT, no internet), reads the database secret by reference
(``SECRET_ARN``) through a Secrets Manager interface endpoint, and reaches PostgreSQL on 5432: the
database's security group admits only the function's security group, and the function's group
sends only to the database (5432) and to the endpoints (443).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from aws_cdk import Duration, RemovalPolicy, Stack
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_logs as logs
from aws_cdk import aws_rds as rds
from constructs import Construct

from lambda_constructs import ExecutionRole, SecureFunction, SecureFunctionProps
from lambda_constructs.compliance import acknowledge, acknowledge_rule
from lambda_constructs.keys import allow_cloudwatch_logs
from lambda_constructs.network import EgressRule
from lambda_constructs.private_network import suppress_default_sg_provider
from lambda_constructs.secrets import SecretReference

RUNTIME_DIR = Path(__file__).resolve().parent.parent / "runtime"
DB_PORT = 5432
_COMPLIANCE_PACKS = ("NIST.800.53.R5", "HIPAA.Security", "PCI.DSS.321")

#: Reasons for the example's data-tier acknowledgements (the library's own are in compliance.py).
REASONS = {
    "rotation": (
        "Example app: no rotation function is deployed (it would need its own VPC function and the "
        "Secrets Manager rotation application). The secret is KMS-encrypted and read only by the db_reader "
        "role; enable rotation with DatabaseInstance.add_rotation_single_user() in production."
    ),
    "port": (
        "The database keeps PostgreSQL's default port: its security group admits only the function's security "
        "group and the subnets are isolated, so a non-default port adds no protection."
    ),
    "backup_plan": (
        "Automated RDS backups (7 days, point-in-time recovery) protect the example database; an AWS Backup "
        "plan (vault, cross-region copies) is an account-level concern outside this example."
    ),
    "monitoring_role": (
        "RDS enhanced monitoring requires the AWS managed policy AmazonRDSEnhancedMonitoringRole on the "
        "monitoring role assumed by monitoring.rds.amazonaws.com; it grants only CloudWatch Logs writes to "
        "the RDSOSMetrics log group."
    ),
}


class DataStack(Stack):
    """VPC (isolated, flow logs), PostgreSQL (encrypted, IAM auth, multi-AZ) and the db_reader function."""

    def __init__(self, scope: Construct, construct_id: str, **kwargs: Any) -> None:
        super().__init__(scope, construct_id, **kwargs)
        self.key = kms.Key(
            self,
            "DataKey",
            description="Database storage, secret, flow logs and performance insights",
            enable_key_rotation=True,
            removal_policy=RemovalPolicy.RETAIN,
        )
        # CloudWatch Logs of this account and region only (kms:EncryptionContext:aws:logs:arn condition).
        allow_cloudwatch_logs(self.key, stack=self)
        self.vpc = ec2.Vpc(
            self,
            "Vpc",
            max_azs=2,
            nat_gateways=0,
            subnet_configuration=[
                ec2.SubnetConfiguration(name="data", subnet_type=ec2.SubnetType.PRIVATE_ISOLATED, cidr_mask=24)
            ],
        )
        # checkov/cfn-lint see aws-cdk-lib's default-SG handler (feature flag in cdk.json): reasons in the template.
        suppress_default_sg_provider(self)
        flow_log_group = logs.LogGroup(
            self,
            "FlowLogs",
            retention=logs.RetentionDays.ONE_YEAR,
            encryption_key=self.key,
            removal_policy=RemovalPolicy.RETAIN,
        )
        # An ExecutionRole keeps the flow log grants in a customer-managed policy (no inline policy).
        flow_log_role = ExecutionRole(
            self, "FlowLogRole", assumed_by=iam.ServicePrincipal("vpc-flow-logs.amazonaws.com")
        )
        self.vpc.add_flow_log(
            "FlowLog", destination=ec2.FlowLogDestination.to_cloud_watch_logs(flow_log_group, flow_log_role)
        )

        self.db_security_group = ec2.SecurityGroup(
            self,
            "DatabaseSecurityGroup",
            vpc=self.vpc,
            description="PostgreSQL: 5432 from the db_reader function only",
            allow_all_outbound=False,
            allow_all_ipv6_outbound=False,
        )
        self.database = rds.DatabaseInstance(
            self,
            "Database",
            engine=rds.DatabaseInstanceEngine.postgres(version=rds.PostgresEngineVersion.VER_17_9),
            instance_type=ec2.InstanceType.of(ec2.InstanceClass.BURSTABLE4_GRAVITON, ec2.InstanceSize.MICRO),
            vpc=self.vpc,
            vpc_subnets=ec2.SubnetSelection(subnet_type=ec2.SubnetType.PRIVATE_ISOLATED),
            security_groups=[self.db_security_group],
            port=DB_PORT,
            credentials=rds.Credentials.from_generated_secret("postgres", encryption_key=self.key),
            storage_encrypted=True,
            storage_encryption_key=self.key,
            iam_authentication=True,
            multi_az=True,
            backup_retention=Duration.days(7),
            deletion_protection=True,
            removal_policy=RemovalPolicy.RETAIN,
            cloudwatch_logs_exports=["postgresql", "upgrade"],
            monitoring_interval=Duration.seconds(60),
            auto_minor_version_upgrade=True,
            publicly_accessible=False,
            enable_performance_insights=True,
            performance_insight_encryption_key=self.key,
            copy_tags_to_snapshot=True,
        )
        assert self.database.secret is not None
        self.secret = self.database.secret
        acknowledge(self.database, "AwsSolutions-SMG4", REASONS["rotation"])
        acknowledge_rule(self.database, "SecretsManagerRotationEnabled", REASONS["rotation"], _COMPLIANCE_PACKS)
        acknowledge(
            self.database,
            "AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AmazonRDSEnhancedMonitoringRole]",
            REASONS["monitoring_role"],
        )
        acknowledge(self.database, "AwsSolutions-RDS11", REASONS["port"])
        acknowledge_rule(self.database, "RDSInBackupPlan", REASONS["backup_plan"], _COMPLIANCE_PACKS)

        self.reader = SecureFunction(
            self,
            "DbReader",
            SecureFunctionProps(
                code_dir=RUNTIME_DIR / "db_reader",
                handler="app.handler",
                description="Reaches PostgreSQL from the VPC; reads its secret by reference",
                timeout=Duration.seconds(10),
                vpc=self.vpc,
                vpc_subnets=ec2.SubnetSelection(subnet_type=ec2.SubnetType.PRIVATE_ISOLATED),
                allow_egress_to=[
                    EgressRule(peer=self.db_security_group, port=ec2.Port.tcp(DB_PORT), description="PostgreSQL")
                ],
                secret_environment={"SECRET_ARN": SecretReference.from_secret(self.secret)},
                environment={"DB_HOST": self.database.db_instance_endpoint_address, "DB_PORT": str(DB_PORT)},
            ),
        )
        assert self.reader.security_group is not None
        self.db_security_group.add_ingress_rule(
            self.reader.security_group, ec2.Port.tcp(DB_PORT), "PostgreSQL from the db_reader function"
        )
        self.endpoints = self.reader.add_vpc_endpoints()
