"""Release state per deployment target, the first deploy before any release, and add_alias's Lambda rules.

Two CDK Stages (``TestAccount`` with recorded state, ``ProdAccount`` fresh) share one release file:
the fresh target gets exactly one version (the newest release = the current code) and every pinned
alias on it; no deploy publishes two versions of the same code (the emulator's "version exists"
rule, being added in parallel, would refuse that; until it lands the synthesized versions are checked).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import aws_cdk as cdk
import pytest
from aws_cdk import aws_lambda as lambda_

from lambda_constructs import LambdaConstructsError, SecureFunction, SecureFunctionProps
from lambda_constructs.__main__ import main
from lambda_constructs.releases import fingerprint, function_parts
from lambda_constructs.triggers import SqsTrigger
from tests.helpers import ROOT, new_app, new_stack, skip_unless_recorded_runtime

CODE = ROOT / "runtime" / "orders"
KEY = "Svc/Orders"


def current() -> tuple[str, dict[str, Any]]:
    fn = SecureFunction(new_stack(), "Probe", SecureFunctionProps(code_dir=CODE))
    parts = function_parts(fn.function)
    return fingerprint(parts), parts


def rel(label: str, fp: str, *, published: bool = True, parts: dict[str, Any] | None = None) -> dict[str, Any]:
    return {"label": label, "fingerprint": fp, "parts": parts or {}, "published": published}


def resources(template: dict[str, Any], kind: str) -> dict[str, Any]:
    return {k: v for k, v in template["Resources"].items() if v["Type"] == kind}


def alias_version(template: dict[str, Any], alias: str) -> Any:
    (props,) = [
        v["Properties"] for v in resources(template, "AWS::Lambda::Alias").values() if v["Properties"]["Name"] == alias
    ]
    return props["FunctionVersion"]


def versions_by_label(template: dict[str, Any]) -> dict[str, str]:
    """Release label -> logical id of its AWS::Lambda::Version."""
    return {
        v["Properties"]["Description"].split(" ")[0]: k for k, v in resources(template, "AWS::Lambda::Version").items()
    }


def assert_distinct_code(template: dict[str, Any]) -> None:
    """No two Release<label> versions of one function publish the same code (fingerprint)."""
    fps = [v["Properties"]["Description"].split(" ")[1] for v in resources(template, "AWS::Lambda::Version").values()]
    assert len(fps) == len(set(fps)), fps


def warnings_of(fn: SecureFunction, warning: str) -> list[str]:
    return [str(m.data) for m in fn.node.metadata if warning in str(m.data)]


# ------------------------------------------------------------------------------------ two targets


@pytest.fixture(scope="module")
def two_targets(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    fp, parts = current()
    tmp = tmp_path_factory.mktemp("targets")
    file = tmp / "releases.json"
    aliases = {
        "Dev": {"follows": "$LATEST"},
        "Stage": {"release": "v3", "history": ["v2"]},
        "Prod": {"release": "v2", "history": ["v1"], "provisioned_concurrency": 2},
    }
    data = {
        "format": 1,
        "functions": {
            KEY: {
                "releases": [
                    rel("v1", "sha256:" + "1" * 64),
                    rel("v2", "sha256:" + "2" * 64),
                    rel("v3", fp, published=False, parts=parts),
                ],
                "aliases": aliases,
                "targets": {"TestAccount": {"published": ["v2"], "aliases": aliases}},
            }
        },
    }
    file.write_text(json.dumps(data, indent=2))
    app = new_app(outdir=str(tmp / "cdk.out"))
    fns: dict[str, SecureFunction] = {}
    for target in ("TestAccount", "ProdAccount"):
        stage = cdk.Stage(app, target)
        stack = cdk.Stack(stage, "Svc")
        fns[target] = SecureFunction(stack, "Orders", SecureFunctionProps(code_dir=CODE, releases=str(file)))
        fns[target].add_trigger(SqsTrigger(), alias="Prod")
    assembly = app.synth()
    templates = {
        target: assembly.get_nested_assembly(f"assembly-{target}").get_stack_by_name(f"{target}-Svc").template
        for target in ("TestAccount", "ProdAccount")
    }
    return {"file": file, "fp": fp, "fns": fns, "templates": templates, "out": str(tmp / "cdk.out")}


def test_recorded_target_gets_its_published_versions_and_the_newest(two_targets: dict[str, Any]) -> None:
    template = two_targets["templates"]["TestAccount"]
    ids = versions_by_label(template)
    assert sorted(ids) == ["v2", "v3"]  # v1 never existed there: not synthesized
    assert alias_version(template, "Stage") == {"Fn::GetAtt": [ids["v3"], "Version"]}
    assert alias_version(template, "Prod") == {"Fn::GetAtt": [ids["v2"], "Version"]}
    assert_distinct_code(template)


def test_fresh_target_gets_one_version_of_the_current_code(two_targets: dict[str, Any]) -> None:
    template = two_targets["templates"]["ProdAccount"]
    ids = versions_by_label(template)
    assert list(ids) == ["v3"]
    (version,) = resources(template, "AWS::Lambda::Version").values()
    assert version["Properties"]["Description"] == f"v3 {two_targets['fp']}"
    for alias in ("Stage", "Prod"):
        assert alias_version(template, alias) == {"Fn::GetAtt": [ids["v3"], "Version"]}
    assert alias_version(template, "Dev") == "$LATEST"
    (pc,) = [
        v["Properties"]["ProvisionedConcurrencyConfig"]
        for v in resources(template, "AWS::Lambda::Alias").values()
        if v["Properties"]["Name"] == "Prod"
    ]
    assert pc == {"ProvisionedConcurrentExecutions": 2}
    assert_distinct_code(template)
    (warning,) = warnings_of(two_targets["fns"]["ProdAccount"], "releaseNewTarget")
    assert "\n" not in warning.split(" [ack:")[0]
    assert "target ProdAccount has no recorded state" in warning
    assert "creates one version (v3, the current code) and points Stage, Prod at it" in warning
    assert f"mark-published {KEY} --target ProdAccount" in warning


def test_trigger_of_the_fresh_target_reaches_its_prod_alias(two_targets: dict[str, Any]) -> None:
    template = two_targets["templates"]["ProdAccount"]
    (mapping,) = resources(template, "AWS::Lambda::EventSourceMapping").values()
    (alias_id,) = [k for k, v in resources(template, "AWS::Lambda::Alias").items() if v["Properties"]["Name"] == "Prod"]
    assert mapping["Properties"]["FunctionName"] == {"Ref": alias_id}


def test_key_is_stage_relative_and_metadata_names_the_target(two_targets: dict[str, Any]) -> None:
    from lambda_constructs.releases.assembly import read_assembly

    found = read_assembly(two_targets["out"], target="ProdAccount")
    assert list(found) == [KEY] and found[KEY].target == "ProdAccount"
    assert sorted(found[KEY].output_ids) == ["Dev", "Prod", "Stage"]


def test_cli_records_the_fresh_target_then_guards_it(two_targets: dict[str, Any], tmp_path: Path) -> None:
    file = tmp_path / "releases.json"
    file.write_bytes(two_targets["file"].read_bytes())
    assert main(["promote", KEY, "Prod", "v3", "--target", "ProdAccount", "--file", str(file)]) == 2
    assert main(["mark-published", KEY, "--target", "ProdAccount", "--file", str(file)]) == 0
    state = json.loads(file.read_text())["functions"][KEY]["targets"]["ProdAccount"]
    assert state["published"] == ["v3"]
    assert state["aliases"]["Prod"] == {"release": "v3", "provisioned_concurrency": 2, "history": []}
    # v1 has no version in ProdAccount and a deploy can only publish the current code there.
    before = file.read_bytes()
    assert main(["promote", KEY, "Prod", "v1", "--target", "ProdAccount", "--file", str(file)]) == 2
    assert file.read_bytes() == before
    # The default target is untouched by target commands.
    assert json.loads(file.read_text())["functions"][KEY]["aliases"]["Prod"]["release"] == "v2"


def test_fresh_target_with_unrecorded_code_names_file_key_and_command(tmp_path: Path) -> None:
    file = tmp_path / "releases.json"
    file.write_text(
        json.dumps(
            {
                "format": 1,
                "functions": {
                    KEY: {
                        "releases": [rel("v1", "sha256:" + "1" * 64)],
                        "aliases": {"Prod": {"release": "v1"}},
                    }
                },
            }
        )
    )
    stack = cdk.Stack(cdk.Stage(new_app(), "Fresh"), "Svc")
    with pytest.raises(LambdaConstructsError) as caught:
        SecureFunction(stack, "Orders", SecureFunctionProps(code_dir=CODE, releases=str(file)))
    message = str(caught.value)
    assert "target Fresh has no versions yet" in message and str(file) in message and KEY in message
    assert f"python -m lambda_constructs release {KEY} --file {file}" in message


def test_context_names_the_target(tmp_path: Path) -> None:
    fp, parts = current()
    file = tmp_path / "releases.json"
    file.write_text(
        json.dumps(
            {
                "format": 1,
                "functions": {
                    "Svc/Orders": {
                        "releases": [rel("v1", "sha256:" + "1" * 64), rel("v2", fp, parts=parts)],
                        "aliases": {"Prod": {"release": "v1"}},
                    }
                },
            }
        )
    )
    app = new_app()
    app.node.set_context("lambda-constructs:releaseTarget", "dr-region")
    fn = SecureFunction(cdk.Stack(app, "Svc"), "Orders", SecureFunctionProps(code_dir=CODE, releases=str(file)))
    assert fn.releases is not None and fn.releases.target == "dr-region"
    assert list(fn.releases.versions) == ["v2"]
    assert warnings_of(fn, "releaseNewTarget")


# --------------------------------------------------------------------------------------- first run


@pytest.fixture(scope="module")
def first_run(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    tmp = tmp_path_factory.mktemp("first")
    file = tmp / "releases.json"
    file.write_text('{"format": 1, "functions": {}}\n')

    def synth() -> tuple[dict[str, Any], SecureFunction, str]:
        out = tmp / f"out{len(list(tmp.glob('out*')))}"
        app = new_app(outdir=str(out))
        fn = SecureFunction(cdk.Stack(app, "Svc"), "Orders", SecureFunctionProps(code_dir=CODE, releases=str(file)))
        fn.add_trigger(SqsTrigger(), alias="Prod")
        return app.synth().get_stack_by_name("Svc").template, fn, str(out)

    before, fn, out = synth()
    assert main(["release", KEY, "--file", str(file), "--assembly", out]) == 0
    after, _, _ = synth()
    return {"before": before, "after": after, "fn": fn, "file": file}


def test_first_run_synthesizes_dev_stage_prod_with_a_trigger_on_prod(first_run: dict[str, Any]) -> None:
    template = first_run["before"]
    ids = versions_by_label(template)
    assert list(ids) == ["v1"]
    assert alias_version(template, "Prod") == {"Fn::GetAtt": [ids["v1"], "Version"]}
    assert alias_version(template, "Stage") == {"Fn::GetAtt": [ids["v1"], "Version"]}
    assert alias_version(template, "Dev") == "$LATEST"
    (warning,) = warnings_of(first_run["fn"], "releaseNotRecorded")
    assert f"has no entry for {KEY}" in warning and "creates version v1 of the current code" in warning


def test_recording_the_first_release_leaves_versions_and_aliases_unchanged(first_run: dict[str, Any]) -> None:
    for kind in ("AWS::Lambda::Version", "AWS::Lambda::Alias"):
        assert resources(first_run["before"], kind) == resources(first_run["after"], kind)
    entry = json.loads(first_run["file"].read_text())["functions"][KEY]
    assert [r["label"] for r in entry["releases"]] == ["v1"]


def test_missing_release_file_is_an_error(tmp_path: Path) -> None:
    missing = tmp_path / "relases.json"
    with pytest.raises(LambdaConstructsError, match=r"releases= does not exist .*relases\.json.*printf"):
        SecureFunction(new_stack(), "Fn", SecureFunctionProps(code_dir=CODE, releases=str(missing)))


# ------------------------------------------------------------------------------------- add_alias


@pytest.fixture
def fn() -> SecureFunction:
    return SecureFunction(new_stack(), "Fn", SecureFunctionProps(code_dir=CODE))


def test_add_alias_rejects_provisioned_concurrency_on_latest(fn: SecureFunction) -> None:
    with pytest.raises(LambdaConstructsError, match=r"provisioned concurrency cannot be configured on \$LATEST"):
        fn.add_alias("hot", fn.function.latest_version, provisioned_concurrent_executions=5)


def test_add_alias_accepts_provisioned_concurrency_on_a_version(fn: SecureFunction) -> None:
    version = lambda_.Version(fn, "V1", lambda_=fn.function)
    alias = fn.add_alias("hot", version, provisioned_concurrent_executions=5)
    assert alias.alias_name == "hot"


@pytest.mark.parametrize(
    ("weights", "primary_latest", "expected"),
    [
        ([0.1, 0.2], False, "at most two versions"),
        ([1.5], False, "between 0.0 and 1.0"),
        ([-0.1], False, "between 0.0 and 1.0"),
        ([0.1], True, r"cannot point to \$LATEST"),
    ],
)
def test_add_alias_rejects_weights_lambda_refuses(
    fn: SecureFunction, weights: list[float], primary_latest: bool, expected: str
) -> None:
    versions = [lambda_.Version(fn, f"V{i}", lambda_=fn.function) for i in range(3)]
    primary = fn.function.latest_version if primary_latest else versions[0]
    extra = [lambda_.VersionWeight(version=versions[i + 1], weight=w) for i, w in enumerate(weights)]
    with pytest.raises(LambdaConstructsError, match=expected):
        fn.add_alias("split", primary, additional_versions=extra)


# ------------------------------------------------------------------------------ weights in status


def test_status_shows_weights_in_release_and_next_deploy(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    file = tmp_path / "releases.json"
    file.write_text(
        json.dumps(
            {
                "format": 1,
                "functions": {
                    KEY: {
                        "releases": [rel("v1", "sha256:" + "1" * 64), rel("v2", "sha256:" + "2" * 64)],
                        "aliases": {"Prod": {"release": "v1", "weights": {"v2": 0.1}, "history": []}},
                    }
                },
            }
        )
    )
    assert main(["status", "--file", str(file), "--assembly", str(tmp_path / "none")]) == 0
    (row,) = [line for line in capsys.readouterr().out.splitlines() if "Prod" in line]
    assert row.count("v1 +v2@0.1") == 2, row  # RELEASE column and NEXT DEPLOY column


# ------------------------------------------------------------------------- worked example (docs)


def test_worked_example_two_accounts(tmp_path: Path) -> None:
    """docs/promotion.md's worked example, synth in place of deploy: two accounts, one file."""
    file = tmp_path / "releases.json"
    file.write_text('{"format": 1, "functions": {}}\n')
    code = tmp_path / "code"
    code.mkdir()
    (code / "app.py").write_text("def handler(event, context):\n    return 1\n")
    accounts = ("TestAccount", "ProdAccount")

    def synth(n: int) -> tuple[dict[str, dict[str, Any]], str]:
        out = str(tmp_path / f"out{n}")
        app = new_app(outdir=out)
        for account in accounts:
            stack = cdk.Stack(cdk.Stage(app, account), "Shop")
            SecureFunction(stack, "Orders", SecureFunctionProps(code_dir=code, releases=str(file)))
        assembly = app.synth()
        return {
            a: assembly.get_nested_assembly(f"assembly-{a}").get_stack_by_name(f"{a}-Shop").template for a in accounts
        }, out

    def cli(*argv: str) -> None:
        assert main([*argv, "--file", str(file)]) == 0, argv

    first, out = synth(0)
    for account in accounts:
        assert list(versions_by_label(first[account])) == ["v1"]
    cli("release", "Shop/Orders", "--assembly", out)
    for account in accounts:
        cli("mark-published", "Shop/Orders", "--target", account)
    (code / "app.py").write_text("def handler(event, context):\n    return 2\n")
    _, out = synth(1)
    cli("release", "Shop/Orders", "--assembly", out)
    cli("promote", "Shop/Orders", "Prod", "v2", "--target", "TestAccount")
    final, _ = synth(2)
    for account, prod in (("TestAccount", "v2"), ("ProdAccount", "v1")):
        template = final[account]
        ids = versions_by_label(template)
        assert sorted(ids) == ["v1", "v2"], account
        assert alias_version(template, "Prod") == {"Fn::GetAtt": [ids[prod], "Version"]}, account
        assert alias_version(template, "Stage") == {"Fn::GetAtt": [ids["v1"], "Version"]}, account
        assert_distinct_code(template)
        # v1's version keeps its logical id and description across the three synths.
        assert (
            resources(template, "AWS::Lambda::Version")[ids["v1"]]
            == resources(first[account], "AWS::Lambda::Version")[versions_by_label(first[account])["v1"]]
        )
    state = json.loads(file.read_text())["functions"]["Shop/Orders"]["targets"]
    assert state["TestAccount"]["published"] == ["v1"] and state["ProdAccount"]["published"] == ["v1"]


def test_example_app_never_publishes_the_same_code_twice_per_function(example_assembly: Any) -> None:
    """In every stack of the example app, the Release<label> versions of one function carry distinct
    fingerprints (what a fresh deploy would publish: CloudFormation refuses a second version of
    unchanged code)."""
    checked = 0
    for template in example_assembly.templates.values():
        by_function: dict[str, list[str]] = {}
        for version in resources(template, "AWS::Lambda::Version").values():
            function = json.dumps(version["Properties"]["FunctionName"], sort_keys=True)
            by_function.setdefault(function, []).append(version["Properties"]["Description"].split(" ")[1])
        for fps in by_function.values():
            assert len(fps) == len(set(fps)), fps
            checked += len(fps)
    assert checked >= 2


@pytest.mark.slow
def test_example_app_deploys_to_a_fresh_target(tmp_path: Path) -> None:
    skip_unless_recorded_runtime("releases.json")
    """The example app synthesized for a target the file has never seen (a new account): every
    release-managed function gets exactly one version, the newest release (= its current code), and
    its pinned aliases point at it; synth says so once per function."""
    from stacks import create_stacks

    app = new_app(outdir=str(tmp_path / "cdk.out"))
    app.node.set_context("lambda-constructs:releaseTarget", "FreshAccount")
    stacks = create_stacks(app)
    app.synth()
    managed = [
        fn
        for stack in stacks
        for fn in stack.node.find_all()
        if isinstance(fn, SecureFunction) and fn.releases is not None
    ]
    assert managed
    for fn in managed:
        assert fn.releases is not None and fn.releases.target == "FreshAccount"
        entry = fn.releases.entry
        assert entry is not None and entry.newest is not None
        assert list(fn.releases.versions) == [entry.newest.label], fn.node.path
        assert len(warnings_of(fn, "releaseNewTarget")) == 1
        for name, alias in fn.aliases.items():
            spec = entry.aliases[name]
            if spec.follows != "$LATEST":
                version = fn.releases.versions[entry.newest.label]
                assert cdk.Stack.of(fn).resolve(alias.version.version) == cdk.Stack.of(fn).resolve(version.version)


def test_release_refuses_stages_that_disagree_on_the_fingerprint(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    file = tmp_path / "releases.json"
    file.write_text('{"format": 1, "functions": {}}\n')
    out = str(tmp_path / "cdk.out")
    app = new_app(outdir=out)
    for account, memory in (("TestAccount", 256), ("ProdAccount", 1024)):
        stack = cdk.Stack(cdk.Stage(app, account), "Shop")
        SecureFunction(stack, "Orders", SecureFunctionProps(code_dir=CODE, memory_size=memory, releases=str(file)))
    app.synth()
    before = file.read_bytes()
    assert main(["release", "Shop/Orders", "--file", str(file), "--assembly", out]) == 2
    err = capsys.readouterr().err
    assert "Shop/Orders is synthesized with different code or configuration in targets" in err
    assert "TestAccount" in err and "ProdAccount" in err
    assert file.read_bytes() == before
