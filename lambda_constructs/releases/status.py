"""``status``: the release file, the synthesized assembly and (optionally) the deployed stacks side by side.

Columns: FUNCTION, ALIAS, RELEASE (``FILE SAYS`` when compared), FINGERPRINT, ``DEPLOYED`` (with
``--outputs FILE`` or ``--deployed``; ``--deployed`` reads a function in a nested stack from the nested stack,
``--outputs`` alone shows :data:`NESTED_DEPLOYED` for it) and NEXT DEPLOY. A split shows as ``v1 +v2@0.1``
everywhere.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from lambda_constructs.errors import LambdaConstructsError
from lambda_constructs.releases.assembly import (
    NestedStack,
    SynthesizedFunction,
    read_assembly,
    read_deployed,
    read_deployed_nested,
    read_outputs,
)
from lambda_constructs.releases.fingerprint import changed_parts, short
from lambda_constructs.releases.parsing import load_record
from lambda_constructs.releases.record import LATEST, FunctionReleases

#: The DEPLOYED cell of a function in a nested stack (a LambdaService shard) without ``--deployed``: its
#: ``Output<alias>`` values are the nested stack's outputs, which ``cdk deploy --outputs-file`` does not list
#: (``--deployed`` reads them from the nested stack).
NESTED_DEPLOYED = "? (nested stack)"


def status_cmd(args: argparse.Namespace) -> None:
    """``status``: one row per alias (``args``: file, assembly, outputs, deployed, target)."""
    record = load_record(args.file)
    synthesized: dict[str, SynthesizedFunction] = {}
    if Path(args.assembly, "manifest.json").is_file():
        synthesized = read_assembly(args.assembly, target=args.target)
    deployed = read_outputs(args.outputs) if args.outputs else {}
    nested: dict[NestedStack, dict[str, str]] = {}
    if args.deployed:
        if not synthesized:
            raise LambdaConstructsError(
                "",
                "--deployed needs the cloud assembly to know the stacks and output ids",
                value=args.assembly,
                fix="run `cdk synth` first (or pass --assembly DIR)",
            )
        deployed.update(read_deployed(fn.stack_name for fn in synthesized.values() if not fn.nested_stack))
        nested = read_deployed_nested(
            (fn.stack_name, fn.nested_stack_ids) for fn in synthesized.values() if fn.nested_stack_ids
        )
    compare = bool(args.outputs or args.deployed)
    rows: list[tuple[str, ...]] = [("FUNCTION", "ALIAS", "FILE SAYS" if compare else "RELEASE", "FINGERPRINT")]
    rows[0] += ("DEPLOYED", "NEXT DEPLOY") if compare else ("NEXT DEPLOY",)
    pad: tuple[str, ...] = ("-",) if compare else ()
    for key in sorted(set(record.functions) | set(synthesized)):
        stored = record.functions.get(key)
        current = synthesized.get(key)
        if stored is None:
            fp_now = short(current.fingerprint if current else None)
            rows.append((key, "-", "-", fp_now, *pad, "no releases: run `release`"))
            continue
        entry = stored.for_target(args.target)
        if entry is None:
            label = stored.newest.label if stored.newest else "-"
            rows.append(
                (
                    key,
                    "-",
                    label,
                    short(stored.newest.fingerprint if stored.newest else None),
                    *pad,
                    f"target {args.target} not recorded: its first deploy publishes {label} only",
                )
            )
            continue
        newest = entry.newest
        was_deployed = _deployed_aliases(current, deployed, nested)
        if not entry.aliases:  # the function's row would otherwise be missing from the table
            label = newest.label if newest else "-"
            fp_newest = short(newest.fingerprint if newest else None)
            rows.append((key, "-", label, fp_newest, *pad, "no aliases in the file: add one to promote releases"))
        for name, spec in entry.aliases.items():
            target = entry.target(name)
            shown = target + "".join(f" +{label}@{weight:g}" for label, weight in spec.weights.items())
            if target == LATEST:
                fp = current.fingerprint if current else None
                if current is None:
                    change = "$LATEST (synthesize to compare)"
                elif newest is None or newest.fingerprint != current.fingerprint:
                    parts = changed_parts(newest.parts, current.parts) if newest else ["first code"]
                    change = "new code on $LATEST: " + ", ".join(parts)
                else:
                    change = f"$LATEST = {newest.label}"
            else:
                rel = entry.release(target)
                fp = rel.fingerprint if rel else None
                change = _pinned_change(entry, name, target, was_deployed or {})
            if compare:
                value = was_deployed.get(name) if was_deployed is not None else None
                was = value.split(" ")[0] + _split_of(value)[0] if value else "-"
                if was_deployed is None:
                    was = NESTED_DEPLOYED
                rows.append((key, name, shown, short(fp), was, change))
            else:
                rows.append((key, name, shown, short(fp), change))
        if newest is not None and not newest.published:
            drift = current is not None and current.fingerprint != newest.fingerprint
            note = "DRIFTED: synth refuses, re-record with --amend" if drift else "publishes its version"
            rows.append((key, "(new)", newest.label, short(newest.fingerprint), *pad, note))
    _print_table(rows)


def _print_table(rows: list[tuple[str, ...]]) -> None:
    """Columns padded to their widest cell (rows of other widths, e.g. notes, are padded as far as they go)."""
    columns = len(rows[0])
    widths = [max(len(row[i]) for row in rows if len(row) == columns) for i in range(columns - 1)]
    for row in rows:
        cells = [cell.ljust(widths[i]) if i < len(widths) and i < len(row) - 1 else cell for i, cell in enumerate(row)]
        print("  ".join(cells).rstrip())


def _deployed_aliases(
    current: SynthesizedFunction | None, deployed: dict[str, str], nested: dict[NestedStack, dict[str, str]]
) -> dict[str, str] | None:
    """Alias -> deployed ``Output<alias>`` value of ``current`` (aliases not deployed are left out): from the
    stack outputs ``deployed`` (``--outputs``/``--deployed``), or for a function in a nested stack from that
    nested stack's outputs (``--deployed``); None when a nested stack's outputs were not read."""
    if current is None:
        return {}
    outputs = deployed
    if current.nested_stack:
        where = (current.stack_name, current.nested_stack_ids)
        if not current.nested_stack_ids or where not in nested:
            return None
        outputs = nested[where]
    return {alias: outputs[lid] for alias, lid in current.output_ids.items() if lid in outputs}


def _pinned_change(entry: FunctionReleases, alias: str, target: str, deployed: dict[str, str]) -> str:
    spec = entry.aliases[alias]
    how = f" via {spec.deployment}" if spec.deployment else ""
    if alias in deployed:
        was = deployed[alias].split(" ")[0] + _split_of(deployed[alias])[0]
        now = target + "".join(f" +{label}@{weight:g}" for label, weight in spec.weights.items())
        return "no change" if was == now else f"moves {was} -> {now}{how}"
    split = "".join(f" +{label}@{weight:g}" for label, weight in spec.weights.items())
    if spec.history:
        return f"{target}{split} (previous: {spec.history[-1]}){how}"
    return f"{target}{split}{how}"


def _split_of(output: str) -> list[str]:
    """The weights part of an ``Output<alias>`` value (``"v1 sha256:… +v2@0.1"`` -> ``[" +v2@0.1"]``)."""
    return ["".join(" " + token for token in output.split(" ")[2:])]
