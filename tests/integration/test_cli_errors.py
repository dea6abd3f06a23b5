"""`cdk synth` (the pinned CLI) of a user's app with bad input: the library's one-line error, no traceback."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.helpers import ROOT
from tests.unit.test_synth_errors import BAD_MEMORY, MEMORY_MESSAGE

pytestmark = [pytest.mark.integration, pytest.mark.slow]


def test_cdk_synth_prints_the_error_not_a_traceback(tmp_path: Path) -> None:
    (tmp_path / "app.py").write_text(BAD_MEMORY)
    (tmp_path / "cdk.json").write_text(json.dumps({"app": f"{sys.executable} app.py"}))
    env = {k: v for k, v in os.environ.items() if k != "LAMBDA_CONSTRUCTS_TRACEBACK"}
    env.update(CDK_DISABLE_CLI_TELEMETRY="true", JSII_SILENCE_WARNING_UNTESTED_NODE_VERSION="1", PYTHONPATH=str(ROOT))
    env["PATH"] = os.pathsep.join([str(Path(sys.executable).parent), str(ROOT / "node_modules" / ".bin"), env["PATH"]])
    result = subprocess.run(
        ["cdk", "synth", "--quiet", "--no-notices"], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=300
    )
    assert result.returncode == 1
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert lines[:2] == [MEMORY_MESSAGE, "  (raised at app.py:6; LAMBDA_CONSTRUCTS_TRACEBACK=1 shows the traceback)"]
    assert lines[2:] == [f"{sys.executable} app.py: Subprocess exited with error 1"], result.stderr
