"""Run a Python handler locally in a subprocess, the way the Lambda Python runtime would.

The handler runs in its own process group with the function's environment, ``cwd`` set to the code
directory and ``PYTHONPATH`` = code directory + each layer's ``python/`` directory. Its stdout and
stderr stream live to the caller. The function's timeout counts from the moment the handler is
called (module import gets Lambda's 10 s init allowance); on expiry the whole process group is
killed. Peak memory is the child's resident-set high-water mark (``VmHWM``: unlike ``ru_maxrss`` it
is not inflated by the parent's memory at fork), measured after the interpreter starts, like Lambda's
"Max Memory Used" includes the runtime.
"""

from __future__ import annotations

import json
import os
import select
import signal
import subprocess
import sys
import tempfile
import threading
import time
import zipfile
from collections.abc import Iterator, Mapping
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any, Literal, TextIO

from lambda_constructs.errors import LambdaConstructsError
from lambda_constructs.invoke.assembly import FunctionSpec

INIT_TIMEOUT_S = 10.0
"""Lambda's limit for the init phase (importing the handler module)."""
PLACEHOLDER_VERSION = "1"
"""Version reported for an alias whose target version is only known after deploy."""

# Credentials and endpoints pass through so the handler can call AWS (or a local emulator).
PASSTHROUGH_ENV = (
    "PATH",
    "HOME",
    "AWS_PROFILE",
    "AWS_ACCESS_KEY_ID",
    "AWS_SECRET_ACCESS_KEY",
    "AWS_SESSION_TOKEN",
    "AWS_CONFIG_FILE",
    "AWS_SHARED_CREDENTIALS_FILE",
    "AWS_ENDPOINT_URL",
    "AWS_CA_BUNDLE",
)

Status = Literal["ok", "error", "timeout"]

_BOOTSTRAP = r"""
import importlib, json, os, resource, sys, time, traceback

event_file, result_file, handler, control_fd, timeout_s = sys.argv[1:6]
control = os.fdopen(int(control_fd), "wb", buffering=0)


class LambdaContext:
    def __init__(self, deadline):
        env = os.environ
        self.function_name = env["AWS_LAMBDA_FUNCTION_NAME"]
        self.function_version = env["AWS_LAMBDA_FUNCTION_VERSION"]
        self.invoked_function_arn = env["LAMBDA_LOCAL_INVOKED_ARN"]
        self.memory_limit_in_mb = env["AWS_LAMBDA_FUNCTION_MEMORY_SIZE"]
        self.aws_request_id = env["LAMBDA_LOCAL_REQUEST_ID"]
        self.log_group_name = env["AWS_LAMBDA_LOG_GROUP_NAME"]
        self.log_stream_name = env["AWS_LAMBDA_LOG_STREAM_NAME"]
        self.identity = None
        self.client_context = None
        self._deadline = deadline

    def get_remaining_time_in_millis(self):
        return max(0, int((self._deadline - time.monotonic()) * 1000))


def peak_memory_mb():
    try:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def error(kind, exc):
    return {
        "errorMessage": str(exc),
        "errorType": kind or type(exc).__name__,
        "requestId": os.environ["LAMBDA_LOCAL_REQUEST_ID"],
        "stackTrace": traceback.format_tb(exc.__traceback__),
    }


status, payload, duration_ms = "error", None, 0.0
init_start = time.monotonic()
try:
    module_name, _, function_name = handler.rpartition(".")
    try:
        module = importlib.import_module(module_name.replace("/", "."))
    except Exception as exc:
        traceback.print_exc()
        raise RuntimeError(("Runtime.ImportModuleError", f"Unable to import module {module_name!r}: {exc}"))
    function = getattr(module, function_name, None)
    if not callable(function):
        raise RuntimeError(("Runtime.HandlerNotFound", f"Handler {function_name!r} missing on module {module_name!r}"))
    init_ms = (time.monotonic() - init_start) * 1000
    with open(event_file) as stream:
        event = json.load(stream)
    start = time.monotonic()
    control.write(b"S")
    context = LambdaContext(start + float(timeout_s))
    try:
        result = function(event, context)
    except Exception as exc:
        duration_ms = (time.monotonic() - start) * 1000
        traceback.print_exc()
        payload = error(None, exc)
    else:
        duration_ms = (time.monotonic() - start) * 1000
        try:
            json.dumps(result)
            status, payload = "ok", result
        except (TypeError, ValueError) as exc:
            payload = error("Runtime.MarshalError", exc)
except RuntimeError as exc:
    if isinstance(exc.args[0], tuple):
        kind, message = exc.args[0]
        payload = {"errorMessage": message, "errorType": kind, "requestId": os.environ["LAMBDA_LOCAL_REQUEST_ID"]}
    else:
        traceback.print_exc()
        payload = error(None, exc)
sys.stdout.flush()
sys.stderr.flush()
with open(result_file, "w") as stream:
    json.dump({"status": status, "payload": payload, "duration_ms": duration_ms, "memory_mb": peak_memory_mb()}, stream)
"""


@dataclass(frozen=True)
class LocalFunction:
    """What the runner needs: handler, code, layers, limits and identity."""

    handler: str
    """``module.function`` of the handler, relative to ``code_dir``."""
    code_dir: Path
    """Folder with the handler's code (the working directory of the handler process)."""
    timeout_s: float
    """Seconds before the invoke is stopped and reported as ``timeout``."""
    memory_mb: int
    """Memory size reported to the handler and in the REPORT line."""
    function_name: str = "local-function"
    """``AWS_LAMBDA_FUNCTION_NAME`` and the context's name. Default: ``local-function``."""
    function_version: str = "$LATEST"
    """``AWS_LAMBDA_FUNCTION_VERSION`` and the context's version. Default: ``$LATEST``."""
    invoked_arn: str = "arn:aws:lambda:us-east-1:123456789012:function:local-function"
    """The context's ``invoked_function_arn``. Default: a placeholder ARN of ``local-function``."""
    region: str = "us-east-1"
    """``AWS_REGION`` of the handler. Default: ``us-east-1``."""
    runtime: str = "python3.11"
    """The runtime the function declares. Default: ``python3.11``."""
    layer_dirs: tuple[Path, ...] = ()
    """Layer folders put on ``PYTHONPATH`` after ``code_dir``. Default: none."""
    environment: Mapping[str, str] = field(default_factory=dict)
    """Environment variables of the function. Default: none."""


@dataclass(frozen=True)
class InvokeResult:
    """The outcome of one local invoke."""

    status: Status
    """``ok`` when the handler returned, ``error`` when it raised, ``timeout`` when it ran too long."""
    payload: Any
    """The handler's return value, or Lambda's error object (errorMessage, errorType, stackTrace)."""
    duration_ms: float
    """Wall-clock duration of the invoke in milliseconds."""
    max_memory_mb: float
    """Peak resident memory of the handler process in MB."""
    logs: str
    """Everything the handler printed on stdout and stderr, interleaved as it arrived."""
    memory_limit_mb: int = 0
    """The function's memory size, for the REPORT line. Default: 0 (unknown)."""
    timeout_s: float = 0.0
    """The function's timeout, for the REPORT line. Default: 0 (unknown)."""

    @property
    def exit_code(self) -> int:
        """0 when the handler returned, 1 otherwise."""
        return 0 if self.status == "ok" else 1

    def report(self) -> str:
        """A Lambda-style REPORT line."""
        line = (
            f"REPORT Status: {self.status}  Duration: {self.duration_ms:.2f} ms  "
            f"Max Memory Used: {self.max_memory_mb:.0f} MB  Memory Size: {self.memory_limit_mb} MB"
        )
        if self.status == "timeout":
            line += f"  (timed out after {self.timeout_s:g} s)"
        elif self.memory_limit_mb and self.max_memory_mb > self.memory_limit_mb:
            line += "  (over the memory size: Lambda would kill this invoke)"
        return line


def local_function(
    spec: FunctionSpec,
    code_dir: Path,
    *,
    alias: str | None = None,
    env_overrides: Mapping[str, str] | None = None,
) -> LocalFunction:
    """The :class:`LocalFunction` for a function resolved from the cloud assembly.

    Raises when an alias is unknown, the runtime is not Python, or an environment variable is
    unresolvable and not given in ``env_overrides``.
    """
    if not spec.runtime.startswith("python"):
        raise LambdaConstructsError(spec.construct_path, "local invoke runs Python handlers only", value=spec.runtime)
    version, arn = "$LATEST", spec.arn
    if alias is not None:
        target = spec.alias(alias)
        version, arn = target.version or PLACEHOLDER_VERSION, f"{spec.arn}:{alias}"
    overrides = dict(env_overrides or {})
    missing = sorted(set(spec.unresolved_environment) - set(overrides))
    environment = {**spec.environment, **{key: f"<unresolved:{key}>" for key in missing}, **overrides}
    layers = tuple(path / "python" if (path / "python").is_dir() else path for path in spec.layer_paths)
    return LocalFunction(
        handler=spec.handler,
        code_dir=code_dir,
        timeout_s=float(spec.timeout_s),
        memory_mb=spec.memory_mb,
        function_name=spec.function_name,
        function_version=version,
        invoked_arn=arn,
        region=spec.region,
        runtime=spec.runtime,
        layer_dirs=layers,
        environment=environment,
    )


@contextmanager
def code_directory(path: Path | None) -> Iterator[Path]:
    """The code asset as a directory: as is, or a ``.zip`` asset extracted to a temporary directory."""
    if path is None:
        raise LambdaConstructsError(
            "", "the function has no code asset in the assembly (inline or container image code)"
        )
    if path.is_dir():
        yield path
        return
    if path.is_file() and zipfile.is_zipfile(path):
        with tempfile.TemporaryDirectory(prefix="lambda-code-") as tmp:
            with zipfile.ZipFile(path) as archive:
                archive.extractall(tmp)
            yield Path(tmp)
        return
    raise LambdaConstructsError("", f"code asset {path} is missing", fix="run `cdk synth` again")


def _environment(function: LocalFunction, request_id: str) -> dict[str, str]:
    stream = f"2023/11/14/[{function.function_version}]{request_id.replace('-', '')}"
    python_path = [str(function.code_dir), *(str(path) for path in function.layer_dirs)]
    env = {key: os.environ[key] for key in PASSTHROUGH_ENV if key in os.environ}
    env.update(
        {
            "AWS_REGION": function.region,
            "AWS_DEFAULT_REGION": function.region,
            "AWS_EXECUTION_ENV": f"AWS_Lambda_{function.runtime}",
            "AWS_LAMBDA_FUNCTION_NAME": function.function_name,
            "AWS_LAMBDA_FUNCTION_VERSION": function.function_version,
            "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": str(function.memory_mb),
            "AWS_LAMBDA_LOG_GROUP_NAME": f"/aws/lambda/{function.function_name}",
            "AWS_LAMBDA_LOG_STREAM_NAME": stream,
            "AWS_LAMBDA_INITIALIZATION_TYPE": "on-demand",
            "LAMBDA_TASK_ROOT": str(function.code_dir),
            "LAMBDA_LOCAL_INVOKED_ARN": function.invoked_arn,
            "LAMBDA_LOCAL_REQUEST_ID": request_id,
            "LANG": "en_US.UTF-8",
            "TZ": ":UTC",
            "PYTHONUNBUFFERED": "1",
            "PYTHONDONTWRITEBYTECODE": "1",
            "PYTHONPATH": os.pathsep.join(python_path),
            "_HANDLER": function.handler,
        }
    )
    env.update(function.environment)
    return env


def _pump(source: IO[bytes], sink: TextIO | None, lines: list[str], lock: threading.Lock) -> None:
    for raw in iter(source.readline, b""):
        text = raw.decode(errors="replace")
        with lock:
            lines.append(text)
            if sink is not None:
                sink.write(text)
                sink.flush()


def invoke(
    function: LocalFunction,
    event: Any,
    *,
    stream: TextIO | None = None,
    request_id: str = "8f5d1c4e-0000-4000-8000-000000000001",
) -> InvokeResult:
    """Invoke ``function`` with ``event``; handler output goes live to ``stream`` (if given)."""
    with tempfile.TemporaryDirectory(prefix="lambda-invoke-") as tmp:
        event_file, result_file = Path(tmp, "event.json"), Path(tmp, "result.json")
        event_file.write_text(json.dumps(event))
        control_read, control_write = os.pipe()
        try:
            process = subprocess.Popen(
                [
                    *(sys.executable, "-c", _BOOTSTRAP, str(event_file), str(result_file)),
                    *(function.handler, str(control_write), str(function.timeout_s)),
                ],
                cwd=function.code_dir,
                env=_environment(function, request_id),
                stdin=subprocess.DEVNULL,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                pass_fds=(control_write,),
                start_new_session=True,
            )
        finally:
            os.close(control_write)
        lines: list[str] = []
        lock = threading.Lock()
        assert process.stdout is not None and process.stderr is not None
        pumps = [
            threading.Thread(target=_pump, args=(pipe, stream, lines, lock), daemon=True)
            for pipe in (process.stdout, process.stderr)
        ]
        for pump in pumps:
            pump.start()
        timed_out, started, wall_ms, memory_mb = _wait(process, control_read, function.timeout_s)
        os.close(control_read)
        for pump in pumps:
            pump.join(timeout=5)
        status: Status = "error"
        duration_ms = wall_ms
        if timed_out:
            status = "timeout"
            limit = function.timeout_s if started else INIT_TIMEOUT_S
            phase = "Task" if started else "Init phase"
            payload: Any = {
                "errorMessage": f"{phase} timed out after {limit:g} seconds",
                "errorType": "Sandbox.Timedout",
            }
        elif not result_file.is_file():
            payload = {
                "errorMessage": f"the runtime exited with code {process.returncode} before returning",
                "errorType": "Runtime.ExitError",
            }
        else:
            outcome = json.loads(result_file.read_text())
            status, payload, duration_ms = outcome["status"], outcome["payload"], float(outcome["duration_ms"])
            memory_mb = float(outcome["memory_mb"])
        return InvokeResult(
            status=status,
            payload=payload,
            duration_ms=duration_ms,
            max_memory_mb=memory_mb,
            logs="".join(lines),
            memory_limit_mb=function.memory_mb,
            timeout_s=function.timeout_s,
        )


def _wait(process: subprocess.Popen[bytes], control: int, timeout_s: float) -> tuple[bool, bool, float, float]:
    """Wait for the child, killing its process group at the deadline.

    Returns (timed out, handler started, ms since the handler started (or spawn), peak memory MB).
    The peak memory is the last sample of the child's ``VmHWM``; a child that finishes reports its own.
    """
    spawned = time.monotonic()
    started: float | None = None
    deadline = spawned + INIT_TIMEOUT_S
    peak_mb, sampled = 0.0, 0.0
    while True:
        # WNOWAIT leaves the exited child a zombie, so its process group id stays ours to kill.
        exited = os.waitid(os.P_PID, process.pid, os.WEXITED | os.WNOHANG | os.WNOWAIT) is not None
        now = time.monotonic()
        timed_out = not exited and now >= deadline
        if timed_out or now - sampled > 0.05:
            peak_mb, sampled = max(peak_mb, _peak_memory_mb(process.pid)), now
        if exited or timed_out:
            _kill_group(process.pid)  # on exit: leftovers the handler started in the background
            _, status, rusage = os.wait4(process.pid, 0)
            process.returncode = os.waitstatus_to_exitcode(status)
            peak_mb = peak_mb or rusage.ru_maxrss / 1024
            return timed_out, started is not None, (now - (started or spawned)) * 1000, peak_mb
        readable, _, _ = select.select([control], [], [], max(0.0, min(0.01, deadline - now)))
        if readable and started is None and os.read(control, 1):
            started = time.monotonic()
            deadline = started + timeout_s


def _peak_memory_mb(pid: int) -> float:
    """The process's resident-set high-water mark (``VmHWM``, reset by exec), 0 when unavailable."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except (OSError, ValueError):
        pass
    return 0.0


def _kill_group(pgid: int) -> None:
    with suppress(ProcessLookupError):
        os.killpg(pgid, signal.SIGKILL)
