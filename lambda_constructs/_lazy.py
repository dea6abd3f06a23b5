"""Names a package exports but imports on first use (PEP 562), so ``import lambda_constructs`` and the
command-line tools start without loading aws_cdk modules they do not need."""

from __future__ import annotations

import importlib
from collections.abc import Mapping
from typing import Any


class LazyExports:
    """``exports``: exported name -> absolute module path. A loaded value is kept in ``namespace``
    (the package's ``globals()``), so each name is imported once."""

    def __init__(self, namespace: dict[str, Any], exports: Mapping[str, str]) -> None:
        self._namespace = namespace
        self._exports = exports

    def load(self, name: str) -> Any:
        """The package's ``__getattr__``: import the module that defines ``name``; AttributeError otherwise."""
        module = self._exports.get(name)
        if module is None:
            raise AttributeError(f"module {self._namespace['__name__']!r} has no attribute {name!r}")
        value = getattr(importlib.import_module(module), name)
        self._namespace[name] = value
        return value

    def names(self) -> list[str]:
        """The package's ``__dir__``: loaded and not yet loaded names."""
        return sorted([*self._namespace, *self._exports])
