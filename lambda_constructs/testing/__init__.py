"""Snapshot testing for apps built with lambda_constructs: templates without volatile values.

A synthesized template holds values that change with edits unrelated to the stack under test: the
SHA-256 asset hashes in the S3 keys of bundled code (``<hash>.zip``), in ``aws:asset:path`` metadata
and in the library's release fingerprints (``sha256:<hash>``); the MD5 suffix aws-cdk-lib gives the
logical id of ``Function.current_version`` (``…CurrentVersion<8 hex><32 hex>``); and the compressed
construct list of the ``CDKMetadata`` resource. :func:`stable_template` replaces each with a fixed
placeholder, so a snapshot changes only when the template really changes::

    from lambda_constructs.testing import stable_template

    def test_shop(snapshot):                       # syrupy's fixture
        assert stable_template(ShopStack(cdk.App(), "Shop")) == snapshot

With syrupy, the ``template_snapshot`` fixture of :mod:`lambda_constructs.testing.pytest_plugin`
(``pytest_plugins = ["lambda_constructs.testing.pytest_plugin"]`` in ``conftest.py``) stores each
stack as one JSON file through :class:`StableTemplateExtension`. syrupy is not a dependency of the
library: it is imported only when the extension or the fixture is used.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import aws_cdk

#: Placeholder of a SHA-256 asset hash (S3 key, asset path, fingerprint, image tag).
ASSET_HASH = "<asset-hash>"
#: Placeholder of the MD5 suffix of a ``current_version`` logical id.
VERSION_HASH = "<version-hash>"
#: Placeholder of the ``Analytics`` property of the ``CDKMetadata`` resource.
CDK_ANALYTICS = "<cdk-analytics>"
#: Placeholder of the bootstrap qualifier (``bootstrap=True``).
QUALIFIER = "<qualifier>"
#: Placeholder of the ``CheckBootstrapVersion`` rule (``bootstrap=True``).
BOOTSTRAP_RULE = "<cdk-bootstrap-version-rule>"

# CDK asset hashes are lowercase hex SHA-256 (aws-cdk-lib AssetStaging, AssetHashType.SOURCE/OUTPUT).
_SHA256 = re.compile(r"[0-9a-f]{64}")
# aws-cdk-lib Function.current_version: logical id "<name>CurrentVersion<8 hex path hash><32 hex md5 of the config>".
_CURRENT_VERSION = re.compile(r"(CurrentVersion[0-9A-F]{8})[0-9a-f]{32}")
# DefaultStackSynthesizer names: SSM parameter /cdk-bootstrap/<qualifier>/version and cdk-<qualifier>-<resource>
# (qualifier: at most 10 alphanumerics, `cdk bootstrap --qualifier`).
_BOOTSTRAP_PARAMETER = re.compile(r"/cdk-bootstrap/[A-Za-z0-9]{1,10}/")
_BOOTSTRAP_NAME = re.compile(
    r"cdk-[A-Za-z0-9]{1,10}-(assets|container-assets|deploy-role|cfn-exec-role|file-publishing-role|"
    r"image-publishing-role|lookup-role)"
)


def stable_template(source: aws_cdk.Stack | Mapping[str, Any], *, bootstrap: bool = False) -> dict[str, Any]:
    """The CloudFormation template of ``source`` with its volatile values replaced by placeholders.

    Args:
        source: a stack (synthesized through ``aws_cdk.assertions.Template.from_stack``) or a template
            already loaded as a dict (e.g. ``json.load`` of ``cdk.out/<stack>.template.json``).
        bootstrap: also replace the bootstrap qualifier in the ``BootstrapVersion`` parameter and
            the bootstrap bucket and role names (``<qualifier>``), and the ``CheckBootstrapVersion``
            rule (its list of rejected versions changes when aws-cdk-lib requires a newer bootstrap
            stack). Use it when one snapshot must hold for several qualifiers or CDK versions.
            @default False: the qualifier is chosen by the project (cdk.json) and the same in CI.

    Returns:
        A new dict (keys sorted); ``source`` is not modified. Replaced: every 64-hex SHA-256 value
        (asset keys ``<hash>.zip``, ``asset.<hash>`` paths, ``sha256:<hash>`` fingerprints, image
        tags) by ``<asset-hash>``; the MD5 suffix of ``…CurrentVersion`` logical ids and references by
        ``<version-hash>``; ``CDKMetadata``'s ``Analytics`` by ``<cdk-analytics>``.

    Raises:
        TypeError: ``source`` is neither a stack nor a mapping.
    """
    template = _template_of(source)
    text = json.dumps(template, sort_keys=True)
    text = _SHA256.sub(ASSET_HASH, text)
    text = _CURRENT_VERSION.sub(lambda match: match.group(1) + VERSION_HASH, text)
    if bootstrap:
        text = _BOOTSTRAP_PARAMETER.sub(f"/cdk-bootstrap/{QUALIFIER}/", text)
        text = _BOOTSTRAP_NAME.sub(lambda match: f"cdk-{QUALIFIER}-{match.group(1)}", text)
    result: dict[str, Any] = json.loads(text)
    metadata = result.get("Resources", {}).get("CDKMetadata", {})
    if metadata.get("Type") == "AWS::CDK::Metadata" and "Analytics" in metadata.get("Properties", {}):
        metadata["Properties"]["Analytics"] = CDK_ANALYTICS
    if bootstrap and "CheckBootstrapVersion" in result.get("Rules", {}):
        result["Rules"]["CheckBootstrapVersion"] = BOOTSTRAP_RULE
    return result


def _template_of(source: object) -> dict[str, Any]:
    if isinstance(source, Mapping):
        return dict(source)
    from aws_cdk import Stack  # imported here: stable_template of a dict needs no jsii kernel

    if isinstance(source, Stack):
        from aws_cdk.assertions import Template

        return dict(Template.from_stack(source).to_json())
    raise TypeError(f"stable_template expects an aws_cdk.Stack or a template dict, got {type(source).__name__}")


def __getattr__(name: str) -> Any:
    """``StableTemplateExtension`` is defined on first use, so that syrupy stays optional."""
    if name == "StableTemplateExtension":
        from lambda_constructs.testing.snapshot import StableTemplateExtension

        return StableTemplateExtension
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = [
    "ASSET_HASH",
    "BOOTSTRAP_RULE",
    "CDK_ANALYTICS",
    "QUALIFIER",
    "VERSION_HASH",
    "StableTemplateExtension",
    "stable_template",
]
