"""Issue #21's ratio, interleaved process by process: the typical app, this checkout's library and another's.

Run: ``.venv/bin/python bench/bench_pair.py --against DIR [--size 40] [--rounds 15]``, where DIR is another checkout
of this repository (e.g. ``git worktree add --detach /tmp/base <commit>``) with the same bench files. Each round
runs three fresh processes — the typical hand-written app (bench/_typical.py), this checkout's library defaults
and DIR's (bench/_defaults.py) — through ``bench_synth.py --child``, in alternating order, and measures each whole
process (interpreter, imports, jsii start-up, build, synth, exit) by wall clock and by CPU (user + system of the
process and its Node kernel). Interleaving puts the machine's minute-to-minute drift on all three alike, which
``bench_synth.py --typical`` (five runs of one build, then five of the next) cannot. Printed: median seconds and
the ratios library ÷ typical of the medians, and the median of the per-round ratios.
"""

from __future__ import annotations

import argparse
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.bench_synth import _env  # noqa: E402  (the measured processes' environment, as bench_synth's)


def _run(root: Path, build: str, size: int) -> tuple[float, float]:
    """Wall and CPU seconds of one ``bench_synth.py --child`` process of ``root`` (validation off)."""
    env = _env()
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    proc = subprocess.run(
        [sys.executable, str(root / "bench" / "bench_synth.py"), "--child", build, str(size), "0", "1"],
        capture_output=True,
        text=True,
        env=env,
        cwd=root,
        check=False,
    )
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if proc.returncode != 0:
        raise RuntimeError(f"{root} {build} failed:\n{proc.stderr[-3000:]}")
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--against", type=Path, required=True, help="another checkout of this repository")
    parser.add_argument("--size", type=int, default=40, help="functions (default 40)")
    parser.add_argument("--rounds", type=int, default=15, help="rounds of three processes (default 15)")
    args = parser.parse_args()
    arms = [
        ("typical", ROOT, "typical"),
        ("library", ROOT, "library-defaults"),
        ("against", args.against, "library-defaults"),
    ]
    walls: dict[str, list[float]] = {name: [] for name, _, _ in arms}
    cpus: dict[str, list[float]] = {name: [] for name, _, _ in arms}
    for index in range(args.rounds):
        for name, root, build in arms if index % 2 == 0 else arms[::-1]:
            wall, cpu = _run(root.resolve(), build, args.size)
            walls[name].append(wall)
            cpus[name].append(cpu)
    typical_wall, typical_cpu = statistics.median(walls["typical"]), statistics.median(cpus["typical"])
    print(f"N = {args.size}, {args.rounds} rounds; typical: wall {typical_wall:.2f} s, cpu {typical_cpu:.2f} s")
    for name, label in (("library", str(ROOT)), ("against", str(args.against))):
        wall, cpu = statistics.median(walls[name]), statistics.median(cpus[name])
        per_round = statistics.median(w / t for w, t in zip(walls[name], walls["typical"], strict=True))
        print(
            f"{label}: wall {wall:.2f} s (ratio {wall / typical_wall:.3f}, per-round median {per_round:.3f}), "
            f"cpu {cpu:.2f} s (ratio {cpu / typical_cpu:.3f})"
        )


if __name__ == "__main__":
    main()
