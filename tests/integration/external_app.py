"""The pipeline of test_external_app: build the wheel, install it into a folder, synthesize a foreign app.

Run as ``python -m tests.integration.external_app WORKDIR`` (tests/background.py starts it right after
collection; nothing here imports aws_cdk). A failing pip step exits non-zero with its output; the app's
own exit code and output go to ``WORKDIR/app-result.json`` for the test to check.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

APP = textwrap.dedent(
    """
    import aws_cdk as cdk
    import lambda_constructs
    from lambda_constructs import SecureFunction, SecureFunctionProps

    print("LIBRARY", lambda_constructs.__file__)
    app = cdk.App(outdir="cdk.out")
    stack = cdk.Stack(app, "External")
    SecureFunction(stack, "Hello", SecureFunctionProps(code_dir="handler", handler="main.handler"))
    app.synth()
    """
)


def _check(step: list[str]) -> None:
    done = subprocess.run(step, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        sys.exit(f"{' '.join(step)} failed ({done.returncode}):\n{done.stdout[-3000:]}{done.stderr[-3000:]}")


def run_pipeline(workdir: Path) -> None:
    """Wheel into ``workdir/wheels``, installed into ``workdir/site``, the app in ``workdir/app``."""
    wheels = workdir / "wheels"
    site = workdir / "site"
    pip = [sys.executable, "-m", "pip", "--disable-pip-version-check", "-q"]
    _check([*pip, "wheel", "--no-deps", "--no-build-isolation", "-w", str(wheels), str(ROOT)])
    wheel = next(wheels.glob("lambda_constructs-*.whl"))
    _check([*pip, "install", "--no-deps", "--target", str(site), str(wheel)])

    app_dir = workdir / "app"
    (app_dir / "handler").mkdir(parents=True)
    (app_dir / "handler" / "main.py").write_text("def handler(event, context):\n    return 'hi'\n")
    (app_dir / "app.py").write_text(APP)
    # CDK_VALIDATION=false: CDK's built-in CloudFormation validation (aws-cdk-lib >= 2.275; a one-time load of
    # seconds) is not under test here; off as in tests/helpers.py's new_app, without changing the app's text
    env = {**os.environ, "PYTHONPATH": str(site), "CDK_VALIDATION": "false"}
    result = subprocess.run(
        [sys.executable, "app.py"], cwd=app_dir, env=env, capture_output=True, text=True, check=False
    )
    record = {"returncode": result.returncode, "stdout": result.stdout, "stderr": result.stderr}
    (workdir / "app-result.json").write_text(json.dumps(record))


if __name__ == "__main__":
    run_pipeline(Path(sys.argv[1]))
