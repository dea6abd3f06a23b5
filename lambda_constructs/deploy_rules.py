"""Synth-time checks of the *synthesized* functions against rules AWS enforces only at deploy time.

The checks run twice per synthesis, on the same rules (registered by the first
:class:`~lambda_constructs.function.SecureFunction` of an app):

1. **during** synthesis, on what each function's ``AWS::Lambda::Function`` and every ``AWS::Lambda::Permission``
   will render to — after every trigger, layer, extension and L2 escape hatch added its part: one
   validation of the app (sizes, concurrency) and one aspect (Lambda@Edge, which must run before
   aws-cdk-lib's own narrower edge check). The warnings are added here, so they reach the assembly;
2. **after** synthesis, on the finished templates (:func:`check_synthesized`, called by the synth
   boundary of :mod:`lambda_constructs.errors`): the error rules again, so that properties set on the
   L1 with ``add_property_override`` / ``add_override`` (which only the rendered template shows) are
   checked too.

Cost (issue #21): during synthesis one jsii round trip per function (its L1's raw properties, kept from
construction) plus one ``resolve`` per stack; after synthesis none per function (the assembly's files).
The aspect and the validation each search the whole app once, for its distributions and for its
permissions (``_jsii_speed.find_resources``: only those L1s cross to Python). The searches are not shared
or narrowed to the stacks holding library functions: the validation runs after every aspect and after
aws-cdk-lib's prepare step, so it sees permissions created after the edge aspect (by a later aspect), and
both rules read permissions and distributions in any stack of the app (nested stacks, Stages, stacks
without library functions); the tests hold each of these cases.

Either way a violation is a :class:`~lambda_constructs.errors.LambdaConstructsError` raised from
``app.synth()`` / ``Template.from_stack`` naming the construct path, the value and the fix. The rules:

* **environment size** – Lambda allows 4 KB for all variable names and values combined (Lambda
  quotas, https://docs.aws.amazon.com/lambda/latest/dg/gettingstarted-limits.html). Literal parts
  are counted exactly (secret ARNs and parameter names as given); each deploy-time value (a token)
  is counted as :data:`TOKEN_ESTIMATE_BYTES`. Literal parts over 4 KB → error; with the estimates
  over 4 KB → the acknowledgeable warning ``lambda-constructs:environmentMayExceed4KB``.
* **resource-based policy size** – 20 KB per function, version or alias policy (same page). Every
  ``AWS::Lambda::Permission`` of the app, grouped by the ``FunctionName`` it targets, is rendered as the
  policy statement Lambda stores (:func:`statement_bytes`, deploy-time parts estimated), summed per policy;
  over 20 KB → error naming the permissions and the fix.
* **Lambda@Edge** – a function bound to an :class:`~lambda_constructs.triggers.EdgeTrigger`, or whose
  version a CloudFront distribution of the app associates (a ``LambdaFunctionAssociations`` entry that
  resolves to the version), must satisfy
  https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/lambda-at-edge-function-restrictions.html
  (no environment variables, layers, VPC configuration or dead-letter queue; x86_64; us-east-1) and
  https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/cloudfront-limits.html#limits-lambda-at-edge
  (viewer events: 128 MB, 5 s; origin events: 30 s).
* **shared X-Ray policy** – the stack's ``LambdaConstructsTracingPolicy`` (``roles.stack_tracing_policy``),
  listed in every traced function's role, must hold only the library's X-Ray statement: a statement added
  to it would reach every function of the stack → error naming the policy and the per-function grant to
  use instead (``roles.shared_tracing_policy_errors``; two round trips per shared policy, during synthesis).
* **reserved concurrency** – the sum of literal ``ReservedConcurrentExecutions`` per account and
  region against the account quota minus the 100 Lambda keeps unreserved (same quotas page; the
  quota is context key :data:`CONCURRENCY_QUOTA_CONTEXT`, default 1000) → the acknowledgeable warning
  ``lambda-constructs:reservedConcurrencyOverQuota`` on the function that crosses it.

Limits: permissions and distributions in another app (or added to a function by ARN text, not by
reference) are not seen; statement ids and deploy-time values are estimates; the warnings and the choice
of which functions run at the edge are made during synthesis, so overrides do not change them.
"""

from __future__ import annotations

import gc
import json
import re
import sys
import weakref
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn, cast

import jsii
from aws_cdk import Aspects, IAspect, Stack, Stage, Token
from aws_cdk import aws_lambda as lambda_
from constructs import IConstruct, IValidation

from lambda_constructs._jsii_speed import find_resources, jsii_ref, root_of, same_object
from lambda_constructs.assembly import AssemblyError, StackArtifact, read_stacks
from lambda_constructs.errors import LambdaConstructsError, fail, install_synth_boundary, warn
from lambda_constructs.nag_metadata import flush_all
from lambda_constructs.roles import shared_tracing_policy_errors
from lambda_constructs.validation import ENV_MAX_BYTES

if TYPE_CHECKING:
    from lambda_constructs.function import SecureFunction

QUOTAS_URL = "https://docs.aws.amazon.com/lambda/latest/dg/gettingstarted-limits.html"
EDGE_URL = (
    "https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/lambda-at-edge-function-restrictions.html"
)
EDGE_QUOTAS_URL = (
    "https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/cloudfront-limits.html#limits-lambda-at-edge"
)

#: Lambda's limit on one resource-based policy (function, version or alias), bytes.
POLICY_MAX_BYTES = 20 * 1024
#: The estimate of one deploy-time value (token): an ARN with a 14-character region, a 12-digit
#: account and a 64-character generated name is ~110 bytes; 128 rounds it up.
TOKEN_ESTIMATE_BYTES = 128
#: A CloudFormation-generated statement id (``<stack>-<logicalId>-<suffix>``), estimated.
STATEMENT_ID_ESTIMATE_BYTES = 64
#: The estimate of one deploy-time value in a permission statement (a source ARN with a generated name).
ARN_ESTIMATE_BYTES = 96
#: Context key of the account's concurrent-executions quota; Lambda's default is 1000 per region.
CONCURRENCY_QUOTA_CONTEXT = "lambda-constructs:concurrencyQuota"
DEFAULT_CONCURRENCY_QUOTA = 1000
#: Lambda keeps this much of the quota unreserved (PutFunctionConcurrency fails past it).
UNRESERVED_MINIMUM = 100
EDGE_REGION = "us-east-1"
EDGE_VIEWER_MEMORY_MB = 128
EDGE_VIEWER_TIMEOUT_S = 5
EDGE_ORIGIN_TIMEOUT_S = 30


@dataclass
class _Registry:
    functions: list[SecureFunction] = field(default_factory=list)
    #: id(function) -> the CloudFront events that run it (found by the edge aspect during synthesis).
    edge_events: dict[int, set[str]] = field(default_factory=dict)
    #: id(stack) -> (the stack, its template file in the cloud assembly).
    templates: dict[int, tuple[Stack, Path]] = field(default_factory=dict)

    def template_of(self, stack: Stack) -> Path:
        """Where the synthesized template of ``stack`` is written (its stage's assembly directory)."""
        if id(stack) not in self.templates:
            self.templates[id(stack)] = (stack, Path(Stage.of(stack).outdir) / stack.template_file)  # type: ignore[union-attr]
        return self.templates[id(stack)][1]


_REGISTRIES: weakref.WeakKeyDictionary[IConstruct, _Registry] = weakref.WeakKeyDictionary()


def register(fn: SecureFunction) -> None:
    """Add ``fn`` to its app's checks (the first function of an app adds the app's validation and aspect)."""
    root = root_of(fn.stack)
    registry = _REGISTRIES.get(root)
    if registry is None:
        registry = _REGISTRIES[root] = _Registry()
        root.node.add_validation(_AppRules(registry))
        # Lambda@Edge is checked by an aspect: aspects run before aws-cdk-lib resolves the tree (and, with
        # it, its own narrower edge check); on this one leaf construct it is invoked once per synthesis.
        Aspects.of(fn._cfn_function_of(fn.function)).add(_EdgeRules(registry))
    registry.functions.append(fn)


def _raise(errors: list[LambdaConstructsError]) -> NoReturn:
    """Raise the first error; the others become its notes (shown under the traceback)."""
    first = errors[0]
    for other in errors[1:]:
        first.add_note(f"also: {other}")
    raise first


# ----------------------------------------------------------------------------- what the rules read

#: The function properties the rules read: CloudFormation name -> the L1's raw (camelCase) name.
_FUNCTION_PROPERTIES = {
    "Environment": "environment",
    "Layers": "layers",
    "VpcConfig": "vpcConfig",
    "DeadLetterConfig": "deadLetterConfig",
    "Architectures": "architectures",
    "MemorySize": "memorySize",
    "Timeout": "timeout",
    "ReservedConcurrentExecutions": "reservedConcurrentExecutions",
}


def _rendered(cfn: Any, names: Mapping[str, str]) -> dict[str, Any]:
    """Properties of an L1 as its template will show them (CloudFormation names), overrides aside.

    Read from the L1's raw properties and resolved: its typed getters turn aws-cdk-lib's lazy values
    into empty structs.
    """
    return _rendered_many([(Stack.of(cfn), cfn)], names)[0]


def _rendered_many(l1s: Sequence[tuple[Stack, Any]], names: Mapping[str, str]) -> list[dict[str, Any]]:
    """:func:`_rendered` of each ``(stack, L1)``, ``stack`` being the L1's: one round trip per L1 (its raw
    properties) and one ``resolve`` per stack for all of them (issue #21; see ``_jsii_speed``)."""
    batches: dict[int, tuple[Stack, dict[str, Any]]] = {}
    for index, (stack, cfn) in enumerate(l1s):
        given = cfn._cfn_properties
        wanted = {key: given[key] for key in names.values() if given.get(key) is not None}
        if wanted:  # keyed by index: resolve drops a key whose value resolves to nothing, never shifts one
            batches.setdefault(id(stack), (stack, {}))[1][str(index)] = wanted
    resolved: dict[str, Any] = {}
    for stack, batch in batches.values():
        resolved.update(stack.resolve(batch) or {})
    out: list[dict[str, Any]] = []
    for index in range(len(l1s)):
        raw = resolved.get(str(index)) or {}
        properties = {name: raw[key] for name, key in names.items() if raw.get(key) is not None}
        environment = properties.get("Environment")
        if isinstance(environment, dict):
            properties["Environment"] = {"Variables": environment.get("variables") or {}}
        out.append(properties)
    return out


def _wanted(names: tuple[str, ...]) -> Mapping[str, str]:
    return {n: k for n, k in _FUNCTION_PROPERTIES.items() if n in names} if names else _FUNCTION_PROPERTIES


def function_properties(fn: SecureFunction, *names: str) -> dict[str, Any]:
    """The properties of ``fn``'s ``AWS::Lambda::Function`` the rules read, as the template will name them
    (``Environment``, ``Layers``, ``VpcConfig``, …; ``names``: only these), before overrides (see
    :func:`check_synthesized`)."""
    return _rendered_many([(fn.stack, fn._cfn_function_of(fn.function))], _wanted(names))[0]


def functions_properties(functions: Sequence[SecureFunction], *names: str) -> list[dict[str, Any]]:
    """:func:`function_properties` of each of ``functions``, read together (one ``resolve`` per stack)."""
    return _rendered_many([(fn.stack, fn._cfn_function_of(fn.function)) for fn in functions], _wanted(names))


def _function_path(fn: SecureFunction) -> str | None:
    """The construct path of ``fn``'s ``aws_lambda.Function`` (``<fn>/Function``), known without a round trip
    (``fn``'s scope's path is read once per scope); None when ``fn``'s construct id holds a character the
    constructs library rewrites in paths (``/``, a newline)."""
    construct_id = fn._construct_id
    return None if "/" in construct_id or "\n" in construct_id else f"{fn._path}/Function"


def _resource_path(fn: SecureFunction) -> str | None:
    """The construct path of ``fn``'s ``AWS::Lambda::Function`` (``<fn>/Function/Resource``), as
    :func:`_function_path`."""
    path = _function_path(fn)
    return None if path is None else f"{path}/Resource"


# ----------------------------------------------------------------------------- sizes


def _value_bytes(value: Any) -> tuple[int, int]:
    """(bytes known at synth, number of deploy-time parts) of a resolved CloudFormation value."""
    if isinstance(value, str):
        return len(value.encode()), 0
    if isinstance(value, bool | int | float):
        return len(json.dumps(value)), 0
    if isinstance(value, dict) and len(value) == 1:
        ((fn, arg),) = value.items()
        if fn == "Fn::Join" and isinstance(arg, list) and len(arg) == 2 and isinstance(arg[1], list):
            known, tokens = len(str(arg[0]).encode()) * max(len(arg[1]) - 1, 0), 0
            for part in arg[1]:
                k, t = _value_bytes(part)
                known, tokens = known + k, tokens + t
            return known, tokens
        if fn == "Ref" and arg == "AWS::Partition":
            return 3, 0
    return 0, 1


def _variables(properties: Mapping[str, Any]) -> dict[str, Any]:
    environment = properties.get("Environment")
    variables = environment.get("Variables") if isinstance(environment, dict) else None
    return variables if isinstance(variables, dict) else {}


def environment_size(fn: SecureFunction | Mapping[str, Any]) -> tuple[int, int]:
    """(bytes known at synth, number of deploy-time values) of a function's environment.

    ``fn``: a function (its synthesized environment) or the ``Properties`` of an ``AWS::Lambda::Function``.
    """
    properties = fn if isinstance(fn, Mapping) else function_properties(fn)
    known, tokens = 0, 0
    for name, value in _variables(properties).items():
        k, t = _value_bytes(value)
        known, tokens = known + len(str(name).encode()) + k, tokens + t
    return known, tokens


def _environment_error(fn: SecureFunction, properties: Mapping[str, Any]) -> LambdaConstructsError | None:
    known, _ = environment_size(properties)
    if known <= ENV_MAX_BYTES:
        return None
    return fail(
        fn,
        f"environment variables take {known} bytes; Lambda allows at most {ENV_MAX_BYTES} bytes in total "
        f"({QUOTAS_URL})",
        value=sorted(_variables(properties)),
        fix="move large values to SSM Parameter Store or Secrets Manager and pass them by reference",
    )


def _estimate(value: Any) -> str:
    """A resolved value as text, each deploy-time part replaced by :data:`ARN_ESTIMATE_BYTES` characters."""
    if isinstance(value, str):
        return value
    if isinstance(value, dict) and len(value) == 1:
        ((fn, arg),) = value.items()
        if fn == "Fn::Join" and isinstance(arg, list) and len(arg) == 2 and isinstance(arg[1], list):
            return str(arg[0]).join(_estimate(p) for p in arg[1])
        if fn == "Ref" and arg == "AWS::Partition":
            return "aws"
        if fn == "Ref" and arg == "AWS::Region":
            return "x" * 9  # us-east-1
        if fn == "Ref" and arg == "AWS::AccountId":
            return "x" * 12
    return "x" * ARN_ESTIMATE_BYTES


#: The permission properties the policy rule reads: CloudFormation name -> the L1's raw (camelCase) name.
_PERMISSION_PROPERTIES = {
    "FunctionName": "functionName",
    "Principal": "principal",
    "Action": "action",
    "SourceAccount": "sourceAccount",
    "SourceArn": "sourceArn",
    "PrincipalOrgID": "principalOrgId",
    "FunctionUrlAuthType": "functionUrlAuthType",
}


def permission_properties(permission: lambda_.CfnPermission) -> dict[str, Any]:
    """The properties of ``permission`` the policy rule reads, as the template will name them."""
    return _rendered(permission, _PERMISSION_PROPERTIES)


def statement_bytes(permission: lambda_.CfnPermission | Mapping[str, Any], resource_arn: str) -> int:
    """The size of the statement Lambda stores for ``permission`` (AddPermission), deploy-time parts estimated.

    ``permission``: the L1 or the ``Properties`` of an ``AWS::Lambda::Permission``.
    """
    props = permission if isinstance(permission, Mapping) else permission_properties(permission)
    principal = _estimate(props.get("Principal"))
    key = "Service" if principal.endswith(".amazonaws.com") else "AWS"
    statement: dict[str, Any] = {
        "Sid": "x" * STATEMENT_ID_ESTIMATE_BYTES,
        "Effect": "Allow",
        "Principal": {key: principal},
        "Action": _estimate(props.get("Action")),
        "Resource": resource_arn,
    }
    condition: dict[str, Any] = {}
    if props.get("SourceAccount") is not None:
        condition["StringEquals"] = {"AWS:SourceAccount": _estimate(props["SourceAccount"])}
    if props.get("SourceArn") is not None:
        condition["ArnLike"] = {"AWS:SourceArn": _estimate(props["SourceArn"])}
    if props.get("PrincipalOrgID") is not None:
        condition.setdefault("StringEquals", {})["aws:PrincipalOrgID"] = _estimate(props["PrincipalOrgID"])
    if props.get("FunctionUrlAuthType") is not None:
        condition.setdefault("StringEquals", {})["lambda:FunctionUrlAuthType"] = _estimate(props["FunctionUrlAuthType"])
    if condition:
        statement["Condition"] = condition
    return len(json.dumps(statement, separators=(",", ":")).encode())


_FUNCTION_ARN_ESTIMATE = "arn:aws:lambda:" + "x" * 9 + ":" + "x" * 12 + ":function:" + "x" * 64


def _owner(functions: list[SecureFunction], stack: Stack, key: str) -> IConstruct | None:
    """The function or alias of ``stack`` whose ``FunctionName`` resolves to ``key`` there."""
    for fn in functions:
        if fn.stack is not stack:
            continue
        for target in (fn.function, *fn.aliases.values()):
            for ref in (target.function_arn, target.function_name):
                if json.dumps(stack.resolve(ref), sort_keys=True) == key:
                    return target
    return None


#: One resource-based policy: (the stack, the resolved FunctionName as JSON) -> its permissions as
#: (construct path or logical id, or the CfnPermission itself, whose path is read only for an error; template
#: properties).
_PolicyGroups = dict[tuple[Stack, str], list[tuple[Any, Mapping[str, Any]]]]


def _permission_name(permission: Any) -> str:
    return permission if isinstance(permission, str) else str(permission.node.path)


def _policy_errors(functions: list[SecureFunction], groups: _PolicyGroups) -> list[LambdaConstructsError]:
    """One error per resource-based policy (function, version or alias) whose estimated size passes 20 KB."""
    errors = []
    envelope = len('{"Version":"2012-10-17","Id":"default","Statement":[]}')
    arn = _FUNCTION_ARN_ESTIMATE + ":" + "x" * 16  # a qualifier (alias or version)
    for (stack, key), permissions in groups.items():
        total = envelope + sum(statement_bytes(props, arn) + 1 for _, props in permissions)
        if total <= POLICY_MAX_BYTES:
            continue
        names = sorted(_permission_name(permission) for permission, _ in permissions)
        owner = _owner(functions, stack, key)
        errors.append(
            LambdaConstructsError(
                owner.node.path if owner is not None else f"{stack.node.path} (FunctionName {key})",
                f"its resource-based policy would take ~{total:,} bytes for {len(permissions)} permissions; Lambda "
                f"allows {POLICY_MAX_BYTES:,} bytes ({QUOTAS_URL}) and the deploy fails",
                value=f"permissions {', '.join(names[:5])}{' …' if len(names) > 5 else ''}",
                fix="spread the triggers over more aliases or functions, or route the sources through one (one "
                "EventBridge rule with several patterns, one SNS topic) so one permission covers them",
            )
        )
    return errors


def check_policy_sizes(root: IConstruct, functions: list[SecureFunction]) -> list[LambdaConstructsError]:
    """One error per resource-based policy (function, version or alias) whose estimated size passes 20 KB.

    Every ``CfnPermission`` of the app is grouped by its stack and the resolved ``FunctionName`` it
    targets (one group per policy) and each group's statements are rendered as Lambda stores them.
    """
    found = [
        node for node in find_resources(root, "AWS::Lambda::Permission") if isinstance(node, lambda_.CfnPermission)
    ]
    stacks = [Stack.of(node) for node in found]
    groups: _PolicyGroups = {}
    rendered = _rendered_many(list(zip(stacks, found, strict=True)), _PERMISSION_PROPERTIES)
    for node, stack, props in zip(found, stacks, rendered, strict=True):
        key = (stack, json.dumps(props.get("FunctionName"), sort_keys=True))
        groups.setdefault(key, []).append((node, props))  # its path only if the policy is too big (2 trips)
    return _policy_errors(functions, groups)


# ----------------------------------------------------------------------------- Lambda@Edge


#: aws-cdk-lib's own edge check (``Function._checkEdgeCompatibility``) runs when a version's edge ARN
#: resolves and names the function: "The function <path> contains environment variables …".
_CDK_EDGE_ERROR = re.compile(r"The function (\S+) contains environment variables")


#: jsii's name of the CloudFront distribution L1 (the start of its object references: ``<fqn>@<number>``).
_DISTRIBUTION_FQN = "aws-cdk-lib.aws_cloudfront.CfnDistribution"


def _is_distribution(node: IConstruct) -> bool:
    """Whether ``node`` is an ``AWS::CloudFront::Distribution`` L1, without importing ``aws_cdk.aws_cloudfront``
    (≈ 30 ms, issue #21): its jsii reference names the class; once that module is imported (any Python code that
    made a distribution imported it), ``isinstance`` also finds subclasses."""
    if (jsii_ref(node) or "").startswith(_DISTRIBUTION_FQN + "@"):
        return True
    cloudfront = sys.modules.get("aws_cdk.aws_cloudfront")
    return cloudfront is not None and isinstance(node, cloudfront.CfnDistribution)


def _edge_events(root: IConstruct) -> dict[str, set[str]]:
    """Resolved version reference (JSON) or ``path:<function path>`` → the CloudFront events that associate it.

    Reads each distribution's raw properties (the L2 renders them lazily) and resolves only the
    association ARNs: resolving one makes aws-cdk-lib check the function's environment first, and
    its error names the function, which is enough to attribute the association.
    """
    out: dict[str, set[str]] = {}
    for node in find_resources(root, "AWS::CloudFront::Distribution"):
        if not _is_distribution(node):
            continue
        stack = Stack.of(node)

        def resolved(value: Any, stack: Stack = stack) -> Any:
            try:
                return stack.resolve(value)
            except Exception as exc:  # aws-cdk-lib's edge check (see _CDK_EDGE_ERROR)
                found = _CDK_EDGE_ERROR.search(str(exc))
                return {"path": found.group(1)} if found else None

        config = cast(Any, node)._cfn_properties.get("distributionConfig") or {}
        if not isinstance(config, dict):
            config = resolved(config) or {}
        behaviors = config.get("defaultCacheBehavior") or {}
        others = config.get("cacheBehaviors") or []
        if not isinstance(others, list):
            others = resolved(others) or []
        for behavior in [behavior for behavior in (behaviors, *others) if isinstance(behavior, dict)]:
            associations = behavior.get("lambdaFunctionAssociations") or []
            if not isinstance(associations, list):
                associations = resolved(associations) or []
            for association in associations:
                arn = resolved(association.get("lambdaFunctionArn"))
                key = (
                    f"path:{arn['path']}"
                    if isinstance(arn, dict) and "path" in arn
                    else json.dumps(arn, sort_keys=True)
                )
                out.setdefault(key, set()).add(str(association.get("eventType")))
    return out


def _versions(fn: SecureFunction) -> list[IConstruct]:
    """Every ``lambda_.Version`` under ``fn``: its function's own and those made elsewhere in its subtree."""
    return [child for child in fn.node.find_all() if isinstance(child, lambda_.Version)]


#: The module defining ``EdgeTrigger`` (looked up in ``sys.modules`` by :func:`edge_events`).
_EDGE_TRIGGER_MODULE = "lambda_constructs.triggers.edge"


def edge_events(fn: SecureFunction, edge: dict[str, set[str]]) -> set[str]:
    """The CloudFront events that run ``fn`` at the edge (its EdgeTriggers and the distributions' associations)."""
    # Not imported: no EdgeTrigger exists unless its module was (importing it at synth loaded API Gateway,
    # Cognito, Step Functions … for every app, ≈ 0.2 s CPU; issue #21).
    edge_trigger = getattr(sys.modules.get(_EDGE_TRIGGER_MODULE), "EdgeTrigger", None)
    events = {
        str(t.event_type.value).lower().replace("_", "-")
        for t, _ in fn.triggers
        if edge_trigger is not None and isinstance(t, edge_trigger)
    }
    if edge:  # no distribution in the app associates a function: nothing to look up (6 round trips, #21)
        events |= edge.get(f"path:{_function_path(fn) or fn.function.node.path}", set())
        for version in _versions(fn):
            arn = Stack.of(version).resolve(version.function_arn)  # type: ignore[attr-defined]
            events |= edge.get(json.dumps(arn, sort_keys=True), set())
    return events


def _edge_error(fn: SecureFunction, events: set[str], properties: Mapping[str, Any]) -> LambdaConstructsError | None:
    """The Lambda@Edge error of ``fn`` (run by ``events``) with these ``AWS::Lambda::Function`` properties."""
    if not events:
        return None
    stack = fn.stack
    problems: list[str] = []
    names = sorted(_variables(properties))
    if names:
        problems.append(
            f"environment variables {names} (environment, secret_environment, params_and_secrets_extension)"
        )
    layers = properties.get("Layers") or []
    if layers:
        problems.append(f"{len(layers)} layer(s) (layers, insights_version, params_and_secrets_extension)")
    if properties.get("VpcConfig"):
        problems.append("a VPC configuration (vpc)")
    if properties.get("DeadLetterConfig"):
        problems.append("a dead-letter queue")
    architectures = properties.get("Architectures") or ["x86_64"]
    if "x86_64" not in architectures:
        problems.append(f"architecture {architectures[0]} (Lambda@Edge runs x86_64 only)")
    if not Token.is_unresolved(stack.region) and stack.region != EDGE_REGION:
        problems.append(f"region {stack.region} (Lambda@Edge functions live in {EDGE_REGION})")
    memory = properties.get("MemorySize")
    timeout = properties.get("Timeout")
    viewer = {e for e in events if e.startswith("viewer")}
    if viewer and isinstance(memory, int) and memory > EDGE_VIEWER_MEMORY_MB:
        problems.append(f"memory {memory} MB (viewer events allow {EDGE_VIEWER_MEMORY_MB} MB, {EDGE_QUOTAS_URL})")
    limit = EDGE_VIEWER_TIMEOUT_S if viewer else EDGE_ORIGIN_TIMEOUT_S
    if isinstance(timeout, int) and timeout > limit:
        problems.append(f"timeout {timeout} s ({'viewer' if viewer else 'origin'} events allow {limit} s)")
    if not problems:
        return None
    return fail(
        fn,
        f"this function runs at the edge (Lambda@Edge: {', '.join(sorted(events))}), but it has "
        f"{'; '.join(problems)} ({EDGE_URL})",
        fix=f"give the edge function none of these (no environment, secret_environment, layers, insights_version, "
        f"params_and_secrets_extension or vpc; x86_64; within the event's memory and timeout; in {EDGE_REGION})",
    )


def check_edge(fn: SecureFunction, edge: dict[str, set[str]]) -> list[LambdaConstructsError]:
    """Lambda@Edge errors of ``fn`` when one of its versions is associated with a distribution."""
    error = _edge_error(fn, edge_events(fn, edge), function_properties(fn))
    return [error] if error is not None else []


# ----------------------------------------------------------------------------- concurrency


def check_concurrency(functions: list[SecureFunction], properties: Mapping[int, Mapping[str, Any]]) -> None:
    """Warn on the function whose reserved concurrency makes its account/region pass quota − 100.

    ``properties``: id(function) -> its :func:`function_properties` (``ReservedConcurrentExecutions``).
    """
    groups: dict[tuple[str, str], list[tuple[SecureFunction, int]]] = {}
    environments: dict[int, tuple[str, ...]] = {}  # id(stack) -> (account, region): read once per stack
    for fn in functions:
        reserved = properties[id(fn)].get("ReservedConcurrentExecutions")
        if not isinstance(reserved, int) or isinstance(reserved, bool) or reserved <= 0:
            continue
        stack = fn.stack
        if id(stack) not in environments:
            environments[id(stack)] = tuple("?" if Token.is_unresolved(v) else v for v in (stack.account, stack.region))
        env = environments[id(stack)]
        groups.setdefault(env, []).append((fn, reserved))  # type: ignore[arg-type]
    for (account, region), members in groups.items():
        quota = int(members[0][0].node.try_get_context(CONCURRENCY_QUOTA_CONTEXT) or DEFAULT_CONCURRENCY_QUOTA)
        allowed = quota - UNRESERVED_MINIMUM
        total = 0
        for fn, reserved in members:
            total += reserved
            if total > allowed:
                listed = ", ".join(f"{f.node.path}={r}" for f, r in members)
                warn(
                    fn,
                    "reservedConcurrencyOverQuota",
                    f"reserved concurrency in account {account}, region {region} adds up to "
                    f"{sum(r for _, r in members)} ({listed}); Lambda lets an account reserve at most its quota "
                    f"({quota}, context {CONCURRENCY_QUOTA_CONTEXT}) minus {UNRESERVED_MINIMUM} = {allowed} "
                    f"({QUOTAS_URL}), so the deploy fails unless the quota was raised",
                )
                break


# ----------------------------------------------------------------------------- during synthesis


@jsii.implements(IValidation)
class _AppRules:
    def __init__(self, registry: _Registry) -> None:
        self._registry = registry

    def validate(self) -> list[str]:
        """Warnings are added here; errors are raised (the synth boundary re-raises them as themselves)."""
        functions = self._registry.functions
        errors: list[LambdaConstructsError] = []
        properties: dict[int, dict[str, Any]] = {}
        rendered = functions_properties(functions, "Environment", "ReservedConcurrentExecutions")
        for fn, props in zip(functions, rendered, strict=True):
            properties[id(fn)] = props
            error = _environment_error(fn, props)
            if error is not None:
                errors.append(error)
                continue
            known, tokens = environment_size(props)
            if known + tokens * TOKEN_ESTIMATE_BYTES > ENV_MAX_BYTES:
                warn(
                    fn,
                    "environmentMayExceed4KB",
                    f"environment variables take {known} bytes plus {tokens} deploy-time value(s) estimated at "
                    f"{TOKEN_ESTIMATE_BYTES} bytes each = {known + tokens * TOKEN_ESTIMATE_BYTES}; Lambda allows "
                    f"{ENV_MAX_BYTES} bytes in total",
                )
        if functions:
            root = root_of(functions[0].stack)
            errors.extend(check_policy_sizes(root, functions))
            errors.extend(shared_tracing_policy_errors(root))
        check_concurrency(functions, properties)
        if errors:
            _raise(errors)
        return []


@jsii.implements(IAspect)
class _EdgeRules:
    def __init__(self, registry: _Registry) -> None:
        self._registry = registry

    def visit(self, node: IConstruct) -> None:
        functions = self._registry.functions
        # Added to the first function's L1, a leaf: that L1 (the same jsii object reference; jsii may hand it
        # back as another Python proxy) is the one node visited; any other is told apart by its path.
        if not functions or (
            not same_object(node, functions[0]._cfn_function_of(functions[0].function))
            and node.node.path != functions[0].function.node.path + "/Resource"
        ):
            return
        edge = _edge_events(root_of(functions[0].stack))  # node is in that tree
        errors: list[LambdaConstructsError] = []
        self._registry.edge_events.clear()
        for fn in functions:
            events = edge_events(fn, edge)
            if events:
                self._registry.edge_events[id(fn)] = events
                error = _edge_error(fn, events, function_properties(fn))
                if error is not None:
                    errors.append(error)
        if errors:
            _raise(errors)


# ----------------------------------------------------------------------------- after synthesis


def _assembly_stacks(directory: Path) -> list[StackArtifact]:
    """The stack artifacts that the assembly folder ``directory`` lists (not those of the Stages inside it);
    empty when its manifest cannot be read. Their metadata is read when first used."""
    try:
        return [artifact for artifact in read_stacks(directory) if artifact.directory == directory]
    except AssemblyError:
        return []


def _logical_id(fn: SecureFunction, resources: Mapping[str, Any], stacks: Sequence[StackArtifact]) -> str:
    """The logical id of ``fn``'s ``AWS::Lambda::Function`` in the finished template (``resources``): from the
    ``aws:cdk:logicalId`` metadata of the stack artifact whose construct path (``displayName``) holds it (no
    round trip; nested stacks are in their parent's metadata), else resolved (the app turned that metadata
    off, or ``fn``'s construct id holds a character paths rewrite)."""
    path = _resource_path(fn)
    logical_id = None
    if path is not None:
        for artifact in stacks:
            if path.startswith(artifact.display_name + "/") and path in artifact.logical_ids:
                logical_id = artifact.logical_ids[path]
                break
    if logical_id is not None and (resources.get(logical_id) or {}).get("Type") == "AWS::Lambda::Function":
        return logical_id
    return str(fn.stack.resolve(fn._cfn_function_of(fn.function).logical_id))


@contextmanager
def _no_cyclic_collection() -> Iterator[None]:
    """Python's cyclic garbage collector paused for the block, then restored as it was.

    :func:`check_synthesized` parses the assembly's templates and metadata: tens of thousands of dicts and
    lists (40 functions: two stacks' templates and metadata) that hold no reference cycles and are freed by
    reference counting when it returns. Their allocation alone pushed CPython over its threshold for a full
    collection, which walks every object of the app (≈ 100,000 at 40 functions, jsii proxies and aws-cdk-lib's
    modules) to free nothing: ≈ 50–60 ms of the synthesis measured with ``gc.callbacks`` (issue #21; the typical
    hand-written app triggers none there). With the collector paused no collection runs and none is owed
    afterwards (the parsed objects are gone before it resumes)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def check_synthesized(root: IConstruct) -> None:
    """The error rules on the finished templates of ``root``'s functions (run by the synth boundary).

    Reads each function's ``AWS::Lambda::Function`` and the ``AWS::Lambda::Permission`` resources of its
    stack from the cloud assembly, so values set with ``add_property_override`` / ``add_override`` count.
    A template not written by this synthesis (another stage's) is skipped. A function's logical id comes
    from the stack's ``aws:cdk:logicalId`` metadata in the same assembly (no jsii round trip; resolved only
    when the app turned that metadata off).

    Raises:
        LambdaConstructsError: environment over 4 KB, a resource-based policy over 20 KB, or a Lambda@Edge
            restriction broken by what the template finally says.
    """
    with _no_cyclic_collection():
        registry = _REGISTRIES.get(root)
        if registry is not None and registry.functions:
            _check_templates(registry)


def _check_templates(registry: _Registry) -> None:
    templates: dict[Path, tuple[Stack, dict[str, Any]]] = {}
    stacks: dict[Path, list[StackArtifact]] = {}  # assembly folder -> its stack artifacts
    errors: list[LambdaConstructsError] = []
    for fn in registry.functions:
        path = registry.template_of(fn.stack)
        if path not in templates:
            try:
                templates[path] = (fn.stack, json.loads(path.read_text()))
            except FileNotFoundError:
                continue
        resources = templates[path][1].get("Resources") or {}
        if path.parent not in stacks:
            stacks[path.parent] = _assembly_stacks(path.parent)
        logical_id = _logical_id(fn, resources, stacks[path.parent])
        properties = (resources.get(logical_id) or {}).get("Properties") or {}
        for error in (
            _environment_error(fn, properties),
            _edge_error(fn, registry.edge_events.get(id(fn), set()), properties),
        ):
            if error is not None:
                errors.append(error)
    groups: _PolicyGroups = {}
    for stack, template in templates.values():
        for logical_id, resource in (template.get("Resources") or {}).items():
            if resource.get("Type") == "AWS::Lambda::Permission":
                props = resource.get("Properties") or {}
                key = (stack, json.dumps(props.get("FunctionName"), sort_keys=True))
                groups.setdefault(key, []).append((logical_id, props))
    errors.extend(_policy_errors(registry.functions, groups))
    if errors:
        _raise(errors)


install_synth_boundary(
    check_synthesized, before_synthesis=flush_all
)  # at import too: before an app keeps a reference to Template.from_stack
