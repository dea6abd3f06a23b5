"""SecretRotationTrigger (lambda_constructs/triggers/secret_rotation.py): moved from tests/unit/test_triggers_sync.py (issue #20),
whose shared-stack tests of this trigger stay there."""

from __future__ import annotations

import aws_cdk as cdk
import pytest
from aws_cdk import aws_secretsmanager as secretsmanager

from lambda_constructs import LambdaConstructsError
from lambda_constructs.triggers import SecretRotationTrigger
from tests.helpers import new_stack


def test_secret_rotation_interval_out_of_range_is_an_error() -> None:
    stack = new_stack()
    secret = secretsmanager.Secret(stack, "S")
    with pytest.raises(LambdaConstructsError, match=r"^SecretRotationTrigger\(automatically_after=\.\.\.\) .*1001"):
        SecretRotationTrigger(secret=secret, automatically_after=cdk.Duration.days(1001))
