"""Deploy-time rules broken at synthesis come out as the library's error, and see the final template.

aws-cdk-lib calls the library's checks back from JavaScript (a validation, an aspect); jsii hands a
Python exception raised there back as a ``RuntimeError`` with a JavaScript stack. The synth boundary
(lambda_constructs/errors.py) re-raises the library's own error from ``app.synth()``,
``Template.from_stack`` and ``Annotations.from_stack``, and checks the finished templates, so that an
``add_property_override`` on the L1 (which only the rendered template shows) is checked too.
"""

from __future__ import annotations

from collections.abc import Callable

import aws_cdk as cdk
import jsii
import pytest
from aws_cdk import Duration
from aws_cdk import aws_cloudfront as cloudfront
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_sqs as sqs
from aws_cdk.assertions import Annotations, Template
from constructs import IValidation

from lambda_constructs import LambdaConstructsError, SecureFunction, SecureFunctionProps
from lambda_constructs.triggers import EdgeTrigger, EventBridgeRuleTrigger
from tests import oracles
from tests.helpers import new_stack

CODE = "def handler(event, context):\n    return {}\n"
ENV_ERROR = r"TestStack/Fn: environment variables take 5003 bytes; Lambda allows at most 4096 bytes in total"


def _fn(stack: cdk.Stack, **kwargs: object) -> SecureFunction:
    props = SecureFunctionProps(inline_code=CODE, **kwargs)  # type: ignore[arg-type]
    return SecureFunction(stack, "Fn", props)


def _cfn(fn: SecureFunction) -> lambda_.CfnFunction:
    cfn = fn.function.node.default_child
    assert isinstance(cfn, lambda_.CfnFunction)
    return cfn


SYNTHS: dict[str, Callable[[cdk.Stack], object]] = {  # looked up at the call, as an app does
    "Template.from_stack": lambda stack: Template.from_stack(stack),
    "app.synth": lambda stack: stack.node.root.synth(),  # type: ignore[attr-defined]
    "Annotations.from_stack": lambda stack: Annotations.from_stack(stack),
}


@pytest.mark.parametrize("synth", SYNTHS.values(), ids=SYNTHS.keys())
def test_environment_over_4_kb_is_the_librarys_error_not_a_jsii_runtime_error(
    synth: Callable[[cdk.Stack], object],
) -> None:
    stack = new_stack()
    fn = _fn(stack)
    fn.function.add_environment("BIG", "x" * 5000)  # behind the props: seen only when the function renders
    with pytest.raises(LambdaConstructsError, match=ENV_ERROR) as err:
        synth(stack)
    assert type(err.value) is LambdaConstructsError and err.value.path == "TestStack/Fn"
    assert err.value.value == ["BIG"]
    assert err.value.fix == "move large values to SSM Parameter Store or Secrets Manager and pass them by reference"
    assert err.value.__cause__ is None and err.value.__suppress_context__  # no jsii RuntimeError / JS stack


@pytest.mark.parametrize("synth", SYNTHS.values(), ids=SYNTHS.keys())
def test_an_override_that_breaks_the_environment_limit_is_checked_on_the_template(
    synth: Callable[[cdk.Stack], object],
) -> None:
    stack = new_stack()
    _cfn(_fn(stack)).add_property_override("Environment.Variables.BIG", "x" * 5000)
    with pytest.raises(LambdaConstructsError, match=ENV_ERROR) as err:
        synth(stack)
    assert err.value.value == ["BIG"]
    _the_api_oracle_agrees()


def _the_api_oracle_agrees() -> None:
    """The template was written before the check failed: drain it from the oracles, which find only the same
    (each distinct template is checked once per session, so a repeat finds nothing)."""
    found = oracles.check_recorded()
    assert all(".Environment = 5003: > 4096 bytes" in f for f in found), found


def test_the_whole_environment_replaced_by_add_override_is_checked() -> None:
    stack = new_stack()
    _cfn(_fn(stack)).add_override("Properties.Environment", {"Variables": {"BIG": "x" * 5000}})
    with pytest.raises(LambdaConstructsError, match=ENV_ERROR):
        Template.from_stack(stack)
    _the_api_oracle_agrees()


def test_an_override_within_the_limit_passes_and_stays_in_the_template() -> None:
    stack = new_stack()
    _cfn(_fn(stack)).add_property_override("Environment.Variables.SMALL", "x" * 4000)
    template = Template.from_stack(stack)
    template.has_resource_properties("AWS::Lambda::Function", {"Environment": {"Variables": {"SMALL": "x" * 4000}}})


def test_an_override_that_adds_a_layer_to_an_edge_function_fails() -> None:
    stack = new_stack(env=cdk.Environment(account="111122223333", region="us-east-1"))
    fn = _fn(stack, memory_size=128, timeout=Duration.seconds(5), architecture=lambda_.Architecture.X86_64)
    fn.add_trigger(EdgeTrigger(event_type=cloudfront.LambdaEdgeEventType.VIEWER_REQUEST), alias="$LATEST")
    layer = "arn:aws:lambda:us-east-1:111122223333:layer:shared:3"
    _cfn(fn).add_property_override("Layers", [layer])
    _cfn(fn).add_property_override("MemorySize", 512)
    expected = (
        r"TestStack/Fn: this function runs at the edge \(Lambda@Edge: viewer-request\), but it has 1 layer\(s\) "
        r"\(layers, insights_version, params_and_secrets_extension\); memory 512 MB \(viewer events allow 128 MB"
    )
    with pytest.raises(LambdaConstructsError, match=expected):
        Template.from_stack(stack)
    with pytest.raises(LambdaConstructsError, match=expected):
        stack.node.root.synth()  # type: ignore[attr-defined]


def test_overridden_permissions_count_in_the_policy_size() -> None:
    stack = new_stack()
    fn = _fn(stack)
    for i in range(40):  # 40 fit (tests/unit/test_service_rules.py) ...
        fn.add_trigger(EventBridgeRuleTrigger(event_pattern={"source": [f"app.{i}"]}), construct_id=f"Rule{i}")
    permissions = [c for c in fn.node.find_all() if isinstance(c, lambda_.CfnPermission)]
    long_arn = "arn:aws:events:eu-west-1:111122223333:rule/" + "r" * 200
    for permission in permissions:  # ... until an override lengthens every source ARN to 243 characters
        permission.add_property_override("SourceArn", long_arn)
    alias = fn.aliases["live"].node.path
    expected = rf"{alias}: its resource-based policy would take ~2[0-9],[0-9]{{3}} bytes for 40 permissions"
    with pytest.raises(LambdaConstructsError, match=expected):
        Template.from_stack(stack)


def test_errors_that_are_not_the_librarys_pass_through_unchanged() -> None:
    stack = new_stack()
    _fn(stack)
    sqs.Queue(stack, "Q").node.add_validation(_Failing())
    with pytest.raises(RuntimeError, match=r"\[TestStack/Q\] not ours") as err:
        Template.from_stack(stack)
    assert not isinstance(err.value, LambdaConstructsError)


@jsii.implements(IValidation)
class _Failing:
    def validate(self) -> list[str]:
        return ["not ours"]
