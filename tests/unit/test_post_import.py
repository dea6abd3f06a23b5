"""Post-import hooks (lambda_constructs/_post_import.py): a callback runs once a module's code has run."""

from __future__ import annotations

import importlib
import os
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

import pytest

from lambda_constructs import _post_import
from lambda_constructs._post_import import when_imported
from tests.helpers import ROOT


@pytest.fixture
def modules(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A folder on sys.path for this test's modules (dropped from sys.modules afterwards)."""
    monkeypatch.syspath_prepend(str(tmp_path))
    before = set(sys.modules)
    yield tmp_path
    for name in set(sys.modules) - before:
        del sys.modules[name]
    for name in [n for n in _post_import._WAITING if n.startswith("hooked_")]:
        del _post_import._WAITING[name]


def test_the_callback_runs_after_the_module_code_with_the_real_loader(modules: Path) -> None:
    (modules / "hooked_a.py").write_text("VALUE = 41 + 1\n")
    seen: list[tuple[int, str, str]] = []

    def callback(module: ModuleType) -> None:
        assert module.__spec__ is not None
        seen.append((module.VALUE, type(module.__loader__).__name__, type(module.__spec__.loader).__name__))

    when_imported("hooked_a", callback)
    assert seen == []
    importlib.import_module("hooked_a")
    assert seen == [(42, "SourceFileLoader", "SourceFileLoader")]
    importlib.import_module("hooked_a")  # once
    assert len(seen) == 1
    assert "hooked_a" not in _post_import._WAITING


def test_a_submodule_and_an_already_loaded_module(modules: Path) -> None:
    (modules / "hooked_pkg").mkdir()
    (modules / "hooked_pkg" / "__init__.py").write_text("")
    (modules / "hooked_pkg" / "sub.py").write_text("NAME = __name__\n")
    seen: list[str] = []
    when_imported("hooked_pkg.sub", lambda module: seen.append(module.NAME))
    from hooked_pkg import sub  # type: ignore[import-not-found]

    assert seen == ["hooked_pkg.sub"] and sub.NAME == "hooked_pkg.sub"
    when_imported("hooked_pkg.sub", lambda module: seen.append("again"))  # loaded: at once
    assert seen == ["hooked_pkg.sub", "again"]


def test_a_failed_import_calls_nothing_and_keeps_waiting(modules: Path) -> None:
    (modules / "hooked_bad.py").write_text("raise RuntimeError('broken')\n")
    seen: list[str] = []

    def callback(module: ModuleType) -> None:
        seen.append(module.__name__)

    when_imported("hooked_bad", callback)
    when_imported("hooked_bad", callback)  # the same callback waits once
    with pytest.raises(RuntimeError, match="broken"):
        importlib.import_module("hooked_bad")
    assert seen == [] and _post_import._WAITING["hooked_bad"] == [callback]
    (modules / "hooked_bad.py").write_text("OK = True\n")
    importlib.invalidate_caches()
    sys.modules.pop("hooked_bad", None)
    importlib.import_module("hooked_bad")
    assert seen == ["hooked_bad"]


def test_assertions_imported_after_the_functions_still_get_the_synth_boundary(tmp_path: Path) -> None:
    """aws_cdk.assertions imported after the last SecureFunction (a test module's late import): Template.from_stack
    still raises the library's error for a value an override set (found by the new-user pass)."""
    script = tmp_path / "late_assertions.py"
    script.write_text(
        textwrap.dedent(
            """
            import aws_cdk as cdk
            from lambda_constructs import LambdaConstructsError, SecureFunction, SecureFunctionProps
            app = cdk.App()
            stack = cdk.Stack(app, "S")
            fn = SecureFunction(stack, "Fn", SecureFunctionProps(inline_code="x = 1\\n"))
            fn.function.node.default_child.add_property_override("Environment.Variables.BIG", "x" * 5000)
            from aws_cdk.assertions import Template
            try:
                Template.from_stack(stack)
            except LambdaConstructsError as error:
                print("LambdaConstructsError", error)
            else:
                print("NO ERROR")
            """
        )
    )
    env = {**os.environ, "JSII_SILENCE_WARNING_UNTESTED_NODE_VERSION": "1", "PYTHONPATH": str(ROOT)}
    result = subprocess.run(
        [sys.executable, str(script)], capture_output=True, text=True, env=env, cwd=tmp_path, timeout=300, check=False
    )
    assert (
        result.stdout.strip().splitlines()[-1].startswith("LambdaConstructsError S/Fn: environment variables take")
    ), result.stdout + result.stderr[-2000:]


def test_a_spec_found_without_importing_is_what_it_would_be_without_the_hook(modules: Path) -> None:
    """importlib.util.find_spec / pkgutil before the import (the second new-user pass: the spec's loader was a
    wrapper without get_filename / is_package, so pkgutil.get_data returned None)."""
    import importlib.util
    import pkgutil

    (modules / "hooked_data").mkdir()
    (modules / "hooked_data" / "__init__.py").write_text("")
    (modules / "hooked_data" / "py.typed").write_text("\n")
    seen: list[str] = []
    when_imported("hooked_data", lambda module: seen.append(module.__name__))
    spec = importlib.util.find_spec("hooked_data")
    assert spec is not None and type(spec.loader).__name__ == "SourceFileLoader"
    assert spec.loader.is_package("hooked_data")  # type: ignore[union-attr]
    assert pkgutil.get_data("hooked_data", "py.typed") == b"\n"  # this imports it
    assert seen == ["hooked_data"]
    module = sys.modules["hooked_data"]
    assert "exec_module" not in vars(module.__loader__)  # the hook's own attribute is gone
