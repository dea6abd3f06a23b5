"""Snapshots of every example stack: a guard that a template changes only on purpose.

Volatile values (asset hashes, the CDK bootstrap qualifier's asset keys) are normalised, so a
snapshot only changes when the template really changes. Update with
``.venv/bin/pytest tests/snapshot --snapshot-update`` after reviewing the diff.
"""

from __future__ import annotations

import json
import re
from typing import Any

from syrupy.assertion import SnapshotAssertion
from syrupy.extensions.json import JSONSnapshotExtension

from tests.conftest import ExampleAssembly

_HASH = re.compile(r"[0-9a-f]{64}")


def normalise(template: dict[str, Any]) -> Any:
    """The template with asset hashes replaced by a placeholder."""
    text = _HASH.sub("<asset-hash>", json.dumps(template, sort_keys=True))
    return json.loads(text)


def test_every_example_stack_matches_its_snapshot(
    example_assembly: ExampleAssembly, snapshot: SnapshotAssertion
) -> None:
    for name, template in sorted(example_assembly.templates.items()):
        assert normalise(template) == snapshot(name=name, extension_class=JSONSnapshotExtension)


def test_normalise_keeps_everything_but_hashes() -> None:
    template = {"Resources": {"F": {"Properties": {"S3Key": "a" * 64 + ".zip", "MemorySize": 512}}}}
    assert normalise(template) == {"Resources": {"F": {"Properties": {"S3Key": "<asset-hash>.zip", "MemorySize": 512}}}}
