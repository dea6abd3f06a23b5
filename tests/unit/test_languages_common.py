"""Every language gets the same foundation (role, key, logs, failure queue, alias, trigger) and passes cdk-nag."""

from __future__ import annotations

import os
import zipfile
from dataclasses import dataclass
from pathlib import Path

import pytest
from aws_cdk import Stack
from aws_cdk import aws_lambda as lambda_
from aws_cdk.assertions import Match, Template

from lambda_constructs import SecureFunction, SecureFunctionProps
from lambda_constructs.languages import ContainerImage, NodejsBundling
from lambda_constructs.languages.provided import EM_AARCH64
from lambda_constructs.triggers.push_sync import FunctionUrlTrigger
from tests.helpers import nag_findings, new_app

NODE_APP = Path(__file__).resolve().parent.parent / "fixtures" / "languages" / "node_app"
IMAGE = "123456789012.dkr.ecr.eu-west-1.amazonaws.com/hello@sha256:" + "0f" * 32
NAMES = ("Node", "Provided", "Image", "Java")


@dataclass(frozen=True)
class Polyglot:
    stack: Stack
    functions: dict[str, SecureFunction]
    template: Template
    findings: list[str]


@pytest.fixture(scope="module")
def polyglot(tmp_path_factory: pytest.TempPathFactory) -> Polyglot:
    root = tmp_path_factory.mktemp("polyglot")
    provided = root / "provided"
    provided.mkdir()
    header = bytearray(64)
    header[0:4], header[4], header[5], header[16], header[18:20] = b"\x7fELF", 2, 1, 2, EM_AARCH64.to_bytes(2, "little")
    (provided / "bootstrap").write_bytes(bytes(header))
    os.chmod(provided / "bootstrap", 0o755)
    jar = root / "app.jar"
    with zipfile.ZipFile(jar, "w") as archive:
        archive.writestr("example/Handler.class", b"\xca\xfe\xba\xbe")
    app = new_app(nag=True, outdir=str(root / "cdk.out"))
    stack = Stack(app, "Polyglot")
    props = {
        "Node": SecureFunctionProps(
            code_dir=NODE_APP, language="nodejs", nodejs_bundling=NodejsBundling(cache_dir=root / "cache")
        ),
        "Provided": SecureFunctionProps(code_dir=provided, language="provided"),
        "Image": SecureFunctionProps(image=ContainerImage(uri=IMAGE)),
        "Java": SecureFunctionProps(code_dir=jar, language="java", handler="example.Handler::handleRequest"),
    }
    functions = {name: SecureFunction(stack, name, p) for name, p in props.items()}
    for fn in functions.values():
        fn.add_trigger(FunctionUrlTrigger(), construct_id="Url")
    template = Template.from_stack(stack)
    return Polyglot(stack, functions, template, nag_findings(app))


def test_one_function_of_each_language_is_nag_clean(polyglot: Polyglot) -> None:
    assert polyglot.findings == []


@pytest.mark.parametrize("name", NAMES)
def test_same_foundation_whatever_the_language(polyglot: Polyglot, name: str) -> None:
    fn = polyglot.functions[name]
    stack, template = polyglot.stack, polyglot.template
    ids = {
        "fn": stack.get_logical_id(fn.function.node.default_child),  # type: ignore[arg-type]
        "key": stack.get_logical_id(fn.key.node.default_child),  # type: ignore[arg-type]
        "logs": stack.get_logical_id(fn.log_group.node.default_child),  # type: ignore[arg-type]
        "role": stack.get_logical_id(fn.role.node.default_child),  # type: ignore[arg-type]
        "queue": stack.get_logical_id(fn.failure_queue.node.default_child),  # type: ignore[arg-type]
    }
    resource = template.to_json()["Resources"][ids["fn"]]["Properties"]
    assert resource["Role"] == {"Fn::GetAtt": [ids["role"], "Arn"]}
    assert resource["KmsKeyArn"] == {"Fn::GetAtt": [ids["key"], "Arn"]}
    assert resource["LoggingConfig"] == {
        "LogFormat": "JSON",
        "ApplicationLogLevel": "INFO",
        "SystemLogLevel": "INFO",
        "LogGroup": {"Ref": ids["logs"]},
    }
    assert resource["TracingConfig"] == {"Mode": "Active"}
    assert resource["Architectures"] == ["arm64"]
    template.has_resource_properties("AWS::KMS::Key", {"EnableKeyRotation": True})
    template.has_resource_properties(
        "AWS::Logs::LogGroup", {"RetentionInDays": 365, "KmsKeyId": {"Fn::GetAtt": [ids["key"], "Arn"]}}
    )
    template.has_resource_properties(
        "AWS::SQS::Queue", {"KmsMasterKeyId": {"Fn::GetAtt": [ids["key"], "Arn"]}, "RedrivePolicy": Match.any_value()}
    )
    template.has_resource_properties(
        "AWS::Lambda::EventInvokeConfig",
        {
            "FunctionName": {"Ref": ids["fn"]},
            "Qualifier": "$LATEST",
            "MaximumRetryAttempts": 2,
            "DestinationConfig": {"OnFailure": {"Destination": {"Fn::GetAtt": [ids["queue"], "Arn"]}}},
        },
    )
    template.has_resource_properties("AWS::Lambda::Alias", {"Name": "live", "FunctionName": {"Ref": ids["fn"]}})
    assert "live" in fn.aliases
    template.has_resource_properties(
        "AWS::Lambda::Url",
        {"AuthType": "AWS_IAM", "Qualifier": "live", "TargetFunctionArn": {"Fn::GetAtt": [ids["fn"], "Arn"]}},
    )


def test_resource_counts_are_equal_per_language(polyglot: Polyglot) -> None:
    template = polyglot.template
    for type_ in (
        "AWS::Lambda::Function",
        "AWS::IAM::Role",
        "AWS::Logs::LogGroup",
        "AWS::Lambda::Alias",
    ):
        assert len(template.find_resources(type_)) == len(NAMES), type_
    assert len(template.find_resources("AWS::SQS::Queue")) == 2  # the stack's shared failure queue and its DLQ
    assert len(template.find_resources("AWS::KMS::Key")) == 1  # the stack's shared key


def test_runtimes_per_language(polyglot: Polyglot) -> None:
    runtimes = {name: polyglot.stack.resolve(fn.function.runtime.name) for name, fn in polyglot.functions.items()}
    assert runtimes["Node"].startswith("nodejs")
    assert runtimes["Provided"] == "provided.al2023"
    assert runtimes["Image"] == lambda_.Runtime.FROM_IMAGE.name
    assert runtimes["Java"].startswith("java")
