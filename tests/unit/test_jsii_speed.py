"""lambda_constructs._jsii_speed.create: the object a generated constructor makes, from a struct of the given
properties only; and why it exists (typing's annotation cache no longer misses per function)."""

from __future__ import annotations

import typing
from typing import Any

import pytest
from aws_cdk import App, Stack, Token
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_sqs as sqs
from aws_cdk.assertions import Template

from lambda_constructs import SecureFunction, SecureFunctionProps
from lambda_constructs._jsii_speed import create
from lambda_constructs.triggers import SqsTrigger


def _mapping_props(stack: Stack) -> dict[str, Any]:
    queue = sqs.Queue(stack, "Queue")
    return {
        "function_name": "arn:aws:lambda:us-east-1:111111111111:function:f",
        "event_source_arn": queue.queue_arn,  # a token
        "batch_size": 10,
        "enabled": False,  # falsy values are given, not dropped
        "maximum_batching_window_in_seconds": 0,
        "function_response_types": ["ReportBatchItemFailures"],
        "scaling_config": {"maximumConcurrency": 5},  # a dict where the L1 also takes a token
        "filter_criteria": {"filters": [{"pattern": '{"body":{"a":[1]}}'}]},
        "starting_position": None,  # not given
    }


def _resources(stack: Stack) -> dict[str, Any]:
    return Template.from_stack(stack).to_json()["Resources"]


def test_create_renders_what_the_generated_constructor_renders() -> None:
    app = App()
    plain, fast = Stack(app, "Plain"), Stack(app, "Fast")
    made = lambda_.CfnEventSourceMapping(plain, "Mapping", **_mapping_props(plain))
    created = create(
        lambda_.CfnEventSourceMapping, lambda_.CfnEventSourceMappingProps, fast, "Mapping", **_mapping_props(fast)
    )
    assert type(created) is type(made) is lambda_.CfnEventSourceMapping
    assert _resources(fast) == _resources(plain)
    mapping = next(v for v in _resources(fast).values() if v["Type"] == "AWS::Lambda::EventSourceMapping")
    assert mapping["Properties"]["Enabled"] is False
    assert mapping["Properties"]["MaximumBatchingWindowInSeconds"] == 0
    assert "StartingPosition" not in mapping["Properties"]


def test_created_object_is_a_working_proxy() -> None:
    stack = Stack(App(), "S")
    created = create(
        lambda_.CfnEventSourceMapping, lambda_.CfnEventSourceMappingProps, stack, "M", **_mapping_props(stack)
    )
    assert created.node.path == "S/M"
    assert created.batch_size == 10
    created.batch_size = 20  # a setter on the proxy reaches the JavaScript object
    assert Template.from_stack(stack).find_resources(
        "AWS::Lambda::EventSourceMapping", {"Properties": {"BatchSize": 20}}
    )
    assert Token.is_unresolved(created.attr_event_source_mapping_arn)
    assert stack.node.find_child("M") is created  # the same Python object: registered in jsii's reference map


def test_unknown_property_is_a_type_error_as_with_the_constructor() -> None:
    stack = Stack(App(), "S")
    with pytest.raises(TypeError, match="batch_sise"):
        create(
            lambda_.CfnEventSourceMapping,
            lambda_.CfnEventSourceMappingProps,
            stack,
            "M",
            function_name="f",
            batch_sise=1,
        )
    with pytest.raises(TypeError):
        lambda_.CfnEventSourceMapping(stack, "N", function_name="f", batch_sise=1)  # type: ignore[call-arg]


def test_missing_required_property_is_refused_by_aws_cdk_lib() -> None:
    stack = Stack(App(), "S")
    with pytest.raises(Exception, match="functionName"):
        create(lambda_.CfnEventSourceMapping, lambda_.CfnEventSourceMappingProps, stack, "M", batch_size=1)


def _typing_cache_misses() -> int:
    caches = [getattr(c, "__self__", None) for c in typing._cleanups]  # type: ignore[attr-defined]
    return sum(c.cache_info().misses for c in caches if hasattr(c, "cache_info"))


def test_a_loop_of_library_functions_fits_typings_annotation_cache() -> None:
    """Why create() exists: aws-cdk-lib's struct getters evaluate their annotations on every read and typing
    keeps the last 128 in an LRU cache. Before, one function with an SqsTrigger read ≈ 170 distinct ones, so a
    loop of functions missed on every read (≈ 145 misses per function, each compiling forward references)."""
    stack = Stack(App(), "S")
    props = SecureFunctionProps(inline_code="def handler(e, c):\n    return 1\n", default_alias=None)

    def build(first: int, count: int) -> None:
        for i in range(first, first + count):
            fn = SecureFunction(stack, f"fn{i}", props)
            for name in ("Dev", "Stage", "Prod"):
                fn.add_alias(name, fn.latest_version)
            fn.add_trigger(SqsTrigger(), alias="Prod")

    build(0, 2)  # first reads of each annotation miss once
    before = _typing_cache_misses()
    build(2, 4)
    assert _typing_cache_misses() - before <= 4  # 580 before create() was used for the mapping


def test_init_creates_a_subclass_with_its_python_overrides() -> None:
    from aws_cdk import aws_iam as iam

    from lambda_constructs._jsii_speed import init

    calls: list[str] = []

    class Recording(iam.Role):
        def __init__(self, scope: Stack, construct_id: str, **kwargs: Any) -> None:
            init(self, iam.Role, iam.RoleProps, scope, construct_id, **kwargs)

        def add_to_principal_policy(self, statement: iam.PolicyStatement) -> iam.AddToPrincipalPolicyResult:
            calls.append("override")
            return super().add_to_principal_policy(statement)

    stack = Stack(App(), "S")
    role = Recording(stack, "Role", assumed_by=iam.ServicePrincipal("lambda.amazonaws.com"), description="d")
    sqs.Queue(stack, "Q").grant_send_messages(role)  # JavaScript calls the Python override back
    assert calls == ["override"]
    template = Template.from_stack(stack)
    template.has_resource_properties("AWS::IAM::Role", {"Description": "d"})
    template.resource_count_is("AWS::IAM::Policy", 1)
    with pytest.raises(TypeError, match="assumed_bye"):
        Recording(stack, "Other", assumed_bye=iam.ServicePrincipal("lambda.amazonaws.com"))


def test_falls_back_to_the_constructor_without_struct_metadata() -> None:
    class NotAStruct:  # no __jsii_type__ / __jsii_name_mapping__: create() calls the class itself
        pass

    stack = Stack(App(), "S")
    queue = create(sqs.Queue, NotAStruct, stack, "Q", queue_name="q")
    assert isinstance(queue, sqs.Queue)
    Template.from_stack(stack).has_resource_properties("AWS::SQS::Queue", {"QueueName": "q"})


def test_create_keeps_the_construct_metadata_of_the_constructor_in_its_key_order() -> None:
    """aws-cdk-lib records an L2's props in its construct analytics metadata, in the JavaScript object's key
    order: create() sends the fields in the struct's order, as the generated props object does."""
    import json

    from aws_cdk import RemovalPolicy
    from aws_cdk import aws_logs as logs

    app = App(context={"@aws-cdk/core:enableAdditionalMetadataCollection": True})
    plain, fast = Stack(app, "Plain"), Stack(app, "Fast")
    props: dict[str, Any] = {"retention": logs.RetentionDays.ONE_YEAR, "removal_policy": RemovalPolicy.RETAIN}
    made = logs.LogGroup(plain, "Logs", **props)
    created = create(logs.LogGroup, logs.LogGroupProps, fast, "Logs", **props)

    def entries(construct: logs.LogGroup) -> str:
        return json.dumps([(e.type, e.data) for e in construct.node.metadata if e.type.startswith("aws:cdk:analytics")])

    assert "retention" in entries(made)
    assert entries(created) == entries(made)
