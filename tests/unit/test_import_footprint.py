"""What importing the library loads: only the aws_cdk modules a user's app needs (issue #21's start-up time).

Each aws_cdk submodule costs 10-30 ms to import; the library imports the ones a module only annotates with
under ``TYPE_CHECKING``, and reads the CloudFront distribution type from jsii references (deploy_rules).
"""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from tests.helpers import ROOT

PROBE = """\
import json, sys
import aws_cdk
from aws_cdk import aws_lambda, aws_sqs
before = set(sys.modules)  # aws-cdk-lib < 2.240-ish imports every submodule with aws_cdk itself
from lambda_constructs import SecureFunction, SecureFunctionProps
from lambda_constructs.triggers import SqsTrigger
print(json.dumps([sorted(m for m in before if m.startswith("aws_cdk.aws_")),
                  sorted(m for m in set(sys.modules) - before if m.startswith("aws_cdk.aws_"))]))
"""


def test_a_function_with_an_sqs_trigger_loads_no_cloudfront_kinesis_or_secrets_manager_module() -> None:
    result = subprocess.run([sys.executable, "-c", PROBE], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    already, added = json.loads(result.stdout.strip().splitlines()[-1])
    unwanted = {"aws_cdk.aws_cloudfront", "aws_cdk.aws_kinesis", "aws_cdk.aws_secretsmanager"}
    if unwanted <= set(already):
        pytest.skip("this aws-cdk-lib imports every submodule with aws_cdk itself (the floor, 2.220)")
    assert "aws_cdk.aws_lambda_destinations" in added  # the probe sees what the library imports
    assert not set(added) & unwanted, added
