"""Reports worker: processes batches of queued report requests (partial batch responses)."""

from __future__ import annotations

import json
import os
from typing import Any

from aws_lambda_powertools import Logger, Metrics, Tracer
from aws_lambda_powertools.metrics import MetricUnit

logger = Logger(service=os.environ.get("POWERTOOLS_SERVICE_NAME", "reports"))
tracer = Tracer(service=os.environ.get("POWERTOOLS_SERVICE_NAME", "reports"))
metrics = Metrics(
    namespace=os.environ.get("POWERTOOLS_METRICS_NAMESPACE", "LambdaConstructs"),
    service=os.environ.get("POWERTOOLS_SERVICE_NAME", "reports"),
)


@logger.inject_lambda_context(log_event=False)
@tracer.capture_lambda_handler
@metrics.log_metrics(capture_cold_start_metric=True)
def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    """Handle an SQS batch (or a single direct event); report failed records individually."""
    failures: list[dict[str, str]] = []
    records = event.get("Records", [])
    for record in records:
        try:
            payload = json.loads(record.get("body") or record.get("Sns", {}).get("Message") or "{}")
            logger.info("report generated", extra={"report": payload.get("report", "daily")})
        except (ValueError, AttributeError):
            logger.exception("bad record")
            failures.append({"itemIdentifier": record.get("messageId", "")})
    metrics.add_metric(name="ReportsGenerated", unit=MetricUnit.Count, value=len(records) - len(failures))
    metrics.add_metric(name="ReportsFailed", unit=MetricUnit.Count, value=len(failures))
    return {"batchItemFailures": failures, "processed": len(records) - len(failures)}
