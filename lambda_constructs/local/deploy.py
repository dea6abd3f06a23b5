"""Run the real CDK CLI (``cdk bootstrap`` / ``cdk deploy`` / ``cdk synth``) against the emulator."""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Sequence
from pathlib import Path

from lambda_constructs.local.server import ACCOUNT, PACKAGE_PARENT, REGION, Emulator, EmulatorError, log_tail

CLI_TIMEOUT = 300.0


def cdk_executable(app_dir: Path | None = None) -> str:
    """The CDK CLI: ``node_modules/.bin/cdk`` of ``app_dir`` (default: the current folder) or one of its
    parents, else ``cdk`` on ``PATH``, else the one next to this package (a source checkout).

    Raises :class:`EmulatorError` (with the fix) when none is installed.
    """
    start = (app_dir or Path.cwd()).resolve()
    for folder in (start, *start.parents):
        local = folder / "node_modules" / ".bin" / "cdk"
        if local.exists():
            return str(local)
    found = shutil.which("cdk")
    if found:
        return found
    bundled = PACKAGE_PARENT / "node_modules" / ".bin" / "cdk"
    if bundled.exists():
        return str(bundled)
    raise EmulatorError("CDK CLI not found: install it (`npm install aws-cdk`, or `npm ci` in this repository)")


def cli_env(extra: dict[str, str] | None = None, *, state_dir: Path | None = None) -> dict[str, str]:
    """Environment for the CLI: this interpreter's folder and node_modules first on PATH, no telemetry
    or notices, own ``CDK_HOME`` in ``state_dir`` (default: a temporary folder's sibling of the log)."""
    path = os.pathsep.join(
        [str(Path(sys.executable).parent), str(Path(cdk_executable()).parent), os.environ.get("PATH", "")]
    )
    env = {
        **os.environ,
        "PATH": path,
        "CDK_DISABLE_CLI_TELEMETRY": "true",
        "JSII_SILENCE_WARNING_UNTESTED_NODE_VERSION": "1",
        "CI": "true",
        # Own CDK home: the CLI caches account IDs per access key in ~/.cdk, and "testing" may map to
        # another emulator's account there.
        "CDK_HOME": str((state_dir or Path(tempfile.gettempdir()) / "lambda-constructs-local").resolve() / "cdk-home"),
    }
    # Never let a developer's real AWS profile leak into an emulator run.
    for var in ("AWS_PROFILE", "AWS_DEFAULT_PROFILE", "AWS_CONFIG_FILE", "AWS_SHARED_CREDENTIALS_FILE"):
        env.pop(var, None)
    env.update(extra or {})
    return env


def run_cdk(
    args: Sequence[str],
    *,
    cwd: Path,
    log_path: Path,
    env: dict[str, str],
    timeout: float = CLI_TIMEOUT,
    echo: Callable[[str], None] | None = None,
) -> float:
    """Run ``cdk <args>`` appending its output to ``log_path``; return seconds taken.

    ``echo`` receives every output line as it arrives (e.g. to print per-stack progress).
    Raises :class:`EmulatorError` with the log tail on a non-zero exit or timeout.
    """
    argv = [cdk_executable(cwd), *args]
    log_path.parent.mkdir(parents=True, exist_ok=True)
    start = time.monotonic()
    with log_path.open("ab") as log:
        log.write(f"\n$ {' '.join(argv)}  (cwd {cwd})\n".encode())
        log.flush()
        proc = subprocess.Popen(
            argv,
            cwd=cwd,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        timer = threading.Timer(timeout, lambda: _kill(proc))
        timer.start()
        try:
            assert proc.stdout is not None
            for raw in iter(proc.stdout.readline, b""):
                log.write(raw)
                log.flush()
                if echo is not None:
                    echo(raw.decode(errors="replace").rstrip("\n"))
            proc.wait()
        finally:
            timer.cancel()
            if proc.poll() is None:
                _kill(proc)
    if time.monotonic() - start >= timeout:
        raise EmulatorError(f"cdk {args[0]} timed out after {timeout:.0f}s; log {log_path}:\n{log_tail(log_path)}")
    if proc.returncode != 0:
        raise EmulatorError(f"cdk {args[0]} failed (exit {proc.returncode}); log {log_path}:\n{log_tail(log_path)}")
    return time.monotonic() - start


def _kill(proc: subprocess.Popen[bytes]) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(proc.pid, signal.SIGKILL)
    with contextlib.suppress(subprocess.TimeoutExpired):
        proc.wait(timeout=5)


def synth(app_dir: Path, *, log_path: Path, app: str = "python3 app.py", validation: bool = True) -> Path:
    """``cdk synth`` the app in ``app_dir`` into ``app_dir/cdk.out``; return that directory.

    ``validation=False`` passes ``--no-validation`` (the CLI sets ``CDK_VALIDATION=false`` for the app):
    no built-in CloudFormation validation plugin, ~6 s less per synth on 2 cores.
    """
    out = app_dir / "cdk.out"
    run_cdk(
        [
            "synth",
            "--all",
            "--quiet",
            "--no-notices",
            *([] if validation else ["--no-validation"]),
            "--app",
            app,
            "--output",
            str(out),
        ],
        cwd=app_dir,
        log_path=log_path,
        env=cli_env(),
    )
    return out


def bootstrap(emulator: Emulator, cdk_out: Path, *, log_path: Path) -> float:
    """``cdk bootstrap aws://ACCOUNT/REGION`` into the emulator; return seconds taken."""
    return run_cdk(
        ["bootstrap", f"aws://{ACCOUNT}/{REGION}", "--no-notices", "--app", str(cdk_out.resolve())],
        cwd=cdk_out.resolve().parent,
        log_path=log_path,
        env=cli_env(emulator.aws_env(), state_dir=emulator.log_path.parent),
    )


def is_bootstrapped(emulator: Emulator) -> bool:
    """True when the emulator holds the ``CDKToolkit`` stack (``cdk bootstrap`` ran)."""
    cfn = emulator.client("cloudformation")
    try:
        status: str = cfn.describe_stacks(StackName="CDKToolkit")["Stacks"][0]["StackStatus"]
    except Exception:
        return False
    return status.endswith("_COMPLETE")


def deploy(
    emulator: Emulator,
    cdk_out: Path,
    *,
    log_path: Path,
    stacks: Sequence[str] = (),
    echo: Callable[[str], None] | None = None,
) -> float:
    """``cdk deploy`` (create or update) of ``stacks`` (default ``--all``) of the synthesized ``cdk_out``
    into the emulator; return seconds taken."""
    return run_cdk(
        [
            "deploy",
            *(stacks or ["--all"]),
            "--require-approval",
            "never",
            "--no-notices",
            "--progress",
            "events",
            "--app",
            str(cdk_out.resolve()),
        ],
        cwd=cdk_out.resolve().parent,
        log_path=log_path,
        env=cli_env(emulator.aws_env(), state_dir=emulator.log_path.parent),
        echo=echo,
    )
