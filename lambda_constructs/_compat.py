"""Features that depend on the installed aws-cdk-lib or cdk-nag version (the supported range in one place).

The library supports ``aws-cdk-lib >= 2.220.0, < 3`` (pyproject.toml; ``make test-floor`` runs the unit tests
against the floor, requirements-floor.txt). Everything the library's constructs use exists at the floor; the
features below came later and are looked up here, so an app on an older aws-cdk-lib gets the library's own
error naming the version that brings the feature, instead of an ImportError from deep inside the library.

Each version was read from the aws-cdk-lib / cdk-nag wheels on PyPI (the first release whose Python bindings
have the name); docs/compatibility.md has the table and how it was found.
"""

from __future__ import annotations

import importlib.util
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from lambda_constructs.errors import LambdaConstructsError

#: The oldest aws-cdk-lib the library supports (pyproject.toml's floor, tested by ``make test-floor``).
CDK_FLOOR = "2.220.0"


@dataclass(frozen=True, kw_only=True)
class Feature:
    """A feature newer than the floor.

    Attributes:
        name: what the feature is, as the error names it.
        package: the PyPI package that brings it (``aws-cdk-lib`` or ``cdk-nag``).
        version: the first version of ``package`` that has it.
        source: where that is recorded (release notes or pull request).
    """

    name: str
    package: str
    version: str
    source: str


#: ``Validations.of(scope).acknowledge(Acknowledgment(...))``: acknowledging a validation plugin's finding
#: (``Validations`` itself, with only ``add_plugins``, is in 2.251.0; ``acknowledge`` came one release later).
VALIDATIONS = Feature(
    name="aws_cdk.Validations.acknowledge and aws_cdk.Acknowledgment",
    package="aws-cdk-lib",
    version="2.252.0",
    source="https://github.com/aws/aws-cdk/pull/37611, https://github.com/aws/aws-cdk/pull/37668",
)

#: cdk-nag 3: the packs are CDK validation plugins that read ``Validations`` acknowledgements (needs aws-cdk-lib
#: 2.257.0, cdk-nag 3.0.0's declared minimum).
NAG_PLUGINS = Feature(
    name="the five cdk-nag packs as validation plugins (compliance.add_compliance_packs)",
    package="cdk-nag",
    version="3.0.0",
    source="cdk-nag 3.0.0 on PyPI (Requires-Dist: aws-cdk-lib>=2.257.0)",
)


class UnsupportedVersionError(LambdaConstructsError):
    """A feature the installed aws-cdk-lib or cdk-nag does not have; the message names the version that does."""


def parse(version: str) -> tuple[int, ...]:
    """``(2, 220, 0)`` for ``'2.220.0'`` (a pre-release or local suffix of a part is dropped)."""
    parts: list[int] = []
    for part in version.split("."):
        digits = re.match(r"\d+", part)
        if digits is None:
            break
        parts.append(int(digits.group(0)))
    return tuple(parts)


def _jsii_version(module: Any, npm_name: str) -> str:
    """The version of a jsii package from its bundled assembly (``_jsii/<name>@<version>.jsii.tgz``);
    ``module``: the package, or the path of its ``__init__.py``."""
    init = module if isinstance(module, str) else module.__file__
    tarball = next((Path(init).parent / "_jsii").glob(f"{npm_name}@*.jsii.tgz"))
    return tarball.name.removeprefix(f"{npm_name}@").removesuffix(".jsii.tgz")


@cache
def installed(package: str) -> str | None:
    """The installed version of ``aws-cdk-lib`` or ``cdk-nag`` (read from the assembly jsii loads).

    ``None`` when cdk-nag is not installed (it is the optional ``compliance`` extra); raises ``KeyError``
    for any other package name.
    """
    if package == "aws-cdk-lib":
        import aws_cdk

        return _jsii_version(aws_cdk, "aws-cdk-lib")
    if package == "cdk-nag":
        # Located, not imported: importing cdk_nag makes Node load its assembly (≈ 0.25 s), which an app
        # that attaches no pack never needs (every acknowledgement asks for the version, issue #21).
        spec = importlib.util.find_spec("cdk_nag")
        if spec is None or spec.origin is None:
            return None
        return _jsii_version(spec.origin, "cdk-nag")
    raise KeyError(package)


def has(feature: Feature) -> bool:
    """True when ``feature.package`` is installed at ``feature.version`` or newer."""
    version = installed(feature.package)
    return version is not None and parse(version) >= parse(feature.version)


def require(feature: Feature, path: str, use: str, *, fix: str = "") -> None:
    """Raise :class:`UnsupportedVersionError` for ``use`` at construct ``path`` unless ``feature`` is installed."""
    if has(feature):
        return
    raise UnsupportedVersionError(
        path,
        f"{use} needs {feature.name}, which {feature.package} has from {feature.version} on "
        f"({feature.source}); this app has {feature.package} {installed(feature.package) or '(not installed)'}",
        fix=fix or f"upgrade to {feature.package}>={feature.version}",
    )


#: ``App(builtin_cloud_formation_validation=...)``: CDK's built-in CloudFormation validation at synth.
BUILTIN_VALIDATION = Feature(
    name="App(builtin_cloud_formation_validation=...) (CDK's built-in CloudFormation validation)",
    package="aws-cdk-lib",
    version="2.275.0",
    source="https://github.com/aws/aws-cdk/pull/38135",
)


def builtin_validation_kwargs(enabled: bool) -> dict[str, bool]:
    """``{"builtin_cloud_formation_validation": enabled}`` for ``cdk.App(**...)`` where the installed App has it.

    Older aws-cdk-lib has no built-in validation (so nothing to turn off) and rejects the keyword: ``{}``.
    """
    return {"builtin_cloud_formation_validation": enabled} if has(BUILTIN_VALIDATION) else {}


def egress_cidrs(peer: Any) -> set[str | None]:
    """The IPv4 and IPv6 CIDR of ``peer``'s egress rule (``None`` for a family the rule does not name).

    ``IPeer.to_egress_rule_config()`` returns a typed ``EgressRuleConfig`` in newer aws-cdk-lib (2.274.0 has it)
    and a plain mapping (``{"cidrIp": "0.0.0.0/0"}``) at the floor (2.220.0); both are read here.
    """
    config = peer.to_egress_rule_config()
    if isinstance(config, dict):
        return {config.get("cidrIp"), config.get("cidrIpv6")}
    return {config.cidr_ip, config.cidr_ipv6}


#: Every feature above, oldest first (docs/compatibility.md lists each; tests/unit/test_compat.py checks them).
FEATURES: tuple[Feature, ...] = (VALIDATIONS, NAG_PLUGINS, BUILTIN_VALIDATION)
