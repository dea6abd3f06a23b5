"""Resources and template bytes per function: library (own key, one stack; sharded service) vs hand-written.

Run: ``.venv/bin/python bench/bench_resources.py [N]`` (default N=10). Prints resource types per
function and bytes per function/resource; exits non-zero when the library's per-function resource
set differs from the hand-written one, or when the two single-stack templates differ in any resource
(logical id, type, properties, DependsOn, policies) or in their cdk-nag acknowledgements.
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

ACK_KEY = "aws:cdk:acknowledged-rules"


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
    templates = []
    for path in sorted(outdir.glob("*.template.json")):
        acks: dict[str, dict[str, str]] = {}
        metadata = outdir / path.name.replace(".template.json", ".metadata.json")
        if metadata.is_file():
            for construct, entries in json.loads(metadata.read_text()).items():
                for entry in entries:
                    if entry.get("type") == ACK_KEY:
                        acks.setdefault(construct, {}).update(entry["data"])
        templates.append(json.loads(path.read_text()) | {"_bytes": path.stat().st_size, "_acks": acks})
    return templates


def differences(library: dict[str, object], handwritten: dict[str, object]) -> list[str]:
    """Resources (without their aws:cdk:path Metadata) and acknowledgements that differ."""
    found = []
    lib, hand = library["Resources"], handwritten["Resources"]
    assert isinstance(lib, dict) and isinstance(hand, dict)
    for logical_id in sorted(set(lib) | set(hand)):
        a = {k: v for k, v in lib.get(logical_id, {}).items() if k != "Metadata"}
        b = {k: v for k, v in hand.get(logical_id, {}).items() if k != "Metadata"}
        if a != b:
            found.append(f"resource {logical_id}: library {json.dumps(a)[:300]} / hand-written {json.dumps(b)[:300]}")
    if library["_acks"] != handwritten["_acks"]:
        found.append("cdk-nag acknowledgements differ")
    return found


def main() -> int:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 10
    rows = {}
    types = {}
    single: dict[str, dict[str, object]] = {}
    for build in ("handwritten", "library", "service"):
        templates = synth(build, n)
        if build != "service":
            single[build] = templates[0]
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
    diff = differences(single["library"], single["handwritten"])
    print(
        "\nlibrary vs hand-written template: "
        + ("identical resources and acknowledgements" if not diff else f"{len(diff)} differences")
    )
    for line in diff[:20]:
        print("  " + line)
    return 0 if types["library"] == types["handwritten"] and not diff else 1


if __name__ == "__main__":
    raise SystemExit(main())
