#!/usr/bin/env python3
"""The example app: wires the stacks and the compliance packs, nothing else."""

import aws_cdk as cdk

from lambda_constructs.compliance import add_compliance_packs, write_pack_report
from stacks import create_stacks

app = cdk.App()
create_stacks(app)
add_compliance_packs(app)
# cdk.out/nag-packs-report.json: the five packs, each with zero unsuppressed violations.
write_pack_report(app.synth().directory)
