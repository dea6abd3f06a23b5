"""Byte code in bundles: compiled by a CPython of the target version, deterministic, or a warning once."""

from __future__ import annotations

import marshal
import sys
import zipfile
from pathlib import Path

import pytest
from aws_cdk import aws_lambda as lambda_
from aws_cdk.assertions import Annotations, Match

from lambda_constructs import LambdaConstructsError, SecureFunction, SecureFunctionProps
from lambda_constructs.bundling import bytecode
from lambda_constructs.bundling.python import BundleOptions, BundleResult, bundle_python
from tests.helpers import new_stack
from tests.unit.bundling_fixtures import build_wheelhouse, offline_pip_options

HERE = f"{sys.version_info[0]}.{sys.version_info[1]}"
TAG = f"cpython-{sys.version_info[0]}{sys.version_info[1]}"
#: A Python runtime aws-cdk-lib knows whose interpreter this machine lacks (probed, not assumed). Never
#: a made-up ``lambda_.Runtime("python3.30")``: aws-cdk-lib adds every new Runtime to ``Runtime.ALL``,
#: and cdk-nag's "latest runtime" rules (AwsSolutions-L1) then fail every later function of the process.
ABSENT_RUNTIME: lambda_.Runtime | None = next(
    (
        getattr(lambda_.Runtime, attr)
        for attr in sorted(a for a in dir(lambda_.Runtime) if a.startswith("PYTHON_3_"))
        if bytecode.find_interpreter(attr.removeprefix("PYTHON_").replace("_", ".")) is None
    ),
    None,
)
ABSENT = ABSENT_RUNTIME.name.removeprefix("python") if ABSENT_RUNTIME is not None else "3.99"


@pytest.fixture(scope="module")
def wheelhouse(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_wheelhouse(tmp_path_factory.mktemp("wheelhouse"))


def _source(root: Path) -> Path:
    source = root / "src"
    source.mkdir(parents=True)
    (source / "requirements.txt").write_text("purepkg\n")
    (source / "handler.py").write_text("def handler(event, context):\n    return 1\n")
    return source


def _bundle(source: Path, wheelhouse: Path, cache: Path, version: str, **extra: object) -> BundleResult:
    return bundle_python(
        BundleOptions(
            source_dir=source,
            python_version=version,
            layout="function",
            pip_options=offline_pip_options(wheelhouse),
            cache_dir=cache,
            **extra,  # type: ignore[arg-type]
        )
    )


def test_pyc_for_every_module_unchecked_hash_with_runtime_paths(tmp_path: Path, wheelhouse: Path) -> None:
    result = _bundle(_source(tmp_path), wheelhouse, tmp_path / "cache", HERE)
    assert result.bytecode_python is not None and result.bytecode_python.startswith(HERE + ".")
    with zipfile.ZipFile(result.zip_path) as archive:
        names = archive.namelist()
        pyc = archive.read(f"__pycache__/handler.{TAG}.pyc")
    sources = [n for n in names if n.endswith(".py")]
    for source in sources:
        folder, _, file = source.rpartition("/")
        compiled = f"{folder + '/' if folder else ''}__pycache__/{file[:-3]}.{TAG}.pyc"
        assert compiled in names, source
    # PEP 552 header: flags 0b01 = hash-based, source not checked at import.
    assert int.from_bytes(pyc[4:8], "little") == 0b01
    assert marshal.loads(pyc[16:]).co_filename == "/var/task/handler.py"


def test_bundles_with_byte_code_are_reproducible(tmp_path: Path, wheelhouse: Path) -> None:
    first = _bundle(_source(tmp_path / "a"), wheelhouse, tmp_path / "cache-a", HERE)
    second = _bundle(_source(tmp_path / "b"), wheelhouse, tmp_path / "cache-b", HERE)
    assert first.bytecode_python is not None and first.sha256 == second.sha256


def test_no_interpreter_no_byte_code(tmp_path: Path, wheelhouse: Path) -> None:
    result = _bundle(_source(tmp_path), wheelhouse, tmp_path / "cache", ABSENT)
    assert result.bytecode_python is None
    with zipfile.ZipFile(result.zip_path) as archive:
        assert not [n for n in archive.namelist() if n.endswith(".pyc")]
    off = _bundle(_source(tmp_path / "off"), wheelhouse, tmp_path / "cache-off", HERE, bytecode=False)
    assert (
        off.bytecode_python is None
        and off.cache_key != _bundle(_source(tmp_path / "on"), wheelhouse, tmp_path / "cache-on", HERE).cache_key
    )


def test_interpreter_of_another_version_is_rejected(tmp_path: Path, wheelhouse: Path) -> None:
    with pytest.raises(LambdaConstructsError, match=rf"not a CPython {ABSENT}.*{bytecode.env_var(ABSENT)}"):
        _bundle(_source(tmp_path), wheelhouse, tmp_path / "cache", ABSENT, interpreter=sys.executable)


def test_environment_variable_names_the_interpreter(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(bytecode.env_var(HERE), sys.executable)
    found = bytecode.find_interpreter(HERE)
    assert found is not None and found.path == sys.executable


def test_missing_interpreter_is_said_once_at_synth(
    tmp_path: Path, wheelhouse: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    if ABSENT_RUNTIME is None:
        pytest.skip("every Python runtime aws-cdk-lib knows has an interpreter on this machine")
    monkeypatch.setattr(bytecode, "_warned", set())
    stack = new_stack()
    runtime = ABSENT_RUNTIME
    for name in ("A", "B"):
        SecureFunction(
            stack,
            name,
            SecureFunctionProps(
                code_dir=_source(tmp_path / name),
                runtime=runtime,
                handler="handler.handler",
                pip_options=tuple(offline_pip_options(wheelhouse)),
            ),
        )
    warnings = Annotations.from_stack(stack).find_info("*", Match.string_like_regexp("noBytecodeInterpreter"))
    assert len(warnings) == 1 and f"no CPython {ABSENT}" in str(warnings[0].entry.data)
