"""Every ```python block in README.md and docs/*.md runs and synthesizes (a broken example fails)."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import aws_cdk
import pytest

from lambda_constructs import _compat
from tests.helpers import ROOT, feature_flags, skip_unless, skip_unless_recorded_runtime

BLOCK = re.compile(r"^```python\n(.*?)^```", re.S | re.M)
EXPECT_WARNING = re.compile(r"#\s*expect-warning:\s*(\S+)")


def examples() -> list[tuple[str, str]]:
    found: list[tuple[str, str]] = []
    for doc in [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]:
        if not doc.is_file():
            continue
        text = doc.read_text()
        for match in BLOCK.finditer(text):
            line = text.count("\n", 0, match.start()) + 1
            found.append((f"{doc.relative_to(ROOT)}:{line}", match.group(1)))
    return found


EXAMPLES = examples()


def test_the_readme_has_examples() -> None:
    assert any(name.startswith("README.md") for name, _ in EXAMPLES)


@pytest.mark.parametrize(("name", "code"), EXAMPLES, ids=[name for name, _ in EXAMPLES])
def test_example_runs(name: str, code: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    if "add_compliance_packs(" in code:
        skip_unless(_compat.NAG_PLUGINS)  # make test-floor: tests/integration/test_floor_install.py runs it there
    if "releases=" in code:
        skip_unless_recorded_runtime(f"{name}'s release file")
    monkeypatch.chdir(ROOT)  # examples use paths relative to the repository (runtime/…)
    outdir = str(tmp_path / "cdk.out")

    class ExampleApp(aws_cdk.App):
        """The examples' ``cdk.App()``, writing to a temporary cdk.out (CDK_OUTDIR is read by the
        already-running jsii process, so the environment variable cannot be used here)."""

        def __init__(self, **kwargs: Any) -> None:
            kwargs.setdefault("outdir", outdir)
            kwargs.setdefault("context", feature_flags())
            for key, value in _compat.builtin_validation_kwargs(False).items():
                kwargs.setdefault(key, value)
            super().__init__(**kwargs)

    monkeypatch.setattr(aws_cdk, "App", ExampleApp)
    namespace: dict[str, object] = {"__name__": "__example__"}
    exec(compile(code, name, "exec"), namespace)
    if "synth()" in code:
        assert list((tmp_path / "cdk.out").rglob("*.template.json")), f"{name} calls synth() but wrote no template"
        # The library's defaults warn about nothing in a documented example (#22): warnings are for
        # suspect input a user chose, and an example that shows one must acknowledge it or name it
        # in an ``# expect-warning: <id>`` comment (a walk-through whose prose explains the warning).
        expected = EXPECT_WARNING.findall(code)
        unexpected = [w for w in warnings_of(tmp_path / "cdk.out") if not any(ack in w for ack in expected)]
        assert unexpected == [], f"{name} synthesizes with warnings"
        for ack in expected:
            assert any(ack in w for w in warnings_of(tmp_path / "cdk.out")), f"{name} expects {ack}, none raised"


def warnings_of(outdir: Path) -> list[str]:
    """The ``aws:cdk:warning`` entries of every stack in a cloud assembly (what `cdk synth` prints):
    in the manifest's artifacts, or in the ``<stack>.metadata.json`` files newer CDK versions write."""
    metadata: list[dict[str, Any]] = []
    for manifest in sorted(outdir.rglob("manifest.json")):
        metadata += [a.get("metadata") or {} for a in json.loads(manifest.read_text()).get("artifacts", {}).values()]
    metadata += [json.loads(path.read_text()) for path in sorted(outdir.rglob("*.metadata.json"))]
    return [
        f"{path}: {entry['data']}"
        for entries_by_path in metadata
        for path, entries in entries_by_path.items()
        for entry in entries
        if entry.get("type") == "aws:cdk:warning"
    ]
