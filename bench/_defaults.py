"""The library side of issue #21's comparison with bench/_typical.py: N SecureFunctions with the library's defaults.

It imports what the README tells a user to import (``lambda_constructs`` and ``lambda_constructs.triggers``,
both loaded name by name), not the deprecated ``lambda_constructs.triggers.polled`` (which loads every polled
trigger and its aws_cdk modules, ≈ 40 ms) nor ``LambdaService``: the start-up measured is the one an app
built from the README pays.
"""

from __future__ import annotations

from aws_cdk import Stack

from lambda_constructs import SecureFunction, SecureFunctionProps
from lambda_constructs.triggers import SqsTrigger

HANDLER = "def handler(event, context):\n    return {'ok': True}\n"


def library_defaults(stack: Stack, n: int) -> None:
    """N SecureFunctions with the library's defaults, aliases Dev/Stage/Prod and an SqsTrigger on Prod
    (the library side of the comparison with bench/_typical.py)."""
    props = SecureFunctionProps(inline_code=HANDLER, default_alias=None)
    for i in range(n):
        fn = SecureFunction(stack, f"fn-{i:04d}", props)
        for name in ("Dev", "Stage", "Prod"):
            fn.add_alias(name, fn.latest_version)
        fn.add_trigger(SqsTrigger(), alias="Prod")
