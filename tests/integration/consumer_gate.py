"""The consumer gate's pipeline: the built wheel in a fresh venv, a broad app, every scanner without repo files.

Run as ``python -m tests.integration.consumer_gate WORKDIR`` (tests/background.py starts it right after
collection). Steps: ``pip wheel`` the package; a fresh venv (``WORKDIR/venv``) whose only extra path
is the dev venv's site-packages (the pinned dependencies, read-only: the editable install's ``.pth``
is not processed there) gets the wheel with ``--no-deps``; the app (tests/integration/consumer_app.py,
copied to ``WORKDIR/app`` with a handler, a layer folder and a release file) synthesizes with the five
cdk-nag packs attached; then checkov (no skip file) and cfn-lint with the cfn-lint-serverless rules
(run from the app folder: no configuration file) scan its templates. Everything the test asserts goes to
``WORKDIR/gate.json``: each finding with the construct path of its resource.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
CHECKOV = ROOT / ".venv-audit" / "bin" / "checkov"
CFN_LINT = Path(sys.executable).parent / "cfn-lint"

RELEASES = {
    "format": 1,
    "functions": {
        "Consumer/Orders": {
            "releases": [],
            "aliases": {
                "Dev": {"follows": "$LATEST"},
                "Stage": {"follows": "newest"},
                "Prod": {"follows": "newest", "deployment": "Canary10Percent5Minutes", "alarms": True},
            },
        }
    },
}


def _check(step: list[str], **kwargs: Any) -> subprocess.CompletedProcess[str]:
    done = subprocess.run(step, capture_output=True, text=True, check=False, **kwargs)
    if done.returncode != 0:
        sys.exit(f"{' '.join(step)} failed ({done.returncode}):\n{done.stdout[-3000:]}{done.stderr[-3000:]}")
    return done


def _venv(workdir: Path) -> Path:
    """A fresh venv with the wheel; the dev venv's site-packages supplies the pinned dependencies."""
    wheels = workdir / "wheels"
    pip = [sys.executable, "-m", "pip", "--disable-pip-version-check", "-q"]
    # Built from a copy: setuptools builds in the source tree (build/, *.egg-info), and test_external_app
    # builds a wheel from the worktree at the same time.
    source = workdir / "src"
    source.mkdir()
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(ROOT / name, source / name)
    shutil.copytree(
        ROOT / "lambda_constructs", source / "lambda_constructs", ignore=shutil.ignore_patterns("__pycache__")
    )
    _check([*pip, "wheel", "--no-deps", "--no-build-isolation", "-w", str(wheels), str(source)])
    wheel = next(wheels.glob("lambda_constructs-*.whl"))
    venv = workdir / "venv"
    base = getattr(sys, "_base_executable", sys.executable)
    _check([base, "-m", "venv", "--without-pip", str(venv)])
    python = venv / "bin" / "python"
    purelib = Path(_check([str(python), "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"]).stdout.strip())
    (purelib / "dev-dependencies.pth").write_text(sysconfig.get_path("purelib") + "\n")
    _check([*pip, "install", "--no-deps", "--no-compile", "--target", str(purelib), str(wheel)])
    return python


def _app(workdir: Path) -> Path:
    app = workdir / "app"
    (app / "handler").mkdir(parents=True)
    (app / "handler" / "main.py").write_text("def handler(event, context):\n    return {'ok': True}\n")
    (app / "layer" / "python" / "deps").mkdir(parents=True)
    (app / "layer" / "python" / "deps" / "__init__.py").write_text("VALUE = 1\n")
    (app / "releases.json").write_text(json.dumps(RELEASES, indent=2) + "\n")
    shutil.copy(Path(__file__).with_name("consumer_app.py"), app / "app.py")
    return app


def _paths(outdir: Path) -> dict[tuple[str, str], str]:
    """(template file, logical id) -> construct path, from the assembly's ``aws:cdk:logicalId`` metadata."""
    paths: dict[tuple[str, str], str] = {}
    for metadata in outdir.glob("*.metadata.json"):
        template = metadata.name.replace(".metadata.json", ".template.json")
        for path, entries in json.loads(metadata.read_text()).items():
            for entry in entries:
                if entry.get("type") == "aws:cdk:logicalId":
                    paths[(template, entry["data"])] = path.lstrip("/")
    return paths


def _nag(outdir: Path) -> list[dict[str, str]]:
    report = outdir / "validation-report.json"
    found = []
    if report.exists():
        for plugin in json.loads(report.read_text()).get("pluginReports", []):
            for violation in plugin.get("violations", []):
                for construct in violation.get("violatingConstructs", []):
                    found.append({"rule": violation["ruleName"], "path": construct.get("constructPath", "")})
    return found


def _checkov(outdir: Path, paths: dict[tuple[str, str], str]) -> list[dict[str, str]]:
    cmd = [str(CHECKOV), "--framework", "cloudformation", "-o", "json", "--quiet", "--compact"]
    for template in sorted(outdir.glob("*.template.json")):
        cmd += ["-f", str(template)]
    done = subprocess.run(cmd, capture_output=True, text=True, check=False, cwd=outdir)
    if not done.stdout.strip():
        raise SystemExit(f"checkov produced no report ({done.returncode}): {done.stderr[-3000:]}")
    reports = json.loads(done.stdout)
    found = []
    for report in reports if isinstance(reports, list) else [reports]:
        results = report.get("results", {})
        for failed in results.get("failed_checks", []):
            template = Path(failed["file_path"]).name
            logical = failed["resource"].split(".", 1)[1]
            found.append({"rule": failed["check_id"], "path": paths.get((template, logical), f"{template}:{logical}")})
    return found


def _cfn_lint(outdir: Path, paths: dict[tuple[str, str], str]) -> list[dict[str, str]]:
    templates = [str(path) for path in sorted(outdir.glob("*.template.json"))]
    done = subprocess.run(
        # cfn-lint's rules plus cfn-lint-serverless's (pinned in requirements-dev.txt).
        [str(CFN_LINT), "-a", "cfn_lint_serverless.rules", "--format", "json", "--", *templates],
        capture_output=True,
        text=True,
        check=False,
        cwd=outdir,
    )
    found = []
    for match in json.loads(done.stdout or "[]"):
        template = Path(match["Filename"]).name
        location = match["Location"].get("Path") or []
        logical = location[1] if len(location) > 1 and location[0] == "Resources" else ""
        found.append({"rule": match["Rule"]["Id"], "path": paths.get((template, logical), f"{template}:{logical}")})
    return found


def run_pipeline(workdir: Path) -> None:
    python = _venv(workdir)
    app = _app(workdir)
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    env["PATH"] = f"{Path(sys.executable).parent}:{ROOT / 'node_modules' / '.bin'}:{env.get('PATH', '')}"
    # CDK's built-in CloudFormation validation stays on here (aws-cdk-lib's default): the one test in which a
    # consumer's app synthesizes the library's resources with it, as a user's `cdk synth` does. Every other
    # app of the suite turns it off (tests/helpers.py's new_app).
    probe = subprocess.run(
        [str(python), "-c", "import lambda_constructs; print(lambda_constructs.__file__)"],
        cwd=app,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    synth = subprocess.run([str(python), "app.py", "cdk.out"], cwd=app, env=env, capture_output=True, text=True)
    outdir = app / "cdk.out"
    if not list(outdir.glob("*.template.json")):
        raise SystemExit(f"the app wrote no template ({synth.returncode}): {synth.stderr[-3000:]}")
    paths = _paths(outdir)
    record = {
        "library": probe.stdout.strip(),
        "synth_returncode": synth.returncode,
        "synth_stderr": synth.stderr[-4000:],
        "templates": sorted(p.name for p in outdir.glob("*.template.json")),
        "nag": _nag(outdir),
        "checkov": _checkov(outdir, paths),
        "cfn_lint": _cfn_lint(outdir, paths),
    }
    (workdir / "gate.json").write_text(json.dumps(record, indent=1))


if __name__ == "__main__":
    run_pipeline(Path(sys.argv[1]))
