"""Synth-time checks of the *synthesized* functions against rules AWS enforces only at deploy time.

One validation per app (registered by the first :class:`~lambda_constructs.function.SecureFunction`)
reads what the functions finally synthesize to — after every trigger, layer, extension and escape
hatch added its part — and checks:

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
* **reserved concurrency** – the sum of literal ``ReservedConcurrentExecutions`` per account and
  region against the account quota minus the 100 Lambda keeps unreserved (same quotas page; the
  quota is context key :data:`CONCURRENCY_QUOTA_CONTEXT`, default 1000) → the acknowledgeable warning
  ``lambda-constructs:reservedConcurrencyOverQuota`` on the function that crosses it.

Limits: permissions and distributions in another app (or added to a function by ARN text, not by
reference) are not seen; statement ids and deploy-time values are estimates.
"""

from __future__ import annotations

import json
import re
import sys
import weakref
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import jsii
from aws_cdk import Aspects, IAspect, Stack, Token
from aws_cdk import aws_cloudfront as cloudfront
from aws_cdk import aws_lambda as lambda_
from constructs import IConstruct, IValidation

from lambda_constructs.errors import LambdaConstructsError, warn
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


_REGISTRIES: weakref.WeakKeyDictionary[IConstruct, _Registry] = weakref.WeakKeyDictionary()


def register(fn: SecureFunction) -> None:
    """Add ``fn`` to its app's checks (the first function of an app adds the app's validation)."""
    root = fn.node.root
    registry = _REGISTRIES.get(root)
    if registry is None:
        registry = _REGISTRIES[root] = _Registry()
        root.node.add_validation(_AppRules(registry))
        # Lambda@Edge is checked by an aspect: aspects run before aws-cdk-lib resolves the tree (and, with
        # it, its own narrower edge check); on this one leaf construct it is invoked once per synthesis.
        Aspects.of(fn.function.node.default_child).add(_EdgeRules(registry))  # type: ignore[arg-type]
    registry.functions.append(fn)


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


def _synthesized(fn: SecureFunction, prop: str) -> Any:
    """A property of the function's ``AWS::Lambda::Function`` as it will synthesize (camelCase name).

    Read from the L1's raw properties: its typed getters turn aws-cdk-lib's lazy values into empty structs.
    """
    raw = fn.function.node.default_child._cfn_properties.get(prop)  # type: ignore[union-attr]
    value = Stack.of(fn).resolve(raw)
    return {} if value is None and prop in ("environment", "vpcConfig", "deadLetterConfig") else value


def environment_size(fn: SecureFunction) -> tuple[int, int]:
    """(bytes known at synth, number of deploy-time values) of the synthesized function's environment."""
    variables = _synthesized(fn, "environment").get("variables") or {}
    known, tokens = 0, 0
    for name, value in variables.items():
        k, t = _value_bytes(value)
        known, tokens = known + len(str(name).encode()) + k, tokens + t
    return known, tokens


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


def statement_bytes(permission: lambda_.CfnPermission, resource_arn: str) -> int:
    """The size of the statement Lambda stores for ``permission`` (AddPermission), deploy-time parts estimated."""
    stack = Stack.of(permission)
    principal = _estimate(stack.resolve(permission.principal))
    key = "Service" if principal.endswith(".amazonaws.com") else "AWS"
    statement: dict[str, Any] = {
        "Sid": "x" * STATEMENT_ID_ESTIMATE_BYTES,
        "Effect": "Allow",
        "Principal": {key: principal},
        "Action": _estimate(stack.resolve(permission.action)),
        "Resource": resource_arn,
    }
    condition: dict[str, Any] = {}
    if permission.source_account is not None:
        condition["StringEquals"] = {"AWS:SourceAccount": _estimate(stack.resolve(permission.source_account))}
    if permission.source_arn is not None:
        condition["ArnLike"] = {"AWS:SourceArn": _estimate(stack.resolve(permission.source_arn))}
    if permission.principal_org_id is not None:
        condition.setdefault("StringEquals", {})["aws:PrincipalOrgID"] = _estimate(
            stack.resolve(permission.principal_org_id)
        )
    if permission.function_url_auth_type is not None:
        condition.setdefault("StringEquals", {})["lambda:FunctionUrlAuthType"] = permission.function_url_auth_type
    if condition:
        statement["Condition"] = condition
    return len(json.dumps(statement, separators=(",", ":")).encode())


_FUNCTION_ARN_ESTIMATE = "arn:aws:lambda:" + "x" * 9 + ":" + "x" * 12 + ":function:" + "x" * 64


def _owner(functions: list[SecureFunction], key: str) -> str:
    """The path of the function or alias whose ``FunctionName`` resolves to ``key`` (else ``key`` itself)."""
    for fn in functions:
        stack = Stack.of(fn)
        for target in (fn.function, *fn.aliases.values()):
            for ref in (target.function_arn, target.function_name):
                if json.dumps(stack.resolve(ref), sort_keys=True) == key:
                    return target.node.path
    return f"FunctionName {key}"


def check_policy_sizes(root: IConstruct, functions: list[SecureFunction]) -> list[str]:
    """One error per resource-based policy (function, version or alias) whose estimated size passes 20 KB.

    Every ``CfnPermission`` of the app is grouped by the resolved ``FunctionName`` it targets (one
    group per policy) and each group's statements are rendered as Lambda stores them.
    """
    groups: dict[str, list[lambda_.CfnPermission]] = {}
    for node in root.node.find_all():
        if isinstance(node, lambda_.CfnPermission):
            key = json.dumps(Stack.of(node).resolve(node.function_name), sort_keys=True)
            groups.setdefault(key, []).append(node)
    errors = []
    envelope = len('{"Version":"2012-10-17","Id":"default","Statement":[]}')
    for key, permissions in groups.items():
        arn = _FUNCTION_ARN_ESTIMATE + ":" + "x" * 16  # a qualifier (alias or version)
        total = envelope + sum(statement_bytes(p, arn) + 1 for p in permissions)
        if total > POLICY_MAX_BYTES:
            names = sorted(p.node.path for p in permissions)
            errors.append(
                f"{_owner(functions, key)}: its resource-based policy would take ~{total:,} bytes for "
                f"{len(permissions)} permissions; Lambda allows {POLICY_MAX_BYTES:,} bytes ({QUOTAS_URL}) and the "
                f"deploy fails (got permissions {', '.join(names[:5])}{' …' if len(names) > 5 else ''}). Fix: "
                f"spread the triggers over more aliases or functions, or route the sources through one (one "
                f"EventBridge rule with several patterns, one SNS topic) so one permission covers them"
            )
    return errors


# ----------------------------------------------------------------------------- Lambda@Edge


#: aws-cdk-lib's own edge check (``Function._checkEdgeCompatibility``) runs when a version's edge ARN
#: resolves and names the function: "The function <path> contains environment variables …".
_CDK_EDGE_ERROR = re.compile(r"The function (\S+) contains environment variables")


def _edge_events(root: IConstruct) -> dict[str, set[str]]:
    """Resolved version reference (JSON) or ``path:<function path>`` → the CloudFront events that associate it.

    Reads each distribution's raw properties (the L2 renders them lazily) and resolves only the
    association ARNs: resolving one makes aws-cdk-lib check the function's environment first, and
    its error names the function, which is enough to attribute the association.
    """
    out: dict[str, set[str]] = {}
    for node in root.node.find_all():
        if not isinstance(node, cloudfront.CfnDistribution):
            continue
        stack = Stack.of(node)

        def resolved(value: Any, stack: Stack = stack) -> Any:
            try:
                return stack.resolve(value)
            except Exception as exc:  # aws-cdk-lib's edge check (see _CDK_EDGE_ERROR)
                found = _CDK_EDGE_ERROR.search(str(exc))
                return {"path": found.group(1)} if found else None

        config = node._cfn_properties.get("distributionConfig") or {}
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


def _versions(fn: SecureFunction) -> Iterator[IConstruct]:
    for child in fn.function.node.children:
        if isinstance(child, lambda_.Version):
            yield child
    for child in fn.node.find_all():
        if isinstance(child, lambda_.Version) and child.node.scope is not fn.function:
            yield child


#: The module defining ``EdgeTrigger`` (looked up in ``sys.modules`` by :func:`check_edge`).
_EDGE_TRIGGER_MODULE = "lambda_constructs.triggers.edge"


def check_edge(fn: SecureFunction, edge: dict[str, set[str]]) -> list[str]:
    """Lambda@Edge errors of ``fn`` when one of its versions is associated with a distribution."""
    # Not imported: no EdgeTrigger exists unless its module was (importing it at synth loaded API Gateway,
    # Cognito, Step Functions … for every app, ≈ 0.2 s CPU; issue #21).
    edge_trigger = getattr(sys.modules.get(_EDGE_TRIGGER_MODULE), "EdgeTrigger", None)
    events = {
        str(t.event_type.value).lower().replace("_", "-")
        for t, _ in fn.triggers
        if edge_trigger is not None and isinstance(t, edge_trigger)
    }
    if edge:  # no distribution in the app associates a function: nothing to look up (6 round trips, #21)
        events |= edge.get(f"path:{fn.function.node.path}", set())
        for version in _versions(fn):
            arn = Stack.of(version).resolve(version.function_arn)  # type: ignore[attr-defined]
            events |= edge.get(json.dumps(arn, sort_keys=True), set())
    if not events:
        return []
    stack = Stack.of(fn)
    problems: list[str] = []
    names = sorted((_synthesized(fn, "environment").get("variables") or {}).keys())
    if names:
        problems.append(
            f"environment variables {names} (environment, secret_environment, params_and_secrets_extension)"
        )
    layers = _synthesized(fn, "layers") or []
    if layers:
        problems.append(f"{len(layers)} layer(s) (layers, insights_version, params_and_secrets_extension)")
    if _synthesized(fn, "vpcConfig"):
        problems.append("a VPC configuration (vpc)")
    if _synthesized(fn, "deadLetterConfig"):
        problems.append("a dead-letter queue")
    architectures = _synthesized(fn, "architectures") or ["x86_64"]
    if "x86_64" not in architectures:
        problems.append(f"architecture {architectures[0]} (Lambda@Edge runs x86_64 only)")
    if not Token.is_unresolved(stack.region) and stack.region != EDGE_REGION:
        problems.append(f"region {stack.region} (Lambda@Edge functions live in {EDGE_REGION})")
    memory = _synthesized(fn, "memorySize")
    timeout = _synthesized(fn, "timeout")
    viewer = {e for e in events if e.startswith("viewer")}
    if viewer and isinstance(memory, int) and memory > EDGE_VIEWER_MEMORY_MB:
        problems.append(f"memory {memory} MB (viewer events allow {EDGE_VIEWER_MEMORY_MB} MB, {EDGE_QUOTAS_URL})")
    limit = EDGE_VIEWER_TIMEOUT_S if viewer else EDGE_ORIGIN_TIMEOUT_S
    if isinstance(timeout, int) and timeout > limit:
        problems.append(f"timeout {timeout} s ({'viewer' if viewer else 'origin'} events allow {limit} s)")
    if not problems:
        return []
    return [
        f"{fn.node.path}: this function runs at the edge (Lambda@Edge: {', '.join(sorted(events))}), "
        f"but it has {'; '.join(problems)} ({EDGE_URL}). Fix: give the edge function none of these (no "
        f"environment, secret_environment, layers, insights_version, params_and_secrets_extension or vpc; "
        f"x86_64; within the event's memory and timeout; in {EDGE_REGION})"
    ]


# ----------------------------------------------------------------------------- concurrency


def check_concurrency(functions: list[SecureFunction]) -> None:
    """Warn on the function whose reserved concurrency makes its account/region pass quota − 100."""
    groups: dict[tuple[str, str], list[tuple[SecureFunction, int]]] = {}
    for fn in functions:
        reserved = fn.props.reserved_concurrent_executions
        if not isinstance(reserved, int) or reserved <= 0 or Token.is_unresolved(reserved):
            continue
        stack = Stack.of(fn)
        env = tuple("?" if Token.is_unresolved(v) else v for v in (stack.account, stack.region))
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


# ----------------------------------------------------------------------------- the validation


@jsii.implements(IValidation)
class _AppRules:
    def __init__(self, registry: _Registry) -> None:
        self._registry = registry

    def validate(self) -> list[str]:
        functions = self._registry.functions
        errors: list[str] = []
        for fn in functions:
            known, tokens = environment_size(fn)
            if known > ENV_MAX_BYTES:
                errors.append(
                    f"{fn.node.path}: environment variables take {known} bytes; Lambda allows at most "
                    f"{ENV_MAX_BYTES} bytes in total ({QUOTAS_URL}). Fix: move large values to SSM Parameter "
                    f"Store or Secrets Manager and pass them by reference"
                )
            elif known + tokens * TOKEN_ESTIMATE_BYTES > ENV_MAX_BYTES:
                warn(
                    fn,
                    "environmentMayExceed4KB",
                    f"environment variables take {known} bytes plus {tokens} deploy-time value(s) estimated at "
                    f"{TOKEN_ESTIMATE_BYTES} bytes each = {known + tokens * TOKEN_ESTIMATE_BYTES}; Lambda allows "
                    f"{ENV_MAX_BYTES} bytes in total",
                )
        if functions:
            errors.extend(check_policy_sizes(functions[0].node.root, functions))
        check_concurrency(functions)
        return errors


@jsii.implements(IAspect)
class _EdgeRules:
    def __init__(self, registry: _Registry) -> None:
        self._registry = registry

    def visit(self, node: IConstruct) -> None:
        functions = self._registry.functions
        if not functions or node.node.path != functions[0].function.node.path + "/Resource":
            return
        edge = _edge_events(node.node.root)
        errors = [e for fn in functions for e in check_edge(fn, edge)]
        if errors:
            raise LambdaConstructsError("", "; ".join(errors))
