"""Errors raised by the dependency bundler."""

from __future__ import annotations

from lambda_constructs.errors import LambdaConstructsError


class BundlingError(LambdaConstructsError):
    """Bundling dependencies for a Lambda function or layer failed."""


class RequirementsFileError(BundlingError):
    """The requirements file is missing or unreadable."""


class NoMatchingWheelError(BundlingError):
    """A requirement has no wheel for the target platform.

    Attributes:
        package: the requirement pip could not satisfy, as pip printed it.
        platform: the target platform, e.g. ``manylinux x86_64, cp313``.
    """

    def __init__(self, path: str, message: str, *, package: str, platform: str, fix: str) -> None:
        self.package = package
        self.platform = platform
        super().__init__(path, message, value=package, fix=fix)


class PipFailedError(BundlingError):
    """pip failed for another reason; the message ends with the tail of pip's stderr."""
