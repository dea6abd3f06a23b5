"""Ingest handlers: partial batch responses for polled sources, plain handlers for pushed events.

``batch_handler`` serves SQS and Kinesis mappings (``ReportBatchItemFailures``): it returns the ids
of the records it could not process, so only those are retried. ``event_handler`` serves
asynchronous invocations (S3, SNS, EventBridge, Scheduler): raising makes Lambda retry and then send
the event to the alias's on-failure destination.
"""

from __future__ import annotations

import base64
import json
import logging
import os
from typing import Any

logger = logging.getLogger()
logger.setLevel(os.environ.get("AWS_LAMBDA_LOG_LEVEL", "INFO"))


def _body(record: dict[str, Any]) -> Any:
    if "kinesis" in record:
        return json.loads(base64.b64decode(record["kinesis"]["data"]))
    return json.loads(record.get("body") or "null")


def _record_id(record: dict[str, Any]) -> str:
    if "kinesis" in record:
        return str(record["kinesis"]["sequenceNumber"])
    return str(record["messageId"])


def process(payload: Any) -> None:
    """The business logic of one record (here: validate and log it)."""
    if not isinstance(payload, dict) or "id" not in payload:
        raise ValueError("record has no id")
    logger.info("ingested", extra={"record_id": payload["id"]})


def batch_handler(event: dict[str, Any], context: Any) -> dict[str, list[dict[str, str]]]:
    """Process a batch; report failed records so the others are not retried."""
    failures: list[dict[str, str]] = []
    for record in event.get("Records", []):
        fifo = bool(record.get("attributes", {}).get("MessageGroupId"))
        if failures and fifo:
            # FIFO: after a failure, fail the rest of the batch too so that order is kept.
            failures.append({"itemIdentifier": _record_id(record)})
            continue
        try:
            process(_body(record))
        except Exception:
            logger.exception("record failed")
            failures.append({"itemIdentifier": _record_id(record)})
    return {"batchItemFailures": failures}


def event_handler(event: dict[str, Any], context: Any) -> dict[str, str]:
    """Handle one pushed event (S3, SNS, EventBridge or Scheduler)."""
    source = event.get("source") or (event.get("Records") or [{}])[0].get("eventSource") or "schedule"
    logger.info("event received", extra={"source": source})
    return {"status": "ok", "source": str(source)}
