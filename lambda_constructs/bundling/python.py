"""Docker-free bundling of Python dependencies for Lambda layers and functions.

``bundle_python`` runs ``python -m pip install --target`` with the Lambda platform tags
(``--platform manylinux... --implementation cp --python-version X.Y --only-binary=:all:``), so only
wheels built for the Lambda OS and CPU are used and no container is needed. Dependencies are
resolved (no ``--no-deps``). The result is a cached directory plus a deterministic zip of it.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Literal

from lambda_constructs.bundling.archive import iter_files, tree_size, write_zip
from lambda_constructs.bundling.bytecode import Interpreter, compile_tree, find_interpreter
from lambda_constructs.bundling.errors import (
    BundlingError,
    NoMatchingWheelError,
    PipFailedError,
    RequirementsFileError,
)
from lambda_constructs.bundling.targets import (
    Architecture,
    platform_label,
    platform_tags,
    validate_python_version,
)

BUNDLER_VERSION = "2"
"""Part of every cache key: bump it when the bundle layout or cleaning rules change."""

RUNTIME_PROVIDED_PACKAGES: frozenset[str] = frozenset({"boto3", "botocore", "s3transfer", "jmespath"})
"""The AWS SDK for Python and its own libraries, present in every Lambda Python runtime."""

DEFAULT_CACHE_DIR_NAME = ".bundle-cache"
STDERR_TAIL_LINES = 20

Layout = Literal["layer", "function"]
"""``layer``: everything under ``python/``; ``function``: at the zip root next to the handler."""

_NAME = re.compile(r"^\s*([A-Za-z0-9][A-Za-z0-9._-]*)")
_NO_MATCH = re.compile(r"No matching distribution found for (\S+)")
_TEST_DIRS = frozenset({"tests", "test"})
_DROPPED_METADATA = frozenset({"RECORD", "direct_url.json"})


@dataclass(frozen=True, kw_only=True)
class BundleOptions:
    """What to bundle and for which target.

    Attributes:
        source_dir: folder with ``requirements.txt`` and, optionally, top-level ``*.py`` modules and
            packages (folders with ``__init__.py``) that are copied next to the dependencies.
        python_version: target CPython version, e.g. ``"3.13"`` (see ``python_version_of``).
        architecture: ``"arm64"`` (manylinux aarch64 wheels) or ``"x86_64"``. Default ``"arm64"``.
        layout: ``"layer"`` (under ``python/``) or ``"function"`` (zip root). Default ``"layer"``.
        pip_options: extra pip arguments, e.g. ``("--no-index", "--find-links", "wheels")``.
            Part of the cache key as text; the contents of indexes and wheelhouses are not, so pin
            versions. Default ``()``.
        cache_dir: where bundles are cached. Default ``None``: ``<cwd>/.bundle-cache`` (the CDK app
            directory when run by ``cdk synth``).
        exclude: packages left out because the Lambda runtime provides them, together with
            dependencies that only they pull in; a package named in the requirements file is always
            kept. Default ``RUNTIME_PROVIDED_PACKAGES``.
        strip_tests: drop ``tests``/``test`` folders of dependencies. Default ``True``.
        requirements_file: file name inside ``source_dir``. Default ``"requirements.txt"``.
        bytecode: compile ``.pyc`` files (unchecked-hash, see :mod:`lambda_constructs.bundling.bytecode`)
            when an interpreter of ``python_version`` is found, so cold starts do not compile them.
            Default ``True``.
        interpreter: that interpreter's path. Default ``None``: ``LAMBDA_CONSTRUCTS_PYTHON_3_N``, the
            running interpreter if it is 3.N, else ``python3.N`` on ``PATH``.
    """

    source_dir: Path
    python_version: str
    architecture: Architecture = "arm64"
    layout: Layout = "layer"
    pip_options: tuple[str, ...] = ()
    cache_dir: Path | None = None
    exclude: frozenset[str] = field(default=RUNTIME_PROVIDED_PACKAGES)
    strip_tests: bool = True
    requirements_file: str = "requirements.txt"
    bytecode: bool = True
    interpreter: str | None = None


@dataclass(frozen=True, kw_only=True)
class BundleResult:
    """A finished bundle.

    Attributes:
        asset_dir: directory usable with ``aws_lambda.Code.from_asset``.
        zip_path: deterministic zip of ``asset_dir`` (also usable with ``Code.from_asset``; preferred,
            since it is uploaded byte for byte).
        sha256: hex sha256 of the zip.
        cache_key: hex sha256 of every input.
        cache_hit: ``True`` when the bundle came from the cache and pip was not run.
        unzipped_size_bytes: total size of the files in ``asset_dir``.
        zipped_size_bytes: size of the zip.
        packages: installed distributions as ``name==version``, sorted.
        excluded_packages: distributions removed as runtime-provided, sorted.
        bytecode_python: full version of the CPython that compiled the ``.pyc`` files, or ``None``
            when the bundle has no byte code (``bytecode=False`` or no interpreter found). Default ``None``.
    """

    asset_dir: Path
    zip_path: Path
    sha256: str
    cache_key: str
    cache_hit: bool
    unzipped_size_bytes: int
    zipped_size_bytes: int
    packages: tuple[str, ...]
    excluded_packages: tuple[str, ...]
    bytecode_python: str | None = None


def normalize_name(name: str) -> str:
    """PEP 503 normalized distribution name."""
    return re.sub(r"[-_.]+", "-", name).lower()


def requirement_name(requirement: str) -> str | None:
    """The normalized distribution name at the start of a requirement string, if any."""
    match = _NAME.match(requirement)
    return normalize_name(match.group(1)) if match else None


def bundle_python(options: BundleOptions, *, construct_path: str = "") -> BundleResult:
    """Bundle ``options.source_dir`` for Lambda, reusing the cache when no input changed.

    ``construct_path`` names the construct in error messages. Raises ``RequirementsFileError``,
    ``NoMatchingWheelError`` or ``PipFailedError`` (all ``BundlingError``).
    """
    validate_python_version(options.python_version)
    source_dir = Path(options.source_dir).resolve()
    requirements_path = source_dir / options.requirements_file
    requirements = _read_requirements(requirements_path, construct_path)
    modules = _module_files(source_dir)
    interpreter = (
        find_interpreter(options.python_version, options.interpreter, construct_path=construct_path)
        if options.bytecode
        else None
    )
    key = cache_key(options, requirements, modules, interpreter)
    cache_dir = (Path(options.cache_dir) if options.cache_dir else Path.cwd() / DEFAULT_CACHE_DIR_NAME).resolve()
    entry = cache_dir / key
    cached = _load_entry(entry, key)
    if cached is not None:
        return cached

    cache_dir.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".tmp-{key[:12]}-", dir=cache_dir))
    try:
        manifest = _build(options, requirements_path, requirements, modules, staging, construct_path, interpreter)
        (staging / "manifest.json").write_text(json.dumps(manifest, indent=1, sort_keys=True))
        try:
            staging.rename(entry)
        except OSError:
            if not (entry / "manifest.json").is_file():  # not a concurrent build of the same key
                raise
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    result = _load_entry(entry, key)
    if result is None:  # pragma: no cover - the entry was just written
        raise BundlingError(construct_path, "bundle cache entry is unreadable", value=str(entry))
    return _replace_hit(result, hit=False)


def cache_key(
    options: BundleOptions, requirements: bytes, modules: Mapping[str, Path], interpreter: Interpreter | None = None
) -> str:
    """sha256 of requirements, included module contents, target, layout, pip options, byte-code
    interpreter version and bundler."""
    digest = hashlib.sha256()
    parts: dict[str, Any] = {
        "bundler": BUNDLER_VERSION,
        "requirements": hashlib.sha256(requirements).hexdigest(),
        "modules": {rel: hashlib.sha256(path.read_bytes()).hexdigest() for rel, path in modules.items()},
        "python": options.python_version,
        "architecture": options.architecture,
        "layout": options.layout,
        "pip_options": list(options.pip_options),
        "exclude": sorted(normalize_name(name) for name in options.exclude),
        "strip_tests": options.strip_tests,
        "bytecode": interpreter.version if interpreter else None,
    }
    digest.update(json.dumps(parts, sort_keys=True).encode())
    return digest.hexdigest()


def pip_command(options: BundleOptions, requirements_path: Path, target: Path, report: Path) -> list[str]:
    """The pip invocation for ``options`` (``sys.executable -m pip install --target ...``)."""
    command = [
        sys.executable, "-m", "pip", "install",
        "--target", str(target),
        "--implementation", "cp",
        "--python-version", options.python_version,
        "--only-binary=:all:",
        "--no-compile",
        "--disable-pip-version-check",
        "--no-input",
        "--no-warn-conflicts",
        "--quiet",
        "--report", str(report),
    ]  # fmt: skip
    for tag in platform_tags(options.python_version, options.architecture):
        command += ["--platform", tag]
    command += [*options.pip_options, "-r", str(requirements_path)]
    return command


def _read_requirements(path: Path, construct_path: str) -> bytes:
    fix = f"create {path.name} in the bundle folder (it may be empty) or point source_dir at the right folder"
    try:
        return path.read_bytes()
    except FileNotFoundError:
        raise RequirementsFileError(construct_path, "requirements file not found", value=str(path), fix=fix) from None
    except OSError as error:
        raise RequirementsFileError(
            construct_path, f"cannot read requirements file: {error.strerror}", value=str(path), fix=fix
        ) from error


def _has_requirements(requirements: bytes) -> bool:
    lines = (line.split("#", 1)[0].strip() for line in requirements.decode(errors="replace").splitlines())
    return any(lines)


def _module_files(source_dir: Path) -> dict[str, Path]:
    """Files of top-level ``*.py`` modules and packages in ``source_dir``, by relative path."""
    found: dict[str, Path] = {}
    if not source_dir.is_dir():
        return found
    for child in sorted(source_dir.iterdir()):
        if child.name.startswith(".") or child.name == "__pycache__":
            continue
        if child.is_file() and child.suffix == ".py":
            found[child.name] = child
        elif child.is_dir() and (child / "__init__.py").is_file():
            for rel, path in iter_files(child):
                if "__pycache__" not in rel.split("/") and not rel.endswith(".pyc"):
                    found[f"{child.name}/{rel}"] = path
    return found


def _build(
    options: BundleOptions,
    requirements_path: Path,
    requirements: bytes,
    modules: Mapping[str, Path],
    staging: Path,
    construct_path: str,
    interpreter: Interpreter | None = None,
) -> dict[str, Any]:
    asset = staging / "asset"
    root = asset / "python" if options.layout == "layer" else asset
    root.mkdir(parents=True)
    packages: list[str] = []
    excluded: list[str] = []
    if _has_requirements(requirements):
        report_path = staging / "pip-report.json"
        _run_pip(options, pip_command(options, requirements_path, root, report_path), construct_path)
        report = json.loads(report_path.read_text())
        installed = _installed(report)
        drop = runtime_provided_to_drop(installed, options.exclude)
        for name in sorted(drop):
            _remove_distribution(root, name)
        excluded = sorted(drop)
        packages = sorted(f"{name}=={info[0]}" for name, info in installed.items() if name not in drop)
        _clean(root, strip_tests=options.strip_tests)
    for rel, path in modules.items():
        destination = root / rel
        if destination.exists():
            raise BundlingError(
                construct_path,
                "an included module has the same path as a file installed from the requirements",
                value=rel,
                fix="rename the module or remove the conflicting requirement",
            )
        destination.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path, destination)
    if interpreter is not None:
        # Where Lambda puts the code: the function's zip at /var/task, a layer's python/ at /opt/python.
        runtime_dir = "/opt/python" if options.layout == "layer" else "/var/task"
        compile_tree(interpreter, root, runtime_dir, construct_path=construct_path)
    zip_path = staging / "bundle.zip"
    write_zip(asset, zip_path)
    data = zip_path.read_bytes()
    return {
        "sha256": hashlib.sha256(data).hexdigest(),
        "unzipped_size_bytes": tree_size(asset),
        "zipped_size_bytes": len(data),
        "packages": packages,
        "excluded_packages": excluded,
        "bytecode_python": interpreter.version if interpreter else None,
    }


def _run_pip(options: BundleOptions, command: list[str], construct_path: str) -> None:
    env = dict(os.environ, PIP_DISABLE_PIP_VERSION_CHECK="1", PYTHONDONTWRITEBYTECODE="1")
    completed = subprocess.run(command, capture_output=True, text=True, check=False, env=env)
    if completed.returncode == 0:
        return
    stderr = completed.stderr or ""
    label = platform_label(options.python_version, options.architecture)
    match = _NO_MATCH.search(stderr)
    if match:
        requirement = match.group(1)
        package = requirement_name(requirement) or requirement
        other = "x86_64" if options.architecture == "arm64" else "arm64"
        fix = (
            f"pin a version of '{package}' that publishes a pure-Python (py3-none-any) wheel or a manylinux "
            f"wheel for this target, use architecture '{other}' if '{package}' only ships wheels for it, "
            "or build the wheel yourself (pip wheel) and add it with pip_options --find-links"
        )
        if "--no-index" in options.pip_options:
            fix += "; with --no-index, check that the wheelhouse contains it"
        raise NoMatchingWheelError(
            construct_path,
            f"no wheel of '{requirement}' for {label}",
            package=package,
            platform=label,
            fix=fix,
        )
    tail = "\n".join(stderr.strip().splitlines()[-STDERR_TAIL_LINES:])
    raise PipFailedError(
        construct_path,
        f"pip install failed with exit code {completed.returncode} for {label}:\n{tail}",
        fix="run the pip command shown by pip_command() by hand to see the full output",
    )


def _installed(report: Mapping[str, Any]) -> dict[str, tuple[str, bool, tuple[str, ...]]]:
    """``name -> (version, requested, dependency names)`` from a pip ``--report``."""
    installed: dict[str, tuple[str, bool, tuple[str, ...]]] = {}
    for item in report.get("install", []):
        metadata = item.get("metadata", {})
        names = (requirement_name(req) for req in metadata.get("requires_dist") or [])
        deps = tuple(name for name in names if name)
        installed[normalize_name(metadata["name"])] = (
            str(metadata.get("version", "")),
            bool(item.get("requested", False)),
            deps,
        )
    return installed


def runtime_provided_to_drop(
    installed: Mapping[str, tuple[str, bool, tuple[str, ...]]], exclude: Iterable[str]
) -> set[str]:
    """Installed distributions to remove because the runtime provides them.

    Walks the dependency graph from the requested (named in the requirements file) distributions,
    never entering an excluded distribution unless the walk started from a requested excluded one;
    everything not reached is dropped. Markers are ignored, so the walk keeps too much, never too little.
    """
    excluded = {normalize_name(name) for name in exclude}
    keep: set[str] = set()
    seen: set[tuple[str, bool]] = set()
    stack = [(name, name in excluded) for name, info in installed.items() if info[1]]
    while stack:
        name, sdk_pinned = stack.pop()
        if (name, sdk_pinned) in seen or name not in installed:
            continue
        seen.add((name, sdk_pinned))
        keep.add(name)
        for dep in installed[name][2]:
            if dep in excluded and not sdk_pinned:
                continue
            stack.append((dep, sdk_pinned))
    return set(installed) - keep


def _dist_info_dirs(root: Path) -> dict[str, Path]:
    found: dict[str, Path] = {}
    for dist_info in root.glob("*.dist-info"):
        metadata = dist_info / "METADATA"
        if not metadata.is_file():
            continue
        for line in metadata.read_text(errors="replace").splitlines():
            if line.startswith("Name:"):
                found[normalize_name(line.split(":", 1)[1].strip())] = dist_info
                break
    return found


def _remove_distribution(root: Path, name: str) -> None:
    dist_info = _dist_info_dirs(root).get(name)
    if dist_info is None:
        return
    record = dist_info / "RECORD"
    parents: set[Path] = set()
    resolved_root = root.resolve()
    if record.is_file():
        for line in record.read_text(errors="replace").splitlines():
            rel = line.rsplit(",", 2)[0] if line.count(",") >= 2 else line
            path = (root / rel).resolve()
            if rel and path.is_relative_to(resolved_root) and path.is_file():
                path.unlink()
                parents.add(path.parent)
    shutil.rmtree(dist_info, ignore_errors=True)
    for parent in sorted(parents, key=lambda p: len(p.parts), reverse=True):
        _remove_empty_dirs(parent, resolved_root)


def _remove_empty_dirs(directory: Path, root: Path) -> None:
    while directory != root and directory.is_relative_to(root) and directory.is_dir():
        if any(directory.iterdir()):
            if all(child.name == "__pycache__" for child in directory.iterdir()):
                shutil.rmtree(directory / "__pycache__")
                continue
            return
        directory.rmdir()
        directory = directory.parent


def _clean(root: Path, *, strip_tests: bool) -> None:
    """Remove byte code, pip's nondeterministic metadata, console scripts and dependency tests."""
    shutil.rmtree(root / "bin", ignore_errors=True)
    for dirpath, dirnames, filenames in os.walk(root, topdown=True):
        current = Path(dirpath)
        for dirname in list(dirnames):
            if dirname == "__pycache__" or (strip_tests and dirname in _TEST_DIRS):
                shutil.rmtree(current / dirname)
                dirnames.remove(dirname)
        for filename in filenames:
            drop_metadata = current.name.endswith(".dist-info") and filename in _DROPPED_METADATA
            if filename.endswith((".pyc", ".pyo")) or drop_metadata:
                (current / filename).unlink()


def _load_entry(entry: Path, key: str) -> BundleResult | None:
    try:
        manifest = json.loads((entry / "manifest.json").read_text())
    except (OSError, ValueError):
        return None
    return BundleResult(
        asset_dir=entry / "asset",
        zip_path=entry / "bundle.zip",
        sha256=str(manifest["sha256"]),
        cache_key=key,
        cache_hit=True,
        unzipped_size_bytes=int(manifest["unzipped_size_bytes"]),
        zipped_size_bytes=int(manifest["zipped_size_bytes"]),
        packages=tuple(manifest["packages"]),
        excluded_packages=tuple(manifest["excluded_packages"]),
        bytecode_python=manifest.get("bytecode_python"),
    )


def _replace_hit(result: BundleResult, *, hit: bool) -> BundleResult:
    return replace(result, cache_hit=hit)
