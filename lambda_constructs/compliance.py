"""cdk-nag v3 packs and acknowledgements.

All acknowledgements the library itself makes go through :func:`acknowledge`, so each one carries a
reason, sits on the narrowest construct, and is listed by :data:`LIBRARY_ACKNOWLEDGEMENTS` (the
README's acknowledgement table is generated from it and checked by a test).
"""

from __future__ import annotations

from collections.abc import Iterable

from aws_cdk import Acknowledgment, App, Stage, Validations
from cdk_nag import (
    AwsSolutionsChecks,
    HIPAASecurityChecks,
    NIST80053R5Checks,
    PCIDSS321Checks,
    ServerlessChecks,
)
from constructs import IConstruct

#: The rule-id prefixes of the five packs the example app runs.
PACK_PREFIXES: tuple[str, ...] = (
    "AwsSolutions",
    "Serverless",
    "NIST.800.53.R5",
    "HIPAA.Security",
    "PCI.DSS.321",
)

#: Every acknowledgement the library makes by default: rule id -> reason. Rule ids are written
#: without the pack prefix when the same rule exists in several packs (see :func:`acknowledge_rule`).
LIBRARY_ACKNOWLEDGEMENTS: dict[str, str] = {
    "LambdaDLQ": (
        "Failed asynchronous invocations go to an on-failure destination (an encrypted SQS queue with its own "
        "redrive, set in AWS::Lambda::EventInvokeConfig). Destinations supersede DeadLetterConfig and also "
        "record the error and the request context; configuring both would deliver each failure twice."
    ),
    "LambdaConcurrency": (
        "Reserved concurrency is not set by default: reserving capacity takes it from the account's "
        "unreserved pool and fails on accounts with a low concurrency quota. Set "
        "reserved_concurrent_executions to cap the function; this acknowledgement is then not made."
    ),
    "LambdaInsideVPC": (
        "The function reaches only AWS APIs over TLS with IAM-signed requests and opens no inbound ports; "
        "it is attached to a VPC when it is given vpc= (then this acknowledgement is not made)."
    ),
    "SQSRedrivePolicy": (
        "This queue is the terminal dead-letter queue of the function's failure queue: a redrive target "
        "cannot redrive further without an endless chain. Messages are kept 14 days, KMS-encrypted."
    ),
    "AwsSolutions-IAM5[Resource::*]": (
        "xray:PutTraceSegments and xray:PutTelemetryRecords support no resource-level permissions "
        "(Service Authorization Reference); this policy holds only those two actions."
    ),
}


def acknowledge(scope: IConstruct, rule_id: str, reason: str) -> None:
    """Acknowledge one cdk-nag finding (``Pack-Rule`` or ``Pack-Rule[Finding]``) on ``scope``."""
    if not reason.strip():
        raise ValueError(f"{scope.node.path}: acknowledging {rule_id} needs a reason")
    Validations.of(scope).acknowledge(Acknowledgment(id=rule_id, reason=reason))


def acknowledge_rule(scope: IConstruct, rule: str, reason: str, packs: Iterable[str] = PACK_PREFIXES) -> None:
    """Acknowledge ``rule`` (e.g. ``LambdaDLQ``) in each of ``packs`` on ``scope``."""
    for pack in packs:
        acknowledge(scope, f"{pack}-{rule}", reason)


def add_compliance_packs(app: App | Stage) -> None:
    """Attach the five cdk-nag packs (AwsSolutions, Serverless, NIST 800-53 R5, HIPAA, PCI DSS 3.2.1).

    Synthesis then fails on any unacknowledged finding.
    """
    Validations.of(app).add_plugins(
        AwsSolutionsChecks(app),
        ServerlessChecks(app),
        NIST80053R5Checks(app),
        HIPAASecurityChecks(app),
        PCIDSS321Checks(app),
    )
