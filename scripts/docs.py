#!/usr/bin/env python3
"""Build the API reference of ``lambda_constructs`` from its docstrings with pdoc (``make docs``).

Every submodule is imported first, so a module that fails to import stops the build with its
traceback instead of silently disappearing from the reference. The output goes to ``site/``.
"""

from __future__ import annotations

import argparse
import importlib
import os
import pkgutil
import sys
import traceback
import warnings
from pathlib import Path

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
    pdoc.pdoc(*modules, output_directory=args.out)
    print(f"docs: {len(modules)} modules documented in {args.out}/")
    return 0


if __name__ == "__main__":
    sys.exit(main())
