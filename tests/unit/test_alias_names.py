"""SecureFunction.add_alias refuses alias names Lambda's CreateAlias refuses, at synth.

The rule is the botocore Lambda model's ``Alias`` shape (the oracle: the installed botocore's model, not our copy).
"""

from __future__ import annotations

import re

import botocore.session
import pytest

from lambda_constructs import LambdaConstructsError, SecureFunction, SecureFunctionProps
from lambda_constructs.releases.record import ALIAS_NAME, ALIAS_NAME_MAX
from tests.helpers import ROOT, new_stack


def _function() -> SecureFunction:
    stack = new_stack()
    return SecureFunction(
        stack,
        "Fn",
        SecureFunctionProps(code_dir=ROOT / "tests" / "fixtures" / "handlers" / "ok"),
    )


def test_the_rule_is_botocores_alias_shape() -> None:
    shape = botocore.session.get_session().get_service_model("lambda").shape_for("Alias")
    assert shape.metadata["max"] == ALIAS_NAME_MAX
    pattern = re.compile(shape.metadata["pattern"])
    for name in ["live", "Prod", "v-1_2", "1a", "123", "bad name!", "$LATEST", "a" * 128]:
        assert bool(pattern.fullmatch(name)) == bool(ALIAS_NAME.fullmatch(name)), name


@pytest.mark.parametrize("name", ["bad name!", "$LATEST", "123", "a" * 129])
def test_add_alias_refuses_a_name_lambda_refuses(name: str) -> None:
    fn = _function()
    with pytest.raises(LambdaConstructsError, match=r"^TestStack/Fn: alias names") as raised:
        fn.add_alias(name, fn.latest_version)
    assert raised.value.value == name


def test_add_alias_accepts_a_valid_name() -> None:
    fn = _function()
    alias = fn.add_alias("Canary-1_b", fn.latest_version)
    assert alias.alias_name == "Canary-1_b"


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        ({"description": 123}, r"add_alias\(description=\.\.\.\) must be str or None, not int"),
        (
            {"provisioned_concurrent_executions": "5"},
            r"add_alias\(provisioned_concurrent_executions=\.\.\.\) must be int or None",
        ),
        ({"additional_versions": "v1"}, r"add_alias\(additional_versions=\.\.\.\) must be Sequence\["),
        ({"version": "$LATEST"}, r"add_alias\(version=\.\.\.\) must be aws_cdk\.aws_lambda\.IVersion, not str"),
    ],
)
def test_add_alias_refuses_a_wrongly_typed_argument(arguments: dict[str, object], message: str) -> None:
    """aws-cdk-lib's Alias constructor gets the arguments unchecked (_jsii_speed.create): the library checks them."""
    from lambda_constructs.errors import LambdaConstructsTypeError

    fn = _function()
    call: dict[str, object] = {"version": fn.latest_version, **arguments}
    with pytest.raises(LambdaConstructsTypeError, match=r"^TestStack/Fn: " + message):
        fn.add_alias("Dev", **call)  # type: ignore[arg-type]
    assert "Dev" not in fn.aliases


def test_add_alias_refuses_a_deploy_time_name_with_the_librarys_error() -> None:
    """A token would go into the construct id (aws-cdk-lib then fails with a raw ComponentsContainUnresolvedTokens)."""
    from aws_cdk import CfnParameter

    fn = _function()
    before = dict(fn.aliases)
    name = CfnParameter(fn.stack, "AliasName").value_as_string
    with pytest.raises(LambdaConstructsError, match=r"^TestStack/Fn: an alias name must be known at synth") as raised:
        fn.add_alias(name, fn.latest_version)
    assert "pass the alias name as a literal string" in str(raised.value)
    assert fn.aliases == before
