"""scripts/diagram.py: nodes and arrows derived from a cloud assembly, deterministic SVG output."""

from __future__ import annotations

import importlib.util
import json
import sys
import xml.etree.ElementTree as ET
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from tests.conftest import ExampleAssembly

ROOT = Path(__file__).resolve().parents[2]
SVG = "{http://www.w3.org/2000/svg}"


def load_script() -> ModuleType:
    """scripts/diagram.py as a module (scripts/ is not a package)."""
    spec = importlib.util.spec_from_file_location("diagram_script", ROOT / "scripts" / "diagram.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses resolve their module through sys.modules
    spec.loader.exec_module(module)
    return module


diagram = load_script()


def getatt(logical_id: str, attribute: str = "Arn") -> dict[str, Any]:
    return {"Fn::GetAtt": [logical_id, attribute]}


def ref(logical_id: str) -> dict[str, Any]:
    return {"Ref": logical_id}


def resource(resource_type: str, path: str, **properties: Any) -> dict[str, Any]:
    return {"Type": resource_type, "Properties": properties, "Metadata": {"aws:cdk:path": f"Shop/{path}/Resource"}}


TEMPLATE: dict[str, Any] = {
    "Resources": {
        "Key": resource("AWS::KMS::Key", "Key"),
        "Logs": resource("AWS::Logs::LogGroup", "Logs", KmsKeyId=getatt("Key")),
        "Fn": resource(
            "AWS::Lambda::Function",
            "Fn",
            Runtime="python3.13",
            KmsKeyArn=getatt("Key"),
            LoggingConfig={"LogGroup": ref("Logs")},
            Role=getatt("Role"),
        ),
        "Role": resource("AWS::IAM::Role", "Role"),
        "V1": resource("AWS::Lambda::Version", "V1", FunctionName=ref("Fn")),
        "Live": resource(
            "AWS::Lambda::Alias", "Live", FunctionName=ref("Fn"), FunctionVersion=getatt("V1", "Version"), Name="live"
        ),
        "Failures": resource("AWS::SQS::Queue", "Failures", KmsMasterKeyId=getatt("Key")),
        "Invoke": resource(
            "AWS::Lambda::EventInvokeConfig",
            "Invoke",
            FunctionName=ref("Fn"),
            Qualifier="live",
            DestinationConfig={"OnFailure": {"Destination": getatt("Failures")}},
        ),
        "Orders": resource("AWS::SQS::Queue", "Orders"),
        "Mapping": resource(
            "AWS::Lambda::EventSourceMapping", "Mapping", EventSourceArn=getatt("Orders"), FunctionName=ref("Live")
        ),
        "Topic": resource("AWS::SNS::Topic", "Topic"),
        "Sub": resource(
            "AWS::SNS::Subscription", "Sub", Protocol="lambda", TopicArn=ref("Topic"), Endpoint=ref("Live")
        ),
        "Rule": resource(
            "AWS::Events::Rule",
            "Rule",
            Targets=[{"Arn": ref("Live"), "Id": "t", "DeadLetterConfig": {"Arn": getatt("RuleDlq")}}],
        ),
        "RuleDlq": resource("AWS::SQS::Queue", "RuleDlq"),
        "Api": resource("AWS::ApiGateway::RestApi", "Api"),
        "Method": resource(
            "AWS::ApiGateway::Method",
            "Method",
            RestApiId=ref("Api"),
            Integration={"Uri": {"Fn::Join": ["", ["arn:", ref("AWS::Partition"), ":apigateway:", ref("Live")]]}},
        ),
        "Url": resource("AWS::Lambda::Url", "Url", TargetFunctionArn=getatt("Fn"), Qualifier="live"),
        "LogsPermission": resource(
            "AWS::Lambda::Permission", "LogsPermission", FunctionName=ref("Live"), Principal="logs.amazonaws.com"
        ),
        "Alarm": resource("AWS::CloudWatch::Alarm", "Alarm", Dimensions=[{"Name": "FunctionName", "Value": ref("Fn")}]),
    }
}


def write_assembly(outdir: Path, templates: dict[str, dict[str, Any]]) -> Path:
    """A minimal cloud assembly: manifest.json plus one template per stack."""
    artifacts: dict[str, Any] = {"Tree": {"type": "cdk:tree", "properties": {"file": "tree.json"}}}
    for name, template in templates.items():
        (outdir / f"{name}.template.json").write_text(json.dumps(template))
        artifacts[name] = {
            "type": "aws:cloudformation:stack",
            "environment": "aws://unknown-account/unknown-region",
            "properties": {"templateFile": f"{name}.template.json"},
            "displayName": name,
        }
    (outdir / "manifest.json").write_text(json.dumps({"version": "48.0.0", "artifacts": artifacts}))
    return outdir


def draw(cdk_out: Path, out: Path) -> ET.Element:
    assert diagram.main(["--cdk-out", str(cdk_out), "--out", str(out)]) == 0
    return ET.fromstring(out.read_text())


def nodes_of(svg: ET.Element) -> dict[str, str]:
    """``{node id: kind}`` of every drawn node."""
    return {g.attrib["data-id"]: g.attrib["data-kind"] for g in svg.iter(f"{SVG}g") if g.get("class") == "node"}


def edges_of(svg: ET.Element) -> set[tuple[str, str, str]]:
    """``(source, target, kind)`` of every drawn arrow."""
    return {
        (p.attrib["data-source"], p.attrib["data-target"], p.attrib["data-kind"])
        for p in svg.iter(f"{SVG}path")
        if p.get("class") == "edge"
    }


@pytest.fixture
def fake_svg(tmp_path: Path) -> ET.Element:
    write_assembly(tmp_path, {"Shop": TEMPLATE})
    return draw(tmp_path, tmp_path / "diagram.svg")


def test_nodes_by_kind(fake_svg: ET.Element) -> None:
    assert nodes_of(fake_svg) == {
        "Shop/Fn": "function",
        "Shop/Live": "alias",
        "Shop/V1": "version",
        "Shop/Orders": "source",
        "Shop/Topic": "source",
        "Shop/Rule": "source",
        "Shop/Api": "source",
        "Shop/Url": "source",
        "Shop/principal:logs.amazonaws.com": "source",
        "Shop/RuleDlq": "destination",
        "Shop/Failures": "destination",
        "Shop/Logs": "log",
        "Shop/Key": "key",
    }  # no role, alarm, subscription, method, mapping or event-invoke-config boxes


def test_edges_follow_references(fake_svg: ET.Element) -> None:
    assert edges_of(fake_svg) == {
        ("Shop/Orders", "Shop/Live", "invoke"),  # EventSourceMapping.EventSourceArn → FunctionName
        ("Shop/Topic", "Shop/Live", "invoke"),  # SNS subscription
        ("Shop/Rule", "Shop/Live", "invoke"),  # EventBridge rule target
        ("Shop/Api", "Shop/Live", "invoke"),  # REST API method integration, drawn as the API
        ("Shop/Url", "Shop/Live", "invoke"),  # Function URL with Qualifier=live
        ("Shop/principal:logs.amazonaws.com", "Shop/Live", "invoke"),  # permission without source ARN
        ("Shop/Rule", "Shop/RuleDlq", "destination"),
        ("Shop/Live", "Shop/V1", "alias"),
        ("Shop/V1", "Shop/Fn", "alias"),
        ("Shop/Fn", "Shop/Failures", "destination"),
        ("Shop/Fn", "Shop/Logs", "logs"),
        ("Shop/Fn", "Shop/Key", "encryption"),
        ("Shop/Failures", "Shop/Key", "encryption"),
        ("Shop/Logs", "Shop/Key", "encryption"),
    }


def test_layout_sources_left_function_middle_destinations_right(fake_svg: ET.Element) -> None:
    x = {
        g.attrib["data-id"]: float(next(g.iter(f"{SVG}rect")).attrib["x"])
        for g in fake_svg.iter(f"{SVG}g")
        if g.get("class") == "node"
    }
    assert x["Shop/RuleDlq"] < x["Shop/Orders"] < x["Shop/Live"] < x["Shop/V1"] < x["Shop/Fn"]
    assert x["Shop/Fn"] < x["Shop/Failures"] == x["Shop/Logs"] < x["Shop/Key"]


def test_legend_title_and_one_box_per_stack(tmp_path: Path) -> None:
    write_assembly(tmp_path, {"Shop": TEMPLATE, "Empty": {"Resources": {}}})
    svg = draw(tmp_path, tmp_path / "d.svg")
    stacks = [g.attrib["data-stack"] for g in svg.iter(f"{SVG}g") if g.get("class") == "stack"]
    assert stacks == ["Empty", "Shop"]
    legend = next(g for g in svg.iter(f"{SVG}g") if g.get("class") == "legend")
    texts = {t.text for t in legend.iter(f"{SVG}text")}
    assert {"function", "alias", "KMS key", "encrypted with", "writes logs to"} <= texts


def test_output_is_deterministic(tmp_path: Path) -> None:
    first, second = tmp_path / "a", tmp_path / "b"
    first.mkdir()
    second.mkdir()
    write_assembly(first, {"Shop": TEMPLATE, "Other": TEMPLATE})
    # Same templates with the resources (and manifest) in reverse order.
    reversed_template = {"Resources": dict(reversed(list(TEMPLATE["Resources"].items())))}
    write_assembly(second, {"Other": reversed_template, "Shop": reversed_template})
    draw(first, tmp_path / "a.svg")
    draw(second, tmp_path / "b.svg")
    text = (tmp_path / "a.svg").read_text()
    assert text == (tmp_path / "b.svg").read_text()
    draw(first, tmp_path / "c.svg")
    assert text == (tmp_path / "c.svg").read_text()


def test_missing_assembly_fails_clearly(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert diagram.main(["--cdk-out", str(tmp_path / "nope"), "--out", str(tmp_path / "d.svg")]) == 1
    assert "make synth" in capsys.readouterr().err


def providers(template: dict[str, Any]) -> set[str]:
    """Functions that back custom resources (their ServiceToken), which the diagram leaves out."""
    tokens = [res.get("Properties", {}).get("ServiceToken") for res in template["Resources"].values()]
    return {token["Fn::GetAtt"][0] for token in tokens if isinstance(token, dict) and "Fn::GetAtt" in token}


def test_example_app(example_assembly: ExampleAssembly, tmp_path: Path) -> None:
    svg = draw(example_assembly.outdir, tmp_path / "example.svg")
    stacks = {g.attrib["data-stack"] for g in svg.iter(f"{SVG}g") if g.get("class") == "stack"}
    assert stacks == set(example_assembly.templates)
    nodes = nodes_of(svg)
    edges = edges_of(svg)
    functions = sorted(node for node, kind in nodes.items() if kind == "function")
    template_functions = sorted(
        f"{stack}/{logical_id}"
        for stack, template in example_assembly.templates.items()
        for logical_id, res in template["Resources"].items()
        if res["Type"] == "AWS::Lambda::Function" and logical_id not in providers(template)
    )
    assert functions == template_functions
    by_source: dict[str, set[str]] = {}
    for source, target, kind in edges:
        by_source.setdefault(source, set()).add(kind)
        assert source in nodes and target in nodes
    for function in functions:  # every SecureFunction logs to its group and uses its key
        assert {"logs", "encryption"} <= by_source[function], function
    assert any(kind == "invoke" for _, _, kind in edges)
    assert any(nodes[source] == "alias" for source, _, kind in edges if kind == "alias")
