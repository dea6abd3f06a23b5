"""The library's error type and acknowledgeable warnings.

Every invalid input is reported at synth time as a :class:`LambdaConstructsError` that names the
construct path, the bad value, what is allowed and how to fix it. Suspect but legal input produces a
CDK warning whose id starts with ``lambda-constructs:`` and can be acknowledged with
``Annotations.of(scope).acknowledge_warning(id, reason)``.

Errors raised *during* synthesis (in an aspect, a validation or a lazy value that aws-cdk-lib calls
back into Python) cross jsii as text only: the caller of ``app.synth()`` would get a ``RuntimeError``
with a JavaScript stack. :func:`install_synth_boundary` wraps the Python entry points of synthesis
(``Stage.synth``, hence ``App.synth``; ``assertions.Template.from_stack``, ``Annotations.from_stack``) so
that the library's own error comes out instead, and runs the checks of the finished templates.
"""

from __future__ import annotations

import functools
from collections import deque
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from constructs import IConstruct

WARNING_PREFIX = "lambda-constructs:"

#: The library errors made most recently (see :func:`install_synth_boundary`): a failed synthesis
#: whose message contains one of them re-raises that error.
_RECENT: deque[LambdaConstructsError] = deque(maxlen=32)


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
        _RECENT.append(self)


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


# ----------------------------------------------------------------------------- the synth boundary

#: Checks of a finished synthesis, called with the root of the synthesized tree (the App).
_AFTER_SYNTHESIS: list[Callable[[Any], None]] = []


def _library_error(exc: BaseException) -> LambdaConstructsError | None:
    """The library error (made during the failed call) whose text ``exc`` carries, newest first."""
    text = str(exc)
    return next((error for error in reversed(_RECENT) if str(error) in text), None)


def _guarded(call: Callable[..., Any], root_of: Callable[..., Any]) -> Callable[..., Any]:
    """``call`` (a synthesis entry point) with the library's errors re-raised as themselves and the
    after-synthesis checks run on success; ``root_of(*args)`` is the root of the synthesized tree."""

    @functools.wraps(call)
    def guarded(*args: Any, **kwargs: Any) -> Any:
        _RECENT.clear()
        try:
            result = call(*args, **kwargs)
        except Exception as exc:
            error = _library_error(exc)
            if error is None or error is exc:
                raise
            raise error from None  # the jsii RuntimeError only carries the text (and a JavaScript stack)
        root = root_of(*args)
        for check in _AFTER_SYNTHESIS:
            check(root)
        return result

    guarded.__lambda_constructs_guarded__ = True  # type: ignore[attr-defined]
    return guarded


def install_synth_boundary(after_synthesis: Callable[[Any], None]) -> None:
    """Make synthesis raise the library's errors as :class:`LambdaConstructsError`, and run
    ``after_synthesis(root)`` after each successful one (it may raise a :class:`LambdaConstructsError`).

    Wraps, once per process, ``aws_cdk.App.synth`` and ``aws_cdk.Stage.synth`` (the CDK CLI runs ``app.synth()``)
    and ``Template.from_stack`` / ``Annotations.from_stack`` of ``aws_cdk.assertions`` when that module
    is imported. Other errors pass through unchanged.
    """
    import sys

    import aws_cdk as cdk  # imported here: the CLI imports this module and must start fast

    if after_synthesis not in _AFTER_SYNTHESIS:
        _AFTER_SYNTHESIS.append(after_synthesis)
    for stage in (cdk.Stage, cdk.App):  # jsii generates App.synth too
        if not getattr(stage.synth, "__lambda_constructs_guarded__", False):
            stage.synth = _guarded(stage.synth, lambda stage, *_: stage.node.root)  # type: ignore[method-assign]
    assertions = sys.modules.get("aws_cdk.assertions")
    if assertions is None:
        return
    for cls in (assertions.Template, assertions.Annotations):
        if not getattr(cls.from_stack, "__lambda_constructs_guarded__", False):
            cls.from_stack = staticmethod(_guarded(cls.from_stack, lambda stack, *_: stack.node.root))
