"""What importing the library loads: only the aws_cdk modules a user's app needs (issue #21's start-up time).

Each aws_cdk submodule costs 10-30 ms to import; the library imports the ones a module only annotates with
under ``TYPE_CHECKING``, and reads the CloudFront distribution type from jsii references (deploy_rules).
"""

from __future__ import annotations

import json
import subprocess
import sys

from tests.helpers import ROOT

PROBE = """\
import json, sys
import aws_cdk
from lambda_constructs import SecureFunction, SecureFunctionProps
from lambda_constructs.triggers import SqsTrigger
print(json.dumps(sorted(m for m in sys.modules if m.startswith("aws_cdk.aws_"))))
"""


def test_a_function_with_an_sqs_trigger_loads_no_cloudfront_kinesis_or_secrets_manager_module() -> None:
    result = subprocess.run([sys.executable, "-c", PROBE], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    loaded = set(json.loads(result.stdout.strip().splitlines()[-1]))
    assert {"aws_cdk.aws_lambda", "aws_cdk.aws_sqs"} <= loaded  # the probe sees what it imports
    assert not loaded & {"aws_cdk.aws_cloudfront", "aws_cdk.aws_kinesis", "aws_cdk.aws_secretsmanager"}, sorted(loaded)
