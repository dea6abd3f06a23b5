"""AlexaSkillTrigger (lambda_constructs/triggers/alexa.py): moved from tests/unit/test_triggers_sync.py (issue #20),
whose shared-stack tests of this trigger stay there."""

from __future__ import annotations

import pytest

from lambda_constructs import LambdaConstructsError
from lambda_constructs.triggers import AlexaSkillTrigger


def test_alexa_without_skill_id_is_an_error() -> None:
    with pytest.raises(LambdaConstructsError, match=r"^AlexaSkillTrigger\(skill_id=\.\.\.\) must be .*''"):
        AlexaSkillTrigger(skill_id="")
