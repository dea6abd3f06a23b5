"""Python functions: a handler folder, bundled with its requirements when present.

Validation: ``code_dir`` is a folder holding the handler's module, which parses and defines the
handler function at top level (``ast``, the module is never imported).

Code: when ``code_dir`` holds a ``requirements.txt``, the dependencies are installed for the function's
runtime and architecture with pip (never Docker), next to the handler modules, into a deterministic,
cached zip (see :mod:`lambda_constructs.bundling`). Otherwise the folder is the asset as it is.
"""

from __future__ import annotations

import ast
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from aws_cdk import aws_lambda as lambda_
from constructs import IConstruct

from lambda_constructs.bundling.archive import tree_size
from lambda_constructs.bundling.bytecode import warn_if_missing
from lambda_constructs.bundling.python import BundleOptions, BundleResult, bundle_python
from lambda_constructs.bundling.targets import architecture_of, python_version_of
from lambda_constructs.errors import fail
from lambda_constructs.languages.strategy import LanguageCode, LanguageFunction, LanguageInfo

__all__ = ["REQUIREMENTS_FILE", "PythonCode", "PythonLanguage", "check_python_handler", "python_code"]

REQUIREMENTS_FILE = "requirements.txt"


@dataclass(frozen=True)
class PythonCode:
    """The code to deploy and its measured unzipped size (for the 250 MB code + layers check)."""

    code: lambda_.Code
    unzipped_size_bytes: int
    """Unzipped size of the deployed code in bytes: the bundle's, or the folder tree's."""
    bundle: BundleResult | None
    """The bundle when the folder had a ``requirements.txt``, else None."""


def python_code(
    scope: IConstruct,
    code_dir: Path,
    runtime: lambda_.Runtime,
    architecture: lambda_.Architecture,
    pip_options: Sequence[str] = (),
    cache_dir: Path | None = None,
) -> PythonCode:
    """The asset for ``code_dir``: bundled with its requirements, or the folder itself.

    Raises ``BundlingError`` (a ``LambdaConstructsError``) when pip fails.
    """
    if not (code_dir / REQUIREMENTS_FILE).is_file():
        return PythonCode(lambda_.Code.from_asset(str(code_dir)), tree_size(code_dir), None)
    bundle = bundle_python(
        BundleOptions(
            source_dir=code_dir,
            python_version=python_version_of(runtime),
            architecture=architecture_of(architecture),
            layout="function",
            pip_options=tuple(pip_options),
            cache_dir=cache_dir,
        ),
        construct_path=scope.node.path,
    )
    warn_if_missing(scope, python_version_of(runtime), bundle.bytecode_python)
    return PythonCode(lambda_.Code.from_asset(str(bundle.zip_path)), bundle.unzipped_size_bytes, bundle)


def check_python_handler(scope: IConstruct, code_dir: Path, handler: str) -> None:
    """The handler's module exists in ``code_dir``, parses, and defines the function at top level.

    Raises ``LambdaConstructsError`` naming the missing module file, the syntax error or the missing name.
    """
    module_path, _, function_name = handler.rpartition(".")
    relative = module_path.replace(".", "/")
    candidates = [code_dir / f"{relative}.py", code_dir / relative / "__init__.py"]
    module_file = next((path for path in candidates if path.is_file()), None)
    if module_file is None:
        raise fail(
            scope,
            f"code_dir has no module for handler {handler}",
            value=str(candidates[0]),
            fix=f"create {candidates[0].name} in {code_dir} or correct the handler",
        )
    try:
        tree = ast.parse(module_file.read_text(encoding="utf-8"), filename=str(module_file))
    except SyntaxError as exc:
        raise fail(
            scope,
            f"the handler module does not parse: {exc.msg} at line {exc.lineno}",
            value=str(module_file),
            fix="fix the syntax error",
        ) from exc
    if function_name not in _top_level_names(tree):
        raise fail(
            scope,
            f"{module_file.name} defines no top-level {function_name}",
            value=handler,
            fix=f"define `def {function_name}(event, context)` in {module_file.name} or correct the handler",
        )


def _top_level_names(tree: ast.Module) -> set[str]:
    names: set[str] = set()
    for node in tree.body:
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            names.add(node.name)
        elif isinstance(node, ast.Assign):
            names.update(target.id for target in node.targets if isinstance(target, ast.Name))
        elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
            names.add(node.target.id)
        elif isinstance(node, ast.ImportFrom | ast.Import):
            names.update((alias.asname or alias.name).split(".")[0] for alias in node.names)
    return names


class PythonLanguage:
    """The Python strategy: a ``code_dir`` folder with the handler's module (and maybe a requirements.txt)."""

    name = "python"

    def validate(self, fn: LanguageFunction) -> LanguageInfo:
        """``code_dir`` is a folder and holds the handler (:func:`check_python_handler`)."""
        code_dir = Path(str(fn.props.code_dir))
        if not code_dir.is_dir():
            raise fail(
                fn,
                "code_dir is not a folder",
                value=str(code_dir),
                fix="pass the path of the folder that holds the handler's module (relative to the app)",
            )
        check_python_handler(fn, code_dir, fn.handler)
        return LanguageInfo(family="python")

    def code(self, fn: LanguageFunction, info: LanguageInfo) -> LanguageCode:
        """The folder, or its bundle with the requirements (:func:`python_code`)."""
        props = fn.props
        built = python_code(fn, Path(str(props.code_dir)), fn.runtime, props.architecture, props.pip_options)
        return LanguageCode(code=built.code, unzipped_size_bytes=built.unzipped_size_bytes, bundle=built.bundle)

    def after_function(self, fn: LanguageFunction, info: LanguageInfo) -> None:
        """Nothing: a Python function needs no grant of its own."""
