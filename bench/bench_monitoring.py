"""Synth-time cost of monitoring: N SecureFunctions without monitoring, with lambda_constructs.monitoring,
and with cdk-monitoring-constructs (equivalent alarms and its default dashboards).

Each run is a fresh Python process (imports included, as in `cdk synth`); the median of --runs runs is
reported with ratios to the unmonitored stack. Usage::

    .venv/bin/python bench/bench_monitoring.py --functions 10 --runs 5

The cdk-monitoring-constructs variant needs ``pip install cdk-monitoring-constructs==10.3.3`` (not a
dependency of the library); it is skipped when the package is missing.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VARIANTS = ("none", "ours", "cmc")


def child(variant: str, functions: int) -> None:
    """Build and synthesize one stack; print import and build+synth seconds as JSON."""
    start = time.perf_counter()
    import aws_cdk as cdk

    from lambda_constructs import SecureFunction, SecureFunctionProps
    from lambda_constructs.monitoring import ServiceMonitoring, ServiceMonitoringProps

    if variant == "cmc":
        import cdk_monitoring_constructs as cmc
    imported = time.perf_counter()

    app = cdk.App(outdir=tempfile.mkdtemp(prefix="bench-"))
    stack = cdk.Stack(app, "Bench")
    fns = [
        SecureFunction(stack, f"Fn{i}", SecureFunctionProps(inline_code="def handler(e, c):\n    return {}\n"))
        for i in range(functions)
    ]
    if variant == "ours":
        ServiceMonitoring(stack, "Monitoring", ServiceMonitoringProps(functions=fns))
    elif variant == "cmc":
        facade = cmc.MonitoringFacade(stack, "Monitoring")
        for fn in fns:
            for target in (fn.function, *fn.aliases.values()):
                facade.monitor_lambda_function(
                    lambda_function=target,
                    alarm_friendly_name=target.node.path.replace("/", "-"),
                    add_fault_rate_alarm={"Warning": cmc.ErrorRateThreshold(max_error_rate=1)},
                    add_throttles_count_alarm={"Warning": cmc.ErrorCountThreshold(max_error_count=1)},
                    add_latency_p99_alarm={"Warning": cmc.LatencyThreshold(max_latency=cdk.Duration.seconds(24))},
                )
            facade.monitor_sqs_queue_with_dlq(
                queue=fn.failure_queue,
                dead_letter_queue=fn.failure_dlq,
                alarm_friendly_name=f"{fn.node.id}-failures",
                add_dead_letter_queue_max_size_alarm={"Warning": cmc.MaxMessageCountThreshold(max_message_count=0)},
            )
    app.synth()
    done = time.perf_counter()
    print(json.dumps({"import": imported - start, "build_synth": done - imported}))


def run(variant: str, functions: int) -> dict[str, float]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    start = time.perf_counter()
    out = subprocess.run(
        [sys.executable, __file__, "--child", variant, "--functions", str(functions)],
        check=True,
        capture_output=True,
        text=True,
        env=env,
    ).stdout
    total = time.perf_counter() - start
    inner = json.loads(out.strip().splitlines()[-1])
    return {"total": total, **inner}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--functions", type=int, default=10)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--child", choices=VARIANTS)
    args = parser.parse_args()
    if args.child:
        child(args.child, args.functions)
        return
    variants = [v for v in VARIANTS if v != "cmc" or importlib.util.find_spec("cdk_monitoring_constructs")]
    # Round-robin over the variants so that load drift on a shared machine hits each of them alike.
    samples: dict[str, list[dict[str, float]]] = {v: [] for v in variants}
    for _ in range(args.runs):
        for variant in variants:
            samples[variant].append(run(variant, args.functions))
    results = {v: {key: statistics.median(x[key] for x in s) for key in s[0]} for v, s in samples.items()}
    print(f"{args.functions} functions, median of {args.runs} runs (seconds)")
    print(f"{'variant':8} {'total':>7} {'import':>7} {'build+synth':>12} {'total/none':>11} {'b+s/none':>9}")
    base = results["none"]
    for variant, r in results.items():
        print(
            f"{variant:8} {r['total']:7.2f} {r['import']:7.2f} {r['build_synth']:12.2f} "
            f"{r['total'] / base['total']:11.2f} {r['build_synth'] / base['build_synth']:9.2f}"
        )
    if "cmc" in results:
        ours, cmc = results["ours"], results["cmc"]
        print(
            f"cmc/ours: total {cmc['total'] / ours['total']:.2f}, build+synth {cmc['build_synth'] / ours['build_synth']:.2f}"
        )


if __name__ == "__main__":
    main()
