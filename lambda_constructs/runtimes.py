"""Runtime defaults and handler forms.

The default runtime of each language is the newest one that the installed aws-cdk-lib knows, found
by scanning ``aws_lambda.Runtime`` rather than hard-coding a version, so upgrading aws-cdk-lib moves
functions to the newest runtime.
"""

from __future__ import annotations

import re
from functools import cache

from aws_cdk import aws_lambda as lambda_

from lambda_constructs._jsii_speed import RUNTIME_NAMES, read_once

_VERSIONED = re.compile(r"^(PYTHON|NODEJS|JAVA|DOTNET)_(\d+(?:_\d+)*)(?:_X)?$")

#: Handler forms per runtime family: (regex, human description).
HANDLER_FORMS: dict[str, tuple[re.Pattern[str], str]] = {
    "python": (
        re.compile(r"^(?:[A-Za-z0-9_-]+/)*[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*\.[A-Za-z_]\w*$"),
        "module.function (for example 'app.handler' or 'pkg/app.handler')",
    ),
    "nodejs": (
        re.compile(r"^(?:[A-Za-z0-9_.-]+/)*[A-Za-z0-9_-]+(?:\.[A-Za-z0-9_-]+)*\.[A-Za-z_$][\w$]*$"),
        "file.export (for example 'index.handler')",
    ),
    "java": (
        re.compile(r"^[A-Za-z_][\w.$]*(?:::[A-Za-z_]\w*)?$"),
        "package.Class::method (for example 'example.Handler::handleRequest')",
    ),
    "dotnet": (re.compile(r"^[^:]+::[^:]+::[^:]+$"), "Assembly::Namespace.Class::Method"),
    "provided": (re.compile(r"^.{1,128}$"), "any name up to 128 characters (passed to bootstrap)"),
}

#: Default handler per family when the user does not name one.
DEFAULT_HANDLERS: dict[str, str] = {
    "python": "app.handler",
    "nodejs": "index.handler",
    "provided": "bootstrap",
}


def runtime_name(runtime: lambda_.Runtime) -> str:
    """``runtime.name`` (e.g. ``python3.14``), read once per runtime object (``_jsii_speed.RUNTIME_NAMES``)."""
    return read_once(RUNTIME_NAMES, runtime, _name)


def _name(runtime: lambda_.Runtime) -> str:
    name: str = runtime.name
    return name


def family_of(runtime: lambda_.Runtime) -> str:
    """'python', 'nodejs', 'java', 'dotnet' or 'provided' for a runtime."""
    name = runtime_name(runtime)
    for prefix, family in (
        ("python", "python"),
        ("nodejs", "nodejs"),
        ("java", "java"),
        ("dotnet", "dotnet"),
        ("provided", "provided"),
    ):
        if name.startswith(prefix):
            return family
    return "provided"


def _candidates(prefix: str) -> list[str]:
    """``lambda_.Runtime`` attribute names of ``prefix``, newest version first (names only, no runtime object)."""
    versions: list[tuple[tuple[int, ...], str]] = []
    for attr in dir(lambda_.Runtime):
        match = _VERSIONED.match(attr)
        if match and match.group(1) == prefix:
            versions.append((tuple(int(part) for part in match.group(2).split("_")), attr))
    return [attr for _, attr in sorted(versions, reverse=True)]


def latest(prefix: str) -> lambda_.Runtime:
    """The newest runtime aws-cdk-lib knows for ``prefix`` ('PYTHON', 'NODEJS', 'JAVA', 'DOTNET').

    One shared object per prefix (runtimes are immutable).
    """
    return _latest_runtime(prefix.upper())


@cache
def _latest_runtime(prefix: str) -> lambda_.Runtime:
    """The newest non-variable runtime: reads runtime objects from the newest down (usually just one)."""
    for attr in _candidates(prefix):
        runtime: lambda_.Runtime = getattr(lambda_.Runtime, attr)
        if not runtime.is_variable:
            return runtime
    raise ValueError(f"aws-cdk-lib knows no {prefix} runtime")


def latest_python() -> lambda_.Runtime:
    """The newest Python runtime known to aws-cdk-lib (the library's default runtime)."""
    return latest("PYTHON")


def latest_nodejs() -> lambda_.Runtime:
    """The newest Node.js runtime known to aws-cdk-lib."""
    return latest("NODEJS")


def python_version(runtime: lambda_.Runtime) -> str:
    """'3.14' for python3.14."""
    return runtime_name(runtime).removeprefix("python")
