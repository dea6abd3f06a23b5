"""Synthesis of a function's release record: versions, aliases, traffic shifting and audit outputs.

Construct ids are API (they are the logical ids CloudFormation tracks):

* ``Release<label>``: one ``AWS::Lambda::Version`` per kept release. Its properties (function and
  description ``<label> <fingerprint>``) never change, so CloudFormation never replaces it;
  ``DeletionPolicy``/``UpdateReplacePolicy`` are ``Retain``.
* ``Alias<name>``: one alias per entry (via :meth:`SecureFunction.add_alias`); promoting changes only
  its ``FunctionVersion``/``RoutingConfig``.
* ``Deployment<name>``: CodeDeploy deployment group, role and alarms of an alias with ``deployment``.
* ``Output<name>``: a stack output ``<label> <fingerprint>`` per alias (the deployed audit trail).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from aws_cdk import App, CfnOutput, Duration, RemovalPolicy, Stage
from aws_cdk import aws_cloudwatch as cloudwatch
from aws_cdk import aws_codedeploy as codedeploy
from aws_cdk import aws_lambda as lambda_
from constructs import Construct

from lambda_constructs.compliance import acknowledge_rule
from lambda_constructs.errors import LambdaConstructsError, fail, warn
from lambda_constructs.releases.deployment_role import DeploymentRole
from lambda_constructs.releases.fingerprint import METADATA_KEY, changed_parts, fingerprint, function_parts, short
from lambda_constructs.releases.record import (
    DEFAULT_ALIASES,
    DEFAULT_TARGET,
    LATEST,
    RECORD_CONTEXT,
    TARGET,
    TARGET_CONTEXT,
    AliasSpec,
    FunctionReleases,
    Release,
    ReleaseRecord,
    load_record,
)
from lambda_constructs.validation import duration_seconds, is_token

if TYPE_CHECKING:
    from lambda_constructs.contract import FunctionView

__all__ = ["RECORD_CONTEXT", "TARGET_CONTEXT", "AliasDeployment", "FunctionReleaseSet", "apply_releases"]
#: Acknowledgement reasons of the resources this module creates.
REASONS = {
    "alarm-action": (
        "These alarms are consumed by the alias's CodeDeploy deployment group, which rolls the deployment "
        "back when one fires; they need no SNS action."
    ),
}
_DEPLOYMENT_CONFIGS = {
    "AllAtOnce": codedeploy.LambdaDeploymentConfig.ALL_AT_ONCE,
    "Canary10Percent5Minutes": codedeploy.LambdaDeploymentConfig.CANARY_10_PERCENT_5_MINUTES,
    "Canary10Percent10Minutes": codedeploy.LambdaDeploymentConfig.CANARY_10_PERCENT_10_MINUTES,
    "Canary10Percent15Minutes": codedeploy.LambdaDeploymentConfig.CANARY_10_PERCENT_15_MINUTES,
    "Canary10Percent30Minutes": codedeploy.LambdaDeploymentConfig.CANARY_10_PERCENT_30_MINUTES,
    "Linear10PercentEvery1Minute": codedeploy.LambdaDeploymentConfig.LINEAR_10_PERCENT_EVERY_1_MINUTE,
    "Linear10PercentEvery2Minutes": codedeploy.LambdaDeploymentConfig.LINEAR_10_PERCENT_EVERY_2_MINUTES,
    "Linear10PercentEvery3Minutes": codedeploy.LambdaDeploymentConfig.LINEAR_10_PERCENT_EVERY_3_MINUTES,
    "Linear10PercentEvery10Minutes": codedeploy.LambdaDeploymentConfig.LINEAR_10_PERCENT_EVERY_10_MINUTES,
}


@dataclass
class AliasDeployment:
    """The CodeDeploy resources of one alias (add hooks with ``group.add_pre_hook(fn)``)."""

    group: codedeploy.LambdaDeploymentGroup
    """The alias's CodeDeploy deployment group."""
    alarms: list[cloudwatch.Alarm] = field(default_factory=list)
    """Rollback alarms of the group (none when the alias sets ``"alarms": false``). Default: empty."""


@dataclass(frozen=True, kw_only=True)
class FunctionReleaseSet:
    """What :func:`apply_releases` built for one function (``SecureFunction.releases``); the function
    itself is not changed by it beyond the aliases it was asked to add (``FunctionView.add_alias``)."""

    key: str
    """The function's key in the release file (its construct path)."""
    fingerprint: str
    """The current code/configuration fingerprint."""
    parts: Mapping[str, object]
    """What the fingerprint covers (code asset hash, runtime, handler, memory …)."""
    entry: FunctionReleases | None
    """The function's entry (None when the file has none yet: the first deploy's plan is made)."""
    target: str = DEFAULT_TARGET
    """The deployment target whose state was synthesized (docs/promotion.md, "Targets").
    Default: ``default``."""
    versions: Mapping[str, lambda_.Version] = field(default_factory=dict)
    """``AWS::Lambda::Version`` by release label (kept releases only). Default: empty."""
    aliases: Mapping[str, lambda_.Alias] = field(default_factory=dict)
    """The aliases of the release entry by name, in the entry's order. Default: empty."""
    default_alias: str | None = None
    """The alias triggers target when none is named: the function's ``default_alias`` setting when the
    entry has that alias, else None (the caller sets its ``default_alias_name`` from it). Default: None."""
    deployments: Mapping[str, AliasDeployment] = field(default_factory=dict)
    """CodeDeploy groups by alias name (aliases with a ``deployment`` only). Default: empty."""

    def deployment_group(self, alias: str) -> codedeploy.LambdaDeploymentGroup:
        """The alias's deployment group, e.g. to ``add_pre_hook``/``add_post_hook`` a test function."""
        if alias not in self.deployments:
            raise KeyError(f"alias {alias!r} has no deployment (known: {', '.join(self.deployments) or 'none'})")
        return self.deployments[alias].group


def load(source: ReleaseRecord | str | os.PathLike[str]) -> ReleaseRecord:
    """A record object as is, or the file at ``source`` (which must exist)."""
    if isinstance(source, ReleaseRecord):
        return source
    if not Path(source).is_file():
        raise LambdaConstructsError(
            "",
            "the release file given as releases= does not exist",
            value=str(source),
            fix=f"check the path (relative to the folder cdk runs in), or create it: "
            f'`printf \'{{"format": 1, "functions": {{}}}}\\n\' > {source}`',
        )
    return load_record(Path(source))


def key_and_target(fn: Construct, record: ReleaseRecord) -> tuple[str, str]:
    """The function's key in the file and its deployment target.

    Key: the construct path, relative to the enclosing CDK Stage (so the stages of one app share
    entries); a file that already holds the full path keeps using it. Target: the context value
    ``lambda-constructs:releaseTarget``, else the enclosing Stage's name, else ``default``.
    """
    stage = Stage.of(fn)
    key, target = fn.node.path, DEFAULT_TARGET
    if stage is not None and not isinstance(stage, App):
        relative = fn.node.path[len(stage.node.path) + 1 :]
        if relative in record.functions or key not in record.functions:
            key, target = relative, stage.stage_name
    explicit = fn.node.try_get_context(TARGET_CONTEXT)
    if explicit is not None:
        if not isinstance(explicit, str) or not TARGET.fullmatch(explicit):
            raise fail(
                fn,
                f"context {TARGET_CONTEXT} must be a target name (1–64 letters, digits, '.', '_' or '-')",
                value=explicit,
            )
        target = explicit
    elif not TARGET.fullmatch(target):
        raise fail(
            fn,
            "the enclosing Stage's name is not usable as a release target name (1–64 letters, digits, '.', "
            "'_' or '-', starting with a letter)",
            value=target,
            fix=f"name the target explicitly: `cdk synth -c {TARGET_CONTEXT}=NAME`",
        )
    return key, target


def apply_releases(fn: FunctionView, source: ReleaseRecord | str | os.PathLike[str]) -> FunctionReleaseSet:
    """Create the versions, aliases, deployments and outputs of ``fn`` from its release entry.

    The resources are created under ``fn`` (aliases through ``fn.add_alias``); nothing else of ``fn`` is
    set: the result names the versions, the aliases and the default alias, and the caller takes what it
    needs (``SecureFunction`` sets its ``default_alias_name`` from ``default_alias``).

    Raises:
        LambdaConstructsError: the release file is missing or invalid, the code drifted from a recorded
            release, or an alias points at a release with no version in this target.
    """
    record = load(source)
    key, target = key_and_target(fn.construct, record)
    parts = function_parts(fn.function)
    current = fingerprint(parts)
    cfn = fn.function.node.default_child
    assert isinstance(cfn, lambda_.CfnFunction)
    meta: dict[str, object] = {"key": key, "fingerprint": current, "parts": parts}
    if target != DEFAULT_TARGET:  # (templates of the default target stay byte-identical)
        meta["target"] = target
    cfn.add_metadata(METADATA_KEY, meta)
    stored = record.functions.get(key)
    if stored is None:
        entry = _first_deploy(fn, record.source, key, target, parts, current)
    else:
        entry = stored.for_target(target) or _fresh_target(fn, record.source, key, target, stored, parts, current)
    _check_drift(fn, key, entry, parts, current)
    _check_provisioned_concurrency(fn, entry)
    versions: dict[str, lambda_.Version] = {}
    for label in entry.kept_labels():  # versions of distinct code: only the newest can be new
        release = entry.release(label)
        assert release is not None
        versions[label] = lambda_.Version(
            fn.construct,
            f"Release{label}",
            lambda_=fn.function,
            description=f"{label} {release.fingerprint}",
            removal_policy=RemovalPolicy.RETAIN,
        )
    _check_usable(fn, record.source, key, target, entry, set(versions))
    application: codedeploy.LambdaApplication | None = None
    aliases: dict[str, lambda_.Alias] = {}
    deployments: dict[str, AliasDeployment] = {}
    for name, spec in entry.aliases.items():
        points_to = entry.target(name)
        version = fn.latest_version if points_to == LATEST else versions[points_to]
        split = "".join(f" +{label}@{weight:g}" for label, weight in spec.weights.items())
        alias = fn.add_alias(
            name,
            version,
            description=f"{name} -> {points_to}{split}",
            additional_versions=[
                lambda_.VersionWeight(version=versions[label], weight=weight) for label, weight in spec.weights.items()
            ],
            provisioned_concurrent_executions=spec.provisioned_concurrency,
        )
        aliases[name] = alias
        fp = current if points_to == LATEST else _release_fp(entry, points_to)
        CfnOutput(
            fn.construct,
            f"Output{name}",
            value=f"{points_to} {fp}{split}",
            description=f"Release and fingerprint alias {name} of {key} points to",
        )
        if spec.deployment is not None:
            if application is None:
                application = codedeploy.LambdaApplication(fn.construct, "DeploymentApplication")
            deployments[name] = _deployment(fn, name, alias, spec.deployment, spec.alarms, application)
    return FunctionReleaseSet(
        key=key,
        fingerprint=current,
        parts=parts,
        entry=stored,
        target=target,
        versions=versions,
        aliases=aliases,
        default_alias=fn.props.default_alias if fn.props.default_alias in aliases else None,
        deployments=deployments,
    )


def _check_usable(
    fn: FunctionView, source: str, key: str, target: str, entry: FunctionReleases, versions: set[str]
) -> None:
    """Every release an alias points or splits to has a version in this target's template."""
    for name, spec in entry.aliases.items():
        points_to = entry.target(name)
        for label in [points_to, *spec.weights]:
            if label != LATEST and label not in versions:
                option = "" if target == DEFAULT_TARGET else f" --target {target}"
                raise fail(
                    fn,
                    f"alias {name} of {key} points to release {label}, which has no version in target {target} "
                    f"({source}) and cannot be published there now (a deploy publishes only the newest release)",
                    value=label,
                    fix=f"`python -m lambda_constructs promote {key} {name} <one of: {', '.join(sorted(versions))}>"
                    f"{option} --file {source}`",
                )


def _first_deploy(
    fn: FunctionView, source: str, key: str, target: str, parts: dict[str, object], current: str
) -> FunctionReleases:
    """No entry yet: the plan ``release`` would record (v1 = the current code; Dev on $LATEST,
    Stage and Prod on v1), so recording it after the first deploy leaves the template unchanged."""
    label = "v1"
    dev, *pinned = DEFAULT_ALIASES
    plan = FunctionReleases(
        releases=[Release(label=label, fingerprint=current, parts=dict(parts), published=False)],
        aliases={dev: AliasSpec(follows=LATEST), **{name: AliasSpec(release=label) for name in pinned}},
    )
    warn(
        fn,
        "releaseNotRecorded",
        f"{source} has no entry for {key} (target {target}): this deploy creates version {label} of the current "
        f"code ({short(current)}) with {dev} -> $LATEST and {', '.join(pinned)} -> {label}; after it, record it: "
        f"`python -m lambda_constructs release {key} --file {source}` then `mark-published {key}`",
    )
    return plan


def _fresh_target(
    fn: FunctionView,
    source: str,
    key: str,
    target: str,
    stored: FunctionReleases,
    parts: dict[str, object],
    current: str,
) -> FunctionReleases:
    """A target with no recorded state: one version (the newest release, which must be the current
    code) and every pinned alias on it, until promoted there."""
    newest = stored.newest
    if newest is None or newest.fingerprint != current:
        raise fail(
            fn,
            f"target {target} has no versions yet and its first deploy can only publish the current code, "
            f"which is not the newest release of {key} in {source}"
            + (f" ({newest.label}; changed: {', '.join(changed_parts(newest.parts, parts))})" if newest else ""),
            value=short(current),
            fix=f"record it: `cdk synth -c {RECORD_CONTEXT}=true` then `python -m lambda_constructs release {key} "
            f"--file {source}`, or revert the code to {newest.label if newest else 'the recorded release'}",
        )
    aliases: dict[str, AliasSpec] = {}
    for name, spec in stored.aliases.items():
        if spec.follows == LATEST:
            aliases[name] = AliasSpec(follows=LATEST)
        else:
            aliases[name] = AliasSpec(
                release=newest.label,
                deployment=spec.deployment,
                alarms=spec.alarms,
                provisioned_concurrency=spec.provisioned_concurrency,
            )
    pinned = [name for name, spec in aliases.items() if spec.release is not None]
    warn(
        fn,
        "releaseNewTarget",
        f"target {target} has no recorded state in {source} for {key}: this deploy creates one version "
        f"({newest.label}, the current code) and points {', '.join(pinned) or 'no alias'} at it until promoted "
        f"there; after deploying run `python -m lambda_constructs mark-published {key} --target {target} "
        f"--file {source}`",
    )
    return FunctionReleases(
        releases=[Release(newest.label, newest.fingerprint, newest.parts, published=False)],
        aliases=aliases,
        keep_releases=stored.keep_releases,
    )


def _release_fp(entry: FunctionReleases, label: str) -> str:
    release = entry.release(label)
    return release.fingerprint if release else "-"


def _check_drift(fn: FunctionView, key: str, entry: FunctionReleases, parts: dict[str, object], current: str) -> None:
    """Compare the current code with the newest release (rules: docs/promotion.md, "Drift")."""
    newest = entry.newest
    if newest is None or newest.fingerprint == current:
        return
    changed = ", ".join(changed_parts(newest.parts, parts))
    if not newest.published:
        message = (
            f"release {newest.label} is not published yet and the function changed since it was recorded "
            f"({changed}): deploying would publish different code under {newest.label}"
        )
        if fn.node.try_get_context(RECORD_CONTEXT) not in (None, False, "false"):
            warn(fn, "releaseDrift", message)
            return
        raise fail(
            fn,
            message,
            value={"recorded": short(newest.fingerprint), "current": short(current)},
            fix=(
                f"re-record it: `cdk synth -c {RECORD_CONTEXT}=true` then "
                f"`python -m lambda_constructs release {key} --amend` (or revert the change)"
            ),
        )
    latest_aliases = [name for name in entry.aliases if entry.target(name) == LATEST]
    who = f"alias {', '.join(latest_aliases)} ($LATEST) gets" if latest_aliases else "$LATEST gets"
    warn(
        fn,
        "releaseDrift",
        f"the function changed since release {newest.label} ({changed}); {who} it on the next deploy. "
        f"To promote it, record a release: `python -m lambda_constructs release {key}`",
    )


def _check_provisioned_concurrency(fn: FunctionView, entry: FunctionReleases) -> None:
    reserved = fn.props.reserved_concurrent_executions
    total = sum(spec.provisioned_concurrency or 0 for spec in entry.aliases.values())
    if reserved is None or is_token(reserved) or total == 0:
        return
    if total > reserved:
        raise fail(
            fn,
            f"provisioned concurrency of the aliases ({total}) exceeds the function's reserved concurrency",
            value={name: s.provisioned_concurrency for name, s in entry.aliases.items() if s.provisioned_concurrency},
            fix=f"lower provisioned_concurrency in the release file to at most {reserved} in total, "
            "or raise reserved_concurrent_executions",
        )


def _deployment(
    fn: FunctionView,
    name: str,
    alias: lambda_.Alias,
    config: str,
    with_alarms: bool,
    application: codedeploy.LambdaApplication,
) -> AliasDeployment:
    scope = Construct(fn.construct, f"Deployment{name}")
    # No AWS managed policy, no inline policy: a scoped customer-managed copy (deployment_role.py).
    role = DeploymentRole(
        scope,
        "Role",
        function_arn=fn.function.function_arn,
        alias_arn=alias.function_arn,
        description=f"CodeDeploy traffic shifting of alias {name} of {fn.node.path}",
    )
    alarms = _alarms(scope, fn, alias) if with_alarms else []
    role.allow_alarms(alarms)
    group = codedeploy.LambdaDeploymentGroup(
        scope,
        "Group",
        alias=alias,
        application=application,
        deployment_config=_DEPLOYMENT_CONFIGS[config],
        alarms=alarms,
        role=role,
        auto_rollback=codedeploy.AutoRollbackConfig(
            failed_deployment=True, stopped_deployment=True, deployment_in_alarm=bool(alarms)
        ),
    )
    return AliasDeployment(group=group, alarms=alarms)


def _alarms(scope: Construct, fn: FunctionView, alias: lambda_.Alias) -> list[cloudwatch.Alarm]:
    """Errors, throttles and p99 duration (≥ 90 % of the timeout) of the alias, per minute."""
    minute = Duration.minutes(1)
    common = {
        "evaluation_periods": 1,
        "treat_missing_data": cloudwatch.TreatMissingData.NOT_BREACHING,
        "comparison_operator": cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
    }
    alarms = [
        cloudwatch.Alarm(
            scope,
            "ErrorsAlarm",
            metric=alias.metric_errors(period=minute, statistic="Sum"),
            threshold=1,
            alarm_description=f"Errors of alias {alias.alias_name}: rolls its deployment back",
            **common,  # type: ignore[arg-type]
        ),
        cloudwatch.Alarm(
            scope,
            "ThrottlesAlarm",
            metric=alias.metric_throttles(period=minute, statistic="Sum"),
            threshold=1,
            alarm_description=f"Throttles of alias {alias.alias_name}: rolls its deployment back",
            **common,  # type: ignore[arg-type]
        ),
    ]
    timeout = duration_seconds(fn.props.timeout)
    if timeout is not None:
        alarms.append(
            cloudwatch.Alarm(
                scope,
                "DurationAlarm",
                metric=alias.metric_duration(period=minute, statistic="p99"),
                threshold=round(timeout * 1000 * 0.9),
                alarm_description=f"p99 duration of alias {alias.alias_name} at 90 % of the {timeout:g} s timeout",
                **common,  # type: ignore[arg-type]
            )
        )
    for alarm in alarms:
        acknowledge_rule(
            alarm, "CloudWatchAlarmAction", REASONS["alarm-action"], ("NIST.800.53.R5", "HIPAA.Security", "PCI.DSS.321")
        )
    return alarms
