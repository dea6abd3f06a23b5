"""The compact alarm set (ServiceMonitoring's default): 3 billed metrics per function, every failure caught."""

from __future__ import annotations

from typing import Any

import aws_cdk as cdk
import pytest
from aws_cdk.assertions import Template

from lambda_constructs import SecureFunction, SecureFunctionProps
from lambda_constructs.cost.estimate import price_resource
from lambda_constructs.cost.prices import load_prices
from lambda_constructs.monitoring import AlarmThresholds, ServiceMonitoring, ServiceMonitoringProps
from tests.helpers import new_stack

CODE = "def handler(event, context):\n    return {}\n"


@pytest.fixture(scope="module")
def compact() -> tuple[cdk.Stack, SecureFunction, ServiceMonitoring, Template]:
    stack = new_stack()
    fn = SecureFunction(stack, "Fn", SecureFunctionProps(inline_code=CODE))
    fn.add_alias("Prod", fn.latest_version)
    monitoring = ServiceMonitoring(stack, "Monitoring", ServiceMonitoringProps(functions=[fn]))
    return stack, fn, monitoring, Template.from_stack(stack)


def _alarms(template: Template) -> dict[str, dict[str, Any]]:
    return {k: v["Properties"] for k, v in template.find_resources("AWS::CloudWatch::Alarm").items()}


def test_compact_is_the_default_with_three_alarms(
    compact: tuple[cdk.Stack, SecureFunction, ServiceMonitoring, Template],
) -> None:
    _, _, monitoring, template = compact
    assert monitoring.props.alarm_set == "compact"
    assert set(monitoring.functions["Fn"].alarms) == {"Errors", "Throttles"}
    assert set(monitoring.failure_queue_alarms) == {"FailureQueueDepth"}  # the stack's shared queue, once
    template.resource_count_is("AWS::CloudWatch::Alarm", 3)


def test_function_alarms_cover_every_alias(
    compact: tuple[cdk.Stack, SecureFunction, ServiceMonitoring, Template],
) -> None:
    stack, fn, _, template = compact
    function_lid = stack.get_logical_id(fn.function.node.default_child)  # type: ignore[arg-type]
    by_metric = {p.get("MetricName"): p for p in _alarms(template).values()}
    for name in ("Errors", "Throttles"):
        # FunctionName alone (no Resource dimension): the sum over every version and alias.
        assert by_metric[name]["Dimensions"] == [{"Name": "FunctionName", "Value": {"Ref": function_lid}}]
        assert by_metric[name]["Statistic"] == "Sum" and by_metric[name]["Threshold"] == 1
        assert "Fn" in by_metric[name]["AlarmDescription"]
    queue = by_metric["ApproximateNumberOfMessagesVisible"]
    queue_lid = stack.get_logical_id(fn.failure_queue.node.default_child)  # type: ignore[union-attr,arg-type]
    assert queue["Dimensions"] == [{"Name": "QueueName", "Value": {"Fn::GetAtt": [queue_lid, "QueueName"]}}]


def test_compact_bills_three_metrics(compact: tuple[cdk.Stack, SecureFunction, ServiceMonitoring, Template]) -> None:
    _, _, _, template = compact
    prices = load_prices()
    billed = [
        line
        for resource in template.find_resources("AWS::CloudWatch::Alarm").values()
        for line in price_resource(resource, prices)
    ]
    assert sum(units for _, units, _ in billed) == 3
    assert sum(usd for _, _, usd in billed) == pytest.approx(0.30)


def test_full_set_stays_reachable() -> None:
    stack = new_stack()
    fn = SecureFunction(stack, "Fn", SecureFunctionProps(inline_code=CODE))
    full = ServiceMonitoring(stack, "Monitoring", ServiceMonitoringProps(functions=[fn], alarm_set="full"))
    assert {"ErrorRate", "AliasliveErrorRate", "Duration", "AsyncEventAge"} <= set(full.functions["Fn"].alarms)


def test_errors_threshold_and_switch_off() -> None:
    stack = new_stack()
    fn = SecureFunction(stack, "Fn", SecureFunctionProps(inline_code=CODE))
    m = ServiceMonitoring(
        stack, "M", ServiceMonitoringProps(functions=[fn], thresholds=AlarmThresholds(errors=5, throttles=None))
    )
    assert set(m.functions["Fn"].alarms) == {"Errors"}
    assert set(m.failure_queue_alarms) == {"FailureQueueDepth"}
    Template.from_stack(stack).has_resource_properties(
        "AWS::CloudWatch::Alarm", {"MetricName": "Errors", "Threshold": 5}
    )
