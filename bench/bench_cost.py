"""Idle monthly cost of N compliant functions, as `python -m lambda_constructs cost` prices them.

``python bench/bench_cost.py [N ...]``: for each N, stacks of 10 SecureFunctions with Dev/Stage/Prod
aliases and an SqsTrigger, each stack monitored with ``monitor_stack``; and stacks of 10 plain SecureFunctions.
Prints USD per month, total and per function, for the defaults and for the previous design
(``key_per_function=True`` and ``alarm_set="full"``). Then the same monitored functions in one
``LambdaService`` (16 shards, ``monitored=True``, ``svc.monitor()``), with the service's shared failure
queue (the default) and with a failure queue per function (``failure_queue_per_function=True``).
"""

from __future__ import annotations

import sys
import tempfile
from dataclasses import replace

import aws_cdk as cdk

from lambda_constructs import SecureFunction, SecureFunctionProps
from lambda_constructs.cost.estimate import estimate
from lambda_constructs.cost.prices import load_prices
from lambda_constructs.monitoring import ServiceMonitoringProps, monitor_stack
from lambda_constructs.service import LambdaService, LambdaServiceProps
from lambda_constructs.triggers import SqsTrigger

#: Functions per stack (a monitored function with three aliases and an SqsTrigger has ≈ 30 resources;
#: CloudFormation allows 500 per stack).
PER_STACK = 10
CODE = "def handler(event, context):\n    return {}\n"


def cost(n: int, *, monitored: bool, previous: bool) -> float:
    app = cdk.App(outdir=tempfile.mkdtemp(prefix="bench-cost-"), builtin_cloud_formation_validation=False)
    props = SecureFunctionProps(inline_code=CODE, key_per_function=previous)
    for first in range(0, n, PER_STACK):
        stack = cdk.Stack(app, f"Bench{first // PER_STACK:03d}")
        for i in range(first, min(n, first + PER_STACK)):
            fn = SecureFunction(stack, f"Fn{i:04d}", props if monitored else replace(props, default_alias=None))
            if monitored:
                for alias in ("Dev", "Stage", "Prod"):
                    fn.add_alias(alias, fn.latest_version)
                fn.add_trigger(SqsTrigger(), alias="Prod")
        if monitored:
            monitor_stack(stack, props=ServiceMonitoringProps(alarm_set="full" if previous else "compact"))
    stacks = estimate(app.synth().directory, load_prices())
    return sum(s.total.usd for s in stacks)


def service_cost(n: int, *, per_function_queue: bool) -> tuple[float, float]:
    """USD per month of n monitored functions in a LambdaService, and its billed alarm metrics."""
    app = cdk.App(outdir=tempfile.mkdtemp(prefix="bench-cost-"), builtin_cloud_formation_validation=False)
    svc = LambdaService(
        cdk.Stack(app, "Bench"),
        "Service",
        LambdaServiceProps(monitored=True, failure_queue_per_function=per_function_queue),
    )
    props = SecureFunctionProps(inline_code=CODE, default_alias=None)

    def configure(fn: SecureFunction) -> None:
        for alias in ("Dev", "Stage", "Prod"):
            fn.add_alias(alias, fn.latest_version)
        fn.add_trigger(SqsTrigger(), alias="Prod")

    for i in range(n):
        svc.add_function(f"fn-{i:04d}", props, configure=configure)
    svc.monitor()
    stacks = estimate(app.synth().directory, load_prices())
    metrics = sum(s.total.lines["alarm metrics"].units for s in stacks if "alarm metrics" in s.total.lines)
    return sum(s.total.usd for s in stacks), metrics


def main(sizes: list[int]) -> None:
    print("| functions | design | monitored (Dev/Stage/Prod + SqsTrigger + monitor_stack) | plain SecureFunction |")
    print("|---:|---|---:|---:|")
    for n in sizes:
        for previous in (False, True):
            m, p = cost(n, monitored=True, previous=previous), cost(n, monitored=False, previous=previous)
            design = "previous (key per function, full alarms)" if previous else "defaults"
            print(f"| {n} | {design} | ${m:,.2f} (${m / n:.3f}/fn) | ${p:,.2f} (${p / n:.3f}/fn) |", flush=True)
    print("\n| functions in a LambdaService (monitored) | failure queue | USD/month | per function | alarm metrics |")
    print("|---:|---|---:|---:|---:|")
    for n in sizes:
        for per_function_queue in (False, True):
            usd, metrics = service_cost(n, per_function_queue=per_function_queue)
            queue = "one per function (`failure_queue_per_function=True`)" if per_function_queue else "shared (default)"
            print(f"| {n} | {queue} | ${usd:,.2f} | ${usd / n:.3f} | {metrics:g} |", flush=True)


if __name__ == "__main__":
    main([int(a) for a in sys.argv[1:]] or [1, 10, 100])
