"""Subprocess checks started as soon as collection finishes, awaited by the test that asserts on them.

A check qualifies when it needs nothing from the test session, only the working tree (e.g. ``make docs``:
a fresh interpreter that imports the package and renders every page). Started early, it runs on the
second core while the in-process tests (Python + the jsii kernel, about one core) run on the first;
the test then waits for the same command's result and asserts exactly what it would on a foreground run.
tests/conftest.py starts them (only for selected tests) and stops any left running at session end.
It also runs the tests that await a background command last (``pytest_collection_modifyitems``), so the
in-process tests overlap the commands instead of waiting for them early in the session.

``STARTERS`` maps the node id of the one test that checks a command to its starter; ``SHARED`` maps a
name to a command read by several tests (e.g. a module's fixture), started when any of them is selected.
"""

from __future__ import annotations

import contextlib
import itertools
import os
import queue
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from tests.helpers import ROOT


@dataclass
class BackgroundRun:
    """One command run in its own process group, output captured to files.

    ``queued=True``: started by the queue (at most ``QUEUE_LIMIT`` queued commands at a time; lowest
    ``priority`` first, then in order), or at once when a test asks for its result first.
    """

    argv: list[str]
    workdir: Path  # scratch folder for the command (its output, stdout.txt, stderr.txt)
    cwd: Path = ROOT
    env: dict[str, str] | None = None  # None: this process's environment
    queued: bool = False
    priority: int = 1
    proc: subprocess.Popen[bytes] | None = field(init=False, default=None)
    started: float = field(init=False, default=0.0)
    stopped: bool = field(init=False, default=False)

    def __post_init__(self) -> None:
        if self.queued:
            _QUEUE.put((self.priority, next(_ORDER), self))
        else:
            self.launch()

    def launch(self) -> None:
        """Start the command (once)."""
        with _LOCK:
            if self.proc is not None:
                return
            self.started = time.monotonic()
            with (self.workdir / "stdout.txt").open("wb") as out, (self.workdir / "stderr.txt").open("wb") as err:
                self.proc = subprocess.Popen(
                    self.argv,
                    cwd=self.cwd,
                    env=self.env,
                    stdin=subprocess.DEVNULL,
                    stdout=out,
                    stderr=err,
                    start_new_session=True,
                )

    def result(self, timeout: float) -> subprocess.CompletedProcess[str]:
        """Wait (at most ``timeout`` seconds from the start) and return the completed process."""
        self.launch()
        assert self.proc is not None
        remaining = max(0.0, timeout - (time.monotonic() - self.started))
        try:
            self.proc.wait(timeout=remaining)
        except subprocess.TimeoutExpired:
            self.stop()
            raise
        return subprocess.CompletedProcess(
            self.argv,
            self.proc.returncode,
            (self.workdir / "stdout.txt").read_text(errors="replace"),
            (self.workdir / "stderr.txt").read_text(errors="replace"),
        )

    def stop(self) -> None:
        """Kill the command's process group if it still runs (a queued command not started never will be)."""
        with _LOCK:
            self.stopped = True
            proc = self.proc
        if proc is not None and proc.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()


#: Queued commands (the shared jobs: several synths each) run at most this many at a time beside the
#: in-process tests and the other background commands: all at once would need ~0.7 GB each and thrash.
QUEUE_LIMIT = 2
_LOCK = threading.Lock()
_QUEUE: queue.PriorityQueue[tuple[int, int, BackgroundRun]] = queue.PriorityQueue()
_ORDER = itertools.count()


def _feed() -> None:
    """Start queued commands (lowest priority first, then in order), keeping at most QUEUE_LIMIT of them
    running (a daemon thread). A slot is free before the next command is taken: a later, more urgent one
    (the example-app deploy, queued when the assembly is synthesized) goes before the ones waiting."""
    running: list[BackgroundRun] = []
    while True:
        while True:
            running = [r for r in running if r.proc is not None and r.proc.poll() is None]
            if len(running) < QUEUE_LIMIT:
                break
            time.sleep(0.2)
        _, _, run = _QUEUE.get()
        with _LOCK:
            skip = run.stopped
        if not skip:
            run.launch()
            running.append(run)


threading.Thread(target=_feed, name="background-queue", daemon=True).start()


def _start(prefix: str, argv: list[str]) -> BackgroundRun:
    workdir = Path(tempfile.mkdtemp(prefix=prefix))
    return BackgroundRun([arg.replace("{workdir}", str(workdir)) for arg in argv], workdir)


def start_readme_walk() -> BackgroundRun:
    """The README's release walk (tests/unit/test_releases_readme.py) with ``bash -e`` in ``<workdir>/app``."""
    from lambda_constructs import _compat
    from tests.unit.test_releases_readme import prepare

    workdir = Path(tempfile.mkdtemp(prefix="readme-walk-"))
    (workdir / "app").mkdir()
    if not _compat.has(_compat.NAG_PLUGINS):  # the test skips (make test-floor): nothing to run
        return BackgroundRun(["true"], workdir, cwd=workdir / "app")
    walk, env = prepare(workdir / "app")
    return BackgroundRun(["bash", "-e", "-c", walk], workdir, cwd=workdir / "app", env=env)


def start_cdk_synth_without_flags() -> BackgroundRun:
    """``cdk synth`` of tests/integration/test_cli_warnings.py's app (no feature flags) in ``<workdir>/app``."""
    from tests.integration.test_cli_warnings import prepare

    workdir = Path(tempfile.mkdtemp(prefix="cli-warnings-"))
    (workdir / "app").mkdir()
    argv, env = prepare(workdir / "app")
    return BackgroundRun(argv, workdir, cwd=workdir / "app", env=env)


def start_parallel_app(*launcher: str, **env: str) -> BackgroundRun:
    """tests/fixtures/parallel_app/app.py into ``<workdir>/out``: in one process, or under the parallel
    launcher with ``launcher`` arguments (tests/integration/test_parallel_synth.py; queued)."""
    from tests.integration.test_parallel_synth import APP, PYTHON, app_env

    workdir = Path(tempfile.mkdtemp(prefix="parallel-app-"))
    out = workdir / "out"
    if launcher:
        argv = [PYTHON, "-m", "lambda_constructs.parallel", *launcher, "--output", str(out), "--", PYTHON, str(APP)]
        return BackgroundRun(argv, workdir, env=app_env(**env), queued=True)
    return BackgroundRun([PYTHON, str(APP)], workdir, env=app_env(CDK_OUTDIR=str(out), **env), queued=True)


#: Set in a child pytest that runs one offloaded test (its node id): there the test runs as written.
CHILD = "LAMBDA_CONSTRUCTS_TEST_CHILD"
#: Set in the child of a test of ``OFFLOADED_ON_EXAMPLE_ASSEMBLY``: the parent's example assembly (JSON:
#: outdir, templates by stack name, findings), which the child's ``example_assembly`` fixture reads.
EXAMPLE_ASSEMBLY = "LAMBDA_CONSTRUCTS_TEST_EXAMPLE_ASSEMBLY"


def start_pytest_child(nodeid: str, example_assembly: str | None = None) -> BackgroundRun:
    """``python -m pytest NODEID`` in a fresh process (queued): an offloaded test, run as written. The child
    of an example-assembly test goes first (it is the longest and can only start once the app is synthesized)."""
    workdir = Path(tempfile.mkdtemp(prefix="pytest-child-"))
    argv = [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-p", "no:randomly", "-rA", nodeid]
    env = {**os.environ, CHILD: nodeid}
    if example_assembly is not None:
        env[EXAMPLE_ASSEMBLY] = example_assembly
    return BackgroundRun(argv, workdir, env=env, queued=True, priority=0 if example_assembly else 1)


def start_make_docs() -> BackgroundRun:
    """``make docs`` (scripts/docs.py, as the Makefile runs it) into a fresh folder ``<workdir>/site``."""
    return _start("make-docs-", [sys.executable, "scripts/docs.py", "--out", "{workdir}/site"])


def start_external_app() -> BackgroundRun:
    """tests/integration/external_app.py: the wheel built, installed and used by a foreign app in ``<workdir>``."""
    return _start("external-app-", [sys.executable, "-m", "tests.integration.external_app", "{workdir}"])


def start_external_local_app() -> BackgroundRun:
    """tests/integration/external_local_app.py: an app outside the repo runs the ``local`` emulator flow."""
    return _start("external-local-app-", [sys.executable, "-m", "tests.integration.external_local_app", "{workdir}"])


def start_consumer_gate() -> BackgroundRun:
    """tests/integration/consumer_gate.py: the wheel in a fresh venv, a broad consumer app, every scanner."""
    return _start("consumer-gate-", [sys.executable, "-m", "tests.integration.consumer_gate", "{workdir}"])


def start_audit(outdir: Path) -> BackgroundRun:
    """scripts/audit.py (cdk-nag report, cfn-lint, checkov) over the synthesized assembly in ``outdir``."""
    return _start("audit-", [sys.executable, "scripts/audit.py", "--skip-synth", "--outdir", str(outdir)])


def start_cfn_lint(outdir: Path) -> BackgroundRun:
    """cfn-lint (no config file: reasoned ignores travel in the templates) over every template in ``outdir``."""
    templates = sorted(str(path) for path in outdir.glob("*.template.json"))
    return _start("cfn-lint-", [str(Path(sys.executable).parent / "cfn-lint"), "--format", "parseable", *templates])


def start_mypy() -> BackgroundRun:
    """mypy --strict on the package (files and flags from pyproject.toml); ≈ 95 s without a .mypy_cache."""
    return _start("mypy-", [str(Path(sys.executable).parent / "mypy")])


# Test node id -> how to start the command its test checks (after collection).
STARTERS: dict[str, Callable[[], BackgroundRun]] = {
    "tests/unit/test_lint.py::test_mypy_strict_is_clean": start_mypy,
    "tests/integration/test_make_docs.py::test_api_reference_builds": start_make_docs,
    "tests/integration/test_external_app.py::test_installed_wheel_synthesizes_in_a_foreign_app": start_external_app,
    "tests/integration/test_external_local_app.py::test_external_app_start_deploy_promote_deploy_verify_stop": (
        start_external_local_app
    ),
    "tests/integration/test_consumer_gate.py::test_consumer_app_is_clean_in_every_scanner_on_library_resources": (
        start_consumer_gate
    ),
    "tests/unit/test_releases_readme.py::test_readme_release_walk_runs_as_written": start_readme_walk,
    "tests/integration/test_cli_warnings.py::test_library_warning_without_a_jsii_program_frame": (
        start_cdk_synth_without_flags
    ),
}

# Tests run whole in a child pytest started after collection (queued), because their time is spent in
# subprocesses (the emulator, the CDK CLI, many CLI processes) and their fixtures are cheap (tmp_path ...):
# in the session the test awaits its child and passes, fails or skips as the child did (conftest.py,
# pytest_pyfunc_call). Longest first: the queue starts them in this order.
OFFLOADED: tuple[str, ...] = (
    "tests/integration/test_deploy_example.py::test_example_app_deploys_to_a_fresh_target_with_every_aws_rule_enforced",
    "tests/integration/test_local_promotion.py::test_three_states_deployed_as_updates",
    "tests/unit/test_service.py::test_600_functions_fit_every_template_and_601_moves_none",
    "tests/integration/test_emulator.py::test_deploy_verify_invoke_sample_app",
    "tests/integration/test_local_cli.py::test_start_unknown_stack_stop",
    "tests/integration/test_parallel_synth.py::test_the_cdk_cli_synthesizes_through_the_launcher_and_deploys_the_merge",
    "tests/unit/test_releases_storage.py::test_twenty_concurrent_commands_keep_every_change",
    "tests/unit/test_nag_metadata.py::test_importing_cdk_nag_late_writes_them_before_anything_reads_them",
    "tests/unit/test_post_import.py::test_assertions_imported_after_the_functions_still_get_the_synth_boundary",
)


@dataclass(frozen=True)
class SharedJob:
    """A command several tests read (tests/conftest.py: ``shared_run(name)``)."""

    users: tuple[str, ...]  # node ids of the tests that read it (a parametrized test: without "[...]")
    start: Callable[[], BackgroundRun]


_PARALLEL = "tests/integration/test_parallel_synth.py::"
_ASSEMBLY_USERS = tuple(
    _PARALLEL + name
    for name in (
        "test_the_merged_assembly_holds_the_same_files_as_one_process_writes",
        "test_each_stack_template_is_the_asset_its_manifest_names",
        "test_the_merged_parent_holds_every_shard_and_passes_the_packs",
        "test_the_pack_report_is_rebuilt_from_the_merged_assembly",
    )
)

# Name -> a command read by several tests, started after collection when one of them is selected.
SHARED: dict[str, SharedJob] = {
    "parallel-serial": SharedJob(_ASSEMBLY_USERS, lambda: start_parallel_app(NAG="1", PACK_REPORT="1")),
    "parallel-3-workers": SharedJob(
        _ASSEMBLY_USERS, lambda: start_parallel_app("--workers", "3", NAG="1", PACK_REPORT="1")
    ),
    "parallel-stage-serial": SharedJob(
        (_PARALLEL + "test_the_stacks_of_a_stage_are_merged_in_their_own_assembly",),
        lambda: start_parallel_app(STAGE="1"),
    ),
    "parallel-stage-2-workers": SharedJob(
        (_PARALLEL + "test_the_stacks_of_a_stage_are_merged_in_their_own_assembly",),
        lambda: start_parallel_app("--workers", "2", STAGE="1"),
    ),
    "parallel-worker-dependent-output": SharedJob(
        (_PARALLEL + "test_an_output_that_depends_on_the_worker_fails_the_merge",),
        lambda: start_parallel_app("--workers", "2", WORKER_DEPENDENT_OUTPUT="1"),
    ),
    "parallel-failing-worker": SharedJob(
        (_PARALLEL + "test_a_failing_worker_fails_the_launcher_with_its_code_and_output",),
        lambda: start_parallel_app("--workers", "2", FAIL_WORKER="1"),
    ),
}

# Offloaded tests that read the session's example assembly: their child pytest starts when the assembly is
# synthesized and reads it (EXAMPLE_ASSEMBLY) instead of synthesizing the app again.
OFFLOADED_ON_EXAMPLE_ASSEMBLY: tuple[str, ...] = (
    "tests/integration/test_deploy_example.py::test_example_app_deploys_verifies_and_answers",
)

# Test node id -> how to start the command its test checks on the session's example assembly (started
# by the example_assembly fixture as soon as the app is synthesized).
ON_EXAMPLE_ASSEMBLY: dict[str, Callable[[Path], BackgroundRun]] = {
    "tests/unit/test_audit.py::test_audit_has_no_unacknowledged_findings": start_audit,
    "tests/unit/test_example_app.py::test_cfn_lint_has_no_errors_or_unreviewed_warnings": start_cfn_lint,
}
