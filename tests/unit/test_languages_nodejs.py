"""Node.js functions: template, bundle contents (esbuild and npm), determinism, cache, bad input."""

from __future__ import annotations

import json
import shutil
import subprocess
import zipfile
from pathlib import Path
from typing import Any

import pytest
from aws_cdk import aws_lambda as lambda_
from aws_cdk.assertions import Annotations, Match, Template

from lambda_constructs import LambdaConstructsError, SecureFunction, SecureFunctionProps
from lambda_constructs.bundling.python import BundleResult
from lambda_constructs.languages import NodejsBundling
from lambda_constructs.languages.nodejs import bundle_nodejs, exports_name
from lambda_constructs.runtimes import latest_nodejs
from tests.helpers import new_stack

NODE_APP = Path(__file__).resolve().parent.parent / "fixtures" / "languages" / "node_app"
HELLO_NODE = Path(__file__).resolve().parent.parent.parent / "runtime" / "hello_node"


def make(cache: Path, **overrides: Any) -> tuple[SecureFunction, Template]:
    stack = new_stack()
    bundling = overrides.pop("nodejs_bundling", NodejsBundling(cache_dir=cache))
    props = SecureFunctionProps(
        **{"code_dir": NODE_APP, "language": "nodejs", "nodejs_bundling": bundling, **overrides}
    )
    fn = SecureFunction(stack, "Fn", props)
    return fn, Template.from_stack(stack)


@pytest.fixture(scope="module")
def cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("node-cache")


@pytest.fixture(scope="module")
def esbuild_fn(cache: Path) -> tuple[SecureFunction, Template]:
    return make(cache)


@pytest.fixture(scope="module")
def npm_fn(cache: Path) -> tuple[SecureFunction, Template]:
    return make(cache, nodejs_bundling=NodejsBundling(bundler="npm", cache_dir=cache))


def bundle_of(fn: SecureFunction) -> BundleResult:
    assert fn.language_info.bundle is not None
    return fn.language_info.bundle


def test_template_uses_latest_nodejs_and_index_handler(esbuild_fn: tuple[SecureFunction, Template]) -> None:
    _, template = esbuild_fn
    template.has_resource_properties(
        "AWS::Lambda::Function",
        {
            "Runtime": latest_nodejs().name,
            "Handler": "index.handler",
            "Architectures": ["arm64"],
            "Code": {"S3Key": Match.string_like_regexp(r"^[0-9a-f]{64}\.zip$")},
            "KmsKeyArn": {"Fn::GetAtt": [Match.string_like_regexp("^LambdaConstructsKey"), "Arn"]},
            "TracingConfig": {"Mode": "Active"},
        },
    )


def test_runtime_argument_selects_nodejs_too(cache: Path) -> None:
    _, template = make(cache, language=None, runtime=lambda_.Runtime.NODEJS_22_X)
    template.has_resource_properties("AWS::Lambda::Function", {"Runtime": "nodejs22.x", "Handler": "index.handler"})


def test_esbuild_bundle_is_one_file_with_production_dependencies_only(
    esbuild_fn: tuple[SecureFunction, Template],
) -> None:
    bundle = bundle_of(esbuild_fn[0])
    archive = zipfile.ZipFile(bundle.zip_path)
    assert archive.namelist() == ["index.js"]
    code = archive.read("index.js").decode()
    assert "hello " in code  # tiny-greet was inlined
    assert "dev only" not in code  # the devDependency was not
    assert bundle.packages == ("tiny-greet@1.0.0",)
    assert bundle.excluded_packages == ("@aws-sdk/*",)


def test_npm_bundle_has_node_modules_without_dev_dependencies(npm_fn: tuple[SecureFunction, Template]) -> None:
    bundle = bundle_of(npm_fn[0])
    names = zipfile.ZipFile(bundle.zip_path).namelist()
    assert "node_modules/tiny-greet/index.js" in names
    assert not [n for n in names if n.startswith("node_modules/tiny-devtool/")]
    assert not [n for n in names if n.startswith("node_modules/.bin/")]
    assert bundle.packages == ("tiny-greet@1.0.0",)


def s3_key(template: Template) -> str:
    function = next(iter(template.find_resources("AWS::Lambda::Function").values()))
    return str(function["Properties"]["Code"]["S3Key"])


def test_same_inputs_give_byte_identical_zip_and_asset(
    esbuild_fn: tuple[SecureFunction, Template], tmp_path: Path
) -> None:
    first = bundle_of(esbuild_fn[0])
    other, template = make(tmp_path / "other-cache")  # cold: built again in another cache
    second = bundle_of(other)
    assert second.cache_hit is False
    assert second.sha256 == first.sha256
    assert second.zip_path.read_bytes() == first.zip_path.read_bytes()
    assert s3_key(template) == s3_key(esbuild_fn[1])


def test_second_bundle_is_a_cache_hit(esbuild_fn: tuple[SecureFunction, Template], cache: Path) -> None:
    node_major = int(latest_nodejs().name.removeprefix("nodejs").split(".")[0])  # the fixture's default runtime
    again = bundle_nodejs(
        NODE_APP,
        entry="index.js",
        node_major=node_major,
        architecture="arm64",
        bundling=NodejsBundling(cache_dir=cache),
    )
    assert again.cache_hit is True
    assert again.sha256 == bundle_of(esbuild_fn[0]).sha256


def test_target_architecture_changes_the_cache_key(cache: Path) -> None:
    arm = bundle_nodejs(
        NODE_APP,
        entry="index.js",
        node_major=24,
        architecture="arm64",
        bundling=NodejsBundling(bundler="npm", cache_dir=cache),
    )
    x86 = bundle_nodejs(
        NODE_APP,
        entry="index.js",
        node_major=24,
        architecture="x86_64",
        bundling=NodejsBundling(bundler="npm", cache_dir=cache),
    )
    assert arm.cache_key != x86.cache_key


def _project(root: Path, files: dict[str, str], package: dict[str, Any] | None = None) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text)
    if package is not None:
        (root / "package.json").write_text(json.dumps(package))
    return root


def test_typescript_entry_is_bundled_to_javascript(tmp_path: Path) -> None:
    src = _project(
        tmp_path / "ts",
        {
            "src/app.ts": "export const handler = async (event: { name?: string }): Promise<string> => `hi ${event.name}`;\n"
        },
        {"name": "ts-app", "version": "1.0.0"},
    )
    fn, template = make(
        tmp_path / "cache",
        code_dir=src,
        handler="src/app.handler",
        nodejs_bundling=NodejsBundling(cache_dir=tmp_path / "cache"),
    )
    template.has_resource_properties("AWS::Lambda::Function", {"Handler": "src/app.handler"})
    archive = zipfile.ZipFile(bundle_of(fn).zip_path)
    assert archive.namelist() == ["src/app.js"]
    assert ": Promise<string>" not in archive.read("src/app.js").decode()


def test_es_module_entry_stays_an_es_module(tmp_path: Path) -> None:
    src = _project(tmp_path / "esm", {"index.mjs": "export async function handler() { return 1; }\n"})
    fn, _ = make(tmp_path / "cache", code_dir=src, nodejs_bundling=NodejsBundling(cache_dir=tmp_path / "cache"))
    archive = zipfile.ZipFile(bundle_of(fn).zip_path)
    assert archive.namelist() == ["index.mjs"]
    assert "createRequire" in archive.read("index.mjs").decode()


def test_overview_example_bundles(cache: Path) -> None:
    fn, template = make(cache, code_dir=HELLO_NODE)
    template.has_resource_properties("AWS::Lambda::Function", {"Handler": "index.handler"})
    assert zipfile.ZipFile(bundle_of(fn).zip_path).namelist() == ["index.js"]


def test_package_json_without_lock_file_warns(tmp_path: Path) -> None:
    dep = NODE_APP / "vendor" / "tiny-greet-1.0.0.tgz"
    src = _project(
        tmp_path / "nolock",
        {"index.js": "exports.handler = async () => require('tiny-greet').greet('x');\n"},
        {"name": "nolock", "version": "1.0.0", "dependencies": {"tiny-greet": f"file:{dep}"}},
    )
    fn, _ = make(tmp_path / "cache", code_dir=src, nodejs_bundling=NodejsBundling(cache_dir=tmp_path / "cache"))
    Annotations.from_stack(fn.function.stack).has_warning(
        "/TestStack/Fn", Match.string_like_regexp("no package-lock.json")
    )
    assert bundle_of(fn).packages == ("tiny-greet@1.0.0",)


@pytest.mark.parametrize(
    ("files", "handler", "bundler", "message"),
    [
        (
            {"index.js": "exports.handler = async () => 1;"},
            "app.handler",
            "esbuild",
            r"no file for handler app\.handler",
        ),
        (
            {"index.js": "exports.other = async () => 1;"},
            "index.handler",
            "esbuild",
            r"index\.js does not export handler",
        ),
        (
            {"index.ts": "export const handler = async () => 1;"},
            "index.handler",
            "npm",
            r"TypeScript entry point needs",
        ),
        ({"index.js": "exports.handler = 1;"}, "index.handler()", "esbuild", r"handler is not of the .* form"),
    ],
)
def test_bad_nodejs_input_fails_at_synth(
    tmp_path: Path, files: dict[str, str], handler: str, bundler: str, message: str
) -> None:
    src = _project(tmp_path / "bad", files)
    with pytest.raises(LambdaConstructsError, match=message):
        make(
            tmp_path / "cache",
            code_dir=src,
            handler=handler,
            nodejs_bundling=NodejsBundling(bundler=bundler, cache_dir=tmp_path / "c"),  # type: ignore[arg-type]
        )


def test_missing_production_dependency_is_a_bundling_error(tmp_path: Path) -> None:
    src = _project(
        tmp_path / "missing", {"index.js": "const x = require('not-installed');\nexports.handler = async () => x;\n"}
    )
    with pytest.raises(LambdaConstructsError, match="esbuild failed"):
        make(tmp_path / "cache", code_dir=src, nodejs_bundling=NodejsBundling(cache_dir=tmp_path / "cache"))


def test_language_and_runtime_must_agree(cache: Path) -> None:
    with pytest.raises(LambdaConstructsError, match="is not a nodejs runtime"):
        make(cache, runtime=lambda_.Runtime.PYTHON_3_13)


@pytest.mark.parametrize(
    "source",
    [
        "exports.handler = async (event) => {}",
        "module.exports.handler = function () {}",
        "module.exports = { other, handler }",
        "export const handler = async () => {}",
        "export async function handler(event) {}",
        "export function handler(event) {}",
        "const handler = 1; export { handler };",
        "const h = 1; export { h as handler };",
    ],
)
def test_export_forms_are_recognised(source: str) -> None:
    assert exports_name(source, "handler")


@pytest.mark.parametrize(
    "source", ["exports.handlers = 1", "const handler = 1;", "export default async function handler() {}"]
)
def test_non_exports_are_rejected(source: str) -> None:
    assert not exports_name(source, "handler")


def test_npm_is_the_node_24_from_the_venv() -> None:
    npm = shutil.which("npm")
    assert npm is not None
    version = subprocess.run([npm, "--version"], capture_output=True, text=True, check=True).stdout
    assert int(version.split(".")[0]) >= 10
