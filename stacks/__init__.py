"""The example app's stacks, built only from lambda_constructs."""

from __future__ import annotations

from aws_cdk import App, Stack

from stacks.data_stack import DataStack
from stacks.service_stack import ServiceStack


def create_stacks(app: App) -> list[Stack]:
    """Instantiate every stack of the example app (used by app.py and by the tests)."""
    return [ServiceStack(app, "LambdaConstructsService"), DataStack(app, "LambdaConstructsData")]
