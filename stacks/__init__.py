"""The example app's stacks, built only from lambda_constructs."""

from __future__ import annotations

from aws_cdk import App, Stack

from lambda_constructs.monitoring import monitor_stack
from stacks.api_stack import ApiStack
from stacks.data_stack import DataStack
from stacks.ingest_stack import IngestStack
from stacks.polyglot_stack import PolyglotStack
from stacks.service_stack import ServiceStack


def create_stacks(app: App) -> list[Stack]:
    """Instantiate every stack of the example app (used by app.py and by the tests)."""
    stacks: list[Stack] = [
        ServiceStack(app, "LambdaConstructsService"),
        DataStack(app, "LambdaConstructsData"),
        ApiStack(app, "LambdaConstructsApi"),
        IngestStack(app, "LambdaConstructsIngest"),
        PolyglotStack(app, "LambdaConstructsPolyglot"),
    ]
    # Last: alarms and a dashboard per stack for every SecureFunction, once all aliases and triggers exist.
    for stack in stacks:
        monitor_stack(stack)
    return stacks
