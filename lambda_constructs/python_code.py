"""A Python function's code asset: the handler folder, bundled with its requirements when present.

When ``code_dir`` holds a ``requirements.txt``, the dependencies are installed for the function's
runtime and architecture with pip (never Docker), next to the handler modules, into a deterministic,
cached zip (see :mod:`lambda_constructs.bundling`). Otherwise the folder is the asset as it is.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from aws_cdk import aws_lambda as lambda_
from constructs import IConstruct

from lambda_constructs.bundling.archive import tree_size
from lambda_constructs.bundling.bytecode import warn_if_missing
from lambda_constructs.bundling.python import BundleOptions, BundleResult, bundle_python
from lambda_constructs.bundling.targets import architecture_of, python_version_of

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
    """The asset for ``code_dir``: bundled with its requirements, or the folder itself."""
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
