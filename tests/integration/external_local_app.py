"""The pipeline of test_external_local_app: a CDK app outside the repository, the library installed from
its wheel, runs ``local start`` -> ``local deploy`` -> a promotion -> ``local deploy`` -> ``local verify``
-> ``local stop``.

Run as ``python -m tests.integration.external_local_app WORKDIR`` (tests/background.py starts it right
after collection). The wheel goes into ``WORKDIR/site`` with ``--no-deps``: its dependencies, and the
pinned moto/boto3 the ``[local]`` extra declares (checked from the wheel's METADATA by the test), come
from this interpreter's environment, so no package is downloaded. The CDK CLI is the repository's
``node_modules/.bin`` on ``PATH`` (as a globally installed ``cdk`` would be). Every step's exit code and
output go to ``WORKDIR/local-result.json``; ``local stop`` runs even when a step fails.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import textwrap
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]

APP = textwrap.dedent(
    """
    import aws_cdk as cdk
    import lambda_constructs
    from lambda_constructs import SecureFunction, SecureFunctionProps

    print("LIBRARY", lambda_constructs.__file__)
    app = cdk.App(outdir="cdk.out")
    stack = cdk.Stack(app, "Shop", env=cdk.Environment(account="000000000000", region="us-east-1"))
    SecureFunction(stack, "Orders", SecureFunctionProps(code_dir="code", handler="app.handler", releases="releases.json"))
    app.synth()
    """
)
HANDLER = 'def handler(event, context):\n    return {"code": "%s"}\n'

# Prints the aliases of the deployed function as JSON (run with the endpoint of DIR/endpoint).
ALIASES = textwrap.dedent(
    """
    import json, sys, boto3
    endpoint = open(".lambda-constructs/local/endpoint").read().strip()
    kw = dict(endpoint_url=endpoint, region_name="us-east-1", aws_access_key_id="t", aws_secret_access_key="t")
    cfn, lam = boto3.client("cloudformation", **kw), boto3.client("lambda", **kw)
    resources = cfn.describe_stack_resources(StackName="Shop")["StackResources"]
    fn = next(r["PhysicalResourceId"] for r in resources if r["ResourceType"] == "AWS::Lambda::Function")
    aliases = {a["Name"]: [a["AliasArn"], a["FunctionVersion"]] for a in lam.list_aliases(FunctionName=fn)["Aliases"]}
    print(json.dumps(aliases))
    """
)


def _check(step: list[str]) -> None:
    done = subprocess.run(step, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        sys.exit(f"{' '.join(step)} failed ({done.returncode}):\n{done.stdout[-3000:]}{done.stderr[-3000:]}")


def run_pipeline(workdir: Path) -> None:
    """Wheel into ``workdir/wheels``, installed into ``workdir/site``, the app and its steps in ``workdir/app``."""
    wheels, site, app_dir = workdir / "wheels", workdir / "site", workdir / "app"
    pip = [sys.executable, "-m", "pip", "--disable-pip-version-check", "-q"]
    # Built from a copy: test_external_app builds its wheel from the tree at the same time, and two
    # setuptools builds in one folder share build/ and *.egg-info (SOURCES.txt vanished under one).
    source = workdir / "source"
    shutil.copytree(
        ROOT / "lambda_constructs", source / "lambda_constructs", ignore=shutil.ignore_patterns("__pycache__")
    )
    for name in ("pyproject.toml", "README.md"):
        shutil.copy2(ROOT / name, source / name)
    _check([*pip, "wheel", "--no-deps", "--no-build-isolation", "-w", str(wheels), str(source)])
    wheel = next(wheels.glob("lambda_constructs-*.whl"))
    _check([*pip, "install", "--no-deps", "--target", str(site), str(wheel)])

    (app_dir / "code").mkdir(parents=True)
    (app_dir / "app.py").write_text(APP)
    (app_dir / "code" / "app.py").write_text(HANDLER % "one")
    (app_dir / "releases.json").write_text('{"format": 1, "functions": {}}\n')
    env = {
        **os.environ,
        "PYTHONPATH": str(site),
        # CDK's built-in CloudFormation validation (a one-time load of seconds in each of the 4 synths) is not
        # under test here; off as in tests/helpers.py's new_app, without changing the app's text
        "CDK_VALIDATION": "false",
        "PATH": os.pathsep.join([str(ROOT / "node_modules" / ".bin"), os.environ.get("PATH", "")]),
    }
    py = [sys.executable]
    lc = [*py, "-m", "lambda_constructs"]
    steps: list[dict[str, Any]] = []

    def run(name: str, argv: list[str]) -> bool:
        start = time.monotonic()
        done = subprocess.run(argv, cwd=app_dir, env=env, capture_output=True, text=True, timeout=600, check=False)
        steps.append(
            {
                "step": name,
                "returncode": done.returncode,
                "stdout": done.stdout[-4000:],
                "stderr": done.stderr[-4000:],
                "seconds": round(time.monotonic() - start, 1),
            }
        )
        return done.returncode == 0

    def change_code() -> bool:
        (app_dir / "code" / "app.py").write_text(HANDLER % "two")
        return True

    plan = [
        lambda: run("synth", [*py, "app.py"]),
        lambda: run("release v1", [*lc, "release", "Shop/Orders"]),
        lambda: run("synth", [*py, "app.py"]),
        lambda: run("local start", [*lc, "local", "start"]),
        lambda: run("local deploy", [*lc, "local", "deploy"]),
        lambda: run("mark-published", [*lc, "mark-published", "Shop/Orders"]),
        lambda: run("aliases before", [*py, "-c", ALIASES]),
        change_code,
        lambda: run("synth", [*py, "app.py"]),
        lambda: run("release v2", [*lc, "release", "Shop/Orders"]),
        lambda: run("promote Stage v2", [*lc, "promote", "Shop/Orders", "Stage", "v2"]),
        lambda: run("synth", [*py, "app.py"]),
        lambda: run("local deploy (update)", [*lc, "local", "deploy"]),
        lambda: run("local verify", [*lc, "local", "verify"]),
        lambda: run("aliases after", [*py, "-c", ALIASES]),
    ]
    pid_file = app_dir / ".lambda-constructs" / "local" / "pid"
    pid = None
    try:
        for step in plan:
            if not step():
                break
            if pid is None and pid_file.exists():
                pid = int(pid_file.read_text())
    finally:
        if pid_file.exists():
            run("local stop", [*lc, "local", "stop"])
    alive = False
    if pid is not None:
        try:
            os.kill(pid, 0)
            stat = Path(f"/proc/{pid}/stat").read_text()
            alive = stat.rsplit(")", 1)[-1].split()[0] != "Z"
        except (ProcessLookupError, OSError):
            alive = False
    (workdir / "local-result.json").write_text(json.dumps({"steps": steps, "pid": pid, "pid_alive_after": alive}))


if __name__ == "__main__":
    run_pipeline(Path(sys.argv[1]))
