"""Lambda SnapStart rules, checked at synth.

SnapStart (``snap_start=lambda_.SnapStartConf.ON_PUBLISHED_VERSIONS``) is supported on the managed
Java 11+, Python 3.12+ and .NET 8+ runtimes, on arm64 and x86_64. AWS rejects it on other runtimes,
OS-only (custom) runtimes and container images, and together with provisioned concurrency, Amazon EFS
or ephemeral storage above 512 MB. It applies only to published versions: on ``$LATEST`` it does
nothing (warning ``lambda-constructs:snapStartUnpublished``).
"""

from __future__ import annotations

import re

from aws_cdk import Size, Token
from aws_cdk import aws_lambda as lambda_
from constructs import IConstruct

from lambda_constructs.errors import fail

#: Family -> minimum version tuple with SnapStart.
MIN_VERSIONS: dict[str, tuple[int, ...]] = {"java": (11,), "python": (3, 12), "dotnet": (8,)}
_VERSION = re.compile(r"^(java|python|dotnet)(\d+(?:\.\d+)*)")
MAX_EPHEMERAL_MB = 512


def supports_snap_start(runtime_name: str) -> bool:
    """True for java11+, python3.12+ and dotnet8+ (including the ``.al2``/AL2023 variants)."""
    match = _VERSION.match(runtime_name)
    if match is None:
        return False
    version = tuple(int(part) for part in match.group(2).split("."))
    return version >= MIN_VERSIONS[match.group(1)]


def check_snap_start(
    scope: IConstruct,
    *,
    runtime_name: str,
    image: bool,
    filesystem: lambda_.FileSystem | None,
    ephemeral_storage: Size,
) -> None:
    """Raise where AWS refuses SnapStart (runtime, image, EFS, ephemeral storage)."""
    if image or not supports_snap_start(runtime_name):
        raise fail(
            scope,
            f"SnapStart is not supported on {'container images' if image else runtime_name}",
            value=runtime_name,
            fix="SnapStart needs a managed Java 11+, Python 3.12+ or .NET 8+ runtime; drop snap_start",
        )
    if filesystem is not None:
        raise fail(
            scope, "SnapStart cannot be combined with an EFS file system", value="filesystem", fix="drop one of them"
        )
    mebibytes = ephemeral_storage.to_mebibytes()
    if not Token.is_unresolved(mebibytes) and mebibytes > MAX_EPHEMERAL_MB:
        raise fail(
            scope,
            f"SnapStart allows at most {MAX_EPHEMERAL_MB} MB of ephemeral storage",
            value=mebibytes,
            fix="set ephemeral_storage_size=Size.mebibytes(512) or drop snap_start",
        )


def provisioned_aliases(fn_scope: IConstruct) -> list[str]:
    """Paths of the aliases/versions under ``fn_scope`` with provisioned concurrency."""
    found: list[str] = []
    for child in fn_scope.node.find_all():
        if (
            isinstance(child, lambda_.CfnAlias | lambda_.CfnVersion)
            and child.provisioned_concurrency_config is not None
        ):
            found.append(child.node.path)
    return found


def check_no_provisioned_concurrency(scope: IConstruct) -> None:
    """Raise when an alias or version of the function has provisioned concurrency."""
    found = provisioned_aliases(scope)
    if found:
        raise fail(
            scope,
            "SnapStart cannot be combined with provisioned concurrency",
            value=found,
            fix="drop provisioned concurrency on these aliases, or drop snap_start",
        )
