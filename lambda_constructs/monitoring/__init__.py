"""Monitoring of SecureFunctions: alarms to an encrypted SNS topic, a dashboard, Logs Insights queries.

Usage (after adding the functions' aliases and triggers)::

    ServiceMonitoring(stack, "Monitoring", ServiceMonitoringProps(functions=[orders, reports]))
"""

from lambda_constructs.monitoring.queries import QUERIES
from lambda_constructs.monitoring.service import (
    LOG_METRICS_NAMESPACE,
    MISSING_DATA,
    FunctionMonitoring,
    ServiceMonitoring,
    ServiceMonitoringProps,
    error_rate,
    is_stream_trigger,
    monitor_stack,
)
from lambda_constructs.monitoring.thresholds import (
    AUTO,
    DEFAULT_CONCURRENCY_PERCENT,
    DEFAULT_ITERATOR_AGE_SECONDS,
    AlarmThresholds,
)

__all__ = [
    "AUTO",
    "DEFAULT_CONCURRENCY_PERCENT",
    "DEFAULT_ITERATOR_AGE_SECONDS",
    "LOG_METRICS_NAMESPACE",
    "MISSING_DATA",
    "QUERIES",
    "AlarmThresholds",
    "FunctionMonitoring",
    "ServiceMonitoring",
    "ServiceMonitoringProps",
    "error_rate",
    "is_stream_trigger",
    "monitor_stack",
]
