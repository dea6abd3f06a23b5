"""Versions, aliases and the Dev/Stage/Prod promotion pattern, driven by a reviewable release file.

See docs/promotion.md. The CLI (``python -m lambda_constructs release|promote|rollback|status``)
lives in :mod:`lambda_constructs.releases.cli`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from lambda_constructs.releases.fingerprint import changed_parts, fingerprint, function_parts
from lambda_constructs.releases.record import (
    AliasSpec,
    FunctionReleases,
    Release,
    ReleaseRecord,
    load_record,
    parse_record,
)

if TYPE_CHECKING:
    from lambda_constructs.releases.synth import AliasDeployment, FunctionReleaseSet, apply_releases

#: Loaded on first use (PEP 562): the synth part imports aws_codedeploy and aws_cloudwatch, which a
#: function without a release file never needs.
_SYNTH_NAMES = frozenset({"AliasDeployment", "FunctionReleaseSet", "apply_releases"})


def __getattr__(name: str) -> Any:
    if name not in _SYNTH_NAMES:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    from lambda_constructs.releases import synth

    value = getattr(synth, name)
    globals()[name] = value
    return value


__all__ = [
    "AliasDeployment",
    "AliasSpec",
    "FunctionReleaseSet",
    "FunctionReleases",
    "Release",
    "ReleaseRecord",
    "apply_releases",
    "changed_parts",
    "fingerprint",
    "function_parts",
    "load_record",
    "parse_record",
]
