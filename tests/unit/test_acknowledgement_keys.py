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


def string_keys_in(source: str) -> set[str]:
    """Literal strings ``source`` indexes LIBRARY_ACKNOWLEDGEMENTS with, or assigns to *_ACK constants."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(source)):
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


def test_the_scan_sees_both_string_forms() -> None:
    source = 'KDS_ACK = "AwsSolutions-KDS3"\nreason = LIBRARY_ACKNOWLEDGEMENTS["SQSRedrivePolicy"]\n'
    assert string_keys_in(source) == {"AwsSolutions-KDS3", "SQSRedrivePolicy"}
    assert string_keys_in("reason = LIBRARY_ACKNOWLEDGEMENTS[AcknowledgementKey.LAMBDA_DLQ]\n") == set()


def test_the_library_looks_acknowledgements_up_by_member_only() -> None:
    """Every call site uses an AcknowledgementKey member (a misspelling is then a mypy error, not a KeyError)."""
    used = {
        str(path.relative_to(ROOT)): keys
        for path in (ROOT / "lambda_constructs").rglob("*.py")
        if (keys := string_keys_in(path.read_text()))
    }
    assert used == {}


def test_the_ack_aliases_are_the_members() -> None:
    from lambda_constructs.triggers import polled, push_async
    from lambda_constructs.triggers._queues import DELIVERY_DLQ_ACK, TRIGGER_DLQ_ACK

    assert polled.KINESIS_CMK_ACK is AcknowledgementKey.KINESIS_CMK
    assert polled.NETWORK_ACK is AcknowledgementKey.EVENT_SOURCE_NETWORK_INTERFACES
    assert push_async.S3_ACCESS_LOGS_ACK is AcknowledgementKey.ACCESS_LOGS_BUCKET_LOGGING
    assert push_async.SNS_ALIAS_ACK == "W3694"  # still compares equal to the old string
    assert TRIGGER_DLQ_ACK is AcknowledgementKey.TRIGGER_DLQ_REDRIVE and DELIVERY_DLQ_ACK == "AwsSolutions-SQS3"
