"""`tune STACK/PATH`: the construct path is resolved in cdk.out and its deployed name asked of CloudFormation."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from botocore.exceptions import ClientError

from lambda_constructs.__main__ import main
from lambda_constructs.tune import cli as tune_cli
from tests.unit.test_invoke_runner import write_shop_assembly


@pytest.fixture
def assembly(tmp_path: Path) -> Path:
    """The hand-written cdk.out of test_invoke_runner (stacks Shop and Prod/Shop)."""
    return write_shop_assembly(tmp_path)


REPORT = json.dumps(
    {
        "type": "platform.report",
        "record": {"metrics": {"durationMs": 5, "billedDurationMs": 5, "memorySizeMB": 256, "maxMemoryUsedMB": 60}},
    }
)


class Fakes:
    """Lambda, CloudWatch Logs and CloudFormation clients recording what they were asked."""

    def __init__(self, deployed: dict[tuple[str | None, str, str], str]) -> None:
        self.deployed = deployed  # (region, stack name, logical id) -> physical id
        self.calls: list[tuple[str, Any]] = []

    def clients(self, region: str | None) -> tuple[Any, Any]:
        fakes = self

        class Lambda:
            meta = type("Meta", (), {"region_name": region or "us-east-1"})()

            def get_function_configuration(self, **request: str) -> dict[str, object]:
                fakes.calls.append(("lambda", (region, request["FunctionName"])))
                return {"FunctionName": request["FunctionName"], "Timeout": 3, "MemorySize": 256}

        class Paginator:
            def paginate(self, **query: object) -> list[dict[str, object]]:
                fakes.calls.append(("logs", query["logGroupName"]))
                return [{"events": [{"logStreamName": "2026/11/30/[$LATEST]x", "message": REPORT}]}]

        class Logs:
            def get_paginator(self, name: str) -> Paginator:
                return Paginator()

        return Lambda(), Logs()

    def cloudformation(self, region: str | None) -> Any:
        fakes = self

        class CloudFormation:
            meta = type("Meta", (), {"region_name": region or "us-east-1"})()

            def describe_stack_resource(self, **request: str) -> dict[str, Any]:
                fakes.calls.append(("cloudformation", (region, request["StackName"], request["LogicalResourceId"])))
                physical = fakes.deployed.get((region, request["StackName"], request["LogicalResourceId"]))
                if physical is None:
                    error = {
                        "Code": "ValidationError",
                        "Message": f"Stack with id {request['StackName']} does not exist",
                    }
                    raise ClientError({"Error": error}, "DescribeStackResource")
                return {"StackResourceDetail": {"PhysicalResourceId": physical}}

        return CloudFormation()


@pytest.fixture
def fakes(monkeypatch: pytest.MonkeyPatch) -> Fakes:
    found = Fakes(
        {
            (None, "Shop", "OrdersFunctionABC123"): "Shop-OrdersFunctionABC123-x1Y2z3",
            ("eu-west-1", "Prod-Shop", "ProdOrders99"): "prod-orders-q9",
        }
    )
    monkeypatch.setattr(tune_cli, "_clients", found.clients)
    monkeypatch.setattr(tune_cli, "_cloudformation", found.cloudformation)
    return found


@pytest.mark.parametrize("target", ["Shop/Orders", "Shop/Orders/Function", "Shop/OrdersFunctionABC123"])
def test_construct_path_is_resolved_to_the_deployed_name(
    target: str, assembly: Path, fakes: Fakes, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["tune", target, "--assembly", str(assembly), "--since", "1h"]) == 0
    assert fakes.calls[:3] == [
        (
            "cloudformation",
            (None, "Shop", "OrdersFunctionABC123"),
        ),  # environment-agnostic: the AWS environment's region
        ("lambda", (None, "Shop-OrdersFunctionABC123-x1Y2z3")),
        ("logs", "/aws/lambda/Shop-OrdersFunctionABC123-x1Y2z3"),
    ]
    assert "Function: Shop-OrdersFunctionABC123-x1Y2z3, log group" in capsys.readouterr().out


def test_a_stage_stack_uses_its_stack_name_and_region(
    assembly: Path, fakes: Fakes, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["tune", "Prod/Shop/Orders", "--assembly", str(assembly), "--since", "1h"]) == 0
    assert fakes.calls[:2] == [
        ("cloudformation", ("eu-west-1", "Prod-Shop", "ProdOrders99")),
        ("lambda", ("eu-west-1", "prod-orders-q9")),
    ]
    assert main(["tune", "Prod/Shop/Orders", "--assembly", str(assembly), "--region", "eu-north-1"]) == 2  # not there
    assert fakes.calls[-1] == ("cloudformation", ("eu-north-1", "Prod-Shop", "ProdOrders99"))


def test_a_function_name_in_the_template_needs_no_cloudformation(
    assembly: Path, fakes: Fakes, capsys: pytest.CaptureFixture[str]
) -> None:
    template = assembly / "Shop.template.json"
    data = json.loads(template.read_text())
    data["Resources"]["SlowDEF456"]["Properties"]["FunctionName"] = "slow-fn"
    template.write_text(json.dumps(data))
    assert main(["tune", "Shop/Slow", "--assembly", str(assembly)]) == 0
    assert [call for call in fakes.calls if call[0] != "logs"] == [("lambda", (None, "slow-fn"))]


def test_names_and_arns_are_used_as_given(fakes: Fakes, tmp_path: Path) -> None:
    arn = "arn:aws:lambda:us-east-1:123456789012:function:orders"
    for function in ("orders", arn):
        assert main(["tune", function, "--assembly", str(tmp_path / "none")]) == 0  # no assembly read
        assert fakes.calls[-2] == ("lambda", (None, function))


@pytest.mark.parametrize(
    ("target", "message"),
    [
        ("Shop/Nope", "Shop: no Lambda function 'Nope' in this stack. Fix: name one of: Shop/Broken, Shop/LayerUser"),
        ("Shopp/Orders", "no stack matches 'Shopp/Orders'"),
        ("Shop/Broken", "Shop/Broken (stack Shop, logical id BrokenAAA111) is not deployed in us-east-1"),
    ],
)
def test_unknown_or_undeployed_targets_are_one_line_and_exit_2(
    target: str, message: str, assembly: Path, fakes: Fakes, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["tune", target, "--assembly", str(assembly)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: ") and message in err and err.count("\n") == 1, err


def test_no_assembly_says_synth_first(fakes: Fakes, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["tune", "Shop/Orders", "--assembly", str(tmp_path / "cdk.out")]) == 2
    assert "run `cdk synth` or pass --assembly DIR" in capsys.readouterr().err
