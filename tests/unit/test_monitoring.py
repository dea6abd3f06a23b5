"""ServiceMonitoring: alarms, topic, dashboard, log queries, validation."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import aws_cdk as cdk
import pytest
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_sns as sns
from aws_cdk.assertions import Match, Template

from lambda_constructs import LambdaConstructsError, SecureFunction, SecureFunctionProps
from lambda_constructs.contract import FunctionView
from lambda_constructs.monitoring import (
    AlarmThresholds,
    ServiceMonitoring,
    ServiceMonitoringProps,
    is_stream_trigger,
)
from lambda_constructs.triggers.base import InvocationKind, SourceKind, TriggerResult
from tests.helpers import nag_findings, new_app, new_stack

CODE = "def handler(event, context):\n    return {}\n"


@dataclass(frozen=True)
class FakeStreamTrigger:
    """A minimal polled trigger: the ``source`` of its result (``SourceKind.STREAM``) is what monitoring reads."""

    is_stream: bool = True

    @property
    def kind(self) -> InvocationKind:
        return InvocationKind.POLLED

    def bind(self, fn: FunctionView, target: lambda_.IFunction, construct_id: str) -> TriggerResult:
        source = SourceKind.STREAM if self.is_stream else SourceKind.QUEUE
        return TriggerResult(trigger=self, construct_id=construct_id, kind=self.kind, source=source)


def _function(stack: cdk.Stack, name: str = "Fn", **props: Any) -> SecureFunction:
    return SecureFunction(stack, name, SecureFunctionProps(inline_code=CODE, **props))


def _alarms(template: Template) -> dict[str, dict[str, Any]]:
    return {key: value["Properties"] for key, value in template.find_resources("AWS::CloudWatch::Alarm").items()}


def _alarm_names(monitoring: ServiceMonitoring) -> set[str]:
    return {f"{fid}/{name}" for fid, m in monitoring.functions.items() for name in m.alarms}


def _dashboard_body(template: Template) -> str:
    (dashboard,) = template.find_resources("AWS::CloudWatch::Dashboard").values()
    return json.dumps(dashboard["Properties"]["DashboardBody"])


# ------------------------------------------------------------------- a function with an alias


@pytest.fixture(scope="module")
def aliased() -> tuple[cdk.App, ServiceMonitoring, Template]:
    app = new_app(nag=True)
    stack = new_stack(app)
    fn = _function(stack, reserved_concurrent_executions=10, timeout=cdk.Duration.seconds(30))
    monitoring = ServiceMonitoring(stack, "Monitoring", ServiceMonitoringProps(alarm_set="full", functions=[fn]))
    return app, monitoring, Template.from_stack(stack)


def test_alarms_for_function_and_alias(aliased: tuple[cdk.App, ServiceMonitoring, Template]) -> None:
    _, monitoring, template = aliased
    assert _alarm_names(monitoring) == {
        f"Fn/{name}"
        for name in (
            "ErrorRate",
            "Throttles",
            "Duration",
            "Concurrency",
            "AsyncEventsDropped",
            "AsyncEventAge",
            "AliasliveErrorRate",
            "AliasliveThrottles",
            "AliasliveDuration",
        )
    }
    # The stack's shared failure queue and its redrive queue: alarmed once, on the monitoring construct.
    assert set(monitoring.failure_queue_alarms) == {"FailureQueueDepth", "FailureDeadLetterQueueDepth"}
    assert len(monitoring.alarms) == 11
    template.resource_count_is("AWS::CloudWatch::Alarm", 11)
    for props in _alarms(template).values():
        assert props["TreatMissingData"] == "notBreaching"
        assert props["ComparisonOperator"] == "GreaterThanOrEqualToThreshold"
        assert props["AlarmActions"][0]["Ref"].startswith("MonitoringAlarmTopic")
        assert props["OKActions"] == props["AlarmActions"]


def test_error_rate_is_a_percent_math_expression(aliased: tuple[cdk.App, ServiceMonitoring, Template]) -> None:
    _, _, template = aliased
    template.has_resource_properties(
        "AWS::CloudWatch::Alarm",
        {
            "Threshold": 1,
            "Metrics": Match.array_with(
                [
                    Match.object_like({"Expression": "IF(invocations > 0, 100 * errors / invocations, 0)"}),
                    Match.object_like(
                        {
                            "Id": "errors",
                            "MetricStat": Match.object_like({"Metric": Match.object_like({"MetricName": "Errors"})}),
                        }
                    ),
                ]
            ),
        },
    )


def test_alias_alarms_use_the_resource_dimension(aliased: tuple[cdk.App, ServiceMonitoring, Template]) -> None:
    _, _, template = aliased
    template.has_resource_properties(
        "AWS::CloudWatch::Alarm",
        {
            "MetricName": "Throttles",
            "Dimensions": Match.array_with(
                [{"Name": "Resource", "Value": {"Fn::Join": ["", [{"Ref": Match.any_value()}, ":live"]]}}]
            ),
        },
    )


def test_duration_and_concurrency_thresholds(aliased: tuple[cdk.App, ServiceMonitoring, Template]) -> None:
    _, _, template = aliased
    # p99 at 80 % of the 30 s timeout; concurrency at 80 % of 10 reserved.
    template.has_resource_properties(
        "AWS::CloudWatch::Alarm", {"MetricName": "Duration", "ExtendedStatistic": "p99", "Threshold": 24000}
    )
    template.has_resource_properties(
        "AWS::CloudWatch::Alarm", {"MetricName": "ConcurrentExecutions", "Statistic": "Maximum", "Threshold": 8}
    )
    template.has_resource_properties("AWS::CloudWatch::Alarm", {"MetricName": "AsyncEventsDropped", "Threshold": 1})
    template.has_resource_properties("AWS::CloudWatch::Alarm", {"MetricName": "AsyncEventAge", "Threshold": 600000})
    template.has_resource_properties(
        "AWS::CloudWatch::Alarm", {"MetricName": "ApproximateNumberOfMessagesVisible", "Threshold": 1}
    )
    assert not [p for p in _alarms(template).values() if p.get("MetricName") == "IteratorAge"]


def test_encrypted_tls_only_topic(aliased: tuple[cdk.App, ServiceMonitoring, Template]) -> None:
    _, _, template = aliased
    template.resource_count_is("AWS::SNS::Topic", 1)
    template.has_resource_properties("AWS::SNS::Topic", {"KmsMasterKeyId": Match.any_value()})
    template.has_resource_properties(
        "AWS::SNS::TopicPolicy",
        {
            "PolicyDocument": {
                "Statement": Match.array_with(
                    [
                        Match.object_like({"Effect": "Deny", "Condition": {"Bool": {"aws:SecureTransport": "false"}}}),
                        Match.object_like(
                            {
                                "Effect": "Allow",
                                "Principal": {"Service": "cloudwatch.amazonaws.com"},
                                "Action": "sns:Publish",
                            }
                        ),
                    ]
                )
            }
        },
    )
    template.has_resource_properties(
        "AWS::KMS::Key", {"EnableKeyRotation": True, "Description": Match.string_like_regexp("Alarm")}
    )


def test_dashboard_widgets(aliased: tuple[cdk.App, ServiceMonitoring, Template]) -> None:
    _, _, template = aliased
    template.resource_count_is("AWS::CloudWatch::Dashboard", 1)
    body = _dashboard_body(template)
    for expected in (
        "invocations, errors, throttles",
        "p50",
        "p90",
        "p99",
        "ConcurrentExecutions",
        "traffic per alias and executed version",
        "ExecutedVersion",
        "AsyncEventAge",
        "platform.report",
        "record.metrics.maxMemoryUsedMB",
        "record.metrics.memorySizeMB",
        "record.metrics.initDurationMs",
        "by service",
    ):
        assert expected in body, expected
    assert "stream iterator age" not in body


def test_log_queries_and_metric_filter(aliased: tuple[cdk.App, ServiceMonitoring, Template]) -> None:
    _, _, template = aliased
    template.resource_count_is("AWS::Logs::QueryDefinition", 4)
    template.has_resource_properties(
        "AWS::Logs::QueryDefinition",
        {
            "QueryString": Match.string_like_regexp("record.metrics.initDurationMs"),
            "LogGroupNames": [Match.any_value()],
        },
    )
    template.has_resource_properties(
        "AWS::Logs::MetricFilter",
        {
            "FilterPattern": Match.string_like_regexp(r"\$\.level"),
            "MetricTransformations": [
                Match.object_like({"MetricName": "ErrorLogs", "Dimensions": [{"Key": "service", "Value": "$.service"}]})
            ],
        },
    )
    template.resource_count_is("AWS::Logs::SubscriptionFilter", 0)


def test_nag_packs_clean(aliased: tuple[cdk.App, ServiceMonitoring, Template]) -> None:
    app, _, _ = aliased
    assert nag_findings(app) == []


# ------------------------------------------------ without alias, with a stream trigger, two functions


@pytest.fixture(scope="module")
def plain_and_stream() -> tuple[ServiceMonitoring, Template]:
    stack = new_stack()
    plain = _function(stack, "Plain", default_alias=None)
    streamed = _function(stack, "Streamed")
    streamed.add_trigger(FakeStreamTrigger())
    monitoring = ServiceMonitoring(
        stack, "Monitoring", ServiceMonitoringProps(alarm_set="full", functions=[plain, streamed])
    )
    return monitoring, Template.from_stack(stack)


def test_no_alias_no_alias_alarms(plain_and_stream: tuple[ServiceMonitoring, Template]) -> None:
    monitoring, _ = plain_and_stream
    assert set(monitoring.functions["Plain"].alarms) == {
        "ErrorRate",
        "Throttles",
        "Duration",
        "AsyncEventsDropped",
        "AsyncEventAge",
    }
    # Two functions of one stack share one failure queue: its alarms exist once, not once per function.
    assert set(monitoring.failure_queue_alarms) == {"FailureQueueDepth", "FailureDeadLetterQueueDepth"}


def test_stream_trigger_gets_iterator_age(plain_and_stream: tuple[ServiceMonitoring, Template]) -> None:
    monitoring, template = plain_and_stream
    assert "IteratorAge" in monitoring.functions["Streamed"].alarms
    assert "IteratorAge" not in monitoring.functions["Plain"].alarms
    template.has_resource_properties(
        "AWS::CloudWatch::Alarm", {"MetricName": "IteratorAge", "Statistic": "Maximum", "Threshold": 60000}
    )
    assert "Streamed: stream iterator age" in _dashboard_body(template)
    # One dashboard and one set of saved queries for both functions.
    template.resource_count_is("AWS::CloudWatch::Dashboard", 1)
    template.resource_count_is("AWS::Logs::QueryDefinition", 4)
    for query in template.find_resources("AWS::Logs::QueryDefinition").values():
        assert len(query["Properties"]["LogGroupNames"]) == 2


def test_switching_one_alarm_off_removes_only_it() -> None:
    stack = new_stack()
    fn = _function(stack)
    default = ServiceMonitoring(stack, "Default", ServiceMonitoringProps(alarm_set="full", functions=[fn]))
    off = ServiceMonitoring(
        stack,
        "Off",
        ServiceMonitoringProps(alarm_set="full", functions=[fn], thresholds=AlarmThresholds(throttles=None)),
    )
    assert set(default.functions["Fn"].alarms) - set(off.functions["Fn"].alarms) == {"Throttles", "AliasliveThrottles"}
    assert set(off.functions["Fn"].alarms) < set(default.functions["Fn"].alarms)


def test_per_function_thresholds_and_log_subscription() -> None:
    from aws_cdk import aws_logs as logs
    from aws_cdk import aws_logs_destinations as destinations

    stack = new_stack()
    fn = _function(stack)
    sink = _function(stack, "Sink", default_alias=None)
    monitoring = ServiceMonitoring(
        stack,
        "Monitoring",
        ServiceMonitoringProps(
            alarm_set="full", log_destination=destinations.LambdaDestination(sink.function), dashboard=False
        ),
    )
    monitoring.add_function(fn, thresholds=AlarmThresholds(error_rate_percent=5, duration_p99_percent_of_timeout=50))
    template = Template.from_stack(stack)
    template.has_resource_properties("AWS::CloudWatch::Alarm", {"MetricName": "Duration", "Threshold": 15000})
    template.has_resource_properties("AWS::CloudWatch::Alarm", {"Threshold": 5, "Metrics": Match.any_value()})
    template.resource_count_is("AWS::Logs::SubscriptionFilter", 1)
    template.resource_count_is("AWS::CloudWatch::Dashboard", 0)
    assert isinstance(monitoring.subscriptions["Fn"], logs.SubscriptionFilter)


def test_topic_of_same_region_is_used() -> None:
    stack = new_stack(env=cdk.Environment(account="111111111111", region="eu-west-1"))
    topic = sns.Topic.from_topic_arn(stack, "Topic", "arn:aws:sns:eu-west-1:111111111111:alarms")
    fn = _function(stack)
    ServiceMonitoring(stack, "Monitoring", ServiceMonitoringProps(alarm_set="full", functions=[fn], alarm_topic=topic))
    template = Template.from_stack(stack)
    template.resource_count_is("AWS::SNS::Topic", 0)
    template.has_resource_properties(
        "AWS::CloudWatch::Alarm", {"AlarmActions": ["arn:aws:sns:eu-west-1:111111111111:alarms"]}
    )


def test_is_stream_trigger_reads_the_bind_result() -> None:
    fn = _function(new_stack())
    assert is_stream_trigger(fn.add_trigger(FakeStreamTrigger()))
    assert not is_stream_trigger(fn.add_trigger(FakeStreamTrigger(is_stream=False)))


def test_a_trigger_whose_bind_returns_nothing_is_not_a_stream() -> None:
    class KinesisTrigger:  # the class name no longer matters
        kind = InvocationKind.POLLED

        def bind(self, fn: FunctionView, target: lambda_.IFunction, construct_id: str) -> None:
            pass

    fn = _function(new_stack())
    result = fn.add_trigger(KinesisTrigger())  # type: ignore[arg-type]
    assert result.source is SourceKind.PUSH and result.resources is None and result.construct_id == "KinesisTrigger1"
    assert not is_stream_trigger(result)


# ------------------------------------------------------------------------------ bad input


@pytest.mark.parametrize(
    ("thresholds", "message"),
    [
        (AlarmThresholds(error_rate_percent=-1), "error_rate_percent must be above 0"),
        (AlarmThresholds(error_rate_percent=150), "at most 100"),
        (AlarmThresholds(duration_p99_percent_of_timeout=120), "duration_p99_percent_of_timeout"),
        (AlarmThresholds(throttles=0), "throttles must be at least 1"),
        (AlarmThresholds(queue_messages=-3), "queue_messages must be at least 1"),
        (AlarmThresholds(async_event_age_seconds=-5), "async_event_age_seconds"),
        (AlarmThresholds(period=cdk.Duration.seconds(90)), "whole minutes"),
        (AlarmThresholds(evaluation_periods=0), "evaluation_periods"),
    ],
)
def test_threshold_out_of_range(thresholds: AlarmThresholds, message: str) -> None:
    stack = new_stack()
    fn = _function(stack)
    with pytest.raises(LambdaConstructsError, match=message):
        ServiceMonitoring(
            stack, "Monitoring", ServiceMonitoringProps(alarm_set="full", functions=[fn], thresholds=thresholds)
        )


def test_iterator_age_without_stream_trigger() -> None:
    stack = new_stack()
    fn = _function(stack)
    with pytest.raises(LambdaConstructsError, match="no stream trigger"):
        ServiceMonitoring(
            stack,
            "Monitoring",
            ServiceMonitoringProps(
                alarm_set="full", functions=[fn], thresholds=AlarmThresholds(iterator_age_seconds=30)
            ),
        )


def test_concurrency_without_reserved_concurrency() -> None:
    stack = new_stack()
    fn = _function(stack)
    with pytest.raises(LambdaConstructsError, match="no reserved concurrency"):
        ServiceMonitoring(
            stack,
            "Monitoring",
            ServiceMonitoringProps(
                alarm_set="full", functions=[fn], thresholds=AlarmThresholds(concurrency_percent_of_reserved=90)
            ),
        )


def test_async_event_age_above_max_event_age() -> None:
    stack = new_stack()
    fn = _function(stack, max_event_age=cdk.Duration.minutes(5))
    with pytest.raises(LambdaConstructsError, match="max_event_age"):
        ServiceMonitoring(stack, "Monitoring", ServiceMonitoringProps(alarm_set="full", functions=[fn]))


def test_topic_from_another_region() -> None:
    stack = new_stack(env=cdk.Environment(account="111111111111", region="eu-west-1"))
    topic = sns.Topic.from_topic_arn(stack, "Topic", "arn:aws:sns:us-east-1:111111111111:alarms")
    with pytest.raises(LambdaConstructsError, match="us-east-1 but the stack is in eu-west-1"):
        ServiceMonitoring(stack, "Monitoring", ServiceMonitoringProps(alarm_set="full", alarm_topic=topic))


def test_alias_added_after_monitoring_fails_synth() -> None:
    app = new_app()
    stack = new_stack(app)
    fn = _function(stack)
    ServiceMonitoring(stack, "Monitoring", ServiceMonitoringProps(alarm_set="full", functions=[fn]))
    fn.add_alias("canary", fn.function.latest_version)
    with pytest.raises(Exception, match="after it was monitored"):
        app.synth()


def test_same_function_twice() -> None:
    stack = new_stack()
    fn = _function(stack)
    monitoring = ServiceMonitoring(stack, "Monitoring", ServiceMonitoringProps(alarm_set="full", functions=[fn]))
    with pytest.raises(LambdaConstructsError, match="already monitored"):
        monitoring.add_function(fn)


def test_lambda_insights_layer_with_customer_managed_statements() -> None:
    app = new_app(nag=True)
    stack = new_stack(app)
    _function(stack, insights_version=lambda_.LambdaInsightsVersion.VERSION_1_0_498_0)
    template = Template.from_stack(stack)
    template.has_resource_properties("AWS::Lambda::Function", {"Layers": [Match.any_value()]})
    # No AWS managed policy: a role lists only customer-managed policies of this template (the shared X-Ray one).
    local = set(template.find_resources("AWS::IAM::ManagedPolicy"))
    for role in template.find_resources("AWS::IAM::Role").values():
        arns = role["Properties"].get("ManagedPolicyArns", [])
        assert all(isinstance(arn, dict) and arn.get("Ref") in local for arn in arns), arns
    template.has_resource_properties(
        "AWS::IAM::ManagedPolicy",
        {
            "PolicyDocument": {
                "Statement": Match.array_with(
                    [Match.object_like({"Action": ["logs:CreateLogStream", "logs:PutLogEvents"]})]
                )
            }
        },
    )
    assert nag_findings(app) == []


def test_a_function_created_after_monitor_stack_is_reported() -> None:
    """``monitor_stack`` finds the functions that exist when it runs; one created later in the same stack has
    no alarms, so synthesis warns (acknowledgeable) naming it; functions of other stacks are not its concern."""
    from aws_cdk.assertions import Annotations

    from lambda_constructs.monitoring import monitor_stack

    props = SecureFunctionProps(inline_code="def handler(e, c):\n    return 1\n")
    app = new_app()
    stack, other = cdk.Stack(app, "Watched"), cdk.Stack(app, "Other")
    SecureFunction(stack, "Early", props)
    assert monitor_stack(stack) is not None
    SecureFunction(other, "Elsewhere", props)
    Annotations.from_stack(stack).has_no_warning("*", Match.string_like_regexp("unmonitoredFunctions"))
    SecureFunction(stack, "Late", props)
    annotations = Annotations.from_stack(stack)  # (each synthesis runs the check again)
    annotations.has_warning(
        "/Watched/Monitoring", Match.string_like_regexp("Watched/Late were created after monitor_stack")
    )
    warnings = annotations.find_warning("*", Match.string_like_regexp("unmonitoredFunctions"))
    assert len(warnings) == 1 and "Early" not in str(warnings[0].entry.data) and "Elsewhere" not in str(warnings)


def _unmonitored(stack: cdk.Stack) -> list[str]:
    from aws_cdk.assertions import Annotations

    found = Annotations.from_stack(stack).find_warning("*", Match.string_like_regexp("unmonitoredFunctions"))
    return [str(w.entry.data) for w in found]


def test_functions_of_nested_stacks_that_nothing_monitors_are_reported() -> None:
    """monitor_stack(stack) monitors the functions whose stack is ``stack``; those of its nested stacks belong to
    their own stack's monitoring. It used to skip them silently; now synthesis warns, naming them."""
    from lambda_constructs.monitoring import monitor_stack

    props = SecureFunctionProps(inline_code="def handler(e, c):\n    return 1\n")
    stack = cdk.Stack(new_app(), "Parent")
    SecureFunction(stack, "Top", props)
    nested = cdk.NestedStack(stack, "Child")
    SecureFunction(nested, "Inner", props)
    monitoring = monitor_stack(stack)
    assert monitoring is not None and list(monitoring.functions) == ["Top"]  # not monitored here (documented)
    (warning,) = _unmonitored(stack)
    assert warning.startswith(
        "Parent/Child/Inner are in nested stacks of Parent (Parent/Child), which monitor_stack() does not monitor, "
        "and nothing else monitors them: they have no alarms; call monitor_stack(nested_stack) for each of them"
    )
    assert "Parent/Top" not in warning


def test_a_nested_stack_function_monitored_in_its_own_stack_is_not_reported() -> None:
    from lambda_constructs.monitoring import monitor_stack

    props = SecureFunctionProps(inline_code="def handler(e, c):\n    return 1\n")
    stack = cdk.Stack(new_app(), "Parent")
    SecureFunction(stack, "Top", props)
    nested = cdk.NestedStack(stack, "Child")
    SecureFunction(nested, "Inner", props)
    monitor_stack(stack)
    monitor_stack(nested)  # after the parent's: the check runs at synthesis
    assert _unmonitored(stack) == []


@pytest.mark.parametrize("service_monitored", [False, True])
def test_a_lambda_service_s_shards_are_reported_unless_the_service_is_monitored(service_monitored: bool) -> None:
    from lambda_constructs import LambdaService, LambdaServiceProps
    from lambda_constructs.monitoring import monitor_stack

    props = SecureFunctionProps(inline_code="def handler(e, c):\n    return 1\n")
    stack = cdk.Stack(new_app(), "Parent")
    SecureFunction(stack, "Top", props)
    svc = LambdaService(stack, "Orders", LambdaServiceProps(shards=2, monitored=True))
    fn = svc.add_function("A", props)
    monitor_stack(stack)
    if service_monitored:
        svc.monitor()
        assert _unmonitored(stack) == []
    else:
        (warning,) = _unmonitored(stack)
        assert warning.startswith(f"{fn.node.path} are in nested stacks of Parent")
        assert "LambdaService.monitor() for a service's shards" in warning
