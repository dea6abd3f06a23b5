"""``python -m lambda_constructs.parallel [--workers W] -- <app command>``: synthesize an app in W processes.

Put it in cdk.json as the app command, e.g. ``"app": "python -m lambda_constructs.parallel -- python app.py"``.
The CDK CLI sets ``CDK_OUTDIR`` and the context; the launcher starts the app W times, each worker with
its own output directory and the context ``@lambda-constructs/parallel:worker`` = ``"k/W"``, waits for
all, and merges their cloud assemblies into ``CDK_OUTDIR`` (:func:`~lambda_constructs.parallel.merge.merge_assemblies`).
A worker that fails fails the launcher with its exit code and output. Standard library only: it starts
in ≈ 0.1 s and leaves the cores to the workers.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from lambda_constructs.environment import command_not_found_message, prefer_interpreter_bin
from lambda_constructs.errors import LambdaConstructsError
from lambda_constructs.parallel import MAX_WORKERS, WORKER_CONTEXT
from lambda_constructs.parallel.merge import merge_assemblies

#: Environment variables the CDK CLI uses to hand the context to the app (aws-cdk-lib's cx-api).
CONTEXT_ENV = "CDK_CONTEXT_JSON"
CONTEXT_OVERFLOW_ENV = "CONTEXT_OVERFLOW_LOCATION_ENV"
OUTDIR_ENV = "CDK_OUTDIR"
#: Written by :func:`lambda_constructs.compliance.write_pack_report`; rebuilt from the merged assembly.
PACK_REPORT = "nag-packs-report.json"


def default_workers() -> int:
    """One worker per CPU, at most 4 (each worker is a Python and a Node process of ≈ 0.5–1 GB)."""
    return max(1, min(os.cpu_count() or 1, 4))


def _worker_env(base: dict[str, str], index: int, count: int, outdir: Path, scratch: Path) -> dict[str, str]:
    env = {**base, OUTDIR_ENV: str(outdir)}
    value = f"{index}/{count}"
    overflow = base.get(CONTEXT_OVERFLOW_ENV)
    if overflow:
        context = json.loads(Path(overflow).read_text(encoding="utf-8"))
        context[WORKER_CONTEXT] = value
        path = scratch / f"context-{index}.json"
        path.write_text(json.dumps(context), encoding="utf-8")
        env[CONTEXT_OVERFLOW_ENV] = str(path)
    else:
        context = json.loads(base.get(CONTEXT_ENV) or "{}")
        context[WORKER_CONTEXT] = value
        env[CONTEXT_ENV] = json.dumps(context)
    return env


def run(command: Sequence[str], *, workers: int, outdir: Path, env: dict[str, str] | None = None) -> int:
    """Run ``command`` as ``workers`` workers and merge their assemblies into ``outdir``; return the exit code."""
    if not command:
        raise LambdaConstructsError("", "no app command given", fix="pass it after --, e.g. -- python app.py")
    if not 1 <= workers <= MAX_WORKERS:
        raise LambdaConstructsError(
            "", f"--workers must be between 1 and {MAX_WORKERS}", value=workers, fix="use e.g. --workers 2"
        )
    base = dict(os.environ if env is None else env)
    outdir = outdir.resolve()
    outdir.parent.mkdir(parents=True, exist_ok=True)
    if workers == 1:  # nothing to merge: the app itself, as without the launcher (one CPU, or --workers 1)
        return subprocess.run(list(command), env={**base, OUTDIR_ENV: str(outdir)}, check=False).returncode
    started = time.perf_counter()
    scratch = Path(tempfile.mkdtemp(prefix=f".{outdir.name}.parallel-", dir=outdir.parent))
    procs: list[tuple[subprocess.Popen[bytes], Any, Any]] = []
    try:
        sources = [scratch / f"worker-{k}" for k in range(workers)]
        for k, source in enumerate(sources):
            source.mkdir()
            out = (scratch / f"worker-{k}.out").open("w+b")
            err = (scratch / f"worker-{k}.err").open("w+b")
            proc = subprocess.Popen(
                list(command), env=_worker_env(base, k, workers, source, scratch), stdout=out, stderr=err
            )
            procs.append((proc, out, err))
        failed = _wait(procs)
        seen: set[bytes] = set()
        for k, (_, out, err) in enumerate(procs):
            for stream, sink in ((out, sys.stdout.buffer), (err, sys.stderr.buffer)):
                stream.seek(0)
                text = stream.read()
                stream.close()
                # A failure shows the failed worker's output only (the others were stopped); otherwise
                # each distinct output once (every worker prints the same for what they all build).
                if text and (k == failed if failed is not None else text not in seen):
                    seen.add(text)
                    sink.write(text)
                    sink.flush()
        if failed is not None:
            print(f"lambda-constructs parallel: worker {failed}/{workers} failed", file=sys.stderr)
            return procs[failed][0].returncode or 1
        built = time.perf_counter()
        report = merge_assemblies(sources, outdir, rebuilt=(PACK_REPORT,))
        if any((source / PACK_REPORT).exists() for source in sources):
            _rewrite_pack_report(outdir)
        print(
            f"lambda-constructs parallel: {workers} workers, {len(report.stacks)} stacks "
            f"({len(report.templates_merged)} merged); workers {built - started:.1f} s, "
            f"merge {time.perf_counter() - built:.1f} s",
            file=sys.stderr,
        )
        return 0
    finally:
        for proc, out, err in procs:  # interrupted (Ctrl-C, the CDK CLI giving up): leave no worker behind
            if proc.poll() is None:
                proc.terminate()
                proc.wait()
            out.close()
            err.close()
        shutil.rmtree(scratch, ignore_errors=True)


def _wait(procs: list[tuple[subprocess.Popen[bytes], Any, Any]]) -> int | None:
    """Wait for every worker; on the first failure stop the others. Return the failed worker's index."""
    running = dict(enumerate(proc for proc, _, _ in procs))
    while running:
        for k, proc in list(running.items()):
            code = proc.poll()
            if code is None:
                continue
            del running[k]
            if code != 0:
                for other in running.values():  # no point finishing the others
                    other.terminate()
                for other in running.values():
                    other.wait()
                return k
        time.sleep(0.05)
    return None


def _rewrite_pack_report(outdir: Path) -> None:
    """The pack report counts acknowledgements over the whole assembly: rebuild it after the merge."""
    from lambda_constructs.compliance import write_pack_report  # imports aws-cdk-lib: only when needed

    write_pack_report(outdir)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The launcher's options (shared by ``python -m lambda_constructs parallel`` and this module)."""
    parser.add_argument(
        "--workers",
        type=int,
        default=default_workers(),
        help=f"worker processes (default: the number of CPUs, at most 4; here {default_workers()})",
    )
    parser.add_argument(
        "--output",
        default=None,
        help=f"cloud assembly directory (default: ${OUTDIR_ENV}, set by the CDK CLI, else cdk.out)",
    )
    parser.add_argument("command", nargs=argparse.REMAINDER, help="the app command, after --")


def _main(args: argparse.Namespace) -> int:
    command = list(args.command)
    if command and command[0] == "--":
        command = command[1:]
    outdir = Path(args.output or os.environ.get(OUTDIR_ENV) or "cdk.out")
    try:
        return run(command, workers=args.workers, outdir=outdir)
    except LambdaConstructsError as exc:
        print(f"lambda-constructs parallel: {exc}", file=sys.stderr)
        return 2
    except FileNotFoundError as exc:
        if exc.filename != command[0]:
            raise
        print(f"lambda-constructs parallel: {command_not_found_message(command[0])}", file=sys.stderr)
        return 2


def register(subparsers: Any) -> None:
    """Add the ``parallel`` sub-command to ``python -m lambda_constructs``."""
    parser = subparsers.add_parser(
        "parallel",
        help="synthesize a CDK app in several processes (LambdaService shards) and merge the assemblies",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    add_arguments(parser)
    parser.set_defaults(func=_main)


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of ``python -m lambda_constructs.parallel``."""
    parser = argparse.ArgumentParser(
        prog="python -m lambda_constructs.parallel",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    add_arguments(parser)
    prefer_interpreter_bin()
    return _main(parser.parse_args(argv))
