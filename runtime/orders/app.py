"""Orders API handler: the "initialise outside the handler" pattern from the Lambda overview.

Everything expensive (configuration, SDK clients, the logger) is created once per execution
environment, when the module is imported, and reused by every invocation that environment serves.
"""

from __future__ import annotations

import json
import os
from typing import Any

from aws_lambda_powertools import Logger, Metrics, Tracer
from aws_lambda_powertools.metrics import MetricUnit

# --- function environment: runs once per cold start, reused across invocations -------------
logger = Logger(service=os.environ.get("POWERTOOLS_SERVICE_NAME", "orders"))
tracer = Tracer(service=os.environ.get("POWERTOOLS_SERVICE_NAME", "orders"))
metrics = Metrics(
    namespace=os.environ.get("POWERTOOLS_METRICS_NAMESPACE", "LambdaConstructs"),
    service=os.environ.get("POWERTOOLS_SERVICE_NAME", "orders"),
)
TABLE_PREFIX = os.environ.get("ORDER_PREFIX", "order")
_COLD_START = True


@logger.inject_lambda_context(log_event=False)
@tracer.capture_lambda_handler
@metrics.log_metrics(capture_cold_start_metric=True)
def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    """Accept an order (API Gateway/Function URL style event) and answer synchronously."""
    global _COLD_START
    cold, _COLD_START = _COLD_START, False
    try:
        body = json.loads(event.get("body") or "{}")
        order_id = f"{TABLE_PREFIX}-{body.get('id', 'unknown')}"
        logger.info("order accepted", extra={"order_id": order_id, "cold_start": cold})
        metrics.add_metric(name="OrdersAccepted", unit=MetricUnit.Count, value=1)
        return {"statusCode": 200, "body": json.dumps({"orderId": order_id, "coldStart": cold})}
    except Exception:  # the overview's pattern: answer 500 instead of failing the request
        logger.exception("order failed")
        metrics.add_metric(name="OrdersFailed", unit=MetricUnit.Count, value=1)
        return {"statusCode": 500, "body": json.dumps({"error": "An error occurred"})}
