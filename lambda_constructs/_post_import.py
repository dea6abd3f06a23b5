"""Run a callback once a module has been imported, without importing it (a post-import hook).

The library reacts to two optional modules that users import whenever they like:

* ``cdk_nag``: once it is loaded a pack can be attached, so every function's cdk-nag acknowledgement
  metadata is written then (:mod:`lambda_constructs.nag_metadata`);
* ``aws_cdk.assertions``: its ``Template.from_stack`` / ``Annotations.from_stack`` synthesize, so they get
  the library's synth boundary (:func:`lambda_constructs.errors.install_synth_boundary`).

:func:`when_imported` runs the callback at once when the module is loaded already; otherwise a finder at
the front of ``sys.meta_path`` (PEP 451) finds nothing itself, but for a watched name asks the other
finders and wraps the loader they return so that the callbacks run right after the module's code has run.
The module and its spec keep the original loader (the wrapper puts it back before the module's code runs),
so nothing about the imported module differs. Any other import costs the finder one dictionary lookup, and
the finder leaves ``sys.meta_path`` once no module is watched.
"""

from __future__ import annotations

import importlib.abc
import sys
from collections.abc import Callable, Sequence
from importlib.machinery import ModuleSpec
from types import ModuleType

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


class _Loader(importlib.abc.Loader):
    """The loader another finder returned for a watched module, with the callbacks run after its code."""

    def __init__(self, loader: importlib.abc.Loader, name: str) -> None:
        self._loader = loader
        self._name = name

    def create_module(self, spec: ModuleSpec) -> ModuleType | None:
        return self._loader.create_module(spec)

    def exec_module(self, module: ModuleType) -> None:
        # importlib calls this wrapper through the spec; the module's own code sees the real loader.
        module.__loader__ = self._loader
        if module.__spec__ is not None:
            module.__spec__.loader = self._loader
        self._loader.exec_module(module)
        callbacks = _WAITING.pop(self._name, [])
        if not _WAITING:  # nothing left to watch: the finder leaves sys.meta_path
            sys.meta_path[:] = [finder for finder in sys.meta_path if not isinstance(finder, _Finder)]
        for callback in callbacks:
            callback(module)


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
                    spec.loader = _Loader(spec.loader, fullname)
                return spec
        return None
