"""Release file validation, synthesis (weights, CodeDeploy, alarms, provisioned concurrency, triggers,
outputs, retention) and the CLI's refusals."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import aws_cdk as cdk
import pytest
from aws_cdk import aws_lambda as lambda_
from aws_cdk.assertions import Match, Template

from lambda_constructs import LambdaConstructsError, SecureFunction, SecureFunctionProps
from lambda_constructs.__main__ import main
from lambda_constructs.releases import parse_record
from lambda_constructs.releases.synth import RECORD_CONTEXT
from lambda_constructs.triggers.base import InvocationKind
from tests.helpers import ROOT, nag_findings, new_app, new_stack

CODE = ROOT / "runtime" / "orders"
PROPS: dict[str, Any] = {"code_dir": CODE, "timeout": cdk.Duration.seconds(20), "reserved_concurrent_executions": 10}


def current_parts() -> tuple[str, dict[str, Any]]:
    """The fingerprint a function with PROPS has (computed on a throwaway stack)."""
    fn = SecureFunction(new_stack(), "Probe", SecureFunctionProps(**PROPS))
    from lambda_constructs.releases import fingerprint, function_parts

    parts = function_parts(fn.function)
    return fingerprint(parts), parts


def rel(label: str, fp: str = "sha256:00", *, published: bool = True, **extra: Any) -> dict[str, Any]:
    return {"label": label, "fingerprint": fp, "parts": {}, "published": published, **extra}


def record(aliases: dict[str, Any], releases: list[dict[str, Any]] | None = None, **entry: Any) -> str:
    releases = releases if releases is not None else [rel("v1"), rel("v2")]
    return json.dumps({"format": 1, "functions": {"S/Fn": {"releases": releases, "aliases": aliases, **entry}}})


class RecordingTrigger:
    """A trigger that only records its target."""

    kind = InvocationKind.ASYNC

    def __init__(self) -> None:
        self.target: lambda_.IFunction | None = None

    def bind(self, fn: SecureFunction, target: lambda_.IFunction, construct_id: str) -> None:
        self.target = target


@pytest.fixture(scope="module")
def built() -> dict[str, Any]:
    fp, parts = current_parts()
    text = record(
        {
            "Dev": {"follows": "$LATEST"},
            "Beta": {"follows": "newest"},
            "Stage": {"release": "v2", "weights": {"v3": 0.25}, "history": []},
            "Prod": {
                "release": "v2",
                "deployment": "Canary10Percent5Minutes",
                "alarms": True,
                "provisioned_concurrency": 3,
                "history": ["v1"],
            },
        },
        [rel("v0"), rel("v1"), rel("v2"), rel("v3"), rel("v4", fp, parts=parts)],
        keep_releases=1,
    )
    app = new_app(nag=True)
    stack = new_stack(app, "S")
    fn = SecureFunction(stack, "Fn", SecureFunctionProps(**PROPS, releases=parse_record(text), default_alias="Prod"))
    hook = SecureFunction(stack, "Hook", SecureFunctionProps(code_dir=CODE))
    assert fn.releases is not None
    fn.releases.deployment_group("Prod").add_pre_hook(hook.function)
    prod_trigger, stage_trigger, default_trigger = RecordingTrigger(), RecordingTrigger(), RecordingTrigger()
    fn.add_trigger(prod_trigger, alias="Prod")
    fn.add_trigger(stage_trigger, alias="Stage")
    fn.add_trigger(default_trigger)
    findings = nag_findings(app)
    template = json.loads((Path(app.outdir) / "S.template.json").read_text())
    return {
        "fn": fn,
        "fp": fp,
        "template": Template.from_json(template),
        "raw": template,
        "findings": findings,
        "triggers": (prod_trigger, stage_trigger, default_trigger),
    }


def version_ref(raw: dict[str, Any], label: str) -> dict[str, Any]:
    (logical_id,) = [k for k in raw["Resources"] if k.startswith(f"FnRelease{label}")]
    return {"Fn::GetAtt": [logical_id, "Version"]}


# ---------------------------------------------------------------------------------- synthesis


def test_kept_versions_follow_keep_releases_and_alias_use(built: dict[str, Any]) -> None:
    labels = sorted(
        k[len("FnRelease") :][:2] for k, v in built["raw"]["Resources"].items() if v["Type"] == "AWS::Lambda::Version"
    )
    # v0 is neither used nor among the newest 1: dropped from the template (retained in AWS).
    assert labels == ["v1", "v2", "v3", "v4"]
    built["template"].has_resource(
        "AWS::Lambda::Version",
        {
            "DeletionPolicy": "Retain",
            "UpdateReplacePolicy": "Retain",
            "Properties": {"Description": "v4 " + built["fp"]},
        },
    )


def test_weighted_alias(built: dict[str, Any]) -> None:
    built["template"].has_resource_properties(
        "AWS::Lambda::Alias",
        {
            "Name": "Stage",
            "FunctionVersion": version_ref(built["raw"], "v2"),
            "RoutingConfig": {
                "AdditionalVersionWeights": [
                    {"FunctionVersion": version_ref(built["raw"], "v3"), "FunctionWeight": 0.25}
                ]
            },
        },
    )


def test_dev_follows_latest_and_beta_follows_newest(built: dict[str, Any]) -> None:
    built["template"].has_resource_properties("AWS::Lambda::Alias", {"Name": "Dev", "FunctionVersion": "$LATEST"})
    built["template"].has_resource_properties(
        "AWS::Lambda::Alias", {"Name": "Beta", "FunctionVersion": version_ref(built["raw"], "v4")}
    )


def test_prod_provisioned_concurrency_and_codedeploy_update_policy(built: dict[str, Any]) -> None:
    built["template"].has_resource(
        "AWS::Lambda::Alias",
        {
            "Properties": Match.object_like(
                {"Name": "Prod", "ProvisionedConcurrencyConfig": {"ProvisionedConcurrentExecutions": 3}}
            ),
            "UpdatePolicy": {
                "CodeDeployLambdaAliasUpdate": Match.object_like(
                    {"ApplicationName": Match.any_value(), "BeforeAllowTrafficHook": Match.any_value()}
                )
            },
        },
    )


def test_deployment_group_with_alarms_and_rollback(built: dict[str, Any]) -> None:
    t = built["template"]
    t.resource_count_is("AWS::CodeDeploy::DeploymentGroup", 1)
    t.has_resource_properties(
        "AWS::CodeDeploy::DeploymentGroup",
        {
            "DeploymentConfigName": "CodeDeployDefault.LambdaCanary10Percent5Minutes",
            "AlarmConfiguration": {
                "Enabled": True,
                "Alarms": [{"Name": {"Ref": Match.string_like_regexp("Alarm")}}] * 3,
            },
            "AutoRollbackConfiguration": {
                "Enabled": True,
                "Events": Match.array_with(["DEPLOYMENT_FAILURE", "DEPLOYMENT_STOP_ON_ALARM"]),
            },
        },
    )


def test_alarms_errors_throttles_p99_duration(built: dict[str, Any]) -> None:
    t = built["template"]
    t.has_resource_properties("AWS::CloudWatch::Alarm", {"MetricName": "Errors", "Statistic": "Sum", "Threshold": 1})
    t.has_resource_properties("AWS::CloudWatch::Alarm", {"MetricName": "Throttles", "Threshold": 1})
    t.has_resource_properties(
        "AWS::CloudWatch::Alarm",
        {
            "MetricName": "Duration",
            "ExtendedStatistic": "p99",
            "Threshold": 18000,
            "Dimensions": Match.array_with(
                [{"Name": "Resource", "Value": {"Fn::Join": ["", [Match.any_value(), ":Prod"]]}}]
            ),
        },
    )


def test_triggers_target_their_alias(built: dict[str, Any]) -> None:
    fn: SecureFunction = built["fn"]
    prod, stage, default = built["triggers"]
    assert prod.target is fn.aliases["Prod"]
    assert stage.target is fn.aliases["Stage"]
    assert default.target is fn.aliases["Prod"]  # default_alias="Prod" names an alias of the file
    assert "live" not in fn.aliases


def test_outputs_and_fingerprint_metadata(built: dict[str, Any]) -> None:
    outputs = built["raw"]["Outputs"]
    values = {
        k[len("FnOutput") :].rstrip("0123456789ABCDEF"): v["Value"]
        for k, v in outputs.items()
        if k.startswith("FnOutput")
    }
    assert values == {
        "Dev": "$LATEST " + built["fp"],
        "Beta": "v4 " + built["fp"],
        "Stage": "v2 sha256:00 +v3@0.25",
        "Prod": "v2 sha256:00",
    }
    built["template"].has_resource(
        "AWS::Lambda::Function",
        {
            "Metadata": Match.object_like(
                {"lambda-constructs:release": Match.object_like({"key": "S/Fn", "fingerprint": built["fp"]})}
            )
        },
    )


def test_release_resources_pass_nag(built: dict[str, Any]) -> None:
    # The hook's invoke grant goes to the DeploymentRole's customer-managed policy (no inline policy,
    # no <hook>:* wildcard), and no AWS managed policy is attached: nothing may show up.
    assert [f for f in built["findings"] if "/S/Fn/" in f] == []


def test_codedeploy_role_has_no_managed_or_inline_policy(built: dict[str, Any]) -> None:
    raw = built["raw"]["Resources"]
    (role_id,) = [k for k, v in raw.items() if k.startswith("FnDeploymentProdRole") and v["Type"] == "AWS::IAM::Role"]
    assert "ManagedPolicyArns" not in raw[role_id]["Properties"]
    assert not [k for k, v in raw.items() if v["Type"] == "AWS::IAM::Policy" and k.startswith("FnDeploymentProd")]
    (policy,) = [
        v
        for k, v in raw.items()
        if k.startswith("FnDeploymentProdRolePolicy") and v["Type"] == "AWS::IAM::ManagedPolicy"
    ]
    statements = {json.dumps(s["Action"]): s["Resource"] for s in policy["Properties"]["PolicyDocument"]["Statement"]}
    hook_id = next(k for k, v in raw.items() if k.startswith("HookFunction") and v["Type"] == "AWS::Lambda::Function")
    assert statements['"lambda:InvokeFunction"'] == {"Fn::GetAtt": [hook_id, "Arn"]}
    assert '["lambda:GetAlias", "lambda:UpdateAlias"]' in statements
    assert len(statements['"cloudwatch:DescribeAlarms"']) == 3  # errors, throttles, p99 duration alarms


def test_function_without_record_gets_the_first_deploy_plan() -> None:
    """No entry yet: what `release` would record (v1 = current code, Dev on $LATEST, Stage/Prod on v1)."""
    stack = new_stack(name="S")
    fn = SecureFunction(
        stack, "Fn", SecureFunctionProps(code_dir=CODE, releases=parse_record('{"format": 1, "functions": {}}'))
    )
    assert list(fn.aliases) == ["Dev", "Stage", "Prod"]
    assert fn.releases is not None and list(fn.releases.versions) == ["v1"]
    (warning,) = [str(m.data) for m in fn.node.metadata if "releaseNotRecorded" in str(m.data)]
    assert "creates version v1 of the current code" in warning and "release S/Fn" in warning


# ------------------------------------------------------------------------------- bad input


@pytest.mark.parametrize(
    ("aliases", "expected"),
    [
        ({"123": {"release": "v1"}}, "not only digits"),
        ({"bad name": {"release": "v1"}}, "letters, digits"),
        ({"a" * 129: {"release": "v1"}}, "at most 128"),
        ({"Prod": {"release": "v9"}}, "unknown release 'v9'"),
        ({"Prod": {"release": "v1", "weights": {"v2": 0}}}, "strictly between 0 and 1"),
        ({"Prod": {"release": "v1", "weights": {"v2": 1}}}, "strictly between 0 and 1"),
        ({"Prod": {"release": "v1", "weights": {"v2": 0.1, "v3": 0.1}}}, "at most two versions"),
        ({"Dev": {"follows": "$LATEST", "provisioned_concurrency": 2}}, "cannot be configured on $LATEST"),
        ({"Prod": {"release": "v1", "weights": {"v2": 0.1}, "provisioned_concurrency": 2}}, "provisioned concurrency"),
        ({"Dev": {"follows": "$LATEST", "deployment": "AllAtOnce"}}, "$LATEST has none"),
        ({"Prod": {"release": "v1", "deployment": "Fast"}}, "unknown deployment"),
        ({"Prod": {}}, "exactly one of 'release' and 'follows'"),
    ],
)
def test_invalid_aliases(aliases: dict[str, Any], expected: str) -> None:
    releases = [rel("v1"), rel("v2"), rel("v3")]
    with pytest.raises(LambdaConstructsError, match=None) as exc:
        parse_record(record(aliases, releases))
    assert expected in str(exc.value)


def test_duplicate_labels() -> None:
    with pytest.raises(LambdaConstructsError, match="same label"):
        parse_record(record({}, [rel("v1"), rel("v1")]))


def test_only_newest_may_be_unpublished() -> None:
    with pytest.raises(LambdaConstructsError, match="only the newest release can be unpublished"):
        parse_record(record({}, [rel("v1", published=False), rel("v2")]))


def test_unparsable_file_names_line_and_reason() -> None:
    with pytest.raises(LambdaConstructsError) as exc:
        parse_record('{\n  "functions": {\n    "S/Fn": {,}\n  }\n}', "releases.json")
    assert "releases.json: line 3 column" in str(exc.value)
    assert "invalid JSON" in str(exc.value)


def test_provisioned_concurrency_above_reserved() -> None:
    text = record({"Prod": {"release": "v1", "provisioned_concurrency": 11}})
    with pytest.raises(LambdaConstructsError, match="exceeds the function's reserved concurrency"):
        SecureFunction(new_stack(name="S"), "Fn", SecureFunctionProps(**PROPS, releases=parse_record(text)))


def test_unpublished_release_that_drifted_is_an_error_unless_recording() -> None:
    text = record({"Dev": {"follows": "$LATEST"}, "Prod": {"release": "v2"}}, [rel("v1"), rel("v2", published=False)])
    with pytest.raises(LambdaConstructsError, match="deploying would publish different code under v2"):
        SecureFunction(new_stack(name="S"), "Fn", SecureFunctionProps(**PROPS, releases=parse_record(text)))
    app = cdk.App(context={RECORD_CONTEXT: "true"})
    fn = SecureFunction(new_stack(app, "S"), "Fn", SecureFunctionProps(**PROPS, releases=parse_record(text)))
    assert any("releaseDrift" in str(m.data) for m in fn.node.metadata)


def test_published_release_drift_is_a_warning_naming_the_changed_parts() -> None:
    fp, parts = current_parts()
    text = record(
        {"Dev": {"follows": "$LATEST"}, "Prod": {"release": "v1"}},
        [rel("v1", "sha256:11", parts={**parts, "memory": 128, "code": "asset:old"})],
    )
    fn = SecureFunction(new_stack(name="S"), "Fn", SecureFunctionProps(**PROPS, releases=parse_record(text)))
    (warning,) = [str(m.data) for m in fn.node.metadata if "releaseDrift" in str(m.data)]
    assert "(code, memory)" in warning and "alias Dev ($LATEST)" in warning
    assert fp != "sha256:11"


# ------------------------------------------------------------------------------------- CLI


@pytest.fixture
def release_file(tmp_path: Path) -> Path:
    path = tmp_path / "releases.json"
    aliases = {"Dev": {"follows": "$LATEST"}, "Prod": {"release": "v1", "history": []}}
    path.write_text(record(aliases, [rel("v1"), rel("v2"), rel("v3")], keep_releases=1))
    return path


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str]:
    code = main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out + captured.err


def test_cli_refuses_unknown_release(release_file: Path, capsys: pytest.CaptureFixture[str]) -> None:
    before = release_file.read_text()
    code, out = run(capsys, "promote", "Fn", "Prod", "v9", "--file", str(release_file))
    assert code == 2
    assert "no release 'v9'" in out and "v1, v2, v3" in out
    assert release_file.read_text() == before


def test_cli_refuses_unknown_function_and_alias(release_file: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out = run(capsys, "promote", "Nope", "Prod", "v2", "--file", str(release_file))
    assert code == 2 and "unknown function 'Nope'" in out and "S/Fn" in out
    code, out = run(capsys, "rollback", "S/Fn", "Beta", "--file", str(release_file))
    assert code == 2 and "no alias 'Beta'" in out and "Dev, Prod" in out
    code, out = run(capsys, "promote", "S/Fn", "Dev", "v2", "--file", str(release_file))
    assert code == 2 and "follows $LATEST" in out


def test_cli_promote_prunes_and_refuses_pruned(release_file: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(capsys, "promote", "Fn", "Prod", "v2", "--file", str(release_file))[0] == 0
    assert run(capsys, "promote", "Fn", "Prod", "v3", "--file", str(release_file))[0] == 0
    data = json.loads(release_file.read_text())["functions"]["S/Fn"]
    # keep_releases=1: v3 (newest, Prod) and v2 (Prod's rollback target) stay; v1 is pruned.
    assert [r.get("pruned", False) for r in data["releases"]] == [True, False, False]
    assert data["aliases"]["Prod"] == {"release": "v3", "history": ["v1", "v2"]}
    code, out = run(capsys, "promote", "Fn", "Prod", "v1", "--file", str(release_file))
    assert code == 2 and "was pruned" in out
    assert run(capsys, "rollback", "Fn", "Prod", "--file", str(release_file))[0] == 0
    code, out = run(capsys, "rollback", "Fn", "Prod", "--file", str(release_file))
    assert code == 2 and "was pruned" in out


def test_cli_weighted_promote_and_rollback_drops_split(release_file: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(capsys, "promote", "Fn", "Prod", "v3", "--weight", "0.1", "--file", str(release_file))[0] == 0
    prod = json.loads(release_file.read_text())["functions"]["S/Fn"]["aliases"]["Prod"]
    assert prod["release"] == "v1" and prod["weights"] == {"v3": 0.1}
    code, out = run(capsys, "promote", "Fn", "Prod", "v3", "--weight", "1.5", "--file", str(release_file))
    assert code == 2 and "between 0 and 1" in out
    assert run(capsys, "rollback", "Fn", "Prod", "--file", str(release_file))[0] == 0
    prod = json.loads(release_file.read_text())["functions"]["S/Fn"]["aliases"]["Prod"]
    assert "weights" not in prod and prod["release"] == "v1"


def test_cli_status_table(release_file: Path, capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    code, out = run(capsys, "status", "--file", str(release_file), "--assembly", str(tmp_path / "none"))
    assert code == 0
    lines = out.splitlines()
    assert lines[0].split() == ["FUNCTION", "ALIAS", "RELEASE", "FINGERPRINT", "NEXT", "DEPLOY"]
    assert any(line.split()[:3] == ["S/Fn", "Prod", "v1"] for line in lines)


def test_cli_bad_file_is_reported(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / "releases.json"
    bad.write_text('{"functions": [}')
    code, out = run(capsys, "status", "--file", str(bad))
    assert code == 2 and "line 1 column" in out
