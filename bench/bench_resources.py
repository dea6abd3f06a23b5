"""Resources and template bytes per function: library (own key, one stack; sharded service) vs hand-written.

Run: ``.venv/bin/python bench/bench_resources.py [N]`` (default N=10). Prints resource types per
function and bytes per function/resource; exits non-zero when the library's per-function resource
set differs from the hand-written one.
"""

from __future__ import annotations

import collections
import json
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import aws_cdk as cdk

from bench._handwritten import handwritten_functions
from bench._workload import library_functions, library_service
from tests.helpers import feature_flags


def synth(build: str, n: int) -> list[dict[str, object]]:
    app = cdk.App(context=feature_flags(), outdir=tempfile.mkdtemp(), builtin_cloud_formation_validation=False)
    stack = cdk.Stack(app, "Bench")
    if build == "library":
        library_functions(stack, n)
    elif build == "service":
        library_service(stack, n, shards=max(1, n // 10))
    else:
        handwritten_functions(stack, n)
    outdir = Path(app.synth().directory)
    return [json.loads(p.read_text()) | {"_bytes": p.stat().st_size} for p in outdir.glob("*.template.json")]


def main() -> int:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 10
    rows = {}
    types = {}
    for build in ("handwritten", "library", "service"):
        templates = synth(build, n)
        counter: collections.Counter[str] = collections.Counter()
        for tpl in templates:
            counter.update(r["Type"] for r in tpl.get("Resources", {}).values())  # type: ignore[attr-defined]
        total_bytes = sum(int(t["_bytes"]) for t in templates)  # type: ignore[call-overload]
        total = sum(counter.values())
        rows[build] = (total / n, total_bytes / n, total_bytes / max(total, 1), len(templates))
        types[build] = counter
    print(f"N = {n} functions (3 aliases + SQS trigger each)")
    print(f"{'build':<12} {'resources/fn':>12} {'bytes/fn':>10} {'bytes/resource':>15} {'templates':>10}")
    for build, (res, byts, per, count) in rows.items():
        print(f"{build:<12} {res:>12.1f} {byts:>10.0f} {per:>15.0f} {count:>10}")
    print("\nresource types per function:")
    for rtype in sorted(set(types["library"]) | set(types["handwritten"]) | set(types["service"])):
        print(f"  {rtype:<36} " + " ".join(f"{b}={types[b][rtype] / n:g}" for b in types))
    print(
        f"\nfunctions per stack at 400 resources: library {400 // rows['library'][0]:.0f}, "
        f"service {400 // rows['service'][0]:.0f}, hand-written {400 // rows['handwritten'][0]:.0f}"
    )
    return 0 if types["library"] == types["handwritten"] else 1


if __name__ == "__main__":
    raise SystemExit(main())
