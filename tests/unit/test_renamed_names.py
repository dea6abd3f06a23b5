"""Names renamed by issue #20 keep working: the old import paths reach the new objects."""

from __future__ import annotations

import importlib
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def test_invoke_alias_spec_is_a_deprecated_name_of_synthesized_alias() -> None:
    from lambda_constructs import invoke
    from lambda_constructs.invoke import assembly
    from lambda_constructs.invoke.assembly import SynthesizedAlias

    for module in (invoke, assembly):
        with pytest.warns(DeprecationWarning, match=r"AliasSpec is deprecated: use SynthesizedAlias"):
            assert module.AliasSpec is SynthesizedAlias  # type: ignore[attr-defined]
    with pytest.warns(DeprecationWarning):
        from lambda_constructs.invoke import AliasSpec  # type: ignore[attr-defined]
    assert AliasSpec is SynthesizedAlias
    assert "AliasSpec" not in invoke.__all__ and "SynthesizedAlias" in invoke.__all__
    with pytest.raises(AttributeError, match="has no attribute 'Nope'"):
        _ = invoke.Nope  # type: ignore[attr-defined]


def test_the_release_file_alias_spec_keeps_its_name() -> None:
    import lambda_constructs
    from lambda_constructs.releases import AliasSpec
    from lambda_constructs.releases.record import AliasSpec as RecordAliasSpec

    assert lambda_constructs.AliasSpec is AliasSpec is RecordAliasSpec
    assert AliasSpec(release="v1").release == "v1"


OLD_MONITORING_IMPORTS = """
from lambda_constructs.monitoring.service import ServiceMonitoring, monitor_stack
import lambda_constructs.monitoring.service as old
from lambda_constructs.monitoring import service
from lambda_constructs.monitoring import service_monitoring as new
assert old is service is new, (old, service, new)
assert ServiceMonitoring is new.ServiceMonitoring and monitor_stack is new.monitor_stack
print(old.__name__)
"""


def test_monitoring_service_module_path_still_imports() -> None:
    """monitoring/service.py became monitoring/service_monitoring.py; the old path imports the same module,
    first thing in a fresh interpreter (nothing imported before)."""
    result = subprocess.run(
        [sys.executable, "-c", OLD_MONITORING_IMPORTS], capture_output=True, text=True, check=False, cwd=ROOT
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "lambda_constructs.monitoring.service_monitoring"
    assert not (ROOT / "lambda_constructs" / "monitoring" / "service.py").exists()
    old = importlib.import_module("lambda_constructs.monitoring.service")
    assert old is importlib.import_module("lambda_constructs.monitoring.service_monitoring")
