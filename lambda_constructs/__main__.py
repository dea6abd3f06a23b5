"""Command line: ``python -m lambda_constructs <command> …`` (also installed as ``lambda-constructs``).

Each command lives in its own module exposing ``register(subparsers)``; the module sets
``func`` on its parser, which receives the parsed arguments and returns the exit code.
"""

from __future__ import annotations

import argparse
import contextlib
import importlib
import os
import sys
from collections.abc import Sequence

from lambda_constructs.environment import missing_module_message, prefer_interpreter_bin

# Modules that contribute sub-commands. A module that is not present yet is skipped.
COMMAND_MODULES = (
    "lambda_constructs.releases.cli",
    "lambda_constructs.invoke.cli",
    "lambda_constructs.parallel.cli",
    "lambda_constructs.tune.cli",
    "lambda_constructs.cost.cli",
    "lambda_constructs.local.cli",
)


def build_parser() -> argparse.ArgumentParser:
    """The top-level parser with every available sub-command."""
    parser = argparse.ArgumentParser(
        prog="python -m lambda_constructs",
        description="Release, promote, locally invoke and price functions built with lambda_constructs.",
    )
    subparsers = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for name in COMMAND_MODULES:
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name is not None and name.startswith(exc.name):
                continue
            raise
        module.register(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point; returns the process exit code (2 with one line when the environment lacks a dependency)."""
    prefer_interpreter_bin()
    try:
        parser = build_parser()
        args = parser.parse_args(argv)
        code: int = args.func(args)
    except ModuleNotFoundError as exc:
        message = missing_module_message(exc)
        if message is None:
            raise
        print(f"error: {message}", file=sys.stderr)
        return 2
    except BrokenPipeError:
        # The reader went away (`... | head`): no traceback; stdout's remaining buffer goes nowhere, so
        # that Python's exit-time flush does not raise again (the recipe of the `signal` module's docs).
        with contextlib.suppress(OSError, ValueError):
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, sys.stdout.fileno())
        return 1
    return code


if __name__ == "__main__":
    sys.exit(main())
