"""Monitoring of SecureFunctions: alarms to an encrypted SNS topic, a dashboard, Logs Insights queries.

Usage (after adding the functions' aliases and triggers)::

    ServiceMonitoring(stack, "Monitoring", ServiceMonitoringProps(functions=[orders, reports]))

Modules: :mod:`.service_monitoring` (``ServiceMonitoring``, ``FunctionMonitoring``, ``monitor_stack``; it was
``monitoring/service.py`` until issue #20, a name it shared with ``lambda_constructs/service.py``, and
``lambda_constructs.monitoring.service`` still imports it), :mod:`.function_monitoring` (one function's alarms and
widgets), :mod:`.thresholds`, :mod:`.queries`.
"""

import sys

from lambda_constructs.enums import AlarmSet
from lambda_constructs.monitoring import service_monitoring
from lambda_constructs.monitoring.queries import QUERIES
from lambda_constructs.monitoring.service_monitoring import (
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
    "AlarmSet",
    "AlarmThresholds",
    "FunctionMonitoring",
    "ServiceMonitoring",
    "ServiceMonitoringProps",
    "error_rate",
    "is_stream_trigger",
    "monitor_stack",
]

# The module's old path: ``import lambda_constructs.monitoring.service`` and ``from lambda_constructs.monitoring.service
# import X`` find it in sys.modules (no file at the old path, so a change to the moved module merges as a rename).
sys.modules[f"{__name__}.service"] = service_monitoring
