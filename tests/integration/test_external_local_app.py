"""A CDK app outside the repository, with the library installed from its wheel, deploys, promotes and
updates through ``python -m lambda_constructs local`` (tests/integration/external_local_app.py runs the
steps in the background; this test waits for them and checks what they printed and left behind)."""

from __future__ import annotations

import json
import zipfile

import pytest

from tests.background import BackgroundRun

pytestmark = [pytest.mark.integration, pytest.mark.slow]


def test_external_app_start_deploy_promote_deploy_verify_stop(background_run: BackgroundRun) -> None:
    pipeline = background_run.result(timeout=900)
    assert pipeline.returncode == 0, pipeline.stderr[-6000:]
    wheel = next((background_run.workdir / "wheels").glob("lambda_constructs-*.whl"))
    with zipfile.ZipFile(wheel) as archive:
        metadata = next(archive.read(n).decode() for n in archive.namelist() if n.endswith(".dist-info/METADATA"))
        names = archive.namelist()
    assert "Provides-Extra: local" in metadata
    assert 'Requires-Dist: moto[cloudformation,server]==5.2.5; extra == "local"' in metadata, metadata
    assert "lambda_constructs/local/cli.py" in names and not any(n.startswith("tests/") for n in names)

    result = json.loads((background_run.workdir / "local-result.json").read_text())
    steps = {s["step"]: s for s in result["steps"]}
    failed = [s for s in result["steps"] if s["returncode"] != 0]
    assert failed == [], failed
    site = background_run.workdir / "site"
    assert f"LIBRARY {site}" in result["steps"][0]["stdout"]  # the app ran the installed wheel
    assert steps["local start"]["stdout"].strip().startswith("http://localhost:")
    assert "✅  Shop" in steps["local deploy"]["stdout"]
    assert "✅  Shop" in steps["local deploy (update)"]["stdout"]
    assert "bootstrapped" not in steps["local deploy (update)"]["stdout"]  # bootstrapped once
    assert " 0 mismatches" in steps["local verify"]["stdout"]
    before = json.loads(steps["aliases before"]["stdout"])
    after = json.loads(steps["aliases after"]["stdout"])
    assert {k: v[1] for k, v in before.items()} == {"Dev": "$LATEST", "Stage": "1", "Prod": "1"}
    assert {k: v[1] for k, v in after.items()} == {"Dev": "$LATEST", "Stage": "2", "Prod": "1"}
    assert {k: v[0] for k, v in after.items()} == {k: v[0] for k, v in before.items()}  # same alias ARNs
    assert steps["local stop"]["returncode"] == 0
    assert result["pid"] is not None and result["pid_alive_after"] is False
