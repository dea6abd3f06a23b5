"""Byte code in bundles: ``.pyc`` files compiled by a CPython of the function's runtime version.

Lambda runs code from a read-only file system (``/var/task``, ``/opt``), so Python cannot write the
``__pycache__`` it compiles at import: without byte code in the bundle every cold start compiles every
imported module again. A ``.pyc`` is only valid for the minor version that wrote it (its magic number),
so the bundler compiles with an interpreter of the target version when it finds one:

1. the ``interpreter`` you name (``SecureFunctionProps``/``PythonLayerProps`` pass it through
   ``BundleOptions.interpreter``),
2. the environment variable ``LAMBDA_CONSTRUCTS_PYTHON_3_13`` (for Python 3.13; one per version),
3. the interpreter running the app, when it is that version,
4. ``python3.13`` on ``PATH``.

Compilation uses ``compileall --invalidation-mode unchecked-hash`` (PEP 552: no timestamps, the
runtime does not re-check the source), with source paths recorded as they are at run time
(``/var/task/…`` for functions, ``/opt/python/…`` for layers), so two builds give the same zip.
Reference: https://docs.python.org/3/library/compileall.html and PEP 552.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from lambda_constructs.bundling.errors import BundlingError

#: ``LAMBDA_CONSTRUCTS_PYTHON_3_13`` names the interpreter used for Python 3.13 byte code.
ENV_PREFIX = "LAMBDA_CONSTRUCTS_PYTHON_"
_PROBE = (
    "import platform, sys; print(sys.implementation.name, '%d.%d' % sys.version_info[:2], platform.python_version())"
)


@dataclass(frozen=True)
class Interpreter:
    """A CPython able to write byte code for a runtime."""

    path: str
    """Executable."""
    version: str
    """Full version, e.g. ``3.13.1`` (part of the bundle cache key)."""


def env_var(python_version: str) -> str:
    """The environment variable naming the interpreter of ``python_version`` (``3.13`` → ``…_3_13``)."""
    return ENV_PREFIX + python_version.replace(".", "_")


@cache
def _probe(path: str) -> tuple[str, str, str] | None:
    """``(implementation, major.minor, full version)`` of the interpreter at ``path``; None if it does not run."""
    try:
        out = subprocess.run([path, "-c", _PROBE], capture_output=True, text=True, timeout=30, check=True).stdout
    except (OSError, subprocess.SubprocessError):
        return None
    parts = out.split()
    return (parts[0], parts[1], parts[2]) if len(parts) == 3 else None


def find_interpreter(
    python_version: str, explicit: str | None = None, *, construct_path: str = ""
) -> Interpreter | None:
    """The interpreter to compile ``python_version`` byte code with (see the module docstring), or None.

    Raises:
        BundlingError: ``explicit`` (or the environment variable) names something that is not a CPython
            of ``python_version``.
    """
    named = explicit or os.environ.get(env_var(python_version))
    if named:
        found = _probe(named)
        if found is None or found[0] != "cpython" or found[1] != python_version:
            raise BundlingError(
                construct_path,
                f"the interpreter for Python {python_version} byte code is not a CPython {python_version}",
                value=f"{named} ({' '.join(found) if found else 'does not run'})",
                fix=f"point interpreter= or {env_var(python_version)} to a python{python_version}, or unset it",
            )
        return Interpreter(named, found[2])
    major, minor, micro = sys.version_info[:3]
    if f"{major}.{minor}" == python_version and sys.implementation.name == "cpython":
        return Interpreter(sys.executable, f"{major}.{minor}.{micro}")
    on_path = shutil.which(f"python{python_version}")
    if on_path:
        found = _probe(on_path)
        if found is not None and found[0] == "cpython" and found[1] == python_version:
            return Interpreter(on_path, found[2])
    return None


def compile_tree(interpreter: Interpreter, root: Path, runtime_dir: str, *, construct_path: str = "") -> None:
    """Write ``__pycache__/*.pyc`` next to every ``.py`` under ``root`` (unchecked-hash, paths as at run time).

    Raises:
        BundlingError: compileall failed (its output is in the message).
    """
    command = [
        interpreter.path,
        "-m",
        "compileall",
        "-q",
        "--invalidation-mode",
        "unchecked-hash",
        "-s",
        str(root),
        "-p",
        runtime_dir,
        str(root),
    ]
    completed = subprocess.run(command, capture_output=True, text=True, check=False)
    if completed.returncode != 0:
        tail = "\n".join((completed.stdout + completed.stderr).splitlines()[-20:])
        raise BundlingError(
            construct_path,
            f"compiling byte code failed:\n{tail}",
            value=" ".join(command),
            fix="fix the syntax error shown, or bundle with bytecode=False",
        )


_warned: set[str] = set()
#: Id named in the note given once per process and Python version when no interpreter was found. It is
#: an info annotation, not a warning: the library's defaults warn about nothing (issue #22), and a build
#: host without the newest Python is normal, not suspect input.
NO_INTERPRETER_WARNING = "noBytecodeInterpreter"


def warn_if_missing(scope: object, python_version: str, bytecode_python: str | None, wanted: bool = True) -> None:
    """At synth, say once per process and version (an info annotation, ``cdk synth`` prints it) that
    bundles of ``python_version`` carry no byte code."""
    if not wanted or bytecode_python is not None or not first_miss(python_version):
        return
    from aws_cdk import Annotations

    Annotations.of(scope).add_info(  # type: ignore[arg-type]
        f"[{NO_INTERPRETER_WARNING}] no CPython {python_version} was found to compile byte code into Python {python_version} bundles, so "
        "each cold start compiles the modules it imports (Lambda's file system is read-only). Fix: install "
        f"python{python_version} on PATH or set {env_var(python_version)}=/path/to/python{python_version} "
        "(docs/performance.md, 'Byte code in bundles'); this note is given once per synth",
    )


def first_miss(python_version: str) -> bool:
    """True the first time in this process that no interpreter was found for ``python_version`` (warn once)."""
    if python_version in _warned:
        return False
    _warned.add(python_version)
    return True
