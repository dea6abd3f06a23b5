"""Which event each deployed function is invoked with, and which answers are expected errors.

The event kind comes from how the template wires the function (event source mapping, the
principal of a ``AWS::Lambda::Permission``, a Function URL ...) and is built by
:func:`lambda_constructs.invoke.events.make_event`, so a handler sees what its trigger would send.

:data:`EXPECTED_ERRORS` is the one place listing the handlers that answer an error in the emulator
because it lacks a feature, with the reason. Everything not listed there must answer without
error; a listed handler that starts answering cleanly is reported so the entry can be removed.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from lambda_constructs.local.verify import StackTemplate

# CDK construct path of the function ("Stack/Construct") -> why its answer is an error locally.
EXPECTED_ERRORS: dict[str, str] = {
    "LambdaConstructsData/DbReader": (
        "moto's RDS creates no database server: the endpoint host in the secret does not resolve, "
        "so the handler answers {'reachable': False}"
    ),
}

# Construct path -> (event kind, generator keyword arguments) where the trigger is not in the
# template (Service stack: callers are outside the app) or the sample payload must match the handler.
EVENTS: dict[str, tuple[str, dict[str, Any]]] = {
    "LambdaConstructsService/Orders": ("apigw-http", {"body": '{"id": "0001"}'}),
    "LambdaConstructsService/Reports": ("sqs", {"body": '{"report": "daily"}'}),
    "LambdaConstructsIngest/Batches": ("sqs", {"body": '{"id": "order-0001"}'}),
}

# Principal of an AWS::Lambda::Permission -> event kind (first match wins, in template order).
_PRINCIPAL_KINDS = {
    "apigateway.amazonaws.com": "apigw-http",
    "events.amazonaws.com": "eventbridge",
    "s3.amazonaws.com": "s3",
    "sns.amazonaws.com": "sns",
    "scheduler.amazonaws.com": "schedule",
}
_ESM_KINDS = {"sqs": "sqs", "kinesis": "kinesis", "dynamodb": "dynamodb-stream"}


@dataclass(frozen=True)
class Outcome:
    """How a handler's answer is classified."""

    status: str  # "ok", "expected-error" or "error"
    """``ok``, ``expected-error`` or ``error``."""
    detail: str
    """Why (empty when ok)."""


def _strip(path: str) -> str:
    path = path.lstrip("/")
    for suffix in ("/Function/Resource", "/Resource"):
        if path.endswith(suffix):
            return path[: -len(suffix)]
    return path


def _metadata_paths(stack: StackTemplate) -> dict[str, str]:
    """Logical ID -> construct path from the assembly's metadata (``aws:cdk:logicalId`` entries)."""
    return dict(stack.artifact.construct_paths) if stack.artifact is not None else {}


def construct_path(stack: StackTemplate, logical_id: str) -> str:
    """``Stack/Construct`` of a function (its CDK path without ``/Function/Resource``)."""
    path = str(stack.resources[logical_id].get("Metadata", {}).get("aws:cdk:path", ""))
    if not path:
        path = _metadata_paths(stack).get(logical_id, f"{stack.name}/{logical_id}")
    return _strip(path)


def _mentions(value: Any, logical_id: str) -> bool:
    text = json.dumps(value)
    return f'"{logical_id}"' in text


def event_kind(stack: StackTemplate, logical_id: str) -> str | None:
    """Event kind for the function ``logical_id`` derived from its triggers (None: no trigger)."""
    resources = stack.resources
    # Aliases and versions of the function: triggers usually point at the alias.
    targets = {logical_id} | {
        lid
        for lid, r in resources.items()
        if r["Type"] in ("AWS::Lambda::Alias", "AWS::Lambda::Version")
        and _mentions(r.get("Properties", {}).get("FunctionName"), logical_id)
    }
    for r in resources.values():
        props = r.get("Properties", {})
        if r["Type"] == "AWS::Lambda::EventSourceMapping" and any(
            _mentions(props.get("FunctionName"), t) for t in targets
        ):
            source = json.dumps(props.get("EventSourceArn", ""))
            for key, kind in _ESM_KINDS.items():
                if key in source.lower():
                    return kind
            return "sqs"
    for r in resources.values():
        props = r.get("Properties", {})
        if r["Type"] == "AWS::Lambda::Url" and any(_mentions(props.get("TargetFunctionArn"), t) for t in targets):
            return "function-url"
    for r in resources.values():
        props = r.get("Properties", {})
        if r["Type"] == "AWS::Lambda::Permission" and any(_mentions(props.get("FunctionName"), t) for t in targets):
            principal_kind = _PRINCIPAL_KINDS.get(str(props.get("Principal")))
            if principal_kind:
                return principal_kind
    for r in resources.values():
        if r["Type"] == "AWS::Events::Rule" and any(
            _mentions(r.get("Properties", {}).get("Targets"), t) for t in targets
        ):
            return "eventbridge"
    return None


def event_for(path: str, stack: StackTemplate, logical_id: str) -> tuple[str | None, Any]:
    """(kind, event) for the function at construct ``path``: :data:`EVENTS`, else its trigger's sample."""
    from lambda_constructs.invoke.events import EVENT_KINDS

    if path in EVENTS:
        kind, kwargs = EVENTS[path]
        return kind, EVENT_KINDS[kind](**kwargs)
    found = event_kind(stack, logical_id)
    return found, (EVENT_KINDS[found]() if found else {})


def error_in_payload(payload: Any) -> str | None:
    """A short description if a handler's *returned* value reports an error, else None."""
    if not isinstance(payload, dict):
        return None
    status = payload.get("statusCode")
    if isinstance(status, int) and status >= 500:
        return f"statusCode {status}: {str(payload.get('body'))[:200]}"
    if payload.get("batchItemFailures"):
        return f"batchItemFailures {payload['batchItemFailures']}"
    if payload.get("reachable") is False or "error" in payload:
        return f"answered {json.dumps(payload, default=str)[:200]}"
    return None


def classify(path: str, ok: bool, error: str | None, payload: Any) -> Outcome:
    """Classify one invocation of the function at construct ``path``."""
    problem = error if not ok else error_in_payload(payload)
    expected = EXPECTED_ERRORS.get(path)
    if problem is None:
        if expected:
            return Outcome("ok", f"answered cleanly although listed in EXPECTED_ERRORS ({path}): remove the entry")
        return Outcome("ok", "")
    if expected:
        return Outcome("expected-error", f"{problem} -- {expected}")
    return Outcome("error", problem or "error")
