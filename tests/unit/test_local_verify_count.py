"""What the deploy verifier counts (``verified N properties of M resources ...``): one check per compared property
or looked-up object, whatever the order of the statements in a function's policy."""

from __future__ import annotations

import json
from typing import Any, cast

import pytest

from lambda_constructs.local import verify
from lambda_constructs.local.resolve import Resolver
from lambda_constructs.local.server import Emulator

PERMISSION = {"FunctionName": "fn", "Principal": "sns.amazonaws.com", "Action": "lambda:InvokeFunction"}


def statement(principal: str) -> dict[str, Any]:
    return {"Principal": {"Service": principal}, "Action": "lambda:InvokeFunction", "Resource": "arn:fn"}


class FakeLambda:
    def __init__(self, statements: list[dict[str, Any]]) -> None:
        self.policy = json.dumps({"Statement": statements})

    def get_policy(self, **_: Any) -> dict[str, str]:
        return {"Policy": self.policy}


class FakeEmulator:
    def __init__(self, statements: list[dict[str, Any]]) -> None:
        self.lam = FakeLambda(statements)

    def client(self, service: str) -> Any:
        assert service == "lambda"
        return self.lam


def checker(statements: list[dict[str, Any]]) -> verify._Checker:
    stack = verify.StackTemplate("Shop", {"Resources": {}}, directory=cast(Any, None))
    return verify._Checker(cast(Emulator, FakeEmulator(statements)), stack, cast(Resolver, None))


@pytest.mark.parametrize("position", [0, 2, 4])
def test_a_permission_is_one_check_wherever_its_statement_is(position: int) -> None:
    """Was one check per statement looked at: 5 for the same permission when its statement came last."""
    statements = [statement(f"other{i}.amazonaws.com") for i in range(4)]
    statements.insert(position, statement("sns.amazonaws.com"))
    found = checker(statements)
    found.check_Lambda_Permission("phys", PERMISSION)
    assert (found.checks, found.findings) == (1, [])


def test_a_missing_permission_is_one_check_and_one_finding() -> None:
    found = checker([statement("other.amazonaws.com")] * 3)
    found.check_Lambda_Permission("phys", PERMISSION)
    assert found.checks == 1 and len(found.findings) == 1 and "no policy statement" in found.findings[0].message


def test_the_summary_line_names_properties_resources_and_mismatches() -> None:
    report = verify.Report([], 558, resources=245, compared=158)
    assert report.summary() == (
        "verified 558 properties of 158 resources (245 resources checked for creation), 0 mismatches"
    )
    finding = verify.Finding("Shop", "Fn", "AWS::Lambda::Function", "Runtime differs")
    assert verify.Report([finding], 3, 2, 1).summary().endswith(", 1 mismatch")
