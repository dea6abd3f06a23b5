"""`cdk synth` of a user's app without this repo's feature flags: the library's warning, and no stray line."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.helpers import ROOT

pytestmark = [pytest.mark.integration, pytest.mark.slow]

APP = """
import aws_cdk as cdk
from lambda_constructs import SecureFunction, SecureFunctionProps
from lambda_constructs.triggers import RestApiTrigger

app = cdk.App()
stack = cdk.Stack(app, "NoFlags")
fn = SecureFunction(stack, "Fn", SecureFunctionProps(code_dir="code", handler="app.handler", timeout=cdk.Duration.seconds(60)))
fn.add_trigger(RestApiTrigger())
app.synth()
"""


def test_library_warning_without_a_jsii_program_frame(tmp_path: Path) -> None:
    (tmp_path / "code").mkdir()
    (tmp_path / "code" / "app.py").write_text("def handler(event, context):\n    return 1\n")
    (tmp_path / "app.py").write_text(APP)
    (tmp_path / "cdk.json").write_text(json.dumps({"app": f"{sys.executable} app.py"}))  # no "context": no flags
    env = dict(os.environ, CDK_DISABLE_CLI_TELEMETRY="true")
    env["PATH"] = os.pathsep.join([str(Path(sys.executable).parent), str(ROOT / "node_modules" / ".bin"), env["PATH"]])
    result = subprocess.run(
        ["cdk", "synth", "--quiet", "--no-notices"], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=300
    )
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert "the function may run 60 s but API Gateway waits only 29 s" in output
    assert "Acknowledge with 'Annotation::lambda-constructs:integrationTimeoutShorterThanFunction'" in output
    assert "program.js" not in output, output
