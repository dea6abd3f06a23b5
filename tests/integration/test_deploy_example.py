"""The real example app (every stack of stacks/) deployed into the local emulator with the real CDK CLI.

Reuses the session's ``example_assembly`` (tests/conftest.py: the app synthesized with the
compliance packs, manifest and asset directories included), so no second synth. Then: fresh
emulator, ``cdk bootstrap`` + ``cdk deploy --all``, the verifier on every stack, every alias of
every Python and Node.js function invoked with its trigger's sample event, and the emulator process gone.
Answers listed in lambda_constructs/local/expectations.py (EXPECTED_ERRORS) are allowed, nothing else.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from lambda_constructs.local import deploy, expectations, invoke, verify  # noqa: E402
from lambda_constructs.local.server import running_emulator, wait_gone  # noqa: E402
from tests.conftest import ExampleAssembly  # noqa: E402

pytestmark = pytest.mark.integration


def test_example_app_deploys_verifies_and_answers(example_assembly: ExampleAssembly, tmp_path: Path) -> None:
    cdk_out = example_assembly.outdir
    assert (cdk_out / "manifest.json").exists(), "example_assembly must be a full cloud assembly"
    stacks = verify.load_stacks(cdk_out)
    assert len(stacks) >= 5
    log_dir = tmp_path / "emulator"
    cli_log = log_dir / "cli.log"
    # releases.json records v1 and v2 of the same code: AWS refuses the second version in a fresh
    # account (docs/local.md), so this first deploy of both relaxes that one rule; every other is enforced.
    with running_emulator(log_dir=log_dir, lenient=("version-unchanged",)) as emu:
        pid = emu.pid
        deploy.bootstrap(emu, cdk_out, log_path=cli_log)
        deploy.deploy(emu, cdk_out, log_path=cli_log)

        cfn = emu.client("cloudformation")
        for stack in stacks:
            status = cfn.describe_stacks(StackName=stack.name)["Stacks"][0]["StackStatus"]
            assert status == "CREATE_COMPLETE", stack.name

        report = verify.verify_report(emu, cdk_out)
        assert [str(f) for f in report.findings] == []
        assert report.checks >= 300  # alarms, aliases, permissions, queues ... really compared

        rows = invoke.invoke_all(emu, cdk_out)
    assert wait_gone(pid), "emulator process survived the context"

    errors = [f"{r.path} {r.alias}: {r.detail}" for r in rows if r.status == "error"]
    assert errors == []
    invoked = [r for r in rows if r.status in ("ok", "expected-error")]
    with_aliases = {r.path for r in rows if r.runtime.startswith(("python", "nodejs")) and r.alias != "-"}
    assert with_aliases <= {r.path for r in invoked}  # Python and Node.js handlers both ran
    assert any(r.runtime.startswith("nodejs") for r in invoked) == any(s.name.endswith("Polyglot") for s in stacks)
    assert len(invoked) >= 10
    # Every expected error really happens (else the entry is stale) and only for the listed reason.
    expected = {r.path for r in rows if r.status == "expected-error"}
    assert expected == set(expectations.EXPECTED_ERRORS) & {r.path for r in rows}
    stale = [r.detail for r in rows if "remove the entry" in r.detail]
    assert stale == []


def test_example_app_deploys_to_a_fresh_target_with_every_aws_rule_enforced(tmp_path: Path) -> None:
    """Issue #18's fresh target, deployed (issue #16's rules on, nothing relaxed): the example app
    synthesized for the release target ``local`` — which releases.json has never seen — publishes one
    version of the current code per released function (AWS refuses a second version of unchanged code,
    "A version for this Lambda function exists"), and Stage and Prod point at it."""
    import json

    import aws_cdk as cdk

    from lambda_constructs._compat import builtin_validation_kwargs
    from stacks import create_stacks
    from tests.helpers import feature_flags

    outdir = tmp_path / "cdk.out"
    app = cdk.App(
        context={**feature_flags(), "lambda-constructs:releaseTarget": "local"},
        outdir=str(outdir),
        **builtin_validation_kwargs(False),  # as new_app: CDK's built-in validation is not under test here
    )
    create_stacks(app)
    app.synth()
    versions_per_function: dict[str, int] = {}
    for template_file in outdir.rglob("*.template.json"):
        for resource in json.loads(template_file.read_text())["Resources"].values():
            if resource["Type"] == "AWS::Lambda::Version":
                function = json.dumps(resource["Properties"]["FunctionName"], sort_keys=True)
                versions_per_function[function] = versions_per_function.get(function, 0) + 1
    assert versions_per_function and max(versions_per_function.values()) == 1, versions_per_function

    log_dir = tmp_path / "emulator"
    with running_emulator(log_dir=log_dir) as emu:  # no rule relaxed
        deploy.bootstrap(emu, outdir, log_path=log_dir / "cli.log")
        deploy.deploy(emu, outdir, log_path=log_dir / "cli.log")
        lam = emu.client("lambda")
        pinned: dict[str, str] = {}
        for page in lam.get_paginator("list_functions").paginate():
            for function in page["Functions"]:
                for alias in lam.list_aliases(FunctionName=function["FunctionName"])["Aliases"]:
                    if alias["Name"] in ("Stage", "Prod"):
                        pinned[f"{function['FunctionName']}:{alias['Name']}"] = alias["FunctionVersion"]
                        published = lam.list_versions_by_function(FunctionName=function["FunctionName"])
                        assert [v["Version"] for v in published["Versions"]] == ["$LATEST", "1"]
        report = verify.verify_report(emu, outdir)
        assert [str(f) for f in report.findings] == []
    assert len(pinned) >= 4 and set(pinned.values()) == {"1"}, pinned
