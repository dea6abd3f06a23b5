"""Versions, aliases and the Dev/Stage/Prod promotion pattern, driven by a reviewable release file.

See docs/promotion.md. The CLI (``python -m lambda_constructs release|promote|rollback|status``)
lives in :mod:`lambda_constructs.releases.cli`.
"""

from lambda_constructs.releases.fingerprint import changed_parts, fingerprint, function_parts
from lambda_constructs.releases.record import (
    AliasSpec,
    FunctionReleases,
    Release,
    ReleaseRecord,
    load_record,
    parse_record,
)
from lambda_constructs.releases.synth import AliasDeployment, FunctionReleaseSet, apply_releases

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
