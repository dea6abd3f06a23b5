"""Fingerprints: what a release publishes, as a sha256 over the code asset hash and configuration.

The parts are read from the function's synthesized CloudFormation properties (resolved), so the
fingerprint changes exactly when the function the next deploy creates would differ:
``code`` (the asset hash CDK computes from the code folder, or a hash of inline code), ``runtime``,
``handler``, ``architecture``, ``memory``, ``timeout``, ``ephemeral_storage``, ``environment`` and
``layers`` (hashes, of each layer's content asset when the layer is in the same stack: the file stays
readable and holds no environment values).
"""

from __future__ import annotations

import hashlib
import json
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # the CLI imports this module and must start without aws_cdk
    from aws_cdk import aws_lambda as lambda_

#: Metadata key on the AWS::Lambda::Function resource; the CLI reads it from the cloud assembly.
METADATA_KEY = "lambda-constructs:release"
#: The parts in report order.
PARTS = (
    "code",
    "runtime",
    "handler",
    "architecture",
    "memory",
    "timeout",
    "ephemeral_storage",
    "environment",
    "layers",
)


def _digest(value: Any) -> str:
    return "sha256:" + hashlib.sha256(json.dumps(value, sort_keys=True, default=str).encode()).hexdigest()


def function_parts(fn: lambda_.Function) -> dict[str, Any]:
    """The fingerprinted parts of ``fn`` as they are now (resolved CloudFormation values)."""
    from aws_cdk import Stack
    from aws_cdk import aws_lambda as lambda_

    cfn = fn.node.default_child
    assert isinstance(cfn, lambda_.CfnFunction)
    # The rendered properties (the public getters return struct copies that lose lazy values).
    props: dict[str, Any] = Stack.of(fn).resolve(cfn._cfn_properties)
    code = props.get("code") or {}
    key = code.get("s3Key") if isinstance(code, dict) else None
    code_part = "asset:" + key.removesuffix(".zip") if isinstance(key, str) else _digest(code)
    environment = (props.get("environment") or {}).get("variables") or {}
    return {
        "code": code_part,
        "runtime": props.get("runtime"),
        "handler": props.get("handler"),
        "architecture": ",".join(props.get("architectures") or ["x86_64"]),
        "memory": props.get("memorySize") or 128,
        "timeout": props.get("timeout") or 3,
        "ephemeral_storage": (props.get("ephemeralStorage") or {}).get("size") or 512,
        "environment": _digest(environment)[:23],
        "layers": _digest(_layer_contents(fn, props.get("layers") or []))[:23],
    }


def _layer_contents(fn: lambda_.Function, layers: list[Any]) -> list[Any]:
    """The layers with each ``Ref`` to a layer version of this stack replaced by its content's asset key.

    A layer version keeps its logical id while its content changes (CloudFormation publishes a new
    version), so the reference alone would not show that the function now runs other layer code.
    """
    from aws_cdk import Stack
    from aws_cdk import aws_lambda as lambda_

    from lambda_constructs._jsii_speed import find_resources

    if not any(isinstance(layer, dict) and "Ref" in layer for layer in layers):
        return layers
    stack = Stack.of(fn)
    contents: dict[str, Any] = {}
    # only the stack's layer versions cross to Python (once per function with releases: not the whole stack)
    for construct in find_resources(stack, "AWS::Lambda::LayerVersion"):
        if isinstance(construct, lambda_.CfnLayerVersion) and Stack.of(construct) is stack:
            content = stack.resolve(construct.content)
            key = content.get("s3Key") if isinstance(content, dict) else None
            contents[stack.resolve(construct.logical_id)] = "asset:" + key.removesuffix(".zip") if key else content
    return [
        contents.get(layer["Ref"], layer) if isinstance(layer, dict) and "Ref" in layer else layer for layer in layers
    ]


def fingerprint(parts: dict[str, Any]) -> str:
    """The sha256 over ``parts`` (canonical JSON)."""
    return _digest({name: parts.get(name) for name in PARTS})


def changed_parts(recorded: dict[str, Any], current: dict[str, Any]) -> list[str]:
    """Names of the parts that differ (all parts when nothing was recorded)."""
    if not recorded:
        return list(PARTS)
    return [name for name in PARTS if recorded.get(name) != current.get(name)]


def short(fp: str | None) -> str:
    """``sha256:0123456789ab`` (12 hex digits), for tables and messages."""
    return fp[:19] if fp else "-"
