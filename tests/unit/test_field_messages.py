"""The hints of the field type errors (lambda_constructs.field_messages): a str where a sequence of objects is
expected gets an item made from it, never ``['<the str>']`` (which fails next with "item 0 is str")."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

import pytest
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_s3 as s3
from aws_cdk import aws_sqs as sqs
from aws_cdk.assertions import Template

from lambda_constructs import SecureFunction, SecureFunctionProps
from lambda_constructs.errors import LambdaConstructsTypeError
from lambda_constructs.field_messages import fix, item_from_text
from lambda_constructs.layers import PythonLayer
from lambda_constructs.monitoring.service_monitoring import ServiceMonitoringProps
from tests.helpers import new_stack

LAYER_ARN = "arn:aws:lambda:us-east-1:123456789012:layer:x:1"
HANDLER = "def handler(event, context):\n    return None\n"


def _fix_of(make: Any) -> str:
    with pytest.raises(LambdaConstructsTypeError) as caught:
        make()
    return str(caught.value).split(". Fix: ", 1)[1]


def _written(hint: str) -> tuple[str, str, str]:
    """The code of "(... write <code>[ for it], from <module> import <name>)" in a fix."""
    found = re.search(r"write (.+?)(?: for it)?, from ([\w.]+) import (\w+)\)$", hint)
    assert found is not None, hint
    return found.group(1), found.group(2), found.group(3)


def test_an_arn_for_layers_gets_a_layer_made_from_it_and_that_fix_works() -> None:
    """It said "write layers=['arn:…']", which failed next with "item 0 is str …, not ILayerVersion"."""
    hint = _fix_of(lambda: SecureFunctionProps(inline_code=HANDLER, layers=LAYER_ARN))  # type: ignore[arg-type]
    assert f"layers=[{LAYER_ARN!r}]" not in hint
    assert hint.endswith(
        f"(its items are objects, not str: write layers=[LayerVersion.from_layer_version_arn(scope, 'LayerVersion-layer:x:1', "
        f"{LAYER_ARN!r})], from aws_cdk.aws_lambda import LayerVersion)"
    )
    code, module, name = _written(hint)
    assert (module, name) == ("aws_cdk.aws_lambda", "LayerVersion")
    # the fix as written (scope: the stack) makes props that synthesize, for a runtime other than the newest too
    stack = new_stack()
    layers = eval(code.removeprefix("layers="), {"scope": stack, name: lambda_.LayerVersion})
    SecureFunction(
        stack, "Fn", SecureFunctionProps(inline_code=HANDLER, runtime=lambda_.Runtime.PYTHON_3_12, layers=layers)
    )
    functions = Template.from_stack(stack).find_resources("AWS::Lambda::Function")
    assert [f["Properties"]["Layers"] for f in functions.values()] == [[LAYER_ARN]]


def test_a_list_of_arns_for_layers_names_the_item_and_how_to_make_it() -> None:
    hint = _fix_of(lambda: SecureFunctionProps(inline_code=HANDLER, layers=[LAYER_ARN]))  # type: ignore[list-item]
    assert hint.endswith(
        f"(item 0 must be an object, not a str: write LayerVersion.from_layer_version_arn(scope, 'LayerVersion-layer:x:1', "
        f"{LAYER_ARN!r}) for it, from aws_cdk.aws_lambda import LayerVersion)"
    )
    stack = new_stack()
    layer = PythonLayer.from_layer_arn(stack, "Mine", LAYER_ARN)
    hint = _fix_of(lambda: SecureFunctionProps(inline_code=HANDLER, layers=[layer, LAYER_ARN]))  # type: ignore[list-item]
    assert "(item 1 must be an object, not a str: write LayerVersion.from_layer_version_arn(" in hint


def test_the_rule_holds_for_any_sequence_of_objects_not_only_layers() -> None:
    group = _fix_of(lambda: SecureFunctionProps(inline_code=HANDLER, security_groups="sg-12345678"))  # type: ignore[arg-type]
    assert group.endswith(
        "write security_groups=[SecurityGroup.from_security_group_id(scope, 'SecurityGroup-sg-12345678', 'sg-12345678')], "
        "from aws_cdk.aws_ec2 import SecurityGroup)"
    )
    queue_arn = "arn:aws:sqs:us-east-1:123456789012:orders"
    queue = _fix_of(lambda: ServiceMonitoringProps(exclude_queues=queue_arn))  # type: ignore[arg-type]
    assert queue.endswith(
        f"write exclude_queues=[Queue.from_queue_arn(scope, 'Queue-orders', {queue_arn!r})], from aws_cdk.aws_sqs import Queue)"
    )
    # a queue name is no ARN: from_queue_arn would not work with it, and Queue has no from_queue_name
    name_only = _fix_of(lambda: ServiceMonitoringProps(exclude_queues="orders"))  # type: ignore[arg-type]
    assert name_only.endswith("(its items are objects, not str)")
    assert "['orders']" not in name_only
    # the fixes written are accepted
    stack = new_stack()
    made = {}
    for hint, cls in ((group, ec2.SecurityGroup), (queue, sqs.Queue)):
        code, _, name = _written(hint)
        made[name] = eval(code.split("=", 1)[1], {"scope": stack, name: cls})
    SecureFunctionProps(inline_code=HANDLER, security_groups=made["SecurityGroup"])
    ServiceMonitoringProps(exclude_queues=made["Queue"])


def test_a_str_of_str_items_still_gets_the_list_and_an_enum_item_its_member() -> None:
    assert fix("pip_options", "--no-deps", Sequence[str]).endswith(
        "(a str is not a sequence of options here: write pip_options=['--no-deps'])"
    )
    # a variadic tuple field takes a list too
    assert fix("grant_accounts", "111111111111", tuple[str, ...]).endswith("write grant_accounts=['111111111111'])")
    assert fix("events", "object_created", Sequence[s3.EventType]).endswith(
        "(its items are objects, not str: write events=[EventType.OBJECT_CREATED], from aws_cdk.aws_s3 import EventType)"
    )


def test_item_from_text_matches_an_arn_to_an_arn_factory_only() -> None:
    assert item_from_text(LAYER_ARN, lambda_.ILayerVersion) == (
        f"LayerVersion.from_layer_version_arn(scope, 'LayerVersion-layer:x:1', {LAYER_ARN!r})",
        "aws_cdk.aws_lambda",
        "LayerVersion",
    )
    assert item_from_text("x", lambda_.ILayerVersion) is None  # a layer has no name or id factory
    assert item_from_text("python3.12", lambda_.Runtime) is None  # no from_* factory: no guess


def test_the_hints_for_two_items_followed_literally_do_not_collide() -> None:
    """Each item's hint named the same construct id ('LayerVersion'): following both gave aws-cdk-lib's "There is
    already a Construct with name 'LayerVersion'" (found by the new-user pass)."""
    second = "arn:aws:lambda:us-east-1:123456789012:layer:y:2"
    stack = new_stack()
    layers: list[object] = [LAYER_ARN, second]
    for index in range(2):
        hint = _fix_of(lambda: SecureFunctionProps(inline_code=HANDLER, layers=layers))  # type: ignore[arg-type]
        code, _, name = _written(hint)
        assert f"item {index} must be an object" in hint
        layers[index] = eval(code, {"scope": stack, name: lambda_.LayerVersion})
    SecureFunction(stack, "Fn", SecureFunctionProps(inline_code=HANDLER, layers=layers))  # type: ignore[arg-type]
    functions = Template.from_stack(stack).find_resources("AWS::Lambda::Function")
    assert [f["Properties"]["Layers"] for f in functions.values()] == [[LAYER_ARN, second]]
