"""Reading the current fingerprints and audit outputs of release-managed functions from a cloud assembly."""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from lambda_constructs.assembly import MANIFEST, StackArtifact, TemplatePart, read_stacks
from lambda_constructs.errors import LambdaConstructsError
from lambda_constructs.releases.fingerprint import METADATA_KEY


@dataclass(frozen=True, kw_only=True)
class SynthesizedFunction:
    """A function that uses a release file, as the last ``cdk synth`` saw it."""

    key: str
    """The function's key in the release file (its construct path)."""
    stack: str
    """Display name (or artifact id) of the stack holding the function."""
    fingerprint: str
    """The ``sha256:…`` fingerprint of its current code and configuration."""
    parts: dict[str, Any]
    """What the fingerprint covers (code asset hash, runtime, handler, memory …)."""
    output_ids: dict[str, str]
    """Alias name -> logical id of its ``Output<alias>`` output, in the template that holds the function (the
    stack's own, or the nested stack's when :attr:`nested_stack` is set)."""
    target: str = "default"
    """The deployment target it was synthesized for. Default: ``default``."""
    stack_name: str = ""
    """The CloudFormation stack name (``properties.stackName`` of the artifact). Default: empty."""
    nested_stack: str = ""
    """Construct path of the nested stack whose template holds it (a :class:`~lambda_constructs.service.LambdaService`
    shard, ``Shop/Svc/Shard003``); empty in the stack's own template. Its ``Output<alias>`` values are the nested
    stack's outputs, which ``cdk deploy --outputs-file`` and the parent's ``DescribeStacks`` do not list: they are
    read from the nested stack itself (:func:`read_deployed_nested`). Default: empty."""
    nested_stack_ids: tuple[str, ...] = ()
    """Logical ids of the ``AWS::CloudFormation::Stack`` resources leading from the stack's own template to the
    nested stack holding the function, outermost first (one for a LambdaService shard); empty in the stack's own
    template, or when the assembly's metadata does not record them. Default: empty."""


def read_assembly(directory: str | Path, target: str | None = None) -> dict[str, SynthesizedFunction]:
    """Functions carrying release metadata in the assembly at ``directory`` (nested stages included);
    with ``target``, only those synthesized for that deployment target (default: all)."""
    root = Path(directory)
    if not (root / MANIFEST).is_file():
        raise LambdaConstructsError(
            "",
            "no cloud assembly to read the current fingerprints from",
            value=str(root),
            fix="run `cdk synth` first (or pass --assembly DIR)",
        )
    found: dict[str, SynthesizedFunction] = {}
    # Folders in path order, as the reader before the shared one visited them (a later stack's function wins).
    for stack in sorted(read_stacks(root), key=lambda stack: stack.directory / MANIFEST):
        if not stack.has_template:
            continue
        for part in stack.parts:  # the stack's own template, then its nested stacks' (LambdaService shards)
            for resource in (part.template.get("Resources") or {}).values():
                function = _function(stack, part, resource, target)
                if function is None:
                    continue
                other = found.get(function.key)
                if other is not None and other.fingerprint != function.fingerprint:
                    raise LambdaConstructsError(
                        "",
                        f"{function.key} is synthesized with different code or configuration in targets "
                        f"{other.target} and {function.target}; a release is one fingerprint shared by all targets",
                        value=[other.fingerprint[:19], function.fingerprint[:19]],
                        fix="give the differing functions their own keys (construct ids), see docs/promotion.md "
                        '"Limits of the model"',
                    )
                found[function.key] = function
    return found


def _function(
    stack: StackArtifact, part: TemplatePart, resource: Any, target: str | None
) -> SynthesizedFunction | None:
    """The release-managed function ``resource`` of template ``part`` of ``stack`` (None for any other resource,
    or one synthesized for another target than ``target``). Its ``Output<alias>`` ids are those of ``part``'s
    template: the stack's outputs, or the nested stack's."""
    if not isinstance(resource, dict):
        return None
    meta = (resource.get("Metadata") or {}).get(METADATA_KEY)
    if resource.get("Type") != "AWS::Lambda::Function" or not isinstance(meta, dict):
        return None
    key = str(meta["key"])
    fn_target = str(meta.get("target", "default"))
    if target is not None and fn_target != target:
        return None
    pattern = re.compile(rf"(?:.*/)?{re.escape(key)}/Output([^/]+)")
    outputs = {match.group(1): lid for lid, path in part.construct_paths.items() if (match := pattern.fullmatch(path))}
    return SynthesizedFunction(
        key=key,
        stack=stack.display_name,
        fingerprint=str(meta["fingerprint"]),
        parts=dict(meta.get("parts", {})),
        output_ids=outputs,
        target=fn_target,
        stack_name=stack.stack_name,
        nested_stack=part.path,
        nested_stack_ids=_nested_stack_ids(stack, part),
    )


def _nested_stack_ids(stack: StackArtifact, part: TemplatePart) -> tuple[str, ...]:
    """Logical ids of the ``AWS::CloudFormation::Stack`` resources from ``stack``'s own template down to ``part``,
    outermost first; empty for the own template, or when a parent is not recorded in the metadata."""
    ids: list[str] = []
    while part.path:
        parent = stack.parent_of(part)
        if parent is None:
            return ()
        part, logical_id = parent
        ids.insert(0, logical_id)
    return tuple(ids)


def read_outputs(path: str | Path) -> dict[str, str]:
    """A ``cdk deploy --outputs-file`` file flattened to ``{logical id: value}``.

    Raises:
        LambdaConstructsError: the file cannot be read, is not JSON or not ``{stack: {output: value}}``.
    """
    fix = "pass the file `cdk deploy --outputs-file FILE` wrote (or use --deployed)"
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, UnicodeError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
        raise LambdaConstructsError("", f"cannot read the outputs file: {reason}", value=str(path), fix=fix) from exc
    except ValueError as exc:  # json.JSONDecodeError
        raise LambdaConstructsError("", f"the outputs file is not JSON: {exc}", value=str(path), fix=fix) from exc
    except RecursionError as exc:
        raise LambdaConstructsError("", "the outputs file is nested too deeply", value=str(path), fix=fix) from exc
    if not isinstance(data, dict) or not all(isinstance(stack, dict) for stack in data.values()):
        raise LambdaConstructsError(
            "", "the outputs file is not an object {stack: {output: value}}", value=str(path), fix=fix
        )
    return {key: str(value) for stack in data.values() for key, value in stack.items()}


def read_deployed(stack_names: Iterable[str]) -> dict[str, str]:
    """The deployed stacks' outputs ``{logical id: value}`` through CloudFormation ``DescribeStacks``.

    boto3 resolves credentials, region and endpoint as usual (``AWS_ENDPOINT_URL`` points it at a
    local emulator, which needs no region or credentials: :mod:`lambda_constructs.local.endpoint`). A stack that
    does not exist contributes nothing; any other error is a :class:`LambdaConstructsError`.
    """
    names = sorted(set(stack_names))  # a generator would be empty again in the error below
    outputs: dict[str, str] = {}
    with _cloudformation(names) as client:
        for name in names:
            outputs.update(_outputs(client, name))
    return outputs


NestedStack = tuple[str, tuple[str, ...]]
"""A deployed nested stack: (the top-level stack's name, :attr:`SynthesizedFunction.nested_stack_ids`)."""


def read_deployed_nested(nested: Iterable[NestedStack]) -> dict[NestedStack, dict[str, str]]:
    """The deployed outputs ``{logical id: value}`` of each nested stack, read from the nested stack itself.

    A nested stack is found as CloudFormation links it: ``DescribeStackResource`` of its
    ``AWS::CloudFormation::Stack`` resource in the parent gives the physical id, the nested stack's stack ID
    (``Ref`` of that resource, AWS CloudFormation User Guide, ``AWS::CloudFormation::Stack``), which
    ``DescribeStacks`` takes as ``StackName``; deeper nesting repeats this. A parent stack, resource or nested
    stack that does not exist gives ``{}``; any other error is a :class:`LambdaConstructsError`. Clients as
    :func:`read_deployed`.
    """
    wanted = sorted(set(nested))
    found: dict[NestedStack, dict[str, str]] = {}
    with _cloudformation([f"{name} -> {' -> '.join(ids)}" for name, ids in wanted]) as client:
        for name, ids in wanted:
            stack: str | None = name
            for logical_id in ids:
                stack = _physical_id(client, stack, logical_id) if stack is not None else None
            found[(name, ids)] = _outputs(client, stack) if stack is not None and ids else {}
    return found


@contextmanager
def _cloudformation(names: list[str]) -> Iterator[Any]:
    """A CloudFormation client (:mod:`lambda_constructs.local.endpoint`); botocore errors in the block become a
    :class:`LambdaConstructsError` naming ``names``."""
    from botocore.exceptions import BotoCoreError, ClientError  # type: ignore[import-untyped]

    from lambda_constructs.local.endpoint import client as aws_client

    try:
        yield aws_client("cloudformation")
    except (BotoCoreError, ClientError) as exc:
        raise LambdaConstructsError(
            "",
            f"cannot read the deployed stacks' outputs: {exc}",
            value=names,
            fix="check AWS credentials/region (AWS_ENDPOINT_URL for a local emulator), or use --outputs FILE",
        ) from exc


def _outputs(client: Any, stack_name: str) -> dict[str, str]:
    """``{logical id: value}`` of the outputs of ``stack_name`` (a name or stack ID); ``{}`` if it does not exist."""
    from botocore.exceptions import ClientError

    try:
        stacks = client.describe_stacks(StackName=stack_name)["Stacks"]
    except ClientError as exc:
        if "does not exist" in str(exc):
            return {}
        raise
    return {
        str(output["OutputKey"]): str(output.get("OutputValue", ""))
        for stack in stacks
        for output in stack.get("Outputs", [])
    }


def _physical_id(client: Any, stack_name: str, logical_id: str) -> str | None:
    """The physical id of ``logical_id`` in stack ``stack_name``; None when the stack or resource does not exist
    or has none yet."""
    from botocore.exceptions import ClientError

    try:
        detail = client.describe_stack_resource(StackName=stack_name, LogicalResourceId=logical_id)
    except ClientError as exc:
        if "does not exist" in str(exc):
            return None
        raise
    physical = (detail.get("StackResourceDetail") or {}).get("PhysicalResourceId")
    return str(physical) if physical else None
