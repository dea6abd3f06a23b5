"""InvokeAccess (lambda_constructs/triggers/access.py): moved from tests/unit/test_triggers_sync.py (issue #20),
whose shared-stack tests of this trigger stay there."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from lambda_constructs import LambdaConstructsError
from lambda_constructs.triggers import InvokeAccess


@pytest.mark.parametrize(
    ("trigger", "message"),
    [
        (lambda: InvokeAccess(), r"at least one of principals.*'no principal'"),
        (lambda: InvokeAccess(accounts=["12345"]), r"12-digit .*'12345'"),
        (lambda: InvokeAccess(service="events.amazonaws.com"), r"SourceArn or SourceAccount .*'events.amazonaws.com'"),
    ],
)
def test_invoke_access_bad_input_is_an_error(trigger: Callable[[], InvokeAccess], message: str) -> None:
    with pytest.raises(LambdaConstructsError, match=r"^InvokeAccess\(.*" + message):
        trigger()
