"""lambda_constructs.testing: a user's snapshot survives unrelated code changes and catches real ones."""

from __future__ import annotations

import importlib
import sys
import textwrap
from pathlib import Path
from typing import Any

import aws_cdk as cdk
import pytest

from lambda_constructs import SecureFunction, SecureFunctionProps
from lambda_constructs.testing import ASSET_HASH, CDK_ANALYTICS, VERSION_HASH, stable_template
from tests.helpers import new_app

pytest_plugins = ["pytester"]

HASH_A = "a" * 64
HASH_B = "0123456789abcdef" * 4


def write_handlers(root: Path, body: str) -> tuple[Path, Path]:
    """Two handler folders: ``orders`` (body varies between synths) and ``reports`` (never changes)."""
    orders, reports = root / "orders", root / "reports"
    for folder in (orders, reports):
        folder.mkdir(parents=True, exist_ok=True)
    (orders / "app.py").write_text(f"def handler(event, context):\n    return {body!r}\n")
    (reports / "app.py").write_text("def handler(event, context):\n    return 'report'\n")
    return orders, reports


def shop(orders: Path, reports: Path, *, memory: int = 512) -> cdk.Stack:
    stack = cdk.Stack(new_app(), "Shop")
    SecureFunction(stack, "Orders", SecureFunctionProps(code_dir=orders, handler="app.handler"))
    SecureFunction(stack, "Reports", SecureFunctionProps(code_dir=reports, handler="app.handler", memory_size=memory))
    return stack


def test_replaces_hashes_suffixes_and_analytics_and_keeps_the_rest() -> None:
    template: dict[str, Any] = {
        "Resources": {
            "FnCurrentVersion1A2B3C4D" + "0f" * 16: {
                "Type": "AWS::Lambda::Version",
                "Properties": {"Description": "x"},
            },
            "Fn": {
                "Type": "AWS::Lambda::Function",
                "Properties": {
                    "Code": {"S3Key": f"{HASH_A}.zip"},
                    "MemorySize": 512,
                    "Description": f"v1 sha256:{HASH_B}",
                },
                "Metadata": {"aws:asset:path": f"asset.{HASH_A}"},
            },
            "CDKMetadata": {"Type": "AWS::CDK::Metadata", "Properties": {"Analytics": "v2:deflate64:H4sIAAAA"}},
        },
        "Parameters": {"BootstrapVersion": {"Default": "/cdk-bootstrap/hnb659fds/version"}},
    }
    stable = stable_template(template)
    fn = stable["Resources"]["Fn"]
    assert fn["Properties"] == {
        "Code": {"S3Key": f"{ASSET_HASH}.zip"},
        "MemorySize": 512,
        "Description": f"v1 sha256:{ASSET_HASH}",
    }
    assert fn["Metadata"] == {"aws:asset:path": f"asset.{ASSET_HASH}"}
    assert f"FnCurrentVersion1A2B3C4D{VERSION_HASH}" in stable["Resources"]
    assert stable["Resources"]["CDKMetadata"]["Properties"]["Analytics"] == CDK_ANALYTICS
    assert stable["Parameters"] == template["Parameters"]  # the project's qualifier is kept by default
    assert template["Resources"]["Fn"]["Properties"]["Code"]["S3Key"] == f"{HASH_A}.zip"  # input untouched
    assert stable_template(template, bootstrap=True)["Parameters"]["BootstrapVersion"]["Default"] == (
        "/cdk-bootstrap/<qualifier>/version"
    )


def test_a_users_snapshot_is_stable_across_an_unrelated_code_change(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    orders, reports = write_handlers(tmp_path, "v1")
    first = shop(orders, reports)
    first_raw, first_stable = cdk.assertions.Template.from_stack(first).to_json(), stable_template(first)
    write_handlers(tmp_path, "v2 with a bug fix")
    second = shop(orders, reports)
    assert cdk.assertions.Template.from_stack(second).to_json() != first_raw  # the asset hash did change
    assert stable_template(second) == first_stable
    assert stable_template(shop(orders, reports, memory=1024)) != first_stable  # a real change still shows


def test_template_snapshot_fixture_in_a_users_project(
    pytester: pytest.Pytester, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    code = tmp_path / "code"
    orders, reports = write_handlers(code, "v1")
    pytester.makeconftest('pytest_plugins = ["lambda_constructs.testing.pytest_plugin"]\n')
    pytester.makepyfile(
        test_shop=textwrap.dedent(
            f"""
            import os
            from tests.unit.test_testing import shop
            from pathlib import Path

            def test_shop(template_snapshot):
                memory = int(os.environ.get("SHOP_MEMORY", "512"))
                assert shop(Path({str(orders)!r}), Path({str(reports)!r}), memory=memory) == template_snapshot
            """
        )
    )
    created = pytester.runpytest("--snapshot-update", "-p", "no:cacheprovider")
    created.assert_outcomes(passed=1)
    [stored] = (pytester.path / "__snapshots__" / "test_shop").glob("*.json")
    assert ASSET_HASH in stored.read_text() and '"MemorySize": 512' in stored.read_text()

    write_handlers(code, "v2")  # unrelated edit: the Orders code
    pytester.runpytest("-p", "no:cacheprovider").assert_outcomes(passed=1)

    monkeypatch.setenv("SHOP_MEMORY", "1024")  # a real change fails the snapshot
    pytester.runpytest("-p", "no:cacheprovider").assert_outcomes(failed=1)


def test_snapshot_extension_without_syrupy_says_how_to_fix(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("syrupy", "syrupy.extensions", "syrupy.extensions.json"):
        monkeypatch.setitem(sys.modules, name, None)  # None in sys.modules: the import fails as if absent
    monkeypatch.delitem(sys.modules, "lambda_constructs.testing.snapshot", raising=False)
    with pytest.raises(ImportError, match=r"need syrupy, which is not installed.*pip install syrupy"):
        importlib.import_module("lambda_constructs.testing.snapshot")
    from lambda_constructs.testing import stable_template as again  # the dict helper still works

    assert again({"Resources": {}}) == {"Resources": {}}
