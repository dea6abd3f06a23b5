"""Synth time and peak memory of a sharded LambdaService as N grows (3 aliases + an SQS trigger per function).

Run: ``.venv/bin/python bench/bench_scale.py [--sizes 100,300,1000] [--runs 1] [--baseline] [--workers 2] [-O]``. Each
point is a fresh subprocess; built-in CloudFormation validation off (``--validation`` to include it).
Shards are sized as ``ceil(N / 10)`` (≈ half full: the hash spreads functions unevenly, see
docs/design.md). ``--baseline`` also builds the same N functions hand-written (bench/_handwritten.py,
20 per stack in sibling stacks, no sharding logic) in the same run and prints library / hand-written;
``-O`` runs both with ``python -O`` (no jsii argument type checks). ``--workers W`` also synthesizes the
library service with ``python -m lambda_constructs.parallel --workers W`` (W processes, each building the
shards it owns, then one merged assembly) and compares wall seconds *all-in* (interpreter, imports and jsii
start-up, build, synth, merge) with the one-process build's, measured the same way.
"""

from __future__ import annotations

import argparse
import math
import statistics
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.bench_synth import run, run_parallel


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", default="100,300,1000")
    parser.add_argument("--runs", type=int, default=1)
    parser.add_argument("--validation", action="store_true")
    parser.add_argument("--baseline", action="store_true", help="also time the hand-written equivalent")
    parser.add_argument("-O", dest="optimize", action="store_true", help="run the builds with python -O")
    parser.add_argument("--workers", type=int, default=0, help="also time the parallel launcher with W workers")
    args = parser.parse_args()
    print(
        f"validation={'on' if args.validation else 'off'}, runs={args.runs} (median), "
        f"python{' -O' if args.optimize else ''}"
    )
    print(
        f"{'N':>5} {'build':>11} {'shards':>6} {'build s':>8} {'synth s':>8} {'total s':>8} {'ms/fn':>6} "
        f"{'cpu s':>7} {'peak MB':>8} {'KB/fn':>6} {'all-in s':>8}"
    )
    for n in (int(s) for s in args.sizes.split(",")):
        shards = math.ceil(n / 10)
        totals: dict[str, float] = {}
        cpus: dict[str, float] = {}
        walls: dict[str, float] = {}
        for build in ("service", "handwritten") if args.baseline else ("service",):
            samples = []
            for _ in range(args.runs):
                samples.append(run(build, n, validation=args.validation, shards=shards, optimize=args.optimize))
            build_s = statistics.median(s["build"] for s in samples)
            synth = statistics.median(s["synth"] for s in samples)
            total = totals[build] = statistics.median(s["total"] for s in samples)
            cpu = cpus[build] = statistics.median(s["cpu"] for s in samples)
            peak = statistics.median(s["peak_mb"] for s in samples)
            wall = walls[build] = statistics.median(s["wall"] for s in samples)
            label = "library" if build == "service" else "hand-written"
            print(
                f"{n:>5} {label:>11} {shards if build == 'service' else '-':>6} {build_s:>8.1f} {synth:>8.1f} "
                f"{total:>8.1f} {1000 * total / n:>6.0f} {cpu:>7.1f} {peak:>8.0f} {1024 * peak / n:>6.0f} {wall:>8.1f}"
            )
            sys.stdout.flush()
        if args.workers:
            par = [
                run_parallel(n, workers=args.workers, shards=shards, validation=args.validation, optimize=args.optimize)
                for _ in range(args.runs)
            ]
            p_wall = statistics.median(s["wall"] for s in par)
            p_workers = statistics.median(s["workers"] for s in par)
            p_merge = statistics.median(s["merge"] for s in par)
            p_cpu = statistics.median(s["cpu"] for s in par)
            label = f"{args.workers} workers"
            print(
                f"{n:>5} {label:>11} {shards:>6} {p_workers:>8.1f} {p_merge:>8.1f} {p_wall:>8.1f} "
                f"{1000 * p_wall / n:>6.0f} {p_cpu:>7.1f} {'-':>8} {'-':>6} {p_wall:>8.1f}   (build s = workers, "
                "synth s = merge)"
            )
            print(
                f"{n:>5} {'speed-up':>11} all-in one process / {args.workers} workers = {walls['service'] / p_wall:.2f}"
                + (
                    f"; hand-written one process / {args.workers} workers = {walls['handwritten'] / p_wall:.2f}"
                    if "handwritten" in walls
                    else ""
                )
            )
            sys.stdout.flush()
        if args.baseline:
            print(
                f"{n:>5} {'ratio':>11} library / hand-written = {totals['service'] / totals['handwritten']:.2f} "
                f"(CPU: {cpus['service'] / cpus['handwritten']:.2f})"
            )


if __name__ == "__main__":
    main()
