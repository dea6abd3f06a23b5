"""jsii round trips and JavaScript → Python callbacks per function (deterministic counts, no timing).

``python bench/bench_roundtrips.py [N]``: builds N functions (default 20) after a warm-up of one, for the
library's defaults (Dev/Stage/Prod aliases + an SqsTrigger on Prod, bench/_workload.library_defaults) and
for the typical hand-written app (bench/_typical.py), and prints round trips (messages sent to the Node
process, counted on ``jsii._kernel.providers.process._NodeProcess.send``) and callbacks (Python code
aws-cdk-lib calls back, counted on ``_NodeProcess`` responses that ask for a callback) per function,
build and synth separately.
"""

from __future__ import annotations

import json
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import aws_cdk as cdk  # noqa: E402
from jsii._kernel.providers import process  # noqa: E402

COUNTS = {"send": 0, "callbacks": 0, "acknowledgements": 0}
_send = process._NodeProcess.send


def _counting_send(self: Any, request: Any, response_type: Any) -> Any:
    COUNTS["send"] += 1
    if type(request).__name__ == "_CompleteRequest":
        COUNTS["callbacks"] += 1
    return _send(self, request, response_type)


process._NodeProcess.send = _counting_send  # type: ignore[method-assign]


def _count_acknowledgements() -> None:
    """Count the round trips spent inside compliance.acknowledge_many (every cdk-nag acknowledgement goes there)
    and in scanners.Batch.flush (the checkov / cfn-lint metadata a library call writes when it ends)."""
    from lambda_constructs import compliance, scanners

    original = compliance.acknowledge_many

    def counting(*args: Any, **kwargs: Any) -> None:
        before = COUNTS["send"]
        original(*args, **kwargs)
        COUNTS["acknowledgements"] += COUNTS["send"] - before

    for name, module in list(sys.modules.items()):
        if name.startswith("lambda_constructs") and getattr(module, "acknowledge_many", None) is original:
            module.acknowledge_many = counting  # type: ignore[attr-defined]

    flush = scanners.Batch.flush

    def counting_flush(self: scanners.Batch) -> None:
        before = COUNTS["send"]
        flush(self)
        COUNTS["acknowledgements"] += COUNTS["send"] - before

    scanners.Batch.flush = counting_flush  # type: ignore[method-assign]


def measure(make: Callable[[cdk.Stack, int], object], n: int) -> tuple[float, float, float, float]:
    context = json.loads((ROOT / "cdk.json").read_text())["context"]
    app = cdk.App(context=context, outdir=tempfile.mkdtemp(), builtin_cloud_formation_validation=False)
    make(cdk.Stack(app, "Warm"), 1)
    start = dict(COUNTS)
    make(cdk.Stack(app, "Bench"), n)
    built = dict(COUNTS)
    app.synth()
    return (
        (built["send"] - start["send"]) / n,
        (built["callbacks"] - start["callbacks"]) / n,
        (COUNTS["send"] - built["send"]) / n,
        (built["acknowledgements"] - start["acknowledgements"]) / n,
    )


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 20
    from bench._typical import typical_functions
    from bench._workload import library_defaults

    _count_acknowledgements()
    print(f"N = {n}; per function: build round trips (callbacks and cdk-nag acknowledgement metadata included), synth")
    for name, make in (("typical", typical_functions), ("library defaults", library_defaults)):
        trips, callbacks, synth, acks = measure(make, n)
        print(
            f"{name:>17}: {trips:6.1f} round trips, {callbacks:4.1f} callbacks, {acks:4.1f} writing acknowledgements, "
            f"synth {synth:6.1f}"
        )


if __name__ == "__main__":
    main()
