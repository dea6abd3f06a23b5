"""Versions, aliases and the Dev/Stage/Prod promotion pattern, driven by a reviewable release file.

See docs/promotion.md. The CLI (``python -m lambda_constructs release|promote|rollback|status``)
lives in :mod:`lambda_constructs.releases.cli`. Names are imported lazily, so the CLI starts without
loading aws_cdk (a second instead of several).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from lambda_constructs._lazy import LazyExports
from lambda_constructs.releases.fingerprint import changed_parts, fingerprint, function_parts
from lambda_constructs.releases.record import (
    AliasSpec,
    FunctionReleases,
    Release,
    ReleaseRecord,
    TargetState,
    load_record,
    parse_record,
)

if TYPE_CHECKING:
    from lambda_constructs.releases.synth import AliasDeployment, FunctionReleaseSet, apply_releases

_MODULES = {"AliasDeployment": "synth", "FunctionReleaseSet": "synth", "apply_releases": "synth"}

__all__ = [
    "AliasDeployment",
    "AliasSpec",
    "FunctionReleaseSet",
    "FunctionReleases",
    "Release",
    "ReleaseRecord",
    "TargetState",
    "apply_releases",
    "changed_parts",
    "fingerprint",
    "function_parts",
    "load_record",
    "parse_record",
]


_LAZY = LazyExports(globals(), {name: f"{__name__}.{module}" for name, module in _MODULES.items()})


def __getattr__(name: str) -> Any:
    return _LAZY.load(name)


def __dir__() -> list[str]:
    return _LAZY.names()
