#!/usr/bin/env python3
"""Build the API reference of ``lambda_constructs`` from its docstrings with pdoc (``make docs``).

Every submodule is imported first, so a module that fails to import stops the build with its
traceback instead of silently disappearing from the reference. The output goes to ``site/``.
"""

from __future__ import annotations

import argparse
import ast
import contextlib
import importlib
import inspect
import os
import pkgutil
import sys
import traceback
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = "lambda_constructs"


def is_public(module: str) -> bool:
    """False for private modules (a dotted part starting with one underscore, e.g. ``_queues``)."""
    return not any(part.startswith("_") and not part.startswith("__") for part in module.split("."))


def import_all(package: str = PACKAGE) -> list[str]:
    """Import ``package`` and every submodule; returns the public ones, raises on the first failure."""
    root = importlib.import_module(package)
    names = [package]
    for info in pkgutil.walk_packages(root.__path__, prefix=f"{package}."):
        importlib.import_module(info.name)
        names.append(info.name)
    return sorted(name for name in names if is_public(name))


class _ParseEachSourceOnce:
    """Stands in for the ``ast`` module inside :mod:`inspect` while pdoc renders.

    Python 3.11's ``inspect.findsource`` parses a class's whole source file on every lookup; pdoc looks
    up hundreds of classes (ours and the aws_cdk/constructs bases they inherit members from), i.e. the
    same few files ~290 times. The trees are only read (searched for the class definition), so the
    same source text is parsed once. Output unchanged; ~5 s of a ~30 s build. Python 3.13+ no longer
    parses there, then this is a no-op.
    """

    def __init__(self) -> None:
        self._trees: dict[str, ast.AST] = {}

    def __getattr__(self, name: str) -> Any:
        return getattr(ast, name)

    def parse(self, source: Any, *args: Any, **kwargs: Any) -> Any:
        if args or kwargs or not isinstance(source, str):
            return ast.parse(source, *args, **kwargs)
        tree = self._trees.get(source)
        if tree is None:
            tree = self._trees[source] = ast.parse(source)
        return tree


@contextlib.contextmanager
def _inspect_parses_each_source_once() -> Iterator[None]:
    original = inspect.ast  # type: ignore[attr-defined]
    inspect.ast = _ParseEachSourceOnce()  # type: ignore[attr-defined]
    try:
        yield
    finally:
        inspect.ast = original  # type: ignore[attr-defined]


def main(argv: list[str] | None = None) -> int:
    """Import every module, then render the HTML reference; returns the exit code."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--out", type=Path, default=ROOT / "site", help="output folder (default: site/)")
    args = parser.parse_args(argv)

    # aws_cdk starts the jsii Node.js runtime on import; pdoc suppresses subprocesses unless allowed.
    os.environ.setdefault("PDOC_ALLOW_EXEC", "1")
    sys.path.insert(0, str(ROOT))
    try:
        modules = import_all()
    except Exception:
        traceback.print_exc()
        print("docs: a module failed to import; fix it before building the reference", file=sys.stderr)
        return 1

    import pdoc
    import pdoc.render

    pdoc.render.configure(docformat="restructuredtext", footer_text=f"{PACKAGE} API reference")
    # Every module by name: pdoc hides submodules missing from a package's ``__all__`` otherwise.
    # Naming a package and its submodules both is intended, so pdoc's duplicate warning is noise.
    warnings.filterwarnings("ignore", message="The module specification", category=UserWarning)
    with _inspect_parses_each_source_once():
        pdoc.pdoc(*modules, output_directory=args.out)
    print(f"docs: {len(modules)} modules documented in {args.out}/")
    return 0


if __name__ == "__main__":
    sys.exit(main())
