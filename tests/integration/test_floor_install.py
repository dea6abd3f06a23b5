"""An app on the floor aws-cdk-lib installs the library and keeps its aws-cdk-lib (make test-floor only).

A fresh venv first gets the floor aws-cdk-lib of requirements-floor.txt (as a consumer's existing app has it),
then ``pip install`` of the library's wheel with its dependencies from the package registry. pip must keep
the app's aws-cdk-lib (a required cdk-nag 3 once upgraded it to the newest), and the README's example must
synthesize there: everything but ``add_compliance_packs``, which needs cdk-nag 3 (the ``compliance`` extra,
aws-cdk-lib >= 2.257.0) and fails with the library's error naming that version.

Marked ``network`` (needs the registry, deselected by default) and ``floor``: ``make test-floor`` selects it.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests.helpers import ROOT

pytestmark = [pytest.mark.network, pytest.mark.floor]

PIP = ["-m", "pip", "--disable-pip-version-check", "-q"]


def floor_pin(package: str) -> str:
    """``package==version`` from requirements-floor.txt."""
    for line in (ROOT / "requirements-floor.txt").read_text().splitlines():
        if line.split("==")[0].strip().lower() == package:
            return line.strip()
    raise AssertionError(f"{package} is not pinned in requirements-floor.txt")


def readme_example() -> str:
    """The README's first ```python block (the minimal example)."""
    match = re.search(r"^```python\n(.*?)^```", (ROOT / "README.md").read_text(), re.S | re.M)
    assert match, "README.md has no python example"
    return match.group(1)


def run(cmd: list[str], **kwargs: object) -> subprocess.CompletedProcess[str]:
    return subprocess.run(cmd, capture_output=True, text=True, check=False, **kwargs)  # type: ignore[call-overload,no-any-return]


@pytest.fixture(scope="module")
def consumer(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The python of a fresh venv with the floor aws-cdk-lib, then the library installed with its dependencies."""
    work = tmp_path_factory.mktemp("floor-install")
    done = run([sys.executable, "-m", "venv", str(work / "venv")])
    assert done.returncode == 0, done.stderr
    python = work / "venv" / "bin" / "python"
    done = run([str(python), *PIP, "install", floor_pin("aws-cdk-lib")])
    assert done.returncode == 0, done.stderr[-3000:]
    done = run([sys.executable, *PIP, "wheel", "--no-deps", "--no-build-isolation", "-w", str(work), str(ROOT)])
    assert done.returncode == 0, done.stderr[-3000:]
    wheel = next(work.glob("lambda_constructs-*.whl"))
    done = run([str(python), *PIP, "install", str(wheel)])
    assert done.returncode == 0, done.stderr[-3000:]
    return python


def installed(python: Path) -> dict[str, str]:
    """Distribution name (lower case) -> version in the venv of ``python``."""
    code = (
        "import importlib.metadata as m, json; "
        "print(json.dumps({d.metadata['Name'].lower(): d.version for d in m.distributions()}))"
    )
    done = run([str(python), "-c", code])
    assert done.returncode == 0, done.stderr
    versions: dict[str, str] = json.loads(done.stdout)
    return versions


def test_pip_keeps_the_apps_aws_cdk_lib(consumer: Path) -> None:
    versions = installed(consumer)
    assert f"aws-cdk-lib=={versions['aws-cdk-lib']}" == floor_pin("aws-cdk-lib")
    assert "lambda-constructs" in versions
    assert "cdk-nag" not in versions, "cdk-nag is the optional compliance extra"


def synth(python: Path, code: str, outdir: Path) -> subprocess.CompletedProcess[str]:
    """Run ``code`` in the repository (the example's paths are relative to it), the assembly to ``outdir``."""
    env = {**os.environ, "CDK_OUTDIR": str(outdir), "PYTHONPATH": ""}
    return run([str(python), "-c", code], cwd=ROOT, env=env)


def test_readme_example_synthesizes_on_the_floor(consumer: Path, tmp_path: Path) -> None:
    code = readme_example()
    assert "add_compliance_packs(app)" in code
    done = synth(consumer, code.replace("add_compliance_packs(app)", "pass"), tmp_path / "cdk.out")
    assert done.returncode == 0, done.stderr[-3000:]
    template = json.loads((tmp_path / "cdk.out" / "Shop.template.json").read_text())
    functions = [r["Properties"] for r in template["Resources"].values() if r["Type"] == "AWS::Lambda::Function"]
    assert functions, "the example's function is in the template"
    # the newest Python runtime aws-cdk-lib 2.220.0 knows (PYTHON_3_14 came in 2.222.0)
    assert {f["Runtime"] for f in functions} == {"python3.13"}
    assert all(f["LoggingConfig"]["LogFormat"] == "JSON" for f in functions)
    aliases = {r["Properties"]["Name"] for r in template["Resources"].values() if r["Type"] == "AWS::Lambda::Alias"}
    assert {"Dev", "Stage", "Prod"} <= aliases


def test_readme_compliance_packs_name_the_version_they_need(consumer: Path, tmp_path: Path) -> None:
    done = synth(consumer, readme_example(), tmp_path / "cdk.out")
    assert done.returncode != 0
    # Under the CDK CLI's environment (CDK_OUTDIR) a library error is reported as one "Error:" line
    # (lambda_constructs.errors.install_synth_error_hook), not as a traceback naming the class.
    assert "Error: add_compliance_packs needs" in done.stderr, done.stderr[-3000:]
    assert "Traceback" not in done.stderr
    assert "cdk-nag has from 3.0.0 on" in done.stderr and "(not installed)" in done.stderr
    assert "lambda-constructs[compliance]" in done.stderr
