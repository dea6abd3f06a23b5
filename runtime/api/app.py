"""API handler: answers API Gateway (REST and HTTP), Function URL and Step Functions calls.

Clients and the logger are created once per execution environment (outside the handler).
"""

from __future__ import annotations

import json
import os
from typing import Any

from aws_lambda_powertools import Logger

logger = Logger(service=os.environ.get("POWERTOOLS_SERVICE_NAME", "api"))


@logger.inject_lambda_context(log_event=False)
def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    """HTTP events get an HTTP response; anything else (a Step Functions task) gets a plain result."""
    if "requestContext" in event:
        path = event.get("rawPath") or event.get("path") or "/"
        logger.info("http request", extra={"path": path})
        return {
            "statusCode": 200,
            "headers": {"content-type": "application/json"},
            "body": json.dumps({"path": path, "requestId": context.aws_request_id}),
        }
    logger.info("task", extra={"keys": sorted(event)})
    return {"ok": True, "input": event}
