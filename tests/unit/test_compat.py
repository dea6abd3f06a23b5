"""lambda_constructs._compat: each recorded version agrees with the installed aws-cdk-lib (both ends of the range).

``make test`` runs these on the pinned newest versions and ``make test-floor`` on the floor, so a version in
the feature table (and docs/compatibility.md) that is wrong for either end fails one of the two jobs.
"""

from __future__ import annotations

import inspect
from importlib import metadata

import aws_cdk as cdk
import pytest
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_lambda as lambda_

from lambda_constructs import _compat
from lambda_constructs.compliance import add_compliance_packs
from lambda_constructs.errors import LambdaConstructsError
from lambda_constructs.runtimes import latest_nodejs, latest_python
from tests.helpers import ROOT

cdk_version = _compat.parse(metadata.version("aws-cdk-lib"))


def test_parse_reads_release_and_pre_release_versions() -> None:
    assert _compat.parse("2.220.0") == (2, 220, 0)
    assert _compat.parse("3.0.0rc1") == (3, 0, 0)
    assert _compat.parse("2.37.50.post1") == (2, 37, 50)
    assert _compat.parse("2.275.0") > _compat.parse("2.220.0") > _compat.parse("2.37.50")


def test_installed_version_is_the_distribution_version() -> None:
    assert _compat.installed("aws-cdk-lib") == metadata.version("aws-cdk-lib")
    assert _compat.parse(metadata.version("aws-cdk-lib")) >= _compat.parse(_compat.CDK_FLOOR)


def test_the_floor_is_pyprojects_and_requirements_floors() -> None:
    assert f'"aws-cdk-lib>={_compat.CDK_FLOOR},<3"' in (ROOT / "pyproject.toml").read_text()
    assert f"aws-cdk-lib=={_compat.CDK_FLOOR}\n" in (ROOT / "requirements-floor.txt").read_text()


def test_validations_acknowledge_exists_exactly_from_its_recorded_version() -> None:
    present = hasattr(cdk, "Validations") and hasattr(cdk.Validations, "acknowledge") and hasattr(cdk, "Acknowledgment")
    assert present == (cdk_version >= _compat.parse(_compat.VALIDATIONS.version)) == _compat.has(_compat.VALIDATIONS)


def test_builtin_validation_keyword_is_passed_exactly_where_app_has_it() -> None:
    accepts = "builtin_cloud_formation_validation" in inspect.signature(cdk.App.__init__).parameters
    assert accepts == (cdk_version >= _compat.parse(_compat.BUILTIN_VALIDATION.version))
    assert _compat.builtin_validation_kwargs(False) == (
        {"builtin_cloud_formation_validation": False} if accepts else {}
    )
    cdk.App(**_compat.builtin_validation_kwargs(False))  # accepted by the installed App


@pytest.mark.parametrize(
    ("attribute", "version"),
    [("PYTHON_3_13", "2.220.0"), ("PYTHON_3_14", "2.222.0"), ("NODEJS_22_X", "2.220.0"), ("NODEJS_24_X", "2.224.0")],
)
def test_runtime_versions_of_the_docs_table(attribute: str, version: str) -> None:
    """docs/compatibility.md's runtime rows: present from that version (the floor has all with 2.220.0)."""
    assert hasattr(lambda_.Runtime, attribute) == (cdk_version >= _compat.parse(version))
    assert f"{attribute}` | {version}" in (ROOT / "docs" / "compatibility.md").read_text()


def test_default_runtimes_are_the_newest_the_installed_aws_cdk_lib_knows() -> None:
    newest_python = "python3.14" if cdk_version >= _compat.parse("2.222.0") else "python3.13"
    newest_node = "nodejs24.x" if cdk_version >= _compat.parse("2.224.0") else "nodejs22.x"
    assert (latest_python().name, latest_nodejs().name) == (newest_python, newest_node)


def test_every_feature_is_in_the_docs_table() -> None:
    docs = (ROOT / "docs" / "compatibility.md").read_text()
    for feature in _compat.FEATURES:
        assert f"{feature.package} {feature.version}" in docs, feature


def test_require_names_the_version_that_brings_the_feature() -> None:
    future = _compat.Feature(name="a future thing", package="aws-cdk-lib", version="2.999.0", source="release notes")
    with pytest.raises(_compat.UnsupportedVersionError) as raised:
        _compat.require(future, "App/Stack/Fn", "thing=True")
    message = str(raised.value)
    assert message.startswith("App/Stack/Fn: thing=True needs a future thing, which aws-cdk-lib has from 2.999.0 on")
    assert f"this app has aws-cdk-lib {metadata.version('aws-cdk-lib')}" in message
    assert message.endswith("Fix: upgrade to aws-cdk-lib>=2.999.0")
    assert isinstance(raised.value, LambdaConstructsError) and isinstance(raised.value, ValueError)
    _compat.require(_compat.Feature(name="old", package="aws-cdk-lib", version="2.0.0", source="-"), "", "old")


def test_add_compliance_packs_needs_cdk_nag_3(monkeypatch: pytest.MonkeyPatch) -> None:
    real = _compat.installed
    monkeypatch.setattr(_compat, "installed", lambda package: "2.37.50" if package == "cdk-nag" else real(package))
    with pytest.raises(_compat.UnsupportedVersionError, match=r"cdk-nag has from 3\.0\.0 on .* cdk-nag 2\.37\.50"):
        add_compliance_packs(cdk.App(**_compat.builtin_validation_kwargs(False)))


def test_egress_cidrs_reads_the_peers_rule() -> None:
    assert _compat.egress_cidrs(ec2.Peer.any_ipv4()) == {"0.0.0.0/0", None}
    assert _compat.egress_cidrs(ec2.Peer.any_ipv6()) == {None, "::/0"}
    assert _compat.egress_cidrs(ec2.Peer.prefix_list("pl-12345678")) == {None}
