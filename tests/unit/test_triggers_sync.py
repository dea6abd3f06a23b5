"""Synchronous push triggers (push_sync.py) and InvokeAccess: resources, permissions, bad input."""

from __future__ import annotations

from typing import Any

import aws_cdk as cdk
import pytest
from aws_cdk import aws_cognito as cognito
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_elasticloadbalancingv2 as elbv2
from aws_cdk import aws_iam as iam
from aws_cdk import aws_secretsmanager as secretsmanager
from aws_cdk.assertions import Annotations, Match, Template

from lambda_constructs import LambdaConstructsError, SecureFunction, SecureFunctionProps
from lambda_constructs.triggers import (
    AlbTarget,
    AlexaSkillTrigger,
    CognitoTrigger,
    ConfigRuleTrigger,
    CustomResourceTrigger,
    FunctionUrlTrigger,
    HttpApiTrigger,
    InvocationKind,
    InvokeAccess,
    LexBotTrigger,
    RestApiTrigger,
    S3BatchOperationsTrigger,
    SecretRotationTrigger,
    StepFunctionsTask,
)
from lambda_constructs.triggers.access import InvokeAccessResources
from lambda_constructs.triggers.s3_batch import S3BatchResources
from tests.helpers import nag_findings, new_app, new_stack

CODE = "def handler(event, context):\n    return {}\n"
SKILL = "amzn1.ask.skill.12345678-1234-1234-1234-123456789012"
BOT_ALIAS = "arn:aws:lex:eu-west-1:123456789012:bot-alias/ABCDEFGHIJ/TSTALIASID"


def _fn(stack: cdk.Stack, name: str = "Fn", **props: Any) -> SecureFunction:
    return SecureFunction(stack, name, SecureFunctionProps(inline_code=CODE, **props))


def _alias_ref(stack: cdk.Stack, fn: SecureFunction) -> dict[str, Any]:
    return stack.resolve(fn.target().function_arn)  # type: ignore[no-any-return]


class Built:
    """One stack with every synchronous trigger on one function (synthesized once)."""

    def __init__(self) -> None:
        self.stack = new_stack()
        fn = self.fn = _fn(self.stack)
        self.pool = cognito.UserPool(self.stack, "Pool")
        self.secret = secretsmanager.Secret(self.stack, "Secret")
        vpc = ec2.Vpc(self.stack, "Vpc", max_azs=2, nat_gateways=0)
        alb = elbv2.ApplicationLoadBalancer(self.stack, "Alb", vpc=vpc)
        self.listener = alb.add_listener("Http", port=80, open=False)
        self.reader = iam.Role(self.stack, "Reader", assumed_by=iam.AccountRootPrincipal())
        self.triggers: dict[str, Any] = {
            "RestApi": RestApiTrigger(),
            "HttpApi": HttpApiTrigger(),
            "Url": FunctionUrlTrigger(invokers=[self.reader]),
            "Alb": AlbTarget(listener=self.listener),
            "Cognito": CognitoTrigger(user_pool=self.pool, operation="preSignUp"),
            "Lex": LexBotTrigger(bot_alias_arn=BOT_ALIAS),
            "Alexa": AlexaSkillTrigger(skill_id=SKILL),
            "SmartHome": AlexaSkillTrigger(skill_id=SKILL, smart_home=True),
            "Workflow": StepFunctionsTask(),
            "Custom": CustomResourceTrigger(properties={"Table": "orders"}, resource_type="Custom::Seed"),
            "Batch": S3BatchOperationsTrigger(),
            "Rotation": SecretRotationTrigger(secret=self.secret),
            "ConfigRule": ConfigRuleTrigger(resource_types=["AWS::S3::Bucket"]),
            "Direct": InvokeAccess(principals=[self.reader], accounts=["111122223333"]),
        }
        self.results = {
            construct_id: fn.add_trigger(trigger, construct_id=construct_id)
            for construct_id, trigger in self.triggers.items()
        }
        self.template = Template.from_stack(self.stack)
        self.alias = _alias_ref(self.stack, fn)


@pytest.fixture(scope="module")
def built() -> Built:
    return Built()


# ------------------------------------------------------------------------------------ REST API


def test_rest_api_default_has_iam_authorizer_on_every_method(built: Built) -> None:
    methods = built.template.find_resources("AWS::ApiGateway::Method")
    assert len(methods) == 2  # ANY / and ANY /{proxy+}
    for method in methods.values():
        assert method["Properties"]["AuthorizationType"] == "AWS_IAM"
        assert "RequestValidatorId" in method["Properties"]


def test_rest_api_stage_logs_traces_throttles(built: Built) -> None:
    built.template.has_resource_properties(
        "AWS::ApiGateway::Stage",
        {
            "StageName": "prod",
            "TracingEnabled": True,
            "AccessLogSetting": {"DestinationArn": Match.any_value(), "Format": Match.string_like_regexp("requestId")},
            "MethodSettings": Match.array_with(
                [Match.object_like({"LoggingLevel": "INFO", "ThrottlingRateLimit": 100, "ThrottlingBurstLimit": 200})]
            ),
        },
    )
    built.template.has_resource_properties(
        "AWS::ApiGateway::RequestValidator", {"ValidateRequestParameters": True, "ValidateRequestBody": True}
    )


def test_rest_api_access_log_group_is_encrypted_and_retained(built: Built) -> None:
    groups = built.template.find_resources("AWS::Logs::LogGroup", {"Properties": {"KmsKeyId": Match.any_value()}})
    access = [g for lid, g in groups.items() if "RestApiAccessLogs" in lid]
    assert len(access) == 1
    assert access[0]["DeletionPolicy"] == "Retain"
    assert access[0]["Properties"]["RetentionInDays"] == 365


def test_rest_api_permission_is_scoped_to_the_api(built: Built) -> None:
    built.template.has_resource_properties(
        "AWS::Lambda::Permission",
        {
            "Principal": "apigateway.amazonaws.com",
            "FunctionName": built.alias,
            "SourceArn": Match.object_like({"Fn::Join": Match.any_value()}),
        },
    )


def test_rest_api_account_role_is_retained(built: Built) -> None:
    built.template.has_resource("AWS::ApiGateway::Account", {"DeletionPolicy": "Retain"})


# ------------------------------------------------------------------------------------ HTTP API


def test_http_api_default_route_uses_iam(built: Built) -> None:
    built.template.has_resource_properties(
        "AWS::ApiGatewayV2::Route", {"RouteKey": "$default", "AuthorizationType": "AWS_IAM"}
    )


def test_http_api_stage_has_access_logs_and_throttling(built: Built) -> None:
    built.template.has_resource_properties(
        "AWS::ApiGatewayV2::Stage",
        {
            "StageName": "$default",
            "AutoDeploy": True,
            "AccessLogSettings": {"DestinationArn": Match.any_value(), "Format": Match.string_like_regexp("requestId")},
            "DefaultRouteSettings": {"ThrottlingRateLimit": 100, "ThrottlingBurstLimit": 200},
        },
    )


# ------------------------------------------------------------------------------- Function URL


def test_function_url_defaults_to_aws_iam_on_the_alias(built: Built) -> None:
    built.template.has_resource_properties("AWS::Lambda::Url", {"AuthType": "AWS_IAM", "Qualifier": "live"})
    built.template.has_resource_properties(
        "AWS::IAM::Policy",
        {
            "PolicyDocument": {
                "Statement": Match.array_with([Match.object_like({"Action": "lambda:InvokeFunctionUrl"})])
            }
        },
    )


# ------------------------------------------------------------------------------------ ALB


def test_alb_target_group_targets_the_alias_with_account_scoped_permission(built: Built) -> None:
    built.template.has_resource_properties(
        "AWS::ElasticLoadBalancingV2::TargetGroup", {"TargetType": "lambda", "Targets": [{"Id": built.alias}]}
    )
    built.template.has_resource_properties(
        "AWS::Lambda::Permission",
        {
            "Principal": "elasticloadbalancing.amazonaws.com",
            "FunctionName": built.alias,
            "SourceAccount": {"Ref": "AWS::AccountId"},
        },
    )


def test_alb_priority_without_conditions_is_an_error(built: Built) -> None:
    stack = new_stack()
    vpc = ec2.Vpc(stack, "Vpc", max_azs=2, nat_gateways=0)
    listener = elbv2.ApplicationLoadBalancer(stack, "Alb", vpc=vpc).add_listener("L", port=80, open=False)
    with pytest.raises(LambdaConstructsError, match=r"^AlbTarget\(priority=\.\.\.\) and conditions .*'priority': 5"):
        AlbTarget(listener=listener, priority=5)
    with pytest.raises(LambdaConstructsError, match=r"^AlbTarget\(priority=\.\.\.\) must be between 1 and 50000 .*0"):
        AlbTarget(listener=listener, priority=0, conditions=[elbv2.ListenerCondition.path_patterns(["/a"])])


# ------------------------------------------------------------------------------------ Cognito


def test_cognito_trigger_is_wired_with_pool_scoped_permission(built: Built) -> None:
    built.template.has_resource_properties("AWS::Cognito::UserPool", {"LambdaConfig": {"PreSignUp": built.alias}})
    built.template.has_resource_properties(
        "AWS::Lambda::Permission",
        {"Principal": "cognito-idp.amazonaws.com", "FunctionName": built.alias, "SourceArn": Match.any_value()},
    )
    assert built.triggers["Cognito"].kind is InvocationKind.SYNC


def test_cognito_warns_when_timeout_exceeds_five_seconds(built: Built) -> None:
    Annotations.from_stack(built.stack).has_warning("/TestStack/Fn/Cognito", Match.string_like_regexp("waits 5 s"))


# ------------------------------------------------------------------------------- Lex, Alexa


def test_lex_permission_is_scoped_to_the_bot_alias(built: Built) -> None:
    built.template.has_resource_properties(
        "AWS::Lambda::Permission",
        {"Principal": "lexv2.amazonaws.com", "SourceArn": BOT_ALIAS, "SourceAccount": "123456789012"},
    )


def test_alexa_permission_uses_the_skill_id_as_event_source_token(built: Built) -> None:
    built.template.has_resource_properties(
        "AWS::Lambda::Permission",
        {"Principal": "alexa-appkit.amazon.com", "EventSourceToken": SKILL, "FunctionName": built.alias},
    )
    built.template.has_resource_properties(
        "AWS::Lambda::Permission", {"Principal": "alexa-connectedhome.amazon.com", "EventSourceToken": SKILL}
    )


# ---------------------------------------------------------------------------- Step Functions


def test_step_functions_task_invokes_the_alias_with_logs_and_tracing(built: Built) -> None:
    built.template.has_resource_properties(
        "AWS::StepFunctions::StateMachine",
        {
            "TracingConfiguration": {"Enabled": True},
            "LoggingConfiguration": Match.object_like({"Level": "ALL", "IncludeExecutionData": False}),
        },
    )
    built.template.has_resource_properties(
        "AWS::IAM::ManagedPolicy",
        {
            "PolicyDocument": {
                "Statement": Match.array_with(
                    [Match.object_like({"Action": "lambda:InvokeFunction", "Resource": built.alias})]
                )
            }
        },
    )


# ---------------------------------------------------------------- CloudFormation, S3 Batch, Secrets, Config


def test_custom_resource_service_token_is_the_alias(built: Built) -> None:
    built.template.has_resource_properties("Custom::Seed", {"ServiceToken": built.alias, "Table": "orders"})


def test_s3_batch_role_may_invoke_only_the_alias(built: Built) -> None:
    built.template.has_resource_properties(
        "AWS::IAM::Role",
        {
            "AssumeRolePolicyDocument": {
                "Statement": [
                    Match.object_like(
                        {
                            "Principal": {"Service": "batchoperations.s3.amazonaws.com"},
                            "Condition": {"StringEquals": {"aws:SourceAccount": {"Ref": "AWS::AccountId"}}},
                        }
                    )
                ]
            }
        },
    )
    resources = built.results["Batch"].resources
    assert isinstance(resources, S3BatchResources)
    role = resources.role
    statements = built.stack.resolve(role.policy.document.to_json())["Statement"]
    assert statements == [{"Action": "lambda:InvokeFunction", "Effect": "Allow", "Resource": built.alias}]


def test_secret_rotation_schedule_and_scoped_permission(built: Built) -> None:
    secret_ref = built.stack.resolve(built.secret.secret_arn)
    built.template.has_resource_properties(
        "AWS::SecretsManager::RotationSchedule",
        {"RotationLambdaARN": built.alias, "RotationRules": {"AutomaticallyAfterDays": 30}, "SecretId": secret_ref},
    )
    built.template.has_resource_properties(
        "AWS::Lambda::Permission",
        {
            "Principal": "secretsmanager.amazonaws.com",
            "SourceArn": secret_ref,
            "SourceAccount": {"Ref": "AWS::AccountId"},
        },
    )


def test_config_rule_is_custom_lambda_with_account_scoped_permission(built: Built) -> None:
    built.template.has_resource_properties(
        "AWS::Config::ConfigRule",
        {
            "Source": Match.object_like({"Owner": "CUSTOM_LAMBDA", "SourceIdentifier": built.alias}),
            "Scope": {"ComplianceResourceTypes": ["AWS::S3::Bucket"]},
        },
    )
    built.template.has_resource_properties(
        "AWS::Lambda::Permission", {"Principal": "config.amazonaws.com", "SourceAccount": {"Ref": "AWS::AccountId"}}
    )


# ------------------------------------------------------------------------------- InvokeAccess


def test_invoke_access_grants_only_the_alias(built: Built) -> None:
    built.template.has_resource_properties(
        "AWS::Lambda::Permission", {"Principal": "111122223333", "FunctionName": built.alias}
    )
    resources = built.results["Direct"].resources
    assert isinstance(resources, InvokeAccessResources) and resources.grants
    assert all(grant.success for grant in resources.grants)


def test_kinds_are_honest(built: Built) -> None:
    async_ids = {"Custom", "ConfigRule"}
    for construct_id, trigger in built.triggers.items():
        expected = InvocationKind.ASYNC if construct_id in async_ids else InvocationKind.SYNC
        assert trigger.kind is expected, construct_id


def test_api_stack_passes_the_five_packs() -> None:
    from stacks.api_stack import ApiStack

    app = new_app(nag=True)
    ApiStack(app, "LambdaConstructsApi")
    assert nag_findings(app) == []
