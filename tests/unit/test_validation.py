"""Token detection and the Duration/Size conversions the checks use (decided in Python where possible)."""

from __future__ import annotations

import re
from typing import Any

import botocore.loaders  # type: ignore[import-untyped]
import pytest
from aws_cdk import Aws, CfnResource, Duration, Fn, Size, Stack, Token
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_sqs as sqs
from aws_cdk.assertions import Template

from lambda_constructs import SecretReference, SecureFunction, SecureFunctionProps, _jsii_speed, runtimes
from lambda_constructs._jsii_speed import cfn_resource_type
from lambda_constructs.errors import LambdaConstructsError
from lambda_constructs.triggers.api_gateway import RestApiTrigger
from lambda_constructs.validation import (
    ENV_NAME,
    check_range,
    duration_seconds,
    is_token,
    size_mebibytes,
    written_number,
)
from tests.helpers import new_stack


@pytest.mark.parametrize(
    "value",
    [
        Fn.ref("Thing"),
        Fn.get_att("Thing", "Arn").to_string(),
        f"prefix-{Fn.ref('Thing')}-suffix",
        Token.as_number(Fn.ref("Thing")),
        int(Token.as_number(Fn.ref("Thing"))),
        Fn.split(",", Fn.ref("Thing")),
    ],
)
def test_tokens_are_tokens(value: object) -> None:
    assert is_token(value)


@pytest.mark.parametrize("value", ["plain", "${NotAToken}", "", 0, 512, -1.5, 1e300, True, ["a", "b"]])
def test_plain_values_are_not_tokens(value: object) -> None:
    assert not is_token(value)


def test_plain_strings_and_numbers_need_no_round_trip(round_trips: list[object]) -> None:
    assert not is_token("arn:aws:sqs:eu-west-1:123456789012:queue")
    assert not is_token(30)
    assert round_trips == []


def test_conversions_are_read_once_per_object(round_trips: list[object]) -> None:
    timeout, size = Duration.minutes(2), Size.gibibytes(1)
    round_trips.clear()
    assert duration_seconds(timeout) == 120.0
    assert size_mebibytes(size) == 1024.0
    first = len(round_trips)
    assert first == 2
    assert duration_seconds(timeout) == 120.0
    assert size_mebibytes(size) == 1024.0
    assert len(round_trips) == first


def test_token_durations_and_sizes_convert_to_none() -> None:
    assert duration_seconds(Duration.seconds(Token.as_number(Fn.ref("Seconds")))) is None
    assert size_mebibytes(Size.mebibytes(Token.as_number(Fn.ref("Size")))) is None
    assert size_mebibytes(Size.kibibytes(1)) is None  # fractional MiB cannot be converted


def test_runtime_name_is_read_once_per_runtime_object(round_trips: list[object]) -> None:
    runtime = lambda_.Runtime.PYTHON_3_12
    round_trips.clear()
    assert runtimes.runtime_name(runtime) == "python3.12"
    assert runtimes.runtime_name(runtime) == "python3.12"
    assert runtimes.family_of(runtime) == "python"
    assert len(round_trips) == 1


def test_latest_runtime_is_one_shared_object() -> None:
    assert runtimes.latest_python() is runtimes.latest("python")
    assert runtimes.runtime_name(runtimes.latest_python()).startswith("python3.")


def test_resource_type_of_an_l1_is_its_class_constant_read_once_per_class(
    round_trips: list[object], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(_jsii_speed, "RESOURCE_TYPE_NAMES", {})
    stack = Stack()
    queues = [sqs.CfnQueue(stack, f"Q{i}") for i in range(3)]
    generic = CfnResource(stack, "G", type="Custom::Thing")
    round_trips.clear()
    assert [cfn_resource_type(q) for q in queues] == ["AWS::SQS::Queue"] * 3
    assert len(round_trips) == 1  # CfnQueue.CFN_RESOURCE_TYPE_NAME, once
    assert cfn_resource_type(generic) == "Custom::Thing" == generic.cfn_resource_type  # no class constant: read
    assert all(cfn_resource_type(q) == q.cfn_resource_type for q in queues)


@pytest.mark.parametrize(
    ("number", "written"), [(1e9, "1000000000"), (1e7, "10000000"), (10240, "10240"), (0, "0"), (0.5, "0.5")]
)
def test_limits_are_written_as_numbers_are_in_code(number: float, written: str) -> None:
    assert written_number(number) == written


def test_check_range_prints_its_limits_as_written_integers() -> None:
    """It printed `:g`: "between 0 and 1e+09", "[0, 1e+07]"."""
    stack = Stack()
    with pytest.raises(LambdaConstructsError) as caught:
        check_range(stack, "count", 2_000_000_000, 0, 1e9, "items")
    assert str(caught.value).endswith(
        "count must be between 0 and 1000000000 items (got 2000000000). Fix: set count to a value in [0, 1000000000] items"
    )
    with pytest.raises(LambdaConstructsError) as caught:  # a trigger's option, where the limit is 1e7
        RestApiTrigger(throttling_rate_limit=-1)
    assert str(caught.value) == (
        "RestApiTrigger(throttling_rate_limit=...) must be between 0 and 10000000 requests/s (got -1). "
        "Fix: set throttling_rate_limit to a value in [0, 10000000] requests/s"
    )


def test_check_range_without_an_upper_limit() -> None:
    stack = Stack()
    check_range(stack, "count", 10**12, 0, None)
    with pytest.raises(LambdaConstructsError) as caught:
        check_range(stack, "count", -1, 0, None, "items")
    assert str(caught.value).endswith("count must be at least 0 items (got -1). Fix: set count to 0 or more items")


HANDLER = "def handler(event, context):\n    return None\n"


def _variables(stack: Stack) -> list[Any]:
    functions = Template.from_stack(stack).find_resources("AWS::Lambda::Function")
    return [f["Properties"]["Environment"]["Variables"] for f in functions.values()]


@pytest.mark.parametrize("option", ["environment", "secret_environment"])
def test_a_token_as_an_environment_variable_name_is_the_library_error_with_a_fix_that_works(option: str) -> None:
    """It failed at synth with jsii's raw RuntimeError KeyMustResolveToString, naming no construct path."""
    stack = new_stack()
    value: Any = "x" if option == "environment" else SecretReference.from_parameter("/shop/key")
    with pytest.raises(LambdaConstructsError) as caught:
        SecureFunction(
            stack, "Fn", SecureFunctionProps(inline_code=HANDLER, **{option: {Fn.ref("AWS::Region"): value}})
        )
    error = caught.value
    assert error.path == "TestStack/Fn"
    assert error.value == {"Ref": "AWS::Region"}
    assert re.fullmatch(
        r"TestStack/Fn: environment variable names must be strings known at synth that match "
        r"\[a-zA-Z\]\(\[a-zA-Z0-9_\]\)\+ \(botocore lambda model, EnvironmentVariableName\); the name "
        r"'\$\{Token\[TOKEN\.\d+\]\}' is a token of a value only known at deploy time \(got \{'Ref': 'AWS::Region'\}\)\. "
        r"Fix: write the name as a literal string and pass the deploy-time value as the variable's value, e\.g\. "
        r"environment=\{'STACK_REGION': Aws\.REGION\} \(from aws_cdk import Aws\) instead of \{Aws\.REGION: \.\.\.\}",
        str(error),
    )
    # the fix, as written
    SecureFunction(stack, "Fixed", SecureFunctionProps(inline_code=HANDLER, environment={"STACK_REGION": Aws.REGION}))
    assert {"STACK_REGION": {"Ref": "AWS::Region"}} in _variables(stack)


def test_a_token_name_that_resolves_to_a_string_is_checked_as_that_string() -> None:
    stack = new_stack()
    SecureFunction(
        stack, "Fn", SecureFunctionProps(inline_code=HANDLER, environment={Fn.join("", ["TABLE", "_NAME"]): "x"})
    )
    assert [variables.get("TABLE_NAME") for variables in _variables(stack)] == ["x"]
    with pytest.raises(
        LambdaConstructsError, match=r"^TestStack/Reserved: environment variable AWS_REGION is reserved"
    ):
        SecureFunction(
            stack,
            "Reserved",
            SecureFunctionProps(inline_code=HANDLER, environment={Fn.join("_", ["AWS", "REGION"]): "x"}),
        )


def test_env_name_is_lambdas_pattern() -> None:
    """ENV_NAME is the botocore lambda model's EnvironmentVariableName pattern, matched against the whole name."""
    shapes = botocore.loaders.Loader().load_service_model("lambda", "service-2")["shapes"]
    assert shapes["EnvironmentVariables"]["key"]["shape"] == "EnvironmentVariableName"
    model = re.compile(shapes["EnvironmentVariableName"]["pattern"])
    for name in ("AB", "a1", "A_", "Table_Name_2", "A", "1A", "_A", "A-B", "A.B", "AB ", "", "ÄB"):
        assert bool(ENV_NAME.match(name)) == bool(model.fullmatch(name)), name
