"""Under the CDK CLI an uncaught LambdaConstructsError is one ``Error:`` line, not a traceback (errors.py's hook)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from lambda_constructs.errors import (
    TRACEBACK_ENV,
    LambdaConstructsError,
    install_synth_error_hook,
    reported_error,
    synth_error_hook,
)
from tests.helpers import ROOT

BAD_MEMORY = """\
import aws_cdk as cdk
from lambda_constructs import SecureFunction, SecureFunctionProps

app = cdk.App()
stack = cdk.Stack(app, "Shop")
SecureFunction(stack, "Orders", SecureFunctionProps(inline_code="def handler(e, c):\\n    return 1\\n", memory_size=64))
app.synth()
"""

# The error raised in an aspect: jsii re-raises it from app.synth() as a RuntimeError with a JavaScript stack.
IN_ASPECT = """\
import aws_cdk as cdk
import jsii
from lambda_constructs.errors import LambdaConstructsError

app = cdk.App()
stack = cdk.Stack(app, "Shop")


@jsii.implements(cdk.IAspect)
class Check:
    def visit(self, node):
        raise LambdaConstructsError("Shop/Orders", "is not allowed here", value=7, fix="move it")


cdk.Aspects.of(stack).add(Check())
app.synth()
"""

PLAIN = """\
from lambda_constructs.errors import LambdaConstructsError

def build():
    raise LambdaConstructsError("Shop/Orders", "memory_size must be between 128 and 10240 MB", value=64, fix="set 512")

build()
"""

OTHER = """\
import lambda_constructs.errors

raise KeyError("not ours")
"""

MEMORY_MESSAGE = (
    "Error: Shop/Orders: memory_size must be between 128 and 10240 MB (got 64). "
    "Fix: set memory_size to a value in [128, 10240] MB"
)


def _run(tmp_path: Path, source: str, **env: str) -> subprocess.CompletedProcess[str]:
    (tmp_path / "app.py").write_text(source)
    base = {k: v for k, v in os.environ.items() if k not in ("CDK_OUTDIR", "CDK_CONTEXT_JSON", TRACEBACK_ENV)}
    base["PYTHONPATH"] = str(ROOT)
    base["PATH"] = os.pathsep.join([str(Path(sys.executable).parent), base["PATH"]])  # Node 24 of the venv
    base["JSII_SILENCE_WARNING_UNTESTED_NODE_VERSION"] = "1"
    return subprocess.run(
        [sys.executable, "app.py"], cwd=tmp_path, env={**base, **env}, capture_output=True, text=True, timeout=300
    )


def test_construct_error_under_the_cdk_cli_is_one_message(tmp_path: Path) -> None:
    result = _run(tmp_path, BAD_MEMORY, CDK_OUTDIR=str(tmp_path / "cdk.out"), CDK_CONTEXT_JSON="{}")
    assert result.returncode == 1
    lines = result.stderr.splitlines()
    assert lines[0] == MEMORY_MESSAGE, result.stderr
    assert lines[1] == f"  (raised at app.py:6; {TRACEBACK_ENV}=1 shows the traceback)"
    assert len(lines) == 2, result.stderr
    assert "Traceback" not in result.stderr


def test_error_raised_in_a_jsii_callback_is_unwrapped(tmp_path: Path) -> None:
    result = _run(tmp_path, IN_ASPECT, CDK_OUTDIR=str(tmp_path / "cdk.out"))
    assert result.returncode == 1
    assert result.stderr.splitlines() == [
        "Error: Shop/Orders: is not allowed here (got 7). Fix: move it",
        f"  (raised at app.py:12; {TRACEBACK_ENV}=1 shows the traceback)",  # the aspect, not app.synth()
    ], result.stderr
    assert "JavaScriptError" not in result.stderr


@pytest.mark.parametrize("variable", ["CDK_OUTDIR", "CDK_CONTEXT_JSON"])
def test_either_cli_variable_installs_the_hook(tmp_path: Path, variable: str) -> None:
    result = _run(tmp_path, PLAIN, **{variable: "x"})
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert result.stderr.startswith("Error: Shop/Orders: memory_size must be between 128 and 10240 MB (got 64). ")
    assert "raised at app.py:4;" in result.stderr  # the innermost frame of the app


def test_outside_the_cdk_cli_the_traceback_stays(tmp_path: Path) -> None:
    result = _run(tmp_path, PLAIN)
    assert result.returncode == 1
    assert "Traceback" in result.stderr
    assert not result.stderr.startswith("Error: ")


def test_opt_out_keeps_the_traceback(tmp_path: Path) -> None:
    result = _run(tmp_path, PLAIN, CDK_OUTDIR="x", **{TRACEBACK_ENV: "1"})
    assert result.returncode == 1
    assert "Traceback" in result.stderr
    assert "lambda_constructs.errors.LambdaConstructsError: Shop/Orders" in result.stderr


def test_other_exceptions_keep_their_traceback(tmp_path: Path) -> None:
    result = _run(tmp_path, OTHER, CDK_OUTDIR="x")
    assert result.returncode == 1
    assert "Traceback" in result.stderr
    assert result.stderr.rstrip().endswith("KeyError: 'not ours'")


def _raised_while_handling(message: str) -> RuntimeError:
    try:
        try:
            raise LambdaConstructsError("Shop/Orders", "bad", value=1, fix="fix it")
        except LambdaConstructsError:
            raise RuntimeError(message) from None
    except RuntimeError as exc:
        return exc


def test_reported_error_finds_only_the_same_message() -> None:
    error = LambdaConstructsError("Shop/Orders", "bad")
    assert reported_error(error) is error
    wrapped = _raised_while_handling("Shop/Orders: bad (got 1). Fix: fix it")
    assert isinstance(reported_error(wrapped), LambdaConstructsError)
    assert reported_error(_raised_while_handling("cleanup failed")) is None  # another error: not hidden
    assert reported_error(KeyError("x")) is None


def test_hook_passes_other_exceptions_on(capsys: pytest.CaptureFixture[str]) -> None:
    seen: list[BaseException] = []
    hook = synth_error_hook(lambda _type, exc, _tb: seen.append(exc))
    other = KeyError("x")
    hook(KeyError, other, None)
    assert seen == [other]
    hook(LambdaConstructsError, LambdaConstructsError("A/B", "bad", value=3, fix="use 4"), None)
    assert seen == [other]
    assert capsys.readouterr().err.splitlines()[0] == "Error: A/B: bad (got 3). Fix: use 4"


def test_install_reads_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "excepthook", sys.__excepthook__)
    assert install_synth_error_hook({}) is False
    assert install_synth_error_hook({"CDK_OUTDIR": "cdk.out", TRACEBACK_ENV: "1"}) is False
    assert sys.excepthook is sys.__excepthook__
    assert install_synth_error_hook({"CDK_OUTDIR": "cdk.out", TRACEBACK_ENV: "0"}) is True
    installed = sys.excepthook
    assert installed is not sys.__excepthook__
    assert install_synth_error_hook({"CDK_OUTDIR": "cdk.out"}) is True  # once: not wrapped twice
    assert sys.excepthook is installed
