"""The library's error type and acknowledgeable warnings.

Every invalid input is reported at synth time as a :class:`LambdaConstructsError` that names the
construct path, the bad value, what is allowed and how to fix it. Suspect but legal input produces a
CDK warning whose id starts with ``lambda-constructs:`` and can be acknowledged with
``Annotations.of(scope).acknowledge_warning(id, reason)``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from constructs import IConstruct

WARNING_PREFIX = "lambda-constructs:"


class LambdaConstructsError(ValueError):
    """Invalid input to a lambda_constructs construct, raised at synth time.

    Attributes:
        path: the construct path the error is about ("" when not tied to a construct).
        value: the rejected value.
        fix: how to fix it.
    """

    def __init__(self, path: str, message: str, *, value: Any = None, fix: str = "") -> None:
        self.path = path
        self.value = value
        self.fix = fix
        text = f"{path}: {message}" if path else message
        if value is not None:
            text += f" (got {value!r})"
        if fix:
            text += f". Fix: {fix}"
        super().__init__(text)


def construct_path(scope: IConstruct) -> str:
    """The construct path used in error messages."""
    return scope.node.path


def fail(scope: IConstruct, message: str, *, value: Any = None, fix: str = "") -> LambdaConstructsError:
    """Build (not raise) a :class:`LambdaConstructsError` for ``scope``; use as ``raise fail(...)``."""
    return LambdaConstructsError(construct_path(scope), message, value=value, fix=fix)


def warn(scope: IConstruct, warning_id: str, message: str) -> None:
    """Add an acknowledgeable warning ``lambda-constructs:<warning_id>`` to ``scope``."""
    from aws_cdk import Annotations  # imported here: the CLI imports this module and must start fast

    full_id = warning_id if warning_id.startswith(WARNING_PREFIX) else WARNING_PREFIX + warning_id
    Annotations.of(scope).add_warning_v2(
        full_id, f"{message} [ack: Annotations.of(scope).acknowledge_warning('{full_id}', reason)]"
    )
