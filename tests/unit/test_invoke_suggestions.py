"""After an unknown or ambiguous STACK/FUNCTION, `invoke` suggests targets it accepts (whole, shortest paths)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from lambda_constructs.__main__ import main
from lambda_constructs.errors import LambdaConstructsError
from lambda_constructs.invoke import cli as invoke_cli
from lambda_constructs.invoke.assembly import resolve_function
from lambda_constructs.invoke.cli import resolve_target
from tests.unit.test_invoke_runner import _function, write_shop_assembly


@pytest.fixture
def assembly(tmp_path: Path) -> Path:
    """The hand-written cdk.out of test_invoke_runner (stacks Shop and Prod/Shop)."""
    return write_shop_assembly(tmp_path)


def _suggestions(error: LambdaConstructsError) -> list[str]:
    assert error.fix.startswith("name one of: "), error.fix
    return error.fix.removeprefix("name one of: ").split(", ")


def _accepted(assembly_dir: Path, target: str) -> str:
    spec = resolve_function(assembly_dir, target)  # raises if the command would not accept it
    return f"{spec.stack}/{spec.logical_id}"


def test_an_unknown_function_suggests_whole_targets_of_its_stack(assembly: Path) -> None:
    with pytest.raises(LambdaConstructsError) as caught:
        resolve_target(assembly, "Shop/Nope")
    error = caught.value
    assert (error.path, error.message) == ("Shop", "no Lambda function 'Nope' in this stack")
    assert _suggestions(error) == ["Shop/Broken", "Shop/LayerUser", "Shop/Orders", "Shop/Slow"]  # not Orders/Function
    logical = {_accepted(assembly, target) for target in _suggestions(error)}
    assert logical == {"Shop/BrokenAAA111", "Shop/LayerUserBBB222", "Shop/OrdersFunctionABC123", "Shop/SlowDEF456"}


def test_an_unknown_stack_suggests_every_function(assembly: Path) -> None:
    with pytest.raises(LambdaConstructsError) as caught:
        resolve_target(assembly, "Shopp/Orders")
    suggestions = _suggestions(caught.value)
    assert suggestions == ["Prod/Shop/Orders", "Shop/Broken", "Shop/LayerUser", "Shop/Orders", "Shop/Slow"]
    assert all(_accepted(assembly, target) for target in suggestions)


def test_an_ambiguous_target_suggests_the_functions_under_it(assembly: Path) -> None:
    template = assembly / "Shop.template.json"
    data = json.loads(template.read_text())
    data["Resources"]["OrdersWorkerCCC333"] = _function("app.echo", path="Shop/Orders/Worker/Resource")
    template.write_text(json.dumps(data))
    with pytest.raises(LambdaConstructsError) as caught:
        resolve_target(assembly, "Shop/Orders")
    assert caught.value.message == "'Orders' matches several functions"
    suggestions = _suggestions(caught.value)
    assert suggestions == ["Shop/Orders/Function", "Shop/Orders/Worker"]  # Shop/Orders itself is ambiguous
    assert [_accepted(assembly, target) for target in suggestions] == [
        "Shop/OrdersFunctionABC123",
        "Shop/OrdersWorkerCCC333",
    ]


def test_too_many_functions_keep_the_original_error(assembly: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(invoke_cli, "MAX_SUGGESTIONS", 2)
    with pytest.raises(LambdaConstructsError, match=r"use one of: Broken, LayerUser, Orders/Function, Slow"):
        resolve_target(assembly, "Shop/Nope")
    with pytest.raises(LambdaConstructsError, match="does not exist"):
        resolve_target(assembly / "nowhere", "Shop/Orders")


def test_cli_prints_the_suggestions(assembly: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["invoke", "Shop/Order", "--assembly", str(assembly), "--event", "sqs"]) == 2
    assert capsys.readouterr().err == (
        "error: Shop: no Lambda function 'Order' in this stack. "
        "Fix: name one of: Shop/Broken, Shop/LayerUser, Shop/Orders, Shop/Slow\n"
    )
