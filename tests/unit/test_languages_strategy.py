"""One strategy per way of giving a function its code: Python, inline code and images included."""

from __future__ import annotations

import importlib
import sys
from pathlib import Path

import pytest
from aws_cdk import Stack
from aws_cdk import aws_lambda as lambda_

from lambda_constructs import SecureFunction, SecureFunctionProps, languages
from lambda_constructs.languages import ContainerImage
from lambda_constructs.languages.python import PythonLanguage, python_code
from tests.helpers import new_app

IMAGE = "123456789012.dkr.ecr.eu-west-1.amazonaws.com/hello@sha256:" + "0f" * 32
INLINE = "def handler(event, context):\n    return event\n"


@pytest.fixture(scope="module")
def functions(tmp_path_factory: pytest.TempPathFactory) -> dict[str, SecureFunction]:
    code_dir = tmp_path_factory.mktemp("py")
    (code_dir / "app.py").write_text(INLINE)
    stack = Stack(new_app(), "Strategies", env={"region": "eu-west-1"})
    props = {
        "Python": SecureFunctionProps(code_dir=code_dir),
        "Inline": SecureFunctionProps(inline_code=INLINE),
        "InlineNode": SecureFunctionProps(inline_code="exports.handler = async () => 1;", language="nodejs"),
        "Image": SecureFunctionProps(image=ContainerImage(uri=IMAGE)),
    }
    return {name: SecureFunction(stack, name, p) for name, p in props.items()}


@pytest.mark.parametrize(
    ("name", "strategy"), [("Python", "python"), ("Inline", "inline"), ("InlineNode", "inline"), ("Image", "image")]
)
def test_every_function_has_a_strategy(functions: dict[str, SecureFunction], name: str, strategy: str) -> None:
    assert languages.strategy_of(functions[name]).name == strategy


def test_code_is_never_none(functions: dict[str, SecureFunction]) -> None:
    """Python and inline code included (the image's code creates a construct: built once, by the function)."""
    for name in ("Python", "Inline", "InlineNode"):
        fn = functions[name]
        built = languages.code(fn, fn.language_info)
        assert isinstance(built, languages.LanguageCode)
        assert isinstance(built.code, lambda_.Code)


def test_python_strategy_measures_the_folder(functions: dict[str, SecureFunction]) -> None:
    fn = functions["Python"]
    assert fn.code_unzipped_size_bytes == len(INLINE)
    assert fn.code_bundle is None
    assert languages.STRATEGIES["python"].name == PythonLanguage.name


def test_every_family_is_registered() -> None:
    assert set(languages.STRATEGIES) == {"python", "nodejs", "java", "dotnet", "provided"}


def test_python_code_module_is_a_deprecated_alias(tmp_path: Path) -> None:
    sys.modules.pop("lambda_constructs.python_code", None)
    with pytest.warns(DeprecationWarning, match="languages.python"):
        module = importlib.import_module("lambda_constructs.python_code")
    assert module.python_code is python_code
