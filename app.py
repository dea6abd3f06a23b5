#!/usr/bin/env python3
"""The example app: wires the stacks and the compliance packs, nothing else."""

import aws_cdk as cdk

from lambda_constructs.compliance import add_compliance_packs
from stacks import create_stacks

app = cdk.App()
create_stacks(app)
add_compliance_packs(app)
app.synth()
