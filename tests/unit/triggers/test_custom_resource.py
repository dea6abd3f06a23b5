"""CustomResourceTrigger (lambda_constructs/triggers/custom_resource.py): moved from tests/unit/test_triggers_sync.py (issue #20),
whose shared-stack tests of this trigger stay there."""

from __future__ import annotations

import pytest

from lambda_constructs import LambdaConstructsError
from lambda_constructs.triggers import CustomResourceTrigger


def test_custom_resource_bad_type_is_an_error() -> None:
    with pytest.raises(LambdaConstructsError, match=r"^CustomResourceTrigger\(resource_type=\.\.\.\) .*'Seed'"):
        CustomResourceTrigger(resource_type="Seed")
