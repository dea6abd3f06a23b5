"""Find a Lambda function in a synthesized cloud assembly (``cdk.out``) and read its configuration.

``STACK/FUNCTION`` names the function: STACK is a stack's display name, artifact id or stack name;
FUNCTION is its construct path under the stack (``Orders``, ``Orders/Function``,
``Orders/Function/Resource``) or its CloudFormation logical id. Construct paths come from the
``aws:cdk:path`` resource metadata or, when the app was synthesized without the CDK CLI, from the
stack's ``aws:cdk:logicalId`` manifest metadata. Asset directories come from the
``aws:asset:path`` resource metadata or, failing that, from the asset manifest entry whose object
key matches the template's ``S3Key``.

Functions of the stack's nested stacks (a :class:`~lambda_constructs.service.LambdaService`'s shards) are
found too: FUNCTION is then their construct path under the parent stack, with or without the nested
stacks' ids (``Svc/Shard003/Orders`` or ``Svc/Orders``). Their layers that are parameters of the nested
template are followed to the value the parent passes. On a tie the stack's own template wins, so a
target that named a function before nested stacks were searched names the same one.
"""

from __future__ import annotations

import json
import warnings
from collections import Counter
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from lambda_constructs.assembly import MANIFEST, StackArtifact, TemplatePart, read_stacks
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
    nested_stack_ids: tuple[str, ...] = ()
    """For a function in a nested stack (a LambdaService shard): the logical ids of the
    ``AWS::CloudFormation::Stack`` resources leading to its template, outermost (in the stack's own template)
    first; the deployed function is ``logical_id`` in the last one's nested stack. Default: () (in the
    stack's own template)."""

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

    def relative(self, path: str) -> str:
        """``path`` (a full construct path) relative to this stack."""
        for prefix in (self.display_name + "/", self.display_name.split("/")[-1] + "/"):
            if path.startswith(prefix):
                return path[len(prefix) :]
        return path


@dataclass(frozen=True)
class _Function:
    """An ``AWS::Lambda::Function`` of a stack's own template or of one of its nested stacks' templates."""

    logical_id: str
    path: str
    """Construct path relative to the stack ("" when unknown)."""
    short_path: str
    """``path`` without the ids of the nested stacks it is in (``Svc/Orders/Function/Resource`` for
    ``Svc/Shard003/Orders/Function/Resource``); ``path`` itself for the stack's own functions."""
    part: TemplatePart
    """The template holding it."""

    @property
    def nested(self) -> bool:
        return bool(self.part.path)

    @property
    def resource(self) -> Mapping[str, Any]:
        resources: Mapping[str, Any] = self.part.template.get("Resources") or {}
        return resources[self.logical_id]  # type: ignore[no-any-return]

    def paths(self) -> tuple[str, ...]:
        """The construct paths naming it: its path and short path, each with and without ``/Resource``."""
        found = (self.path, _short(self.path), self.short_path, _short(self.short_path))
        return tuple(dict.fromkeys(path for path in found if path))


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
    """Every ``STACK/FUNCTION`` in the assembly (construct path without the trailing ``/Resource``),
    functions of nested stacks included: those by their path without the nested stacks' ids
    (``Shop/Svc/Orders/Function`` for a function of a :class:`~lambda_constructs.service.LambdaService`
    shard) when no other function of the stack has that path, else by their whole construct path."""
    found = []
    for stack in _stacks(Path(assembly_dir)):
        found += [f"{stack.display_name}/{name}" for name in _names(_functions(stack)).values()]
    return sorted(found)


def _short(path: str) -> str:
    return path.removesuffix("/Resource")


def _names(functions: list[_Function]) -> dict[_Function, str]:
    """Function -> the name it is listed by: a nested function's short path when no other function
    has that path, else (and for the stack's own functions) its path, else its logical id."""
    claims = Counter(path for function in functions for path in function.paths())
    names: dict[_Function, str] = {}
    for function in functions:
        short = _short(function.short_path)
        own = function.nested and short and claims[short] == 1
        names[function] = short if own else _short(function.path) or function.logical_id
    return names


def _functions(stack: _Stack) -> list[_Function]:
    """The functions of the stack's own template, then those of each nested stack's template."""
    result = []
    for part in stack.artifact.parts:
        roots = [root for root in stack.artifact.nested_stacks if f"{part.path}/".startswith(f"{root}/")]
        for logical_id, resource in (part.template.get("Resources") or {}).items():
            if not isinstance(resource, Mapping) or resource.get("Type") != "AWS::Lambda::Function":
                continue
            metadata = resource.get("Metadata") or {}
            full = metadata.get("aws:cdk:path") or part.construct_paths.get(logical_id, "")
            path = stack.relative(str(full))
            short = path
            for root in sorted(map(stack.relative, roots), key=len, reverse=True):  # innermost first
                if short.startswith(root + "/"):  # drop the nested stack's id: Svc/Shard003/X -> Svc/X
                    parent = root.rpartition("/")[0]
                    short = (f"{parent}/" if parent else "") + short[len(root) + 1 :]
            result.append(_Function(logical_id, path, short, part))
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


def _find_function(stack: _Stack, wanted: str) -> _Function:
    """The one function ``wanted`` names: by construct path (a nested function also without the nested
    stacks' ids) or logical id, else the one under that path; the stack's own template wins a tie (so a
    target that named a function before nested stacks were searched still names it)."""
    functions = _functions(stack)
    wanted = wanted.strip("/")
    exact = [fn for fn in functions if wanted == fn.logical_id or wanted in fn.paths()]
    under = [fn for fn in functions if any(path.startswith(wanted + "/") for path in fn.paths())]
    for hits in (exact, under):
        own = [fn for fn in hits if not fn.nested]
        if len(hits) > 1 and len(own) == 1:
            return own[0]
        if len(hits) == 1:
            return hits[0]
        if len(hits) > 1:
            names = ", ".join(sorted(_names(functions)[fn] for fn in hits))
            raise LambdaConstructsError(
                stack.display_name, f"{wanted!r} matches several functions", fix=f"name one of: {names}"
            )
    known = ", ".join(sorted(_names(functions).values())) or "none"
    raise LambdaConstructsError(
        stack.display_name, f"no Lambda function {wanted!r} in this stack", fix=f"use one of: {known}"
    )


def _asset_path(stack: _Stack, resource: Mapping[str, Any], content: Any) -> Path | None:
    asset = (resource.get("Metadata") or {}).get("aws:asset:path")
    if isinstance(asset, str):
        return stack.artifact.directory / asset
    key = content.get("S3Key") if isinstance(content, dict) else None
    return stack.artifact.assembly.asset_paths.get(key) if isinstance(key, str) else None


def _source(stack: _Stack, part: TemplatePart, value: Any) -> tuple[TemplatePart, Any]:
    """Where ``value`` comes from: a ``Ref`` to a parameter of a nested stack's template is followed to the
    value its parent passes (a layer of the parent stack reaches a LambdaService shard that way)."""
    for _ in range(len(stack.artifact.parts)):
        ref = value.get("Ref") if isinstance(value, Mapping) else None
        if not isinstance(ref, str) or ref not in (part.template.get("Parameters") or {}):
            break
        parent = stack.artifact.parent_of(part)
        if parent is None:
            break
        parent_part, stack_id = parent
        resource = (parent_part.template.get("Resources") or {}).get(stack_id) or {}
        passed = (resource.get("Properties") or {}).get("Parameters") or {}
        if ref not in passed:
            break
        part, value = parent_part, passed[ref]
    return part, value


def _layers(stack: _Stack, part: TemplatePart, layers: Any) -> tuple[list[Path], list[str]]:
    found: list[Path] = []
    unresolved: list[str] = []
    for given in layers or []:
        holder, layer = _source(stack, part, given)
        ref = layer.get("Ref") if isinstance(layer, dict) else None
        resource = (holder.template.get("Resources") or {}).get(ref) if isinstance(ref, str) else None
        if resource is None or resource.get("Type") != "AWS::Lambda::LayerVersion":
            unresolved.append(json.dumps(given) if not isinstance(given, str) else given)
            continue
        path = _asset_path(stack, resource, (resource.get("Properties") or {}).get("Content"))
        if path is None:
            unresolved.append(ref or "")
        else:
            found.append(path)
    return found, unresolved


def _aliases(part: TemplatePart, logical_id: str) -> dict[str, SynthesizedAlias]:
    aliases = {}
    for alias_id, resource in (part.template.get("Resources") or {}).items():
        props = resource.get("Properties") or {}
        if resource.get("Type") != "AWS::Lambda::Alias" or props.get("FunctionName") != {"Ref": logical_id}:
            continue
        version = props.get("FunctionVersion")
        name = str(props.get("Name"))
        aliases[name] = SynthesizedAlias(name, alias_id, version if isinstance(version, str) else None)
    return aliases


def resolve_function(assembly_dir: Path | str, target: str) -> FunctionSpec:
    """Resolve ``STACK/FUNCTION`` in the cloud assembly at ``assembly_dir``."""
    stack, wanted = _find_stack(list(_stacks(Path(assembly_dir))), target)
    function = _find_function(stack, wanted)
    logical_id, path, resource = function.logical_id, function.path, function.resource
    props: Mapping[str, Any] = resource.get("Properties") or {}
    variables = (props.get("Environment") or {}).get("Variables") or {}
    layers, unresolved_layers = _layers(stack, function.part, props.get("Layers"))
    account, region = stack.artifact.account or DEFAULT_ACCOUNT, stack.artifact.region or DEFAULT_REGION
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
        aliases=_aliases(function.part, logical_id),
        nested_stack_ids=_nested_stack_ids(stack, function.part),
    )


def _nested_stack_ids(stack: _Stack, part: TemplatePart) -> tuple[str, ...]:
    ids: list[str] = []
    while (parent := stack.artifact.parent_of(part)) is not None:
        part, logical_id = parent
        ids.insert(0, logical_id)
    return tuple(ids)


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
