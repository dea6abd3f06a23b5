"""CloudWatch Logs Insights queries for functions using the JSON log format.

With the JSON log format, Lambda writes its ``REPORT`` line as a ``platform.report`` record whose
``record.metrics`` holds ``durationMs``, ``billedDurationMs``, ``memorySizeMB``, ``maxMemoryUsedMB`` and,
on a cold start only, ``initDurationMs`` (Lambda Telemetry API schema reference). Powertools Logger writes
``level``, ``service`` and ``message`` at the top level of each application record.
"""

from __future__ import annotations

from aws_cdk import aws_logs as logs

_REPORT = 'type = "platform.report"'
_ERROR = 'level = "ERROR" or level = "CRITICAL"'

COLD_STARTS = logs.QueryString(
    filter_statements=[_REPORT],
    stats_statements=[
        "count(*) as invocations, count(record.metrics.initDurationMs) as coldStarts,"
        " avg(record.metrics.initDurationMs) as avgInitMs, max(record.metrics.initDurationMs) as maxInitMs"
        " by bin(1h)"
    ],
)
"""Cold starts: invocations, cold starts and init duration per hour."""

MEMORY = logs.QueryString(
    filter_statements=[_REPORT],
    stats_statements=[
        "max(record.metrics.memorySizeMB) as memorySizeMB, max(record.metrics.maxMemoryUsedMB) as maxUsedMB,"
        " pct(record.metrics.maxMemoryUsedMB, 99) as p99UsedMB, avg(record.metrics.maxMemoryUsedMB) as avgUsedMB"
        " by bin(1h)"
    ],
)
"""Memory size vs memory used per hour, to right-size ``memory_size``."""

ERRORS_BY_SERVICE = logs.QueryString(
    filter_statements=[_ERROR],
    stats_statements=["count(*) as errors by service, bin(5m)"],
)
"""Powertools error records per ``service``."""

RECENT_ERRORS = logs.QueryString(
    fields=["@timestamp", "service", "message", "xray_trace_id", "function_request_id"],
    filter_statements=[_ERROR],
    sort="@timestamp desc",
    limit=100,
)
"""The latest Powertools error records with their trace ids."""

QUERIES: dict[str, tuple[str, logs.QueryString]] = {
    "ColdStarts": ("cold starts", COLD_STARTS),
    "Memory": ("memory used vs memory size", MEMORY),
    "ErrorsByService": ("errors by service", ERRORS_BY_SERVICE),
    "RecentErrors": ("recent errors", RECENT_ERRORS),
}
"""Construct id suffix -> (title, query) of the saved query definitions and dashboard log widgets."""
