"""PythonLayer construct, Powertools layer ARN and the function-side layer checks."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from aws_cdk import App, Environment, Stack, aws_lambda
from aws_cdk.assertions import Annotations, Match, Template

from lambda_constructs import _compat
from lambda_constructs.bundling import RequirementsFileError
from lambda_constructs.errors import LambdaConstructsError
from lambda_constructs.layers import (
    MAX_UNZIPPED_BYTES,
    PythonLayer,
    PythonLayerProps,
    check_direct_upload_zip,
    check_layers,
    latest_python_runtime,
    powertools_layer_arn,
)
from tests.unit.bundling_fixtures import build_wheelhouse, offline_pip_options, write_wheel

ARM = aws_lambda.Architecture.ARM_64
X86 = aws_lambda.Architecture.X86_64
PY313 = aws_lambda.Runtime.PYTHON_3_13


@pytest.fixture(scope="module")
def wheelhouse(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_wheelhouse(tmp_path_factory.mktemp("wheelhouse"))


@pytest.fixture(scope="module")
def shared_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One bundle cache for the module: equal inputs are bundled once."""
    return tmp_path_factory.mktemp("bundle-cache")


def new_stack(region: str | None = None) -> Stack:
    env = Environment(account="123456789012", region=region) if region else None
    # CDK's built-in CloudFormation validation is not under test here (as tests/helpers.py's new_app)
    return Stack(App(**_compat.builtin_validation_kwargs(False)), "Stack", env=env)


def layer_folder(root: Path, text: str) -> Path:
    (root / "python").mkdir(parents=True, exist_ok=True)
    (root / "python" / "shared.py").write_text(text)
    return root


def resources(template: Template, kind: str) -> dict[str, Any]:
    found: dict[str, Any] = template.find_resources(kind)
    return found


def test_latest_python_runtime_is_the_highest_known() -> None:
    minors = [int(m.group(1)) for m in (re.match(r"PYTHON_3_(\d+)$", a) for a in dir(aws_lambda.Runtime)) if m]
    assert latest_python_runtime().name == f"python3.{max(minors)}"


def test_bundled_layer_declares_runtimes_architectures_and_is_retained(
    tmp_path: Path, wheelhouse: Path, shared_cache: Path
) -> None:
    source = tmp_path / "deps"
    source.mkdir()
    (source / "requirements.txt").write_text("purepkg\n")
    stack = new_stack()
    layer = PythonLayer(
        stack,
        "Deps",
        PythonLayerProps(
            requirements_dir=source,
            compatible_runtimes=(PY313,),
            pip_options=offline_pip_options(wheelhouse),
            cache_dir=shared_cache,
        ),
    )
    template = Template.from_stack(stack)
    template.has_resource(
        "AWS::Lambda::LayerVersion",
        {
            "Properties": {"CompatibleRuntimes": ["python3.13"], "CompatibleArchitectures": ["arm64"]},
            "DeletionPolicy": "Retain",
            "UpdateReplacePolicy": "Retain",
        },
    )
    assert layer.bundle is not None and layer.unzipped_size_bytes == layer.bundle.unzipped_size_bytes > 0
    assert [r.name for r in layer.compatible_runtimes] == ["python3.13"]
    assert [a.name for a in layer.compatible_architectures] == ["arm64"]
    assert layer.content_hash == layer.bundle.sha256


def test_defaults_are_latest_python_and_arm64(tmp_path: Path) -> None:
    stack = new_stack()
    PythonLayer(stack, "L", PythonLayerProps(asset_path=layer_folder(tmp_path / "l", "X = 1\n")))
    Template.from_stack(stack).has_resource_properties(
        "AWS::Lambda::LayerVersion",
        {"CompatibleRuntimes": [latest_python_runtime().name], "CompatibleArchitectures": ["arm64"]},
    )


def test_multi_architecture_layer_needs_identical_bundles(tmp_path: Path, wheelhouse: Path, shared_cache: Path) -> None:
    source = tmp_path / "deps"
    source.mkdir()
    (source / "requirements.txt").write_text("purepkg\n")
    common: dict[str, Any] = {
        "requirements_dir": source,
        "compatible_runtimes": (PY313,),
        "compatible_architectures": (ARM, X86),
        "pip_options": offline_pip_options(wheelhouse),
        "cache_dir": shared_cache,
    }
    pure = PythonLayer(new_stack(), "Pure", PythonLayerProps(**common))
    assert [a.name for a in pure.compatible_architectures] == ["arm64", "x86_64"]
    (source / "requirements.txt").write_text("nativepkg\n")
    write_wheel(tmp_path / "wh2", "nativepkg", tag="cp313-cp313-manylinux2014_x86_64")
    native_options = (*offline_pip_options(wheelhouse), "--find-links", str(tmp_path / "wh2"))
    with pytest.raises(LambdaConstructsError, match="one PythonLayer per runtime and architecture") as caught:
        PythonLayer(new_stack(), "Native", PythonLayerProps(**{**common, "pip_options": native_options}))
    assert caught.value.path == "Stack/Native"


def test_bundling_errors_name_the_construct(tmp_path: Path) -> None:
    with pytest.raises(RequirementsFileError) as caught:
        PythonLayer(new_stack(), "Broken", PythonLayerProps(requirements_dir=tmp_path, cache_dir=tmp_path / "c"))
    assert caught.value.path == "Stack/Broken"


def test_sharing_permissions_are_retained_and_tied_to_the_version(tmp_path: Path) -> None:
    def synth(text: str, description: str | None = None) -> tuple[dict[str, Any], dict[str, Any]]:
        folder = layer_folder(tmp_path / f"v{abs(hash((text, description)))}", text)
        stack = new_stack()
        PythonLayer(
            stack,
            "Shared",
            PythonLayerProps(
                asset_path=folder,
                description=description,
                grant_accounts=("111122223333",),
                organization_id="o-abcdefghij",
            ),
        )
        template = Template.from_stack(stack)
        return resources(template, "AWS::Lambda::LayerVersion"), resources(
            template, "AWS::Lambda::LayerVersionPermission"
        )

    layers_v1, perms_v1 = synth("X = 1\n")
    (layer_id,) = layers_v1
    assert len(perms_v1) == 2
    for permission in perms_v1.values():
        assert permission["DeletionPolicy"] == "Retain" and permission["UpdateReplacePolicy"] == "Retain"
        assert permission["Properties"]["Action"] == "lambda:GetLayerVersion"
        assert permission["Properties"]["LayerVersionArn"] == {"Ref": layer_id}
    principals = sorted(
        (p["Properties"]["Principal"], p["Properties"].get("OrganizationId")) for p in perms_v1.values()
    )
    assert principals == [("*", "o-abcdefghij"), ("111122223333", None)]

    _, perms_same = synth("X = 1\n")
    assert set(perms_same) == set(perms_v1)  # same content: same ids, no churn
    layers_v2, perms_v2 = synth("X = 2\n")
    assert set(layers_v2) == set(layers_v1)  # the layer keeps its id; CloudFormation replaces it
    assert not set(perms_v2) & set(perms_v1)  # new version: new permissions, old ones retained
    _, perms_desc = synth("X = 1\n", description="other")  # a description change is a new version too
    assert not set(perms_desc) & set(perms_v1)


def test_sharing_rejects_bad_principals(tmp_path: Path) -> None:
    folder = layer_folder(tmp_path / "l", "X = 1\n")
    with pytest.raises(LambdaConstructsError, match="12-digit"):
        PythonLayer(new_stack(), "L", PythonLayerProps(asset_path=folder, grant_accounts=("1234",)))
    with pytest.raises(LambdaConstructsError, match="o-"):
        PythonLayer(new_stack(), "L", PythonLayerProps(asset_path=folder, organization_id="myorg"))


def test_ready_folder_without_python_dir_warns(tmp_path: Path) -> None:
    folder = tmp_path / "flat"
    folder.mkdir()
    (folder / "shared.py").write_text("X = 1\n")
    stack = new_stack()
    layer = PythonLayer(stack, "Flat", PythonLayerProps(asset_path=folder))
    assert layer.unzipped_size_bytes == len("X = 1\n")
    Annotations.from_stack(stack).has_warning("/Stack/Flat", Match.string_like_regexp("no python/ folder"))


def test_exactly_one_source_and_existing_asset(tmp_path: Path) -> None:
    with pytest.raises(LambdaConstructsError, match="exactly one"):
        PythonLayer(new_stack(), "L", PythonLayerProps())
    with pytest.raises(LambdaConstructsError, match="exactly one"):
        PythonLayer(new_stack(), "L", PythonLayerProps(asset_path=tmp_path, layer_arn="arn:x"))
    with pytest.raises(LambdaConstructsError, match="neither a folder nor a zip"):
        PythonLayer(new_stack(), "L", PythonLayerProps(asset_path=tmp_path / "missing"))
    with pytest.raises(LambdaConstructsError, match="Python runtimes only"):
        PythonLayer(
            new_stack(),
            "L",
            PythonLayerProps(asset_path=tmp_path, compatible_runtimes=(aws_lambda.Runtime.NODEJS_22_X,)),
        )


def test_from_layer_arn_creates_no_resource() -> None:
    stack = new_stack()
    arn = "arn:aws:lambda:eu-west-1:123456789012:layer:deps:3"
    layer = PythonLayer.from_layer_arn(stack, "Imported", arn, compatible_architectures=[X86])
    assert layer.layer_version.layer_version_arn == arn
    assert [a.name for a in layer.compatible_architectures] == ["x86_64"] and layer.unzipped_size_bytes is None
    Template.from_stack(stack).resource_count_is("AWS::Lambda::LayerVersion", 0)
    with pytest.raises(LambdaConstructsError, match="cannot share"):
        PythonLayer(stack, "Shared", PythonLayerProps(layer_arn=arn, grant_accounts=("111122223333",)))


def test_powertools_arn_for_a_known_region() -> None:
    stack = new_stack("eu-west-1")
    arn = powertools_layer_arn(stack, runtime=PY313, architecture=ARM, version=20)
    assert arn == "arn:aws:lambda:eu-west-1:017000801446:layer:AWSLambdaPowertoolsPythonV3-python313-arm64:20"
    x86 = powertools_layer_arn(stack, runtime=aws_lambda.Runtime.PYTHON_3_12, architecture=X86, version=20)
    assert x86.endswith(":layer:AWSLambdaPowertoolsPythonV3-python312-x86_64:20")
    layer = PythonLayer.powertools(stack, "Powertools")
    assert layer.layer_version.layer_version_arn.startswith("arn:aws:lambda:eu-west-1:017000801446:layer:")
    assert [r.name for r in layer.compatible_runtimes] == ["python3.13"]


def test_powertools_arn_for_an_environment_agnostic_stack() -> None:
    stack = new_stack()
    arn = powertools_layer_arn(stack, runtime=PY313, architecture=ARM, version=27)
    assert stack.resolve(arn) == {
        "Fn::Sub": "arn:aws:lambda:${AWS::Region}:017000801446:layer:AWSLambdaPowertoolsPythonV3-python313-arm64:27"
    }


def test_powertools_arn_rejects_other_partitions_and_old_python() -> None:
    with pytest.raises(LambdaConstructsError, match="another account"):
        powertools_layer_arn(new_stack("cn-north-1"))
    with pytest.raises(LambdaConstructsError, match=r"3\.9 or newer"):
        powertools_layer_arn(new_stack("eu-west-1"), runtime=aws_lambda.Runtime.PYTHON_3_8)


def imported(stack: Stack, name: str, **kwargs: Any) -> PythonLayer:
    return PythonLayer.from_layer_arn(stack, name, f"arn:aws:lambda:eu-west-1:123456789012:layer:{name}:1", **kwargs)


def test_check_layers_accepts_a_compatible_set() -> None:
    stack = new_stack()
    layers = [imported(stack, f"L{i}", compatible_runtimes=[PY313], unzipped_size_bytes=1000) for i in range(5)]
    assert check_layers(stack, PY313, ARM, layers, code_unzipped_bytes=500) == 5500


def test_check_layers_rejects_more_than_five() -> None:
    stack = new_stack()
    layers = [imported(stack, f"L{i}", compatible_runtimes=[PY313]) for i in range(6)]
    with pytest.raises(LambdaConstructsError, match="6 layers, Lambda allows at most 5") as caught:
        check_layers(stack, PY313, ARM, layers, code_unzipped_bytes=0)
    assert caught.value.path == "Stack"


def test_check_layers_rejects_incompatible_architecture_and_runtime() -> None:
    stack = new_stack()
    x86_only = imported(stack, "X86Only", compatible_runtimes=[PY313], compatible_architectures=[X86])
    with pytest.raises(LambdaConstructsError, match="layer Stack/X86Only is built for x86_64, not arm64"):
        check_layers(stack, PY313, ARM, [x86_only], code_unzipped_bytes=0)
    py312 = imported(stack, "Py312", compatible_runtimes=[aws_lambda.Runtime.PYTHON_3_12])
    with pytest.raises(LambdaConstructsError, match=r"compatible with python3\.12, not python3\.13"):
        check_layers(stack, PY313, ARM, [py312], code_unzipped_bytes=0)
    cdk_layer = aws_lambda.LayerVersion.from_layer_version_attributes(
        stack, "Plain", layer_version_arn="arn:aws:lambda:eu-west-1:1:layer:p:1", compatible_runtimes=[PY313]
    )
    assert check_layers(stack, PY313, ARM, [cdk_layer], code_unzipped_bytes=7) == 7
    with pytest.raises(LambdaConstructsError, match=r"Stack/Plain is compatible with python3\.13, not python3\.12"):
        check_layers(stack, aws_lambda.Runtime.PYTHON_3_12, ARM, [cdk_layer], code_unzipped_bytes=0)


def test_check_layers_rejects_over_250_mb_and_lists_sizes() -> None:
    stack = new_stack()
    big = imported(stack, "Big", compatible_runtimes=[PY313], unzipped_size_bytes=200_000_000)
    unknown = imported(stack, "Unknown", compatible_runtimes=[PY313])
    assert check_layers(stack, PY313, ARM, [big, unknown], code_unzipped_bytes=62_144_000) == MAX_UNZIPPED_BYTES
    with pytest.raises(LambdaConstructsError) as caught:
        check_layers(stack, PY313, ARM, [big, unknown], code_unzipped_bytes=62_144_001)
    message = str(caught.value)
    assert "262,144,001 bytes" in message and "262,144,000 byte limit" in message
    assert "code 62,144,001 B" in message and "Stack/Big 200,000,000 B" in message
    assert "Stack/Unknown unknown size" in message


def test_direct_upload_zip_limit() -> None:
    stack = new_stack()
    check_direct_upload_zip(stack, 52_428_800)
    with pytest.raises(LambdaConstructsError, match="direct upload limit"):
        check_direct_upload_zip(stack, 52_428_801)
