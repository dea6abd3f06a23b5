"""Snapshots of every example stack: a guard that a template changes only on purpose.

Volatile values (asset hashes, fingerprints, ``current_version`` suffixes) are replaced by the
library's own :func:`lambda_constructs.testing.stable_template`, the helper users get for their CI, so
a snapshot only changes when the template really changes. Update with
``.venv/bin/pytest tests/snapshot --snapshot-update`` after reviewing the diff.
"""

from __future__ import annotations

from syrupy.assertion import SnapshotAssertion

from lambda_constructs.testing import StableTemplateExtension
from tests.conftest import ExampleAssembly


def test_every_example_stack_matches_its_snapshot(
    example_assembly: ExampleAssembly, snapshot: SnapshotAssertion
) -> None:
    for name, template in sorted(example_assembly.templates.items()):
        assert template == snapshot(name=name, extension_class=StableTemplateExtension)
