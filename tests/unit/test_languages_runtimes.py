"""Custom runtimes (bootstrap ELF check), container images, Java/.NET, SnapStart and end-of-life runtimes."""

from __future__ import annotations

import datetime as dt
import os
import zipfile
from pathlib import Path
from typing import Any

import pytest
from aws_cdk import CfnWaitConditionHandle, Size, Stack
from aws_cdk import aws_lambda as lambda_
from aws_cdk.assertions import Annotations, Match, Template

from lambda_constructs import LambdaConstructsError, SecureFunction, SecureFunctionProps
from lambda_constructs.languages import ContainerImage, supports_snap_start
from lambda_constructs.languages.deprecation import check_runtime_supported
from lambda_constructs.languages.provided import EM_AARCH64, EM_X86_64, elf_machine
from lambda_constructs.languages.snapstart import check_snap_start
from lambda_constructs.runtimes import latest
from tests.helpers import new_app, new_stack

DIGEST = "sha256:" + "ab" * 32
IMAGE = f"123456789012.dkr.ecr.eu-west-1.amazonaws.com/team/hello@{DIGEST}"


def elf_header(machine: int, *, e_type: int = 2, elf_class: int = 2) -> bytes:
    """A 64-byte ELF header written by hand (no compiler needed)."""
    header = bytearray(64)
    header[0:4] = b"\x7fELF"
    header[4] = elf_class  # ELFCLASS64
    header[5] = 1  # little-endian
    header[6] = 1  # EV_CURRENT
    header[16:18] = e_type.to_bytes(2, "little")
    header[18:20] = machine.to_bytes(2, "little")
    return bytes(header)


def bootstrap_dir(root: Path, content: bytes, mode: int = 0o755) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    (root / "bootstrap").write_bytes(content)
    os.chmod(root / "bootstrap", mode)
    return root


def synth(**props: Any) -> tuple[SecureFunction, Template]:
    stack = new_stack()
    fn = SecureFunction(stack, "Fn", SecureFunctionProps(**props))
    return fn, Template.from_stack(stack)


# ----------------------------------------------------------------------------- provided


def test_provided_function_with_arm64_binary(tmp_path: Path) -> None:
    _, template = synth(code_dir=bootstrap_dir(tmp_path / "b", elf_header(EM_AARCH64)), language="provided")
    template.has_resource_properties(
        "AWS::Lambda::Function", {"Runtime": "provided.al2023", "Handler": "bootstrap", "Architectures": ["arm64"]}
    )


def test_provided_x86_64_binary_on_x86_64(tmp_path: Path) -> None:
    _, template = synth(
        code_dir=bootstrap_dir(tmp_path / "b", elf_header(EM_X86_64)),
        runtime=lambda_.Runtime.PROVIDED_AL2023,
        architecture=lambda_.Architecture.X86_64,
        handler="my.handler",
    )
    template.has_resource_properties("AWS::Lambda::Function", {"Handler": "my.handler", "Architectures": ["x86_64"]})


@pytest.mark.parametrize(
    ("content", "mode", "message"),
    [
        (elf_header(EM_X86_64), 0o755, r"built for x86_64 \(EM_X86_64\) but the function's architecture is arm64"),
        (elf_header(EM_AARCH64), 0o644, "bootstrap is not executable"),
        (elf_header(EM_AARCH64, elf_class=1), 0o755, "not a 64-bit little-endian ELF"),
        (elf_header(EM_AARCH64, e_type=1), 0o755, "not an executable"),
        (b"MZ\x90\x00 windows", 0o755, "neither an ELF executable nor a #! script"),
    ],
)
def test_bad_bootstrap_fails(tmp_path: Path, content: bytes, mode: int, message: str) -> None:
    with pytest.raises(LambdaConstructsError, match=message):
        synth(code_dir=bootstrap_dir(tmp_path / "b", content, mode), language="provided")


def test_missing_bootstrap_fails(tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    with pytest.raises(LambdaConstructsError, match="executable named bootstrap"):
        synth(code_dir=tmp_path / "empty", language="provided")


def test_script_bootstrap_is_allowed_with_a_warning(tmp_path: Path) -> None:
    fn, _ = synth(code_dir=bootstrap_dir(tmp_path / "b", b"#!/bin/sh\nexec ./app\n"), language="provided")
    Annotations.from_stack(Stack.of(fn)).has_warning("/TestStack/Fn", Match.string_like_regexp("is a script for"))


def test_elf_machine_reader() -> None:
    assert elf_machine(elf_header(EM_AARCH64)) == 183
    assert elf_machine(elf_header(EM_X86_64)) == 62
    assert elf_machine(b"#!/bin/sh") is None


# -------------------------------------------------------------------------------- image


@pytest.fixture(scope="module")
def image_fn() -> tuple[SecureFunction, Template]:
    stack = new_stack()
    fn = SecureFunction(
        stack,
        "Fn",
        SecureFunctionProps(
            image=ContainerImage(
                uri=IMAGE, cmd=["app.handler"], entrypoint=["/lambda-entrypoint.sh"], working_directory="/var/task"
            ),
            architecture=lambda_.Architecture.X86_64,
        ),
    )
    return fn, Template.from_stack(stack)


def test_image_function_template(image_fn: tuple[SecureFunction, Template]) -> None:
    _, template = image_fn
    template.has_resource_properties(
        "AWS::Lambda::Function",
        {
            "PackageType": "Image",
            "Code": {
                "ImageUri": {
                    "Fn::Join": [
                        "",
                        ["123456789012.dkr.ecr.eu-west-1.", {"Ref": "AWS::URLSuffix"}, f"/team/hello@{DIGEST}"],
                    ]
                }
            },
            "ImageConfig": {
                "Command": ["app.handler"],
                "EntryPoint": ["/lambda-entrypoint.sh"],
                "WorkingDirectory": "/var/task",
            },
            "Architectures": ["x86_64"],
            "Runtime": Match.absent(),
            "Handler": Match.absent(),
        },
    )


def test_image_role_can_pull_from_that_repository_only(image_fn: tuple[SecureFunction, Template]) -> None:
    _, template = image_fn
    template.has_resource_properties(
        "AWS::IAM::ManagedPolicy",
        {
            "PolicyDocument": {
                "Statement": Match.array_with(
                    [
                        {
                            "Action": ["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"],
                            "Effect": "Allow",
                            "Resource": "arn:aws:ecr:eu-west-1:123456789012:repository/team/hello",
                        }
                    ]
                )
            }
        },
    )
    template.has_resource_properties(
        "AWS::IAM::ManagedPolicy",
        {
            "PolicyDocument": {
                "Statement": [{"Action": "ecr:GetAuthorizationToken", "Effect": "Allow", "Resource": "*"}]
            }
        },
    )


def test_image_by_tag_warns() -> None:
    fn, _ = synth(image=ContainerImage(uri="123456789012.dkr.ecr.eu-west-1.amazonaws.com/hello:v1"))
    Annotations.from_stack(Stack.of(fn)).has_warning("/TestStack/Fn", Match.string_like_regexp("mutable tag 'v1'"))


@pytest.mark.parametrize(
    "uri",
    [
        "docker.io/library/hello:latest",
        "public.ecr.aws/lambda/python:3.13",
        "12345.dkr.ecr.eu-west-1.amazonaws.com/hello:v1",
        "123456789012.dkr.ecr.eu-west-1.amazonaws.com/Hello:v1",
        "123456789012.dkr.ecr.eu-west-1.amazonaws.com/hello@sha256:abc",
    ],
)
def test_non_ecr_image_uri_fails(uri: str) -> None:
    with pytest.raises(LambdaConstructsError, match="not an Amazon ECR image"):
        synth(image=ContainerImage(uri=uri))


def test_image_in_another_region_fails() -> None:
    stack = Stack(new_app(), "S", env={"account": "123456789012", "region": "us-east-1"})
    with pytest.raises(LambdaConstructsError, match="only from its own region"):
        SecureFunction(stack, "Fn", SecureFunctionProps(image=ContainerImage(uri=IMAGE)))


def test_image_with_handler_fails() -> None:
    with pytest.raises(LambdaConstructsError, match="cannot be combined with image"):
        synth(image=ContainerImage(uri=IMAGE), handler="app.handler")


# --------------------------------------------------------------------------- Java, .NET


def jar(path: Path, *classes: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(path, "w") as archive:
        for name in classes:
            archive.writestr(name, b"\xca\xfe\xba\xbe")
    return path


def test_java_jar_from_build_folder_with_snap_start(tmp_path: Path) -> None:
    jar(tmp_path / "build" / "libs" / "app-all.jar", "example/Handler.class")
    jar(tmp_path / "build" / "libs" / "app-all-sources.jar")
    fn, template = synth(
        code_dir=tmp_path,
        language="java",
        handler="example.Handler::handleRequest",
        snap_start=lambda_.SnapStartConf.ON_PUBLISHED_VERSIONS,
    )
    template.has_resource_properties(
        "AWS::Lambda::Function",
        {
            "Runtime": latest("JAVA").name,
            "Handler": "example.Handler::handleRequest",
            "SnapStart": {"ApplyOn": "PublishedVersions"},
        },
    )
    Annotations.from_stack(Stack.of(fn)).has_warning(
        "/TestStack/Fn", Match.string_like_regexp("only to published versions")
    )


def test_java_class_missing_fails(tmp_path: Path) -> None:
    with pytest.raises(LambdaConstructsError, match=r"has no class example\.Other"):
        synth(
            code_dir=jar(tmp_path / "app.jar", "example/Handler.class"),
            language="java",
            handler="example.Other::handle",
        )


def test_java_needs_a_handler(tmp_path: Path) -> None:
    with pytest.raises(LambdaConstructsError, match="java function needs handler"):
        synth(code_dir=jar(tmp_path / "app.jar", "example/Handler.class"), language="java")


def test_dotnet_assembly_missing_fails(tmp_path: Path) -> None:
    (tmp_path / "publish").mkdir()
    with pytest.raises(LambdaConstructsError, match=r"no Orders\.dll"):
        synth(code_dir=tmp_path / "publish", language="dotnet", handler="Orders::Orders.Function::Handle")


# ----------------------------------------------------------------------------- SnapStart


@pytest.mark.parametrize(
    ("runtime", "supported"),
    [("java11", True), ("java8.al2", False), ("java25", True), ("python3.11", False), ("python3.12", True),
     ("python3.14", True), ("dotnet8", True), ("dotnet10", True), ("nodejs24.x", False), ("provided.al2023", False)],
)  # fmt: skip
def test_snap_start_runtime_table(runtime: str, supported: bool) -> None:
    assert supports_snap_start(runtime) is supported


def test_snap_start_on_python_312_plus(tmp_path: Path) -> None:
    code = tmp_path / "py"
    code.mkdir()
    (code / "app.py").write_text("def handler(event, context):\n    return 1\n")
    _, template = synth(code_dir=code, snap_start=lambda_.SnapStartConf.ON_PUBLISHED_VERSIONS)
    template.has_resource_properties("AWS::Lambda::Function", {"SnapStart": {"ApplyOn": "PublishedVersions"}})


def test_snap_start_on_unsupported_runtime_fails(tmp_path: Path) -> None:
    with pytest.raises(LambdaConstructsError, match=r"SnapStart is not supported on provided\.al2023"):
        synth(
            code_dir=bootstrap_dir(tmp_path / "b", elf_header(EM_AARCH64)),
            language="provided",
            snap_start=lambda_.SnapStartConf.ON_PUBLISHED_VERSIONS,
        )
    with pytest.raises(LambdaConstructsError, match="SnapStart is not supported on container images"):
        synth(image=ContainerImage(uri=IMAGE), snap_start=lambda_.SnapStartConf.ON_PUBLISHED_VERSIONS)


def test_snap_start_with_large_ephemeral_storage_fails(tmp_path: Path) -> None:
    with pytest.raises(LambdaConstructsError, match="at most 512 MB of ephemeral storage"):
        synth(
            code_dir=jar(tmp_path / "app.jar", "a/B.class"),
            language="java",
            handler="a.B::h",
            snap_start=lambda_.SnapStartConf.ON_PUBLISHED_VERSIONS,
            ephemeral_storage_size=Size.mebibytes(1024),
        )


def test_snap_start_with_efs_fails() -> None:
    stack = new_stack()
    efs = lambda_.FileSystem(
        arn="arn:aws:elasticfilesystem:eu-west-1:123456789012:access-point/fsap-1", local_mount_path="/mnt/data"
    )
    with pytest.raises(LambdaConstructsError, match="cannot be combined with an EFS"):
        check_snap_start(
            stack, runtime_name="java21", image=False, filesystem=efs, ephemeral_storage=Size.mebibytes(512)
        )


def test_snap_start_with_provisioned_concurrency_fails_at_synth(tmp_path: Path) -> None:
    stack = new_stack()
    fn = SecureFunction(
        stack,
        "Fn",
        SecureFunctionProps(
            code_dir=jar(tmp_path / "app.jar", "a/B.class"),
            language="java",
            handler="a.B::h",
            snap_start=lambda_.SnapStartConf.ON_PUBLISHED_VERSIONS,
        ),
    )
    fn.add_alias("prod", fn.function.current_version, provisioned_concurrent_executions=2)
    with pytest.raises(Exception, match="SnapStart cannot be combined with provisioned concurrency"):
        Template.from_stack(stack)


# ---------------------------------------------------------------------- end-of-life runtimes


@pytest.mark.parametrize(
    ("runtime", "code"),
    [(lambda_.Runtime.PYTHON_3_8, "py"), (lambda_.Runtime.NODEJS_16_X, "node"), (lambda_.Runtime.NODEJS_20_X, "node")],
)
def test_end_of_life_runtime_fails(tmp_path: Path, runtime: lambda_.Runtime, code: str) -> None:
    folder = tmp_path / code
    folder.mkdir()
    (folder / "app.py").write_text("def handler(e, c):\n    return 1\n")
    (folder / "index.js").write_text("exports.handler = async () => 1;\n")
    with pytest.raises(LambdaConstructsError, match=rf"runtime {runtime.name} reached end of life"):
        synth(code_dir=folder, runtime=runtime)


def test_runtime_deprecated_soon_warns() -> None:
    stack = new_stack()
    CfnWaitConditionHandle(stack, "Anything")  # Annotations.from_stack needs a non-empty template
    check_runtime_supported(stack, "nodejs20.x", today=dt.date(2026, 3, 1))
    Annotations.from_stack(stack).has_warning("/TestStack", Match.string_like_regexp("deprecated on 2026-04-30"))
