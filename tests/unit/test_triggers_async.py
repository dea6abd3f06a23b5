"""Asynchronous push triggers: permissions, created sources, DLQs, nag-clean defaults and bad input."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import aws_cdk as cdk
import pytest
from aws_cdk import Duration
from aws_cdk import aws_events as events
from aws_cdk import aws_logs as logs
from aws_cdk.assertions import Match, Template

from lambda_constructs import LambdaConstructsError, SecureFunction, SecureFunctionProps
from lambda_constructs.triggers import (
    ArchiveReplayTrigger,
    CodeCommitTrigger,
    EventBridgeRuleTrigger,
    InvocationKind,
    IotEventsTrigger,
    IotRuleTrigger,
    LogsSubscriptionTrigger,
    S3Trigger,
    ScheduleTrigger,
    SesReceiptTrigger,
    SnsTrigger,
)
from tests.helpers import nag_findings, new_app, new_stack

CODE = "def handler(event, context):\n    return {}\n"
ALIAS = {"Ref": Match.string_like_regexp("FnAliaslive")}


def _fn(stack: cdk.Stack) -> SecureFunction:
    return SecureFunction(stack, "Fn", SecureFunctionProps(inline_code=CODE))


def _build(app: cdk.App) -> cdk.Stack:
    stack = new_stack(app)
    fn = _fn(stack)
    bus = events.EventBus(stack, "Bus")
    fn.add_trigger(S3Trigger(prefix="in/", suffix=".json"), construct_id="Uploads")
    fn.add_trigger(SnsTrigger(), construct_id="Topic")
    fn.add_trigger(EventBridgeRuleTrigger(event_pattern={"source": ["my.app"]}, event_bus=bus), construct_id="Rule")
    fn.add_trigger(ArchiveReplayTrigger(event_pattern={"source": ["my.app"]}, event_bus=bus), construct_id="Replay")
    fn.add_trigger(
        ScheduleTrigger(expression="cron(0 6 * * ? *)", timezone="Europe/Paris", flexible_window=Duration.minutes(15)),
        construct_id="Daily",
    )
    fn.add_trigger(CodeCommitTrigger(repository_name="repo", branches=["main"]), construct_id="Repo")
    fn.add_trigger(IotRuleTrigger(sql="SELECT * FROM 'devices/+/telemetry'"), construct_id="Iot")
    fn.add_trigger(IotEventsTrigger(detector_model_name="dm"), construct_id="IotEvents")
    fn.add_trigger(SesReceiptTrigger(rule_set_name="set", rule_name="inbound"), construct_id="Mail")
    group = logs.LogGroup(stack, "Logs", retention=logs.RetentionDays.ONE_YEAR, encryption_key=fn.key)
    fn.add_trigger(LogsSubscriptionTrigger(log_group=group), construct_id="LogsSub")
    return stack


@pytest.fixture(scope="module")
def template() -> Template:
    return Template.from_stack(_build(new_app()))


@pytest.fixture(scope="module")
def findings() -> list[str]:
    app = new_app(nag=True)
    _build(app)
    return nag_findings(app)


def test_kind() -> None:
    assert SnsTrigger().kind is InvocationKind.ASYNC


def test_every_async_trigger_is_nag_clean(findings: list[str]) -> None:
    assert findings == []


def test_alias_has_event_invoke_config(template: Template) -> None:
    template.has_resource_properties(
        "AWS::Lambda::EventInvokeConfig",
        {
            "Qualifier": {"Fn::Select": Match.any_value()},  # the alias's name, from its ARN
            "MaximumRetryAttempts": 2,
            "MaximumEventAgeInSeconds": 21600,
            "DestinationConfig": {
                "OnFailure": {
                    "Destination": {"Fn::GetAtt": [Match.string_like_regexp("^LambdaConstructsFailureQueue"), "Arn"]}
                }
            },
        },
    )


def test_s3_permission_has_source_arn_and_account(template: Template) -> None:
    template.has_resource_properties(
        "AWS::Lambda::Permission",
        {
            "Principal": "s3.amazonaws.com",
            "FunctionName": ALIAS,
            "SourceAccount": {"Ref": "AWS::AccountId"},
            "SourceArn": {"Fn::GetAtt": [Match.string_like_regexp("FnUploadsBucket"), "Arn"]},
        },
    )
    for rule in ({"Name": "prefix", "Value": "in/"}, {"Name": "suffix", "Value": ".json"}):
        template.has_resource_properties(
            "Custom::S3BucketNotifications",
            {
                "NotificationConfiguration": {
                    "LambdaFunctionConfigurations": [
                        Match.object_like(
                            {
                                "Events": ["s3:ObjectCreated:*"],
                                "LambdaFunctionArn": ALIAS,
                                "Filter": {"Key": {"FilterRules": Match.array_with([rule])}},
                            }
                        )
                    ]
                }
            },
        )


def test_created_bucket_is_secure(template: Template) -> None:
    template.has_resource(
        "AWS::S3::Bucket",
        {
            "Properties": Match.object_like(
                {
                    "BucketEncryption": {
                        "ServerSideEncryptionConfiguration": [
                            Match.object_like(
                                {"ServerSideEncryptionByDefault": Match.object_like({"SSEAlgorithm": "aws:kms"})}
                            )
                        ]
                    },
                    "VersioningConfiguration": {"Status": "Enabled"},
                    "LoggingConfiguration": {"DestinationBucketName": {"Ref": Match.string_like_regexp("AccessLogs")}},
                    "PublicAccessBlockConfiguration": {
                        "BlockPublicAcls": True,
                        "BlockPublicPolicy": True,
                        "IgnorePublicAcls": True,
                        "RestrictPublicBuckets": True,
                    },
                }
            ),
            "DeletionPolicy": "Retain",
        },
    )


def test_sns_topic_subscription_and_dlq(template: Template) -> None:
    template.has_resource_properties(
        "AWS::SNS::Topic", {"KmsMasterKeyId": {"Fn::GetAtt": [Match.string_like_regexp("LambdaConstructsKey"), "Arn"]}}
    )
    template.has_resource_properties(
        "AWS::SNS::Subscription",
        {
            "Protocol": "lambda",
            "Endpoint": ALIAS,
            "RedrivePolicy": {
                "deadLetterTargetArn": {"Fn::GetAtt": [Match.string_like_regexp("FnTopicDeadLetterQueue"), "Arn"]}
            },
        },
    )
    template.has_resource_properties(
        "AWS::Lambda::Permission",
        {
            "Principal": "sns.amazonaws.com",
            "FunctionName": ALIAS,
            "SourceArn": {"Ref": Match.string_like_regexp("FnTopic")},
        },
    )


def test_eventbridge_rule_target_dlq_and_retry(template: Template) -> None:
    template.has_resource_properties(
        "AWS::Events::Rule",
        {
            "EventPattern": {"source": ["my.app"]},
            "Targets": [
                {
                    "Id": "Function",
                    "Arn": ALIAS,
                    "DeadLetterConfig": {
                        "Arn": {"Fn::GetAtt": [Match.string_like_regexp("FnRuleDeadLetterQueue"), "Arn"]}
                    },
                    "RetryPolicy": {"MaximumRetryAttempts": 185, "MaximumEventAgeInSeconds": 86400},
                }
            ],
        },
    )
    template.has_resource_properties(
        "AWS::Lambda::Permission",
        {
            "Principal": "events.amazonaws.com",
            "SourceArn": {"Fn::GetAtt": [Match.string_like_regexp("^FnRule[0-9A-F]{8}$"), "Arn"]},
        },
    )


def test_archive_replay_rule_matches_replayed_events(template: Template) -> None:
    template.has_resource_properties("AWS::Events::Archive", {"RetentionDays": 365})
    template.has_resource_properties(
        "AWS::Events::Rule", {"EventPattern": {"source": ["my.app"], "replay-name": [{"exists": True}]}}
    )


def test_schedule_with_dedicated_role(template: Template) -> None:
    template.has_resource_properties(
        "AWS::Scheduler::Schedule",
        {
            "ScheduleExpression": "cron(0 6 * * ? *)",
            "ScheduleExpressionTimezone": "Europe/Paris",
            "FlexibleTimeWindow": {"Mode": "FLEXIBLE", "MaximumWindowInMinutes": 15},
            "Target": Match.object_like(
                {
                    "Arn": ALIAS,
                    "RoleArn": {"Fn::GetAtt": [Match.string_like_regexp("FnDailyRole"), "Arn"]},
                    "DeadLetterConfig": {"Arn": Match.any_value()},
                    "RetryPolicy": {"MaximumRetryAttempts": 185, "MaximumEventAgeInSeconds": 86400},
                }
            ),
        },
    )
    template.has_resource_properties(
        "AWS::IAM::ManagedPolicy",
        {
            "PolicyDocument": {
                "Statement": Match.array_with(
                    [{"Action": "lambda:InvokeFunction", "Effect": "Allow", "Resource": ALIAS}]
                )
            },
            "Roles": [{"Ref": Match.string_like_regexp("FnDailyRole")}],
        },
    )


def test_iot_ses_codecommit_logs_permissions(template: Template) -> None:
    for principal in ("iot.amazonaws.com", "ses.amazonaws.com", "iotevents.amazonaws.com"):
        template.has_resource_properties(
            "AWS::Lambda::Permission",
            {"Principal": principal, "SourceArn": Match.any_value(), "SourceAccount": {"Ref": "AWS::AccountId"}},
        )
    template.has_resource_properties(
        "AWS::IoT::TopicRule",
        {
            "TopicRulePayload": Match.object_like(
                {"ErrorAction": {"Sqs": Match.object_like({"QueueUrl": Match.any_value()})}}
            )
        },
    )
    template.has_resource_properties(
        "AWS::SES::ReceiptRule",
        {
            "Rule": Match.object_like(
                {
                    "TlsPolicy": "Require",
                    "ScanEnabled": True,
                    "Actions": [{"LambdaAction": {"FunctionArn": ALIAS, "InvocationType": "Event"}}],
                }
            )
        },
    )
    template.has_resource_properties(
        "AWS::Events::Rule",
        {
            "EventPattern": Match.object_like(
                {"source": ["aws.codecommit"], "detail": {"referenceType": ["branch"], "referenceName": ["main"]}}
            )
        },
    )
    template.has_resource_properties("AWS::Logs::SubscriptionFilter", {"DestinationArn": ALIAS, "FilterPattern": ""})


# ------------------------------------------------------------------------------ bad input

#: Options checked when the trigger is created (its __post_init__), before any construct exists.
BAD: list[tuple[str, Callable[[], Any], str]] = [
    ("rate zero", lambda: ScheduleTrigger(expression="rate(0 minutes)"), "rate(0 minutes)"),
    ("rate plural", lambda: ScheduleTrigger(expression="rate(1 minutes)"), "rate(1 minutes)"),
    ("rate unit", lambda: ScheduleTrigger(expression="rate(5 weeks)"), "rate(5 weeks)"),
    ("cron 5 fields", lambda: ScheduleTrigger(expression="cron(0 6 * * ?)"), "6 fields"),
    ("cron both days", lambda: ScheduleTrigger(expression="cron(0 6 * * * *)"), "day-of-week must be '?'"),
    ("at bad date", lambda: ScheduleTrigger(expression="at(2030-02-30T00:00:00)"), "invalid at()"),
    ("garbage", lambda: ScheduleTrigger(expression="every day"), "invalid schedule expression"),
    ("timezone", lambda: ScheduleTrigger(expression="rate(1 hour)", timezone="Mars/Olympus"), "Mars/Olympus"),
    (
        "flex window",
        lambda: ScheduleTrigger(expression="rate(1 hour)", flexible_window=Duration.hours(25)),
        "flexible_window",
    ),
    ("schedule retries", lambda: ScheduleTrigger(expression="rate(1 hour)", retry_attempts=186), "186"),
    ("pattern not object", lambda: EventBridgeRuleTrigger(event_pattern="[1, 2]"), "JSON object"),
    ("pattern not json", lambda: EventBridgeRuleTrigger(event_pattern="{source"), "not valid JSON"),
    ("pattern empty", lambda: EventBridgeRuleTrigger(event_pattern={}), "must not be empty"),
    ("pattern bad key", lambda: EventBridgeRuleTrigger(event_pattern={"sauce": ["x"]}), "sauce"),
    ("pattern scalar leaf", lambda: EventBridgeRuleTrigger(event_pattern={"source": "x"}), "non-empty list"),
    (
        "rule event age",
        lambda: EventBridgeRuleTrigger(event_pattern={"source": ["x"]}, max_event_age=Duration.hours(25)),
        "90000",
    ),
    ("iot sql", lambda: IotRuleTrigger(sql="DROP TABLE x"), "DROP TABLE x"),
    ("s3 no events", lambda: S3Trigger(events=()), "S3Trigger(events=...) is empty"),
    ("codecommit name", lambda: CodeCommitTrigger(repository_name="bad name!"), "bad name!"),
    ("ses rule name", lambda: SesReceiptTrigger(rule_set_name="s", rule_name="bad name"), "bad name"),
]


@pytest.mark.parametrize(("case", "make", "expected"), BAD, ids=[case for case, _, _ in BAD])
def test_bad_option_fails_when_the_trigger_is_created(case: str, make: Callable[[], Any], expected: str) -> None:
    with pytest.raises(LambdaConstructsError) as error:
        make()
    assert re.match(
        r"^(ScheduleTrigger|EventBridgeRuleTrigger|IotRuleTrigger|S3Trigger|CodeCommitTrigger|SesReceiptTrigger)\((\w+=)?\.\.\.\)[: ]",
        str(error.value),
    ), str(error.value)
    assert expected in str(error.value)
