"""Docker-free dependency bundling for Python Lambda layers and functions."""

from lambda_constructs.bundling.archive import tree_size, write_zip
from lambda_constructs.bundling.errors import (
    BundlingError,
    NoMatchingWheelError,
    PipFailedError,
    RequirementsFileError,
)
from lambda_constructs.bundling.python import (
    BUNDLER_VERSION,
    RUNTIME_PROVIDED_PACKAGES,
    BundleOptions,
    BundleResult,
    Layout,
    bundle_python,
    pip_command,
)
from lambda_constructs.bundling.targets import (
    Architecture,
    architecture_of,
    platform_tags,
    python_version_of,
)

__all__ = [
    "BUNDLER_VERSION",
    "RUNTIME_PROVIDED_PACKAGES",
    "Architecture",
    "BundleOptions",
    "BundleResult",
    "BundlingError",
    "Layout",
    "NoMatchingWheelError",
    "PipFailedError",
    "RequirementsFileError",
    "architecture_of",
    "bundle_python",
    "pip_command",
    "platform_tags",
    "python_version_of",
    "tree_size",
    "write_zip",
]
