"""Synth time and peak memory: library functions vs the hand-written aws-cdk-lib equivalent.

Run: ``.venv/bin/python bench/bench_synth.py [--runs 5] [--sizes 1,10,40] [--validation] [-O]``.
Each run is a fresh subprocess (its own jsii kernel); builds alternate library / hand-written so
machine load hits both alike. Reported: median of the runs of build+synth seconds (imports and
jsii start-up excluded, printed separately), and peak RSS of the Python process + its Node kernel.
The ratio library / hand-written is the figure (goal ≤ 1.05); CPU seconds (user + system of Python
and Node over the same span) are printed too: they are less disturbed by other load than wall time. The built-in CloudFormation
validation is off unless ``--validation`` (it costs seconds per stack, see docs/performance.md).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
#: Functions per stack for the unsharded builds (20 × 20 resources = 400).
PER_STACK = 20
#: The builds of the typical comparison (``--typical``): the library's defaults vs bench/_typical.py.
TYPICAL_BUILDS = ("typical", "library-defaults")


def _feature_flags() -> dict[str, object]:
    """cdk.json's context, read without importing tests/ (which imports the library)."""
    context: dict[str, object] = json.loads((ROOT / "cdk.json").read_text())["context"]
    return context


def _vm_hwm_kib(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def _children(pid: int) -> list[int]:
    """Every descendant (the venv's ``node`` is a Python wrapper that starts the real Node)."""
    found: list[int] = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        for c in (task / "children").read_text().split():
            found.extend([int(c), *_children(int(c))])
    return found


def _cpu_seconds(pids: list[int]) -> float:
    """User + system CPU seconds of these processes (from /proc/<pid>/stat, clock ticks)."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])  # utime, stime
    return total / ticks


def child(build: str, n: int, validation: bool, shards: int) -> None:
    """Runs in the subprocess: import, build, synth; print one JSON line."""
    t0 = time.perf_counter()
    sys.path.insert(0, str(ROOT))
    import aws_cdk as cdk

    if build in TYPICAL_BUILDS:
        # Only what the build uses: the typical app imports no lambda_constructs.
        if build == "typical":
            from bench._typical import typical_functions as make
        else:
            from bench._defaults import library_defaults as make
        feature_flags = _feature_flags
    else:
        from bench._handwritten import handwritten_functions
        from bench._workload import library_functions, library_service
        from tests.helpers import feature_flags

    # Under the parallel launcher each worker writes to its own CDK_OUTDIR (the launcher merges it).
    own_outdir = not os.environ.get("CDK_OUTDIR")
    outdir = os.environ.get("CDK_OUTDIR") or tempfile.mkdtemp(prefix="bench-")
    app = cdk.App(context=feature_flags(), outdir=outdir, builtin_cloud_formation_validation=validation)
    processes = [os.getpid(), *_children(os.getpid())]  # Python and its jsii kernel (Node)
    cpu1 = _cpu_seconds(processes)
    t1 = time.perf_counter()
    if build in TYPICAL_BUILDS:
        for first in range(0, n, PER_STACK):
            make(cdk.Stack(app, f"Bench{first // PER_STACK}"), min(PER_STACK, n - first))
    elif build == "service":
        library_service(cdk.Stack(app, "Bench"), n, shards=shards)
    else:
        # 20 resources per function: one stack holds at most 20 (CDK refuses templates over 500 resources).
        for first in range(0, n, PER_STACK):
            stack = cdk.Stack(app, f"Bench{first // PER_STACK}")
            count = min(PER_STACK, n - first)
            library_functions(stack, count) if build == "library" else handwritten_functions(stack, count)
    t2 = time.perf_counter()
    app.synth()
    t3 = time.perf_counter()
    cpu = _cpu_seconds(processes) - cpu1
    node_kib = sum(_vm_hwm_kib(pid) for pid in _children(os.getpid()))
    print(
        json.dumps(
            {
                "startup": t1 - t0,
                "build": t2 - t1,
                "synth": t3 - t2,
                "total": t3 - t1,
                "cpu": cpu,
                "peak_mb": (_vm_hwm_kib(os.getpid()) + node_kib) / 1024,
            }
        )
    )
    if own_outdir:
        shutil.rmtree(outdir, ignore_errors=True)  # ≈ 80 MB at 1 000 functions


def _env() -> dict[str, str]:
    """The environment of a measured subprocess: no CDK telemetry, no jsii warning about Node's version, and
    byte code written and used as for an installed package (``PYTHONDONTWRITEBYTECODE`` dropped: without
    byte code every process compiles the library's ≈ 40 modules, ≈ 0.1–0.3 s the typical app never pays,
    its aws-cdk-lib being installed with byte code)."""
    env = {**os.environ, "CDK_DISABLE_CLI_TELEMETRY": "true", "JSII_SILENCE_WARNING_UNTESTED_NODE_VERSION": "1"}
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    return env


def run(build: str, n: int, *, validation: bool = False, shards: int = 16, optimize: bool = False) -> dict[str, float]:
    """One measurement in a fresh subprocess (``optimize``: ``python -O``, which skips jsii's argument type checks)."""
    cmd = [sys.executable, *(["-O"] if optimize else []), __file__, "--child", build, str(n), str(int(validation))]
    cmd.append(str(shards))
    env = _env()
    start = time.perf_counter()
    proc = subprocess.run(cmd, check=False, capture_output=True, text=True, env=env)
    wall = time.perf_counter() - start
    if proc.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)} failed:\n{proc.stderr[-3000:]}")
    out = proc.stdout
    result: dict[str, float] = json.loads(out.strip().splitlines()[-1])
    result["wall"] = wall  # the whole subprocess: interpreter, imports, jsii start-up, build, synth
    return result


def run_parallel(
    n: int, *, workers: int, shards: int, validation: bool = False, optimize: bool = False
) -> dict[str, float]:
    """The library service under ``python -m lambda_constructs.parallel --workers W``: wall seconds of the
    whole launcher (worker start-up, build, synth, merge), its reported worker and merge seconds, and CPU
    seconds of every process it waited for."""
    python = [sys.executable, *(["-O"] if optimize else [])]
    out = tempfile.mkdtemp(prefix="bench-par-")
    child_cmd = [*python, __file__, "--child", "service", str(n), str(int(validation)), str(shards)]
    cmd = [*python, "-m", "lambda_constructs.parallel", "--workers", str(workers), "--output", out, "--", *child_cmd]
    env = _env()
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    proc = subprocess.run(cmd, check=False, capture_output=True, text=True, env=env, cwd=ROOT)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    shutil.rmtree(out, ignore_errors=True)
    if proc.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)} failed:\n{proc.stderr[-3000:]}")
    summary = re.search(r"workers ([0-9.]+) s, merge ([0-9.]+) s", proc.stderr)
    assert summary is not None, proc.stderr[-2000:]
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return {"wall": wall, "workers": float(summary.group(1)), "merge": float(summary.group(2)), "cpu": cpu}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--sizes", default="1,10,40")
    parser.add_argument("--validation", action="store_true")
    parser.add_argument("-O", dest="optimize", action="store_true", help="run the builds with python -O")
    parser.add_argument(
        "--typical",
        action="store_true",
        help="library defaults vs a typical hand-written app (bench/_typical.py), whole process, validation off and on",
    )
    parser.add_argument("--modes", default="off,on", help="--typical: CDK validation modes to run (default off,on)")
    args = parser.parse_args()
    if args.typical:
        typical(args.runs, [int(s) for s in args.sizes.split(",")], [m == "on" for m in args.modes.split(",")])
        return
    print(
        f"runs={args.runs} validation={'on' if args.validation else 'off'} python{' -O' if args.optimize else ''}; "
        "seconds = build+synth, median"
    )
    print(
        f"{'N':>4} {'hand-written s':>15} {'library s':>10} {'ratio':>6} {'hw cpu s':>9} {'lib cpu s':>10} "
        f"{'cpu ratio':>9} {'hw MB':>7} {'lib MB':>7} {'mem ratio':>9}"
    )
    for n in (int(s) for s in args.sizes.split(",")):
        samples: dict[str, list[dict[str, float]]] = {"handwritten": [], "library": []}
        for _ in range(args.runs):
            for build in samples:
                samples[build].append(run(build, n, validation=args.validation, optimize=args.optimize))
        hw = statistics.median(s["total"] for s in samples["handwritten"])
        lib = statistics.median(s["total"] for s in samples["library"])
        hw_mb = statistics.median(s["peak_mb"] for s in samples["handwritten"])
        lib_mb = statistics.median(s["peak_mb"] for s in samples["library"])
        hw_cpu = statistics.median(s["cpu"] for s in samples["handwritten"])
        lib_cpu = statistics.median(s["cpu"] for s in samples["library"])
        print(
            f"{n:>4} {hw:>15.2f} {lib:>10.2f} {lib / hw:>6.2f} {hw_cpu:>9.2f} {lib_cpu:>10.2f} {lib_cpu / hw_cpu:>9.2f} "
            f"{hw_mb:>7.0f} {lib_mb:>7.0f} {lib_mb / hw_mb:>9.2f}"
        )
        sys.stdout.flush()


def typical(runs: int, sizes: list[int], modes: list[bool] | None = None) -> None:
    """Whole-process wall seconds (interpreter, imports, jsii start-up, build, synth), median of ``runs``."""
    print(f"runs={runs}; seconds = whole process (imports included), median; import = start-up before the build")
    print(
        f"{'N':>4} {'validation':>10} {'typical s':>10} {'library s':>10} {'ratio':>6} {'typ import':>10} {'lib import':>10}"
    )
    for n in sizes:
        for validation in modes or (False, True):
            samples: dict[str, list[dict[str, float]]] = {"typical": [], "library-defaults": []}
            if n == sizes[0] and validation == (modes or (False, True))[0]:
                for build in samples:
                    run(build, 1)  # warm-up: byte code written, files in the page cache
            for _ in range(runs):
                for build in samples:
                    samples[build].append(run(build, n, validation=validation))
            typ = statistics.median(s["wall"] for s in samples["typical"])
            lib = statistics.median(s["wall"] for s in samples["library-defaults"])
            typ_imp = statistics.median(s["startup"] for s in samples["typical"])
            lib_imp = statistics.median(s["startup"] for s in samples["library-defaults"])
            print(
                f"{n:>4} {'on' if validation else 'off':>10} {typ:>10.2f} {lib:>10.2f} {lib / typ:>6.2f} "
                f"{typ_imp:>10.2f} {lib_imp:>10.2f}",
                flush=True,
            )


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "--child":
        child(sys.argv[2], int(sys.argv[3]), sys.argv[4] == "1", int(sys.argv[5]))
    else:
        main()
