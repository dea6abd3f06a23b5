"""Session-wide fixtures: the example app is synthesized once per test session."""

from __future__ import annotations

import contextlib
import functools
import json
import os
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tests import oracles
from tests.background import (
    CHILD,
    EXAMPLE_ASSEMBLY,
    OFFLOADED,
    OFFLOADED_ON_EXAMPLE_ASSEMBLY,
    ON_EXAMPLE_ASSEMBLY,
    SHARED,
    STARTERS,
    BackgroundRun,
    SharedJob,
    start_pytest_child,
)
from tests.helpers import nag_findings, new_app
from tests.oracles.intrinsics import exports_of

# cdk-nag loaded for the whole session, when installed (the floor job has none): the library writes every
# function's cdk-nag acknowledgement metadata at once when it is (lambda_constructs/nag_metadata.py), so no
# test depends on whether an earlier one loaded it. tests/unit/test_nag_metadata.py patches the check.
with contextlib.suppress(ImportError):
    import cdk_nag  # noqa: F401

_BACKGROUND: dict[str, BackgroundRun] = {}
_SELECTED: set[str] = set()  # node ids of the tests this session runs


def _record_synthesized_templates() -> None:
    """Every template a test synthesizes goes to the oracles (tests/oracles): wrap the three ways tests
    synthesize. ``App.synth`` is wrapped apart from ``Stage.synth``: the bindings of recent aws-cdk-lib
    (2.275) generate it on ``App`` itself, so ``app.synth()`` does not go through ``Stage.synth``.

    The library wraps the same entry points (lambda_constructs/errors.py, ``install_synth_boundary``) and
    skips one that carries its ``__lambda_constructs_guarded__`` mark: ``functools.wraps`` copies the mark
    onto these wrappers, so whichever wraps first, each entry point is wrapped once by each (the library's
    checks run once a synthesis). A template is checked once: :func:`oracles.record` drops repeats.
    """
    import aws_cdk as cdk
    from aws_cdk import assertions

    from_stack = assertions.Template.from_stack

    @functools.wraps(from_stack)
    def recording_from_stack(stack: cdk.Stack, *args: Any, **kwargs: Any) -> assertions.Template:
        template = from_stack(stack, *args, **kwargs)
        body = dict(template.to_json())
        oracles.record(body, stack.stack_name, _assembly_exports(stack) if _imports(body) else None)
        return template

    def recording(synth: Any) -> Any:
        @functools.wraps(synth)
        def recording_synth(self: cdk.Stage, *args: Any, **kwargs: Any) -> Any:
            assembly = synth(self, *args, **kwargs)
            stacks = assembly.stacks_recursively
            exports = exports_of((stack.stack_name, stack.template) for stack in stacks)
            for stack in stacks:
                oracles.record(stack.template, stack.stack_name, exports)
            return assembly

        return recording_synth

    assertions.Template.from_stack = staticmethod(recording_from_stack)  # type: ignore[method-assign]
    cdk.Stage.synth = recording(cdk.Stage.synth)  # type: ignore[method-assign]
    if "synth" in vars(cdk.App):  # aws-cdk-lib 2.275; on the floor (2.220) App inherits Stage.synth
        cdk.App.synth = recording(cdk.App.synth)  # type: ignore[method-assign]


def _imports(template: dict[str, Any]) -> bool:
    text = json.dumps(template)
    return '"Fn::ImportValue"' in text or '"Fn::GetStackOutput"' in text


def _assembly_exports(stack: Any) -> dict[str, str]:
    """What the stacks ``Template.from_stack`` wrote beside ``stack`` export (the manifest of its stage's
    assembly directory: a stack references only stacks of its own stage)."""
    import aws_cdk as cdk

    stage = cdk.Stage.of(stack)
    manifest = Path(stage.outdir) / "manifest.json" if stage is not None else None
    if manifest is None or not manifest.is_file():
        return {}
    stacks = []
    for artifact_id, artifact in json.loads(manifest.read_text()).get("artifacts", {}).items():
        props = artifact.get("properties", {})
        if artifact.get("type") == "aws:cloudformation:stack" and (manifest.parent / props["templateFile"]).is_file():
            template = json.loads((manifest.parent / props["templateFile"]).read_text())
            stacks.append((props.get("stackName", artifact_id), template))
    return exports_of(stacks)


_record_synthesized_templates()


def _record_written_assemblies(root: Path) -> None:
    """Queue for the oracles every template of every cloud assembly under ``root`` (what a CDK CLI, an
    ``app.py`` or a worker process synthesized there; in-process synths are recorded by the wrappers)."""
    from lambda_constructs.assembly import AssemblyError, read_stacks

    for manifest in sorted(root.rglob("manifest.json")):
        try:
            templates = [
                (stack.stack_name, part.template) for stack in read_stacks(manifest.parent) for part in stack.parts
            ]
        except (AssemblyError, OSError, ValueError, KeyError, TypeError):
            continue  # not a whole assembly: tests write truncated and hand-made ones on purpose
        exports = exports_of(templates)
        for name, template in templates:
            oracles.record(dict(template), name, exports)


@pytest.fixture(scope="session", autouse=True)
def aws_oracles_on_every_written_assembly(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """At the end of the session: the oracles over every cloud assembly under the session's temporary
    folders (module- and session-scoped fixtures' included) and the background commands' folders; what
    a test's own ``tmp_path`` held was checked after that test already (each template once)."""
    yield
    if os.environ.get("LAMBDA_CONSTRUCTS_ORACLES") == "off":
        return
    for root in [tmp_path_factory.getbasetemp(), *(run.workdir for run in _BACKGROUND.values())]:
        _record_written_assemblies(root)
    found = oracles.check_recorded()
    assert not found, "AWS oracles on assemblies written during the session:\n" + "\n".join(found)


@pytest.fixture(autouse=True)
def aws_oracles(request: pytest.FixtureRequest) -> Iterator[None]:
    """After each test: the IAM and Lambda API oracles over the templates it synthesized (tests/oracles),
    in process or by a subprocess into its ``tmp_path`` or its background command's folder."""
    written = [request.getfixturevalue("tmp_path")] if "tmp_path" in request.fixturenames else []
    if "background_run" in request.fixturenames:
        written.append(request.getfixturevalue("background_run").workdir)
    yield
    if os.environ.get("LAMBDA_CONSTRUCTS_ORACLES") == "off":  # make test-floor (docs/compatibility.md)
        oracles.check_recorded()  # drains what the test recorded
        return
    for root in written:
        _record_written_assemblies(root)
    found = oracles.check_recorded()
    assert not found, "AWS oracles (tests/oracles; reviewed exceptions in iam_reviewed.toml):\n" + "\n".join(found)


def _offloaded(nodeid: str) -> bool:
    return (nodeid in OFFLOADED or nodeid in OFFLOADED_ON_EXAMPLE_ASSEMBLY) and os.environ.get(CHILD) != nodeid


def _awaits_background(nodeid: str) -> bool:
    return (
        nodeid in STARTERS
        or nodeid in ON_EXAMPLE_ASSEMBLY
        or _offloaded(nodeid)
        or any(_uses(job, nodeid) for job in SHARED.values())
    )


def _uses(job: SharedJob, nodeid: str) -> bool:
    return any(nodeid == user or nodeid.startswith(user + "[") for user in job.users)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Run the tests that await a background command last (in their collected order): until then the
    commands run on the second core beside the in-process tests, instead of the session waiting for
    them early. The first other test that reads the example assembly runs first: its synthesis starts the
    commands that check it. Every test still runs; none depends on another's order (each test waits for
    its own command)."""
    items.sort(key=lambda item: _awaits_background(item.nodeid))  # stable: the order within each part is kept
    readers = [i for i, item in enumerate(items) if "example_assembly" in getattr(item, "fixturenames", ())]
    if readers and not _awaits_background(items[readers[0]].nodeid):
        items.insert(0, items.pop(readers[0]))


def pytest_collection_finish(session: pytest.Session) -> None:
    """Start the background commands of the selected tests (tests/background.py: they run beside the rest)."""
    if session.config.option.collectonly:
        return
    _SELECTED.update(item.nodeid for item in session.items)
    for nodeid in OFFLOADED:
        if nodeid in _SELECTED and _offloaded(nodeid) and nodeid not in _BACKGROUND:
            _BACKGROUND[nodeid] = start_pytest_child(nodeid)
    for nodeid, start in STARTERS.items():
        if nodeid in _SELECTED and nodeid not in _BACKGROUND:
            _BACKGROUND[nodeid] = start()
    for name, job in SHARED.items():
        if name not in _BACKGROUND and any(_uses(job, nodeid) for nodeid in _SELECTED):
            _BACKGROUND[name] = job.start()


@pytest.hookimpl(tryfirst=True)
def pytest_pyfunc_call(pyfuncitem: pytest.Function) -> bool | None:
    """An offloaded test (tests/background.py, OFFLOADED) passes, fails or skips as its child pytest did."""
    nodeid = pyfuncitem.nodeid
    if not _offloaded(nodeid):
        return None
    if nodeid not in _BACKGROUND:  # (the example_assembly fixture starts the children that read it)
        _BACKGROUND[nodeid] = start_pytest_child(nodeid)
    child = _BACKGROUND[nodeid].result(timeout=900)
    summary = child.stdout.strip().splitlines()[-1] if child.stdout.strip() else ""
    print(child.stdout[-4000:])  # the child's report (its captured output under -rA), shown on failure or -s
    if child.returncode == 0 and " skipped" in summary and " passed" not in summary:
        reasons = [line for line in child.stdout.splitlines() if line.startswith("SKIPPED")]
        pytest.skip(f"skipped in its child pytest: {reasons[0] if reasons else summary}")
    assert child.returncode == 0 and "1 passed" in summary, child.stdout[-6000:] + child.stderr[-3000:]
    return True


def pytest_sessionfinish(session: pytest.Session) -> None:
    for run in _BACKGROUND.values():
        run.stop()
        shutil.rmtree(run.workdir, ignore_errors=True)


@pytest.fixture()
def background_run(request: pytest.FixtureRequest) -> BackgroundRun:
    """The command this test checks, started after collection (started now if it was not)."""
    nodeid = request.node.nodeid
    if nodeid not in _BACKGROUND:
        if nodeid in ON_EXAMPLE_ASSEMBLY:
            _BACKGROUND[nodeid] = ON_EXAMPLE_ASSEMBLY[nodeid](request.getfixturevalue("example_assembly").outdir)
        else:
            _BACKGROUND[nodeid] = STARTERS[nodeid]()
    return _BACKGROUND[nodeid]


def shared_run(name: str) -> BackgroundRun:
    """The shared command ``name`` of tests/background.py's ``SHARED`` (started now if it was not)."""
    if name not in _BACKGROUND:
        _BACKGROUND[name] = SHARED[name].start()
    return _BACKGROUND[name]


@dataclass(frozen=True)
class ExampleAssembly:
    """The example app synthesized with the five cdk-nag packs attached."""

    outdir: Path
    templates: dict[str, dict[str, Any]]
    findings: list[str]


@pytest.fixture(scope="session")
def example_assembly(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ExampleAssembly]:
    given = os.environ.get(EXAMPLE_ASSEMBLY)
    if given:  # the child pytest of an offloaded test: the parent's assembly, not synthesized again
        data = json.loads(given)
        outdir = Path(data["outdir"])
        templates = {name: json.loads((outdir / file).read_text()) for name, file in data["templates"].items()}
        yield ExampleAssembly(outdir=outdir, templates=templates, findings=data["findings"])
        return
    from stacks import create_stacks

    outdir = tmp_path_factory.mktemp("example-cdk-out")
    app = new_app(nag=True, outdir=str(outdir))
    stacks = create_stacks(app)
    findings = nag_findings(app)
    templates = {stack.stack_name: json.loads((outdir / stack.template_file).read_text()) for stack in stacks}
    for nodeid, start in ON_EXAMPLE_ASSEMBLY.items():  # the checks that only read the assembly: start them now
        if nodeid in _SELECTED and nodeid not in _BACKGROUND:
            _BACKGROUND[nodeid] = start(outdir)
    shared = json.dumps(
        {
            "outdir": str(outdir),
            "templates": {stack.stack_name: stack.template_file for stack in stacks},
            "findings": findings,
        }
    )
    for nodeid in OFFLOADED_ON_EXAMPLE_ASSEMBLY:
        if _offloaded(nodeid) and nodeid not in _BACKGROUND and (nodeid in _SELECTED or not _SELECTED):
            _BACKGROUND[nodeid] = start_pytest_child(nodeid, example_assembly=shared)
    yield ExampleAssembly(outdir=outdir, templates=templates, findings=findings)


@pytest.fixture
def round_trips(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[object]]:
    """Every request sent to the jsii kernel while the test runs (a test module may define its own)."""
    from jsii._kernel.providers.process import _NodeProcess

    sent: list[object] = []
    original = _NodeProcess.send

    def send(self: _NodeProcess, request: object, response_type: object) -> object:
        sent.append(request)
        return original(self, request, response_type)  # type: ignore[arg-type]

    monkeypatch.setattr(_NodeProcess, "send", send)
    yield sent
