"""A CDK app outside the repo installs the package (as a wheel) and synthesizes a function.

The pipeline (tests/integration/external_app.py: pip wheel, pip install --target, the app in a fresh
interpreter) is started right after collection and runs beside the other tests (tests/background.py);
this test waits for it and checks its result.
"""

from __future__ import annotations

import json

from tests import oracles
from tests.background import BackgroundRun


def test_installed_wheel_synthesizes_in_a_foreign_app(background_run: BackgroundRun) -> None:
    pipeline = background_run.result(timeout=900)
    assert pipeline.returncode == 0, pipeline.stderr[-6000:]  # the wheel was built and installed
    site = background_run.workdir / "site"
    assert (site / "lambda_constructs" / "py.typed").is_file(), "the wheel ships py.typed"

    app_dir = background_run.workdir / "app"
    result = json.loads((background_run.workdir / "app-result.json").read_text())
    assert result["returncode"] == 0, result["stderr"][-3000:]
    assert f"LIBRARY {site}" in result["stdout"], result["stdout"]
    template = json.loads((app_dir / "cdk.out" / "External.template.json").read_text())
    functions = [r for r in template["Resources"].values() if r["Type"] == "AWS::Lambda::Function"]
    assert len(functions) == 1 and functions[0]["Properties"]["Handler"] == "main.handler"
    # the foreign app's template against AWS's IAM data and Lambda API model (tests/oracles)
    assert oracles.findings(template, "External") == []
