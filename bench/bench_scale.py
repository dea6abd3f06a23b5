"""Synth time and peak memory of a sharded LambdaService as N grows (3 aliases + an SQS trigger per function).

Run: ``.venv/bin/python bench/bench_scale.py [--sizes 100,300,1000] [--runs 1]``. Each point is a
fresh subprocess; built-in CloudFormation validation off (``--validation`` to include it). Shards are
sized as ``ceil(N / 10)`` (≈ half full: the hash spreads functions unevenly, see docs/design.md).
"""

from __future__ import annotations

import argparse
import math
import statistics
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.bench_synth import run


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", default="100,300,1000")
    parser.add_argument("--runs", type=int, default=1)
    parser.add_argument("--validation", action="store_true")
    args = parser.parse_args()
    print(f"validation={'on' if args.validation else 'off'}, runs={args.runs} (median)")
    print(
        f"{'N':>5} {'shards':>6} {'build s':>8} {'synth s':>8} {'total s':>8} {'ms/fn':>6} {'peak MB':>8} {'KB/fn':>6}"
    )
    for n in (int(s) for s in args.sizes.split(",")):
        shards = math.ceil(n / 10)
        samples = [run("service", n, validation=args.validation, shards=shards) for _ in range(args.runs)]
        build = statistics.median(s["build"] for s in samples)
        synth = statistics.median(s["synth"] for s in samples)
        total = statistics.median(s["total"] for s in samples)
        peak = statistics.median(s["peak_mb"] for s in samples)
        print(
            f"{n:>5} {shards:>6} {build:>8.1f} {synth:>8.1f} {total:>8.1f} {1000 * total / n:>6.0f} {peak:>8.0f} "
            f"{1024 * peak / n:>6.0f}"
        )
        sys.stdout.flush()


if __name__ == "__main__":
    main()
