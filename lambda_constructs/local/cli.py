"""``python -m lambda_constructs local start|deploy|verify|stop``: the emulator for any CDK app folder.

``start`` launches the emulator on 127.0.0.1 (a free port unless ``--port``), writes ``DIR/endpoint``
and ``DIR/pid`` and returns; ``deploy`` bootstraps if needed and runs the real ``cdk deploy`` (create or
update) against it; ``verify`` compares the deployed state with the cloud assembly; ``stop`` stops it
by its pid, and is idempotent: with no emulator running it says so and exits 0. ``DIR`` is ``--state-dir``
(default ``.lambda-constructs/local``), so emulators can run side by side. Bad input (no running emulator
for ``deploy``/``verify``, an emulator already running for ``start``, a stale pid file, an unknown stack, no
CDK CLI, a port in use, moto not installed) is one line on stderr with the fix and exit code 2; nothing is
left running.
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

EXIT_BAD_INPUT = 2
STATE_DIR = Path(".lambda-constructs") / "local"


class UsageProblem(Exception):  # noqa: N818 - a message for the user, not an error of the program
    """Bad input: printed as one line (with the fix), exit code 2."""


class NotRunning(UsageProblem):
    """No emulator runs for a state folder (stale state files were removed): bad input for ``deploy`` and
    ``verify`` (exit code 2), nothing to do for ``stop`` (exit code 0)."""

    def __init__(self, directory: Path, reason: str) -> None:
        self.directory = directory
        """The state folder (``--state-dir``)."""
        self.reason = reason
        """Why no emulator runs (``no running emulator in DIR``, ``stale pid file ...: removed it``)."""
        super().__init__(f"{reason}; run `python -m lambda_constructs local start --state-dir {directory}`")


@dataclass(frozen=True)
class State:
    """What ``start`` wrote into the state folder."""

    directory: Path
    """The state folder (``--state-dir``)."""
    pid: int
    """Process id of the emulator (leader of its process group)."""
    endpoint: str
    """Endpoint URL, ``http://localhost:PORT``."""

    @property
    def port(self) -> int:
        """The emulator's TCP port (from the endpoint URL)."""
        return int(self.endpoint.rsplit(":", 1)[1].rstrip("/"))


def _require_moto() -> None:
    if importlib.util.find_spec("moto") is None or importlib.util.find_spec("boto3") is None:
        raise UsageProblem("the local emulator needs moto and boto3: pip install 'lambda-constructs[local]'")


def _files(directory: Path) -> tuple[Path, Path]:
    return directory / "pid", directory / "endpoint"


def read_state(directory: Path) -> State:
    """The running emulator of ``directory``; :class:`NotRunning` if none or its pid is stale (then the
    stale files are removed)."""
    from lambda_constructs.local.server import pid_alive

    pid_file, endpoint_file = _files(directory)
    if not pid_file.exists():
        raise NotRunning(directory, f"no running emulator in {directory}")
    try:
        pid = int(pid_file.read_text().strip())
        endpoint = endpoint_file.read_text().strip()
    except (OSError, ValueError) as exc:
        _clear(directory)
        raise NotRunning(directory, f"unreadable state in {directory} ({exc}): removed it") from exc
    if not pid_alive(pid):
        _clear(directory)
        raise NotRunning(directory, f"stale pid file {pid_file} (process {pid} is not running): removed it")
    if not _is_emulator(pid):
        # The pid was reused (a reboot, a long-lived state folder): `stop` would kill another process group.
        _clear(directory)
        raise NotRunning(
            directory,
            f"stale pid file {pid_file} (process {pid} is not the emulator: its pid was reused): removed it",
        )
    return State(directory, pid, endpoint)


def _is_emulator(pid: int) -> bool:
    """False when ``/proc`` shows that ``pid`` runs something other than the emulator's launcher; True
    when it does, or when there is no ``/proc`` to ask (then the pid is trusted, as before)."""
    try:
        cmdline = Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return True
    return _LAUNCHER.encode() in cmdline.split(b"\0")


_LAUNCHER = "lambda_constructs.local.launch"
"""The module ``server.start`` runs (``python -m lambda_constructs.local.launch``)."""


def _clear(directory: Path) -> None:
    for path in _files(directory):
        path.unlink(missing_ok=True)


def _emulator(state: State) -> Any:
    from lambda_constructs.local.server import Emulator

    return Emulator(port=state.port, pid=state.pid, log_path=state.directory / f"moto-{state.port}.log")


def cmd_start(args: argparse.Namespace) -> int:
    """Start the emulator and return; print its endpoint URL."""
    _require_moto()
    from lambda_constructs.local import rules
    from lambda_constructs.local.server import EmulatorError, port_in_use, start

    directory: Path = args.state_dir
    try:
        running = read_state(directory)
    except NotRunning:
        running = None
    if running is not None:
        raise UsageProblem(
            f"an emulator is already running for {directory} (pid {running.pid}, {running.endpoint}): "
            "use it, or `local stop` first, or pass another --state-dir"
        )
    unknown = sorted(set(args.lenient) - set(rules.RULES))
    if unknown:
        raise UsageProblem(f"unknown rule(s) {', '.join(unknown)} for --lenient: choose from {', '.join(rules.RULES)}")
    if args.port is not None and not 1 <= args.port <= 65535:
        raise UsageProblem(f"--port {args.port} is not a TCP port: pass 1-65535, or none to pick a free one")
    if args.port is not None and port_in_use(args.port):
        raise UsageProblem(f"port {args.port} on 127.0.0.1 is in use: pass another --port, or none to pick a free one")
    try:
        directory.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise UsageProblem(
            f"cannot use {directory} as the state folder ({exc.strerror or exc}): pass a folder with --state-dir"
        ) from exc
    try:
        emulator, proc = start(port=args.port, log_dir=directory, lenient=args.lenient)
    except EmulatorError as exc:
        first = str(exc).splitlines()[0]
        raise UsageProblem(f"the emulator did not start ({first}): see {directory} for its log") from exc
    pid_file, endpoint_file = _files(directory)
    pid_file.write_text(f"{proc.pid}\n")
    endpoint_file.write_text(f"{emulator.endpoint}\n")
    print(emulator.endpoint)
    print(f"pid {proc.pid}, state {directory}, log {emulator.log_path}", file=sys.stderr)
    return 0


def _check_stacks(cdk_out: Path, wanted: list[str]) -> None:
    from lambda_constructs.local.verify import load_stacks

    names = [s.name for s in load_stacks(cdk_out)]
    unknown = [w for w in wanted if w not in names and not any(w.endswith("*") and n.startswith(w[:-1]) for n in names)]
    if unknown:
        raise UsageProblem(f"unknown stack {', '.join(unknown)} in {cdk_out}: choose from {', '.join(names)}")


def _assembly(cdk_out: Path) -> Path:
    cdk_out = cdk_out.resolve()
    if not (cdk_out / "manifest.json").exists():
        raise UsageProblem(f"no cloud assembly at {cdk_out}: run `cdk synth` (or pass --cdk-out)")
    from lambda_constructs.local.verify import load_stacks

    try:  # a truncated or incomplete assembly (an interrupted synth) was a traceback in deploy and verify
        load_stacks(cdk_out)
    except (OSError, ValueError, KeyError, TypeError, AttributeError) as exc:
        raise UsageProblem(
            f"cannot read the cloud assembly at {cdk_out} ({type(exc).__name__}: {exc}): run `cdk synth` again"
        ) from exc
    return cdk_out


#: Folders of the app folder that hold no source of the app (or a cloud assembly: any with a manifest.json).
_NOT_SOURCES = frozenset({"node_modules", "__pycache__", "site-packages", "venv"})
_SCAN_LIMIT = 20_000  # files looked at, at most: a huge folder is not worth a slow deploy start


def _newer_source(cdk_out: Path) -> Path | None:
    """A source of the app (a ``*.py`` file, ``cdk.json`` or a release file ``*releases.json`` in
    ``cdk_out``'s parent folder or below) changed after the assembly was synthesized, else None.

    Skipped: hidden folders (``.venv``, ``.git``), ``venv``, ``node_modules``, ``__pycache__`` and cloud assemblies
    (folders holding a ``manifest.json``, e.g. ``cdk.out.local``). Times are the files' modification times.
    """
    synthesized = (cdk_out / "manifest.json").stat().st_mtime
    newest: tuple[float, Path] | None = None
    seen = 0
    for folder, dirs, files in os.walk(cdk_out.parent):
        here = Path(folder)
        dirs[:] = [
            d
            for d in dirs
            if not d.startswith(".") and d not in _NOT_SOURCES and not (here / d / "manifest.json").exists()
        ]
        for name in files:
            seen += 1
            if seen > _SCAN_LIMIT:
                return newest[1] if newest else None
            if name.endswith((".py", "releases.json")) or name == "cdk.json":
                try:
                    changed = (here / name).stat().st_mtime
                except OSError:
                    continue
                if changed > synthesized and (newest is None or changed > newest[0]):
                    newest = (changed, here / name)
    return newest[1] if newest else None


def _warn_if_stale(cdk_out: Path) -> None:
    """One line on stderr when a source of the app changed after ``cdk_out`` was synthesized."""
    newer = _newer_source(cdk_out)
    if newer is not None:
        print(
            f"warning: {newer.relative_to(cdk_out.parent)} changed after the cloud assembly {cdk_out} was synthesized: "
            "this deploys the "
            "assembly as it is; run `cdk synth` again to deploy the change",
            file=sys.stderr,
            flush=True,
        )


def _progress(line: str) -> None:
    text = line.strip()
    if any(mark in text for mark in ("✅", "❌", "(no changes)", "_FAILED", "Deployment time")):
        print(text, flush=True)


def cmd_deploy(args: argparse.Namespace) -> int:
    """Bootstrap if needed, then ``cdk deploy`` (create or update) into the running emulator."""
    _require_moto()
    from lambda_constructs.local import deploy
    from lambda_constructs.local.server import EmulatorError

    state = read_state(args.state_dir)
    cdk_out = _assembly(args.cdk_out)
    _warn_if_stale(cdk_out)
    _check_stacks(cdk_out, list(args.stacks))
    try:
        deploy.cdk_executable(cdk_out.parent)
    except EmulatorError as exc:
        raise UsageProblem(str(exc)) from exc
    emulator = _emulator(state)
    log_path = state.directory / "deploy.log"
    try:
        if not deploy.is_bootstrapped(emulator):
            seconds = deploy.bootstrap(emulator, cdk_out, log_path=log_path)
            print(f"bootstrapped in {seconds:.1f}s", flush=True)
        seconds = deploy.deploy(emulator, cdk_out, log_path=log_path, stacks=list(args.stacks), echo=_progress)
    except EmulatorError as exc:
        print(f"deploy failed: {str(exc).splitlines()[0]}", file=sys.stderr)
        return 1
    print(f"deployed in {seconds:.1f}s (log {log_path})")
    return 0


def cmd_verify(args: argparse.Namespace) -> int:
    """Compare the deployed state with the assembly; exit 1 on any mismatch."""
    _require_moto()
    from lambda_constructs.local import verify

    state = read_state(args.state_dir)
    cdk_out = _assembly(args.cdk_out)
    report = verify.verify_report(_emulator(state), cdk_out)
    for finding in report.findings:
        print(f"- {finding}")
    print(report.summary())
    return 1 if report.findings else 0


def cmd_stop(args: argparse.Namespace) -> int:
    """Stop the emulator by its pid; nothing is left listening on its port.

    Idempotent, as ``docker stop`` and ``systemctl stop`` are: when no emulator runs (never started, already
    stopped, a stale pid file, which is removed) it prints so and returns 0. Returns 1 when the process does
    not stop (its pid file is kept, so ``stop`` can be run again)."""
    from lambda_constructs.local.server import port_in_use, stop_pid

    try:
        state = read_state(args.state_dir)
    except NotRunning as exc:
        print(f"nothing to stop: {exc.reason}")
        return 0
    if not stop_pid(state.pid):
        print(
            f"error: process {state.pid} did not stop (SIGTERM, then SIGKILL): pid file {state.directory / 'pid'} kept",
            file=sys.stderr,
        )
        return 1
    _clear(state.directory)
    deadline = time.monotonic() + 5
    while port_in_use(state.port) and time.monotonic() < deadline:
        time.sleep(0.05)
    print(f"stopped (pid {state.pid}, {state.endpoint})")
    return 0


def _common(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--state-dir",
        type=Path,
        default=STATE_DIR,
        metavar="DIR",
        help=f"the emulator's state folder: endpoint, pid, logs (default {STATE_DIR})",
    )


def register(subparsers: Any) -> None:
    """Add the ``local`` command with its ``start``, ``deploy``, ``verify`` and ``stop`` sub-commands."""
    parser = subparsers.add_parser(
        "local",
        help="a local AWS emulator for this CDK app: start, deploy (create or update), verify, stop",
        description=__doc__.split("\n\n")[1] if __doc__ else None,
    )
    commands = parser.add_subparsers(dest="local_command", required=True, metavar="ACTION")
    start = commands.add_parser("start", help="start the emulator on 127.0.0.1 and print its endpoint URL")
    _common(start)
    start.add_argument("--port", type=int, default=None, help="TCP port (default: a free one)")
    start.add_argument(
        "--lenient",
        action="append",
        default=[],
        metavar="RULE",
        help="do not enforce this AWS rule (repeatable): " + ", ".join(_rule_names()),
    )
    start.set_defaults(func=_guard(cmd_start))
    deploy = commands.add_parser("deploy", help="cdk deploy (create or update) into the running emulator")
    _common(deploy)
    deploy.add_argument("--cdk-out", type=Path, default=Path("cdk.out"), help="the synthesized assembly")
    deploy.add_argument("stacks", nargs="*", metavar="STACK", help="stacks to deploy (default: all)")
    deploy.set_defaults(func=_guard(cmd_deploy))
    verify = commands.add_parser("verify", help="compare the deployed state with the assembly")
    _common(verify)
    verify.add_argument("--cdk-out", type=Path, default=Path("cdk.out"), help="the synthesized assembly")
    verify.set_defaults(func=_guard(cmd_verify))
    stop = commands.add_parser("stop", help="stop the emulator by its pid")
    _common(stop)
    stop.set_defaults(func=_guard(cmd_stop))


def _rule_names() -> list[str]:
    # rules.py imports no moto: safe without the [local] extra.
    from lambda_constructs.local.rules import RULES

    return list(RULES)


def _guard(command: Any) -> Any:
    def run(args: argparse.Namespace) -> int:
        try:
            code: int = command(args)
        except UsageProblem as exc:
            print(f"error: {exc}", file=sys.stderr)
            return EXIT_BAD_INPUT
        return code

    return run


def main(argv: list[str] | None = None) -> int:
    """``python -m lambda_constructs.local.cli ACTION ...`` (same as ``python -m lambda_constructs local``)."""
    parser = argparse.ArgumentParser(prog="python -m lambda_constructs")
    register(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(argv)
    code: int = args.func(args)
    return code


if __name__ == "__main__":
    sys.exit(main(["local", *sys.argv[1:]]))
