"""Import overhead of the library over a typical hand-written app (issue #21), whole process.

``python bench/bench_imports.py [--runs 7] [--before DIR]``: fresh interpreters, cwd outside the
repository, builds alternating. Each child measures from its first line until it has imported what
its app needs and created the ``cdk.App`` (the jsii kernel's start-up, which both sides pay):

- ``typical``: ``aws_cdk`` and the modules of bench/_typical.py (kms, lambda, logs, sqs,
  lambda_event_sources);
- ``library``: ``aws_cdk``, ``SecureFunction``/``SecureFunctionProps`` and ``SqsTrigger`` (what a user
  of the library's defaults imports);
- ``before`` (with ``--before DIR``): the same from an unpacked copy of an older tree (its own
  ``lambda_constructs`` comes first on ``sys.path``, bypassing the editable install).

Byte code is written and used (``PYTHONDONTWRITEBYTECODE`` is dropped for the children, after one
warm-up run per build), as for an installed package. Prints, per build, the median wall seconds, Python CPU seconds, Node CPU seconds and the jsii round
trips made while importing, then the library's overhead (median library − median typical).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

CHILD = r"""
import os, sys, time
t0 = time.perf_counter()
c0 = time.process_time()
sys.path.insert(0, sys.argv[2])
trips = 0
import jsii._kernel.providers.process as _process
_send = _process._NodeProcess.send
def _counting(self, request, response_type):
    global trips
    trips += 1
    return _send(self, request, response_type)
_process._NodeProcess.send = _counting
import aws_cdk as cdk
if sys.argv[1] == "typical":
    from aws_cdk import aws_kms, aws_lambda, aws_lambda_event_sources, aws_logs, aws_sqs
else:
    from lambda_constructs import SecureFunction, SecureFunctionProps
    from lambda_constructs.triggers import SqsTrigger
    import lambda_constructs.function  # what the lazy exports resolve to
    assert "lambda_constructs" in sys.modules and sys.modules["lambda_constructs"].__file__.startswith(sys.argv[2])
imports_trips = trips
app = cdk.App()
t1 = time.perf_counter()
c1 = time.process_time()
ticks = os.sysconf("SC_CLK_TCK")
node = 0.0
for pid in os.listdir("/proc"):
    if pid.isdigit():
        try:
            stat = open(f"/proc/{pid}/stat").read()
        except OSError:
            continue
        fields = stat.rsplit(")", 1)[1].split()
        if int(fields[1]) == os.getpid():  # ppid
            node += (int(fields[11]) + int(fields[12])) / ticks
mods = sum(1 for m in sys.modules if m.startswith("aws_cdk.aws_") and m.count(".") == 1)
print(json.dumps({"wall": t1 - t0, "cpu": c1 - c0, "node_cpu": node, "trips": imports_trips, "aws_modules": mods}))
"""


def run(build: str, root: Path) -> dict[str, float]:
    env = {**os.environ, "JSII_SILENCE_WARNING_DEPRECATED_NODE_VERSION": "1", "CDK_DISABLE_CLI_TELEMETRY": "true"}
    # Byte code as an installed package has it: without it every run compiles the library's ≈ 40 modules.
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    proc = subprocess.run(
        [sys.executable, "-c", "import json\n" + CHILD, build, str(root)],
        capture_output=True,
        text=True,
        check=False,
        env=env,
        cwd=tempfile.gettempdir(),
    )
    if proc.returncode != 0:
        raise RuntimeError(proc.stderr[-3000:])
    result: dict[str, float] = json.loads(proc.stdout.strip().splitlines()[-1])
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n", 1)[0])
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--before", type=Path, help="an unpacked older tree to compare (e.g. git archive of main)")
    args = parser.parse_args()
    builds: dict[str, tuple[str, Path]] = {"typical": ("typical", ROOT), "library": ("library", ROOT)}
    if args.before:
        builds["before"] = ("library", args.before.resolve())
    samples: dict[str, list[dict[str, float]]] = {name: [] for name in builds}
    for build, root in builds.values():
        run(build, root)  # warm-up: writes the byte code (__pycache__, git-ignored) and warms the page cache
    for _ in range(args.runs):
        for name, (build, root) in builds.items():
            samples[name].append(run(build, root))
    print(f"runs={args.runs}, load average {os.getloadavg()[0]:.1f} at the end; medians")
    print(
        f"{'build':>8} {'wall s':>7} {'py cpu s':>8} {'node cpu s':>10} {'trips':>5} {'aws_cdk.aws_*':>13}  wall per run"
    )
    med = {n: {k: statistics.median(s[k] for s in runs) for k in runs[0]} for n, runs in samples.items()}
    for name, m in med.items():
        walls = " ".join(f"{s['wall']:.2f}" for s in samples[name])
        print(
            f"{name:>8} {m['wall']:7.2f} {m['cpu']:8.2f} {m['node_cpu']:10.2f} {m['trips']:5.0f} "
            f"{m['aws_modules']:13.0f}  {walls}"
        )
    for name in builds:
        if name != "typical":
            print(
                f"overhead of {name}: wall {med[name]['wall'] - med['typical']['wall']:+.2f} s, "
                f"python cpu {med[name]['cpu'] - med['typical']['cpu']:+.2f} s"
            )


if __name__ == "__main__":
    main()
