"""Shared test helpers: apps with the project's feature flags, and cdk-nag findings."""

from __future__ import annotations

import json
import tempfile
from functools import cache
from pathlib import Path
from typing import Any

import aws_cdk as cdk
import pytest

from lambda_constructs import _compat
from lambda_constructs.compliance import add_compliance_packs

ROOT = Path(__file__).resolve().parent.parent


@cache
def feature_flags() -> dict[str, Any]:
    """The context (feature flags) of cdk.json, so tests synthesize what `make synth` does."""
    context: dict[str, Any] = json.loads((ROOT / "cdk.json").read_text())["context"]
    return context


def new_app(*, nag: bool = False, outdir: str | None = None, validation: bool = False) -> cdk.App:
    """An App with cdk.json's feature flags; ``nag=True`` attaches the five cdk-nag packs.

    CDK's built-in CloudFormation validation is off unless ``validation=True``: loading it costs ≈ 3.5 s of
    CPU per process with the venv's Node 24 (≈ 19 s was measured with Node 20 under load) and cfn-lint checks
    every example template anyway; the consumer gate keeps it on (docs/performance.md). On an aws-cdk-lib
    older than cdk-nag 3 supports (``make test-floor``), ``nag=True`` skips the test, naming the version.
    """
    if nag:
        skip_unless(_compat.NAG_PLUGINS)
    app = cdk.App(
        context=feature_flags(),
        outdir=outdir or tempfile.mkdtemp(prefix="cdkout-"),
        **_compat.builtin_validation_kwargs(validation),
    )
    if nag:
        add_compliance_packs(app)
    return app


def skip_unless(feature: _compat.Feature) -> None:
    """Skip the calling test when the installed package is older than ``feature`` needs (the floor job)."""
    if not _compat.has(feature):
        pytest.skip(
            f"needs {feature.package}>={feature.version} ({feature.name}); "
            f"installed {feature.package} {_compat.installed(feature.package)}"
        )


def new_stack(app: cdk.App | None = None, name: str = "TestStack", **kwargs: Any) -> cdk.Stack:
    """A stack in a fresh app (env-agnostic unless ``env=`` is given)."""
    return cdk.Stack(app or new_app(), name, **kwargs)


def nag_findings(app: cdk.App) -> list[str]:
    """Synthesize ``app`` (created with ``nag=True``) and return its unacknowledged findings.

    Each finding reads ``RuleId at /construct/path``; an empty list means all five packs passed.
    """
    try:
        assembly = app.synth()
        report_dir = Path(assembly.directory)
    except Exception:  # a failing validation raises; the report is still written to outdir
        report_dir = Path(app.outdir)
    report = json.loads((report_dir / "validation-report.json").read_text())
    findings: list[str] = []
    for plugin in report.get("pluginReports", []):
        for violation in plugin.get("violations", []):
            for construct in violation.get("violatingConstructs", []):
                findings.append(f"{violation['ruleName']} at {construct['constructPath']}")
    return sorted(findings)


#: The runtime the repo's release files (releases.json, docs/examples/*) were recorded with: their
#: fingerprints include the function's runtime (the newest Python aws-cdk-lib 2.222.0+ knows).
RECORDED_PYTHON = "python3.14"


def skip_unless_recorded_runtime(what: str) -> None:
    """Skip when the installed aws-cdk-lib's default Python runtime is not the one ``what`` (a release file
    of this repo) recorded its fingerprints with: on the floor (``make test-floor``, aws-cdk-lib 2.220.0,
    default python3.13) every recorded release has drifted, which is the library working as designed."""
    from lambda_constructs.runtimes import latest_python

    name = latest_python().name
    if name != RECORDED_PYTHON:
        pytest.skip(
            f"{what} records fingerprints of {RECORDED_PYTHON} functions (aws-cdk-lib >= 2.222.0); "
            f"the installed aws-cdk-lib {_compat.installed('aws-cdk-lib')} defaults to {name}"
        )
