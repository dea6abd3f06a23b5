"""The library's warnings: CDK's format and acknowledgement, without a stack trace (no stray jsii frame)."""

from __future__ import annotations

import aws_cdk as cdk
from aws_cdk.assertions import Annotations as AssertAnnotations
from aws_cdk.assertions import Match
from constructs import Construct

from lambda_constructs.errors import warn
from tests.helpers import new_stack

ID = "lambda-constructs:testWarning"


def entries(scope: Construct) -> list[tuple[str, object, object]]:
    return [(e.type, e.data, e.trace) for e in scope.node.metadata]


def test_warning_is_cdks_entry_without_a_trace() -> None:
    stack = new_stack()
    scope = Construct(stack, "Thing")
    warn(scope, "testWarning", "something suspect")
    [(kind, data, trace)] = entries(scope)
    assert kind == "aws:cdk:warning" and trace is None
    assert data == (
        f"something suspect (acknowledge with Annotations.of(scope).acknowledge_warning('{ID}', reason)) [ack: {ID}]"
    )
    AssertAnnotations.from_stack(stack).has_warning("/TestStack/Thing", Match.string_like_regexp("something suspect"))
    assert [child.node.id for child in scope.node.children] == []  # the probe is gone


def test_acknowledging_after_removes_it() -> None:
    stack = new_stack()
    scope = Construct(stack, "Thing")
    warn(scope, "testWarning", "something suspect")
    cdk.Annotations.of(scope).acknowledge_warning(ID, "reviewed")
    assert entries(scope) == []
    assert AssertAnnotations.from_stack(stack).find_warning("*", Match.any_value()) == []


def test_acknowledged_before_on_an_ancestor_is_not_added() -> None:
    stack = new_stack()
    cdk.Annotations.of(stack).acknowledge_warning(ID, "reviewed for the whole stack")
    scope = Construct(stack, "Thing")
    warn(scope, "testWarning", "something suspect")
    assert entries(scope) == []
    other = Construct(new_stack(name="Other"), "Thing")
    warn(other, "testWarning", "something suspect")  # another app's stack: not acknowledged there
    assert len(entries(other)) == 1
