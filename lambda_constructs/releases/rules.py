"""The structural rules of the release file (raised as :class:`LambdaConstructsError` naming the place).

Types are checked while reading (:mod:`lambda_constructs.releases.parsing`); these rules also run
before every save. Alias names follow Lambda's ``Name`` pattern ``(?!^[0-9]+$)([a-zA-Z0-9-_]+)``, at
most 128 characters (botocore lambda 2015-03-31 model, ``Alias`` shape); weights follow
``AliasRoutingConfiguration`` (one additional version, 0.0–1.0; the file requires a real split,
strictly between 0 and 1).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from lambda_constructs.errors import LambdaConstructsError
from lambda_constructs.releases.record import (
    ALIAS_NAME,
    ALIAS_NAME_MAX,
    DEFAULT_TARGET,
    DEPLOYMENTS,
    LABEL,
    LATEST,
    NEWEST,
    TARGET,
    AliasSpec,
    FunctionReleases,
    ReleaseRecord,
)


def _error(source: str, where: str, message: str, *, value: Any = None, fix: str = "") -> LambdaConstructsError:
    return LambdaConstructsError("", f"{source}: {where}: {message}", value=value, fix=fix)


def _expect(source: str, where: str, value: Any, kind: type | tuple[type, ...], what: str) -> Any:
    if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
        raise _error(source, where, f"must be {what}", value=value)
    return value


# ----------------------------------------------------------------------------------- validation


def check_alias_name(name: str) -> str | None:
    """Why ``name`` is not a valid Lambda alias name, or None."""
    if len(name) > ALIAS_NAME_MAX:
        return f"alias names have at most {ALIAS_NAME_MAX} characters (this one has {len(name)})"
    if not ALIAS_NAME.fullmatch(name):
        return "alias names match (?!^[0-9]+$)([a-zA-Z0-9-_]+): letters, digits, - and _, not only digits"
    return None


def validate_record(record: ReleaseRecord) -> None:
    """Every structural rule of the file (raises :class:`LambdaConstructsError`)."""
    for key, fn in record.functions.items():
        validate_function(record.source, key, fn)


def _known(labels: Iterable[str]) -> str:
    return ", ".join(labels) or "(no releases recorded)"


def validate_function(source: str, key: str, fn: FunctionReleases) -> None:
    """Rules of one function entry."""
    where = f"functions[{key!r}]"
    if fn.keep_releases is not None:
        _expect(source, f"{where}.keep_releases", fn.keep_releases, int, "a whole number")
        if fn.keep_releases < 1:
            raise _error(source, f"{where}.keep_releases", "must be at least 1", value=fn.keep_releases)
    seen: set[str] = set()
    for index, rel in enumerate(fn.releases):
        rwhere = f"{where}.releases[{index}]"
        _expect(source, f"{rwhere}.label", rel.label, str, "a string")
        if not LABEL.fullmatch(rel.label):
            raise _error(
                source,
                f"{rwhere}.label",
                "labels are 1–64 letters, digits, '.', '_' or '-', starting with a letter or digit",
                value=rel.label,
            )
        if rel.label in seen:
            raise _error(
                source, f"{rwhere}.label", "two releases have the same label", value=rel.label, fix="relabel one"
            )
        seen.add(rel.label)
        _expect(source, f"{rwhere}.fingerprint", rel.fingerprint, str, "a string")
        if not rel.fingerprint.startswith("sha256:"):
            raise _error(source, f"{rwhere}.fingerprint", "must start with 'sha256:'", value=rel.fingerprint)
    unpublished = [r.label for r in fn.releases if not r.published]
    # With named targets the default target may be one that is never deployed (an app of Stages):
    # there an older release unpublished in default is simply not synthesized in default, and an
    # alias on it is refused when default is synthesized (synth.py).
    if unpublished and unpublished != [fn.releases[-1].label] and not fn.targets:
        raise _error(
            source,
            where,
            "only the newest release can be unpublished (an older unpublished release would be published "
            "with the newest code)",
            value=unpublished,
            fix="deploy and run `mark-published`, or remove the releases that were never deployed",
        )
    _validate_aliases(source, where, fn, seen, fn.aliases)
    for target, state in fn.targets.items():
        twhere = f"{where}.targets[{target!r}]"
        if not TARGET.fullmatch(target) or target == DEFAULT_TARGET:
            raise _error(
                source,
                twhere,
                f"target names are 1–64 letters, digits, '.', '_' or '-' starting with a letter, not {DEFAULT_TARGET!r}"
                " (the entry's own fields are the default target)",
                value=target,
            )
        for label in state.published:
            if label not in seen:
                raise _error(source, f"{twhere}.published", f"unknown release {label!r}", value=label)
        if len(set(state.published)) != len(state.published):
            raise _error(source, f"{twhere}.published", "a label is listed twice", value=state.published)
        newest = fn.newest.label if fn.newest else None
        usable = set(state.published) | ({newest} if newest else set())
        _validate_aliases(source, twhere, fn, seen, state.aliases, usable)


def _validate_aliases(
    source: str,
    where: str,
    fn: FunctionReleases,
    seen: set[str],
    aliases: dict[str, AliasSpec],
    usable: set[str] | None = None,
) -> None:
    """Alias rules; ``usable``: labels a target can point to (published there, or the newest)."""
    pruned = {r.label for r in fn.releases if r.pruned}
    live = [r.label for r in fn.releases if not r.pruned]
    for name, spec in aliases.items():
        awhere = f"{where}.aliases[{name!r}]"
        problem = check_alias_name(name)
        if problem:
            raise _error(source, awhere, problem, value=name, fix="rename the alias")
        if (spec.release is None) == (spec.follows is None):
            raise _error(
                source,
                awhere,
                "exactly one of 'release' and 'follows' is required",
                value=spec.to_json(),
                fix=f'use {{"release": "<label>"}} or {{"follows": "{LATEST}"}} / {{"follows": "{NEWEST}"}}',
            )
        if spec.follows is not None and spec.follows not in (LATEST, NEWEST):
            raise _error(source, f"{awhere}.follows", f"must be {LATEST!r} or {NEWEST!r}", value=spec.follows)
        for label in [spec.release, *spec.weights] if spec.release else list(spec.weights):
            if label in pruned:
                raise _error(
                    source,
                    awhere,
                    f"release {label} was pruned (keep_releases): its version is no longer in the template",
                    value=label,
                    fix="point the alias at a kept release: " + _known(live),
                )
            if label not in seen:
                raise _error(
                    source, awhere, f"unknown release {label!r}", value=label, fix="use one of: " + _known(live)
                )
            if usable is not None and label not in usable:
                raise _error(
                    source,
                    awhere,
                    f"release {label} has no version in this target and a deploy can only publish the newest "
                    "release's code there",
                    value=label,
                    fix="promote it to a release published in this target or the newest: " + _known(sorted(usable)),
                )
        _validate_weights(source, awhere, name, spec)
        _validate_alias_options(source, awhere, spec)


def _validate_weights(source: str, where: str, name: str, spec: AliasSpec) -> None:
    if not spec.weights:
        return
    _expect(source, f"{where}.weights", spec.weights, dict, "an object {label: weight}")
    if len(spec.weights) > 1:
        raise _error(
            source,
            f"{where}.weights",
            "an alias routes to at most two versions: its release plus one weighted release",
            value=spec.weights,
            fix="keep a single weighted release",
        )
    if spec.follows is not None:
        raise _error(
            source,
            f"{where}.weights",
            f"a weighted alias needs a fixed release (not follows={spec.follows})",
            value=name,
        )
    for label, weight in spec.weights.items():
        if label == spec.release:
            raise _error(source, f"{where}.weights", "the weighted release is the alias's own release", value=label)
        if isinstance(weight, bool) or not isinstance(weight, int | float) or not 0 < weight < 1:
            raise _error(
                source,
                f"{where}.weights[{label!r}]",
                "weights are strictly between 0 and 1 (the share of traffic the weighted release gets)",
                value=weight,
                fix="use e.g. 0.1 for 10 %",
            )
    if spec.deployment is not None:
        raise _error(
            source,
            f"{where}.weights",
            "weights and a CodeDeploy deployment are exclusive (CodeDeploy shifts the weights itself)",
            value=spec.deployment,
            fix="remove 'weights' or 'deployment'",
        )


def _validate_alias_options(source: str, where: str, spec: AliasSpec) -> None:
    if spec.deployment is not None:
        if spec.deployment not in DEPLOYMENTS:
            raise _error(
                source, f"{where}.deployment", "unknown deployment", value=spec.deployment, fix=", ".join(DEPLOYMENTS)
            )
        if spec.follows == LATEST:
            raise _error(
                source,
                f"{where}.deployment",
                "CodeDeploy shifts traffic between versions; an alias on $LATEST has none",
                value=spec.deployment,
                fix='remove "deployment" or use {"follows": "newest"}',
            )
    pc = spec.provisioned_concurrency
    if pc is not None:
        _expect(source, f"{where}.provisioned_concurrency", pc, int, "a whole number")
        if spec.follows == LATEST:
            raise _error(
                source,
                f"{where}.provisioned_concurrency",
                "provisioned concurrency cannot be configured on $LATEST",
                value=pc,
                fix="put it on an alias that points at a release",
            )
        if pc < 1:
            raise _error(source, f"{where}.provisioned_concurrency", "must be at least 1", value=pc)
        if spec.weights:
            raise _error(
                source,
                f"{where}.provisioned_concurrency",
                "Lambda rejects provisioned concurrency on an alias with weights",
                value=spec.weights,
                fix="remove the weights (or use a CodeDeploy deployment) while provisioned concurrency is set",
            )
    for label in spec.history:
        _expect(source, f"{where}.history", label, str, "a list of release labels")
