"""The one reader of synthesized cloud assemblies (``cdk.out``).

Every command that reads an assembly - ``invoke``, ``status``/``release``/``promote`` (releases), the
local emulator's ``deploy``/``verify``, ``cost`` and ``scripts/diagram.py`` - gets its stacks here:

* :func:`read_stacks` lists the stack artifacts of an assembly in manifest order, the stacks of every
  Stage's nested assembly (``cdk:cloud-assembly`` artifacts, any depth) included where the Stage appears.
* A :class:`StackArtifact` reads its files lazily, once: the template, the construct metadata (inline in
  the manifest, or in the ``additionalMetadataFile`` recent aws-cdk-lib releases write), and its nested
  stacks (:class:`TemplatePart`), found through the ``aws:cdk:templateFile`` metadata or, in assemblies of
  aws-cdk-lib 2.220 (the floor version), which write no such metadata, by matching the logical ids
  recorded under each nested stack's path against the ``*.nested.template.json`` files.
* A missing, unreadable or truncated file (an interrupted ``cdk synth``) is an :class:`AssemblyError`
  naming the file, never a ``JSONDecodeError`` traceback or a ``KeyError``.

Standard library only (plus :mod:`lambda_constructs.errors`): the CLIs start fast, and
``scripts/diagram.py`` imports it without aws-cdk-lib.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

from lambda_constructs.errors import LambdaConstructsError

__all__ = [
    "ASSET_MANIFEST_TYPE",
    "MANIFEST",
    "NESTED_ASSEMBLY_TYPE",
    "STACK_TYPE",
    "AssemblyError",
    "AssemblyManifest",
    "StackArtifact",
    "TemplatePart",
    "read_json",
    "read_stacks",
]

MANIFEST = "manifest.json"
"""The file naming an assembly's artifacts."""
STACK_TYPE = "aws:cloudformation:stack"
"""Artifact type of a stack."""
NESTED_ASSEMBLY_TYPE = "cdk:cloud-assembly"
"""Artifact type of a Stage's nested assembly (a folder with its own ``manifest.json``)."""
ASSET_MANIFEST_TYPE = "cdk:asset-manifest"
"""Artifact type of an asset manifest (``*.assets.json``)."""

#: The construct path of a nested stack's resource in its parent (``<parent>/<id>.NestedStack/<id>.NestedStackResource``).
_NESTED_RESOURCE = re.compile(r"^(?P<parent>.*)/(?P<id>[^/]+)\.NestedStack/(?P=id)\.NestedStackResource$")


class AssemblyError(LambdaConstructsError):
    """A file of the cloud assembly is missing, unreadable or truncated (an interrupted ``cdk synth``)."""


def read_json(path: Path) -> Any:
    """The parsed JSON file ``path`` of an assembly.

    Raises:
        AssemblyError: the file does not exist, cannot be read or is not JSON (``cannot read the cloud
            assembly file <path>: <reason>. Fix: run `cdk synth` again``).
    """
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise AssemblyError(
            "", f"cannot read the cloud assembly file {path}: it does not exist", fix="run `cdk synth` again"
        ) from exc
    except (OSError, ValueError, RecursionError) as exc:  # ValueError: JSONDecodeError, UnicodeDecodeError
        raise AssemblyError(
            "", f"cannot read the cloud assembly file {path}: {exc}", fix="run `cdk synth` again"
        ) from exc


def _object(value: Any) -> Mapping[str, Any]:
    """``value`` when it is a JSON object, else empty (a malformed manifest entry reads as absent)."""
    return value if isinstance(value, Mapping) else {}


@dataclass(frozen=True, eq=False)
class AssemblyManifest:
    """One folder of the assembly: the top-level ``cdk.out`` or a Stage's nested assembly."""

    directory: Path
    """The folder holding ``manifest.json``."""
    stage_path: tuple[str, ...] = ()
    """Display names of the Stages enclosing it, outermost first (empty for the top level). Default: ()."""

    @cached_property
    def manifest(self) -> Mapping[str, Any]:
        """The parsed ``manifest.json`` (read on first use). Raises :class:`AssemblyError`."""
        return _object(read_json(self.directory / MANIFEST))

    @property
    def artifacts(self) -> Mapping[str, Mapping[str, Any]]:
        """Artifact id -> its manifest entry, in manifest order."""
        return {str(k): _object(v) for k, v in _object(self.manifest.get("artifacts")).items()}

    @cached_property
    def asset_paths(self) -> Mapping[str, Path]:
        """S3 object key -> local asset path (folder or file), from every asset manifest of this folder."""
        paths: dict[str, Path] = {}
        for artifact in self.artifacts.values():
            if artifact.get("type") != ASSET_MANIFEST_TYPE:
                continue
            manifest = _object(read_json(self.directory / str(_object(artifact.get("properties")).get("file"))))
            for entry in _object(manifest.get("files")).values():
                source = _object(_object(entry).get("source")).get("path")
                if not isinstance(source, str):
                    continue
                for destination in _object(_object(entry).get("destinations")).values():
                    key = _object(destination).get("objectKey")
                    if isinstance(key, str):
                        paths[key] = self.directory / source
        return paths


@dataclass(frozen=True, eq=False)
class TemplatePart:
    """One template of a stack: the stack's own (``path`` empty) or one of its nested stacks'."""

    path: str
    """Construct path of the nested stack (``Svc/Orders/Shard000``); empty for the stack's own template."""
    file: str
    """Template file name, relative to the assembly folder."""
    directory: Path
    """The assembly folder holding it."""
    construct_paths: Mapping[str, str] = field(default_factory=dict)
    """Logical id -> construct path of the resources of this template (from the stack's metadata). Default: none."""

    @cached_property
    def template(self) -> Mapping[str, Any]:
        """The parsed template (read on first use). Raises :class:`AssemblyError`."""
        return _object(read_json(self.directory / self.file))


@dataclass(frozen=True, eq=False)
class StackArtifact:
    """A stack of the assembly (``aws:cloudformation:stack`` artifact); its files are read on first use."""

    artifact_id: str
    """The artifact id (``Shop``; ``ProdShop1A2B3C4D`` in a Stage)."""
    entry: Mapping[str, Any]
    """Its entry in ``manifest.json``."""
    assembly: AssemblyManifest
    """The assembly folder (top level or a Stage's) listing it."""

    @property
    def directory(self) -> Path:
        """The assembly folder holding its files."""
        return self.assembly.directory

    @property
    def stage_path(self) -> tuple[str, ...]:
        """Display names of the enclosing Stages, outermost first (empty for a top-level stack)."""
        return self.assembly.stage_path

    @property
    def properties(self) -> Mapping[str, Any]:
        """The artifact's ``properties`` (``templateFile``, ``stackName`` …)."""
        return _object(self.entry.get("properties"))

    @property
    def display_name(self) -> str:
        """``displayName`` (the stack's construct path, ``Prod/Shop`` in a Stage), else the artifact id."""
        return str(self.entry.get("displayName") or self.artifact_id)

    @property
    def stack_name(self) -> str:
        """The CloudFormation stack name (``properties.stackName``), else the artifact id."""
        return str(self.properties.get("stackName") or self.artifact_id)

    @property
    def environment(self) -> str:
        """``aws://ACCOUNT/REGION`` (``unknown-account``/``unknown-region`` when environment-agnostic); "" if absent."""
        return str(self.entry.get("environment") or "")

    @property
    def account(self) -> str | None:
        """The account of :attr:`environment`; None when environment-agnostic (``unknown-account``) or absent."""
        account = self.environment.removeprefix("aws://").partition("/")[0]
        return account if account.isdigit() else None

    @property
    def region(self) -> str | None:
        """The region of :attr:`environment`; None when environment-agnostic (``unknown-region``) or absent."""
        region = self.environment.removeprefix("aws://").partition("/")[2]
        return region if region and not region.startswith("unknown") else None

    @property
    def template_file(self) -> str:
        """Template file name relative to :attr:`directory`; "" when the manifest names none."""
        return str(self.properties.get("templateFile") or "")

    @property
    def has_template(self) -> bool:
        """True when the manifest names a template file and it exists (it may still be truncated)."""
        return bool(self.template_file) and (self.directory / self.template_file).is_file()

    @cached_property
    def template(self) -> Mapping[str, Any]:
        """The parsed stack template (read on first use).

        Raises:
            AssemblyError: the manifest names no template, or the file is missing or not JSON.
        """
        if not self.template_file:
            raise AssemblyError(
                "",
                f"cannot read the cloud assembly file {self.directory / MANIFEST}: stack {self.display_name} "
                "names no templateFile",
                fix="run `cdk synth` again",
            )
        return _object(read_json(self.directory / self.template_file))

    @property
    def resources(self) -> Mapping[str, Any]:
        """The template's ``Resources`` (reads the template)."""
        return _object(self.template.get("Resources"))

    @cached_property
    def metadata(self) -> Mapping[str, list[Any]]:
        """Construct path (with its leading ``/``) -> metadata entries: the manifest's inline metadata
        updated by the ``additionalMetadataFile`` (recent aws-cdk-lib releases write it there)."""
        metadata: dict[str, Any] = dict(_object(self.entry.get("metadata")))
        extra = self.entry.get("additionalMetadataFile")
        if isinstance(extra, str) and (self.directory / extra).is_file():
            metadata.update(_object(read_json(self.directory / extra)))
        return {str(path): entries for path, entries in metadata.items() if isinstance(entries, list)}

    def _entries(self, kind: str) -> list[tuple[str, Any]]:
        """``(construct path, data)`` of the metadata entries of type ``kind``, in metadata order."""
        return [
            (path, entry.get("data"))
            for path, entries in self.metadata.items()
            for entry in entries
            if isinstance(entry, Mapping) and entry.get("type") == kind
        ]

    @cached_property
    def logical_ids(self) -> Mapping[str, str]:
        """Construct path (without the leading ``/``) -> logical id, for the stack and its nested stacks."""
        return {path.lstrip("/"): str(data) for path, data in self._entries("aws:cdk:logicalId")}

    @cached_property
    def construct_paths(self) -> Mapping[str, str]:
        """Logical id -> construct path (without the leading ``/``), for the stack and its nested stacks
        (a logical id used in two templates maps to the later path in metadata order)."""
        return {str(data): path.lstrip("/") for path, data in self._entries("aws:cdk:logicalId")}

    @cached_property
    def nested_stacks(self) -> Mapping[str, str]:
        """Nested stack construct path -> its template file (relative to :attr:`directory`).

        From the ``aws:cdk:templateFile`` metadata; in assemblies without it (aws-cdk-lib 2.220, the floor
        version), each nested stack takes the ``*.nested.template.json`` holding most of the logical ids
        recorded under its path.
        """
        own = self.template_file
        nested = {
            path.lstrip("/"): str(data) for path, data in self._entries("aws:cdk:templateFile") if str(data) != own
        }
        return nested or self._nested_by_content()

    def _nested_by_content(self) -> dict[str, str]:
        files = {
            path.name: set(_object(_object(read_json(path)).get("Resources")))
            for path in sorted(self.directory.glob("*.nested.template.json"))
        }
        found: dict[str, str] = {}
        for resource_path in self.logical_ids:
            match = _NESTED_RESOURCE.match(resource_path)
            if match is None:
                continue
            root = f"{match['parent']}/{match['id']}"
            ids = {lid for path, lid in self.logical_ids.items() if path.startswith(root + "/")}
            best = max(files, key=lambda name: len(files[name] & ids), default=None)
            if best is not None and files[best] & ids:
                found[root] = best
        return found

    @cached_property
    def parts(self) -> tuple[TemplatePart, ...]:
        """The stack's own template first (path ""), then one per nested stack whose template file exists;
        each resource's construct path is listed under the innermost (nested) stack above it."""
        templates = {"": self.template_file, **self.nested_stacks}
        roots = sorted(self.nested_stacks, key=len, reverse=True)  # longest first: the innermost stack wins
        own: dict[str, dict[str, str]] = {root: {} for root in templates}
        for path, lid in self.logical_ids.items():
            root = next((r for r in roots if path.startswith(r + "/")), "")
            own[root][lid] = path
        return tuple(
            TemplatePart(root, file, self.directory, own[root])
            for root, file in templates.items()
            if file and (self.directory / file).is_file()
        )

    def parent_of(self, part: TemplatePart) -> tuple[TemplatePart, str] | None:
        """The template holding nested stack ``part``'s ``AWS::CloudFormation::Stack`` resource (at construct
        path ``<parent>/<id>.NestedStack/<id>.NestedStackResource``) and that resource's logical id, whose
        ``Parameters`` give the values of ``part``'s template parameters. None for the stack's own template,
        or when the metadata records no such resource."""
        parent, _, own_id = part.path.rpartition("/")
        if not parent:
            return None
        resource_path = f"{parent}/{own_id}.NestedStack/{own_id}.NestedStackResource"
        logical_id = self.logical_ids.get(resource_path)
        for other in self.parts:
            if logical_id is not None and other.construct_paths.get(logical_id) == resource_path:
                return other, logical_id
        return None


def read_stacks(directory: Path | str, *, stage_path: tuple[str, ...] = ()) -> list[StackArtifact]:
    """The stack artifacts of the assembly at ``directory`` in manifest order, with the stacks of each
    Stage's nested assembly where the Stage's artifact appears (any depth). Only ``manifest.json`` files
    are read here; templates and metadata are read when first used.

    Raises:
        AssemblyError: a ``manifest.json`` is missing, unreadable or not JSON.
    """
    assembly = AssemblyManifest(Path(directory), stage_path)
    stacks: list[StackArtifact] = []
    for artifact_id, artifact in assembly.artifacts.items():
        kind = artifact.get("type")
        properties = _object(artifact.get("properties"))
        if kind == NESTED_ASSEMBLY_TYPE and isinstance(properties.get("directoryName"), str):
            stage = str(properties.get("displayName") or artifact_id)
            stacks.extend(
                read_stacks(assembly.directory / properties["directoryName"], stage_path=(*stage_path, stage))
            )
        elif kind == STACK_TYPE:
            stacks.append(StackArtifact(artifact_id, artifact, assembly))
    return stacks
