"""A CDK app outside the repo installs the package (as a wheel) and synthesizes a function."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

from tests.helpers import ROOT

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


def test_installed_wheel_synthesizes_in_a_foreign_app(tmp_path: Path) -> None:
    wheels = tmp_path / "wheels"
    site = tmp_path / "site"
    pip = [sys.executable, "-m", "pip", "--disable-pip-version-check", "-q"]
    subprocess.run(
        [*pip, "wheel", "--no-deps", "--no-build-isolation", "-w", str(wheels), str(ROOT)],
        check=True,
        capture_output=True,
    )
    wheel = next(wheels.glob("lambda_constructs-*.whl"))
    subprocess.run([*pip, "install", "--no-deps", "--target", str(site), str(wheel)], check=True, capture_output=True)
    assert (site / "lambda_constructs" / "py.typed").is_file(), "the wheel ships py.typed"

    app_dir = tmp_path / "app"
    (app_dir / "handler").mkdir(parents=True)
    (app_dir / "handler" / "main.py").write_text("def handler(event, context):\n    return 'hi'\n")
    (app_dir / "app.py").write_text(APP)
    env = {**os.environ, "PYTHONPATH": str(site)}
    result = subprocess.run(
        [sys.executable, "app.py"], cwd=app_dir, env=env, capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr[-3000:]
    assert f"LIBRARY {site}" in result.stdout, result.stdout
    template = json.loads((app_dir / "cdk.out" / "External.template.json").read_text())
    functions = [r for r in template["Resources"].values() if r["Type"] == "AWS::Lambda::Function"]
    assert len(functions) == 1 and functions[0]["Properties"]["Handler"] == "main.handler"
