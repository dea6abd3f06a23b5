"""A release fingerprint covers the content of the function's layers, not only their references."""

from __future__ import annotations

from pathlib import Path

from lambda_constructs import SecureFunction, SecureFunctionProps
from lambda_constructs.layers import PythonLayer, PythonLayerProps
from lambda_constructs.releases import function_parts
from tests.helpers import new_stack


def parts_with_layer(tmp_path: Path, content: str) -> dict[str, object]:
    layer_dir = tmp_path / content / "python"
    layer_dir.mkdir(parents=True)
    (layer_dir / "shared.py").write_text(f"VALUE = {content!r}\n")
    code = tmp_path / "code"
    code.mkdir(exist_ok=True)
    (code / "app.py").write_text("def handler(event, context):\n    return 1\n")
    stack = new_stack()
    layer = PythonLayer(stack, "Layer", PythonLayerProps(asset_path=layer_dir.parent))
    fn = SecureFunction(stack, "Fn", SecureFunctionProps(code_dir=code, layers=[layer]))
    return function_parts(fn.function)


def test_layer_content_change_changes_the_layers_part(tmp_path: Path) -> None:
    first = parts_with_layer(tmp_path, "one")
    second = parts_with_layer(tmp_path, "two")
    assert first["code"] == second["code"]  # same function code, same layer logical id
    assert first["layers"] != second["layers"]
    assert parts_with_layer(tmp_path / "again", "one")["layers"] == first["layers"]
