"""LexBotTrigger (lambda_constructs/triggers/lex.py): moved from tests/unit/test_triggers_sync.py (issue #20),
whose shared-stack tests of this trigger stay there."""

from __future__ import annotations

import pytest

from lambda_constructs import LambdaConstructsError
from lambda_constructs.triggers import LexBotTrigger


def test_lex_bad_arn_is_an_error() -> None:
    with pytest.raises(LambdaConstructsError, match=r"^LexBotTrigger\(bot_alias_arn=\.\.\.\) .*'arn:aws:lex:bot'"):
        LexBotTrigger(bot_alias_arn="arn:aws:lex:bot")
