"""Node.js functions: handler checks and Docker-free, deterministic, cached bundling.

Two bundlers (measured in ``bench/bench_nodejs.py``, numbers in docs/design.md):

* ``esbuild`` (default): ``npm ci --omit=dev`` in a staging copy, then esbuild bundles the entry
  point and its production dependencies into one file (``<entry>.js``, or ``.mjs`` for ES modules).
  TypeScript entry points work. ``@aws-sdk/*`` stays external (the runtime provides SDK v3) unless
  you list it in ``dependencies``. Native addons (``.node``) cannot be bundled: use ``npm``.
* ``npm``: the sources plus ``node_modules`` from
  ``npm ci --omit=dev --os=linux --cpu=<arm64|x64> --libc=glibc`` (platform-specific optional
  packages are chosen for the target, not the build machine). Larger, no build step at run time.

Both run ``--ignore-scripts`` (no install scripts on the build machine), write a deterministic zip
(:func:`lambda_constructs.bundling.archive.write_zip`) and cache it under ``.bundle-cache/<key>``,
the key hashing every source file, the lock file, the target and the options.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, Literal

from aws_cdk import aws_lambda as lambda_
from constructs import IConstruct

from lambda_constructs import runtimes
from lambda_constructs.bundling.archive import tree_size, write_zip
from lambda_constructs.bundling.errors import BundlingError
from lambda_constructs.bundling.python import DEFAULT_CACHE_DIR_NAME, BundleResult, _load_entry
from lambda_constructs.errors import fail, warn
from lambda_constructs.field_types import checked_fields
from lambda_constructs.languages.strategy import LanguageCode, LanguageFunction, LanguageInfo

NODEJS_BUNDLER_VERSION = "1"
"""Part of every cache key: bump it when the bundle layout changes."""

Bundler = Literal["esbuild", "npm"]
ENTRY_SUFFIXES = (".js", ".mjs", ".cjs", ".ts", ".mts", ".cts")
TYPESCRIPT_SUFFIXES = (".ts", ".mts", ".cts")
#: Folders never copied from a Node.js project.
SKIPPED_DIRS = frozenset({"node_modules", ".git", "cdk.out", DEFAULT_CACHE_DIR_NAME, "coverage", ".nyc_output"})
LOCK_FILES = ("package-lock.json", "npm-shrinkwrap.json")
_NPM_CPU = {"arm64": "arm64", "x86_64": "x64"}
_ESM_BANNER = (
    "import { createRequire as __lcCreateRequire } from 'module';const require = __lcCreateRequire(import.meta.url);"
)
STDERR_TAIL_LINES = 20


@checked_fields
@dataclass(frozen=True, kw_only=True)
class NodejsBundling:
    """How a Node.js function is packaged. Every field states its default.

    Attributes:
        bundler: ``"esbuild"`` or ``"npm"`` (see the module docstring). Default ``"esbuild"``.
        minify: esbuild ``--minify``. Default False (readable stack traces).
        source_map: esbuild ``--sourcemap`` (set ``NODE_OPTIONS=--enable-source-maps`` to use it). Default False.
        external_modules: left out of the esbuild bundle. Default None: ``@aws-sdk/*`` unless a
            ``@aws-sdk/`` package is in ``dependencies``.
        esbuild_path: the esbuild binary. Default None: ``esbuild`` on PATH, then ``node_modules/.bin``
            of the current directory.
        npm_options: extra ``npm ci`` arguments (e.g. ``("--registry", URL)``). Default ().
        cache_dir: bundle cache. Default None: ``<cwd>/.bundle-cache``.
    """

    bundler: Bundler = "esbuild"
    minify: bool = False
    source_map: bool = False
    external_modules: tuple[str, ...] | None = None
    esbuild_path: str | None = None
    npm_options: tuple[str, ...] = ()
    cache_dir: Path | None = None


# ------------------------------------------------------------------------------- validation

_EXPORT_PATTERNS = (
    r"\bexports\.{n}\s*=",
    r"\bmodule\.exports\.{n}\s*=",
    r"\bmodule\.exports\s*=\s*\{{[^}}]*\b{n}\b",
    r"\bexport\s+(?:async\s+)?function\s*\*?\s*{n}\s*\(",
    r"\bexport\s+(?:const|let|var)\s+{n}\b",
    r"\bexport\s*\{{[^}}]*\b{n}\b[^}}]*\}}",
    r"\bObject\.defineProperty\(\s*(?:module\.)?exports\s*,\s*['\"]{n}['\"]",
)


def entry_file(code_dir: Path, handler: str) -> tuple[Path | None, list[Path]]:
    """The handler's file in ``code_dir`` (first of .js/.mjs/.cjs/.ts/.mts/.cts) and the candidates."""
    module = handler.rpartition(".")[0]
    candidates = [code_dir / f"{module}{suffix}" for suffix in ENTRY_SUFFIXES]
    return next((path for path in candidates if path.is_file()), None), candidates


def exports_name(source: str, name: str) -> bool:
    """True when ``source`` visibly exports ``name`` (CommonJS or ES module syntax)."""
    escaped = re.escape(name)
    return any(re.search(pattern.format(n=escaped), source) for pattern in _EXPORT_PATTERNS)


def check_nodejs_project(scope: IConstruct, code_dir: Path, handler: str, bundling: NodejsBundling) -> Path:
    """Validate the handler file/export and package.json; return the entry file."""
    if not code_dir.is_dir():
        raise fail(
            scope, "code_dir is not a folder", value=str(code_dir), fix="pass the folder with index.js and package.json"
        )
    entry, candidates = entry_file(code_dir, handler)
    if entry is None:
        raise fail(
            scope,
            f"code_dir has no file for handler {handler}",
            value=str(candidates[0]),
            fix=f"create {candidates[0].name} (or .mjs/.cjs/.ts) in {code_dir} or correct the handler",
        )
    export = handler.rpartition(".")[2]
    if not exports_name(entry.read_text(encoding="utf-8", errors="replace"), export):
        raise fail(
            scope,
            f"{entry.name} does not export {export}",
            value=handler,
            fix=f"add `exports.{export} = async (event) => ...` or `export const {export} = ...` to {entry.name}",
        )
    if entry.suffix in TYPESCRIPT_SUFFIXES and bundling.bundler != "esbuild":
        raise fail(
            scope,
            "a TypeScript entry point needs the esbuild bundler",
            value=entry.name,
            fix="use NodejsBundling(bundler='esbuild') or compile to JavaScript first",
        )
    manifest = read_package_json(scope, code_dir)
    if manifest.get("dependencies") and not any((code_dir / lock).is_file() for lock in LOCK_FILES):
        warn(
            scope,
            "nodejsNoLockFile",
            f"{code_dir / 'package.json'} has dependencies but no package-lock.json: installs are not reproducible "
            "(versions float within their ranges); run `npm install` and commit package-lock.json",
        )
    return entry


def read_package_json(scope: IConstruct | None, code_dir: Path, construct_path: str = "") -> dict[str, Any]:
    """``package.json`` of ``code_dir`` ({} when absent)."""
    path = code_dir / "package.json"
    if not path.is_file():
        return {}
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except ValueError as exc:
        where = scope.node.path if scope is not None else construct_path
        raise BundlingError(
            where, f"package.json is not valid JSON: {exc}", value=str(path), fix="fix package.json"
        ) from exc
    return data if isinstance(data, dict) else {}


# --------------------------------------------------------------------------------- bundling


def source_files(root: Path) -> Iterator[tuple[str, Path]]:
    """Project files by posix relative path, sorted, without node_modules, VCS and cache folders."""
    found: list[tuple[str, Path]] = []
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = sorted(d for d in dirnames if d not in SKIPPED_DIRS)
        for name in filenames:
            path = Path(dirpath) / name
            if path.is_file():
                found.append((path.relative_to(root).as_posix(), path))
    yield from sorted(found)


def find_esbuild(bundling: NodejsBundling, construct_path: str = "") -> str:
    """Path of the esbuild binary (see :attr:`NodejsBundling.esbuild_path`)."""
    candidates = [bundling.esbuild_path, shutil.which("esbuild"), str(Path.cwd() / "node_modules" / ".bin" / "esbuild")]
    for candidate in candidates:
        if candidate and Path(candidate).is_file():
            return candidate
    raise BundlingError(
        construct_path,
        "esbuild is not installed",
        value="esbuild",
        fix="`npm install --save-dev --save-exact esbuild` next to the CDK app, or use NodejsBundling(bundler='npm')",
    )


def bundle_nodejs(
    source_dir: Path,
    *,
    entry: str,
    node_major: int,
    architecture: str,
    bundling: NodejsBundling = NodejsBundling(),
    construct_path: str = "",
) -> BundleResult:
    """Bundle a Node.js project for Lambda; reuse the cache when no input changed.

    ``entry`` is the handler file relative to ``source_dir`` (``index.js``, ``src/app.ts`` …).
    ``packages`` of the result lists the bundled dependencies as ``name@version``;
    ``excluded_packages`` the external modules.
    """
    source_dir = Path(source_dir).resolve()
    manifest = read_package_json(None, source_dir, construct_path)
    externals = _externals(bundling, manifest)
    esbuild = find_esbuild(bundling, construct_path) if bundling.bundler == "esbuild" else None
    key = _cache_key(source_dir, entry, node_major, architecture, bundling, externals, esbuild)
    cache_dir = (Path(bundling.cache_dir) if bundling.cache_dir else Path.cwd() / DEFAULT_CACHE_DIR_NAME).resolve()
    target = cache_dir / key
    cached = _load_entry(target, key)
    if cached is not None:
        return cached
    cache_dir.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".tmp-{key[:12]}-", dir=cache_dir))
    try:
        if esbuild is None:
            built = _build_npm(source_dir, manifest, architecture, bundling, staging, construct_path)
        else:
            built = _build_esbuild(
                source_dir,
                manifest,
                entry,
                node_major,
                architecture,
                bundling,
                externals,
                esbuild,
                staging,
                construct_path,
            )
        zip_path = staging / "bundle.zip"
        write_zip(staging / "asset", zip_path)
        data = zip_path.read_bytes()
        record = {
            "sha256": hashlib.sha256(data).hexdigest(),
            "unzipped_size_bytes": tree_size(staging / "asset"),
            "zipped_size_bytes": len(data),
            "packages": built,
            "excluded_packages": sorted(externals) if esbuild else [],
        }
        (staging / "manifest.json").write_text(json.dumps(record, indent=1, sort_keys=True))
        shutil.rmtree(staging / "work", ignore_errors=True)
        try:
            staging.rename(target)
        except OSError:
            if not (target / "manifest.json").is_file():
                raise
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    result = _load_entry(target, key)
    if result is None:  # pragma: no cover - just written
        raise BundlingError(construct_path, "bundle cache entry is unreadable", value=str(target))
    return replace(result, cache_hit=False)


def _externals(bundling: NodejsBundling, manifest: dict[str, Any]) -> tuple[str, ...]:
    if bundling.external_modules is not None:
        return tuple(bundling.external_modules)
    dependencies = manifest.get("dependencies") or {}
    return () if any(str(name).startswith("@aws-sdk/") for name in dependencies) else ("@aws-sdk/*",)


def _cache_key(
    source_dir: Path,
    entry: str,
    node_major: int,
    architecture: str,
    bundling: NodejsBundling,
    externals: tuple[str, ...],
    esbuild: str | None,
) -> str:
    parts: dict[str, Any] = {
        "bundler_version": NODEJS_BUNDLER_VERSION,
        "files": {rel: hashlib.sha256(path.read_bytes()).hexdigest() for rel, path in source_files(source_dir)},
        "entry": entry,
        "node": node_major,
        "architecture": architecture,
        "bundler": bundling.bundler,
        "minify": bundling.minify,
        "source_map": bundling.source_map,
        "externals": list(externals),
        "npm_options": list(bundling.npm_options),
        "esbuild": _esbuild_version(esbuild) if esbuild else None,
    }
    return hashlib.sha256(json.dumps(parts, sort_keys=True).encode()).hexdigest()


def _esbuild_version(esbuild: str) -> str:
    completed = subprocess.run([esbuild, "--version"], capture_output=True, text=True, check=False)
    return completed.stdout.strip()


def _copy_sources(source_dir: Path, destination: Path) -> None:
    for rel, path in source_files(source_dir):
        target = destination / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(path, target)


def npm_command(source_dir: Path, architecture: str, bundling: NodejsBundling) -> list[str]:
    """``npm ci`` (``npm install`` without a lock file) for production dependencies on the target."""
    has_lock = any((source_dir / lock).is_file() for lock in LOCK_FILES)
    npm = shutil.which("npm") or "npm"
    return [
        npm, "ci" if has_lock else "install",
        "--omit=dev", "--os=linux", f"--cpu={_NPM_CPU[architecture]}", "--libc=glibc",
        "--ignore-scripts", "--no-audit", "--no-fund", "--no-update-notifier", "--loglevel=error",
        *([] if has_lock else ["--no-package-lock"]),
        *bundling.npm_options,
    ]  # fmt: skip


def _run(command: list[str], cwd: Path, construct_path: str, what: str, fix: str) -> None:
    env = dict(os.environ, npm_config_update_notifier="false", npm_config_fund="false", npm_config_audit="false")
    completed = subprocess.run(command, cwd=cwd, capture_output=True, text=True, check=False, env=env)
    if completed.returncode != 0:
        tail = "\n".join((completed.stderr or completed.stdout or "").strip().splitlines()[-STDERR_TAIL_LINES:])
        raise BundlingError(construct_path, f"{what} failed with exit code {completed.returncode}:\n{tail}", fix=fix)


def _install(
    directory: Path, manifest: dict[str, Any], architecture: str, bundling: NodejsBundling, construct_path: str
) -> None:
    if not manifest.get("dependencies"):
        return
    _run(
        npm_command(directory, architecture, bundling),
        directory,
        construct_path,
        "npm install of the production dependencies",
        "run the same npm ci command in the code folder to see the full output; check package-lock.json",
    )
    shutil.rmtree(directory / "node_modules" / ".bin", ignore_errors=True)  # symlinks to CLIs, unused at run time
    (directory / "node_modules" / ".package-lock.json").unlink(missing_ok=True)


def _installed_packages(node_modules: Path, names: set[str] | None = None) -> list[str]:
    found: list[str] = []
    for manifest in sorted(node_modules.glob("*/package.json")) + sorted(node_modules.glob("@*/*/package.json")):
        data = json.loads(manifest.read_text(encoding="utf-8"))
        name = str(data.get("name", manifest.parent.name))
        if names is None or name in names:
            found.append(f"{name}@{data.get('version', '')}")
    return sorted(found)


def _build_npm(
    source_dir: Path,
    manifest: dict[str, Any],
    architecture: str,
    bundling: NodejsBundling,
    staging: Path,
    construct_path: str,
) -> list[str]:
    asset = staging / "asset"
    _copy_sources(source_dir, asset)
    _install(asset, manifest, architecture, bundling, construct_path)
    return _installed_packages(asset / "node_modules")


def _build_esbuild(
    source_dir: Path,
    manifest: dict[str, Any],
    entry: str,
    node_major: int,
    architecture: str,
    bundling: NodejsBundling,
    externals: tuple[str, ...],
    esbuild: str,
    staging: Path,
    construct_path: str,
) -> list[str]:
    work = staging / "work"
    _copy_sources(source_dir, work)
    _install(work, manifest, architecture, bundling, construct_path)
    entry_path = Path(entry)
    esm = entry_path.suffix in (".mjs", ".mts") or (
        manifest.get("type") == "module" and entry_path.suffix not in (".cjs", ".cts")
    )
    out = staging / "asset" / entry_path.with_suffix(".mjs" if esm else ".js")
    command = [
        esbuild, entry_path.as_posix(),
        "--bundle", "--platform=node", f"--target=node{node_major}",
        f"--format={'esm' if esm else 'cjs'}", f"--outfile={out}", f"--metafile={staging / 'meta.json'}",
        "--log-level=error", "--charset=utf8", "--legal-comments=eof",
        *[f"--external:{module}" for module in externals],
    ]  # fmt: skip
    if esm:
        command.append(f"--banner:js={_ESM_BANNER}")
    if bundling.minify:
        command.append("--minify")
    if bundling.source_map:
        command.append("--sourcemap")
    _run(
        command,
        work,
        construct_path,
        "esbuild",
        "a dependency missing from `dependencies` (devDependencies are not installed) or a native addon "
        "(.node: use NodejsBundling(bundler='npm')) are the usual causes",
    )
    meta = json.loads((staging / "meta.json").read_text())
    names: set[str] = set()
    for path in meta.get("inputs", {}):
        parts = path.split("node_modules/")
        if len(parts) > 1:
            segments = parts[-1].split("/")
            names.add("/".join(segments[:2]) if segments[0].startswith("@") else segments[0])
    (staging / "meta.json").unlink()
    return _installed_packages(work / "node_modules", names)


def node_major(runtime_name: str) -> int:
    """22 for nodejs22.x."""
    match = re.match(r"^nodejs(\d+)", runtime_name)
    return int(match.group(1)) if match else 22


class NodejsLanguage:
    """The Node.js strategy: a project folder bundled with esbuild or npm (:func:`bundle_nodejs`)."""

    name = "nodejs"

    def validate(self, fn: LanguageFunction) -> LanguageInfo:
        """The handler's file and export, package.json and its lock file (:func:`check_nodejs_project`)."""
        bundling = fn.props.nodejs_bundling or NodejsBundling()
        entry = check_nodejs_project(fn, Path(str(fn.props.code_dir)), fn.handler, bundling)
        return LanguageInfo(family="nodejs", entry=entry)

    def code(self, fn: LanguageFunction, info: LanguageInfo) -> LanguageCode:
        """The bundle's zip (``info.bundle`` is set to the bundle)."""
        props = fn.props
        assert info.entry is not None  # set by validate
        code_dir = Path(str(props.code_dir)).resolve()
        result = bundle_nodejs(
            code_dir,
            entry=info.entry.resolve().relative_to(code_dir).as_posix(),
            node_major=node_major(runtimes.runtime_name(fn.runtime)),
            architecture=str(props.architecture.name),
            bundling=props.nodejs_bundling or NodejsBundling(),
            construct_path=fn.node.path,
        )
        info.bundle = result
        return LanguageCode(code=lambda_.Code.from_asset(str(result.zip_path)))

    def after_function(self, fn: LanguageFunction, info: LanguageInfo) -> None:
        """Nothing."""
