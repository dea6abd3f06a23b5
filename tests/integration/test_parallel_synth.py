"""Parallel synthesis end to end: the launcher's merged assembly equals the one-process synthesis.

The synths (the fixture app in one process and under the launcher) need only the working tree: they are
queued right after collection and run beside the other tests (tests/background.py, ``SHARED``); each test
waits for the runs it reads and asserts on their output.
"""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from lambda_constructs.service import check_template_limits
from tests.conftest import shared_run
from tests.helpers import ROOT

APP = ROOT / "tests" / "fixtures" / "parallel_app" / "app.py"
PYTHON = sys.executable


def app_env(**extra: str) -> dict[str, str]:
    """This process's environment without a CDK CLI's synth variables, plus ``extra`` (the app's switches)."""
    env = {
        **os.environ,
        "CDK_DISABLE_CLI_TELEMETRY": "true",
        "JSII_SILENCE_WARNING_UNTESTED_NODE_VERSION": "1",
        **extra,
    }
    for name in ("CDK_OUTDIR", "CDK_CONTEXT_JSON", "CONTEXT_OVERFLOW_LOCATION_ENV"):
        if name not in extra:
            env.pop(name, None)
    return env


def completed(name: str) -> tuple[subprocess.CompletedProcess[str], Path]:
    """The shared run ``name`` (tests/background.py) once finished, and the folder it wrote (``out``)."""
    run = shared_run(name)
    return run.result(timeout=900), run.workdir


@pytest.fixture(scope="module")
def assemblies() -> tuple[Path, Path]:
    """(one-process assembly, 3-worker assembly) of the fixture app with the five packs and their report.

    Three workers for four shards: worker 0 builds two shards, workers 1 and 2 one each, and each
    holds the place of the others (the CDK CLI test below uses two workers).
    """
    serial_run, serial = completed("parallel-serial")
    assert serial_run.args == [PYTHON, str(APP)]
    assert serial_run.returncode == 0, serial_run.stderr
    result, parallel = completed("parallel-3-workers")
    assert result.args[:5] == [PYTHON, "-m", "lambda_constructs.parallel", "--workers", "3"]
    assert result.returncode == 0, result.stderr
    assert "lambda-constructs parallel: 3 workers, 2 stacks" in result.stderr
    return serial / "out", parallel / "out"


def test_the_merged_assembly_holds_the_same_files_as_one_process_writes(assemblies: tuple[Path, Path]) -> None:
    serial, parallel = assemblies
    assert sorted(p.name for p in parallel.iterdir()) == sorted(p.name for p in serial.iterdir())
    nested = sorted(serial.glob("*.nested.template.json"))
    assert len(nested) == 4
    for path in nested:  # each shard is built by one worker, byte for byte as in one process
        assert (parallel / path.name).read_bytes() == path.read_bytes(), path.name
    # The parent templates are merged from the workers' and ordered by the construct tree: byte for byte
    # what one process writes, so their hashes (S3 keys) and manifest.json are the same too.
    for name in ("Svc.template.json", "Consumer.template.json", "manifest.json"):
        assert (parallel / name).read_bytes() == (serial / name).read_bytes(), name
    for path in serial.glob("*.json"):  # the rest means the same (formatting and key order may differ)
        assert json.loads((parallel / path.name).read_text()) == json.loads(path.read_text()), path.name


def test_each_stack_template_is_the_asset_its_manifest_names(assemblies: tuple[Path, Path]) -> None:
    _, parallel = assemblies
    manifest = json.loads((parallel / "manifest.json").read_text())
    for artifact_id in ("Svc", "Consumer"):
        properties = manifest["artifacts"][artifact_id]["properties"]
        digest = hashlib.sha256((parallel / properties["templateFile"]).read_bytes()).hexdigest()
        assert properties["stackTemplateAssetObjectUrl"].endswith(f"/{digest}.json")
        files = json.loads((parallel / f"{artifact_id}.assets.json").read_text())["files"]
        assert files[digest]["source"]["path"] == properties["templateFile"]


def test_the_merged_parent_holds_every_shard_and_passes_the_packs(assemblies: tuple[Path, Path]) -> None:
    _, parallel = assemblies
    parent = json.loads((parallel / "Svc.template.json").read_text())
    stacks = [r for r in parent["Resources"].values() if r["Type"] == "AWS::CloudFormation::Stack"]
    assert len(stacks) == 4
    assert parent["Outputs"]["Functions"]["Value"] == "8"
    assert json.loads((parallel / "validation-report.json").read_text())["pluginReports"] == []
    assert all(u.resources <= 400 for u in check_template_limits(str(parallel)))


def test_the_stacks_of_a_stage_are_merged_in_their_own_assembly() -> None:
    """CDK Pipelines put stacks in a Stage: a cloud assembly of its own, in a sub-directory."""
    serial_run, serial_dir = completed("parallel-stage-serial")
    assert serial_run.returncode == 0, serial_run.stderr
    result, parallel_dir = completed("parallel-stage-2-workers")
    assert result.args[3:5] == ["--workers", "2"]
    assert result.returncode == 0, result.stderr
    serial, parallel = serial_dir / "out", parallel_dir / "out"
    stage = "assembly-Prod"
    names = sorted(p.name for p in (serial / stage).iterdir())
    assert sorted(p.name for p in (parallel / stage).iterdir()) == names
    assert len([n for n in names if n.endswith(".nested.template.json")]) == 4
    for name in names:
        if name.endswith(".template.json") or name == "manifest.json":
            assert (parallel / stage / name).read_bytes() == (serial / stage / name).read_bytes(), name


def test_an_output_that_depends_on_the_worker_fails_the_merge() -> None:
    result, _ = completed("parallel-worker-dependent-output")
    assert result.args[3:5] == ["--workers", "2"]
    assert result.returncode == 2
    assert "Svc Outputs.Built" in result.stderr
    assert "the workers of a parallel synthesis disagree" in result.stderr
    assert "declare_function" in result.stderr


def test_a_failing_worker_fails_the_launcher_with_its_code_and_output() -> None:
    result, workdir = completed("parallel-failing-worker")
    assert result.args[3:5] == ["--workers", "2"]
    assert result.returncode == 3
    assert "worker 1/2 fails on purpose" in result.stderr
    assert "lambda-constructs parallel: worker 1/2 failed" in result.stderr
    assert not (workdir / "out" / "manifest.json").exists()
    assert not any(p.name.startswith(".out.parallel-") for p in workdir.iterdir())  # scratch removed


def test_bad_launcher_arguments_exit_2_with_the_fix(tmp_path: Path) -> None:
    result = subprocess.run(
        [PYTHON, "-m", "lambda_constructs.parallel", "--workers", "0", "--", PYTHON, str(APP)],
        cwd=tmp_path,
        env=app_env(),
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 2
    assert "--workers must be between 1 and 16" in result.stderr
    result = subprocess.run(
        [PYTHON, "-m", "lambda_constructs.parallel"], cwd=tmp_path, env=app_env(), capture_output=True, text=True
    )
    assert result.returncode == 2
    assert "no app command given" in result.stderr


def test_the_pack_report_is_rebuilt_from_the_merged_assembly(assemblies: tuple[Path, Path]) -> None:
    """write_pack_report counts acknowledgements over the assembly: after a merge it covers every shard."""
    serial, parallel = assemblies
    expected = json.loads((serial / "nag-packs-report.json").read_text())
    assert json.loads((parallel / "nag-packs-report.json").read_text()) == expected
    assert all(pack["unsuppressed_violations"] == 0 for pack in expected["packs"])
    assert sum(pack["acknowledgements"] for pack in expected["packs"]) > 0


@pytest.mark.integration
def test_the_cdk_cli_synthesizes_through_the_launcher_and_deploys_the_merge(tmp_path: Path) -> None:
    """``cdk synth --app "python -m lambda_constructs.parallel -- …"``, then ``cdk deploy`` into the emulator."""
    from lambda_constructs.local import deploy
    from lambda_constructs.local.server import running_emulator

    log = tmp_path / "cdk.log"
    command = f"{PYTHON} -m lambda_constructs.parallel --workers 2 -- {PYTHON} {APP}"
    cdk_out = deploy.synth(tmp_path, log_path=log, app=command, validation=False)
    assert "lambda-constructs parallel: 2 workers" in log.read_text()
    assert len(list(cdk_out.glob("*.nested.template.json"))) == 4
    with running_emulator(log_dir=tmp_path / "emulator") as emu:
        deploy.bootstrap(emu, cdk_out, log_path=log)
        deploy.deploy(emu, cdk_out, log_path=log)
        cfn = emu.client("cloudformation")
        statuses = {s["StackName"]: s["StackStatus"] for s in cfn.list_stacks()["StackSummaries"]}
        nested = [name for name in statuses if name.startswith("Svc-OrdersShard")]
        assert len(nested) == 4
        assert {statuses[name] for name in [*nested, "Svc", "Consumer"]} == {"CREATE_COMPLETE"}
        lam = emu.client("lambda")
        functions = [f["FunctionName"] for f in lam.list_functions()["Functions"]]
        assert len(functions) == 8
        for name in functions:
            aliases = {a["Name"] for a in lam.list_aliases(FunctionName=name)["Aliases"]}
            assert aliases == {"live", "prod"}, name
        mappings = lam.list_event_source_mappings()["EventSourceMappings"]
        assert len(mappings) == 8 and all(m["FunctionArn"].endswith(":live") for m in mappings)
