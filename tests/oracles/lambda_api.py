"""API-constraint oracle: literal ``AWS::Lambda::*`` properties vs the botocore Lambda service model.

CloudFormation creates each Lambda resource through Lambda's API, so a literal property value must
satisfy the request shape of the API operation it reaches (min/max length or value, pattern, enum,
list length), as the pinned botocore (constraints.txt) describes it in
``botocore/data/lambda/2015-03-31/service-2.json``:

====================================  ==============================================================
CloudFormation type                   API operation (request shape)
====================================  ==============================================================
AWS::Lambda::Function                 CreateFunction (+ PutFunctionConcurrency, PutRuntimeManagementConfig)
AWS::Lambda::Alias                    CreateAlias (+ PutProvisionedConcurrencyConfig)
AWS::Lambda::Version                  PublishVersion (+ PutProvisionedConcurrencyConfig)
AWS::Lambda::EventSourceMapping       CreateEventSourceMapping
AWS::Lambda::EventInvokeConfig        PutFunctionEventInvokeConfig
AWS::Lambda::Permission               AddPermission
AWS::Lambda::LayerVersion             PublishLayerVersion
AWS::Lambda::LayerVersionPermission   AddLayerVersionPermission
AWS::Lambda::Url                      CreateFunctionUrlConfig
====================================  ==============================================================

CloudFormation property names are matched to API member names case-insensitively (``KmsKeyArn`` →
``KMSKeyArn``); the shapes CloudFormation spells differently are converted first (``Tags`` list →
map, ``RoutingConfig.AdditionalVersionWeights`` list → map, ``SelfManagedEventSource.Endpoints``).
Values containing an intrinsic function are not checked (unknown before deploy). A property with no
API member is a finding (``unmapped``) unless listed in :data:`NOT_IN_API`.

Documented limits the model does not carry (https://docs.aws.amazon.com/lambda/latest/dg/gettingstarted-limits.html):
memory 128–10,240 MB, timeout ≤ 900 s, environment variables ≤ 4 KB combined.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from typing import Any

import botocore.loaders  # type: ignore[import-untyped]

from tests.oracles.intrinsics import is_literal

QUOTAS_URL = "https://docs.aws.amazon.com/lambda/latest/dg/gettingstarted-limits.html"
MEMORY_MB = (128, 10240)
TIMEOUT_MAX_S = 900
ENVIRONMENT_MAX_BYTES = 4096

# CloudFormation type → (main request shape, {property: (other shape, member of it or "" for the shape itself)}).
OPERATIONS: dict[str, tuple[str, dict[str, tuple[str, str]]]] = {
    "AWS::Lambda::Function": (
        "CreateFunctionRequest",
        {
            "ReservedConcurrentExecutions": ("PutFunctionConcurrencyRequest", "ReservedConcurrentExecutions"),
            "RuntimeManagementConfig": ("PutRuntimeManagementConfigRequest", ""),
        },
    ),
    "AWS::Lambda::Alias": (
        "CreateAliasRequest",
        {"ProvisionedConcurrencyConfig": ("PutProvisionedConcurrencyConfigRequest", "")},
    ),
    "AWS::Lambda::Version": (
        "PublishVersionRequest",
        {"ProvisionedConcurrencyConfig": ("PutProvisionedConcurrencyConfigRequest", "")},
    ),
    "AWS::Lambda::EventSourceMapping": ("CreateEventSourceMappingRequest", {}),
    "AWS::Lambda::EventInvokeConfig": ("PutFunctionEventInvokeConfigRequest", {}),
    "AWS::Lambda::Permission": ("AddPermissionRequest", {}),
    "AWS::Lambda::LayerVersion": ("PublishLayerVersionRequest", {}),
    "AWS::Lambda::LayerVersionPermission": (
        "AddLayerVersionPermissionRequest",
        {"LayerVersionArn": ("LayerVersionArn", "")},  # the API takes it as LayerName + VersionNumber
    ),
    "AWS::Lambda::Url": (
        "CreateFunctionUrlConfigRequest",
        {"TargetFunctionArn": ("CreateFunctionUrlConfigRequest", "FunctionName")},
    ),
}

# CloudFormation-only properties (no API member): the code location and the Version's runtime policy.
NOT_IN_API = {
    ("AWS::Lambda::Function", "Code"),
    ("AWS::Lambda::LayerVersion", "Content"),
    ("AWS::Lambda::Version", "RuntimePolicy"),
}


@dataclass(frozen=True)
class Finding:
    kind: str
    path: str
    value: Any
    detail: str

    def __str__(self) -> str:
        return f"lambda-api {self.kind}: {self.path} = {self.value!r}: {self.detail}"


@cache
def model() -> dict[str, Any]:
    shapes: dict[str, Any] = botocore.loaders.Loader().load_service_model("lambda", "service-2")["shapes"]
    return shapes


@cache
def _pattern(java: str) -> re.Pattern[str] | None:
    try:
        return re.compile(java, re.DOTALL)
    except re.error:  # a Java-only construct: not checked
        return None


def _cfn_to_api(kind: str, props: dict[str, Any]) -> dict[str, Any]:
    out = dict(props)
    if isinstance(out.get("Tags"), list) and is_literal(out["Tags"]):
        out["Tags"] = {t["Key"]: t["Value"] for t in out["Tags"]}
    elif "Tags" in out:
        out.pop("Tags")
    routing = out.get("RoutingConfig")
    if isinstance(routing, dict) and isinstance(routing.get("AdditionalVersionWeights"), list):
        weights = routing["AdditionalVersionWeights"]
        out["RoutingConfig"] = {
            "AdditionalVersionWeights": {
                str(w.get("FunctionVersion")): w.get("FunctionWeight") for w in weights if isinstance(w, dict)
            }
        }
        if not all(isinstance(w.get("FunctionVersion"), str) for w in weights if isinstance(w, dict)):
            out["RoutingConfig"] = {}
    source = out.get("SelfManagedEventSource")
    if isinstance(source, dict) and isinstance(source.get("Endpoints"), dict):
        endpoints = source["Endpoints"]
        out["SelfManagedEventSource"] = {
            "Endpoints": {"KAFKA_BOOTSTRAP_SERVERS": endpoints.get("KafkaBootstrapServers", [])}
        }
    return out


def _check(value: Any, shape_name: str, path: str, out: list[Finding]) -> None:
    if not is_literal(value):
        return
    shape = model()[shape_name]
    kind = shape["type"]
    if kind == "structure":
        if not isinstance(value, dict):
            out.append(Finding("type", path, value, f"expected an object ({shape_name})"))
            return
        members = {m.lower(): (m, s["shape"]) for m, s in shape["members"].items()}
        for key, v in value.items():
            if key.lower() not in members:
                out.append(Finding("unmapped", f"{path}.{key}", v, f"no member of {shape_name}"))
                continue
            _check(v, members[key.lower()][1], f"{path}.{key}", out)
    elif kind == "list":
        if not isinstance(value, list):
            out.append(Finding("type", path, value, "expected a list"))
            return
        _bounds(len(value), shape, path, value, "items", out)
        for i, item in enumerate(value):
            _check(item, shape["member"]["shape"], f"{path}[{i}]", out)
    elif kind == "map":
        if not isinstance(value, dict):
            out.append(Finding("type", path, value, "expected a map"))
            return
        _bounds(len(value), shape, path, value, "entries", out)
        for k, v in value.items():
            _check(k, shape["key"]["shape"], f"{path}<key {k}>", out)
            _check(v, shape["value"]["shape"], f"{path}.{k}", out)
    elif kind == "string":
        text = value if isinstance(value, str) else str(value)
        _bounds(len(text), shape, path, value, "characters", out)
        if "enum" in shape and text not in shape["enum"]:
            out.append(Finding("enum", path, value, f"not one of {shape['enum']} ({shape_name})"))
        pattern = _pattern(shape["pattern"]) if "pattern" in shape else None
        if pattern is not None and not pattern.fullmatch(text):
            out.append(Finding("pattern", path, value, f"does not match {shape['pattern']} ({shape_name})"))
    elif kind in ("integer", "long"):
        try:
            number = int(value)
        except (TypeError, ValueError):
            out.append(Finding("type", path, value, "expected an integer"))
            return
        _bounds(number, shape, path, value, "", out)


def _bounds(n: int, shape: dict[str, Any], path: str, value: Any, unit: str, out: list[Finding]) -> None:
    if "min" in shape and n < shape["min"]:
        out.append(Finding("min", path, value, f"{n} {unit} < min {shape['min']}".replace("  ", " ")))
    if "max" in shape and n > shape["max"]:
        out.append(Finding("max", path, value, f"{n} {unit} > max {shape['max']}".replace("  ", " ")))


def _documented_limits(props: dict[str, Any], path: str, out: list[Finding]) -> None:
    memory = props.get("MemorySize")
    if isinstance(memory, int) and not MEMORY_MB[0] <= memory <= MEMORY_MB[1]:
        out.append(Finding("quota", f"{path}.MemorySize", memory, f"outside {MEMORY_MB} MB ({QUOTAS_URL})"))
    timeout = props.get("Timeout")
    if isinstance(timeout, int) and timeout > TIMEOUT_MAX_S:
        out.append(Finding("quota", f"{path}.Timeout", timeout, f"> {TIMEOUT_MAX_S} s ({QUOTAS_URL})"))
    variables = (props.get("Environment") or {}).get("Variables") or {}
    if isinstance(variables, dict):
        literal = sum(len(k.encode()) + len(v.encode()) for k, v in variables.items() if isinstance(v, str))
        if literal > ENVIRONMENT_MAX_BYTES:
            out.append(
                Finding("quota", f"{path}.Environment", literal, f"> {ENVIRONMENT_MAX_BYTES} bytes ({QUOTAS_URL})")
            )


def check_template(template: dict[str, Any], name: str = "") -> list[Finding]:
    """Every finding on the ``AWS::Lambda::*`` resources of ``template``."""
    out: list[Finding] = []
    for logical_id, resource in template.get("Resources", {}).items():
        kind = resource.get("Type", "")
        if not kind.startswith("AWS::Lambda::"):
            continue
        path = f"{name}:{logical_id}"
        if kind not in OPERATIONS:
            out.append(Finding("unmapped", path, kind, "no API operation mapped for this type"))
            continue
        request, extra = OPERATIONS[kind]
        members = {m.lower(): s["shape"] for m, s in model()[request]["members"].items()}
        for key, value in _cfn_to_api(kind, resource.get("Properties", {})).items():
            if (kind, key) in NOT_IN_API:
                continue
            if key in extra:
                other, member = extra[key]
                shape = model()[other]["members"][member]["shape"] if member else other
                _check(value, shape, f"{path}.{key}", out)
            elif key.lower() in members:
                _check(value, members[key.lower()], f"{path}.{key}", out)
            else:
                out.append(Finding("unmapped", f"{path}.{key}", value, f"no member of {request}"))
        if kind == "AWS::Lambda::Function":
            _documented_limits(resource.get("Properties", {}), path, out)
    return out
