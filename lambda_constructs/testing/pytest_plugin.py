"""pytest plugin with the ``template_snapshot`` fixture (enable it in ``conftest.py``)::

    pytest_plugins = ["lambda_constructs.testing.pytest_plugin"]

    def test_shop(template_snapshot):
        assert ShopStack(cdk.App(), "Shop") == template_snapshot

Update stored snapshots with ``pytest --snapshot-update`` (syrupy). syrupy is needed only when the
fixture is used; without it the test fails with :class:`~lambda_constructs.testing.snapshot.MissingSyrupyError`.
"""

from __future__ import annotations

from typing import Any

import pytest


@pytest.fixture()
def template_snapshot(request: pytest.FixtureRequest) -> Any:
    """syrupy's ``snapshot`` using :class:`~lambda_constructs.testing.snapshot.StableTemplateExtension`."""
    from lambda_constructs.testing.snapshot import StableTemplateExtension  # raises MissingSyrupyError

    return request.getfixturevalue("snapshot").use_extension(StableTemplateExtension)
