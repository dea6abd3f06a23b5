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
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from aws_cdk import CfnOutput, Duration, RemovalPolicy
from aws_cdk import aws_cloudwatch as cloudwatch
from aws_cdk import aws_codedeploy as codedeploy
from aws_cdk import aws_lambda as lambda_
from constructs import Construct

from lambda_constructs.compliance import acknowledge_rule
from lambda_constructs.errors import fail, warn
from lambda_constructs.releases.deployment_role import DeploymentRole
from lambda_constructs.releases.fingerprint import METADATA_KEY, changed_parts, fingerprint, function_parts, short
from lambda_constructs.releases.record import LATEST, FunctionReleases, ReleaseRecord, load_record
from lambda_constructs.validation import duration_seconds, is_token

if TYPE_CHECKING:
    from lambda_constructs.function import SecureFunction

#: Context key that turns the "unpublished release drifted" error into a warning, so that
#: ``cdk synth`` can produce the assembly ``release --amend`` reads.
RECORD_CONTEXT = "lambda-constructs:recordRelease"
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


@dataclass
class FunctionReleaseSet:
    """What :func:`apply_releases` built for one :class:`SecureFunction`."""

    key: str
    """The function's key in the release file (its construct path)."""
    fingerprint: str
    """The current code/configuration fingerprint."""
    parts: dict[str, object]
    """What the fingerprint covers (code asset hash, runtime, handler, memory …)."""
    entry: FunctionReleases | None
    """The function's entry (None when the file has none yet: only the default alias is made)."""
    versions: dict[str, lambda_.Version] = field(default_factory=dict)
    """``AWS::Lambda::Version`` by release label (kept releases only). Default: empty."""
    deployments: dict[str, AliasDeployment] = field(default_factory=dict)
    """CodeDeploy groups by alias name (aliases with a ``deployment`` only). Default: empty."""

    def deployment_group(self, alias: str) -> codedeploy.LambdaDeploymentGroup:
        """The alias's deployment group, e.g. to ``add_pre_hook``/``add_post_hook`` a test function."""
        if alias not in self.deployments:
            raise KeyError(f"alias {alias!r} has no deployment (known: {', '.join(self.deployments) or 'none'})")
        return self.deployments[alias].group


def load(source: ReleaseRecord | str | os.PathLike[str]) -> ReleaseRecord:
    """A record object as is, or the file at ``source`` (a missing file is an empty record: the
    functions then warn ``releaseNotRecorded`` until ``release`` creates it)."""
    if isinstance(source, ReleaseRecord):
        return source
    if not Path(source).exists():
        return ReleaseRecord(source=str(source))
    return load_record(Path(source))


def apply_releases(fn: SecureFunction, source: ReleaseRecord | str | os.PathLike[str]) -> FunctionReleaseSet:
    """Create the versions, aliases, deployments and outputs of ``fn`` from its release entry."""
    record = load(source)
    key = fn.node.path
    parts = function_parts(fn.function)
    current = fingerprint(parts)
    cfn = fn.function.node.default_child
    assert isinstance(cfn, lambda_.CfnFunction)
    cfn.add_metadata(METADATA_KEY, {"key": key, "fingerprint": current, "parts": parts})
    entry = record.functions.get(key)
    result = FunctionReleaseSet(key=key, fingerprint=current, parts=parts, entry=entry)
    if entry is None:
        warn(
            fn,
            "releaseNotRecorded",
            f"{record.source} has no entry for {key}: only the default alias on $LATEST is created. "
            f"Record the first release with `python -m lambda_constructs release {key}` (after `cdk synth`)",
        )
        if fn.props.default_alias is not None:
            fn.add_alias(fn.props.default_alias, fn.latest_version)
        return result

    _check_drift(fn, key, entry, parts, current)
    _check_provisioned_concurrency(fn, entry)
    for label in entry.kept_labels():
        release = entry.release(label)
        assert release is not None
        result.versions[label] = lambda_.Version(
            fn,
            f"Release{label}",
            lambda_=fn.function,
            description=f"{label} {release.fingerprint}",
            removal_policy=RemovalPolicy.RETAIN,
        )
    application: codedeploy.LambdaApplication | None = None
    for name, spec in entry.aliases.items():
        target = entry.target(name)
        version = fn.latest_version if target == LATEST else result.versions[target]
        alias = fn.add_alias(
            name,
            version,
            description=f"{name} -> {target}",
            additional_versions=[
                lambda_.VersionWeight(version=result.versions[label], weight=weight)
                for label, weight in spec.weights.items()
            ],
            provisioned_concurrent_executions=spec.provisioned_concurrency,
        )
        fp = current if target == LATEST else _release_fp(entry, target)
        CfnOutput(
            fn,
            f"Output{name}",
            value=f"{target} {fp}",
            description=f"Release and fingerprint alias {name} of {key} points to",
        )
        if spec.deployment is not None:
            if application is None:
                application = codedeploy.LambdaApplication(fn, "DeploymentApplication")
            result.deployments[name] = _deployment(fn, name, alias, spec.deployment, spec.alarms, application)
    if fn.props.default_alias in entry.aliases:
        fn.default_alias_name = fn.props.default_alias
    else:
        fn.default_alias_name = None
    return result


def _release_fp(entry: FunctionReleases, label: str) -> str:
    release = entry.release(label)
    return release.fingerprint if release else "-"


def _check_drift(fn: SecureFunction, key: str, entry: FunctionReleases, parts: dict[str, object], current: str) -> None:
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


def _check_provisioned_concurrency(fn: SecureFunction, entry: FunctionReleases) -> None:
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
    fn: SecureFunction,
    name: str,
    alias: lambda_.Alias,
    config: str,
    with_alarms: bool,
    application: codedeploy.LambdaApplication,
) -> AliasDeployment:
    scope = Construct(fn, f"Deployment{name}")
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


def _alarms(scope: Construct, fn: SecureFunction, alias: lambda_.Alias) -> list[cloudwatch.Alarm]:
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
