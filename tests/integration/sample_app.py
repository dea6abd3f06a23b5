"""A small CDK app with the resource types of a typical secure Lambda stack (for the emulator tests)."""

from __future__ import annotations

from pathlib import Path

STACK_NAME = "EmulatorProbe"

APP_PY = '''\
"""Probe app: function + layer + KMS key + log group + SQS/DLQ + versions/aliases + SNS + rule."""

from pathlib import Path

import aws_cdk as cdk
from aws_cdk import (
    aws_events as events,
    aws_events_targets as targets,
    aws_kms as kms,
    aws_lambda as lambda_,
    aws_lambda_event_sources as sources,
    aws_logs as logs,
    aws_sns as sns,
    aws_sns_subscriptions as subs,
    aws_sqs as sqs,
)

HERE = Path(__file__).parent


class ProbeStack(cdk.Stack):
    def __init__(self, scope: cdk.App, cid: str) -> None:
        super().__init__(scope, cid, env=cdk.Environment(account="000000000000", region="us-east-1"))
        key = kms.Key(self, "Key", enable_key_rotation=True)
        log_group = logs.LogGroup(self, "Logs", retention=logs.RetentionDays.ONE_MONTH)
        dlq = sqs.Queue(self, "Dlq", encryption=sqs.QueueEncryption.KMS_MANAGED)
        queue = sqs.Queue(
            self,
            "Queue",
            visibility_timeout=cdk.Duration.seconds(60),
            dead_letter_queue=sqs.DeadLetterQueue(max_receive_count=3, queue=dlq),
        )
        layer = lambda_.LayerVersion(
            self,
            "Shared",
            code=lambda_.Code.from_asset(str(HERE / "layer")),
            compatible_runtimes=[lambda_.Runtime.PYTHON_3_12],
        )
        fn = lambda_.Function(
            self,
            "Fn",
            runtime=lambda_.Runtime.PYTHON_3_12,
            handler="index.handler",
            code=lambda_.Code.from_asset(str(HERE / "handler")),
            layers=[layer],
            architecture=lambda_.Architecture.ARM_64,
            environment={"NAME": "probe"},
            environment_encryption=key,
            log_group=log_group,
            logging_format=lambda_.LoggingFormat.JSON,
            timeout=cdk.Duration.seconds(10),
        )
        fn.configure_async_invoke(retry_attempts=0)
        live = lambda_.Alias(self, "Live", alias_name="live", version=fn.current_version)
        lambda_.Alias(self, "Latest", alias_name="latest", version=fn.latest_version)
        live.add_event_source(sources.SqsEventSource(queue, batch_size=5))
        topic = sns.Topic(self, "Topic", master_key=key)
        topic.add_subscription(subs.LambdaSubscription(live))
        rule = events.Rule(self, "Every5", schedule=events.Schedule.rate(cdk.Duration.minutes(5)))
        rule.add_target(targets.LambdaFunction(live, retry_attempts=2))


app = cdk.App()
ProbeStack(app, "{stack}")
app.synth()
'''

HANDLER_PY = """\
import os

from shared.util import greet


def handler(event, context):
    return {"ok": True, "greeting": greet(os.environ["NAME"]), "function": context.function_name,
            "arn": context.invoked_function_arn, "event": event}
"""

LAYER_UTIL_PY = """\
def greet(name):
    return f"hello {name}"
"""


def write_sample_app(directory: Path) -> Path:
    """Write the probe app (app.py, handler/, layer/python/) into ``directory``; return it."""
    (directory / "handler").mkdir(parents=True, exist_ok=True)
    (directory / "layer" / "python" / "shared").mkdir(parents=True, exist_ok=True)
    (directory / "app.py").write_text(APP_PY.replace("{stack}", STACK_NAME))
    (directory / "handler" / "index.py").write_text(HANDLER_PY)
    (directory / "layer" / "python" / "shared" / "__init__.py").write_text("")
    (directory / "layer" / "python" / "shared" / "util.py").write_text(LAYER_UTIL_PY)
    return directory
