"""The release file: which releases each function has and which release each alias points to.

The file is JSON (``releases.json`` at the app root by default), written sorted and indented so a
promotion is a small, reviewable diff. Shape::

    {
      "format": 1,
      "functions": {
        "LambdaConstructsService/Orders": {
          "keep_releases": 5,
          "releases": [
            {"label": "v1", "fingerprint": "sha256:…", "parts": {...}, "published": true}
          ],
          "aliases": {
            "Dev":   {"follows": "$LATEST"},
            "Stage": {"release": "v1", "history": []},
            "Prod":  {"release": "v1", "weights": {"v2": 0.1}, "deployment": "Canary10Percent5Minutes",
                      "alarms": true, "provisioned_concurrency": 2, "history": ["v0"]}
          },
          "targets": {
            "ProdAccount": {"published": ["v1"], "aliases": {"Prod": {"release": "v1"}}}
          }
        }
      }
    }

The entry's own ``published`` flags and ``aliases`` are the ``default`` deployment target; each
``targets`` entry is another account/region/stack (docs/promotion.md, "Targets"). Reading is strict
(:mod:`lambda_constructs.releases.parsing`), the structural rules are in
:mod:`lambda_constructs.releases.rules`, writing is atomic and locked
(:mod:`lambda_constructs.releases.storage`).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from lambda_constructs.errors import LambdaConstructsError

FORMAT_VERSION = 1
#: Default release file name (looked up in the current directory by the CLI).
DEFAULT_FILE = "releases.json"
#: Lambda's alias name rule: not only digits, letters/digits/-/_ only, 1–128 characters.
ALIAS_NAME = re.compile(r"(?![0-9]+$)[a-zA-Z0-9_-]+")
ALIAS_NAME_MAX = 128
#: Release labels become construct ids (``Release<label>``) and version descriptions.
LABEL = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}")
#: Deployment target names (``targets`` keys, CDK Stage names, ``--target``); always ``re.fullmatch``.
TARGET = re.compile(r"[A-Za-z][A-Za-z0-9._-]{0,63}")
#: Context key naming the deployment target (``cdk deploy -c lambda-constructs:releaseTarget=prod``);
#: overrides the enclosing CDK Stage's name.
TARGET_CONTEXT = "lambda-constructs:releaseTarget"
#: Context key that turns the "unpublished release drifted" error into a warning, so that
#: ``cdk synth`` can produce the assembly ``release --amend`` reads.
RECORD_CONTEXT = "lambda-constructs:recordRelease"
#: The target whose state is the function entry's own ``releases[].published`` and ``aliases``.
DEFAULT_TARGET = "default"
LATEST = "$LATEST"
NEWEST = "newest"
#: Deployment configurations an alias may name (aws_codedeploy.LambdaDeploymentConfig members).
DEPLOYMENTS = (
    "AllAtOnce",
    "Canary10Percent5Minutes",
    "Canary10Percent10Minutes",
    "Canary10Percent15Minutes",
    "Canary10Percent30Minutes",
    "Linear10PercentEvery1Minute",
    "Linear10PercentEvery2Minutes",
    "Linear10PercentEvery3Minutes",
    "Linear10PercentEvery10Minutes",
)
#: Aliases a function's entry gets when ``release`` records its first release (the overview's
#: initial state: Dev follows $LATEST, Stage and Prod on the first release).
DEFAULT_ALIASES = ("Dev", "Stage", "Prod")


@dataclass
class Release:
    """One recorded release: the code and configuration a published version holds."""

    label: str
    """The release's name (1–64 letters, digits, ``.``, ``_`` or ``-``); becomes the construct id
    ``Release<label>`` and the version description."""
    fingerprint: str
    """``sha256:…`` hash of the function's code and configuration when the release was recorded."""
    parts: dict[str, Any] = field(default_factory=dict)
    """What the fingerprint covers (code asset hash, runtime, handler, memory …), for drift reports.
    Default: empty."""
    published: bool = False
    """Set (``mark-published``) once a deploy created its version; only the newest may be unpublished.
    Default: False."""
    pruned: bool = False
    """Dropped from the template by ``keep_releases``; its version stays in AWS (Retain) but can no
    longer be targeted (CloudFormation would publish a new version under the old logical id).
    Default: False."""
    recorded_at: str | None = None
    """ISO timestamp written by ``release``. Default: None."""

    def to_json(self) -> dict[str, Any]:
        """The release-file entry (``pruned`` and ``recorded_at`` only when set)."""
        data: dict[str, Any] = {"label": self.label, "fingerprint": self.fingerprint, "parts": self.parts}
        data["published"] = self.published
        if self.pruned:
            data["pruned"] = True
        if self.recorded_at:
            data["recorded_at"] = self.recorded_at
        return data


@dataclass
class AliasSpec:
    """Where an alias points and how it gets there."""

    release: str | None = None
    """Label of the release the alias points to. Exactly one of ``release`` and ``follows``.
    Default: None."""
    follows: str | None = None
    """``$LATEST`` (Dev: always the newest code) or ``newest`` (the newest recorded release).
    Default: None."""
    weights: dict[str, float] = field(default_factory=dict)
    """At most one other release with a weight in (0, 1): traffic split (AdditionalVersionWeights).
    Default: empty (no split)."""
    deployment: str | None = None
    """CodeDeploy configuration name (see :data:`DEPLOYMENTS`); None: the alias moves at once, no
    deployment group. Default: None."""
    alarms: bool = True
    """With ``deployment``: errors/throttles/p99-duration alarms that roll the deployment back.
    Default: True."""
    provisioned_concurrency: int | None = None
    """Provisioned concurrent executions on this alias (not on $LATEST). Default: None."""
    history: list[str] = field(default_factory=list)
    """Previous targets, oldest first (``rollback`` pops the last one). Default: empty."""

    def to_json(self) -> dict[str, Any]:
        """The release-file entry (only the keys that are set; ``alarms`` only with ``deployment``)."""
        data: dict[str, Any] = {}
        if self.follows is not None:
            data["follows"] = self.follows
        if self.release is not None:
            data["release"] = self.release
        if self.weights:
            data["weights"] = dict(self.weights)
        if self.deployment is not None:
            data["deployment"] = self.deployment
            data["alarms"] = self.alarms
        if self.provisioned_concurrency is not None:
            data["provisioned_concurrency"] = self.provisioned_concurrency
        if self.release is not None or self.history:
            data["history"] = list(self.history)
        return data


@dataclass
class TargetState:
    """What one named deployment target (an account/region/stack, a CDK Stage) has: its own published
    versions and alias pointers. The function entry's own fields are the ``default`` target."""

    published: list[str] = field(default_factory=list)
    """Labels whose version exists in this target (``mark-published --target``). Default: empty."""
    aliases: dict[str, AliasSpec] = field(default_factory=dict)
    """Alias specs of this target by alias name. Default: empty."""

    def to_json(self) -> dict[str, Any]:
        """The ``targets[<name>]`` entry."""
        return {"published": list(self.published), "aliases": {n: s.to_json() for n, s in self.aliases.items()}}


@dataclass
class FunctionReleases:
    """The releases and aliases of one function (keyed by its construct path)."""

    releases: list[Release] = field(default_factory=list)
    """Recorded releases, oldest first. Default: empty."""
    aliases: dict[str, AliasSpec] = field(default_factory=dict)
    """Alias specs by alias name. Default: empty."""
    keep_releases: int | None = None
    """Keep only the newest N releases (plus those aliases use or can roll back to). Default: all."""
    targets: dict[str, TargetState] = field(default_factory=dict)
    """Per-target state of targets other than ``default`` (docs/promotion.md, "Targets"). Default: empty."""
    also_used: set[str] = field(default_factory=set)
    """Labels other targets use (never pruned; set on target views, not saved). Default: empty."""

    def for_target(self, name: str) -> FunctionReleases | None:
        """The entry as target ``name`` sees it (its published flags and aliases), None when the
        target has no recorded state yet. ``default`` is the entry itself. The view shares the
        target's alias objects (edits to them are saved)."""
        if name == DEFAULT_TARGET:
            return self
        state = self.targets.get(name)
        if state is None:
            return None
        published = set(state.published)
        return FunctionReleases(
            releases=[
                Release(r.label, r.fingerprint, r.parts, r.label in published, r.pruned, r.recorded_at)
                for r in self.releases
            ],
            aliases=state.aliases,
            keep_releases=self.keep_releases,
            also_used=self.all_used_labels(),
        )

    def published_anywhere(self, label: str) -> bool:
        """Whether ``label``'s version exists in the default target or any named target."""
        release = self.release(label)
        return bool(release and release.published) or any(label in s.published for s in self.targets.values())

    def all_used_labels(self) -> set[str]:
        """Labels any target (default included) points to, splits to or can roll back to."""
        used = self.used_labels()
        for state in self.targets.values():
            view = FunctionReleases(releases=self.releases, aliases=state.aliases)
            used |= view.used_labels()
        return used

    def release(self, label: str) -> Release | None:
        """The release labelled ``label``, or None."""
        return next((r for r in self.releases if r.label == label), None)

    @property
    def newest(self) -> Release | None:
        """The most recently recorded release (pruned or not), or None when there is none."""
        return self.releases[-1] if self.releases else None

    def target(self, alias: str) -> str:
        """The label (or ``$LATEST``) the alias points to."""
        spec = self.aliases[alias]
        if spec.follows == LATEST:
            return LATEST
        if spec.follows == NEWEST:
            return self.newest.label if self.newest else LATEST
        assert spec.release is not None
        return spec.release

    def used_labels(self) -> set[str]:
        """Releases an alias points to, splits traffic to or can roll back to (never pruned)."""
        used: set[str] = set()
        for name, spec in self.aliases.items():
            target = self.target(name)
            if target != LATEST:
                used.add(target)
            used.update(spec.weights)
            if spec.history:
                used.add(spec.history[-1])
        return used

    def kept_labels(self) -> list[str]:
        """Releases synthesized as versions, in recording order."""
        used = self.used_labels() | self.also_used | self._other_targets_used()
        last = self.newest
        live = [r.label for r in self.releases if not r.pruned and (r.published or r is last)]
        recent = set(live[-self.keep_releases :] if self.keep_releases else live)
        return [label for label in live if label in used or label in recent]

    def _other_targets_used(self) -> set[str]:
        used: set[str] = set()
        for state in self.targets.values():
            used |= FunctionReleases(releases=self.releases, aliases=state.aliases).used_labels()
        return used

    def prune(self) -> list[str]:
        """Mark releases that no target uses and that are not among the newest ``keep_releases`` as
        pruned; returns their labels. (A release merely unpublished in some target is not pruned: it
        is only absent from that target's template.)"""
        used = self.all_used_labels() | self.also_used
        live = [r.label for r in self.releases if not r.pruned]
        recent = set(live[-self.keep_releases :] if self.keep_releases else live)
        dropped = [label for label in live if label not in used and label not in recent]
        for r in self.releases:
            if r.label in dropped:
                r.pruned = True
        return dropped

    def to_json(self) -> dict[str, Any]:
        """The function's release-file entry (``keep_releases`` only when set)."""
        data: dict[str, Any] = {
            "releases": [r.to_json() for r in self.releases],
            "aliases": {name: spec.to_json() for name, spec in self.aliases.items()},
        }
        if self.keep_releases is not None:
            data["keep_releases"] = self.keep_releases
        if self.targets:
            data["targets"] = {name: self.targets[name].to_json() for name in sorted(self.targets)}
        return data


@dataclass
class ReleaseRecord:
    """The whole release file. Load with :func:`load_record`, save with :meth:`save`."""

    functions: dict[str, FunctionReleases] = field(default_factory=dict)
    """Function entries keyed by construct path. Default: empty."""
    source: str = "<memory>"
    """Where the record came from, used in error messages. Default: ``"<memory>"``."""
    digest: str | None = None
    """sha256 of the bytes it was read from (re-checked before replacing the file). Default: None."""

    def function(self, key: str) -> FunctionReleases:
        """The entry of ``key``; raises listing the known functions."""
        if key not in self.functions:
            raise LambdaConstructsError(
                "",
                f"{self.source}: unknown function {key!r}",
                value=key,
                fix="use one of: " + (", ".join(sorted(self.functions)) or "(none recorded yet)"),
            )
        return self.functions[key]

    def to_json(self) -> dict[str, Any]:
        """The whole file as JSON data (functions sorted by key)."""
        return {
            "format": FORMAT_VERSION,
            "functions": {key: self.functions[key].to_json() for key in sorted(self.functions)},
        }

    def dumps(self) -> str:
        """The file text: :meth:`to_json` indented by 2, with a trailing newline (not validated)."""
        return json.dumps(self.to_json(), indent=2) + "\n"

    def save(self, path: str | Path) -> None:
        """Validate, then replace the file atomically (temp file, fsync, ``os.replace``; no lock:
        use :func:`lambda_constructs.releases.storage` ``edit_file`` for read-modify-write)."""
        from lambda_constructs.releases.storage import atomic_write

        validate_record(self)
        atomic_write(Path(path), self.dumps().encode("utf-8"))


def load_record(path: str | Path) -> ReleaseRecord:
    """Read and validate a release file (see :mod:`lambda_constructs.releases.parsing`)."""
    from lambda_constructs.releases.parsing import load_record as load

    return load(path)


def parse_record(text: str, source: str = "<string>") -> ReleaseRecord:
    """Parse and validate release-file text (see :mod:`lambda_constructs.releases.parsing`)."""
    from lambda_constructs.releases.parsing import parse_record as parse

    return parse(text, source)


def validate_record(record: ReleaseRecord) -> None:
    """Every structural rule of the file (see :mod:`lambda_constructs.releases.rules`)."""
    from lambda_constructs.releases.rules import validate_record as validate

    validate(record)
