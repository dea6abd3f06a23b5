"""Reading the current fingerprints and audit outputs of release-managed functions from a cloud assembly."""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from lambda_constructs.assembly import MANIFEST, TemplatePart, read_stacks
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
    """Alias name -> logical id of its ``Output<alias>`` stack output."""
    target: str = "default"
    """The deployment target it was synthesized for. Default: ``default``."""
    stack_name: str = ""
    """The CloudFormation stack name (``properties.stackName`` of the artifact). Default: empty."""
    nested_stack: str = ""
    """Construct path of the nested stack whose template holds it (a :class:`~lambda_constructs.service.LambdaService`
    shard, ``Shop/Svc/Shard003``); empty in the stack's own template. Its ``Output<alias>`` values are the nested
    stack's outputs, which ``cdk deploy --outputs-file`` and the parent's ``DescribeStacks`` do not list, so
    :attr:`output_ids` is empty. Default: empty."""


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
                function = _function(stack.display_name, stack.stack_name, part, resource, target)
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
    stack: str, stack_name: str, part: TemplatePart, resource: Any, target: str | None
) -> SynthesizedFunction | None:
    """The release-managed function ``resource`` of template ``part`` (None for any other resource, or one
    synthesized for another target than ``target``). Its ``Output<alias>`` ids are stack outputs only in
    the stack's own template: a nested stack's outputs are not the deployed stack's."""
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
    outputs = {
        match.group(1): lid
        for lid, path in part.construct_paths.items()
        if not part.path and (match := pattern.fullmatch(path))
    }
    return SynthesizedFunction(
        key=key,
        stack=stack,
        fingerprint=str(meta["fingerprint"]),
        parts=dict(meta.get("parts", {})),
        output_ids=outputs,
        target=fn_target,
        stack_name=stack_name,
        nested_stack=part.path,
    )


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
    local emulator, which needs no region or credentials: :mod:`lambda_constructs.local.endpoint`). A stack that does not exist contributes nothing; any other error is a
    :class:`LambdaConstructsError`.
    """
    from botocore.exceptions import BotoCoreError, ClientError  # type: ignore[import-untyped]

    from lambda_constructs.local.endpoint import client as aws_client

    names = sorted(set(stack_names))  # a generator would be empty again in the error below
    outputs: dict[str, str] = {}
    try:
        client = aws_client("cloudformation")
        for name in names:
            try:
                stacks = client.describe_stacks(StackName=name)["Stacks"]
            except ClientError as exc:
                if "does not exist" in str(exc):
                    continue
                raise
            for stack in stacks:
                for output in stack.get("Outputs", []):
                    outputs[str(output["OutputKey"])] = str(output.get("OutputValue", ""))
    except (BotoCoreError, ClientError) as exc:
        raise LambdaConstructsError(
            "",
            f"cannot read the deployed stacks' outputs: {exc}",
            value=names,
            fix="check AWS credentials/region (AWS_ENDPOINT_URL for a local emulator), or use --outputs FILE",
        ) from exc
    return outputs
