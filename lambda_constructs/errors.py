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


#: Id of the short-lived child :func:`warn` uses to ask CDK whether a warning is acknowledged.
_PROBE_ID = "LambdaConstructsWarningProbe"


def warn(scope: IConstruct, warning_id: str, message: str) -> None:
    """Add an acknowledgeable warning ``lambda-constructs:<warning_id>`` to ``scope``.

    The entry is what ``Annotations.add_warning_v2`` writes (``aws:cdk:warning`` metadata, the message
    ending in ``[ack: <id>]``, so ``acknowledge_warning`` removes it), but without a stack trace: in a
    jsii app the only frame CDK does not recognise as its own is the jsii kernel's ``lib/program.js``,
    and a CDK CLI that builds the validation report itself (apps without the
    ``@aws-cdk/core:annotationsInValidationReport`` flag) printed it as a stray
    ``…/lib/program.js:1:NNNN`` line above every warning. Whether the warning is already acknowledged
    (on ``scope`` or an ancestor) is asked of CDK through a child that exists only for the call.
    """
    from aws_cdk import Annotations  # imported here: the CLI imports this module and must start fast
    from constructs import Construct
    from jsii.errors import JSIIError

    full_id = warning_id if warning_id.startswith(WARNING_PREFIX) else WARNING_PREFIX + warning_id
    text = f"{message} (acknowledge with Annotations.of(scope).acknowledge_warning('{full_id}', reason))"
    try:
        probe = Construct(scope, _PROBE_ID)  # type: ignore[arg-type]
    except JSIIError:  # a locked scope (during synthesis) takes no child: CDK's own call, with its trace
        Annotations.of(scope).add_warning_v2(full_id, text)
        return
    try:
        Annotations.of(probe).add_warning_v2(full_id, text)
        acknowledged = not probe.node.metadata
    finally:
        scope.node.try_remove_child(_PROBE_ID)
    if not acknowledged:
        scope.node.add_metadata("aws:cdk:warning", f"{text} [ack: {full_id}]", stack_trace=False)
