"""Measure the two Node.js bundlers: bundle size, cold time (empty cache) and cached time.

Usage: ``python bench/bench_nodejs.py [--runs N] [--realistic]``. ``--realistic`` also benchmarks a
project with real registry dependencies (zod, uuid, date-fns; needs the npm registry). Results are
recorded in docs/design.md ("Languages").
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import tempfile
import time
from pathlib import Path

from lambda_constructs.languages.nodejs import NodejsBundling, bundle_nodejs

ROOT = Path(__file__).resolve().parent.parent
FIXTURE = ROOT / "tests" / "fixtures" / "languages" / "node_app"
REALISTIC = {
    "name": "bench-realistic",
    "version": "1.0.0",
    "private": True,
    "dependencies": {"zod": "3.23.8", "uuid": "10.0.0", "date-fns": "4.1.0"},
}
REALISTIC_INDEX = """const { z } = require('zod');
const { v4 } = require('uuid');
const { formatISO } = require('date-fns');
const Order = z.object({ sku: z.string(), quantity: z.number().int().positive() });
exports.handler = async (event) => ({ id: v4(), at: formatISO(new Date()), order: Order.parse(event) });
"""


def realistic_project(root: Path) -> Path:
    root.mkdir(parents=True)
    (root / "package.json").write_text(json.dumps(REALISTIC, indent=2))
    (root / "index.js").write_text(REALISTIC_INDEX)
    subprocess.run(
        ["npm", "install", "--package-lock-only", "--no-audit", "--no-fund"], cwd=root, check=True, capture_output=True
    )
    return root


def bench(project: Path, bundler: str, runs: int) -> dict[str, float | int]:
    cold: list[float] = []
    hit: list[float] = []
    size = unzipped = 0
    for _ in range(runs):
        with tempfile.TemporaryDirectory() as cache:
            options = NodejsBundling(bundler=bundler, cache_dir=Path(cache))  # type: ignore[arg-type]
            start = time.perf_counter()
            result = bundle_nodejs(project, entry="index.js", node_major=24, architecture="arm64", bundling=options)
            cold.append(time.perf_counter() - start)
            start = time.perf_counter()
            again = bundle_nodejs(project, entry="index.js", node_major=24, architecture="arm64", bundling=options)
            hit.append(time.perf_counter() - start)
            assert again.cache_hit and again.sha256 == result.sha256
            size, unzipped = result.zipped_size_bytes, result.unzipped_size_bytes
    return {
        "zip_bytes": size,
        "unzipped_bytes": unzipped,
        "cold_s_median": round(statistics.median(cold), 3),
        "cached_s_median": round(statistics.median(hit), 4),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--realistic", action="store_true")
    args = parser.parse_args()
    projects = {"fixture (1 tiny dep)": FIXTURE}
    with tempfile.TemporaryDirectory() as tmp:
        if args.realistic:
            projects["realistic (zod, uuid, date-fns)"] = realistic_project(Path(tmp) / "realistic")
        print("| project | bundler | zip bytes | unzipped bytes | cold s (median) | cached s (median) |")
        print("|---|---|---:|---:|---:|---:|")
        for name, project in projects.items():
            for bundler in ("esbuild", "npm"):
                r = bench(project, bundler, args.runs)
                print(
                    f"| {name} | {bundler} | {r['zip_bytes']} | {r['unzipped_bytes']} | "
                    f"{r['cold_s_median']} | {r['cached_s_median']} |"
                )


if __name__ == "__main__":
    main()
