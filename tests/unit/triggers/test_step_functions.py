"""StepFunctionsTask (lambda_constructs/triggers/step_functions.py): moved from tests/unit/test_triggers_sync.py (issue #20),
whose shared-stack tests of this trigger stay there."""

from __future__ import annotations

import aws_cdk as cdk
import pytest

from lambda_constructs import LambdaConstructsError
from lambda_constructs.triggers import StepFunctionsTask


def test_step_functions_express_timeout_over_5_minutes_is_an_error() -> None:
    from aws_cdk import aws_stepfunctions as sfn

    with pytest.raises(LambdaConstructsError, match=r"^StepFunctionsTask\(timeout=\.\.\.\) of an EXPRESS .*600"):
        StepFunctionsTask(state_machine_type=sfn.StateMachineType.EXPRESS, timeout=cdk.Duration.minutes(10))
