"""ConfigRuleTrigger (lambda_constructs/triggers/config_rule.py): moved from tests/unit/test_triggers_sync.py (issue #20),
whose shared-stack tests of this trigger stay there."""

from __future__ import annotations

import pytest

from lambda_constructs import LambdaConstructsError
from lambda_constructs.triggers import ConfigRuleTrigger


def test_config_rule_without_any_trigger_is_an_error() -> None:
    with pytest.raises(
        LambdaConstructsError, match=r"^ConfigRuleTrigger\(\.\.\.\): a Config rule needs .*'periodic': None"
    ):
        ConfigRuleTrigger(configuration_changes=False)
