"""Merge the cloud assemblies of the workers of a parallel synthesis into one.

Each worker synthesized the whole app except the shards other workers own, so:

* a **stack template** is the union of the workers' templates, section by section. An entry (a resource,
  an output, a parameter …) that two workers wrote must be identical; a difference means something
  outside the shards depends on which worker built it, and the merge fails naming it.
* a stack's template **hash** (the S3 key ``cdk deploy`` uploads it under) is recomputed from the merged
  template, and its entry in the stack's asset manifest replaced;
* **asset manifests**, **metadata files**, ``tree.json``, ``validation-report.json`` and ``manifest.json``
  are merged as unions; an asset several workers share (one content hash, e.g. functions with one
  ``code_dir``) may differ only in its ``displayName`` (:func:`merge_assets`);
* the cloud assembly of each **Stage** (a sub-directory) is merged the same way, recursively;
* every other file (nested templates, asset directories) is moved into place; a file two workers both
  wrote must be byte-identical.

Only the standard library is used: the launcher runs without a jsii kernel.
"""

from __future__ import annotations

import hashlib
import json
import math
import os
import shutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from lambda_constructs.errors import LambdaConstructsError

if TYPE_CHECKING:
    from collections.abc import Callable

STACK_ARTIFACT = "aws:cloudformation:stack"
ASSET_MANIFEST_ARTIFACT = "cdk:asset-manifest"
TREE_ARTIFACT = "cdk:tree"
NESTED_ASSEMBLY_ARTIFACT = "cdk:cloud-assembly"
#: Metadata entry type holding an element's logical id.
LOGICAL_ID = "aws:cdk:logicalId"
#: Files merged by their meaning rather than moved.
MANIFEST = "manifest.json"
VALIDATION_REPORT = "validation-report.json"
#: Suffix of the displayName aws-cdk-lib gives a nested stack's template asset (core/lib/nested-stack.js).
NESTED_TEMPLATE = " Nested Stack Template"
_FIX = (
    "only the functions of a LambdaService declared with declare_function may differ between workers: "
    "build everything else the same way in every worker (do not make it depend on which functions were "
    "built), or synthesize in one process"
)

Json = dict[str, Any]


@dataclass
class MergeReport:
    """What a merge did."""

    stacks: list[str] = field(default_factory=list)
    """Stack artifacts in the merged assembly. Default: none yet."""
    templates_merged: list[str] = field(default_factory=list)
    """Stack templates that differed between workers and were merged (their hash was recomputed).
    Default: none yet."""
    moved: set[Path] = field(default_factory=set, repr=False)
    """Paths moved into the target by this merge (a Stage's assembly is a sub-directory). Default: none yet."""

    @property
    def files_moved(self) -> int:
        """Files and directories moved from the workers' assemblies."""
        return len(self.moved)


def conflict(where: str, what: str) -> LambdaConstructsError:
    """The error for two workers that wrote different things at ``where``."""
    return LambdaConstructsError(where, f"the workers of a parallel synthesis disagree: {what}", fix=_FIX)


def _read(path: Path) -> Any:
    return json.loads(path.read_text(encoding="utf-8"))


def _write_template(path: Path, template: Json) -> str:
    """Write a template as CDK does (``JSON.stringify(template, undefined, 1)``); return its sha256."""
    text = json.dumps(template, indent=1, ensure_ascii=False)
    path.write_text(text, encoding="utf-8")
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def merge_templates(name: str, templates: list[Json]) -> Json:
    """The union of ``templates`` (the same stack from each worker); raise on an entry that differs."""
    merged: Json = {}
    for template in templates:
        for section, value in template.items():
            if section not in merged:
                merged[section] = value
            elif isinstance(value, dict) and isinstance(merged[section], dict):
                merged[section] = _merge_dicts(f"{name} {section}.", [merged[section], value])
            elif merged[section] != value:
                raise conflict(f"{name} {section}", "this template section differs between the workers")
    return merged


def merge_tree(nodes: list[Json]) -> Json:
    """The union of construct-tree nodes (``tree.json``): children merged by id in order of first appearance.

    A node's attributes come from the first worker that built it: a node with children wins over an
    empty one (the place a worker holds for a shard it does not build).
    """
    primary = next((node for node in nodes if node.get("children")), nodes[0])
    merged = dict(primary)
    children = [node["children"] for node in nodes if "children" in node]
    if children:
        ids: dict[str, list[Json]] = {}
        for group in children:
            for child_id, child in group.items():
                ids.setdefault(child_id, []).append(child)
        merged["children"] = {child_id: merge_tree(same) for child_id, same in ids.items()}
    return merged


def _merge_metadata(files: list[Json]) -> Json:
    """Construct path → metadata entries; entries of one path from several workers are de-duplicated.

    An entry one worker wrote n times is kept n times (aws-cdk-lib records a method's analytics entry on
    every call, e.g. ``addStatements`` once per statement a ``ManagedPolicy`` is created with): the merged
    list holds each entry as often as the worker that wrote it most often, in the order the workers wrote
    them, as one process writes it.
    """
    merged: Json = {}
    for metadata in files:
        for path, entries in metadata.items():
            known = merged.setdefault(path, [])
            seen: list[Json] = []  # this worker's entries so far, with their repeats
            for entry in entries:
                seen.append(entry)
                if known.count(entry) < seen.count(entry):
                    known.append(entry)
    return merged


def _merge_dicts(where: str, values: list[Json], differ: Callable[[str, Any, Any], Any] | None = None) -> Json:
    """The union of ``values``; a key two of them hold with different values raises, naming ``where`` + key,
    unless ``differ(where + key, kept, other)`` gives the value to keep (default: none, it raises)."""
    merged: Json = {}
    for value in values:
        for key, entry in value.items():
            if key not in merged:
                merged[key] = entry
            elif merged[key] != entry:
                if differ is None:
                    raise conflict(f"{where}{key}", "this entry differs between the workers")
                merged[key] = differ(f"{where}{key}", merged[key], entry)
    return merged


def _move(source: Path, target: Path, report: MergeReport) -> None:
    """Move a worker's file or directory into the merged assembly, or check it equals what is there."""
    if source.is_dir():
        if target.is_dir():
            return  # asset directories are named by their content hash
        if target.exists():
            target.unlink()
        shutil.move(str(source), str(target))
    else:
        if target.exists():
            if target.read_bytes() == source.read_bytes():
                return
            if target in report.moved:
                raise conflict(target.name, "two workers wrote this file with different contents")
            target.unlink()  # left by an earlier synthesis: replaced
        os.replace(source, target)
    report.moved.add(target)


def merge_assemblies(sources: list[Path], target: Path, *, rebuilt: tuple[str, ...] = ()) -> MergeReport:
    """Merge the cloud assemblies in ``sources`` (one per worker, consumed) into ``target``.

    ``rebuilt``: names of files the caller rebuilds from the merged assembly (not merged). Default: none.
    """
    return _merge(sources, target, MergeReport(), set(rebuilt), {})


def construct_positions(tree: Json) -> dict[str, int]:
    """Construct path → position in a depth-first, pre-order walk of ``tree`` (children in insertion order).

    CDK writes a stack's template elements in this order, so sorting a merged template by it gives the
    order one process writes (the workers hold the place of shards they do not build, see
    ``LambdaService._hold_place``).
    """
    positions: dict[str, int] = {}

    def walk(node: Json) -> None:
        positions[str(node.get("path", ""))] = len(positions)
        for child in node.get("children", {}).values():
            walk(child)

    walk(tree)
    return positions


def order_template(template: Json, metadata: Json, positions: dict[str, int]) -> Json:
    """``template`` with each section's entries, and the sections, in construct-tree order.

    ``metadata`` (construct path → entries) gives each element's logical id (``aws:cdk:logicalId``). A
    section with an entry of unknown position keeps its order; header sections stay first.
    """
    logical: dict[str, int] = {}
    for path, entries in metadata.items():
        position = positions.get(path.lstrip("/"))
        if position is None:
            continue
        for entry in entries:
            if entry.get("type") == LOGICAL_ID and isinstance(entry.get("data"), str):
                logical.setdefault(entry["data"], position)
    sections: list[tuple[tuple[int, int], str, Any]] = []
    for index, (section, value) in enumerate(template.items()):
        if isinstance(value, dict) and value and all(key in logical for key in value):
            value = dict(sorted(value.items(), key=lambda item: logical[item[0]]))
            sections.append(((1, min(logical[key] for key in value)), section, value))
        else:
            sections.append(((0, index), section, value))
    return {section: value for _, section, value in sorted(sections, key=lambda item: item[0])}


def _merge(
    sources: list[Path], target: Path, report: MergeReport, rebuilt: set[str], positions: dict[str, int]
) -> MergeReport:
    target.mkdir(parents=True, exist_ok=True)
    for index, source in enumerate(sources):
        if not (source / MANIFEST).is_file():
            raise LambdaConstructsError(
                str(source),
                f"worker {index} wrote no cloud assembly (no {MANIFEST})",
                fix="let the app write to the directory in the CDK_OUTDIR environment variable: do not pass "
                "outdir= to cdk.App, and call app.synth()",
            )
    manifests: list[Json] = [_read(source / MANIFEST) for source in sources]
    handled: set[str] = {MANIFEST, VALIDATION_REPORT, *rebuilt}
    artifacts: Json = {}
    for manifest in manifests:
        for artifact_id, artifact in manifest.get("artifacts", {}).items():
            artifacts.setdefault(artifact_id, artifact)
    for artifact_id, artifact in artifacts.items():
        if artifact.get("type") == STACK_ARTIFACT and any(artifact_id not in m.get("artifacts", {}) for m in manifests):
            raise conflict(artifact_id, "this stack is missing from the assembly of some workers")

    # The construct tree first: its order is the order of the merged templates.
    for artifact in artifacts.values():
        if artifact.get("type") == TREE_ARTIFACT:
            name = artifact["properties"]["file"]
            handled.add(name)
            trees = [_read(source / name) for source in sources if (source / name).exists()]
            tree = {**trees[0], "tree": merge_tree([t["tree"] for t in trees])}
            (target / name).write_text(json.dumps(tree), encoding="utf-8")
            positions = construct_positions(tree["tree"])

    # Stack templates and their metadata, then each stack's asset manifest with the new template hash.
    template_hashes: dict[str, tuple[str, str]] = {}  # asset manifest file -> (template file, new hash)
    asset_stacks: dict[str, str] = {}  # asset manifest file -> construct path of its stack
    for artifact_id, artifact in artifacts.items():
        if artifact.get("type") != STACK_ARTIFACT:
            continue
        report.stacks.append(artifact_id)
        for dependency in artifact.get("properties", {}).get("additionalDependencies", []):
            asset_artifact = artifacts.get(dependency, {})
            if asset_artifact.get("type") == ASSET_MANIFEST_ARTIFACT:
                asset_stacks[asset_artifact["properties"]["file"]] = str(artifact.get("displayName", artifact_id))
        metadata: Json = {}
        metadata_file = artifact.get("additionalMetadataFile")
        if metadata_file:
            handled.add(metadata_file)
            files = [_read(source / metadata_file) for source in sources if (source / metadata_file).exists()]
            metadata = _merge_metadata(files)
            (target / metadata_file).write_text(json.dumps(metadata), encoding="utf-8")
        # Metadata kept in manifest.json itself (older layouts) is merged the same way.
        inline = [
            m["artifacts"][artifact_id].get("metadata") for m in manifests if artifact_id in m.get("artifacts", {})
        ]
        if any(inline):
            artifact["metadata"] = _merge_metadata([m for m in inline if m])
            metadata = {**metadata, **artifact["metadata"]}
        properties = artifact.get("properties", {})
        template_file = properties["templateFile"]
        handled.add(template_file)
        texts = [(source / template_file).read_bytes() for source in sources]
        if all(text == texts[0] for text in texts):
            (target / template_file).write_bytes(texts[0])
            continue
        merged = merge_templates(artifact_id, [json.loads(text) for text in texts])
        new_hash = _write_template(target / template_file, order_template(merged, metadata, positions))
        old_hash = hashlib.sha256(texts[0]).hexdigest()
        old_url = str(properties.get("stackTemplateAssetObjectUrl", ""))
        if old_hash in old_url:
            properties["stackTemplateAssetObjectUrl"] = old_url.replace(old_hash, new_hash)
        for dependency in properties.get("additionalDependencies", []):
            asset_artifact = artifacts.get(dependency, {})
            if asset_artifact.get("type") == ASSET_MANIFEST_ARTIFACT:
                template_hashes[asset_artifact["properties"]["file"]] = (template_file, new_hash)
        report.templates_merged.append(artifact_id)

    for artifact in artifacts.values():
        kind = artifact.get("type")
        if kind == NESTED_ASSEMBLY_ARTIFACT:
            # A Stage: its own cloud assembly in a sub-directory, merged the same way.
            name = artifact["properties"]["directoryName"]
            handled.add(name)
            _merge([source / name for source in sources], target / name, report, rebuilt, positions)
        elif kind == ASSET_MANIFEST_ARTIFACT:
            name = artifact["properties"]["file"]
            handled.add(name)
            _merge_asset_manifest(
                name,
                [source / name for source in sources],
                target / name,
                template_hashes.get(name),
                AssetOwners(asset_stacks.get(name, ""), positions),
            )

    for source in sources:
        for entry in sorted(source.iterdir()):
            if entry.name not in handled:
                _move(entry, target / entry.name, report)

    _merge_validation_reports(sources, target)
    manifest = {**manifests[0], "artifacts": artifacts}
    missing = [item for m in manifests for item in m.get("missing", [])]
    if missing:
        manifest["missing"] = [dict(t) for t in {json.dumps(i, sort_keys=True): i for i in missing}.values()]
    (target / MANIFEST).write_text(json.dumps(manifest, indent=2), encoding="utf-8")
    return report


def _merge_asset_manifest(
    name: str, sources: list[Path], target: Path, template: tuple[str, str] | None, owners: AssetOwners
) -> None:
    """Union of the workers' asset manifests; ``template`` = (stack template file, its merged hash).

    An asset two workers wrote may differ only in its ``displayName`` (:func:`merge_assets`).
    """
    manifests = [_read(path) for path in sources if path.exists()]
    merged = dict(manifests[0])
    for section in ("files", "dockerImages"):
        entries = []
        for manifest in manifests:
            values = dict(manifest.get(section, {}))
            if template is not None and section == "files":
                # Drop each worker's entry for the stack template: its hash was of the partial template.
                values = {k: v for k, v in values.items() if v.get("source", {}).get("path") != template[0]}
            entries.append(values)
        if any(section in manifest for manifest in manifests):
            merged[section] = merge_assets(f"{name} {section} ", entries, owners)
    if template is not None:
        template_file, new_hash = template
        old_hash, original = next(
            (k, v) for k, v in manifests[0]["files"].items() if v.get("source", {}).get("path") == template_file
        )
        entry = json.loads(json.dumps(original).replace(old_hash, new_hash))
        merged["files"][new_hash] = {
            **entry,
            "destinations": {_destination_key(key, dest): dest for key, dest in entry.get("destinations", {}).items()},
        }
    target.write_text(json.dumps(merged, indent=2), encoding="utf-8")


@dataclass(frozen=True)
class AssetOwners:
    """Where the assets of one asset manifest were created: what :func:`merge_assets` orders them by."""

    stack_path: str
    """Construct path of the (top-level) stack the manifest belongs to, e.g. ``"Prod/OrdersService"``."""
    positions: dict[str, int]
    """Construct path → position in the merged construct tree (:func:`construct_positions`)."""

    def position(self, display_name: object) -> int | None:
        """The tree position of the construct a default ``displayName`` names, None when it names none."""
        if not isinstance(display_name, str):
            return None
        return self.positions.get(f"{self.stack_path}/{display_name}" if self.stack_path else display_name)

    def added(self, entry: Json) -> tuple[int, float]:
        """Where one process adds the asset ``entry`` to the manifest: (phase, tree position).

        Phase 0: an asset of a construct (added when it is created); 1: a nested stack's template
        (``"<path> Nested Stack Template"``, added by ``prepareApp`` after the constructs, in tree order);
        2: anything else (its place is unknown; kept after the others the workers let come first).
        """
        name = entry.get("displayName")
        position = self.position(name)
        if position is not None:
            return (0, position)
        if isinstance(name, str) and name.endswith(NESTED_TEMPLATE):
            position = self.position(name.removesuffix(NESTED_TEMPLATE))
            if position is not None:
                return (1, position)
        return (2, math.inf)


def merge_assets(where: str, sections: list[Json], owners: AssetOwners) -> Json:
    """The union of one section (``files`` or ``dockerImages``, asset hash → entry) of the workers' asset manifests.

    An asset is keyed by its content hash, so constructs with the same content (functions sharing a
    ``code_dir``) share one entry, and aws-cdk-lib keeps the entry of the first one added: in
    aws-cdk-lib 2.275.0 core/lib/stack-synthesizers/asset-manifest-builder.js, ``addFileAsset`` does
    ``this.files[sourceHash]||(this.files[sourceHash]={displayName:options?.displayName,source,destinations:{}})``
    (``addDockerImageAsset`` the same with ``this.dockerImages``). That ``displayName`` (cloud-assembly-schema
    assets.schema.json: "A display name for this asset", shown by cdk-assets when it publishes) is
    ``props.displayName ?? Names.stackRelativeConstructPath(this)`` of the ``Asset`` that added it
    (aws-s3-assets/lib/asset.js; aws-ecr-assets/lib/image-asset.js also tries ``props.assetName``), and
    an ``Asset`` adds itself when it is created. So each worker names a shared asset after the first of
    the constructs *it* built, and only that name differs.

    The merge keeps the name of the construct first in construct-tree order. One process keeps the one
    created first; the assembly records no creation order, and the tree (children in the order they were
    added) gives it when the constructs sharing the asset were created in tree order, as in
    docs/scaling.md's example. It does not when a function declared later lands in a shard opened
    earlier by a function with other code (``e`` code X → Shard000, ``g`` code Y → Shard001, ``f`` code Y
    → Shard000: one process names ``g``, the merge ``f``); only the displayed name differs then.

    Entries are written in an order that keeps each worker's (:func:`_interleave`). Any other difference
    (source, packaging, destinations), or a differing name that names no construct of the stack (given
    by hand, or no ``tree.json``), raises naming ``where`` + the hash.
    """
    merged = _merge_dicts(where, sections, lambda at, kept, other: _same_asset(at, kept, other, owners))
    order = _interleave([list(section) for section in sections], lambda key: owners.added(merged[key]))
    return {key: merged[key] for key in order}


def _interleave(orders: list[list[str]], place: Callable[[str], tuple[int, float]]) -> list[str]:
    """One order of the keys of ``orders`` that keeps the order of each (the order a worker added them in).

    aws-cdk-lib writes an asset manifest's entries in the order they were first added; each worker's
    manifest is that order restricted to what it built. A key is next when it heads every list holding
    it; among such keys the one of least ``place`` (then of the first worker) comes first. Lists that
    contradict each other (no key heads all its lists) go on with the first worker's head.
    """
    index = [{key: i for i, key in enumerate(order)} for order in orders]
    heads = [0] * len(orders)
    done: set[str] = set()
    result: list[str] = []
    while True:
        for w, order in enumerate(orders):
            while heads[w] < len(order) and order[heads[w]] in done:
                heads[w] += 1
        candidates = [order[heads[w]] for w, order in enumerate(orders) if heads[w] < len(order)]
        if not candidates:
            return result
        ready = [
            key
            for key in candidates
            if all(key not in positions or positions[key] == heads[w] for w, positions in enumerate(index))
        ]
        key = min(ready, key=place) if ready else candidates[0]
        done.add(key)
        result.append(key)


def _same_asset(where: str, kept: Json, other: Json, owners: AssetOwners) -> Json:
    """``kept`` with the displayName of whichever of the two comes first in the tree; raise if they differ otherwise."""
    name = "displayName"
    if {k: v for k, v in kept.items() if k != name} != {k: v for k, v in other.items() if k != name}:
        raise conflict(where, "this entry differs between the workers")
    first, second = owners.position(kept.get(name)), owners.position(other.get(name))
    if first is None or second is None:
        raise conflict(
            where,
            f"this asset's displayName differs between the workers ({kept.get(name)!r}, {other.get(name)!r}) "
            "and does not name a construct of the stack, so which one a single process records is unknown; "
            "give the constructs that share this asset the same displayName",
        )
    return kept if first <= second else {**kept, name: other[name]}


def _destination_key(key: str, destination: Json) -> str:
    """CDK's key of an asset destination: ``<account>-<region>-`` + 8 hex of sha256(JSON of the destination)."""
    base = key.rsplit("-", 1)[0]
    text = json.dumps(destination, separators=(",", ":"), ensure_ascii=False)
    return f"{base}-{hashlib.sha256(text.encode('utf-8')).hexdigest()[:8]}"


def _merge_validation_reports(sources: list[Path], target: Path) -> None:
    reports = [_read(source / VALIDATION_REPORT) for source in sources if (source / VALIDATION_REPORT).exists()]
    if not reports:
        return
    plugin_reports: list[Any] = []
    for report in reports:
        for plugin in report.get("pluginReports", []):
            if plugin not in plugin_reports:
                plugin_reports.append(plugin)
    (target / VALIDATION_REPORT).write_text(
        json.dumps({**reports[0], "pluginReports": plugin_reports}, indent=2), encoding="utf-8"
    )
