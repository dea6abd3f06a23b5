#!/usr/bin/env python3
"""Compliance gate: synth with the five cdk-nag packs, then cfn-lint and checkov on every template.

Prints, per tool, the unacknowledged findings and the acknowledged/skipped ones with their reasons,
writes ``cdk.out/compliance-report.json`` and exits 1 when any tool has an unacknowledged finding.
cdk-nag acknowledgements are read from the cloud assembly metadata (``aws:cdk:acknowledged-rules``);
cfn-lint ignores and checkov skips come from the single reviewed folder ``audit/``.

Usage: ``python scripts/audit.py [--skip-synth] [--outdir cdk.out]`` (``make audit``).
"""

from __future__ import annotations

import argparse
import fnmatch
import json
import os
import subprocess
import sys
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parent.parent
PACKS = ("AwsSolutions", "Serverless", "NIST.800.53.R5", "HIPAA.Security", "PCI.DSS.321")
ACK_KEY = "aws:cdk:acknowledged-rules"  # aws_cdk.Validations.ACKNOWLEDGED_RULES_METADATA_KEY
CFN_LINT = ROOT / ".venv" / "bin" / "cfn-lint"
CHECKOV = ROOT / ".venv-audit" / "bin" / "checkov"


def run(cmd: list[str], **kwargs: Any) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "CDK_DISABLE_CLI_TELEMETRY": "true", "JSII_SILENCE_WARNING_UNTESTED_NODE_VERSION": "1"}
    env["PATH"] = f"{ROOT / '.venv' / 'bin'}:{ROOT / 'node_modules' / '.bin'}:{env.get('PATH', '')}"
    return subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True, check=False, **kwargs)


# ------------------------------------------------------------------------------------------- cdk-nag


def synth(outdir: Path) -> tuple[bool, str]:
    """``cdk synth`` with the packs attached (app.py); False when validation failed."""
    result = run(["cdk", "synth", "--quiet", "--no-notices", "--output", str(outdir)])
    return result.returncode == 0, result.stdout + result.stderr


def pack_of(rule: str) -> str | None:
    return next((pack for pack in sorted(PACKS, key=len, reverse=True) if rule.startswith(pack + "-")), None)


def nag_results(outdir: Path) -> dict[str, Any]:
    """Unsuppressed violations (validation-report.json) and acknowledgements (assembly metadata) per pack."""
    violations: dict[str, list[str]] = {pack: [] for pack in PACKS}
    warnings: list[str] = []
    report_file = outdir / "validation-report.json"
    if report_file.exists():
        report = json.loads(report_file.read_text())
        for plugin in report.get("pluginReports", []):
            for violation in plugin.get("violations", []):
                rule = violation.get("ruleName", "?")
                pack = pack_of(rule)
                for construct in violation.get("violatingConstructs", []):
                    text = f"{rule} at {construct.get('constructPath')}"
                    # CDK also reports construct warnings here: shown, but they are not a pack's finding.
                    (violations[pack] if pack else warnings).append(text)
    acknowledged: dict[str, list[dict[str, str]]] = {pack: [] for pack in PACKS}
    other: list[dict[str, str]] = []
    for metadata_file in sorted(outdir.glob("*.metadata.json")):
        for path, entries in json.loads(metadata_file.read_text()).items():
            for entry in entries:
                if entry.get("type") != ACK_KEY:
                    continue
                for key, reason in entry.get("data", {}).items():
                    rule = _rule_of(key)
                    item = {"rule": rule, "path": path, "reason": reason}
                    pack = pack_of(rule)
                    (acknowledged[pack] if pack else other).append(item)
    return {"violations": violations, "acknowledged": acknowledged, "other_acknowledged": other, "warnings": warnings}


def _rule_of(key: str) -> str:
    """``Annotation::AwsSolutions-IAM5[Resource::*]`` → ``AwsSolutions-IAM5[Resource::*]``."""
    head, sep, tail = key.partition("::")
    return tail if sep and "[" not in head else key


# ------------------------------------------------------------------------------------------ cfn-lint


def templates(outdir: Path) -> list[Path]:
    return sorted(outdir.glob("*.template.json"))


def cfn_lint(files: list[Path]) -> dict[str, Any]:
    config = yaml.safe_load((ROOT / "audit" / "cfn-lint.yaml").read_text()) or {}
    ignores = {item["rule"]: item["reason"] for item in config.get("ignores") or []}
    # cfn-lint's rules plus the cfn-lint-serverless rule set (requirements-dev.txt): no config file is read
    # for the library's resources, whose reasoned ignores are in the templates (lambda_constructs/scanners.py).
    result = run([str(CFN_LINT), "-a", "cfn_lint_serverless.rules", "--format", "json", "--", *map(str, files)])
    matches = json.loads(result.stdout or "[]")
    findings, ignored = [], []
    for match in matches:
        rule = match["Rule"]["Id"]
        text = f"{rule} {Path(match['Filename']).name}:{match['Location']['Start']['LineNumber']} {match['Message']}"
        if rule in ignores:
            ignored.append({"finding": text, "reason": ignores[rule]})
        else:
            findings.append(text)
    return {"findings": findings, "ignored": ignored}


# ------------------------------------------------------------------------------------------- checkov


def checkov(files: list[Path]) -> dict[str, Any]:
    config = yaml.safe_load((ROOT / "audit" / "checkov-skips.yaml").read_text()) or {}
    skips = config.get("skips") or []
    cmd = [str(CHECKOV), "--framework", "cloudformation", "-o", "json", "--quiet", "--compact"]
    for file in files:
        cmd += ["-f", str(file)]
    result = run(cmd)
    if not result.stdout.strip():
        raise SystemExit(f"checkov produced no output: {result.stderr[-2000:]}")
    reports = json.loads(result.stdout)
    reports = reports if isinstance(reports, list) else [reports]
    findings, skipped = [], []
    passed = 0
    for report in reports:
        results = report.get("results", {})
        passed += int(report.get("summary", {}).get("passed", 0))
        for failed in results.get("failed_checks", []):
            target = f"{Path(failed['file_path']).name}:{failed['resource']}"
            text = f"{failed['check_id']} {target} ({failed['check_name']})"
            skip = next(
                (
                    s
                    for s in skips
                    if s["check"] == failed["check_id"] and any(fnmatch.fnmatch(target, p) for p in s["resources"])
                ),
                None,
            )
            if skip is None:
                findings.append(text)
            else:
                skipped.append({"finding": text, "reason": skip["reason"]})
    return {"findings": findings, "skipped": skipped, "passed": passed}


# ------------------------------------------------------------------------------------------- report


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--skip-synth", action="store_true", help="audit the existing cloud assembly")
    parser.add_argument("--outdir", default="cdk.out", help="cloud assembly folder (default: cdk.out)")
    args = parser.parse_args(argv)
    outdir = (ROOT / args.outdir).resolve()

    synth_ok, synth_log = (True, "") if args.skip_synth else synth(outdir)
    nag = nag_results(outdir)
    files = templates(outdir)
    if not files:
        print(synth_log)
        print("audit: no templates in", outdir)
        return 1
    # cfn-lint and checkov are independent single-threaded subprocesses (~9 s each): run them side by side.
    with ThreadPoolExecutor(max_workers=2) as pool:
        lint_future = pool.submit(cfn_lint, files)
        chk_future = pool.submit(checkov, files)
        lint, chk = lint_future.result(), chk_future.result()

    nag_count = sum(len(v) for v in nag["violations"].values())
    if not synth_ok and nag_count == 0:
        print(synth_log[-4000:])
        nag["violations"].setdefault("synth", []).append("cdk synth failed (see output above)")
        nag_count = 1

    print(f"== cdk-nag ({len(PACKS)} packs, synth {'ok' if synth_ok else 'FAILED'})")
    for pack in PACKS:
        acks = nag["acknowledged"][pack]
        print(f"  {pack}: {len(nag['violations'][pack])} findings, {len(acks)} acknowledged")
        for finding in nag["violations"][pack]:
            print(f"    FINDING {finding}")
        for ack in acks:
            print(f"    ack {ack['rule']} at {ack['path']}: {ack['reason']}")
    for warning in nag["warnings"]:
        print(f"  cdk warning (not a pack finding): {warning}")
    for ack in nag["other_acknowledged"]:
        print(f"  other ack {ack['rule']} at {ack['path']}: {ack['reason']}")
    print(f"== cfn-lint ({len(files)} templates): {len(lint['findings'])} findings, {len(lint['ignored'])} ignored")
    for finding in lint["findings"]:
        print(f"    FINDING {finding}")
    for item in lint["ignored"]:
        print(f"    ignored {item['finding']}: {item['reason']}")
    print(
        f"== checkov ({len(files)} templates): {len(chk['findings'])} findings, {len(chk['skipped'])} skipped, {chk['passed']} passed"
    )
    for finding in chk["findings"]:
        print(f"    FINDING {finding}")
    for item in chk["skipped"]:
        print(f"    skipped {item['finding']}: {item['reason'].strip()}")

    report = {
        "templates": [f.name for f in files],
        "cdk_nag": {
            "packs": [
                {
                    "pack": pack,
                    "unsuppressed_violations": len(nag["violations"][pack]),
                    "acknowledgements": len(nag["acknowledged"][pack]),
                    "acknowledged_rules": dict(Counter(a["rule"] for a in nag["acknowledged"][pack])),
                }
                for pack in PACKS
            ],
            "violations": nag["violations"],
            "other_acknowledgements": len(nag["other_acknowledged"]),
            "cdk_warnings": nag["warnings"],
        },
        "cfn_lint": {"findings": lint["findings"], "ignored": len(lint["ignored"])},
        "checkov": {"findings": chk["findings"], "skipped": len(chk["skipped"]), "passed": chk["passed"]},
    }
    if outdir.is_dir():
        (outdir / "compliance-report.json").write_text(json.dumps(report, indent=2) + "\n")
    total = nag_count + len(lint["findings"]) + len(chk["findings"])
    print(f"== audit: {'PASS' if total == 0 else 'FAIL'} ({total} unacknowledged findings)")
    return 0 if total == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
