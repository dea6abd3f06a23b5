"""Docker-free bundler: layout, cleaning, determinism, cache, runtime-SDK exclusion and errors."""

from __future__ import annotations

import hashlib
import subprocess
import sys
import zipfile
from pathlib import Path
from typing import Any

import pytest
from aws_cdk import aws_lambda

from lambda_constructs.bundling import (
    BundleOptions,
    BundleResult,
    NoMatchingWheelError,
    PipFailedError,
    RequirementsFileError,
    architecture_of,
    bundle_python,
    pip_command,
    platform_tags,
    python_version_of,
)
from lambda_constructs.bundling import python as bundler
from lambda_constructs.errors import LambdaConstructsError
from tests.unit.bundling_fixtures import build_wheelhouse, offline_pip_options


@pytest.fixture(scope="module")
def wheelhouse(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_wheelhouse(tmp_path_factory.mktemp("wheelhouse"))


def make_source(root: Path, requirements: str, modules: dict[str, str] | None = None) -> Path:
    source = root / "src"
    source.mkdir(parents=True, exist_ok=True)
    (source / "requirements.txt").write_text(requirements)
    for rel, text in (modules or {}).items():
        (source / rel).parent.mkdir(parents=True, exist_ok=True)
        (source / rel).write_text(text)
    return source


def bundle(source: Path, wheelhouse: Path, cache: Path, **overrides: Any) -> BundleResult:
    options: dict[str, Any] = {
        "source_dir": source,
        "python_version": "3.13",
        "architecture": "arm64",
        "pip_options": offline_pip_options(wheelhouse),
        "cache_dir": cache,
    }
    options.update(overrides)
    return bundle_python(BundleOptions(**options))


def names(result: BundleResult) -> list[str]:
    with zipfile.ZipFile(result.zip_path) as archive:
        return archive.namelist()


class PipSpy:
    """Records pip invocations and forwards them to the real subprocess.run."""

    def __init__(self) -> None:
        self.calls: list[list[str]] = []
        self._real = subprocess.run

    def __call__(self, command: list[str], *args: Any, **kwargs: Any) -> Any:
        self.calls.append(list(command))
        return self._real(command, *args, **kwargs)


@pytest.fixture
def pip_spy(monkeypatch: pytest.MonkeyPatch) -> PipSpy:
    spy = PipSpy()
    monkeypatch.setattr(bundler.subprocess, "run", spy)
    return spy


def test_layer_layout_resolves_dependencies_and_strips_noise(tmp_path: Path, wheelhouse: Path) -> None:
    source = make_source(
        tmp_path,
        "purepkg\n",
        {"handler.py": "def handler(event, context):\n    return 1\n", "mylib/__init__.py": "X = 1\n"},
    )
    (source / "__pycache__").mkdir()
    (source / "__pycache__" / "handler.cpython-313.pyc").write_bytes(b"junk")
    result = bundle(source, wheelhouse, tmp_path / "cache")
    entries = names(result)
    assert entries and all(name.startswith("python/") for name in entries)
    assert "python/purepkg/core.py" in entries
    assert "python/helperdep/__init__.py" in entries  # dependency resolved, not --no-deps
    assert "python/handler.py" in entries and "python/mylib/__init__.py" in entries
    assert not [n for n in entries if "__pycache__" in n or n.endswith(".pyc")]
    assert not [n for n in entries if n.endswith("/RECORD")]
    assert not [n for n in entries if "/tests/" in n]
    assert "python/purepkg-1.0.dist-info/METADATA" in entries
    assert result.packages == ("helperdep==1.0", "purepkg==1.0")
    assert result.asset_dir.is_dir() and (result.asset_dir / "python" / "purepkg" / "core.py").is_file()


def test_function_layout_puts_everything_at_the_root(tmp_path: Path, wheelhouse: Path) -> None:
    source = make_source(tmp_path, "purepkg\n", {"handler.py": "X = 1\n"})
    entries = names(bundle(source, wheelhouse, tmp_path / "cache", layout="function"))
    assert "handler.py" in entries and "purepkg/core.py" in entries
    assert not [n for n in entries if n.startswith("python/")]


def test_zip_is_deterministic_across_caches(tmp_path: Path, wheelhouse: Path) -> None:
    source = make_source(tmp_path, "purepkg\nnativepkg\n", {"handler.py": "X = 1\n"})
    first = bundle(source, wheelhouse, tmp_path / "cache-a")
    second = bundle(source, wheelhouse, tmp_path / "cache-b")
    assert not first.cache_hit and not second.cache_hit
    assert first.zip_path != second.zip_path
    assert first.zip_path.read_bytes() == second.zip_path.read_bytes()
    assert first.sha256 == second.sha256 == hashlib.sha256(first.zip_path.read_bytes()).hexdigest()
    with zipfile.ZipFile(first.zip_path) as archive:
        infos = archive.infolist()
    assert [i.filename for i in infos] == sorted(i.filename for i in infos)
    assert {i.date_time for i in infos} == {(1980, 1, 1, 0, 0, 0)}
    assert {i.external_attr >> 16 for i in infos} <= {0o100644, 0o100755}


def test_sizes_are_measured(tmp_path: Path, wheelhouse: Path) -> None:
    result = bundle(make_source(tmp_path, "purepkg\n"), wheelhouse, tmp_path / "cache")
    files = [p for p in result.asset_dir.rglob("*") if p.is_file()]
    assert result.unzipped_size_bytes == sum(p.stat().st_size for p in files) > 0
    assert result.zipped_size_bytes == result.zip_path.stat().st_size
    with zipfile.ZipFile(result.zip_path) as archive:
        assert sum(i.file_size for i in archive.infolist()) == result.unzipped_size_bytes


def test_second_call_is_a_cache_hit_without_pip(tmp_path: Path, wheelhouse: Path, pip_spy: PipSpy) -> None:
    source = make_source(tmp_path, "purepkg\n", {"handler.py": "X = 1\n"})
    first = bundle(source, wheelhouse, tmp_path / "cache")
    assert not first.cache_hit and len(pip_spy.calls) == 1
    second = bundle(source, wheelhouse, tmp_path / "cache")
    assert second.cache_hit and len(pip_spy.calls) == 1
    assert second.sha256 == first.sha256 and second.zip_path == first.zip_path
    (source / "handler.py").write_text("X = 2\n")  # module content is part of the key
    third = bundle(source, wheelhouse, tmp_path / "cache")
    assert not third.cache_hit and len(pip_spy.calls) == 2 and third.sha256 != first.sha256


@pytest.mark.parametrize(
    "override",
    [{"python_version": "3.12"}, {"architecture": "x86_64"}, {"layout": "function"}, {"strip_tests": False}],
)
def test_cache_key_covers_target_and_options(tmp_path: Path, override: dict[str, Any]) -> None:
    source = make_source(tmp_path, "purepkg\n")
    base = BundleOptions(source_dir=source, python_version="3.13")
    changed = BundleOptions(**{**base.__dict__, **override})
    requirements = b"purepkg\n"
    assert bundler.cache_key(base, requirements, {}) != bundler.cache_key(changed, requirements, {})
    assert bundler.cache_key(base, requirements, {}) != bundler.cache_key(base, b"purepkg==2\n", {})
    with_pip = BundleOptions(**{**base.__dict__, "pip_options": ("--no-index",)})
    assert bundler.cache_key(base, requirements, {}) != bundler.cache_key(with_pip, requirements, {})


def test_platform_only_wheel_is_rejected_for_x86_64(tmp_path: Path, wheelhouse: Path) -> None:
    source = make_source(tmp_path, "purepkg\nnativepkg\n")
    arm = bundle(source, wheelhouse, tmp_path / "cache")
    assert "python/nativepkg/_speedups.cpython-313-aarch64-linux-gnu.so" in names(arm)
    with pytest.raises(NoMatchingWheelError) as caught:
        bundle(source, wheelhouse, tmp_path / "cache", architecture="x86_64")
    error = caught.value
    assert isinstance(error, LambdaConstructsError)
    assert error.package == "nativepkg"
    assert "x86_64" in error.platform and "3.13" in error.platform
    assert "nativepkg" in str(error) and "x86_64" in str(error)
    assert "arm64" in error.fix and "pure-Python" in error.fix


def test_missing_requirements_file(tmp_path: Path) -> None:
    with pytest.raises(RequirementsFileError) as caught:
        bundle_python(
            BundleOptions(source_dir=tmp_path / "nowhere", python_version="3.13", cache_dir=tmp_path / "c"),
            construct_path="Stack/Layer",
        )
    assert caught.value.path == "Stack/Layer"
    assert str(caught.value.value).endswith("requirements.txt")
    assert "not found" in str(caught.value) and caught.value.fix


def test_unreadable_requirements_file(tmp_path: Path) -> None:
    (tmp_path / "requirements.txt").mkdir()  # a directory cannot be read as a file
    with pytest.raises(RequirementsFileError, match="cannot read"):
        bundle_python(BundleOptions(source_dir=tmp_path, python_version="3.13", cache_dir=tmp_path / "c"))


def test_other_pip_failure_carries_stderr_tail(tmp_path: Path, wheelhouse: Path) -> None:
    source = make_source(tmp_path, "purepkg\n")
    with pytest.raises(PipFailedError) as caught:
        bundle(source, wheelhouse, tmp_path / "cache", pip_options=("--no-such-pip-option",))
    assert "no-such-pip-option" in str(caught.value)
    assert not list((tmp_path / "cache").glob("*/manifest.json"))  # failures are not cached


def test_runtime_sdk_is_left_out_with_what_only_it_needs(tmp_path: Path, wheelhouse: Path) -> None:
    result = bundle(make_source(tmp_path, "awsthing\n"), wheelhouse, tmp_path / "cache")
    top = {name.split("/")[1] for name in names(result)}
    assert "awsthing" in top
    assert not top & {"boto3", "botocore", "s3transfer", "jmespath", "urllib3"}
    assert result.excluded_packages == ("boto3", "botocore", "jmespath", "s3transfer", "urllib3")


def test_shared_dependency_of_the_sdk_is_kept_when_something_else_needs_it(tmp_path: Path, wheelhouse: Path) -> None:
    result = bundle(make_source(tmp_path, "awsthing\nwebthing\n"), wheelhouse, tmp_path / "cache")
    top = {name.split("/")[1] for name in names(result)}
    assert "urllib3" in top and "webthing" in top and "botocore" not in top
    assert "urllib3" not in result.excluded_packages


def test_explicitly_pinned_boto3_is_kept(tmp_path: Path, wheelhouse: Path) -> None:
    result = bundle(make_source(tmp_path, "awsthing\nboto3==1.0\n"), wheelhouse, tmp_path / "cache")
    top = {name.split("/")[1] for name in names(result)}
    assert {"boto3", "botocore", "s3transfer", "jmespath"} <= top
    assert result.excluded_packages == ()


def test_empty_requirements_bundles_modules_without_pip(tmp_path: Path, pip_spy: PipSpy) -> None:
    source = make_source(tmp_path, "# nothing\n\n", {"handler.py": "X = 1\n"})
    result = bundle_python(
        BundleOptions(source_dir=source, python_version="3.13", layout="function", cache_dir=tmp_path / "c")
    )
    assert names(result) == ["handler.py"] and pip_spy.calls == []


def test_pip_command_targets_lambda_platform(tmp_path: Path) -> None:
    options = BundleOptions(source_dir=tmp_path, python_version="3.13", architecture="arm64", pip_options=("-q",))
    command = pip_command(options, tmp_path / "requirements.txt", tmp_path / "t", tmp_path / "r.json")
    assert command[:4] == [sys.executable, "-m", "pip", "install"]
    for flag in ("--only-binary=:all:", "--no-compile", "--target", "--report"):
        assert flag in command
    assert "--no-deps" not in command
    assert command[command.index("--python-version") + 1] == "3.13"
    assert command[command.index("--implementation") + 1] == "cp"
    platforms = [command[i + 1] for i, arg in enumerate(command) if arg == "--platform"]
    assert "manylinux2014_aarch64" in platforms and "manylinux_2_28_aarch64" in platforms
    assert command[-3:] == ["-q", "-r", str(tmp_path / "requirements.txt")]


def test_platform_tags_follow_the_lambda_glibc() -> None:
    new = platform_tags("3.13", "x86_64")
    assert new[0] == "manylinux_2_34_x86_64" and "manylinux2014_x86_64" in new
    assert all(tag.endswith("_x86_64") for tag in new)
    old = platform_tags("3.11", "arm64")
    assert old[0] == "manylinux_2_26_aarch64" and "manylinux_2_28_aarch64" not in old


def test_runtime_and_architecture_helpers() -> None:
    assert python_version_of(aws_lambda.Runtime.PYTHON_3_13) == "3.13"
    assert python_version_of(aws_lambda.Runtime.PYTHON_3_9) == "3.9"
    assert architecture_of(aws_lambda.Architecture.ARM_64) == "arm64"
    assert architecture_of(aws_lambda.Architecture.X86_64) == "x86_64"
    with pytest.raises(LambdaConstructsError, match="not a Python runtime"):
        python_version_of(aws_lambda.Runtime.NODEJS_22_X)
    with pytest.raises(LambdaConstructsError, match=r"3\.N"):
        bundle_python(BundleOptions(source_dir=Path("."), python_version="python3.13"))


def test_drop_walk_ignores_unreached_and_honours_requests() -> None:
    installed = {
        "app": ("1", True, ("boto3", "requests")),
        "requests": ("1", False, ("urllib3",)),
        "boto3": ("1", False, ("botocore",)),
        "botocore": ("1", False, ("urllib3", "python-dateutil")),
        "python-dateutil": ("1", False, ("six",)),
        "six": ("1", False, ()),
        "urllib3": ("1", False, ()),
    }
    drop = bundler.runtime_provided_to_drop(installed, {"boto3", "botocore"})
    assert drop == {"boto3", "botocore", "python-dateutil", "six"}
    pinned = {**installed, "boto3": ("1", True, ("botocore",))}
    assert bundler.runtime_provided_to_drop(pinned, {"boto3", "botocore"}) == set()


@pytest.mark.network
def test_real_package_from_pypi(tmp_path: Path) -> None:
    source = make_source(tmp_path, "six==1.16.0\n")
    result = bundle_python(BundleOptions(source_dir=source, python_version="3.13", cache_dir=tmp_path / "c"))
    assert "python/six.py" in names(result)
