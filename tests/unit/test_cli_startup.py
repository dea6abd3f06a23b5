"""The package CLI starts without aws-cdk-lib: no jsii kernel (a Node.js process, and its warnings) per command."""

from __future__ import annotations

import subprocess
import sys

from tests.helpers import ROOT

PROBE = """\
import sys
from lambda_constructs.__main__ import build_parser
parser = build_parser()
{parse}
print(sorted(m for m in ("aws_cdk", "constructs", "jsii") if m in sys.modules))
"""


def _loaded(parse: str) -> str:
    code = PROBE.format(parse=parse)
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


def test_building_the_parser_of_every_command_loads_no_aws_cdk() -> None:
    assert _loaded("") == "[]"


def test_help_loads_no_aws_cdk() -> None:
    result = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "lambda_constructs", "local", "start", "--help"],
        cwd=ROOT, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert result.returncode == 0 and "--lenient" in result.stdout
    imported = {line.rsplit("|", 1)[-1].strip() for line in result.stderr.splitlines() if "|" in line}
    assert not imported & {"aws_cdk", "constructs", "jsii"}, sorted(imported & {"aws_cdk", "constructs", "jsii"})
