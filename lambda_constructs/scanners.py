"""Suppressions that travel in the template: cdk-nag acknowledgements → checkov skips and cfn-lint ignores.

cdk-nag reads acknowledgements from construct metadata, which never reaches the template. A user who
runs checkov or cfn-lint on the synthesized templates would see the same accepted findings again,
without the reason, unless they copied this repository's skip files. So every acknowledgement the
library makes (``compliance.acknowledge_many``) also writes the scanners' own in-template suppression
on the resource the equivalent check reads:

- checkov: ``Metadata: {"checkov": {"skip": [{"id": "CKV_AWS_116", "comment": "<reason>"}]}}``, read by
  checkov's CloudFormation context parser (``checkov/cloudformation/context_parser.py``,
  ``collect_skip_comments``: ``metadata["checkov"]["skip"]``, each ``{id, comment}``; checkov 3.3.30;
  https://www.checkov.io/2.Basics/Suppressing%20and%20Skipping%20Policies.html).
- cfn-lint: ``Metadata: {"cfn-lint": {"config": {"ignore_checks": ["W3005"]}}}``, read by
  ``cfnlint.template.Template.get_directives`` (cfn-lint 1.x;
  https://github.com/aws-cloudformation/cfn-lint#resource-based-metadata).

:data:`NAG_TO_SCANNERS` is the one table mapping a cdk-nag rule to its checkov / cfn-lint
equivalents; ``tests/unit/test_scanners.py`` keeps it complete for every acknowledgement the library
makes. A rule with no equivalent says so (``checkov=()``) and why. The checkov ids are those of
checkov 3.3.30's CloudFormation checks (``checkov/cloudformation/checks/resource/aws/<File>.py``,
cited per row).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass

from aws_cdk import CfnResource
from constructs import IConstruct, Node

from lambda_constructs._jsii_speed import cfn_resource_type

CHECKOV_KEY = "checkov"
CFN_LINT_KEY = "cfn-lint"


@dataclass(frozen=True, kw_only=True)
class Equivalent:
    """What a cdk-nag rule is called in the other scanners, and on which resource type they report it."""

    checkov: tuple[str, ...] = ()
    """checkov CloudFormation check ids (``CKV_AWS_n``). Default: none (no checkov check covers the rule)."""
    resource_types: tuple[str, ...] = ()
    """CloudFormation types the checkov checks read (the skip goes on such a resource). Default: none."""
    source: str = ""
    """The checkov check file(s) the mapping is taken from, or why there is no equivalent (every row of
    :data:`NAG_TO_SCANNERS` sets it; a test checks). Default: empty."""
    cfn_lint: tuple[str, ...] = ()
    """cfn-lint / cfn-lint-serverless rule ids of the same finding. Default: none."""
    cfn_lint_types: tuple[str, ...] = ()
    """CloudFormation types those cfn-lint rules report on. Default: none."""


_LAMBDA = ("AWS::Lambda::Function",)
_NONE_CFN = "checkov 3.3.30 has no CloudFormation check for this rule (grep of checks/resource/aws)"

#: cdk-nag rule (pack prefix and ``[finding]`` removed, e.g. ``LambdaDLQ``, ``IAM5``) -> equivalents.
NAG_TO_SCANNERS: dict[str, Equivalent] = {
    "LambdaDLQ": Equivalent(
        checkov=("CKV_AWS_116",), resource_types=_LAMBDA, source="LambdaDLQConfigured.py (CKV_AWS_116)"
    ),
    "LambdaConcurrency": Equivalent(
        checkov=("CKV_AWS_115",),
        resource_types=_LAMBDA,
        source="LambdaFunctionLevelConcurrentExecutionLimit.py (CKV_AWS_115)",
    ),
    "LambdaInsideVPC": Equivalent(checkov=("CKV_AWS_117",), resource_types=_LAMBDA, source="LambdaInVPC.py"),
    "APIGWCacheEnabledAndEncrypted": Equivalent(
        checkov=("CKV_AWS_120",), resource_types=("AWS::ApiGateway::Stage",), source="APIGatewayCacheEnable.py"
    ),
    "APIG4": Equivalent(
        checkov=("CKV_AWS_59",),
        resource_types=("AWS::ApiGateway::Method",),
        source="APIGatewayAuthorization.py (REST API methods; no CloudFormation check for HTTP API routes)",
    ),
    "S3BucketLoggingEnabled": Equivalent(
        checkov=("CKV_AWS_18",), resource_types=("AWS::S3::Bucket",), source="S3AccessLogs.py"
    ),
    "S1": Equivalent(checkov=("CKV_AWS_18",), resource_types=("AWS::S3::Bucket",), source="S3AccessLogs.py"),
    # Rules whose resources pass checkov's nearest check, or that checkov does not check on CloudFormation.
    "IAM5": Equivalent(
        source="IAMWriteAccess.py / IAMPermissionsManagement.py (CKV_AWS_111/109) flag only write or permissions "
        "actions on Resource '*'; the library's acknowledged wildcards (X-Ray, log delivery, ENIs) are fixed "
        "on the statements themselves rather than skipped"
    ),
    "IAM4": Equivalent(source=_NONE_CFN + ": AWS managed policies are not a checkov CloudFormation finding"),
    "IAMNoInlinePolicy": Equivalent(source=_NONE_CFN),
    "SQSRedrivePolicy": Equivalent(
        source=_NONE_CFN + " (SQS: only CKV_AWS_27 encryption, which passes); cfn-lint-serverless ES6000",
        cfn_lint=("ES6000",),
        cfn_lint_types=("AWS::SQS::Queue",),
    ),
    "SQS3": Equivalent(
        source=_NONE_CFN + "; cfn-lint-serverless ES6000", cfn_lint=("ES6000",), cfn_lint_types=("AWS::SQS::Queue",)
    ),
    "LambdaEventSourceMappingDestination": Equivalent(
        source=_NONE_CFN + "; cfn-lint-serverless ES1001 (rules/lambda_.py)",
        cfn_lint=("ES1001",),
        cfn_lint_types=("AWS::Lambda::EventSourceMapping",),
    ),
    "KDS3": Equivalent(source="KinesisStreamEncryptionType.py (CKV_AWS_43) passes: the stream uses a KMS key"),
    "S3DefaultEncryptionKMS": Equivalent(source="S3Encryption.py (CKV_AWS_19) passes with SSE-S3 (AES256)"),
    "S3BucketReplicationEnabled": Equivalent(source=_NONE_CFN),
    "APIGWAssociatedWithWAF": Equivalent(source=_NONE_CFN + " (WAFEnabled.py reads CloudFront distributions)"),
    "APIG3": Equivalent(source=_NONE_CFN + " (WAFEnabled.py reads CloudFront distributions)"),
    "APIGWSSLEnabled": Equivalent(source=_NONE_CFN),
    "COG4": Equivalent(source="APIGatewayAuthorization.py (CKV_AWS_59) passes: every method has an authorizer"),
    "CloudWatchAlarmAction": Equivalent(source=_NONE_CFN),
    "VPCNoUnrestrictedRouteToIGW": Equivalent(source=_NONE_CFN + " (no route-table check)"),
    "W3694": Equivalent(source="cfn-lint rule W3694 itself (CDK's CloudFormation-Validate plugin runs cfn-lint rules)"),
}

#: cdk-nag / CDK validation rules whose equivalent is the same cfn-lint rule id.
CFN_LINT_RULES: frozenset[str] = frozenset({"W3694"})

#: cfn-lint (and cfn-lint-serverless 0.3.6, ``cfn_lint_serverless/rules``) findings the library ignores
#: on its own resources (rule -> reason).
CFN_LINT_REASONS: dict[str, str] = {
    "W3005": (
        "aws-cdk-lib adds an explicit DependsOn on the role next to the Fn::GetAtt of its ARN, so the role's "
        "policies are attached before the resource can use them; redundant for ordering, harmless."
    ),
    "W3010": (
        "aws-cdk-lib writes the availability zones it resolved for an environment-specific stack (cdk.context.json) "
        "into the subnets; env-agnostic stacks get Fn::GetAZs instead."
    ),
    "ES6000": (
        "cfn-lint-serverless: this queue is a terminal dead-letter queue (same reason as the cdk-nag "
        "SQSRedrivePolicy / AwsSolutions-SQS3 acknowledgement on it)."
    ),
    "ES1001": (
        "cfn-lint-serverless: Lambda supports on-failure destinations only for stream and Kafka sources (same "
        "reason as the cdk-nag LambdaEventSourceMappingDestination acknowledgement on this mapping)."
    ),
    "WS1004": (
        "cfn-lint-serverless looks for a /aws/lambda/<name> log group; the function logs to its own log group "
        "(LoggingConfig.LogGroup), KMS-encrypted with retention."
    ),
    "ES1007": (
        "cfn-lint-serverless matches EventInvokeConfig by FunctionName only; the invoked alias (or $LATEST) has its "
        "own AWS::Lambda::EventInvokeConfig (FunctionName + Qualifier) with the on-failure destination."
    ),
    "WS1002": (
        "cfn-lint-serverless: several services invoke this alias because the app bound several triggers to it; "
        "each permission is scoped to its source ARN (and account where the service allows it)."
    ),
    "WS1000": (
        "aws-cdk-lib's deploy-time custom resource handler (runtime and settings owned by aws-cdk-lib): "
        "CloudFormation invokes it a few times per deployment; it handles no application requests to trace."
    ),
    "ES1005": (
        "aws-cdk-lib's deploy-time custom resource handler (settings owned by aws-cdk-lib) runs with Lambda's "
        "default memory size."
    ),
    "W3694": (
        "cfn-lint expects a function for an SNS subscription with protocol lambda; the endpoint is an alias ARN, "
        "which SNS accepts and which keeps the subscription on the promoted version."
    ),
}


def rule_name(rule_id: str) -> str:
    """``NIST.800.53.R5-LambdaDLQ`` → ``LambdaDLQ``; ``AwsSolutions-IAM5[Resource::*]`` → ``IAM5``.

    A ``Plugin::Rule`` namespace (``CloudFormation-Validate::W3694``) is dropped first.
    """
    head = rule_id.partition("[")[0]
    name = head.rsplit("::", 1)[-1] if "::" in head else head
    for pack in ("NIST.800.53.R5-", "HIPAA.Security-", "PCI.DSS.321-", "AwsSolutions-", "Serverless-"):
        if name.startswith(pack):
            return name[len(pack) :]
    return name


def _targets(
    scope: IConstruct, types: Iterable[str], node: Node | None = None, child: CfnResource | None = None
) -> list[CfnResource]:
    """The CfnResources of ``types`` that are ``scope``, its default child, or (else) under it.

    ``node`` / ``child``: ``scope.node`` / its default child when the caller holds them already (each saves
    a jsii round trip). Default: read (once per batch, :func:`batch`). Inside a batch, a construct registered
    with :func:`created` answers its CloudFormation type without asking JavaScript.
    """
    wanted = set(types)
    current = _BATCH.get()
    if isinstance(scope, CfnResource):
        return [scope] if _type_of(scope, current) in wanted else []
    known = current.created_type(scope) if current is not None else None
    if known is None or known in wanted:
        found = child if child is not None else default_child(scope, node)
        if isinstance(found, CfnResource) and (known or _type_of(found, current)) in wanted:
            return [found]
    # Not the default child (nor, for a construct from created(), its resource's type): look under it.
    under = (node or node_of(scope)).find_all()
    return [c for c in under if isinstance(c, CfnResource) and _type_of(c, current) in wanted]


def skip_checkov(resource: CfnResource, skips: Mapping[str, str]) -> None:
    """Add ``{id, comment}`` per check id -> comment to the resource's ``Metadata.checkov.skip`` (ids
    already skipped there keep their first comment). Two jsii round trips for any number of ids; inside a
    :func:`batch`, written when the batch ends, together with the batch's other skips on ``resource``."""
    current = _BATCH.get()
    if current is not None:
        current.pending(resource).skip(skips)
        return
    _write_checkov(resource, skips, fresh=False)


def ignore_cfn_lint(resource: CfnResource, *rules: str) -> None:
    """Add ``rules`` to the resource's ``Metadata.cfn-lint.config.ignore_checks`` (inside a :func:`batch`:
    when the batch ends, together with the batch's other ignores on ``resource``).

    Raises ``KeyError`` for a rule without a reviewed reason in :data:`CFN_LINT_REASONS`.
    """
    for rule in rules:
        if rule not in CFN_LINT_REASONS:
            raise KeyError(f"cfn-lint rule {rule} has no reason in CFN_LINT_REASONS")
    current = _BATCH.get()
    if current is not None:
        current.pending(resource).ignore(rules)
        return
    _write_cfn_lint(resource, rules, fresh=False)


def _write_checkov(resource: CfnResource, skips: Mapping[str, str], *, fresh: bool) -> None:
    """Read-then-write (``fresh``: the library created ``resource`` in this batch, nothing else wrote it: no read)."""
    current = {} if fresh else (resource.get_metadata(CHECKOV_KEY) or {})
    present = list(current.get("skip", []))
    known = {skip.get("id") for skip in present}
    added = [{"id": check_id, "comment": comment} for check_id, comment in skips.items() if check_id not in known]
    if added:
        resource.add_metadata(CHECKOV_KEY, {**current, "skip": [*present, *added]})


def _write_cfn_lint(resource: CfnResource, rules: Iterable[str], *, fresh: bool) -> None:
    """Read-then-write, as :func:`_write_checkov`."""
    current = {} if fresh else (resource.get_metadata(CFN_LINT_KEY) or {})
    config = dict(current.get("config", {}))
    ignored = list(config.get("ignore_checks", []))
    added = [rule for rule in dict.fromkeys(rules) if rule not in ignored]
    if added:
        config["ignore_checks"] = [*ignored, *added]
        resource.add_metadata(CFN_LINT_KEY, {**current, "config": config})


def carry(
    scope: IConstruct,
    reasons: Mapping[str, str],
    *,
    node: Node | None = None,
    child: CfnResource | None = None,
) -> None:
    """Write the checkov / cfn-lint equivalents of the acknowledged ``reasons`` (rule id -> reason).

    Called by ``compliance.acknowledge_many`` (``node`` / ``child``: ``scope.node`` / its default
    child when the caller holds them; default: read, once per :func:`batch`). Each checkov id is written once per resource with the
    first reason given for it. Rules missing from :data:`NAG_TO_SCANNERS` carry nothing (the table's
    test fails for any the library makes).
    """
    pending: dict[tuple[str, ...], dict[str, str]] = {}  # resource types -> check id -> comment
    lint: dict[tuple[str, ...], list[str]] = {}  # resource types -> cfn-lint rules
    for rule_id, reason in reasons.items():
        name = rule_name(rule_id)
        if name in CFN_LINT_RULES:
            resource = scope if isinstance(scope, CfnResource) else (child or default_child(scope, node))
            if isinstance(resource, CfnResource):
                ignore_cfn_lint(resource, name)
            continue
        equivalent = NAG_TO_SCANNERS.get(name)
        if equivalent is not None and equivalent.checkov:
            checks = pending.setdefault(equivalent.resource_types, {})
            for check_id in equivalent.checkov:
                checks.setdefault(check_id, reason)
        if equivalent is not None and equivalent.cfn_lint:
            lint.setdefault(equivalent.cfn_lint_types, []).extend(equivalent.cfn_lint)
    for types, checks in pending.items():
        for resource in _targets(scope, types, node, child):
            skip_checkov(resource, checks)
    for types, rules in lint.items():
        for resource in _targets(scope, types, node, child):
            ignore_cfn_lint(resource, *dict.fromkeys(rules))


# ------------------------------------------------------------------------------------------ batches
#
# Each write above is a read-then-write of the resource's template metadata (``get_metadata`` +
# ``add_metadata``, two jsii round trips), so that what other code wrote there is kept; a library call
# that acknowledges several findings on one resource (a function: cdk-nag rules carried to checkov, then
# cfn-lint ignores) read and wrote it several times. A batch collects the checkov skips and cfn-lint
# ignores of ONE library call and writes each (resource, key) once when the call ends; until then only
# the library's own code runs, so nothing can read the pending entries or write between them, and each
# write still reads what is there first. The one exception is a resource the library created in the same
# batch (:func:`created`): no other code has seen it yet, so its metadata is written without the read.
# Across library calls nothing is kept: the next call reads again, so metadata a user wrote on a library
# resource between two calls stays (tests/unit/test_scanner_batches.py).


class _Pending:
    """The skips and ignores a batch will write on one resource, in the order they were asked for."""

    __slots__ = ("checkov", "keys", "lint", "resource")

    def __init__(self, resource: CfnResource) -> None:
        self.resource = resource
        self.checkov: dict[str, str] = {}
        self.lint: dict[str, None] = {}
        self.keys: dict[str, None] = {}  # metadata keys in first-write order (the template keeps that order)

    def skip(self, skips: Mapping[str, str]) -> None:
        for check_id, comment in skips.items():
            self.checkov.setdefault(check_id, comment)
        if skips:
            self.keys.setdefault(CHECKOV_KEY)

    def ignore(self, rules: Iterable[str]) -> None:
        for rule in rules:
            self.lint.setdefault(rule)
            self.keys.setdefault(CFN_LINT_KEY)


class Batch:
    """The checkov skips / cfn-lint ignores of one library call, and the jsii reads it made (see :func:`batch`)."""

    def __init__(self) -> None:
        self._pending: dict[int, _Pending] = {}
        self._created: dict[int, tuple[IConstruct, str]] = {}  # id -> (construct, its resource's type)
        self._fresh: dict[int, CfnResource] = {}  # resources created in this batch (written without a read)
        self._nodes: dict[int, tuple[IConstruct, Node]] = {}
        self._children: dict[int, tuple[IConstruct, IConstruct]] = {}
        self._types: dict[int, tuple[CfnResource, str]] = {}
        # Keyed by id(): jsii gives one Python object per JavaScript object (its reference map keeps them all),
        # and each entry holds its object, so no id is reused while the batch is open.

    def created(self, construct: IConstruct, resource_type: str) -> None:
        """Record that the library just created ``construct`` (see the module function :func:`created`)."""
        self._created[id(construct)] = (construct, resource_type)
        if isinstance(construct, CfnResource):
            self._fresh[id(construct)] = construct
            self._types[id(construct)] = (construct, resource_type)

    def created_type(self, construct: IConstruct) -> str | None:
        """The CloudFormation type given for ``construct`` by :meth:`created`; None when it was not created here."""
        entry = self._created.get(id(construct))
        return entry[1] if entry is not None else None

    def node(self, construct: IConstruct) -> Node:
        """``construct.node``, read once per batch."""
        entry = self._nodes.get(id(construct))
        if entry is None:
            entry = self._nodes[id(construct)] = (construct, construct.node)
        return entry[1]

    def default_child(self, construct: IConstruct, node: Node | None) -> IConstruct | None:
        """``construct``'s default child, read once per batch (``node``: ``construct.node`` when held); the child of
        a construct from :meth:`created` is then written without a read."""
        entry = self._children.get(id(construct))
        if entry is not None:
            return entry[1]
        child = (node or self.node(construct)).default_child
        if child is not None:  # (none yet: a "Resource" / "Default" child may still be added, so read again)
            self._children[id(construct)] = (construct, child)
            known = self._created.get(id(construct))
            if known is not None and isinstance(child, CfnResource):
                self._fresh[id(child)] = child
                self._types[id(child)] = (child, known[1])
        return child

    def resource_type(self, resource: CfnResource) -> str:
        """``resource.cfn_resource_type``, read once per batch (not at all for a resource from :meth:`created`)."""
        entry = self._types.get(id(resource))
        if entry is None:
            entry = self._types[id(resource)] = (resource, cfn_resource_type(resource))
        return entry[1]

    def pending(self, resource: CfnResource) -> _Pending:
        """What the batch will write on ``resource`` (created empty on first use)."""
        entry = self._pending.get(id(resource))
        if entry is None:
            entry = self._pending[id(resource)] = _Pending(resource)
        return entry

    def flush(self) -> None:
        """Write each resource's pending skips and ignores: one read and one write per (resource, key)."""
        pending, self._pending = self._pending, {}
        for entry in pending.values():
            fresh = id(entry.resource) in self._fresh
            for key in entry.keys:
                if key == CHECKOV_KEY:
                    _write_checkov(entry.resource, entry.checkov, fresh=fresh)
                else:
                    _write_cfn_lint(entry.resource, entry.lint, fresh=fresh)


_BATCH: ContextVar[Batch | None] = ContextVar("lambda_constructs_scanners_batch", default=None)


@contextmanager
def batch() -> Iterator[Batch]:
    """Collect the checkov skips and cfn-lint ignores written inside the block; write them at its end.

    For library code that runs no user code inside the block (a ``SecureFunction``'s construction, a
    library trigger's ``bind``): each resource's metadata is then read and written once per key instead of
    once per acknowledgement, and ``node`` / ``default_child`` / ``cfn_resource_type`` are read once per
    construct. Written even when the block raises. A batch opened inside another joins it (one write at
    the outer end: an inner flush would interleave with the outer one's pending writes).
    """
    current = _BATCH.get()
    if current is not None:
        yield current
        return
    opened = Batch()
    token = _BATCH.set(opened)
    try:
        yield opened
    finally:
        _BATCH.reset(token)
        opened.flush()


def created(construct: IConstruct, resource_type: str) -> None:
    """Tell the open batch (if any) that ``construct`` was just created by the library, and that it is, or its
    default child is, a CloudFormation resource of ``resource_type`` (``AWS::SQS::Queue``).

    Inside the batch that resource's type is not read back from JavaScript, and its checkov / cfn-lint
    metadata is written without first reading it (nothing else can have written it). Outside a batch:
    nothing (the next library call reads as usual).
    """
    current = _BATCH.get()
    if current is not None:
        current.created(construct, resource_type)


def node_of(construct: IConstruct) -> Node:
    """``construct.node``, read once per open batch (one jsii round trip per read otherwise)."""
    current = _BATCH.get()
    return current.node(construct) if current is not None else construct.node


def default_child(construct: IConstruct, node: Node | None = None) -> IConstruct | None:
    """``construct.node.default_child`` (``node``: ``construct.node`` when held), read once per open batch."""
    current = _BATCH.get()
    if current is not None:
        return current.default_child(construct, node)
    return (node or construct.node).default_child


def _type_of(resource: CfnResource, current: Batch | None) -> str:
    return current.resource_type(resource) if current is not None else cfn_resource_type(resource)
