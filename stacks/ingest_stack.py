"""The ingest example: polled sources (SQS, Kinesis) and asynchronous push sources (S3, SNS,
EventBridge, Scheduler) wired to two SecureFunctions with the library's trigger defaults."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from aws_cdk import Duration, Stack
from aws_cdk import aws_sns as sns
from constructs import Construct

from lambda_constructs import SecureFunction, SecureFunctionProps
from lambda_constructs.triggers import (
    EventBridgeRuleTrigger,
    KinesisTrigger,
    S3Trigger,
    ScheduleTrigger,
    SnsTrigger,
    SqsTrigger,
)

RUNTIME_DIR = Path(__file__).resolve().parent.parent / "runtime"


class IngestStack(Stack):
    """``batches`` polls an SQS queue and a Kinesis stream; ``events`` receives pushed events.

    Every source is created by its trigger (encrypted with the function's key, TLS-only, retained)
    and targets the functions' ``live`` alias.
    """

    def __init__(self, scope: Construct, construct_id: str, **kwargs: Any) -> None:
        super().__init__(scope, construct_id, **kwargs)
        self.batches = SecureFunction(
            self,
            "Batches",
            SecureFunctionProps(
                code_dir=RUNTIME_DIR / "ingest",
                handler="app.batch_handler",
                description="Processes SQS and Kinesis batches with partial batch responses",
                timeout=Duration.seconds(30),
            ),
        )
        self.batches.add_trigger(
            SqsTrigger(batch_size=100, max_batching_window=Duration.seconds(5), max_concurrency=10),
            construct_id="Orders",
        )
        self.batches.add_trigger(
            KinesisTrigger(batch_size=500, filters=[{"data": {"id": [{"exists": True}]}}]), construct_id="Clicks"
        )

        self.events = SecureFunction(
            self,
            "Events",
            SecureFunctionProps(
                code_dir=RUNTIME_DIR / "ingest",
                handler="app.event_handler",
                description="Handles pushed events (S3, SNS, EventBridge, Scheduler)",
                timeout=Duration.seconds(10),
            ),
        )
        self.events.add_trigger(S3Trigger(prefix="incoming/", suffix=".json"), construct_id="Uploads")
        self.events.add_trigger(
            SnsTrigger(filter_policy={"type": sns.SubscriptionFilter.string_filter(allowlist=["order"])}),
            construct_id="Notifications",
        )
        self.events.add_trigger(
            EventBridgeRuleTrigger(event_pattern={"source": ["lambda-constructs.ingest"], "detail-type": ["Ingested"]}),
            construct_id="Ingested",
        )
        self.events.add_trigger(
            ScheduleTrigger(expression="cron(0 6 * * ? *)", timezone="Europe/Paris", input={"job": "daily"}),
            construct_id="Daily",
        )
