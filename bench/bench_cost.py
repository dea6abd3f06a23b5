"""Idle monthly cost of N compliant functions, as `python -m lambda_constructs cost` prices them.

``python bench/bench_cost.py [N ...]``: for each N, stacks of 10 SecureFunctions with Dev/Stage/Prod
aliases and an SqsTrigger, each stack monitored with ``monitor_stack``; and stacks of 10 plain SecureFunctions.
Prints USD per month, total and per function, for the defaults and for the previous design
(``key_per_function=True`` and ``alarm_set="full"``).
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


def main(sizes: list[int]) -> None:
    print("| functions | design | monitored (Dev/Stage/Prod + SqsTrigger + monitor_stack) | plain SecureFunction |")
    print("|---:|---|---:|---:|")
    for n in sizes:
        for previous in (False, True):
            m, p = cost(n, monitored=True, previous=previous), cost(n, monitored=False, previous=previous)
            design = "previous (key per function, full alarms)" if previous else "defaults"
            print(f"| {n} | {design} | ${m:,.2f} (${m / n:.3f}/fn) | ${p:,.2f} (${p / n:.3f}/fn) |", flush=True)


if __name__ == "__main__":
    main([int(a) for a in sys.argv[1:]] or [1, 10, 100])
