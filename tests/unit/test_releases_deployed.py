"""``status --deployed`` reads the deployed stacks' outputs through CloudFormation (boto3 honours
``AWS_ENDPOINT_URL``), here from a moto server started with lambda_constructs.local's helper: a stack with
the function's ``Output<alias>`` values (a weighted Prod, a Stage one release behind the file), and a
LambdaService shard's function, whose outputs are its nested stack's."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest

from lambda_constructs.local.server import running_emulator
from tests.unit.test_invoke_runner import HANDLERS
from tests.unit.test_releases_cli import DEFAULT_ALIASES, KEY, OLD_FP, fake_assembly, rel, run, write_record
from tests.unit.test_service_local import SHARDS, synth


@pytest.mark.slow
def test_status_deployed_compares_file_deployed_and_next_deploy(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    file = write_record(tmp_path / "releases.json", [rel("v1"), rel("v2")], DEFAULT_ALIASES)
    assembly = fake_assembly(tmp_path / "cdk.out")
    template = {
        "Resources": {"Marker": {"Type": "AWS::SNS::Topic"}},
        "Outputs": {
            "OrdersOutputStage00000000": {"Value": f"v1 {OLD_FP}"},
            "OrdersOutputProd00000000": {"Value": f"v1 {OLD_FP} +v2@0.1"},
        },
    }
    with running_emulator(log_dir=tmp_path / "log") as emu:
        emu.client("cloudformation").create_stack(StackName="Svc", TemplateBody=json.dumps(template))
        for name, value in emu.aws_env().items():
            monkeypatch.setenv(name, value)
        code, out = run(capsys, "status", "--file", str(file), "--assembly", str(assembly), "--deployed")
        missing_code, missing = run(capsys, "status", "--file", str(file), "--deployed", "--assembly", "nope")
    assert code == 0, out
    header = out.splitlines()[0].split()
    assert header[:3] == ["FUNCTION", "ALIAS", "FILE"] and "DEPLOYED" in header
    rows = {line.split()[1]: line for line in out.splitlines() if line.startswith(KEY + " ")}
    # Stage: the file says v2, v1 is deployed, the next deploy moves it.
    assert "v1" in rows["Stage"].split()[4] and "moves v1 -> v2" in rows["Stage"]
    # Prod: the file says v1 (no split), the deployed alias still splits 10 % to v2.
    assert "v1 +v2@0.1" in rows["Prod"] and "moves v1 +v2@0.1 -> v1" in rows["Prod"]
    assert missing_code == 2 and "--deployed needs the cloud assembly" in missing


@pytest.mark.slow
def test_status_deployed_reads_a_shard_functions_aliases_from_its_nested_stack(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A function in a LambdaService shard: its ``Output<alias>`` values are the nested stack's outputs. The
    nested stack is found through the parent's ``AWS::CloudFormation::Stack`` resource (its physical id), as
    CloudFormation links them; the parent's own output of the same logical id is not the function's (logical ids
    are per template). Was ``? (nested stack)`` in the DEPLOYED column."""
    code = tmp_path / "code"
    shutil.copytree(HANDLERS, code)
    file = tmp_path / "releases.json"
    file.write_text('{"format": 1, "functions": {}}\n')
    synth(tmp_path / "cdk.out", code, file)  # Shop, with Orders (releases=) in shard Svc/Shard000
    key = f"Shop/Svc/{SHARDS['Orders']}/Orders"
    write_record(file, [rel("v1"), rel("v2")], DEFAULT_ALIASES, key=key)
    parent = json.loads((tmp_path / "cdk.out" / "Shop.template.json").read_text())
    (shard_id,) = [
        lid
        for lid, resource in parent["Resources"].items()
        if resource["Type"] == "AWS::CloudFormation::Stack" and SHARDS["Orders"] in lid
    ]
    (shard_file,) = (tmp_path / "cdk.out").glob(f"ShopSvc{SHARDS['Orders']}*.nested.template.json")
    shard = json.loads(shard_file.read_text())
    deployed_shard = {
        "Resources": {"Marker": {"Type": "AWS::SNS::Topic"}},
        "Outputs": {
            output_ids_by_alias(shard, "Stage"): {"Value": f"v1 {OLD_FP}"},
            output_ids_by_alias(shard, "Prod"): {"Value": f"v1 {OLD_FP} +v2@0.1"},
        },
    }
    # The parent: only the nested stack, and an output with the logical id of the shard's Stage output.
    deployed_parent = {
        "Resources": {
            shard_id: {
                "Type": "AWS::CloudFormation::Stack",
                "Properties": {"TemplateURL": "https://s3.amazonaws.com/templates/shard.json"},
            }
        },
        "Outputs": {output_ids_by_alias(shard, "Stage"): {"Value": f"v7 {OLD_FP}"}},
    }
    with running_emulator(log_dir=tmp_path / "log") as emu:
        s3 = emu.client("s3")
        s3.create_bucket(Bucket="templates")
        s3.put_object(Bucket="templates", Key="shard.json", Body=json.dumps(deployed_shard).encode())
        emu.client("cloudformation").create_stack(StackName="Shop", TemplateBody=json.dumps(deployed_parent))
        for name, value in emu.aws_env().items():
            monkeypatch.setenv(name, value)
        code_, out = run(capsys, "status", "--file", str(file), "--assembly", str(tmp_path / "cdk.out"), "--deployed")
        _, from_file = run(
            capsys,
            "status",
            "--file",
            str(file),
            "--assembly",
            str(tmp_path / "cdk.out"),
            "--outputs",
            str(_empty(tmp_path)),
        )
    assert code_ == 0, out
    rows = {line.split()[1]: line for line in out.splitlines() if line.startswith(key + " ")}
    assert "? (nested stack)" not in out
    assert rows["Stage"].split()[4] == "v1" and "moves v1 -> v2" in rows["Stage"], rows["Stage"]
    assert "v1 +v2@0.1" in rows["Prod"] and "moves v1 +v2@0.1 -> v1" in rows["Prod"], rows["Prod"]
    assert rows["Dev"].split()[4] == "-"  # the deployed shard has no Dev output
    # A `cdk deploy --outputs-file` file has no nested stack outputs: still unknown there.
    file_rows = {line.split()[1]: line for line in from_file.splitlines() if line.startswith(key + " ")}
    assert "? (nested stack)" in file_rows["Stage"]


def output_ids_by_alias(template: dict[str, Any], alias: str) -> str:
    """The logical id of the ``Output<alias>`` output of the shard's release-managed function."""
    (lid,) = [lid for lid in template["Outputs"] if lid.startswith(f"OrdersOutput{alias}")]
    return lid


def _empty(tmp_path: Path) -> Path:
    path = tmp_path / "outputs.json"
    path.write_text('{"Shop": {}}')
    return path
