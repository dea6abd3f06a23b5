"""Deploy a synthesized CDK app into the local AWS emulator (moto server), verify and invoke it.

Run after ``cdk synth`` (``make deploy-local``)::

    python scripts/deploy_local.py [--cdk-out cdk.out] [--event '{}']

Starts the emulator on a free port, ``cdk bootstrap`` + ``cdk deploy --all`` with the real CLI,
checks the deployed wiring against the templates, invokes every alias of every Python function
with the real handler code, prints a summary and stops the emulator. Exit code 1 on any failure.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from tests.emulator import deploy, invoke, verify  # noqa: E402
from tests.emulator.server import LOG_DIR, EmulatorError, running_emulator  # noqa: E402


def _functions(cfn: Any, cdk_out: Path) -> list[tuple[str, str]]:
    """(physical name, runtime) of every function declared in the assembly."""
    found: list[tuple[str, str]] = []
    for stack in verify.load_stacks(cdk_out):
        deployed = cfn.describe_stack_resources(StackName=stack.name)["StackResources"]
        physical = {r.get("LogicalResourceId"): r.get("PhysicalResourceId") for r in deployed}
        for logical_id, res in stack.resources.items():
            if res["Type"] == "AWS::Lambda::Function" and physical.get(logical_id):
                found.append((physical[logical_id], str(res.get("Properties", {}).get("Runtime", ""))))
    return found


def main(argv: list[str] | None = None) -> int:
    """Run the whole local deployment; return the process exit code."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--cdk-out", type=Path, default=ROOT / "cdk.out", help="synthesized assembly")
    parser.add_argument("--event", default="{}", help="event JSON passed to every alias (default {})")
    args = parser.parse_args(argv)
    cdk_out: Path = args.cdk_out.resolve()
    if not (cdk_out / "manifest.json").exists():
        print(f"no cloud assembly at {cdk_out}: run `cdk synth` first", file=sys.stderr)
        return 2
    event = json.loads(args.event)
    log_path = LOG_DIR / "deploy-local.log"
    log_path.parent.mkdir(parents=True, exist_ok=True)
    log_path.write_text("")
    failures: list[str] = []
    rows: list[tuple[str, str, str, str]] = []
    timings: dict[str, float] = {}
    t0 = time.monotonic()
    try:
        with running_emulator() as emu:
            timings["start"] = time.monotonic() - t0
            print(f"emulator on {emu.endpoint} (pid {emu.pid}, log {emu.log_path})", flush=True)
            timings["bootstrap"] = deploy.bootstrap(emu, cdk_out, log_path=log_path)
            timings["deploy"] = deploy.deploy(emu, cdk_out, log_path=log_path)
            t = time.monotonic()
            report = verify.verify_report(emu, cdk_out)
            timings["verify"] = time.monotonic() - t
            failures.extend(str(f) for f in report.findings)
            t = time.monotonic()
            lam = emu.client("lambda")
            for name, runtime in _functions(emu.client("cloudformation"), cdk_out):
                aliases = lam.list_aliases(FunctionName=name)["Aliases"]
                if not runtime.startswith("python"):
                    rows.append((name, "*", runtime or "?", "skipped (not a Python runtime)"))
                    continue
                if not aliases:
                    rows.append((name, "-", runtime, "no aliases"))
                for alias in aliases:
                    res = invoke.invoke_alias(emu, cdk_out, name, alias["Name"], event)
                    status = "ok" if res.ok else f"FAILED: {res.error}"
                    rows.append((name, f"{alias['Name']} -> {alias['FunctionVersion']}", runtime, status))
                    if not res.ok:
                        failures.append(f"invoke {name}:{alias['Name']}: {res.error}\n{res.output[-2000:]}")
            timings["invoke"] = time.monotonic() - t
    except EmulatorError as exc:
        failures.append(str(exc))
        report = verify.Report([], 0)
    width = max([len(r[0]) for r in rows] + [8])
    print(f"\n{'function':<{width}}  {'alias -> version':<24} {'runtime':<12} result")
    for fn, alias, runtime, status in rows:
        print(f"{fn:<{width}}  {alias:<24} {runtime:<12} {status}")
    print(f"\nverified {report.checks} properties, {len(report.findings)} mismatches")
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
