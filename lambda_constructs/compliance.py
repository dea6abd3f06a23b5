"""cdk-nag v3 packs and acknowledgements.

All acknowledgements the library itself makes go through :func:`acknowledge`, so each one carries a
reason, sits on the narrowest construct, and is listed by :data:`LIBRARY_ACKNOWLEDGEMENTS` (the
README's acknowledgement table is generated from it and checked by a test).
"""

from __future__ import annotations

import json
import re
import tarfile
from collections.abc import Iterable, Mapping
from enum import StrEnum
from functools import cache
from pathlib import Path

from aws_cdk import App, CfnResource, Stack, Stage
from constructs import IConstruct, Node

from lambda_constructs import _compat, _nag_rules, nag_metadata, scanners

#: The metadata key CDK records acknowledgements under (``Validations.ACKNOWLEDGED_RULES_METADATA_KEY``).
ACKNOWLEDGED_RULES_KEY = "aws:cdk:acknowledged-rules"


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
        "This queue is the terminal dead-letter queue of a failure queue of asynchronous invocations: a redrive target "
        "cannot redrive further without an endless chain. Messages are kept 14 days, KMS-encrypted."
    ),
    "AwsSolutions-IAM5[Resource::*]": (
        "xray:PutTraceSegments and xray:PutTelemetryRecords support no resource-level permissions "
        "(Service Authorization Reference); this policy holds only those two actions."
    ),
    "NetworkInterfaces": (
        "Lambda creates the function's ENIs with the execution role. ec2:DescribeNetworkInterfaces supports "
        "no resource-level permission (Resource *), and a new ENI has no ARN before it exists "
        "(network-interface/* of this account and region): CreateNetworkInterface is also authorized on the "
        "subnet and security groups it uses, which are named (the function's own), and "
        "Delete/Assign/UnassignPrivateIpAddresses are constrained by ec2:Vpc; ec2:DescribeNetworkInterfaces and "
        "ec2:DescribeSubnets support no resource-level permission (Resource *). This policy holds only these ENI "
        "statements."
    ),
    "SQSRedrivePolicy (trigger dead-letter queue)": (
        "This queue is the terminal dead-letter queue of a queue a trigger created: a redrive target cannot "
        "redrive further without an endless chain. Messages are kept 14 days, KMS-encrypted."
    ),
    "LambdaEventSourceMappingDestination": (
        "Lambda supports on-failure destinations only for stream and Kafka sources. Failed SQS messages go to "
        "the queue's dead-letter queue (its redrive policy); Amazon MQ and DocumentDB keep unprocessed records "
        "in the source."
    ),
    "AwsSolutions-IAM5[Resource::*] (event source network interfaces)": (
        "Lambda's pollers create network interfaces in the source's VPC: a new ENI has no ARN before it exists, "
        "so Create/DeleteNetworkInterface are granted on network-interface/*, subnet/* and security-group/* of "
        "this account and region (the named subnets and groups when the trigger is given them), "
        "rds:DescribeDBSubnetGroups / DescribeDBClusterParameters on subgrp:* / cluster-pg:* (the cluster ARN "
        "names neither group); ec2:Describe* and kafka:GetBootstrapBrokers support no resource-level permission "
        "(*, Service Authorization Reference). The policy holds only those actions."
    ),
    "AwsSolutions-IAM5[Resource::*] (dynamodb:ListStreams)": (
        "Lambda checks dynamodb:ListStreams when it creates a DynamoDB stream mapping; ListStreams has no "
        "resource-level ARN. The policy holds only that action; reads are scoped to the stream ARN."
    ),
    "AwsSolutions-KDS3": (
        "Streams a trigger creates are encrypted with a customer-managed key (rotation on, retained) instead of "
        "the aws/kinesis key: a stricter control whose key policy the account owns."
    ),
    "S3BucketLoggingEnabled (server access logs bucket)": (
        "This bucket receives the server access logs of the trigger's bucket; logging it to itself would loop "
        "and to a third bucket would only move the problem."
    ),
    "S3DefaultEncryptionKMS (server access logs bucket)": (
        "S3 server access logging delivers only to buckets with SSE-S3 (AES-256) default encryption; SSE-KMS is "
        "not supported for the target bucket."
    ),
    "S3BucketReplicationEnabled": (
        "Cross-region replication needs a second region's bucket and key the library cannot create in this "
        "stack; versioning is on and the bucket is retained. Add replication when a DR region exists."
    ),
    "AwsSolutions-SQS3": (
        "This queue is the dead-letter queue of a service's deliveries to the function (SNS, EventBridge, "
        "Scheduler, IoT): it is a DLQ itself, so it has none of its own. Kept 14 days, KMS-encrypted, TLS-only."
    ),
    "W3694": (
        "cfn-lint expects a function for an SNS subscription with protocol lambda; the endpoint is an alias ARN, "
        "which SNS accepts and which keeps the subscription on the promoted version."
    ),
    "BucketNotificationsHandler": (
        "aws-cdk-lib's BucketNotificationsHandler is a deploy-time custom resource that only calls "
        "s3:PutBucketNotificationConfiguration while the stack deploys; it handles no application data and its "
        "runtime, role and settings are owned by aws-cdk-lib."
    ),
    "APIGWAssociatedWithWAF": (
        "A WAFv2 web ACL is a priced, application-specific resource (rules, rate limits, managed rule groups) "
        "usually shared by several APIs; the REST API trigger associates one when web_acl_arn is given, and "
        "every method requires an authorizer and is throttled."
    ),
    "APIGWCacheEnabledAndEncrypted": (
        "The API answers from the function on every request: a stage cache would serve stale, possibly "
        "per-user responses and is billed per hour. Enable it per method when responses are cacheable."
    ),
    "APIGWSSLEnabled": (
        "Backend client certificates authenticate API Gateway to HTTP backends; this API's only backend is a "
        "Lambda alias invoked through the AWS API over TLS with IAM-signed requests."
    ),
    "AwsSolutions-COG4 (IAM-authorized API)": (
        "Methods are authorized with IAM (SigV4) or a custom authorizer, not with a Cognito user pool; "
        "every method still requires authorization (AwsSolutions-APIG4 is not acknowledged)."
    ),
    "AwsSolutions-IAM5 (API Gateway execution logs)": (
        "The account-level role API Gateway writes execution logs with: API Gateway creates log groups named "
        "API-Gateway-Execution-Logs_<apiId>/<stage> itself, so the writes are limited to that name prefix; "
        "logs:DescribeLogGroups supports no resource-level permission (Service Authorization Reference), so it "
        "is granted on *. It holds only CloudWatch Logs actions."
    ),
    "AwsSolutions-IAM5 (Step Functions log delivery)": (
        "Step Functions' log delivery actions (logs:CreateLogDelivery, PutResourcePolicy, "
        "DescribeResourcePolicies, DescribeLogGroups …) support no resource-level permissions; this policy "
        "holds only them."
    ),
    "AwsSolutions-IAM5 (config:PutEvaluations)": (
        "config:PutEvaluations supports no resource-level permission (Service Authorization Reference); a "
        "custom Config rule's function must call it. This policy holds only that action."
    ),
    "SQSRedrivePolicy (EventBridge target dead-letter queue)": (
        "This queue is the terminal dead-letter queue of an EventBridge rule target: a redrive target cannot "
        "redrive further without an endless chain. Messages are kept 14 days, KMS-encrypted."
    ),
    "AwsSolutions-SQS3 (EventBridge target dead-letter queue)": (
        "This queue is itself the dead-letter queue of an EventBridge rule target (DeadLetterConfig), which "
        "cdk-nag does not recognise as DLQ use; a terminal DLQ cannot have a DLQ of its own without an endless "
        "chain. Messages are kept 14 days, KMS-encrypted."
    ),
}


class AcknowledgementKey(StrEnum):
    """The keys of :data:`LIBRARY_ACKNOWLEDGEMENTS`, typed: ``LIBRARY_ACKNOWLEDGEMENTS[AcknowledgementKey.LAMBDA_DLQ]``
    (a member is its key string, so lookups with either work; a misspelt member is an error mypy reports,
    where a misspelt string was a KeyError at synth). ``tests/unit/test_acknowledgement_keys.py`` keeps the two
    in step."""

    LAMBDA_DLQ = "LambdaDLQ"
    LAMBDA_CONCURRENCY = "LambdaConcurrency"
    LAMBDA_INSIDE_VPC = "LambdaInsideVPC"
    FAILURE_DLQ_REDRIVE = "SQSRedrivePolicy"
    XRAY_RESOURCE_STAR = "AwsSolutions-IAM5[Resource::*]"
    NETWORK_INTERFACES = "NetworkInterfaces"
    TRIGGER_DLQ_REDRIVE = "SQSRedrivePolicy (trigger dead-letter queue)"
    ESM_DESTINATION = "LambdaEventSourceMappingDestination"
    EVENT_SOURCE_NETWORK_INTERFACES = "AwsSolutions-IAM5[Resource::*] (event source network interfaces)"
    DYNAMODB_LIST_STREAMS = "AwsSolutions-IAM5[Resource::*] (dynamodb:ListStreams)"
    KINESIS_CMK = "AwsSolutions-KDS3"
    ACCESS_LOGS_BUCKET_LOGGING = "S3BucketLoggingEnabled (server access logs bucket)"
    ACCESS_LOGS_BUCKET_ENCRYPTION = "S3DefaultEncryptionKMS (server access logs bucket)"
    S3_REPLICATION = "S3BucketReplicationEnabled"
    DELIVERY_DLQ = "AwsSolutions-SQS3"
    SNS_ALIAS_ENDPOINT = "W3694"
    BUCKET_NOTIFICATIONS_HANDLER = "BucketNotificationsHandler"
    API_WAF = "APIGWAssociatedWithWAF"
    API_CACHE = "APIGWCacheEnabledAndEncrypted"
    API_CLIENT_CERTIFICATE = "APIGWSSLEnabled"
    API_NOT_COGNITO = "AwsSolutions-COG4 (IAM-authorized API)"
    API_EXECUTION_LOGS_ROLE = "AwsSolutions-IAM5 (API Gateway execution logs)"
    STEP_FUNCTIONS_LOG_DELIVERY = "AwsSolutions-IAM5 (Step Functions log delivery)"
    CONFIG_PUT_EVALUATIONS = "AwsSolutions-IAM5 (config:PutEvaluations)"
    EVENTBRIDGE_DLQ_REDRIVE = "SQSRedrivePolicy (EventBridge target dead-letter queue)"
    EVENTBRIDGE_DLQ = "AwsSolutions-SQS3 (EventBridge target dead-letter queue)"

    @property
    def reason(self) -> str:
        """The acknowledgement's reason (:data:`LIBRARY_ACKNOWLEDGEMENTS` entry)."""
        return LIBRARY_ACKNOWLEDGEMENTS[self]


def acknowledge(scope: IConstruct, rule_id: str, reason: str) -> None:
    """Acknowledge one cdk-nag finding (``Pack-Rule`` or ``Pack-Rule[Finding]``) on ``scope``."""
    acknowledge_many(scope, {rule_id: reason})


def acknowledge_many(
    scope: IConstruct,
    reasons: Mapping[str, str],
    *,
    node: Node | None = None,
    default_child: CfnResource | None = None,
) -> None:
    """Acknowledge several findings (rule id -> reason) on ``scope``, in the mapping's order.

    cdk-nag v3 reads acknowledgements from the ``aws:cdk:acknowledged-rules`` construct metadata
    (``Validations.ACKNOWLEDGED_RULES_METADATA_KEY``) of the resource and its ancestors; this writes the
    entries ``Validations.of(scope).acknowledge(...)`` would write (``Annotation::<rule id>`` -> reason),
    as one metadata entry: two jsii round trips for any number of rules, and no stack trace or
    annotation walk per rule. The checkov / cfn-lint equivalents of the rules are written into the
    template's resource metadata (:func:`lambda_constructs.scanners.carry`). Ids with an explicit plugin namespace (``Plugin::Rule``, e.g. the
    built-in CloudFormation validation's) go through ``Validations.acknowledge`` unchanged.
    ``node`` / ``default_child``: ``scope.node`` / its default child when the caller holds them already (each
    saves a round trip). Default: read (once per :func:`lambda_constructs.scanners.batch`; the checkov /
    cfn-lint entries are then written when it ends).
    The ``aws:cdk:acknowledged-rules`` entry, which only cdk-nag reads, is written once the ``cdk_nag`` module is
    loaded (at once when it is: :mod:`lambda_constructs.nag_metadata`); the checkov / cfn-lint ones always.
    """
    direct: dict[str, str] = {}
    namespaced: dict[str, str] = {}
    for rule_id, reason in reasons.items():
        if not reason.strip():
            raise ValueError(f"{scope.node.path}: acknowledging {rule_id} needs a reason")
        if _has_namespace(rule_id):
            namespaced[rule_id] = reason
        else:
            direct[ANNOTATION_NAMESPACE + rule_id.replace(" ", "-")] = reason
    if namespaced and not _compat.has(_compat.VALIDATIONS):
        # Before aws-cdk-lib 2.252.0 no validation plugin reads acknowledgements: keep them as metadata only.
        direct.update(namespaced)
        namespaced = {}
    node = node or scanners.node_of(scope)  # read once (per batch): the scanners' metadata below needs it too
    if direct:
        nag_metadata.record(node, ACKNOWLEDGED_RULES_KEY, direct)
    if namespaced:
        from aws_cdk import Acknowledgment, Validations  # aws-cdk-lib >= 2.252.0 (lambda_constructs._compat)

        Validations.of(scope).acknowledge(*(Acknowledgment(id=i, reason=r) for i, r in namespaced.items()))
    # The same reasons as checkov skips / cfn-lint ignores in the template (lambda_constructs/scanners.py).
    scanners.carry(scope, reasons, node=node, child=default_child)


def nag_arn(stack: Stack, service: str, resource: str) -> str:
    """How cdk-nag prints ``arn:${Partition}:<service>:${Region}:${Account}:<resource>`` of ``stack`` in a
    finding id: pseudo parameters as ``<AWS::Region>``/``<AWS::AccountId>``, but the literal region and
    account of an environment-specific stack (``Stack(env=Environment(account=..., region=...))``), which
    CDK writes into the template instead of the pseudo parameters."""
    from aws_cdk import Token

    region = "<AWS::Region>" if Token.is_unresolved(stack.region) else stack.region
    account = "<AWS::AccountId>" if Token.is_unresolved(stack.account) else stack.account
    return f"arn:<AWS::Partition>:{service}:{region}:{account}:{resource}"


#: The namespace CDK gives an acknowledged id that names no plugin (cdk-nag strips it when matching).
ANNOTATION_NAMESPACE = "Annotation::"


def _has_namespace(rule_id: str) -> bool:
    """True for ``Plugin::Rule`` ids (a ``::`` outside brackets, as CDK's parseValidationId reads them)."""
    depth = 0
    for index, char in enumerate(rule_id):
        if char in "[({":
            depth += 1
        elif char in "])}":
            depth -= 1
        elif char == ":" and depth == 0 and rule_id[index + 1 : index + 2] == ":":
            return True
    return False


_PACK_SOURCES = {
    "AwsSolutions": "aws-solutions.js",
    "Serverless": "serverless.js",
    "NIST.800.53.R5": "nist-800-53-r5.js",
    "HIPAA.Security": "hipaa-security.js",
    "PCI.DSS.321": "pci-dss-321.js",
}
_APPLY_RULE = re.compile(r"applyRule\(\{(.*?)\}\);", re.S)
_SUFFIX = re.compile(r"ruleSuffixOverride: '([A-Za-z0-9]+)'")
_RULE_NAME = re.compile(r"rule: [A-Za-z0-9_]+\.([A-Za-z0-9]+)")


def installed_cdk_nag_version() -> str:
    """The installed cdk-nag's version, from its jsii package name (``cdk-nag@<version>.jsii.tgz``)."""
    return _cdk_nag_tarball().name.removeprefix("cdk-nag@").removesuffix(".jsii.tgz")


def _cdk_nag_tarball() -> Path:
    import cdk_nag  # optional (the `compliance` extra): imported only where it is used

    return next((Path(cdk_nag.__file__).parent / "_jsii").glob("cdk-nag@*.tgz"))


def read_pack_rules() -> dict[str, frozenset[str]]:
    """The rule ids each of the five packs applies, read from the installed cdk-nag's pack sources."""
    rules: dict[str, frozenset[str]] = {}
    with tarfile.open(_cdk_nag_tarball()) as archive:
        for prefix, name in _PACK_SOURCES.items():
            member = archive.extractfile(f"package/lib/packs/{name}")
            source = member.read().decode() if member is not None else ""
            found = (_SUFFIX.search(block) or _RULE_NAME.search(block) for block in _APPLY_RULE.findall(source))
            rules[prefix] = frozenset(f"{prefix}-{match.group(1)}" for match in found if match is not None)
    return rules


@cache
def pack_rules() -> dict[str, frozenset[str]]:
    """The rule ids each of the five packs applies (the generated table for the installed cdk-nag version).

    The table (``lambda_constructs/_nag_rules.py``) is used when it was generated from the installed
    cdk-nag, or when cdk-nag is not installed (it is the optional ``compliance`` extra: the acknowledgements
    are then recorded as metadata for the packs of that version); any other version is read from its
    package (:func:`read_pack_rules`).
    """
    if _compat.installed("cdk-nag") in (None, _nag_rules.CDK_NAG_VERSION):
        return {pack: frozenset(ids) for pack, ids in _nag_rules.PACK_RULES.items()}
    return read_pack_rules()


def acknowledge_rule(
    scope: IConstruct, rule: str, reason: str, packs: Iterable[str] = PACK_PREFIXES, *, node: Node | None = None
) -> None:
    """Acknowledge ``rule`` (e.g. ``LambdaDLQ``) in those of ``packs`` that have it, on ``scope``.

    Packs without the rule are skipped (an acknowledgement of a rule no pack applies would be noise);
    a rule that none of ``packs`` has is a programming error and raises ``ValueError``.
    ``node``: ``scope.node`` when the caller holds it already. Default: read.
    """
    acknowledge_many(scope, dict.fromkeys(rule_ids(scope, rule, packs), reason), node=node)


def rule_ids(scope: IConstruct, rule: str, packs: Iterable[str] = PACK_PREFIXES) -> list[str]:
    """``Pack-rule`` for those of ``packs`` that have ``rule`` (see :func:`acknowledge_rule`), in ``packs`` order.

    Raises ``ValueError`` (naming ``scope``) when none of ``packs`` has the rule.
    """
    rules = pack_rules()
    packs = tuple(packs)
    matched = [f"{pack}-{rule}" for pack in packs if f"{pack}-{rule}" in rules.get(pack, frozenset())]
    if not matched:
        raise ValueError(f"{scope.node.path}: no pack among {list(packs)} has a rule {rule}")
    return matched


def add_compliance_packs(app: App | Stage) -> None:
    """Attach the five cdk-nag packs (AwsSolutions, Serverless, NIST 800-53 R5, HIPAA, PCI DSS 3.2.1).

    Synthesis then fails on any unacknowledged finding. Needs cdk-nag >= 3.0.0 (so aws-cdk-lib >= 2.257.0):
    raises :class:`lambda_constructs._compat.UnsupportedVersionError` on older versions.
    """
    _compat.require(
        _compat.NAG_PLUGINS,
        app.node.path,
        "add_compliance_packs",
        fix=(
            "install lambda-constructs[compliance] (cdk-nag>=3.0.0, which needs aws-cdk-lib>=2.257.0), or attach cdk-nag 2's packs "
            "yourself as Aspects (Aspects.of(app).add(AwsSolutionsChecks())); cdk-nag 2 does not read the "
            "library's acknowledgements, so it also reports the deliberate choices listed in the README"
        ),
    )
    from aws_cdk import Validations  # aws-cdk-lib >= 2.252.0 (lambda_constructs._compat)
    from cdk_nag import AwsSolutionsChecks, HIPAASecurityChecks, NIST80053R5Checks, PCIDSS321Checks, ServerlessChecks

    Validations.of(app).add_plugins(
        AwsSolutionsChecks(app),
        ServerlessChecks(app),
        NIST80053R5Checks(app),
        HIPAASecurityChecks(app),
        PCIDSS321Checks(app),
    )


def write_pack_report(assembly_dir: str | Path) -> Path:
    """Write ``<assembly>/nag-packs-report.json``: each of the five packs with its unsuppressed violations.

    CDK's own ``validation-report.json`` lists no plugin when every plugin passes; this report names all
    five packs, their unsuppressed violations (from that report) and their acknowledgement counts (from
    the assembly metadata), so a reviewer sees that each pack ran and passed.
    """
    directory = Path(assembly_dir)
    violations: dict[str, list[str]] = {pack: [] for pack in PACK_PREFIXES}
    report_file = directory / "validation-report.json"
    if report_file.is_file():
        for plugin in json.loads(report_file.read_text()).get("pluginReports", []):
            for violation in plugin.get("violations", []):
                pack = _pack_of(str(violation.get("ruleName", "")))
                if pack is not None:
                    for construct in violation.get("violatingConstructs", []):
                        violations[pack].append(f"{violation['ruleName']} at {construct.get('constructPath')}")
    acknowledged: dict[str, int] = dict.fromkeys(PACK_PREFIXES, 0)
    for metadata_file in sorted(directory.glob("*.metadata.json")):
        for entries in json.loads(metadata_file.read_text()).values():
            for entry in entries:
                if entry.get("type") == ACKNOWLEDGED_RULES_KEY:
                    for key in entry.get("data", {}):
                        pack = _pack_of(key.split("::", 1)[-1] if "[" not in key.split("::", 1)[0] else key)
                        if pack is not None:
                            acknowledged[pack] += 1
    report = {
        "packs": [
            {
                "pack": pack,
                "unsuppressed_violations": len(violations[pack]),
                "violations": violations[pack],
                "acknowledgements": acknowledged[pack],
            }
            for pack in PACK_PREFIXES
        ]
    }
    target = directory / "nag-packs-report.json"
    target.write_text(json.dumps(report, indent=2) + "\n")
    return target


def _pack_of(rule: str) -> str | None:
    return next((pack for pack in sorted(PACK_PREFIXES, key=len, reverse=True) if rule.startswith(pack + "-")), None)
