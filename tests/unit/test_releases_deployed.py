"""``status --deployed`` reads the deployed stacks' outputs through CloudFormation (boto3 honours
``AWS_ENDPOINT_URL``), here from a moto server started with lambda_constructs.local's helper: a stack with
the function's ``Output<alias>`` values (a weighted Prod, a Stage one release behind the file)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from lambda_constructs.local.server import running_emulator
from tests.unit.test_releases_cli import DEFAULT_ALIASES, KEY, OLD_FP, fake_assembly, rel, run, write_record


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
