"""A Python function's own requirements.txt is bundled for its target without Docker; layers are checked."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest
from aws_cdk import aws_lambda as lambda_
from aws_cdk.assertions import Template

from lambda_constructs import LambdaConstructsError, SecureFunction, SecureFunctionProps
from lambda_constructs.layers import PythonLayer, PythonLayerProps
from tests.helpers import new_stack
from tests.unit.bundling_fixtures import build_wheelhouse, offline_pip_options


@pytest.fixture(scope="module")
def wheelhouse(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_wheelhouse(tmp_path_factory.mktemp("wheels"))


def handler_dir(root: Path, requirements: str) -> Path:
    code = root / "code"
    code.mkdir()
    (code / "app.py").write_text("import purepkg\n\ndef handler(event, context):\n    return purepkg.VALUE\n")
    (code / "requirements.txt").write_text(requirements)
    return code


def test_function_requirements_are_bundled_next_to_the_handler(
    wheelhouse: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)  # the bundle cache lives under the app's working directory
    code = handler_dir(tmp_path, "purepkg==1.0\n")
    stack = new_stack()
    fn = SecureFunction(stack, "Fn", SecureFunctionProps(code_dir=code, pip_options=offline_pip_options(wheelhouse)))
    bundle = fn.code_bundle
    assert bundle is not None
    names = zipfile.ZipFile(bundle.zip_path).namelist()
    assert "app.py" in names and "purepkg/__init__.py" in names and "helperdep/__init__.py" in names
    assert not any("__pycache__" in name or name.startswith("purepkg/tests/") for name in names)
    assert fn.code_unzipped_size_bytes == bundle.unzipped_size_bytes > 0
    Template.from_stack(stack).has_resource_properties("AWS::Lambda::Function", {"Handler": "app.handler"})

    again = SecureFunction(
        new_stack(), "Fn", SecureFunctionProps(code_dir=code, pip_options=offline_pip_options(wheelhouse))
    )
    assert again.code_bundle is not None and again.code_bundle.cache_hit
    assert again.code_bundle.sha256 == bundle.sha256


def test_requirement_without_wheel_for_the_architecture_fails(
    wheelhouse: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    code = handler_dir(tmp_path, "nativepkg==1.0\n")
    with pytest.raises(LambdaConstructsError, match=r"TestStack/Fn.*nativepkg"):
        SecureFunction(
            new_stack(),
            "Fn",
            SecureFunctionProps(
                code_dir=code,
                architecture=lambda_.Architecture.X86_64,
                pip_options=offline_pip_options(wheelhouse),
            ),
        )


def test_layer_for_another_architecture_is_rejected(tmp_path: Path) -> None:
    layer_dir = tmp_path / "layer" / "python"
    layer_dir.mkdir(parents=True)
    (layer_dir / "shared.py").write_text("X = 1\n")
    stack = new_stack()
    layer = PythonLayer(
        stack,
        "Layer",
        PythonLayerProps(asset_path=tmp_path / "layer", compatible_architectures=(lambda_.Architecture.X86_64,)),
    )
    code = tmp_path / "code"
    code.mkdir()
    (code / "app.py").write_text("def handler(event, context):\n    return 1\n")
    with pytest.raises(LambdaConstructsError, match=r"TestStack/Fn.*x86_64"):
        SecureFunction(stack, "Fn", SecureFunctionProps(code_dir=code, layers=[layer]))


def test_more_than_five_layers_is_rejected(tmp_path: Path) -> None:
    stack = new_stack()
    layers = [
        lambda_.LayerVersion.from_layer_version_arn(
            stack, f"L{i}", f"arn:aws:lambda:us-east-1:123456789012:layer:l{i}:1"
        )
        for i in range(6)
    ]
    code = tmp_path / "code"
    code.mkdir()
    (code / "app.py").write_text("def handler(event, context):\n    return 1\n")
    with pytest.raises(LambdaConstructsError, match=r"TestStack/Fn.*6 layers, Lambda allows at most 5"):
        SecureFunction(stack, "Fn", SecureFunctionProps(code_dir=code, layers=layers))


def test_shared_layer_is_attached(tmp_path: Path) -> None:
    layer_dir = tmp_path / "layer" / "python"
    layer_dir.mkdir(parents=True)
    (layer_dir / "shared.py").write_text("X = 1\n")
    stack = new_stack()
    layer = PythonLayer(stack, "Layer", PythonLayerProps(asset_path=tmp_path / "layer"))
    code = tmp_path / "code"
    code.mkdir()
    (code / "app.py").write_text("def handler(event, context):\n    return 1\n")
    SecureFunction(stack, "A", SecureFunctionProps(code_dir=code, layers=[layer]))
    SecureFunction(stack, "B", SecureFunctionProps(code_dir=code, layers=[layer]))
    template = Template.from_stack(stack)
    template.resource_count_is("AWS::Lambda::LayerVersion", 1)
    functions = template.find_resources("AWS::Lambda::Function")
    assert all(len(f["Properties"]["Layers"]) == 1 for f in functions.values()) and len(functions) == 2
