"""Find a Lambda function in a synthesized cloud assembly (``cdk.out``) and read its configuration.

``STACK/FUNCTION`` names the function: STACK is a stack's display name, artifact id or stack name;
FUNCTION is its construct path under the stack (``Orders``, ``Orders/Function``,
``Orders/Function/Resource``) or its CloudFormation logical id. Construct paths come from the
``aws:cdk:path`` resource metadata or, when the app was synthesized without the CDK CLI, from the
stack's ``aws:cdk:logicalId`` manifest metadata. Asset directories come from the
``aws:asset:path`` resource metadata or, failing that, from the asset manifest entry whose object
key matches the template's ``S3Key``.
"""

from __future__ import annotations

import json
import warnings
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from lambda_constructs.assembly import MANIFEST, StackArtifact, read_stacks
from lambda_constructs.errors import LambdaConstructsError

DEFAULT_REGION = "us-east-1"
DEFAULT_ACCOUNT = "123456789012"
DEFAULT_TIMEOUT_S = 3
DEFAULT_MEMORY_MB = 128


@dataclass(frozen=True)
class SynthesizedAlias:
    """An ``AWS::Lambda::Alias`` pointing at the function, as the template declares it (was ``AliasSpec``,
    the name of the release file's alias entry, :class:`lambda_constructs.releases.AliasSpec`)."""

    name: str
    """The alias name (``live``, ``Prod``…)."""
    logical_id: str
    """Logical id of the ``AWS::Lambda::Alias`` resource."""
    version: str | None
    """The target version when the template states it literally; ``None`` when only known after deploy."""


@dataclass(frozen=True)
class FunctionSpec:
    """Everything a local invoke needs to know about one ``AWS::Lambda::Function``."""

    stack: str
    """Display name of the stack holding the function."""
    construct_path: str
    """Construct path inside the stack (the logical id when the template has no path metadata)."""
    logical_id: str
    """Logical id of the ``AWS::Lambda::Function`` resource."""
    function_name: str
    """``FunctionName`` when the template states it, else ``<stack>-<logical id>``."""
    handler: str
    """The ``Handler`` property (empty for image functions)."""
    runtime: str
    """The ``Runtime`` property, e.g. ``python3.13`` (empty for image functions)."""
    timeout_s: int
    """Timeout in seconds (Lambda's default, 3, when the template omits it)."""
    memory_mb: int
    """Memory size in MB (Lambda's default, 128, when the template omits it)."""
    region: str
    """Region of the stack's environment (``DEFAULT_REGION`` when environment-agnostic)."""
    account: str
    """Account of the stack's environment (``DEFAULT_ACCOUNT`` when environment-agnostic)."""
    code_path: Path | None
    """The code asset (directory, or a ``.zip`` file); ``None`` for inline or image code."""
    layer_paths: tuple[Path, ...] = ()
    """Layer assets of this assembly, in the function's order. Default: no layers."""
    environment: Mapping[str, str] = field(default_factory=dict)
    """Variables whose values are literal strings. Default: none."""
    unresolved_environment: Mapping[str, Any] = field(default_factory=dict)
    """Variables whose values are CloudFormation intrinsics (Ref, Fn::GetAtt, Fn::Join…): set with --env. Default: none."""
    unresolved_layers: tuple[str, ...] = ()
    """Layers that are not assets of this assembly (external ARNs or tokens); not on PYTHONPATH. Default: none."""
    aliases: Mapping[str, SynthesizedAlias] = field(default_factory=dict)
    """Aliases of the function by name. Default: none."""

    @property
    def arn(self) -> str:
        """The unqualified function ARN."""
        return f"arn:aws:lambda:{self.region}:{self.account}:function:{self.function_name}"

    def alias(self, name: str) -> SynthesizedAlias:
        """The alias called ``name``; raises listing the known aliases."""
        if name not in self.aliases:
            known = ", ".join(sorted(self.aliases)) or "none"
            raise LambdaConstructsError(
                f"{self.stack}/{self.construct_path}",
                f"no alias {name!r} points at this function",
                fix=f"use one of the known aliases: {known}",
            )
        return self.aliases[name]


@dataclass(frozen=True)
class _Stack:
    """A stack artifact with the names ``STACK/FUNCTION`` may use for it."""

    artifact: StackArtifact
    names: tuple[str, ...]

    @property
    def display_name(self) -> str:
        return self.artifact.display_name

    @property
    def template(self) -> Mapping[str, Any]:
        return self.artifact.template


def _stacks(directory: Path) -> Iterator[_Stack]:
    if not (directory / MANIFEST).is_file():
        raise LambdaConstructsError(
            "", f"{directory / MANIFEST} does not exist", fix="run `cdk synth` or pass --assembly DIR"
        )
    for artifact in read_stacks(directory):
        display = artifact.display_name
        stack_name = str(artifact.properties.get("stackName") or display)
        yield _Stack(artifact, tuple(dict.fromkeys([display, artifact.artifact_id, stack_name])))


def list_functions(assembly_dir: Path | str) -> list[str]:
    """Every ``STACK/FUNCTION`` in the assembly (construct path without the trailing ``/Resource``)."""
    found = []
    for stack in _stacks(Path(assembly_dir)):
        for logical_id, path in _function_paths(stack).items():
            found.append(f"{stack.display_name}/{_short(path) or logical_id}")
    return sorted(found)


def _short(path: str) -> str:
    return path.removesuffix("/Resource")


def _function_paths(stack: _Stack) -> dict[str, str]:
    """Logical id → construct path relative to the stack ("" when unknown) for each function."""
    result = {}
    metadata_paths = stack.artifact.construct_paths
    for logical_id, resource in (stack.template.get("Resources") or {}).items():
        if resource.get("Type") != "AWS::Lambda::Function":
            continue
        path = (resource.get("Metadata") or {}).get("aws:cdk:path") or metadata_paths.get(logical_id, "")
        stack_prefix = stack.display_name.split("/")[-1] + "/"
        for prefix in (stack.display_name + "/", stack_prefix):
            if path.startswith(prefix):
                path = path[len(prefix) :]
                break
        result[logical_id] = path
    return result


def _find_stack(stacks: list[_Stack], target: str) -> tuple[_Stack, str]:
    matches = [
        (stack, target[len(name) + 1 :])
        for stack in stacks
        for name in stack.names
        if target.startswith(name + "/") and len(target) > len(name) + 1
    ]
    if not matches:
        known = ", ".join(sorted(stack.display_name for stack in stacks)) or "none"
        raise LambdaConstructsError(
            "", f"no stack matches {target!r}", fix=f"write STACK/FUNCTION with a known stack: {known}"
        )
    return min(matches, key=lambda match: len(match[1]))


def _find_function(stack: _Stack, wanted: str) -> tuple[str, str]:
    paths = _function_paths(stack)
    wanted = wanted.strip("/")
    exact = [(lid, path) for lid, path in paths.items() if wanted in (lid, path, _short(path))]
    under = [(lid, path) for lid, path in paths.items() if path.startswith(wanted + "/")]
    for hits in (exact, under):
        if len(hits) == 1:
            return hits[0]
        if len(hits) > 1:
            names = ", ".join(sorted(_short(path) or lid for lid, path in hits))
            raise LambdaConstructsError(
                stack.display_name, f"{wanted!r} matches several functions", fix=f"name one of: {names}"
            )
    known = ", ".join(sorted(_short(path) or lid for lid, path in paths.items())) or "none"
    raise LambdaConstructsError(
        stack.display_name, f"no Lambda function {wanted!r} in this stack", fix=f"use one of: {known}"
    )


def _asset_path(stack: _Stack, resource: Mapping[str, Any], content: Any) -> Path | None:
    asset = (resource.get("Metadata") or {}).get("aws:asset:path")
    if isinstance(asset, str):
        return stack.artifact.directory / asset
    key = content.get("S3Key") if isinstance(content, dict) else None
    return stack.artifact.assembly.asset_paths.get(key) if isinstance(key, str) else None


def _layers(stack: _Stack, layers: Any) -> tuple[list[Path], list[str]]:
    resources = stack.template.get("Resources") or {}
    found: list[Path] = []
    unresolved: list[str] = []
    for layer in layers or []:
        ref = layer.get("Ref") if isinstance(layer, dict) else None
        resource = resources.get(ref) if isinstance(ref, str) else None
        if resource is None or resource.get("Type") != "AWS::Lambda::LayerVersion":
            unresolved.append(json.dumps(layer) if not isinstance(layer, str) else layer)
            continue
        path = _asset_path(stack, resource, (resource.get("Properties") or {}).get("Content"))
        if path is None:
            unresolved.append(ref or "")
        else:
            found.append(path)
    return found, unresolved


def _aliases(stack: _Stack, logical_id: str) -> dict[str, SynthesizedAlias]:
    aliases = {}
    for alias_id, resource in (stack.template.get("Resources") or {}).items():
        props = resource.get("Properties") or {}
        if resource.get("Type") != "AWS::Lambda::Alias" or props.get("FunctionName") != {"Ref": logical_id}:
            continue
        version = props.get("FunctionVersion")
        name = str(props.get("Name"))
        aliases[name] = SynthesizedAlias(name, alias_id, version if isinstance(version, str) else None)
    return aliases


def _environment_account_region(environment: str) -> tuple[str, str]:
    account, _, region = environment.removeprefix("aws://").partition("/")
    return (
        account if account.isdigit() else DEFAULT_ACCOUNT,
        region if region and not region.startswith("unknown") else DEFAULT_REGION,
    )


def resolve_function(assembly_dir: Path | str, target: str) -> FunctionSpec:
    """Resolve ``STACK/FUNCTION`` in the cloud assembly at ``assembly_dir``."""
    stack, wanted = _find_stack(list(_stacks(Path(assembly_dir))), target)
    logical_id, path = _find_function(stack, wanted)
    resource = stack.template["Resources"][logical_id]
    props: Mapping[str, Any] = resource.get("Properties") or {}
    variables = (props.get("Environment") or {}).get("Variables") or {}
    layers, unresolved_layers = _layers(stack, props.get("Layers"))
    account, region = _environment_account_region(stack.artifact.environment)
    name = props.get("FunctionName")
    stack_name = stack.names[-1].replace("/", "-")
    return FunctionSpec(
        stack=stack.display_name,
        construct_path=path or logical_id,
        logical_id=logical_id,
        function_name=name if isinstance(name, str) else f"{stack_name}-{logical_id}",
        handler=str(props.get("Handler") or ""),
        runtime=str(props.get("Runtime") or ""),
        timeout_s=int(props.get("Timeout") or DEFAULT_TIMEOUT_S),
        memory_mb=int(props.get("MemorySize") or DEFAULT_MEMORY_MB),
        region=region,
        account=account,
        code_path=_asset_path(stack, resource, props.get("Code")),
        layer_paths=tuple(layers),
        environment={key: value for key, value in variables.items() if isinstance(value, str)},
        unresolved_environment={key: value for key, value in variables.items() if not isinstance(value, str)},
        unresolved_layers=tuple(unresolved_layers),
        aliases=_aliases(stack, logical_id),
    )


def deprecated_name(module: str, name: str, *, stacklevel: int = 3) -> Any:
    """The value of a deprecated name of ``module`` (``AliasSpec``: :class:`SynthesizedAlias`, its name until
    issue #20), with a DeprecationWarning pointing at the caller; AttributeError for any other name."""
    if name == "AliasSpec":
        warnings.warn(
            f"{module}.AliasSpec is deprecated: use SynthesizedAlias (lambda_constructs.releases.AliasSpec is "
            "the release file's alias entry)",
            DeprecationWarning,
            stacklevel=stacklevel,
        )
        return SynthesizedAlias
    raise AttributeError(f"module {module!r} has no attribute {name!r}")


def __getattr__(name: str) -> Any:
    """Deprecated names of this module (``AliasSpec``), see :func:`deprecated_name`."""
    return deprecated_name(__name__, name)
