"""Deploy a synthesized CDK app into the local AWS emulator (moto server), verify and invoke it.

Run after ``cdk synth`` (``make deploy-local``)::

    python scripts/deploy_local.py [--cdk-out cdk.out] [--event '{}']

Starts the emulator on a free port, ``cdk bootstrap`` + ``cdk deploy --all`` with the real CLI,
checks the deployed wiring against the templates, invokes every alias of every Python function
with the real handler code and the sample event of its trigger, prints a summary and stops the
emulator. Exit code 1 on any failure; answers listed in ``lambda_constructs/local/expectations.py``
(EXPECTED_ERRORS, the emulator lacks a feature) are shown but do not fail.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from lambda_constructs.local import deploy, invoke, models_services, rules, verify  # noqa: E402
from lambda_constructs.local.server import LOG_DIR, EmulatorError, running_emulator  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    """Run the whole local deployment; return the process exit code."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--cdk-out", type=Path, default=ROOT / "cdk.out", help="synthesized assembly")
    parser.add_argument(
        "--lenient",
        action="append",
        default=[],
        metavar="RULE",
        choices=list(rules.RULES),
        help="an AWS rule of lambda_constructs/local/rules.py the emulator does not enforce (repeatable)",
    )
    parser.add_argument(
        "--event", default=None, help="event JSON for every alias (default: the sample event of each trigger)"
    )
    args = parser.parse_args(argv)
    cdk_out: Path = args.cdk_out.resolve()
    if not (cdk_out / "manifest.json").exists():
        print(f"no cloud assembly at {cdk_out}: run `cdk synth` first", file=sys.stderr)
        return 2
    event = json.loads(args.event) if args.event is not None else None
    log_path = LOG_DIR / "deploy-local.log"
    log_path.parent.mkdir(parents=True, exist_ok=True)
    log_path.write_text("")
    failures: list[str] = []
    rows: list[invoke.AliasResult] = []
    timings: dict[str, float] = {}
    t0 = time.monotonic()
    try:
        for rule in args.lenient:
            print(f"lenient: {rule} is not enforced ({rules.RULES[rule]}); AWS would enforce it", flush=True)
        with running_emulator(lenient=args.lenient) as emu:
            timings["start"] = time.monotonic() - t0
            print(f"emulator on {emu.endpoint} (pid {emu.pid}, log {emu.log_path})", flush=True)
            timings["bootstrap"] = deploy.bootstrap(emu, cdk_out, log_path=log_path)
            timings["deploy"] = deploy.deploy(emu, cdk_out, log_path=log_path)
            t = time.monotonic()
            report = verify.verify_report(emu, cdk_out)
            timings["verify"] = time.monotonic() - t
            failures.extend(str(f) for f in report.findings)
            t = time.monotonic()
            rows = invoke.invoke_all(emu, cdk_out, event)
            timings["invoke"] = time.monotonic() - t
    except EmulatorError as exc:
        failures.append(str(exc))
        report = verify.Report([], 0)
    for row in rows:
        if row.status == "error":
            failures.append(f"invoke {row.path} ({row.function}) {row.alias}: {row.detail}")
    width = max([len(r.path) for r in rows] + [8])
    aw = max([len(r.alias) for r in rows] + [len("alias -> version (release)")])
    print(f"\n{'function':<{width}}  {'alias -> version (release)':<{aw}} {'runtime':<12} {'event':<16} result")
    for r in rows:
        detail = r.detail.splitlines()[0] if r.detail else ""
        print(f"{r.path:<{width}}  {r.alias:<{aw}} {r.runtime:<12} {r.event_kind:<16} {r.status} {detail}".rstrip())
    expected = [r for r in rows if r.status == "expected-error"]
    if expected:
        print(
            f"\n{len(expected)} expected error(s) (the emulator lacks a feature; lambda_constructs/local/expectations.py)"
        )
    recorded = sorted({t for t in models_services.RECORDED_ONLY})
    print(f"recorded, not emulated: {', '.join(recorded)}")
    print("\n" + report.summary())
    print("timings: " + ", ".join(f"{k} {v:.1f}s" for k, v in timings.items()))
    print(f"CLI log: {log_path}")
    if failures:
        print(f"\n{len(failures)} failure(s):", file=sys.stderr)
        for failure in failures:
            print(f"- {failure}", file=sys.stderr)
        return 1
    print("deploy-local: OK")
    return 0


if __name__ == "__main__":
    sys.exit(main())
