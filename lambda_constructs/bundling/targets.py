"""Target platform of a bundle: Python version, CPU architecture and the pip platform tags they imply."""

from __future__ import annotations

import re
from typing import Literal

from aws_cdk import aws_lambda

from lambda_constructs.errors import LambdaConstructsError

Architecture = Literal["arm64", "x86_64"]
"""Lambda architecture names, as ``aws_lambda.Architecture.<X>.name`` spells them."""

ARCHITECTURES: tuple[Architecture, ...] = ("arm64", "x86_64")

_MACHINE: dict[Architecture, str] = {"arm64": "aarch64", "x86_64": "x86_64"}
_PY_RUNTIME = re.compile(r"^python(\d+)\.(\d+)$")
_VERSION = re.compile(r"^3\.(\d+)$")


def machine_of(architecture: Architecture) -> str:
    """The ``uname -m`` / wheel-tag machine name: ``arm64`` -> ``aarch64``."""
    return _MACHINE[architecture]


def python_version_of(runtime: aws_lambda.Runtime) -> str:
    """``"3.13"`` for ``Runtime.PYTHON_3_13``; raises for a non-Python runtime."""
    match = _PY_RUNTIME.match(runtime.name)
    if match is None:
        raise LambdaConstructsError(
            "", "not a Python runtime", value=runtime.name, fix="use an aws_lambda.Runtime.PYTHON_3_N runtime"
        )
    return f"{match.group(1)}.{match.group(2)}"


def architecture_of(architecture: aws_lambda.Architecture) -> Architecture:
    """``"arm64"`` / ``"x86_64"`` for a CDK ``aws_lambda.Architecture``."""
    name = architecture.name
    if name == "arm64":
        return "arm64"
    if name == "x86_64":
        return "x86_64"
    raise LambdaConstructsError("", "unknown Lambda architecture", value=name, fix="use ARM_64 or X86_64")


def glibc_minor(python_version: str) -> int:
    """Highest glibc 2.N of the Lambda OS for this Python: AL2023 (2.34) from 3.12, AL2 (2.26) before."""
    return 34 if _minor(python_version) >= 12 else 26


def platform_tags(python_version: str, architecture: Architecture) -> tuple[str, ...]:
    """pip ``--platform`` values for Lambda: ``manylinux2014_<m>`` and ``manylinux_2_17..2_N_<m>``.

    pip does not widen ``manylinux_2_N`` tags by itself, so every glibc level the Lambda OS satisfies
    is listed (newest first, which is also pip's preference order).
    """
    machine = machine_of(architecture)
    newest = glibc_minor(python_version)
    tags = [f"manylinux_2_{n}_{machine}" for n in range(newest, 16, -1)]
    tags.append(f"manylinux2014_{machine}")
    return tuple(tags)


def platform_label(python_version: str, architecture: Architecture) -> str:
    """Human-readable target, e.g. ``manylinux (glibc <= 2.34) aarch64, CPython 3.13``."""
    return f"manylinux (glibc <= 2.{glibc_minor(python_version)}) {machine_of(architecture)}, CPython {python_version}"


def _minor(python_version: str) -> int:
    match = _VERSION.match(python_version)
    if match is None:
        raise LambdaConstructsError(
            "", "Python version must look like '3.N'", value=python_version, fix="pass e.g. '3.13'"
        )
    return int(match.group(1))


def validate_python_version(python_version: str) -> str:
    """Return ``python_version`` if it looks like ``3.N``; raise otherwise."""
    _minor(python_version)
    return python_version
