"""Parse Lambda ``platform.report`` records (JSON log format) and text ``REPORT`` lines.

With the JSON log format (the library's default), Lambda writes one record per invocation::

    {"time": "2026-11-30T03:00:00.000Z", "type": "platform.report",
     "record": {"requestId": "…", "status": "success",
                "metrics": {"durationMs": 12.3, "billedDurationMs": 13, "memorySizeMB": 512,
                            "maxMemoryUsedMB": 78, "initDurationMs": 240.1}}}

``initDurationMs`` is present only after a cold start. Field names and units are those of the Lambda
Telemetry API schema (``platform.report``, ``ReportMetrics``):
https://docs.aws.amazon.com/lambda/latest/dg/telemetry-schema-reference.html#platform-report and the
JSON log format page https://docs.aws.amazon.com/lambda/latest/dg/monitoring-cloudwatchlogs-logformat.html.
The text format writes the same values on one line, ``REPORT RequestId: … Duration: 12.30 ms Billed
Duration: 13 ms Memory Size: 512 MB Max Memory Used: 78 MB Init Duration: 240.10 ms``.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

_TEXT_REPORT = re.compile(
    r"REPORT RequestId: (?P<request>\S+)\s+Duration: (?P<duration>[\d.]+) ms\s+"
    r"Billed Duration: (?P<billed>[\d.]+) ms\s+Memory Size: (?P<size>\d+) MB\s+"
    r"Max Memory Used: (?P<used>\d+) MB(?:\s+Init Duration: (?P<init>[\d.]+) ms)?"
)


@dataclass(frozen=True, kw_only=True)
class Report:
    """One invocation's report (the ``record.metrics`` of a ``platform.report``)."""

    duration_ms: float
    """``durationMs``: the invocation's duration, milliseconds."""
    billed_duration_ms: float
    """``billedDurationMs``, milliseconds."""
    memory_size_mb: int
    """``memorySizeMB``: the configured memory, MB."""
    max_memory_used_mb: int
    """``maxMemoryUsedMB``, MB."""
    init_duration_ms: float | None = None
    """``initDurationMs`` (cold starts only), milliseconds. Default: None (a warm invocation)."""
    status: str = ""
    """``record.status``: success, error, failure or timeout. Default: "" (text REPORT lines have none)."""
    log_stream: str = ""
    """The CloudWatch log stream the record came from. Default: "" (unknown)."""


def _from_json(data: Any, log_stream: str) -> Report | None:
    if not isinstance(data, dict):
        return None
    if "message" in data and isinstance(data["message"], str):  # a CloudWatch Logs event wrapping a record
        return parse_message(data["message"], log_stream=str(data.get("logStreamName", log_stream)))
    if data.get("type") != "platform.report":
        return None
    record = data.get("record") or {}
    metrics = record.get("metrics") or {}
    try:
        init = metrics.get("initDurationMs")
        return Report(
            duration_ms=float(metrics["durationMs"]),
            billed_duration_ms=float(metrics["billedDurationMs"]),
            memory_size_mb=int(metrics["memorySizeMB"]),
            max_memory_used_mb=int(metrics["maxMemoryUsedMB"]),
            init_duration_ms=float(init) if init is not None else None,
            status=str(record.get("status", "")),
            log_stream=log_stream,
        )
    except (KeyError, TypeError, ValueError):
        return None  # a platform.report without metrics (e.g. an invocation that never started)


def parse_message(message: str, *, log_stream: str = "") -> Report | None:
    """The report in one log message (a JSON record, an event wrapping one, or a text REPORT line).

    Text before the first ``{`` is ignored (``aws logs tail`` prefixes a timestamp and the stream name).
    Returns None when the message is not a report.
    """
    start = message.find("{")
    if start >= 0:
        try:
            report = _from_json(json.loads(message[start:]), log_stream)
        except json.JSONDecodeError:
            report = None
        if report is not None:
            return report
    match = _TEXT_REPORT.search(message)
    if match is None:
        return None
    init = match.group("init")
    return Report(
        duration_ms=float(match.group("duration")),
        billed_duration_ms=float(match.group("billed")),
        memory_size_mb=int(match.group("size")),
        max_memory_used_mb=int(match.group("used")),
        init_duration_ms=float(init) if init else None,
        log_stream=log_stream,
    )


def parse_file(path: Path) -> list[Report]:
    """The reports in an exported file.

    Accepted shapes: the JSON output of ``aws logs filter-log-events`` (``{"events": [...]}``), a JSON
    array of records or events, or one record, event or text line per line (JSON Lines, ``aws logs
    tail`` output, a CloudWatch Logs export). Lines that are not reports are skipped.

    Raises:
        OSError: the file cannot be read.
    """
    text = path.read_text(encoding="utf-8", errors="replace")
    try:
        document = json.loads(text)
    except json.JSONDecodeError:
        document = None
    if isinstance(document, dict) and isinstance(document.get("events"), list):
        items: list[Any] = document["events"]
    elif isinstance(document, list):
        items = document
    elif isinstance(document, dict):
        items = [document]
    else:
        return [report for line in text.splitlines() if (report := parse_message(line)) is not None]
    return [report for item in items if (report := _from_json(item, "")) is not None]
