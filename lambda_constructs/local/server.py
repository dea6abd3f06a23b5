"""Start and stop the moto server (with the extra CloudFormation models) on 127.0.0.1.

``running_emulator()`` is a context manager: the server runs in its own process group and is always
stopped by PID (SIGTERM, then SIGKILL of the whole group), also when the body raises.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

PACKAGE_PARENT = Path(__file__).resolve().parents[2]
"""The folder holding the ``lambda_constructs`` package (put on the emulator's ``PYTHONPATH``)."""
DEFAULT_STATE_DIR = Path(".lambda-constructs") / "local"
"""State folder of the ``local`` CLI (endpoint, pid, logs), relative to the CDK app folder."""
LOG_DIR = DEFAULT_STATE_DIR
ACCOUNT = "000000000000"
REGION = "us-east-1"


class EmulatorError(RuntimeError):
    """The emulator (or a step run against it) failed; the message carries the tail of its log."""


def log_tail(path: Path, lines: int = 40) -> str:
    """Return the last ``lines`` lines of ``path`` (empty if it does not exist)."""
    try:
        text = path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return ""
    return "\n".join(text.splitlines()[-lines:])


def free_port() -> int:
    """Return a TCP port on 127.0.0.1 that was free a moment ago."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def pid_alive(pid: int) -> bool:
    """True if a process with ``pid`` exists and is not a zombie."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return True
    return stat.rsplit(")", 1)[-1].split()[0] != "Z"


def wait_gone(pid: int, seconds: float = 5.0) -> bool:
    """Wait up to ``seconds`` for ``pid`` to exit; True when it is gone."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if not pid_alive(pid):
            return True
        time.sleep(0.05)
    return not pid_alive(pid)


@dataclass
class Emulator:
    """A running moto server."""

    port: int
    """TCP port on 127.0.0.1."""
    pid: int
    """Process id (leader of its own process group)."""
    log_path: Path
    """The server's log file."""
    _clients: dict[str, Any] = field(default_factory=dict, init=False, repr=False, compare=False)

    @property
    def endpoint(self) -> str:
        """Endpoint URL (``localhost``: moto only recognises that host in S3 template URLs)."""
        return f"http://localhost:{self.port}"

    def aws_env(self) -> dict[str, str]:
        """Environment variables pointing AWS SDKs and the CDK CLI at the emulator."""
        return {
            "AWS_ENDPOINT_URL": self.endpoint,
            "AWS_ACCESS_KEY_ID": "testing",
            "AWS_SECRET_ACCESS_KEY": "testing",
            "AWS_SESSION_TOKEN": "testing",
            "AWS_DEFAULT_REGION": REGION,
            "AWS_REGION": REGION,
            "AWS_EC2_METADATA_DISABLED": "true",
        }

    def client(self, service: str) -> Any:
        """A boto3 client for ``service`` bound to the emulator (created once per service, then reused:
        the verifier and the invoker ask for a client per checked resource)."""
        cached = self._clients.get(service)
        if cached is None:
            import boto3  # type: ignore[import-untyped]

            cached = self._clients[service] = boto3.client(
                service,
                endpoint_url=self.endpoint,
                region_name=REGION,
                aws_access_key_id="testing",
                aws_secret_access_key="testing",
                aws_session_token="testing",
            )
        return cached

    def api(self, path: str, body: dict[str, Any] | None = None, timeout: float = 10.0) -> bytes:
        """POST (with ``body``) or GET a ``/moto-api/...`` path and return the response body."""
        data = None if body is None else json.dumps(body).encode()
        req = urllib.request.Request(f"http://127.0.0.1:{self.port}{path}", data=data, method="GET")
        if data is not None:
            req.method = "POST"
            req.add_header("Content-Type", "application/json")
        with urllib.request.urlopen(req, timeout=timeout) as resp:
            payload: bytes = resp.read()
            return payload

    def reset(self) -> None:
        """Drop all emulator state (stack updates/deletes are unreliable in moto: start fresh)."""
        self.api("/moto-api/reset", {})

    def configure(self) -> None:
        """Let Lambda invokes work without Docker (handlers are run by :mod:`lambda_constructs.local.invoke`)."""
        self.api("/moto-api/config", {"lambda": {"use_docker": False}})


def _launch_command(port: int) -> list[str]:
    return [sys.executable, "-m", "lambda_constructs.local.launch", "--host", "127.0.0.1", "--port", str(port)]


def _stop(proc: subprocess.Popen[bytes], grace: float = 5.0) -> None:
    """Stop ``proc`` and everything in its process group; wait until the PID is reaped."""
    for sig in (signal.SIGTERM, signal.SIGKILL):
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(proc.pid, sig)
        try:
            proc.wait(timeout=grace)
        except subprocess.TimeoutExpired:
            continue
        # The leader is gone; make sure no child of the group survives it.
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(proc.pid, signal.SIGKILL)
        return
    proc.wait(timeout=grace)


def port_in_use(port: int) -> bool:
    """True if something already listens on 127.0.0.1:``port``."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            return True
    return False


def _wait_healthy(proc: subprocess.Popen[bytes], port: int, log_path: Path, timeout: float, occupied: bool) -> None:
    deadline = time.monotonic() + timeout
    url = f"http://127.0.0.1:{port}/moto-api/data.json"
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise EmulatorError(
                f"emulator exited with code {proc.returncode} during start; log {log_path}:\n" + log_tail(log_path)
            )
        if occupied:  # whatever answers there is not ours: wait for our server to give up
            time.sleep(0.2)
            continue
        try:
            with urllib.request.urlopen(url, timeout=2) as resp:
                if resp.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        time.sleep(0.2)
    raise EmulatorError(f"emulator not healthy after {timeout:.0f}s; log {log_path}:\n" + log_tail(log_path))


def start(
    *,
    port: int | None = None,
    log_dir: Path = LOG_DIR,
    command: Sequence[str] | None = None,
    start_timeout: float = 30.0,
    lenient: Sequence[str] = (),
) -> tuple[Emulator, subprocess.Popen[bytes]]:
    """Start the emulator in its own process group, wait until healthy, reset and configure it.

    ``lenient`` names rules of :mod:`lambda_constructs.local.rules` not to enforce. On any failure the
    process group is stopped and :class:`EmulatorError` raised (with the log's tail).
    """
    port = port or free_port()
    log_dir = log_dir.resolve()
    log_dir.mkdir(parents=True, exist_ok=True)
    log_path = log_dir / f"moto-{port}.log"
    occupied = port_in_use(port)
    argv = [a.replace("{port}", str(port)) for a in command] if command else _launch_command(port)
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join(filter(None, [str(PACKAGE_PARENT), os.environ.get("PYTHONPATH")])),
    }
    env["MOTO_PORT"] = str(port)
    env["MOTO_ACCOUNT_ID"] = ACCOUNT
    env["LAMBDA_CONSTRUCTS_LOCAL_LENIENT"] = ",".join(lenient)
    with log_path.open("wb") as log:
        log.write(f"$ {' '.join(argv)}\n".encode())
        log.flush()
        proc = subprocess.Popen(
            argv,
            cwd=log_dir,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    emulator = Emulator(port=port, pid=proc.pid, log_path=log_path)
    try:
        _wait_healthy(proc, port, log_path, start_timeout, occupied)
        try:
            emulator.reset()
            emulator.configure()
        except (urllib.error.URLError, OSError) as exc:
            raise EmulatorError(f"emulator reset/config failed: {exc}; log:\n{log_tail(log_path)}") from exc
    except BaseException:
        _stop(proc)
        raise
    return emulator, proc


def stop_pid(pid: int, grace: float = 5.0) -> bool:
    """Stop the process group led by ``pid`` (SIGTERM, then SIGKILL); True when it is gone."""
    for sig in (signal.SIGTERM, signal.SIGKILL):
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(pid, sig)
        if wait_gone(pid, grace):
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(pid, signal.SIGKILL)  # children that survived their leader
            return True
    return not pid_alive(pid)


@contextlib.contextmanager
def running_emulator(
    *,
    port: int | None = None,
    log_dir: Path = LOG_DIR,
    command: Sequence[str] | None = None,
    start_timeout: float = 30.0,
    lenient: Sequence[str] = (),
) -> Iterator[Emulator]:
    """Start the emulator, wait until healthy, reset and configure it; always stop it on exit.

    ``command`` overrides the launcher (``{port}`` in an argument is replaced); meant for tests.
    """
    emulator, proc = start(port=port, log_dir=log_dir, command=command, start_timeout=start_timeout, lenient=lenient)
    try:
        yield emulator
    finally:
        _stop(proc)
