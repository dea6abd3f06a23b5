"""``python -m lambda_constructs local``: bad input is one line with the fix, exit code 2, nothing left running."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from lambda_constructs.__main__ import main as cli
from lambda_constructs.local import cli as local_cli
from lambda_constructs.local import deploy, server
from lambda_constructs.local.cli import _LAUNCHER
from lambda_constructs.local.server import EmulatorError, pid_alive, port_in_use, wait_gone

pytestmark = pytest.mark.integration


Local = Callable[..., "subprocess.CompletedProcess[str]"]


@pytest.fixture()
def local(capsys: pytest.CaptureFixture[str]) -> Local:
    """``python -m lambda_constructs local ARGV`` in this process (the entry point's ``main``), from ``cwd``."""

    def run(*argv: str, cwd: Path) -> subprocess.CompletedProcess[str]:
        capsys.readouterr()
        before = Path.cwd()
        os.chdir(cwd)
        try:
            code = cli(["local", *argv])
        finally:
            os.chdir(before)
        out, err = capsys.readouterr()
        return subprocess.CompletedProcess(["local", *argv], code, out, err)

    return run


def one_line_error(done: subprocess.CompletedProcess[str], *needles: str) -> None:
    assert done.returncode == 2, done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), done.stderr
    for needle in needles:
        assert needle in lines[0], lines[0]


def _launchers(state: Path) -> list[int]:
    """PIDs of emulator launchers whose working directory is ``state``."""
    found = []
    for proc in Path("/proc").glob("[0-9]*"):
        try:
            cmdline = (proc / "cmdline").read_bytes()
            cwd = os.readlink(proc / "cwd")
        except OSError:
            continue
        if b"lambda_constructs.local.launch" in cmdline and cwd == str(state.resolve()):
            found.append(int(proc.name))
    return found


def test_commands_without_a_running_emulator(tmp_path: Path, local: Local) -> None:
    state = tmp_path / "state"
    one_line_error(local("deploy", "--state-dir", str(state), cwd=tmp_path), "no running emulator", "local start")
    one_line_error(local("verify", "--state-dir", str(state), cwd=tmp_path), "no running emulator")
    for _ in range(2):  # idempotent, as `docker stop` / `systemctl stop`: was exit 2 "no running emulator"
        stopped = local("stop", "--state-dir", str(state), cwd=tmp_path)
        assert (stopped.returncode, stopped.stderr) == (0, ""), stopped.stderr
        assert stopped.stdout == f"nothing to stop: no running emulator in {state}\n"


def test_a_stale_pid_file_is_reported_and_removed(tmp_path: Path, local: Local) -> None:
    state = tmp_path / "state"
    state.mkdir()
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    (state / "pid").write_text(f"{dead.pid}\n")
    (state / "endpoint").write_text("http://localhost:1\n")
    one_line_error(local("deploy", "--state-dir", str(state), cwd=tmp_path), "stale pid file", "local start")
    assert not (state / "pid").exists() and not (state / "endpoint").exists()
    (state / "pid").write_text(f"{dead.pid}\n")
    (state / "endpoint").write_text("http://localhost:1\n")
    stopped = local("stop", "--state-dir", str(state), cwd=tmp_path)  # nothing runs: exit 0, files removed
    assert stopped.returncode == 0 and stopped.stderr == "", stopped.stderr
    assert stopped.stdout.startswith("nothing to stop: stale pid file") and "removed it" in stopped.stdout
    assert not (state / "pid").exists() and not (state / "endpoint").exists()


def test_a_reused_pid_is_stale_and_its_process_is_left_alone(tmp_path: Path, local: Local) -> None:
    """A pid file whose pid now runs another program (reboot, reuse): ``stop`` killed that program's
    process group; now it is a stale pid file, removed, and the process keeps running. No emulator was
    running, so ``stop`` has nothing to do (exit 0); ``deploy`` is refused (exit 2)."""
    state = tmp_path / "state"
    state.mkdir()
    other = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"], start_new_session=True)
    try:
        (state / "pid").write_text(f"{other.pid}\n")
        (state / "endpoint").write_text("http://localhost:1\n")
        done = local("stop", "--state-dir", str(state), cwd=tmp_path)
        assert done.returncode == 0 and done.stderr == "", done.stderr
        assert done.stdout.startswith("nothing to stop: stale pid file") and "not the emulator" in done.stdout
        assert other.poll() is None and pid_alive(other.pid)
        assert not (state / "pid").exists() and not (state / "endpoint").exists()
        (state / "pid").write_text(f"{other.pid}\n")
        (state / "endpoint").write_text("http://localhost:1\n")
        one_line_error(local("deploy", "--state-dir", str(state), cwd=tmp_path), "not the emulator", "local start")
        assert other.poll() is None and not (state / "pid").exists()
    finally:
        other.kill()
        other.wait()
    assert _LAUNCHER in server._launch_command(1)


def test_an_emulator_that_does_not_stop_is_a_failure(
    tmp_path: Path, local: Local, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The one real failure of ``stop``: the emulator's process survives SIGTERM and SIGKILL (uninterruptible
    sleep, another user's process). Exit 1 with one error line; the pid file stays for the next ``stop``."""
    state = tmp_path / "state"
    state.mkdir()
    # A live process whose command line names the launcher, as the emulator's does.
    emulator = subprocess.Popen(
        [sys.executable, "-c", "import time; time.sleep(60)", _LAUNCHER], start_new_session=True
    )
    tried: list[int] = []
    monkeypatch.setattr(server, "stop_pid", lambda pid, grace=5.0: tried.append(pid) is not None)
    try:
        (state / "pid").write_text(f"{emulator.pid}\n")
        (state / "endpoint").write_text("http://localhost:1\n")
        done = local("stop", "--state-dir", str(state), cwd=tmp_path)
        assert tried == [emulator.pid]
        assert done.returncode == 1 and done.stdout == "", done.stdout
        (line,) = done.stderr.strip().splitlines()
        assert line.startswith(f"error: process {emulator.pid} did not stop") and "kept" in line, line
        assert (state / "pid").read_text() == f"{emulator.pid}\n"
    finally:
        emulator.kill()
        emulator.wait()


def test_a_port_in_use_starts_nothing(tmp_path: Path, local: Local) -> None:
    state = tmp_path / "state"
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen(1)
        port = busy.getsockname()[1]
        one_line_error(local("start", "--port", str(port), "--state-dir", str(state), cwd=tmp_path), f"port {port}")
    assert not (state / "pid").exists()
    assert _launchers(state) == []


@pytest.mark.parametrize("port", ["99999", "0", "-1"])
def test_a_port_out_of_range_is_refused(tmp_path: Path, local: Local, port: str) -> None:
    """Was an OverflowError traceback from socket.bind for 99999."""
    state = tmp_path / "state"
    one_line_error(local("start", "--port", port, "--state-dir", str(state), cwd=tmp_path), f"--port {port}", "1-65535")
    assert not (state / "pid").exists()


def test_a_state_dir_that_is_a_file_is_refused(tmp_path: Path, local: Local) -> None:
    """Was a FileExistsError traceback from mkdir."""
    state = tmp_path / "releases.json"
    state.write_text("{}")
    one_line_error(local("start", "--state-dir", str(state), cwd=tmp_path), "cannot use", "state folder", "--state-dir")
    assert state.read_text() == "{}"


MANIFEST = {
    "version": "48.0.0",
    "artifacts": {"Shop": {"type": "aws:cloudformation:stack", "properties": {"templateFile": "Shop.template.json"}}},
}


@pytest.mark.parametrize(
    ("manifest", "template"),
    [
        ('{"version": "48.0.0", "artifacts": {"Shop": {"type": "aws:cloudfor', None),  # truncated manifest
        (json.dumps(MANIFEST), None),  # its template is missing
        (json.dumps(MANIFEST), '{"Resources": {"Fn'),  # truncated template
    ],
)
def test_a_truncated_assembly_is_refused(tmp_path: Path, manifest: str, template: str | None) -> None:
    """An interrupted ``cdk synth``: ``local deploy``/``verify`` check the assembly with ``_assembly`` (was a
    JSONDecodeError / FileNotFoundError traceback from the running emulator's deploy or verify)."""
    cdk_out = tmp_path / "cdk.out"
    cdk_out.mkdir()
    (cdk_out / "manifest.json").write_text(manifest)
    if template is not None:
        (cdk_out / "Shop.template.json").write_text(template)
    with pytest.raises(local_cli.UsageProblem, match=r"cannot read the cloud assembly .*run `cdk synth` again"):
        local_cli._assembly(cdk_out)


def test_an_unknown_lenient_rule_is_refused(tmp_path: Path, local: Local) -> None:
    done = local("start", "--lenient", "no-such-rule", "--state-dir", str(tmp_path / "s"), cwd=tmp_path)
    one_line_error(done, "no-such-rule", "version-unchanged")


def test_start_unknown_stack_stop(tmp_path: Path, local: Local) -> None:
    state = tmp_path / "state"
    out = tmp_path / "cdk.out"
    out.mkdir()
    (out / "App.template.json").write_text(json.dumps({"Resources": {}}))
    manifest = {
        "version": "48.0.0",
        "artifacts": {"App": {"type": "aws:cloudformation:stack", "properties": {"templateFile": "App.template.json"}}},
    }
    (out / "manifest.json").write_text(json.dumps(manifest))
    started = local("start", "--state-dir", str(state), cwd=tmp_path)
    assert started.returncode == 0, started.stderr
    endpoint = started.stdout.strip()
    assert endpoint == (state / "endpoint").read_text().strip() and endpoint.startswith("http://localhost:")
    pid = int((state / "pid").read_text())
    port = int(endpoint.rsplit(":", 1)[1])
    try:
        assert pid_alive(pid) and port_in_use(port)
        one_line_error(local("start", "--state-dir", str(state), cwd=tmp_path), "already running", "local stop")
        one_line_error(local("deploy", "Nope", "--state-dir", str(state), cwd=tmp_path), "unknown stack Nope", "App")
        one_line_error(
            local("deploy", "--cdk-out", "missing", "--state-dir", str(state), cwd=tmp_path), "run `cdk synth`"
        )
        # A release file edited after the synth (a `promote` without `cdk synth`): one warning line first.
        (tmp_path / "releases.json").write_text('{"format": 1, "functions": {}}\n')
        synthesized = (out / "manifest.json").stat().st_mtime
        os.utime(tmp_path / "releases.json", (synthesized + 5, synthesized + 5))
        stale = local("deploy", "Nope", "--state-dir", str(state), cwd=tmp_path)
        warning, error = stale.stderr.strip().splitlines()
        assert warning.startswith("warning: releases.json changed after the cloud assembly"), warning
        assert "run `cdk synth` again" in warning and error.startswith("error: unknown stack Nope"), error
    finally:
        stopped = local("stop", "--state-dir", str(state), cwd=tmp_path)
    assert stopped.returncode == 0, stopped.stderr
    assert stopped.stdout == f"stopped (pid {pid}, {endpoint})\n"
    assert wait_gone(pid) and not port_in_use(port)
    assert _launchers(state) == [] and not (state / "pid").exists()
    again = local("stop", "--state-dir", str(state), cwd=tmp_path)  # was exit 2 "no running emulator"
    assert (again.returncode, again.stderr) == (0, ""), again.stderr
    assert again.stdout == f"nothing to stop: no running emulator in {state}\n"


def test_an_assembly_older_than_a_source_of_the_app_is_found(tmp_path: Path) -> None:
    """``local deploy`` warns (one line) when a ``*.py``, ``cdk.json`` or release file of the app folder
    changed after the synth; other files, hidden folders, node_modules and other assemblies do not count."""
    out = tmp_path / "cdk.out"
    out.mkdir()
    (out / "manifest.json").write_text("{}")
    synthesized = (out / "manifest.json").stat().st_mtime

    def touch(relative: str, offset: float) -> Path:
        path = tmp_path / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("x")
        os.utime(path, (synthesized + offset, synthesized + offset))
        return path

    touch("app.py", -60)
    touch("README.md", 60)
    touch(".venv/lib/site.py", 60)
    touch("node_modules/x/y.py", 60)
    touch("cdk.out.local/handler.py", 60)
    (tmp_path / "cdk.out.local" / "manifest.json").write_text("{}")
    touch("cdk.out/asset.abc/index.py", 60)
    assert local_cli._newer_source(out) is None
    touch("stacks/service.py", 30)
    assert local_cli._newer_source(out) == tmp_path / "stacks" / "service.py"
    touch("docs/shop-releases.json", 40)
    assert local_cli._newer_source(out) == tmp_path / "docs" / "shop-releases.json"
    touch("cdk.json", 50)
    assert local_cli._newer_source(out) == tmp_path / "cdk.json"


def test_no_cdk_cli_is_one_error_with_the_fix(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))
    monkeypatch.setattr(deploy, "PACKAGE_PARENT", tmp_path)
    with pytest.raises(EmulatorError, match="npm install aws-cdk"):
        deploy.cdk_executable(tmp_path)
