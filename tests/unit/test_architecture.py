"""The dependency rule of docs/design.md ("Layers"), checked on the source.

Collaborators (``triggers/``, ``languages/``, ``releases/``, ``monitoring/``) depend on the ground-floor
contract (``lambda_constructs/contract.py``), never on ``lambda_constructs.function``: no import of it in
any form, at module level, under ``TYPE_CHECKING`` or inside a function. The contract itself imports no
module of the library. Parsing (``ast``), not importing: a lazy or type-only import counts too.
"""

from __future__ import annotations

import ast
import importlib
from collections.abc import Iterator, Mapping
from pathlib import Path

import pytest

from lambda_constructs.contract import FUNCTION_MARKER, is_function

PACKAGE_ROOT = Path(__file__).resolve().parents[2] / "lambda_constructs"
COLLABORATORS = ("triggers", "languages", "releases", "monitoring")
FORBIDDEN = "lambda_constructs.function"


def module_name(path: Path) -> str:
    """``lambda_constructs/triggers/polled.py`` -> ``lambda_constructs.triggers.polled`` (packages: no ``__init__``)."""
    parts = list(path.relative_to(PACKAGE_ROOT.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def imported_modules(source: str, module: str, *, is_package: bool = False) -> Iterator[tuple[int, str]]:
    """Every module ``source`` (the text of ``module``) imports, absolute, with its line.

    ``from X import a`` yields ``X`` and ``X.a`` (``a`` may be a submodule); relative imports are
    resolved against ``module``'s package; ``importlib.import_module("...")``/``__import__("...")`` with a
    literal name count too. Walks the whole tree: function bodies and ``if TYPE_CHECKING:`` blocks included.
    """
    package = module if is_package else module.rpartition(".")[0]
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base_parts = package.split(".")
                base = ".".join(base_parts[: len(base_parts) - (node.level - 1)])
                origin = f"{base}.{node.module}" if node.module else base
            else:
                origin = node.module or ""
            yield node.lineno, origin
            for alias in node.names:
                yield node.lineno, f"{origin}.{alias.name}"
        elif isinstance(node, ast.Call):
            func = node.func
            name = func.attr if isinstance(func, ast.Attribute) else func.id if isinstance(func, ast.Name) else ""
            if name in ("import_module", "__import__") and node.args:
                first = node.args[0]
                if isinstance(first, ast.Constant) and isinstance(first.value, str):
                    yield node.lineno, first.value


def violations(source: str, module: str, *, is_package: bool = False, forbidden: str = FORBIDDEN) -> list[str]:
    """``line: module`` of each import of ``forbidden`` (or a submodule of it) in ``source``."""
    return [
        f"{line}: {name}"
        for line, name in imported_modules(source, module, is_package=is_package)
        if name == forbidden or name.startswith(forbidden + ".")
    ]


def import_graph() -> dict[str, set[str]]:
    """Module -> the library modules it imports (``from pkg import sub``: an edge to ``pkg.sub`` only,
    not to ``pkg``'s lazy ``__init__``)."""
    paths = {module_name(p): p for p in PACKAGE_ROOT.rglob("*.py")}
    graph: dict[str, set[str]] = {}
    for module, path in paths.items():
        names = [n for _, n in imported_modules(path.read_text(), module, is_package=path.name == "__init__.py")]
        found = {n for n in names if n in paths}
        graph[module] = {n for n in found if not any(o.startswith(n + ".") for o in found)}
    return graph


def import_chain(graph: Mapping[str, set[str]], start: str, target: str) -> list[str] | None:
    """The shortest import chain from ``start`` to ``target`` (both included), None when there is none."""
    previous: dict[str, str] = {}
    queue, seen = [start], {start}
    while queue:
        current = queue.pop(0)
        if current == target:
            chain = [current]
            while chain[-1] != start:
                chain.append(previous[chain[-1]])
            return chain[::-1]
        for nxt in sorted(graph.get(current, ())):
            if nxt not in seen:
                seen.add(nxt)
                previous[nxt] = current
                queue.append(nxt)
    return None


def collaborator_modules() -> list[Path]:
    return sorted(p for package in COLLABORATORS for p in (PACKAGE_ROOT / package).rglob("*.py"))


def test_every_collaborator_package_is_scanned() -> None:
    modules = collaborator_modules()
    for package in COLLABORATORS:
        assert PACKAGE_ROOT / package / "__init__.py" in modules
    assert PACKAGE_ROOT / "triggers" / "polled.py" in modules
    assert len(modules) >= 30


@pytest.mark.parametrize("path", collaborator_modules(), ids=lambda p: str(p.relative_to(PACKAGE_ROOT)))
def test_collaborator_does_not_import_function(path: Path) -> None:
    found = violations(path.read_text(), module_name(path), is_package=path.name == "__init__.py")
    assert found == [], (
        f"{path.relative_to(PACKAGE_ROOT.parent)} imports {FORBIDDEN} ({', '.join(found)}): depend on "
        "lambda_constructs.contract (FunctionView) instead, see docs/design.md 'Layers'"
    )


def test_no_collaborator_reaches_function_through_another_module() -> None:
    """Not even indirectly: no chain of imports from a collaborator module leads to function.py."""
    graph = import_graph()
    assert FORBIDDEN in graph and "lambda_constructs.triggers.polled" in graph
    chains = {}
    for path in collaborator_modules():
        chain = import_chain(graph, module_name(path), FORBIDDEN)
        if chain is not None:
            chains[module_name(path)] = " -> ".join(chain)
    assert chains == {}


def test_import_chain_finds_an_indirect_import() -> None:
    graph = {"a": {"b"}, "b": {"c", "d"}, "d": {"f"}, "f": set()}
    assert import_chain(graph, "a", "f") == ["a", "b", "d", "f"]
    assert import_chain(graph, "a", "e") is None
    assert import_chain(graph, "f", "a") is None
    # The real graph has the edges the rule is about: function.py imports the collaborators.
    real = import_graph()
    assert {"lambda_constructs.languages", "lambda_constructs.triggers.base"} <= real[FORBIDDEN]
    assert import_chain(real, "lambda_constructs.service", FORBIDDEN) is not None


def test_contract_is_the_ground_floor() -> None:
    """contract.py imports only the standard library, aws-cdk-lib and constructs: no library module."""
    path = PACKAGE_ROOT / "contract.py"
    library = [
        f"{line}: {name}"
        for line, name in imported_modules(path.read_text(), module_name(path))
        if name.split(".")[0] == "lambda_constructs"
    ]
    assert library == []


@pytest.mark.parametrize(
    ("source", "module", "is_package"),
    [
        ("import lambda_constructs.function\n", "lambda_constructs.triggers.polled", False),
        ("import lambda_constructs.function as f\n", "lambda_constructs.triggers.polled", False),
        ("from lambda_constructs.function import SecureFunction\n", "lambda_constructs.triggers.polled", False),
        ("from lambda_constructs import function\n", "lambda_constructs.releases.synth", False),
        ("from lambda_constructs import errors, function as fn\n", "lambda_constructs.releases.synth", False),
        ("from ..function import SecureFunction\n", "lambda_constructs.triggers.polled", False),
        ("from .. import function\n", "lambda_constructs.monitoring.service", False),
        ("from ..function import ExecutionRole\n", "lambda_constructs.languages", True),
        (
            "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from lambda_constructs.function import SecureFunction\n",
            "lambda_constructs.triggers.base",
            False,
        ),
        (
            "def after(fn):\n    from lambda_constructs.function import ExecutionRole\n    return ExecutionRole\n",
            "lambda_constructs.languages",
            True,
        ),
        (
            "class A:\n    def m(self):\n        import lambda_constructs.function\n",
            "lambda_constructs.monitoring.service",
            False,
        ),
        (
            "import importlib\nmod = importlib.import_module('lambda_constructs.function')\n",
            "lambda_constructs.triggers.access",
            False,
        ),
    ],
)
def test_every_import_form_is_caught(source: str, module: str, is_package: bool) -> None:
    assert violations(source, module, is_package=is_package) != []


@pytest.mark.parametrize(
    ("source", "module", "is_package"),
    [
        ("from lambda_constructs.contract import FunctionView\n", "lambda_constructs.triggers.polled", False),
        ("from lambda_constructs import errors, runtimes\n", "lambda_constructs.languages", True),
        ("from .base import Trigger\n", "lambda_constructs.triggers.polled", False),
        ("from . import function\n", "lambda_constructs.triggers.polled", False),  # triggers.function, not ours
        ("import lambda_constructs.functional\n", "lambda_constructs.triggers.polled", False),
        ("x = 'lambda_constructs.function'\n", "lambda_constructs.triggers.polled", False),
    ],
)
def test_other_imports_pass(source: str, module: str, is_package: bool) -> None:
    assert violations(source, module, is_package=is_package) == []


def test_relative_imports_resolve_against_the_package() -> None:
    assert module_name(PACKAGE_ROOT / "triggers" / "__init__.py") == "lambda_constructs.triggers"
    assert module_name(PACKAGE_ROOT / "triggers" / "polled.py") == "lambda_constructs.triggers.polled"
    names = [n for _, n in imported_modules("from ..errors import fail\n", "lambda_constructs.triggers.polled")]
    assert names == ["lambda_constructs.errors", "lambda_constructs.errors.fail"]
    names = [n for _, n in imported_modules("from .java import x\n", "lambda_constructs.languages", is_package=True)]
    assert names == ["lambda_constructs.languages.java", "lambda_constructs.languages.java.x"]


def test_secure_function_declares_the_contract() -> None:
    """monitor_stack finds functions through contract.is_function: SecureFunction carries the marker."""
    from constructs import Construct

    from lambda_constructs.function import SecureFunction, SecureFunctionProps
    from tests.helpers import new_stack

    stack = new_stack()
    fn = SecureFunction(stack, "Fn", SecureFunctionProps(inline_code="def handler(event, context):\n    return 1\n"))
    assert getattr(SecureFunction, FUNCTION_MARKER) is True
    assert is_function(fn)
    assert fn.construct is fn
    assert fn.owned_role is fn.role
    assert not is_function(Construct(stack, "Plain"))
    assert not is_function(fn.role)
    assert [c for c in stack.node.find_all() if is_function(c)] == [fn]


def test_a_trigger_written_against_the_contract_alone_binds() -> None:
    """A new trigger kind needs only the contract: this one names no SecureFunction and works unchanged."""
    from aws_cdk import aws_iam as iam
    from aws_cdk import aws_lambda as lambda_
    from aws_cdk.assertions import Match, Template

    from lambda_constructs.contract import FunctionView, InvocationKind, Trigger
    from lambda_constructs.function import SecureFunction, SecureFunctionProps
    from tests.helpers import new_stack

    seen: list[tuple[str, str]] = []

    class PingTrigger:
        kind = InvocationKind.ASYNC

        def bind(self, fn: FunctionView, target: lambda_.IFunction, construct_id: str) -> None:
            seen.append((fn.node.path, construct_id))
            target.add_permission(construct_id, principal=iam.ServicePrincipal("events.amazonaws.com"))

    stack = new_stack()
    fn = SecureFunction(stack, "Fn", SecureFunctionProps(inline_code="def handler(event, context):\n    return 1\n"))
    trigger = PingTrigger()
    assert isinstance(trigger, Trigger)
    fn.add_trigger(trigger)
    assert seen == [("TestStack/Fn", "PingTrigger1")]
    assert fn.triggers == [(trigger, fn.aliases["live"])]
    Template.from_stack(stack).has_resource_properties(
        "AWS::Lambda::Permission",
        {
            "Principal": "events.amazonaws.com",
            "FunctionName": Match.object_like({"Ref": Match.string_like_regexp("FnAliaslive")}),
        },
    )


#: Largest module under lambda_constructs/triggers/ (issue #20: one module per trigger source or small family).
MAX_TRIGGER_MODULE_LINES = 500


def test_no_trigger_module_is_above_500_lines() -> None:
    sizes = {p.name: len(p.read_text().splitlines()) for p in (PACKAGE_ROOT / "triggers").glob("*.py")}
    assert len(sizes) >= 30  # the scan sees the per-source modules
    over = {name: lines for name, lines in sizes.items() if lines > MAX_TRIGGER_MODULE_LINES}
    assert over == {}, (
        f"trigger modules above {MAX_TRIGGER_MODULE_LINES} lines: {over}; split per trigger source "
        "(docs/design.md, 'Adding a trigger kind')"
    )


def test_every_exported_trigger_lives_in_its_own_module() -> None:
    """The lazy map points each public trigger at a per-source module, never at the deprecated family paths."""
    from lambda_constructs import triggers

    families = {f"lambda_constructs.triggers.{name}" for name in ("polled", "push_sync", "push_async")}
    assert not families & set(triggers._MODULES.values())
    for name, module in triggers._MODULES.items():
        assert getattr(importlib.import_module(module), name) is getattr(triggers, name)


#: Largest module anywhere in lambda_constructs/ (issue #20: "no module above ~500 lines unless it is one concept
#: that reads better whole").
MAX_MODULE_LINES = 500
#: The modules above it, each one concept that reads better whole; the reason is also a line of docs/design.md
#: ("Module size"). A module leaves the list when it shrinks below the limit (the test fails on a stale entry).
LONG_MODULES: dict[str, str] = {
    "function.py": "SecureFunction, one construct; its props, baseline, failure queue and languages are already apart",
    "service.py": "LambdaService, one construct with its props; the template-limit checks are apart",
    "deploy_rules.py": "the deploy-time rules checked in one pass over the app, sharing one reader of properties",
    "invoke/events.py": "a catalogue of independent sample events, one generator per trigger kind (overrides apart)",
    "local/models_lambda.py": "the CloudFormation models of the Lambda resource types, registered together",
    "local/models_services.py": "one table of creators of the other resource types moto cannot create",
}


def module_sizes() -> dict[str, int]:
    return {
        str(path.relative_to(PACKAGE_ROOT)): len(path.read_text(encoding="utf-8").splitlines())
        for path in PACKAGE_ROOT.rglob("*.py")
    }


def test_no_module_is_above_500_lines_unless_allowed_with_a_reason() -> None:
    sizes = module_sizes()
    assert len(sizes) >= 100 and "triggers/sqs.py" in sizes  # the scan sees the whole package
    over = {name: lines for name, lines in sizes.items() if lines > MAX_MODULE_LINES}
    assert set(over) - set(LONG_MODULES) == set(), (
        f"modules above {MAX_MODULE_LINES} lines: {over}; split one with more than one concept, or add it to "
        "LONG_MODULES with the reason it reads better whole (and that reason to docs/design.md, 'Module size')"
    )
    stale = {name: sizes.get(name) for name in LONG_MODULES if sizes.get(name, 0) <= MAX_MODULE_LINES}
    assert stale == {}, f"allowed long modules that are no longer long (or gone): {stale}; drop them from LONG_MODULES"


def test_every_long_module_has_its_reason_in_the_design_notes() -> None:
    design = (PACKAGE_ROOT.parent / "docs" / "design.md").read_text(encoding="utf-8")
    section = design.split("### Module size", 1)[1].split("\n#", 1)[0]
    for name in LONG_MODULES:
        assert f"`lambda_constructs/{name}`" in section, name
