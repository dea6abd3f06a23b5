#!/usr/bin/env python3
"""Draw the synthesized stacks of a cloud assembly (``cdk.out``) as one SVG (``make diagram``).

Each stack template (and each nested-stack template) becomes a box: triggers on the left, aliases and
versions, functions in the middle, destinations (queues, topics, log groups) and KMS keys on the right.
Nodes and arrows come from the templates only — ``Ref``/``Fn::GetAtt`` references and the known
relations of each resource type — so the picture is generated, never drawn by hand. The output is
deterministic (sorted, no timestamps); it uses nothing but the Python standard library and the
library's assembly reader (``lambda_constructs.assembly``, itself standard library only).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from lambda_constructs.assembly import AssemblyError, read_stacks  # noqa: E402

Json = Any

FUNCTION = "AWS::Lambda::Function"
ALIAS = "AWS::Lambda::Alias"
VERSION = "AWS::Lambda::Version"
INVOCABLE = (FUNCTION, ALIAS, VERSION)
DESTINATION_TYPES = ("AWS::SQS::Queue", "AWS::SNS::Topic", "AWS::Events::EventBus", FUNCTION)
LOG_GROUP = "AWS::Logs::LogGroup"
KEY = "AWS::KMS::Key"
# Resource types that reference functions without invoking them (or are drawn through other relations).
NOT_TRIGGERS = (
    "AWS::IAM::",
    "AWS::CloudWatch::",
    "AWS::CodeDeploy::",
    "AWS::Logs::QueryDefinition",
    "AWS::Logs::MetricFilter",
    "AWS::Logs::LogGroup",
    "AWS::Lambda::EventInvokeConfig",
    "AWS::Lambda::Alias",
    "AWS::Lambda::Version",
    "AWS::Lambda::Function",
    "AWS::Lambda::LayerVersion",
    "AWS::CDK::Metadata",
    "AWS::CloudFormation::Stack",
    "AWS::KMS::",
    "AWS::EC2::",
    "AWS::SQS::QueuePolicy",
    "AWS::SNS::TopicPolicy",
    "AWS::S3::BucketPolicy",
    "AWS::Lambda::Url",
)
# A trigger resource drawn as the resource it belongs to (property naming the owner).
OWNER_PROPERTY = {
    "AWS::ApiGateway::Method": "RestApiId",
    "AWS::ApiGateway::Stage": "RestApiId",
    "AWS::ApiGateway::Resource": "RestApiId",
    "AWS::ApiGateway::Deployment": "RestApiId",
    "AWS::ApiGateway::Authorizer": "RestApiId",
    "AWS::ApiGatewayV2::Integration": "ApiId",
    "AWS::ApiGatewayV2::Route": "ApiId",
    "AWS::ApiGatewayV2::Stage": "ApiId",
    "AWS::ApiGatewayV2::Authorizer": "ApiId",
    "AWS::SNS::Subscription": "TopicArn",
    "Custom::S3BucketNotifications": "BucketName",
    "AWS::Lambda::EventSourceMapping": "EventSourceArn",
    "AWS::Lambda::Permission": "SourceArn",
    "AWS::Events::Rule": "",
    "AWS::Scheduler::Schedule": "",
}

# Edge kinds, their colours and dash patterns (also the legend).
EDGE_STYLES: dict[str, tuple[str, str, str]] = {
    "invoke": ("#0969da", "", "invokes (trigger, API, subscription, rule, mapping)"),
    "alias": ("#57606a", "", "alias → version → function"),
    "destination": ("#bc4c00", "7 4", "async destination / dead-letter queue"),
    "logs": ("#1a7f37", "2 3", "writes logs to"),
    "encryption": ("#8250df", "4 2 1 2", "encrypted with"),
}
# Node kinds: fill, stroke, legend text.
NODE_STYLES: dict[str, tuple[str, str, str]] = {
    "source": ("#ddf4ff", "#0969da", "trigger / event source"),
    "alias": ("#fff8c5", "#9a6700", "alias"),
    "version": ("#fbefff", "#8250df", "version"),
    "function": ("#dafbe1", "#1a7f37", "function"),
    "destination": ("#fff1e5", "#bc4c00", "queue / topic destination"),
    "log": ("#f6f8fa", "#57606a", "log group"),
    "key": ("#f5f0ff", "#6639ba", "KMS key"),
}
# Column of each node kind; trigger dead-letter queues get column 0.
COLUMNS = {"source": 1, "alias": 2, "version": 3, "function": 4, "destination": 5, "log": 5, "key": 6}
KIND_ORDER = ["source", "alias", "version", "function", "destination", "log", "key"]

FONT = 11.0
CHAR_WIDTH = 6.4  # average width of an 11px sans-serif character
NODE_HEIGHT = 34
NODE_GAP = 8
BAND_GAP = 16
COLUMN_GAP = 64
PADDING = 16
MAX_LABEL = 44


@dataclass
class Node:
    """A drawn resource (or a service principal) of one template."""

    id: str
    """``<template name>/<logical id>`` (``<template name>/principal:<service>`` for a principal)."""
    kind: str
    """One of ``NODE_STYLES``."""
    title: str
    """First line: the construct path inside the stack (the logical id when there is no metadata)."""
    subtitle: str
    """Second line: the short resource type and a detail (runtime, alias name)."""
    column: int = 0
    """Layout column (see ``COLUMNS``); default 0, set by the layout."""
    band: int = 0
    """Index of the function group the node is drawn with; default 0, set by the layout."""
    x: float = 0.0
    """Left edge; default 0, set by the layout."""
    y: float = 0.0
    """Top edge; default 0, set by the layout."""
    width: float = 0.0
    """Box width; default 0, set by the layout."""


@dataclass(frozen=True, order=True)
class Edge:
    """An arrow between two nodes of one template."""

    source: str
    """Id of the node the arrow starts at."""
    target: str
    """Id of the node the arrow points to."""
    kind: str
    """One of ``EDGE_STYLES``."""


@dataclass
class Graph:
    """The nodes and edges of one template (a stack or a nested stack)."""

    name: str
    """The stack's display name (``Parent/Shard`` for a nested stack)."""
    nodes: dict[str, Node] = field(default_factory=dict)
    """Nodes by id; default empty."""
    edges: set[Edge] = field(default_factory=set)
    """Edges; default empty."""


def refs(value: Json) -> Iterator[str]:
    """Every logical id referenced by ``Ref`` or ``Fn::GetAtt`` inside ``value`` (pseudo parameters skipped)."""
    if isinstance(value, dict):
        for key, inner in value.items():
            if key == "Ref" and isinstance(inner, str) and not inner.startswith("AWS::"):
                yield inner
            elif key == "Fn::GetAtt":
                target = inner[0] if isinstance(inner, list) else str(inner).split(".")[0]
                if isinstance(target, str):
                    yield target
            else:
                yield from refs(inner)
    elif isinstance(value, list):
        for item in value:
            yield from refs(item)


def short_type(resource_type: str) -> str:
    """``AWS::SQS::Queue`` → ``SQS::Queue``."""
    return resource_type.removeprefix("AWS::")


class TemplateReader:
    """Turns one CloudFormation template into a :class:`Graph`."""

    def __init__(self, name: str, template: Json) -> None:
        """Read ``template`` (a parsed template) of the stack called ``name``."""
        self.graph = Graph(name)
        self.resources: dict[str, Json] = dict(template.get("Resources", {}))
        self.providers = self._custom_resource_providers()

    def type_of(self, logical_id: str) -> str:
        """The resource type of ``logical_id`` ("" when it is not a resource of this template)."""
        resource = self.resources.get(logical_id)
        return str(resource.get("Type", "")) if isinstance(resource, dict) else ""

    def props(self, logical_id: str) -> Json:
        """The ``Properties`` of ``logical_id``."""
        return self.resources[logical_id].get("Properties", {}) or {}

    def _custom_resource_providers(self) -> set[str]:
        """Functions that only back custom resources (their ``ServiceToken``): not drawn."""
        providers: set[str] = set()
        for resource in self.resources.values():
            token = (resource.get("Properties") or {}).get("ServiceToken")
            providers.update(ref for ref in refs(token) if self.type_of(ref) == FUNCTION)
        return providers

    def invocables(self, value: Json) -> list[str]:
        """The drawn functions, aliases and versions referenced in ``value``."""
        found = {ref for ref in refs(value) if self.type_of(ref) in INVOCABLE and ref not in self.providers}
        return sorted(found)

    def node_id(self, logical_id: str) -> str:
        """The graph id of a resource."""
        return f"{self.graph.name}/{logical_id}"

    def add_node(self, logical_id: str, kind: str) -> str:
        """Add (or keep) the node of a resource; returns its id. A trigger kind wins over a destination."""
        node_id = self.node_id(logical_id)
        existing = self.graph.nodes.get(node_id)
        if existing is not None:
            if KIND_ORDER.index(kind) < KIND_ORDER.index(existing.kind) and existing.kind == "destination":
                existing.kind = kind
            return node_id
        resource = self.resources[logical_id]
        path = str((resource.get("Metadata") or {}).get("aws:cdk:path", ""))
        title = path.split("/", 1)[1] if "/" in path else logical_id
        title = title.removesuffix("/Resource")
        props = self.props(logical_id)
        detail = ""
        if resource["Type"] == FUNCTION:
            detail = str(props.get("Runtime", "") or ("image" if props.get("PackageType") == "Image" else ""))
        elif resource["Type"] == ALIAS:
            detail = str(props.get("Name", ""))
        subtitle = f"{short_type(resource['Type'])} {detail}".strip()
        self.graph.nodes[node_id] = Node(node_id, kind, title, subtitle)
        return node_id

    def add_edge(self, source: str, target: str, kind: str) -> None:
        """Add an arrow (self-loops are ignored)."""
        if source != target:
            self.graph.edges.add(Edge(source, target, kind))

    def owners(self, logical_id: str) -> list[str]:
        """The resources a trigger resource is drawn as (an API for its methods, a topic for a subscription)."""
        resource_type = self.type_of(logical_id)
        prop = OWNER_PROPERTY.get(resource_type)
        if not prop:
            return [logical_id]
        owners = sorted(
            {
                owner
                for ref in refs(self.props(logical_id).get(prop))
                if self.type_of(ref) and self.type_of(ref) not in INVOCABLE
                for owner in self.owners(ref)
            }
        )
        return owners

    def read(self) -> Graph:
        """Build the graph: functions, then their aliases/versions, triggers, destinations and keys."""
        for logical_id in sorted(self.resources):
            if self.type_of(logical_id) == FUNCTION and logical_id not in self.providers:
                self._function(logical_id)
        for logical_id in sorted(self.resources):
            resource_type = self.type_of(logical_id)
            if resource_type in (ALIAS, VERSION):
                self._alias_or_version(logical_id)
        for logical_id in sorted(self.resources):
            resource_type = self.type_of(logical_id)
            if resource_type == "AWS::Lambda::EventInvokeConfig":
                self._event_invoke_config(logical_id)
            elif resource_type == "AWS::Lambda::Permission":
                self._permission(logical_id)
            elif resource_type == "AWS::Lambda::Url":
                self._function_url(logical_id)
            elif not resource_type.startswith(NOT_TRIGGERS):
                self._generic_trigger(logical_id)
        self._keys()
        return self.graph

    def _function(self, logical_id: str) -> None:
        node = self.add_node(logical_id, "function")
        props = self.props(logical_id)
        for key in refs(props.get("KmsKeyArn")):
            if self.type_of(key) == KEY:
                self.add_edge(node, self.add_node(key, "key"), "encryption")
        for group in refs((props.get("LoggingConfig") or {}).get("LogGroup")):
            if self.type_of(group) == LOG_GROUP:
                self.add_edge(node, self.add_node(group, "log"), "logs")
        for target in refs((props.get("DeadLetterConfig") or {}).get("TargetArn")):
            if self.type_of(target) in DESTINATION_TYPES:
                self.add_edge(node, self.add_node(target, "destination"), "destination")
        # A log group named after the function (/aws/lambda/<name>) without LoggingConfig.
        for group in sorted(self.resources):
            if self.type_of(group) == LOG_GROUP and logical_id in set(refs(self.props(group).get("LogGroupName"))):
                self.add_edge(node, self.add_node(group, "log"), "logs")

    def _alias_or_version(self, logical_id: str) -> None:
        props = self.props(logical_id)
        functions = [ref for ref in refs(props.get("FunctionName")) if self.node_id(ref) in self.graph.nodes]
        if not functions:
            return
        kind = "alias" if self.type_of(logical_id) == ALIAS else "version"
        node = self.add_node(logical_id, kind)
        versions = [
            ref
            for ref in refs([props.get("FunctionVersion"), props.get("RoutingConfig")])
            if self.type_of(ref) == VERSION
        ]
        for version in versions:
            self.add_edge(node, self.add_node(version, "version"), "alias")
        if not versions:
            for function in functions:
                self.add_edge(node, self.node_id(function), "alias")

    def _target(self, ref: str) -> str | None:
        """The drawn node of an invoked function/alias/version, if drawn."""
        node_id = self.node_id(ref)
        return node_id if node_id in self.graph.nodes else None

    def function_of(self, node_id: str) -> str:
        """The function node behind an alias or version node (the node itself otherwise)."""
        logical_id = node_id.rsplit("/", 1)[1]
        if self.type_of(logical_id) in (ALIAS, VERSION):
            for ref in refs(self.props(logical_id).get("FunctionName")):
                if self._target(ref):
                    return self.node_id(ref)
        return node_id

    def _event_invoke_config(self, logical_id: str) -> None:
        """Async destinations, drawn from the function (whichever alias the configuration qualifies)."""
        props = self.props(logical_id)
        sources = [t for t in (self._target(r) for r in refs(props.get("FunctionName"))) if t]
        for destination in refs(props.get("DestinationConfig")):
            if self.type_of(destination) in DESTINATION_TYPES:
                kind = "function" if self.type_of(destination) == FUNCTION else "destination"
                target = self.add_node(destination, kind)
                for source in sources:
                    self.add_edge(source, target, "destination")

    def _permission(self, logical_id: str) -> None:
        props = self.props(logical_id)
        targets = [t for t in (self._target(r) for r in self.invocables(props.get("FunctionName"))) if t]
        if not targets:
            return
        owners = [owner for owner in self.owners(logical_id) if owner != logical_id]
        sources = [self.add_node(owner, "source") for owner in owners]
        principal = props.get("Principal")
        if not sources and isinstance(principal, str) and principal.endswith(".amazonaws.com"):
            node_id = f"{self.graph.name}/principal:{principal}"
            if node_id not in self.graph.nodes:
                self.graph.nodes[node_id] = Node(node_id, "source", principal, "service principal")
            sources = [node_id]
        for source in sources:
            for target in targets:
                self.add_edge(source, target, "invoke")

    def _function_url(self, logical_id: str) -> None:
        props = self.props(logical_id)
        functions = self.invocables(props.get("TargetFunctionArn"))
        qualifier = props.get("Qualifier")
        targets: list[str] = []
        for function in functions:
            alias = next(
                (
                    ref
                    for ref in sorted(self.resources)
                    if self.type_of(ref) == ALIAS
                    and function in set(refs(self.props(ref).get("FunctionName")))
                    and self.props(ref).get("Name") == qualifier
                ),
                None,
            )
            target = self._target(alias or function)
            if target:
                targets.append(target)
        if targets:
            node = self.add_node(logical_id, "source")
            for target in targets:
                self.add_edge(node, target, "invoke")

    def _generic_trigger(self, logical_id: str) -> None:
        """A resource whose properties reference a function/alias invokes it (rules, schedules, APIs…)."""
        props = self.props(logical_id)
        targets = [t for t in (self._target(r) for r in self.invocables(props)) if t]
        if not targets:
            return
        owners = self.owners(logical_id) or [logical_id]
        sources = [self.add_node(owner, "source") for owner in owners]
        for source in sources:
            for target in targets:
                self.add_edge(source, target, "invoke")
        # Failure destinations of a mapping belong to its function; a trigger's own DLQs belong to it.
        resource_type = self.type_of(logical_id)
        if resource_type == "AWS::Lambda::EventSourceMapping":
            dlq_sources = sorted({self.function_of(target) for target in targets})
            dlq_values = [props.get("DestinationConfig")]
        else:
            dlq_sources = sources
            dlq_values = [props.get("RedrivePolicy"), props.get("DeadLetterConfig")]
            dlq_values += [target.get("DeadLetterConfig") for target in props.get("Targets", []) or []]
            dlq_values.append((props.get("Target") or {}).get("DeadLetterConfig"))
        for destination in refs(dlq_values):
            if self.type_of(destination) in DESTINATION_TYPES and self.type_of(destination) != FUNCTION:
                node = self.add_node(destination, "destination")
                for source in dlq_sources:
                    self.add_edge(source, node, "destination")

    def _keys(self) -> None:
        """KMS keys of the drawn destinations and log groups (not of the triggers' own dead-letter queues)."""
        fed_by_functions = {
            edge.target
            for edge in self.graph.edges
            if self.graph.nodes[edge.source].kind in ("function", "alias", "version")
        }
        for node in sorted(self.graph.nodes.values(), key=lambda n: n.id):
            if node.kind not in ("destination", "log") or node.id not in fed_by_functions:
                continue
            logical_id = node.id.rsplit("/", 1)[1]
            props = self.props(logical_id)
            for key in refs([props.get("KmsMasterKeyId"), props.get("KmsKeyId")]):
                if self.type_of(key) == KEY:
                    self.add_edge(node.id, self.add_node(key, "key"), "encryption")


def read_assembly(cdk_out: Path) -> list[Graph]:
    """One graph per stack template of the assembly, per nested-stack template (named by its construct
    path) and per stack of a Stage's assembly, sorted by name (lambda_constructs.assembly reads them)."""
    graphs = [
        TemplateReader(part.path or stack.display_name, part.template).read()
        for stack in read_stacks(cdk_out)
        for part in stack.parts
    ]
    return sorted(graphs, key=lambda graph: graph.name)


def label(text: str) -> str:
    """``text`` shortened to ``MAX_LABEL`` characters (an ellipsis in the middle)."""
    if len(text) <= MAX_LABEL:
        return text
    half = (MAX_LABEL - 1) // 2
    return f"{text[:half]}…{text[-half:]}"


def text_width(text: str) -> float:
    """Approximate rendered width of ``text`` at the diagram's font size."""
    return len(text) * CHAR_WIDTH


def layout(graph: Graph) -> tuple[float, float]:
    """Place every node of ``graph`` (relative to the box); returns the box's inner width and height."""
    nodes = graph.nodes
    for node in nodes.values():
        node.column = COLUMNS[node.kind]
    # A dead-letter queue that only trigger resources use goes left of the triggers (column 0).
    incoming: dict[str, set[str]] = {node_id: set() for node_id in nodes}
    for edge in graph.edges:
        incoming[edge.target].add(nodes[edge.source].kind)
    for node in nodes.values():
        if node.kind == "destination" and incoming[node.id] == {"source"}:
            node.column = 0
    # Bands: one per function (sorted by title); every other node joins the first band it touches.
    functions = sorted((n for n in nodes.values() if n.kind == "function"), key=lambda n: (n.title, n.id))
    band_of: dict[str, int] = {}
    neighbours: dict[str, set[str]] = {node_id: set() for node_id in nodes}
    for edge in sorted(graph.edges):
        neighbours[edge.source].add(edge.target)
        neighbours[edge.target].add(edge.source)
    frontier = []
    for index, function in enumerate(functions):
        band_of[function.id] = index
        frontier.append(function.id)
    while frontier:  # breadth-first from the functions, lowest band first
        next_frontier: list[str] = []
        for node_id in sorted(frontier, key=lambda n: (band_of[n], n)):
            for other in sorted(neighbours[node_id]):
                if other not in band_of or band_of[node_id] < band_of[other]:
                    if other not in band_of:
                        next_frontier.append(other)
                    band_of[other] = min(band_of.get(other, band_of[node_id]), band_of[node_id])
        frontier = next_frontier
    for node in nodes.values():
        node.band = band_of.get(node.id, len(functions))

    # Aliases of $LATEST first, versions below them: their straight arrows then pass no version box.
    direct = {e.source for e in graph.edges if e.kind == "alias" and nodes[e.target].kind == "function"}
    direct = {node_id for node_id in direct if nodes[node_id].kind == "alias"}
    columns = sorted({node.column for node in nodes.values()})
    widths = {
        column: max(
            max(text_width(label(n.title)), text_width(label(n.subtitle))) + 2 * 10
            for n in nodes.values()
            if n.column == column
        )
        for column in columns
    }
    x: float = PADDING
    column_x: dict[int, float] = {}
    for column in columns:
        column_x[column] = x
        x += widths[column] + COLUMN_GAP
    width = max(x - COLUMN_GAP + PADDING, 360.0)

    y = PADDING + 22.0  # room for the stack title
    bands = sorted({node.band for node in nodes.values()})
    for band in bands:
        rows = 0
        for column in columns:
            members = sorted(
                (n for n in nodes.values() if n.band == band and n.column == column),
                key=lambda n: (KIND_ORDER.index(n.kind), n.id not in direct, n.title, n.id),
            )
            skip = sum(1 for n in nodes.values() if n.band == band and n.id in direct) if column == 3 and members else 0
            for index, node in enumerate(members):
                row = index + skip
                node.x, node.width = column_x[column], widths[column]
                node.y = y + row * (NODE_HEIGHT + NODE_GAP)
            rows = max(rows, len(members) + skip)
        y += rows * (NODE_HEIGHT + NODE_GAP) - NODE_GAP + BAND_GAP
    height = max(y - BAND_GAP + PADDING, PADDING * 2 + 40.0)
    return width, height


def fmt(value: float) -> str:
    """A coordinate with at most one decimal (stable text for a deterministic file)."""
    return f"{value:.1f}".removesuffix(".0")


def edge_path(source: Node, target: Node, dx: float, dy: float) -> str:
    """A cubic Bézier from one box side to the other (or around the right side within a column)."""
    sy, ty = source.y + NODE_HEIGHT / 2 + dy, target.y + NODE_HEIGHT / 2 + dy
    if target.column > source.column:
        sx, tx = source.x + source.width + dx, target.x + dx
        bend = (tx - sx) / 2
        return f"M{fmt(sx)},{fmt(sy)} C{fmt(sx + bend)},{fmt(sy)} {fmt(tx - bend)},{fmt(ty)} {fmt(tx)},{fmt(ty)}"
    if target.column < source.column:
        sx, tx = source.x + dx, target.x + target.width + dx
        bend = (sx - tx) / 2
        return f"M{fmt(sx)},{fmt(sy)} C{fmt(sx - bend)},{fmt(sy)} {fmt(tx + bend)},{fmt(ty)} {fmt(tx)},{fmt(ty)}"
    sx = tx = source.x + source.width + dx
    return f"M{fmt(sx)},{fmt(sy)} C{fmt(sx + 30)},{fmt(sy)} {fmt(tx + 30)},{fmt(ty)} {fmt(tx)},{fmt(ty)}"


def render(graphs: list[Graph], title: str) -> str:
    """The SVG document of ``graphs`` (one box per stack, stacked vertically, legend on top)."""
    sizes = [layout(graph) for graph in graphs]
    legend_height = 70.0
    width = max([w for w, _ in sizes] + [900.0]) + 2 * PADDING
    height = PADDING + 24 + legend_height + sum(h + PADDING for _, h in sizes) + PADDING
    out: list[str] = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{fmt(width)}" height="{fmt(height)}" '
        f'viewBox="0 0 {fmt(width)} {fmt(height)}" font-family="Helvetica, Arial, DejaVu Sans, sans-serif" font-size="{fmt(FONT)}">',
        f"<title>{escape(title)}</title>",
        "<defs>",
    ]
    for kind, (colour, _, _) in EDGE_STYLES.items():
        out.append(
            f'<marker id="arrow-{kind}" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" '
            f'orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="{colour}"/></marker>'
        )
    out.append("</defs>")
    out.append(f'<rect width="{fmt(width)}" height="{fmt(height)}" fill="#ffffff"/>')
    out.append(f'<text x="{PADDING}" y="{PADDING + 14}" font-size="16" font-weight="bold">{escape(title)}</text>')
    out.extend(legend(PADDING, PADDING + 28))
    y = PADDING + 24 + legend_height
    for graph, (_, box_height) in zip(graphs, sizes, strict=True):
        out.extend(render_stack(graph, PADDING, y, width - 2 * PADDING, box_height))
        y += box_height + PADDING
    out.append("</svg>")
    return "\n".join(out) + "\n"


def legend(x: float, y: float) -> list[str]:
    """The legend: node kinds on one row, edge kinds on the next."""
    out = ['<g class="legend">']
    cx = x
    for kind in KIND_ORDER:
        fill, stroke, text = NODE_STYLES[kind]
        out.append(
            f'<rect x="{fmt(cx)}" y="{fmt(y)}" width="14" height="14" rx="3" fill="{fill}" stroke="{stroke}"/>'
            f'<text x="{fmt(cx + 20)}" y="{fmt(y + 11)}">{escape(text)}</text>'
        )
        cx += 20 + text_width(text) + 18
    cx = x
    for kind, (colour, dash, text) in EDGE_STYLES.items():
        dash_attr = f' stroke-dasharray="{dash}"' if dash else ""
        out.append(
            f'<path d="M{fmt(cx)},{fmt(y + 32)} L{fmt(cx + 34)},{fmt(y + 32)}" stroke="{colour}" stroke-width="1.6" '
            f'fill="none"{dash_attr} marker-end="url(#arrow-{kind})"/>'
            f'<text x="{fmt(cx + 40)}" y="{fmt(y + 36)}">{escape(text)}</text>'
        )
        cx += 40 + text_width(text) + 18
    out.append("</g>")
    return out


def render_stack(graph: Graph, x: float, y: float, width: float, height: float) -> list[str]:
    """One stack box with its nodes and edges (edges first, so boxes cover their ends)."""
    out = [
        f'<g class="stack" data-stack="{escape(graph.name)}">',
        f'<rect x="{fmt(x)}" y="{fmt(y)}" width="{fmt(width)}" height="{fmt(height)}" rx="8" '
        f'fill="#fafbfc" stroke="#8c959f"/>',
        f'<text x="{fmt(x + PADDING)}" y="{fmt(y + PADDING + 6)}" font-size="13" font-weight="bold">'
        f"{escape(graph.name)}</text>",
    ]
    if not graph.nodes:
        out.append(f'<text x="{fmt(x + PADDING)}" y="{fmt(y + PADDING + 30)}" fill="#57606a">no functions</text>')
    for edge in sorted(graph.edges):
        source, target = graph.nodes[edge.source], graph.nodes[edge.target]
        colour, dash, _ = EDGE_STYLES[edge.kind]
        dash_attr = f' stroke-dasharray="{dash}"' if dash else ""
        out.append(
            f'<path class="edge" data-kind="{edge.kind}" data-source="{escape(edge.source)}" '
            f'data-target="{escape(edge.target)}" d="{edge_path(source, target, x, y)}" stroke="{colour}" '
            f'stroke-width="1.4" fill="none"{dash_attr} marker-end="url(#arrow-{edge.kind})"/>'
        )
    for node in sorted(graph.nodes.values(), key=lambda n: n.id):
        fill, stroke, _ = NODE_STYLES[node.kind]
        nx, ny = node.x + x, node.y + y
        out.append(
            f'<g class="node" data-kind="{node.kind}" data-id="{escape(node.id)}">'
            f"<title>{escape(node.title)} ({escape(node.subtitle)})</title>"
            f'<rect x="{fmt(nx)}" y="{fmt(ny)}" width="{fmt(node.width)}" height="{NODE_HEIGHT}" rx="5" '
            f'fill="{fill}" stroke="{stroke}"/>'
            f'<text x="{fmt(nx + 10)}" y="{fmt(ny + 14)}">{escape(label(node.title))}</text>'
            f'<text x="{fmt(nx + 10)}" y="{fmt(ny + 27)}" font-size="9.5" fill="#57606a">'
            f"{escape(label(node.subtitle))}</text></g>"
        )
    out.append("</g>")
    return out


def main(argv: list[str] | None = None) -> int:
    """Read the assembly, write the SVG; returns the exit code."""
    parser = argparse.ArgumentParser(description="Draw the synthesized stacks of cdk.out as an SVG.")
    parser.add_argument("--cdk-out", type=Path, default=Path("cdk.out"), help="cloud assembly (default: cdk.out)")
    parser.add_argument("--out", type=Path, default=Path("docs/diagram.svg"), help="SVG to write")
    parser.add_argument("--title", default="lambda-constructs example app (generated from cdk.out)")
    args = parser.parse_args(argv)
    if not (args.cdk_out / "manifest.json").is_file():
        print(f"diagram: {args.cdk_out}/manifest.json not found; run `make synth` first", file=sys.stderr)
        return 1
    try:
        graphs = read_assembly(args.cdk_out)
    except AssemblyError as exc:  # a truncated assembly (an interrupted synth)
        print(f"diagram: {exc}", file=sys.stderr)
        return 1
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(render(graphs, args.title))
    nodes = sum(len(graph.nodes) for graph in graphs)
    edges = sum(len(graph.edges) for graph in graphs)
    print(f"diagram: {len(graphs)} stacks, {nodes} nodes, {edges} edges → {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
