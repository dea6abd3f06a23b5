"""Idle monthly cost of a cloud assembly, per stack and per function, by resource kind.

Reads ``cdk.out`` (top-level stacks, their nested stacks and every Stage's assembly), prices each
resource with a :class:`~lambda_constructs.cost.prices.PriceTable` and attributes it to the function it
belongs to: a resource under a function's construct path is the function's; so is a queue outside it
that only queues of that function redrive to (the dead-letter queue an ``SqsTrigger`` was given in
``queue_props.dead_letter_queue``), except the queues the library shares per stack; any other resource that
references (``Ref``/``Fn::GetAtt``) the resources of exactly one function — an alarm on its metrics, on its
failure queue or on such a dead-letter queue — is that function's too; the rest is shared by the stack.
Standard library only.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from lambda_constructs.assembly import TemplatePart, read_stacks
from lambda_constructs.cost.prices import PriceTable
from lambda_constructs.errors import LambdaConstructsError

#: Construct ids (prefixes) of the functions aws-cdk-lib adds for its custom resources.
_CDK_INFRASTRUCTURE = (
    "Custom::",
    "BucketNotificationsHandler",
    "AWS679f53fac002430cb0da5b7982bd2287",
    "LogRetentionaae0aa3c5b4d4f87b02d85b201efdd8a",
    "SingletonLambda",
)
#: Construct ids of the queues the library shares between the functions of a stack (the SQS triggers' dead-letter
#: queues, ``triggers.shared_dead_letter_queue.STACK_TRIGGER_DLQ_ID`` / ``…_FIFO_DLQ_ID``; a test checks): shared
#: even when one function's queues redrive to them.
SHARED_QUEUE_IDS = frozenset({"LambdaConstructsTriggerDeadLetterQueue", "LambdaConstructsTriggerDeadLetterQueueFifo"})
#: Label of costs a stack holds outside any function.
SHARED = "(shared by the stack)"
#: Resource kind of alarms whose price the table does not know (Metrics Insights queries).
UNPRICED = "unpriced: Metrics Insights alarm"


@dataclass
class Line:
    """Cost of one resource kind: count of billed units and USD per month."""

    units: float = 0.0
    """Billed units (keys, alarm metrics, dashboards …). Default: 0."""
    usd: float = 0.0
    """USD per month. Default: 0."""


@dataclass
class Bill:
    """Costs by resource kind (``"KMS keys"``, ``"alarm metrics"`` …)."""

    lines: dict[str, Line] = field(default_factory=dict)
    """Resource kind → its line. Default: empty."""

    def add(self, kind: str, units: float, usd: float) -> None:
        """Add ``units`` costing ``usd`` per month to the line of ``kind``."""
        line = self.lines.setdefault(kind, Line())
        line.units += units
        line.usd += usd

    def merge(self, other: Bill) -> None:
        """Add every line of ``other``."""
        for kind, line in other.lines.items():
            self.add(kind, line.units, line.usd)

    @property
    def usd(self) -> float:
        """Total USD per month."""
        return sum(line.usd for line in self.lines.values())


@dataclass
class StackCost:
    """A stack's idle cost: per function (by construct path) and shared; nested stacks are counted in."""

    name: str
    """The stack's display name (``Stage/Stack`` for a stack of a Stage)."""
    functions: dict[str, Bill] = field(default_factory=dict)
    """Function construct path → its costs. Default: empty."""
    shared: Bill = field(default_factory=Bill)
    """Costs not attributable to one function. Default: an empty bill."""

    @property
    def total(self) -> Bill:
        """Shared and per-function costs together."""
        total = Bill()
        total.merge(self.shared)
        for bill in self.functions.values():
            total.merge(bill)
        return total


def price_resource(resource: Mapping[str, Any], prices: PriceTable) -> list[tuple[str, float, float]]:
    """``(kind, units, usd)`` of one template resource; empty when it costs nothing while idle."""
    kind = resource.get("Type")
    props: Mapping[str, Any] = resource.get("Properties") or {}
    if kind == "AWS::KMS::Key":
        return [("KMS keys", 1, prices["kms_key"])]
    if kind == "AWS::CloudWatch::Alarm":
        return _price_alarm(props, prices)
    if kind == "AWS::CloudWatch::CompositeAlarm":
        return [("composite alarms", 1, prices["composite_alarm"])]
    if kind == "AWS::CloudWatch::Dashboard":
        return [("dashboards", 1, prices["dashboard"])]
    if kind == "AWS::SecretsManager::Secret":
        return [("secrets", 1, prices["secret"])]
    if kind == "AWS::EC2::NatGateway":
        return [("NAT gateways", 1, prices["nat_gateway"])]
    if kind == "AWS::EC2::VPCEndpoint" and props.get("VpcEndpointType") == "Interface":
        subnets = props.get("SubnetIds")
        azs = len(subnets) if isinstance(subnets, list) else 1
        return [("interface endpoint-AZs", azs, azs * prices["interface_endpoint_per_az"])]
    return []


def _price_alarm(props: Mapping[str, Any], prices: PriceTable) -> list[tuple[str, float, float]]:
    """An alarm is billed per metric it evaluates (every metric of a math expression counts)."""
    queries = props.get("Metrics")
    if not isinstance(queries, list):
        periods = [props.get("Period", 60)]
        metrics = 1
    else:
        expressions = [str(q.get("Expression", "")) for q in queries if isinstance(q, Mapping)]
        if any(e.lstrip().upper().startswith("SELECT") for e in expressions):
            return [(UNPRICED, 1, 0.0)]
        stats = [q["MetricStat"] for q in queries if isinstance(q, Mapping) and "MetricStat" in q]
        metrics = len(stats)
        periods = [s.get("Period", 60) for s in stats] or [60]
        if any("ANOMALY_DETECTION_BAND" in e for e in expressions):
            metrics *= 3
    high = any(isinstance(p, int | float) and p < 60 for p in periods)
    if high:
        return [("alarm metrics (high resolution)", metrics, metrics * prices["alarm_metric_high_resolution"])]
    return [("alarm metrics", metrics, metrics * prices["alarm_metric_standard"])]


def estimate(assembly: str | Path, prices: PriceTable) -> list[StackCost]:
    """Idle monthly cost of every stack of the assembly at ``assembly`` (Stage assemblies included).

    Raises:
        LambdaConstructsError: ``assembly`` holds no ``manifest.json``.
    """
    root = Path(assembly)
    if not (root / "manifest.json").is_file():
        raise LambdaConstructsError(
            "", "no cloud assembly here", value=str(root), fix="run `cdk synth` first (or pass --assembly DIR)"
        )
    return [_stack_cost(stack.display_name, list(stack.parts), prices) for stack in read_stacks(root)]


def _stack_cost(name: str, templates: list[TemplatePart], prices: PriceTable) -> StackCost:
    cost = StackCost(name)
    for t in templates:
        resources: Mapping[str, Any] = t.template.get("Resources") or {}
        owners = _function_paths(t, resources)
        owner_of = {lid: _owner(t.construct_paths.get(lid, ""), owners) for lid in resources}
        owner_of.update(_dead_letter_queue_owners(t, resources, owner_of))
        for lid, resource in resources.items():
            lines = price_resource(resource, prices)
            if not lines:
                continue
            owner = owner_of[lid]
            if owner is None and resource.get("Type") == "AWS::CloudWatch::Alarm":
                referenced = {owner_of.get(ref) for ref in _references(resource)} - {None}
                owner = referenced.pop() if len(referenced) == 1 else None
            bill = cost.functions.setdefault(owner, Bill()) if owner else cost.shared
            for kind, units, usd in lines:
                bill.add(kind, units, usd)
        for path in owners:
            cost.functions.setdefault(path, Bill())
    return cost


def _function_paths(t: TemplatePart, resources: Mapping[str, Any]) -> list[str]:
    """Construct paths of the functions (a SecureFunction's path, not its inner ``Function``)."""
    found = []
    for lid, resource in resources.items():
        if resource.get("Type") != "AWS::Lambda::Function" or lid not in t.construct_paths:
            continue
        path = t.construct_paths[lid].removesuffix("/Resource")
        # CDK's own singleton and custom-resource provider functions are not the application's.
        if any(part.startswith(_CDK_INFRASTRUCTURE) for part in path.split("/")):
            continue
        found.append(path.removesuffix("/Function"))
    return sorted(found, key=len, reverse=True)


def _dead_letter_queue_owners(
    t: TemplatePart, resources: Mapping[str, Any], owner_of: Mapping[str, str | None]
) -> dict[str, str]:
    """Queues outside every function that only one function's queues redrive to (``RedrivePolicy``'s
    ``deadLetterTargetArn``), by logical id, with that function; the library's shared queues excepted."""
    redriven_by: dict[str, set[str | None]] = {}
    for lid, resource in resources.items():
        if resource.get("Type") != "AWS::SQS::Queue":
            continue
        redrive = (resource.get("Properties") or {}).get("RedrivePolicy")
        target = redrive.get("deadLetterTargetArn") if isinstance(redrive, Mapping) else None
        for ref in _references(target):
            redriven_by.setdefault(ref, set()).add(owner_of.get(lid))
    found: dict[str, str] = {}
    for lid, sources in redriven_by.items():
        owner = next(iter(sources)) if len(sources) == 1 else None
        if owner is None or lid not in resources or owner_of.get(lid) is not None:
            continue
        construct_id = t.construct_paths.get(lid, "").removesuffix("/Resource").rpartition("/")[2]
        if construct_id not in SHARED_QUEUE_IDS:
            found[lid] = owner
    return found


def _owner(path: str, functions: list[str]) -> str | None:
    return next((f for f in functions if path.startswith(f + "/")), None)


def _references(value: Any) -> Iterator[str]:
    if isinstance(value, Mapping):
        for key, inner in value.items():
            if key == "Ref" and isinstance(inner, str):
                yield inner
            elif key == "Fn::GetAtt" and isinstance(inner, list) and inner:
                yield str(inner[0])
            else:
                yield from _references(inner)
    elif isinstance(value, list):
        for inner in value:
            yield from _references(inner)
