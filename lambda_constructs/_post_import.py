"""Run a callback once a module has been imported, without importing it (a post-import hook).

The library reacts to two optional modules that users import whenever they like:

* ``cdk_nag``: once it is loaded a pack can be attached, so every function's cdk-nag acknowledgement
  metadata is written then (:mod:`lambda_constructs.nag_metadata`);
* ``aws_cdk.assertions``: its ``Template.from_stack`` / ``Annotations.from_stack`` synthesize, so they get
  the library's synth boundary (:func:`lambda_constructs.errors.install_synth_boundary`).

:func:`when_imported` runs the callback at once when the module is loaded already; otherwise a finder at
the front of ``sys.meta_path`` (PEP 451) finds nothing itself, but for a watched name asks the other
finders and gives the loader instance they return an ``exec_module`` of its own that runs the callbacks right
after the module's code (removed when it runs). The loader keeps its class and methods, so nothing about the
module, its spec or a ``find_spec`` that does not import differs. Any other import costs the finder one dictionary lookup, and
the finder leaves ``sys.meta_path`` once no module is watched.
"""

from __future__ import annotations

import contextlib
import importlib.abc
import sys
from collections.abc import Callable, Sequence
from importlib.machinery import ModuleSpec
from types import ModuleType
from typing import Any

__all__ = ["when_imported"]

#: Module name -> the callbacks still waiting for its import.
_WAITING: dict[str, list[Callable[[ModuleType], None]]] = {}


def when_imported(name: str, callback: Callable[[ModuleType], None]) -> None:
    """Call ``callback(module)`` once the module ``name`` has been imported: now when it is in ``sys.modules``,
    else right after its first import finishes executing (once; an import that fails calls nothing and keeps
    waiting)."""
    module = sys.modules.get(name)
    if module is not None:
        callback(module)
        return
    waiting = _WAITING.setdefault(name, [])
    if callback not in waiting:
        waiting.append(callback)
    if not any(isinstance(finder, _Finder) for finder in sys.meta_path):
        sys.meta_path.insert(0, _Finder())


def _run_callbacks_after(loader: Any, name: str) -> None:
    """Make ``loader`` (the instance another finder made for this one spec) run ``name``'s callbacks right after
    its ``exec_module``: an attribute of the instance, removed when it runs, so the loader keeps its class and
    every other method (``importlib.util.find_spec`` and ``pkgutil`` see what they would without the library).
    A loader whose instance takes no attribute is left alone (its import runs no callback)."""
    exec_module = loader.exec_module

    def exec_then_call_back(module: ModuleType) -> None:
        if module.__name__ != name:  # a loader some finders share (a zip file's) loading another module
            exec_module(module)
            return
        with contextlib.suppress(AttributeError):
            del loader.exec_module
        exec_module(module)
        callbacks = _WAITING.pop(name, [])
        if not _WAITING:  # nothing left to watch: the finder leaves sys.meta_path
            sys.meta_path[:] = [finder for finder in sys.meta_path if not isinstance(finder, _Finder)]
        for callback in callbacks:
            callback(module)

    with contextlib.suppress(AttributeError, TypeError):
        loader.exec_module = exec_then_call_back


class _Finder(importlib.abc.MetaPathFinder):
    """First on ``sys.meta_path``: finds nothing itself; wraps the loader of a watched module."""

    def find_spec(
        self, fullname: str, path: Sequence[str] | None, target: ModuleType | None = None
    ) -> ModuleSpec | None:
        if fullname not in _WAITING:
            return None
        for finder in sys.meta_path:
            if finder is self or not hasattr(finder, "find_spec"):
                continue
            spec: ModuleSpec | None = finder.find_spec(fullname, path, target)
            if spec is not None:
                if spec.loader is not None and hasattr(spec.loader, "exec_module"):
                    _run_callbacks_after(spec.loader, fullname)
                return spec
        return None
