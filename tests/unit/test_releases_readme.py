"""The README's release walk runs as written, in a temporary copy of the app the README names.

The folder holds the README's first ``python`` block as ``app.py``, a ``cdk.json`` (this repository's
feature flags, ``"app": "python3 app.py"``) and copies of ``runtime/reports`` and
``docs/examples/shop-releases.json``; the README's ``bash`` block after "The release file is edited
only by the CLI" then runs with ``bash -e`` (the real ``cdk`` CLI from node_modules).

The folder is prepared and the walk started right after collection (tests/background.py): it runs
beside the other tests; this test checks the folder holds what the README says and asserts on the result.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import sys
from pathlib import Path

import pytest

from lambda_constructs import _compat
from tests.background import BackgroundRun
from tests.helpers import ROOT, skip_unless, skip_unless_recorded_runtime

README = (ROOT / "README.md").read_text()


def block(kind: str, after: str) -> str:
    start = README.index(after)
    match = re.compile(rf"^```{kind}\n(.*?)^```", re.S | re.M).search(README, start)
    assert match is not None, f"no ```{kind} block after {after!r}"
    return match.group(1)


def prepare(folder: Path) -> tuple[str, dict[str, str]]:
    """Write the README's app into ``folder``; return the README's walk and the environment it runs with."""
    (folder / "app.py").write_text(block("python", "## A minimal example"))
    flags = json.loads((ROOT / "cdk.json").read_text())
    (folder / "cdk.json").write_text(json.dumps({**flags, "app": "python3 app.py"}))
    shutil.copytree(ROOT / "runtime" / "reports", folder / "runtime" / "reports")
    (folder / "docs" / "examples").mkdir(parents=True)
    shutil.copy(ROOT / "docs" / "examples" / "shop-releases.json", folder / "docs" / "examples")
    walk = block("bash", "The release file is edited only by the CLI")
    env = {
        **os.environ,
        "PATH": f"{Path(sys.executable).parent}{os.pathsep}{ROOT / 'node_modules' / '.bin'}{os.pathsep}{os.environ['PATH']}",
        "CDK_DISABLE_CLI_TELEMETRY": "true",
    }
    return walk, env


@pytest.mark.slow
def test_readme_release_walk_runs_as_written(request: pytest.FixtureRequest) -> None:
    skip_unless(_compat.NAG_PLUGINS)  # the README's app attaches the five packs
    skip_unless_recorded_runtime("docs/examples/shop-releases.json")
    app = block("python", "## A minimal example")
    assert 'cdk.Stack(app, "Shop")' in app and 'releases="docs/examples/shop-releases.json"' in app
    background_run: BackgroundRun = request.getfixturevalue("background_run")
    folder = background_run.cwd
    assert (folder / "app.py").read_text() == app
    walk = block("bash", "The release file is edited only by the CLI")
    assert background_run.argv == ["bash", "-e", "-c", walk]
    run = background_run.result(timeout=300)
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
    assert "Shop/Orders: recorded v2" in run.stdout
    assert "Shop/Orders: Stage -> v2 (was v1)" in run.stdout
    assert "Shop/Orders: Stage -> v1 (rolled back from v2)" in run.stdout
    status = [line for line in run.stdout.splitlines() if line.startswith("Shop/Orders") and " Stage " in line]
    assert status and "v2" in status[0]
    entry = json.loads((folder / "docs" / "examples" / "shop-releases.json").read_text())["functions"]["Shop/Orders"]
    assert [r["label"] for r in entry["releases"]] == ["v1", "v2"]
    assert entry["aliases"]["Stage"] == {"release": "v1", "history": []}
    assert entry["aliases"]["Prod"] == {"release": "v1", "history": []}
