"""``release``, ``promote``, ``rollback``, ``mark-published`` and ``status``: edit and show the release file.

Each command edits only the release file (``--file``, default ``releases.json`` in the current
directory), validates it and refuses unknown functions, aliases and releases, listing the known
ones. Editing commands hold an exclusive lock on the file for their whole read-modify-write and
replace it atomically (:mod:`lambda_constructs.releases.storage`); ``--target`` names a deployment
target other than ``default`` (docs/promotion.md, "Targets"). ``release`` and ``status`` read the current fingerprints from a cloud assembly (``--assembly``,
default ``cdk.out``): run ``cdk synth`` first. Exit codes: 0 done, 2 refused (the file is unchanged).
"""

from __future__ import annotations

import argparse
import re
import sys
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from lambda_constructs.errors import LambdaConstructsError
from lambda_constructs.releases.assembly import read_assembly
from lambda_constructs.releases.fingerprint import changed_parts, short
from lambda_constructs.releases.parsing import load_record
from lambda_constructs.releases.record import (
    DEFAULT_ALIASES,
    DEFAULT_FILE,
    DEFAULT_TARGET,
    LATEST,
    RECORD_CONTEXT,
    TARGET,
    AliasSpec,
    FunctionReleases,
    Release,
    ReleaseRecord,
    TargetState,
)
from lambda_constructs.releases.storage import digest, locked, replace_checked

EPILOG = f"""\
the Dev/Stage/Prod flow (docs/promotion.md):
  cdk synth && python -m lambda_constructs release LambdaConstructsService/Orders       # records v2
  python -m lambda_constructs promote Orders Stage v2                                  # Stage -> v2
  python -m lambda_constructs promote Orders Prod v2 --weight 0.1                      # 10 % to v2
  python -m lambda_constructs rollback Orders Stage                                    # Stage -> v1
  cdk deploy && python -m lambda_constructs mark-published Orders                      # v2 exists now
  python -m lambda_constructs status --outputs cdk-outputs.json                        # or --deployed
  python -m lambda_constructs mark-published Orders --target ProdAccount               # another account's deploy

FUNCTION is the function's construct path (as in the release file) or a unique suffix of it; a function
in a LambdaService shard also by its path without the shard's id (Svc/Orders for Shop/Svc/Shard007/Orders).
When synth refuses because an unpublished release drifted, synthesize with
`cdk synth -c {RECORD_CONTEXT}=true` and re-record it with `release FUNCTION --amend`.
"""


def _common(parser: argparse.ArgumentParser, *, target: bool = False) -> None:
    parser.add_argument(
        "--file", default=DEFAULT_FILE, help=f"release file (default: {DEFAULT_FILE} in the current directory)"
    )
    if target:
        parser.add_argument(
            "--target",
            default=DEFAULT_TARGET,
            help="deployment target (a CDK Stage name or the lambda-constructs:releaseTarget context value; "
            f"default: {DEFAULT_TARGET})",
        )


def register(subparsers: Any) -> None:
    """Add the release sub-commands to the top-level parser."""
    formatter = argparse.RawDescriptionHelpFormatter
    p = subparsers.add_parser(
        "release",
        help="record the function's current code fingerprint as a new release",
        description="Record the current fingerprint (read from the cloud assembly) as a new, unpublished release.",
        epilog=EPILOG,
        formatter_class=formatter,
    )
    p.add_argument("function", metavar="FUNCTION")
    p.add_argument("--label", help="release label (default: v<N+1>)")
    p.add_argument("--amend", action="store_true", help="re-record the newest release (only while unpublished)")
    p.add_argument("--assembly", default="cdk.out", help="cloud assembly to read (default: cdk.out)")
    _common(p)
    p.set_defaults(func=run_release)

    p = subparsers.add_parser(
        "promote",
        help="point an alias at a release (or send it a share of traffic with --weight)",
        description="Point ALIAS at RELEASE; the previous target is kept in the alias's history for rollback.",
        epilog=EPILOG,
        formatter_class=formatter,
    )
    p.add_argument("function", metavar="FUNCTION")
    p.add_argument("alias", metavar="ALIAS")
    p.add_argument("release", metavar="RELEASE")
    p.add_argument("--weight", type=float, help="send only this share (0 < W < 1) of ALIAS's traffic to RELEASE")
    _common(p, target=True)
    p.set_defaults(func=run_promote)

    p = subparsers.add_parser(
        "rollback",
        help="point an alias back at its previous release",
        description="Point ALIAS back at the release it pointed to before the last promote (and drop any split).",
        epilog=EPILOG,
        formatter_class=formatter,
    )
    p.add_argument("function", metavar="FUNCTION")
    p.add_argument("alias", metavar="ALIAS")
    _common(p, target=True)
    p.set_defaults(func=run_rollback)

    p = subparsers.add_parser(
        "mark-published",
        help="record that the newest release's version was deployed",
        description="Mark the newest release published (run after the deploy that created its version).",
        epilog=EPILOG,
        formatter_class=formatter,
    )
    p.add_argument("function", metavar="FUNCTION")
    _common(p, target=True)
    p.set_defaults(func=run_mark_published)

    p = subparsers.add_parser(
        "status",
        help="table of functions, aliases, releases and what the next deploy changes",
        description="Show every alias's release and fingerprint and what the next deploy would change.",
        epilog=EPILOG,
        formatter_class=formatter,
    )
    p.add_argument("--assembly", default="cdk.out", help="cloud assembly to read (default: cdk.out; optional)")
    p.add_argument("--outputs", help="`cdk deploy --outputs-file` file: compare with the deployed aliases")
    p.add_argument(
        "--deployed",
        action="store_true",
        help="read the deployed stacks' outputs, nested stacks' included, through CloudFormation (boto3; honours "
        "AWS_ENDPOINT_URL) "
        "and show FILE SAYS / DEPLOYED / NEXT DEPLOY per alias (needs --assembly for the stack names)",
    )
    _common(p, target=True)
    p.set_defaults(func=run_status)


# ------------------------------------------------------------------------------------- helpers


#: The construct id segment of a LambdaService shard (``/Shard007``, ``service._shard_id``), dropped from keys
#: when FUNCTION names a shard function as ``invoke`` does (``Svc/Orders`` for ``Shop/Svc/Shard007/Orders``).
_SHARD_SEGMENT = re.compile(r"/Shard\d{3}(?=/)")


def _resolve_key(name: str, known: Sequence[str]) -> str:
    """The key ``name`` names: a key, else the one key ending in ``/name``, else the one whose path without
    LambdaService shard ids (:data:`_SHARD_SEGMENT`) is or ends in ``name``."""
    if name in known:
        return name
    matches = [key for key in known if key.endswith("/" + name)]
    if not matches:
        matches = [
            key
            for key in known
            if (short := _SHARD_SEGMENT.sub("", key)) != key and (short == name or short.endswith("/" + name))
        ]
    if len(matches) == 1:
        return matches[0]
    raise LambdaConstructsError(
        "",
        f"unknown function {name!r}" if not matches else f"{name!r} matches several functions",
        value=name,
        fix="use one of: " + (", ".join(sorted(matches or known)) or "(none: add releases= to a SecureFunction)"),
    )


def _alias(entry: FunctionReleases, key: str, name: str) -> AliasSpec:
    if name not in entry.aliases:
        raise LambdaConstructsError(
            "",
            f"{key} has no alias {name!r}",
            value=name,
            fix="use one of: "
            + (
                ", ".join(entry.aliases)
                or f'(none: add one to the file, e.g. "aliases": {{"{name}": {{"release": "<label>"}}}})'
            ),
        )
    return entry.aliases[name]


def _release(entry: FunctionReleases, key: str, label: str) -> Release:
    rel = entry.release(label)
    live = [r.label for r in entry.releases if not r.pruned]
    if rel is None:
        raise LambdaConstructsError(
            "", f"{key} has no release {label!r}", value=label, fix="use one of: " + (", ".join(live) or "(none)")
        )
    if rel.pruned:
        raise LambdaConstructsError(
            "",
            f"release {label} of {key} was pruned (keep_releases): its version is retained in AWS but no longer "
            "managed by the stack, and re-adding it would publish a new version",
            value=label,
            fix="use one of: " + ", ".join(live),
        )
    return rel


def _next_label(entry: FunctionReleases) -> str:
    numbers = [int(m.group(1)) for r in entry.releases if (m := re.fullmatch(r"v(\d+)", r.label))]
    n = max(numbers, default=len(entry.releases)) + 1
    while entry.release(f"v{n}") is not None:
        n += 1
    return f"v{n}"


def _load(path: str, *, create: bool = False) -> ReleaseRecord:
    if create and not Path(path).exists():
        return ReleaseRecord(source=path, digest=digest(None))
    return load_record(path)


def _save(record: ReleaseRecord, path: str, entry: FunctionReleases) -> None:
    """Validate and replace the file (the caller holds the lock; refused when the file changed)."""
    dropped = entry.prune()
    record.source = path
    from lambda_constructs.releases.record import validate_record

    validate_record(record)
    assert record.digest is not None, "records saved by the CLI are read under the lock"
    replace_checked(Path(path), record.digest, record.dumps().encode("utf-8"))
    if dropped:
        print(f"pruned (keep_releases={entry.keep_releases}): {', '.join(dropped)} (versions retained in AWS)")


def _run(action: Any, args: argparse.Namespace, *, edits: bool = True) -> int:
    """Run ``action``; editing commands hold the file's lock throughout. Any refusal or OS/decode
    error is one line on stderr and exit code 2 (the file is then unchanged)."""
    try:
        if edits:
            with locked(Path(args.file)):
                action(args)
        else:
            action(args)
    except LambdaConstructsError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except (OSError, UnicodeError, RecursionError) as exc:  # defensive: the readers convert these already
        print(f"error: {args.file}: {type(exc).__name__}: {exc}; the file is unchanged", file=sys.stderr)
        return 2
    return 0


def _target_view(entry: FunctionReleases, key: str, target: str) -> FunctionReleases:
    if not TARGET.fullmatch(target):
        raise LambdaConstructsError("", "--target must be a target name", value=target)
    view = entry.for_target(target)
    if view is None:
        raise LambdaConstructsError(
            "",
            f"{key} has no recorded state in target {target} (its first deploy creates one version of the "
            "current code and points the pinned aliases at it)",
            value=target,
            fix=f"deploy it, then `mark-published {key} --target {target}`; recorded targets: "
            + ", ".join([DEFAULT_TARGET, *sorted(entry.targets)]),
        )
    return view


# ------------------------------------------------------------------------------------ commands


def run_release(args: argparse.Namespace) -> int:
    """``release FUNCTION [--label L] [--amend]``."""
    return _run(_release_cmd, args)


def _release_cmd(args: argparse.Namespace) -> None:
    record = _load(args.file, create=True)
    synthesized = read_assembly(args.assembly)
    key = _resolve_key(args.function, sorted(set(record.functions) | set(synthesized)))
    if key not in synthesized:
        raise LambdaConstructsError(
            "",
            f"{key} is not in the cloud assembly {args.assembly} (no release metadata)",
            value=key,
            fix="pass releases= to its SecureFunction and run `cdk synth`; synthesized: "
            + (", ".join(sorted(synthesized)) or "(none)"),
        )
    current = synthesized[key]
    entry = record.functions.get(key)
    is_new = entry is None
    if entry is None:
        entry = FunctionReleases()
    newest = entry.newest
    if args.amend:
        if newest is None or entry.published_anywhere(newest.label):
            raise LambdaConstructsError(
                "",
                f"--amend re-records the newest release only while it is unpublished everywhere ({key}: "
                + (f"{newest.label} is published" if newest else "no releases")
                + ")",
                value=newest.label if newest else None,
                fix=f"record a new release: release {args.function}",
            )
        if args.label and args.label != newest.label:
            raise LambdaConstructsError(
                "", "--amend keeps the label", value=args.label, fix=f"omit --label ({newest.label})"
            )
        changed = changed_parts(newest.parts, current.parts)
        newest.fingerprint, newest.parts = current.fingerprint, current.parts
        newest.recorded_at = _now()
        record.functions[key] = entry
        _save(record, args.file, entry)
        print(
            f"{key}: re-recorded {newest.label} {short(current.fingerprint)} (changed: {', '.join(changed) or 'nothing'})"
        )
        return
    if newest is not None and not entry.published_anywhere(newest.label):
        raise LambdaConstructsError(
            "",
            f"{key}: release {newest.label} is not published yet (a deploy creates its version)",
            value=newest.label,
            fix=f"deploy, then `mark-published {args.function}`; or re-record it with `release {args.function} --amend`",
        )
    if newest is not None and newest.fingerprint == current.fingerprint:
        raise LambdaConstructsError(
            "",
            f"{key}: nothing changed since release {newest.label}",
            value=short(current.fingerprint),
            fix=f"promote {newest.label}, or change the code / configuration and run `cdk synth` again",
        )
    label = args.label or _next_label(entry)
    entry.releases.append(
        Release(label=label, fingerprint=current.fingerprint, parts=current.parts, published=False, recorded_at=_now())
    )
    if is_new:
        dev, *pinned = DEFAULT_ALIASES
        entry.aliases[dev] = AliasSpec(follows=LATEST)
        for name in pinned:
            entry.aliases[name] = AliasSpec(release=label)
    record.functions[key] = entry
    _save(record, args.file, entry)
    what = ", ".join(changed_parts(newest.parts, current.parts)) if newest else "first release"
    print(f"{key}: recorded {label} {short(current.fingerprint)} ({what}); unpublished until deployed")
    if is_new:
        print(f"  new entry: {DEFAULT_ALIASES[0]} follows $LATEST, {', '.join(DEFAULT_ALIASES[1:])} -> {label}")


def run_promote(args: argparse.Namespace) -> int:
    """``promote FUNCTION ALIAS RELEASE [--weight W]``."""
    return _run(_promote_cmd, args)


def _promote_cmd(args: argparse.Namespace) -> None:
    record = load_record(args.file)
    key = _resolve_key(args.function, sorted(record.functions))
    stored = record.functions[key]
    entry = _target_view(stored, key, args.target)
    spec = _alias(entry, key, args.alias)
    _release(entry, key, args.release)
    if spec.follows is not None:
        raise LambdaConstructsError(
            "",
            f"alias {args.alias} of {key} follows {spec.follows}; it is not promoted",
            value=args.alias,
            fix='pin it first by editing the file ({"release": "<label>"}), or promote another alias: '
            + ", ".join(n for n, s in entry.aliases.items() if s.follows is None),
        )
    previous = entry.target(args.alias)
    if args.weight is not None:
        if not 0 < args.weight < 1:
            raise LambdaConstructsError(
                "", "--weight is the share of traffic for RELEASE, strictly between 0 and 1", value=args.weight
            )
        if args.release == previous:
            raise LambdaConstructsError("", f"{args.alias} already points to {previous}", value=args.release)
        spec.weights = {args.release: args.weight}
        message = f"{key}: {args.alias} -> {previous} ({1 - args.weight:.0%}) + {args.release} ({args.weight:.0%})"
    else:
        if args.release == previous and not spec.weights:
            raise LambdaConstructsError(
                "", f"{key}: {args.alias} already points to {previous}", value=args.release, fix="nothing to do"
            )
        if args.release != previous:
            spec.history.append(previous)
        spec.release = args.release
        spec.weights = {}
        message = f"{key}: {args.alias} -> {args.release} (was {previous})"
    _save(record, args.file, stored)
    print(message)


def run_rollback(args: argparse.Namespace) -> int:
    """``rollback FUNCTION ALIAS``."""
    return _run(_rollback_cmd, args)


def _rollback_cmd(args: argparse.Namespace) -> None:
    record = load_record(args.file)
    key = _resolve_key(args.function, sorted(record.functions))
    stored = record.functions[key]
    entry = _target_view(stored, key, args.target)
    spec = _alias(entry, key, args.alias)
    if spec.weights and spec.release is not None:
        dropped = ", ".join(spec.weights)
        spec.weights = {}
        _save(record, args.file, stored)
        print(f"{key}: {args.alias} -> {spec.release} (traffic split to {dropped} removed)")
        return
    if not spec.history:
        raise LambdaConstructsError(
            "",
            f"{key}: alias {args.alias} has no previous release to roll back to",
            value=args.alias,
            fix="promote it to a release explicitly",
        )
    previous = spec.history[-1]
    _release(entry, key, previous)
    current = spec.release
    spec.history.pop()
    spec.release = previous
    _save(record, args.file, stored)
    print(f"{key}: {args.alias} -> {previous} (rolled back from {current})")


def run_mark_published(args: argparse.Namespace) -> int:
    """``mark-published FUNCTION``."""
    return _run(_mark_published_cmd, args)


def _mark_published_cmd(args: argparse.Namespace) -> None:
    record = load_record(args.file)
    key = _resolve_key(args.function, sorted(record.functions))
    entry = record.functions[key]
    newest = entry.newest
    if args.target != DEFAULT_TARGET:
        if not TARGET.fullmatch(args.target):
            raise LambdaConstructsError("", "--target must be a target name", value=args.target)
        if newest is None:
            raise LambdaConstructsError("", f"{key}: no release recorded", fix=f"release {args.function}")
        state = entry.targets.get(args.target)
        if state is None:
            # What the target's first deploy created (apply_releases: one version, pinned aliases on it).
            entry.targets[args.target] = TargetState(
                published=[newest.label],
                aliases={
                    name: AliasSpec(follows=LATEST)
                    if spec.follows == LATEST
                    else AliasSpec(
                        release=newest.label,
                        deployment=spec.deployment,
                        alarms=spec.alarms,
                        provisioned_concurrency=spec.provisioned_concurrency,
                    )
                    for name, spec in entry.aliases.items()
                },
            )
        elif newest.label in state.published:
            raise LambdaConstructsError(
                "", f"{key}: {newest.label} is already published in target {args.target}", fix="nothing to do"
            )
        else:
            state.published.append(newest.label)
        _save(record, args.file, entry)
        print(f"{key}: {newest.label} published in target {args.target}")
        return
    if newest is None or newest.published:
        raise LambdaConstructsError(
            "", f"{key}: no unpublished release", value=newest.label if newest else None, fix="nothing to do"
        )
    newest.published = True
    _save(record, args.file, entry)
    print(f"{key}: {newest.label} published")


def run_status(args: argparse.Namespace) -> int:
    """``status``: one row per alias."""
    from lambda_constructs.releases.status import status_cmd

    return _run(status_cmd, args, edits=False)


def _now() -> str:
    return datetime.now(UTC).replace(microsecond=0).isoformat()
