"""Batched checkov / cfn-lint metadata (``scanners.batch``): fewer jsii round trips, nothing anyone wrote lost.

The library writes the checkov skips and cfn-lint ignores of one call (a SecureFunction's construction, a
library trigger's bind) once per resource and key when the call ends, and skips the read of a resource it
created in that call. Metadata a user writes on a library resource BETWEEN two library calls must survive
the next call's writes (an earlier design kept the library's entries in a Python registry and rewrote them
from there: the user's entries were replaced).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from aws_cdk import CfnResource
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_sqs as sqs

from lambda_constructs import SecureFunction, SecureFunctionProps, scanners
from lambda_constructs._jsii_speed import cfn_resource_type
from lambda_constructs.compliance import LIBRARY_ACKNOWLEDGEMENTS, AcknowledgementKey, acknowledge_rule
from lambda_constructs.contract import FunctionView, TriggerResult
from lambda_constructs.function import _library_bind
from lambda_constructs.triggers import SnsTrigger, SqsTrigger
from lambda_constructs.triggers._polled import PolledSource
from lambda_constructs.triggers.base import InvocationKind
from tests.helpers import new_app, new_stack

CODE = "def handler(event, context):\n    return {}\n"
USER_SKIP = {"id": "CKV_AWS_173", "comment": "user: the environment holds no secrets"}
USER_RULE = "W2001"


def _user_writes(resource: object) -> None:
    """What a careful user does: read the resource's checkov / cfn-lint metadata, add an entry, write it back."""
    assert isinstance(resource, CfnResource)
    checkov = resource.get_metadata("checkov") or {}
    resource.add_metadata("checkov", {**checkov, "skip": [*checkov.get("skip", []), USER_SKIP]})
    lint = resource.get_metadata("cfn-lint") or {}
    config = lint.get("config", {})
    ignored = [*config.get("ignore_checks", []), USER_RULE]
    resource.add_metadata("cfn-lint", {**lint, "config": {**config, "ignore_checks": ignored}})


def _metadata(resources: dict[str, Any], prefix: str, kind: str) -> dict[str, Any]:
    """The Metadata of the one resource of type ``kind`` whose logical id starts with ``prefix``."""
    (found,) = [r for k, r in resources.items() if k.startswith(prefix) and r["Type"] == kind]
    metadata: dict[str, Any] = found.get("Metadata", {})
    return metadata


def _skip_ids(metadata: dict[str, Any]) -> list[str]:
    return [skip["id"] for skip in metadata.get("checkov", {}).get("skip", [])]


def _ignored(metadata: dict[str, Any]) -> list[str]:
    ignored: list[str] = metadata.get("cfn-lint", {}).get("config", {}).get("ignore_checks", [])
    return ignored


def test_user_metadata_on_library_resources_survives_the_next_library_calls(tmp_path: Path) -> None:
    app = new_app(outdir=str(tmp_path))
    stack = new_stack(app, "S")
    fn = SecureFunction(stack, "Fn", SecureFunctionProps(inline_code=CODE))
    _user_writes(fn.function.node.default_child)  # the CfnFunction, after SecureFunction(...)
    _user_writes(fn.aliases["live"].node.default_child)
    first = fn.add_trigger(SqsTrigger(), alias="$LATEST")
    assert isinstance(first.resources, PolledSource)
    assert first.resources.dead_letter_queue is not None and first.resources.mapping is not None
    _user_writes(first.resources.dead_letter_queue.node.default_child)  # the stack's shared trigger DLQ
    _user_writes(first.resources.mapping)
    # The library acknowledges more on the same resources: a second trigger on $LATEST and two on the
    # live alias (cfn-lint-serverless WS1002 on the function and on the alias), more triggers and aliases.
    fn.add_trigger(SqsTrigger(dead_letter_queue_per_trigger=True), alias="$LATEST")  # a DLQ of its own
    fn.add_trigger(SnsTrigger())
    fn.add_trigger(SqsTrigger())
    fn.add_alias("Extra", fn.latest_version)
    app.synth()
    resources = json.loads((tmp_path / "S.template.json").read_text())["Resources"]

    function = _metadata(resources, "FnFunction", "AWS::Lambda::Function")
    assert _skip_ids(function) == ["CKV_AWS_116", "CKV_AWS_115", "CKV_AWS_117", USER_SKIP["id"]]
    assert _ignored(function) == ["W3005", "WS1004", USER_RULE, "WS1002"]
    alias = _metadata(resources, "FnAliaslive", "AWS::Lambda::Alias")
    assert _skip_ids(alias) == [USER_SKIP["id"]]
    assert _ignored(alias) == [USER_RULE, "WS1002"]
    queue = _metadata(resources, "LambdaConstructsTriggerDeadLetterQueue", "AWS::SQS::Queue")
    assert _skip_ids(queue) == [USER_SKIP["id"]]
    assert _ignored(queue) == ["ES6000", USER_RULE]
    mapping = _metadata(resources, "FnSqsTrigger1Mapping", "AWS::Lambda::EventSourceMapping")
    assert _ignored(mapping) == ["ES1001", USER_RULE]
    # The resources no user code touched carry the library's entries alone.
    assert _ignored(_metadata(resources, "FnSqsTrigger2DeadLetterQueue", "AWS::SQS::Queue")) == ["ES6000"]
    assert _ignored(_metadata(resources, "LambdaConstructsFailureDeadLetterQueue", "AWS::SQS::Queue")) == ["ES6000"]


def test_a_batch_writes_once_at_its_end_and_keeps_what_was_there() -> None:
    stack = new_stack(new_app(), "S")
    existing = sqs.CfnQueue(stack, "Existing")
    existing.add_metadata("cfn-lint", {"config": {"ignore_checks": [USER_RULE]}, "note": "kept"})
    with scanners.batch():
        with scanners.batch():  # an inner batch joins the outer one
            scanners.ignore_cfn_lint(existing, "ES6000")
        scanners.skip_checkov(existing, {"CKV_AWS_1": "first"})
        scanners.ignore_cfn_lint(existing, "W3005", "ES6000")
        scanners.skip_checkov(existing, {"CKV_AWS_1": "second", "CKV_AWS_2": "two"})
        assert existing.get_metadata("checkov") is None  # not written yet
    assert existing.get_metadata("cfn-lint") == {
        "config": {"ignore_checks": [USER_RULE, "ES6000", "W3005"]},
        "note": "kept",
    }
    assert existing.get_metadata("checkov") == {
        "skip": [{"id": "CKV_AWS_1", "comment": "first"}, {"id": "CKV_AWS_2", "comment": "two"}]
    }


def test_outside_a_batch_each_write_is_immediate() -> None:
    stack = new_stack(new_app(), "S")
    queue = sqs.CfnQueue(stack, "Queue")
    scanners.created(queue, "AWS::SQS::Queue")  # no batch open: nothing is assumed about the resource
    queue.add_metadata("cfn-lint", {"config": {"ignore_checks": [USER_RULE]}})
    scanners.ignore_cfn_lint(queue, "ES6000")
    assert queue.get_metadata("cfn-lint") == {"config": {"ignore_checks": [USER_RULE, "ES6000"]}}


def test_a_queue_created_in_the_batch_is_acknowledged_in_four_round_trips(round_trips: list[object]) -> None:
    sent = round_trips
    stack = new_stack(new_app(), "S")
    reason = LIBRARY_ACKNOWLEDGEMENTS[AcknowledgementKey.TRIGGER_DLQ_REDRIVE]
    outside = sqs.Queue(stack, "Outside")
    cfn_resource_type(outside.node.default_child)  # CfnQueue's type is read once per class (_jsii_speed)
    sent.clear()
    acknowledge_rule(outside, "SQSRedrivePolicy", reason, ("Serverless",))
    # node, addMetadata (cdk-nag), defaultChild, getMetadata, addMetadata (cfn-lint)
    assert len(sent) == 5
    with scanners.batch():
        inside = sqs.Queue(stack, "Inside")
        scanners.created(inside, "AWS::SQS::Queue")
        sent.clear()
        acknowledge_rule(inside, "SQSRedrivePolicy", reason, ("Serverless",))
    # node, addMetadata (cdk-nag), defaultChild, addMetadata (cfn-lint): the type is known, nothing to read
    assert len(sent) == 4
    for queue in (outside, inside):
        cfn = queue.node.default_child
        assert isinstance(cfn, CfnResource)
        assert cfn.get_metadata("cfn-lint") == {"config": {"ignore_checks": ["ES6000"]}}


class _OwnTrigger:
    """A trigger written outside the library: its writes are immediate (its bind is not batched)."""

    kind = InvocationKind.ASYNC

    def __init__(self) -> None:
        self.seen: object = None

    def bind(self, fn: FunctionView, target: lambda_.IFunction, construct_id: str) -> TriggerResult:
        queue = sqs.CfnQueue(fn.construct, construct_id)
        scanners.ignore_cfn_lint(queue, "ES6000")
        self.seen = queue.get_metadata("cfn-lint")
        return TriggerResult(trigger=self, construct_id=construct_id, kind=self.kind)


class _OverriddenSqs(SqsTrigger):
    def bind(self, fn: FunctionView, target: lambda_.IFunction, construct_id: str) -> TriggerResult:
        return super().bind(fn, target, construct_id)


def test_only_the_library_s_own_bind_is_batched() -> None:
    assert _library_bind(SqsTrigger())
    assert not _library_bind(_OwnTrigger())
    assert not _library_bind(_OverriddenSqs())
    patched = SqsTrigger()
    object.__setattr__(patched, "bind", _OwnTrigger().bind)  # (a frozen dataclass: as a test double would)
    assert not _library_bind(patched)
    fn = SecureFunction(new_stack(new_app(), "S"), "Fn", SecureFunctionProps(inline_code=CODE))
    own = _OwnTrigger()
    fn.add_trigger(own)
    assert own.seen == {"config": {"ignore_checks": ["ES6000"]}}
