"""`cdk synth` of a user's app without this repo's feature flags: the library's warning, and no stray line.

The synth is started right after collection and runs beside the other tests (tests/background.py).
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import pytest

from tests.background import BackgroundRun
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


def prepare(folder: Path) -> tuple[list[str], dict[str, str]]:
    """Write the app (no ``context`` in cdk.json: no flags) into ``folder``; return the command and its environment."""
    (folder / "code").mkdir()
    (folder / "code" / "app.py").write_text("def handler(event, context):\n    return 1\n")
    (folder / "app.py").write_text(APP)
    (folder / "cdk.json").write_text(json.dumps({"app": f"{sys.executable} app.py"}))  # no "context": no flags
    env = dict(os.environ, CDK_DISABLE_CLI_TELEMETRY="true")
    env["PATH"] = os.pathsep.join([str(Path(sys.executable).parent), str(ROOT / "node_modules" / ".bin"), env["PATH"]])
    return ["cdk", "synth", "--quiet", "--no-notices"], env


def test_library_warning_without_a_jsii_program_frame(background_run: BackgroundRun) -> None:
    # Started after collection, beside the other tests (tests/background.py); the same command as in a shell.
    assert background_run.argv == ["cdk", "synth", "--quiet", "--no-notices"]
    assert (background_run.cwd / "app.py").read_text() == APP
    assert "context" not in json.loads((background_run.cwd / "cdk.json").read_text())
    result = background_run.result(timeout=300)
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert "the function may run 60 s but API Gateway waits only 29 s" in output
    assert "Acknowledge with 'Annotation::lambda-constructs:integrationTimeoutShorterThanFunction'" in output
    assert "program.js" not in output, output
