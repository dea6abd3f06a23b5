"""compliance.AcknowledgementKey: a typed registry of the LIBRARY_ACKNOWLEDGEMENTS keys, kept in step with it."""

from __future__ import annotations

import ast
from pathlib import Path

from lambda_constructs.compliance import LIBRARY_ACKNOWLEDGEMENTS, AcknowledgementKey

ROOT = Path(__file__).resolve().parents[2]


def test_one_member_per_key_and_one_key_per_member() -> None:
    assert sorted(member.value for member in AcknowledgementKey) == sorted(LIBRARY_ACKNOWLEDGEMENTS)
    assert len(AcknowledgementKey) == len(LIBRARY_ACKNOWLEDGEMENTS)


def test_a_member_looks_up_like_its_string() -> None:
    for member in AcknowledgementKey:
        assert member == member.value
        assert LIBRARY_ACKNOWLEDGEMENTS[member] is LIBRARY_ACKNOWLEDGEMENTS[member.value] is member.reason
    assert AcknowledgementKey("LambdaDLQ") is AcknowledgementKey.LAMBDA_DLQ
    assert AcknowledgementKey.DELIVERY_DLQ.reason.startswith("This queue is the dead-letter queue of a service's")


def string_keys_used() -> set[str]:
    """Literal strings the library indexes LIBRARY_ACKNOWLEDGEMENTS with, or assigns to *_ACK constants."""
    found: set[str] = set()
    for path in (ROOT / "lambda_constructs").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if (
                isinstance(node, ast.Subscript)
                and isinstance(node.value, ast.Name)
                and node.value.id == "LIBRARY_ACKNOWLEDGEMENTS"
                and isinstance(node.slice, ast.Constant)
            ):
                found.add(node.slice.value)
            if (
                isinstance(node, ast.Assign)
                and len(node.targets) == 1
                and isinstance(node.targets[0], ast.Name)
                and node.targets[0].id.endswith("_ACK")
                and isinstance(node.value, ast.Constant)
            ):
                found.add(node.value.value)
    return found


def test_every_string_key_in_use_has_a_member() -> None:
    used = string_keys_used()
    assert {"AwsSolutions-KDS3", "SQSRedrivePolicy"} <= used  # the scan sees both forms
    assert used <= {member.value for member in AcknowledgementKey}
