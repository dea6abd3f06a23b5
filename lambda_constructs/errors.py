"""The library's error type and acknowledgeable warnings.

Every invalid input is reported at synth time as a :class:`LambdaConstructsError` that names the
construct path, the bad value, what is allowed and how to fix it. Input checked before any construct
exists (a props or trigger object's fields when it is made) names the class and the option instead,
``SqsTrigger(batch_size=...)`` (:class:`OptionsScope`, :func:`option_label`); a value of the wrong Python
type is a :class:`LambdaConstructsTypeError`. Suspect but legal input produces a
CDK warning whose id starts with ``lambda-constructs:`` and can be acknowledged with
``Annotations.of(scope).acknowledge_warning(id, reason)``.

When the CDK CLI runs the app (``cdk synth``, ``cdk deploy``…), importing this module installs a
``sys.excepthook`` that reports an uncaught :class:`LambdaConstructsError` as one ``Error: <message>``
line (plus where the app raised it) instead of Python's traceback and the jsii kernel's JavaScript
stack; every other exception keeps Python's report. Set ``LAMBDA_CONSTRUCTS_TRACEBACK=1`` for the full
traceback (:func:`install_synth_error_hook`).

Errors raised *during* synthesis (in an aspect, a validation or a lazy value that aws-cdk-lib calls
back into Python) cross jsii as text only: the caller of ``app.synth()`` would get a ``RuntimeError``
with a JavaScript stack. :func:`install_synth_boundary` wraps the Python entry points of synthesis
(``Stage.synth``, hence ``App.synth``; ``assertions.Template.from_stack``, ``Annotations.from_stack``) so
that the library's own error comes out instead, and runs the checks of the finished templates.
"""

from __future__ import annotations

import functools
import os
import sys
import sysconfig
import traceback
from collections import deque
from collections.abc import Callable
from pathlib import Path
from types import ModuleType, TracebackType
from typing import TYPE_CHECKING, Any

from lambda_constructs._post_import import when_imported

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
        message: what is wrong, without the path, value and fix.
        value: the rejected value.
        fix: how to fix it.

    ``shown`` (default: ``repr(value)``) is the text of the value in the message, for a value whose repr says
    nothing (a jsii ``InterfaceDynamicProxy``: ``<jsii._reference_map.InterfaceDynamicProxy object at 0x...>``).
    """

    def __init__(self, path: str, message: str, *, value: Any = None, fix: str = "", shown: str | None = None) -> None:
        self.path = path
        self.message = message
        self.value = value
        self.fix = fix
        text = f"{path}: {message}" if path else message
        if value is not None:
            text += f" (got {value!r})" if shown is None else f" (got {shown})"
        if fix:
            text += f". Fix: {fix}"
        super().__init__(text)
        _RECENT.append(self)


class LambdaConstructsTypeError(LambdaConstructsError, TypeError):
    """A props or option field given a value of the wrong Python type (``SqsTrigger(max_receive_count="5")``),
    raised when the props object is made (see :mod:`lambda_constructs.field_types`).

    A :class:`LambdaConstructsError` (so a ``ValueError``) and a ``TypeError``: code that caught the
    ``TypeError`` Python or jsii raised for such a value before the library checked types still catches it.
    """


def construct_path(scope: IConstruct) -> str:
    """The construct path used in error messages."""
    return scope.node.path


def option_label(owner: object, option: str) -> str:
    """How an error names an option of an object that has no construct path yet: ``SqsTrigger(batch_size=...)``
    (``owner`` is the object or its class)."""
    name = owner.__name__ if isinstance(owner, type) else type(owner).__name__
    return f"{name}({option}=...)"


class _NoPath:
    path = ""


class OptionsScope:
    """The stand-in scope of errors about the options of an object that has no construct yet: a trigger
    checking its options when it is created (``__post_init__``), before ``fn.add_trigger`` binds it.

    :func:`fail` (and the checks built on it: ``check_range``, ``check_pattern`` …) then names the object's
    class and the option instead of a construct path, with no path (``error.path`` is ""): a message that
    starts with an option's name, ``batch_size must be between 1 and 10``, becomes
    ``SqsTrigger(batch_size=...) must be between 1 and 10``; ``queue_props.encryption is not used`` becomes
    ``SqsTrigger(queue_props=...): queue_props.encryption is not used``; any other,
    ``SqsTrigger(...): <message>``. Only for :func:`fail`; never pass it to a construct or to :func:`warn`.
    """

    node = _NoPath()

    def __init__(self, owner: object) -> None:
        self.owner = owner

    def describe(self, message: str) -> str:
        """``message`` with the class and the option it starts with (see the class docstring)."""
        name = type(self.owner).__name__
        option = message.split(" ", 1)[0]
        for mark in ".=":
            option = option.split(mark, 1)[0]
        after = message[len(option) : len(option) + 1]
        if option not in getattr(self.owner, "__dataclass_fields__", {}) or after not in (" ", ".", "="):
            rest = message[len(name) :] if message.startswith(name + " ") else f": {message}"
            return f"{name}(...){rest}"  # not about one option (or about several)
        if after == " ":
            return option_label(self.owner, option) + message[len(option) :]
        return f"{option_label(self.owner, option)}: {message}"


def fail(scope: IConstruct | OptionsScope, message: str, *, value: Any = None, fix: str = "") -> LambdaConstructsError:
    """Build (not raise) a :class:`LambdaConstructsError` for ``scope``; use as ``raise fail(...)``.

    With an :class:`OptionsScope` (an object's options, checked before it has a construct), the message
    names the object's class and option instead of a construct path.
    """
    if isinstance(scope, OptionsScope):
        return LambdaConstructsError("", scope.describe(message), value=value, fix=fix)
    return LambdaConstructsError(construct_path(scope), message, value=value, fix=fix)


def require_free_id(scope: IConstruct, construct_id: str, *, holder: str, fix: str) -> None:
    """Raise when ``scope`` already has a child ``construct_id``: the library is about to put a shared
    resource there (``holder`` says which: "SecureFunctions put the stack's shared failure queue there").
    One ``try_find_child`` round trip.

    Raises:
        LambdaConstructsError: the id is taken ("the construct id <id> is taken: <holder>"), with ``fix``.
    """
    if scope.node.try_find_child(construct_id) is not None:
        raise fail(scope, f"the construct id {construct_id} is taken: {holder}", value=construct_id, fix=fix)


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


#: Set (to anything but "" or "0") to keep Python's full traceback of a LambdaConstructsError under the CDK CLI.
TRACEBACK_ENV = "LAMBDA_CONSTRUCTS_TRACEBACK"
#: Set by the CDK CLI in the environment of the app it runs: the output directory and the context
#: (aws-cdk-lib ``cx_api.OUTDIR_ENV`` and ``cx_api.CONTEXT_ENV``).
CDK_APP_ENV = ("CDK_OUTDIR", "CDK_CONTEXT_JSON")

_ExceptHook = Callable[[type[BaseException], BaseException, TracebackType | None], Any]


def reported_error(exc: BaseException) -> LambdaConstructsError | None:
    """The :class:`LambdaConstructsError` that ``exc`` reports, if any.

    That is ``exc`` itself, or the error a Python callback of the jsii kernel raised (an aspect or a
    validation running inside ``app.synth()``): jsii re-raises it as a ``RuntimeError`` with the same
    message while handling it, so it is that ``RuntimeError``'s ``__context__``. Any other exception,
    including one raised while handling a LambdaConstructsError, gives None.
    """
    if isinstance(exc, LambdaConstructsError):
        return exc
    if not isinstance(exc, RuntimeError):
        return None
    seen: set[int] = set()
    context = exc.__context__
    while context is not None and id(context) not in seen:
        seen.add(id(context))
        if isinstance(context, LambdaConstructsError):
            return context if str(context) and str(context) in str(exc) else None
        context = context.__context__
    return None


def _library_paths() -> tuple[str, ...]:
    paths = {str(Path(__file__).resolve().parent)}
    for key in ("stdlib", "platstdlib", "purelib", "platlib"):
        with_key = sysconfig.get_paths().get(key)
        if with_key:
            paths.add(str(Path(with_key).resolve()))
    return tuple(sorted(paths))


def app_frame(tb: TracebackType | None) -> str | None:
    """``file:line`` of the innermost frame of ``tb`` in the app's own code (not this library, not an
    installed package, not the standard library); None when there is none."""
    skip = _library_paths()
    found = None
    for frame in traceback.extract_tb(tb):
        path = str(Path(frame.filename).resolve())
        if not frame.filename.startswith("<") and not path.startswith(skip):
            shown = os.path.relpath(path) if path.startswith(os.getcwd() + os.sep) else frame.filename
            found = f"{shown}:{frame.lineno}"
    return found


def synth_error_hook(previous: _ExceptHook) -> _ExceptHook:
    """An excepthook printing an uncaught :class:`LambdaConstructsError` (see :func:`reported_error`) as
    ``Error: <message>`` and where the app raised it, on stderr; other exceptions go to ``previous``.

    Python exits with status 1 after the hook, as after any uncaught exception.
    """

    def hook(exc_type: type[BaseException], exc: BaseException, tb: TracebackType | None) -> None:
        error = reported_error(exc)
        if error is None:
            previous(exc_type, exc, tb)
            return
        print(f"Error: {error}", file=sys.stderr)
        where = app_frame(error.__traceback__) or app_frame(tb)  # a callback's own frames first
        raised = f"raised at {where}; " if where else ""
        print(f"  ({raised}{TRACEBACK_ENV}=1 shows the traceback)", file=sys.stderr, flush=True)

    hook.lambda_constructs_hook = True  # type: ignore[attr-defined]
    return hook


def install_synth_error_hook(environ: dict[str, str] | None = None) -> bool:
    """Install :func:`synth_error_hook` as ``sys.excepthook`` when the CDK CLI runs the app.

    Done on import of this module (which every construct of the library imports). It is installed when
    one of :data:`CDK_APP_ENV` is set and :data:`TRACEBACK_ENV` is not (or is "" or "0"), and only once;
    the hook it replaces still reports every other exception. Returns whether the hook is installed now.

    Args:
        environ: the environment to read. @default ``os.environ``.
    """
    env = os.environ if environ is None else environ
    if getattr(sys.excepthook, "lambda_constructs_hook", False):
        return True
    if env.get(TRACEBACK_ENV, "") not in ("", "0") or not any(env.get(name) for name in CDK_APP_ENV):
        return False
    sys.excepthook = synth_error_hook(sys.excepthook)
    return True


install_synth_error_hook()


# ----------------------------------------------------------------------------- the synth boundary

#: Checks of a finished synthesis, called with the root of the synthesized tree (the App).
_AFTER_SYNTHESIS: list[Callable[[Any], None]] = []
#: Called before each synthesis the boundary starts (``nag_metadata.flush_all``), without arguments.
_BEFORE_SYNTHESIS: list[Callable[[], None]] = []


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
        for prepare in _BEFORE_SYNTHESIS:
            prepare()
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


def install_synth_boundary(
    after_synthesis: Callable[[Any], None], *, before_synthesis: Callable[[], None] | None = None
) -> None:
    """Make synthesis raise the library's errors as :class:`LambdaConstructsError`, and run
    ``after_synthesis(root)`` after each successful one (it may raise a :class:`LambdaConstructsError`) and
    ``before_synthesis()`` before each one (default: nothing more).

    Wraps, once per process, ``aws_cdk.App.synth`` and ``aws_cdk.Stage.synth`` (the CDK CLI runs ``app.synth()``)
    and ``Template.from_stack`` / ``Annotations.from_stack`` of ``aws_cdk.assertions``: at once when that module
    is loaded, else as soon as it is imported (a post-import hook, ``_post_import.when_imported``: a test module
    may import it after building its stacks). Other errors pass through unchanged.
    """
    import aws_cdk as cdk  # imported here: the CLI imports this module and must start fast

    if after_synthesis not in _AFTER_SYNTHESIS:
        _AFTER_SYNTHESIS.append(after_synthesis)
    if before_synthesis is not None and before_synthesis not in _BEFORE_SYNTHESIS:
        _BEFORE_SYNTHESIS.append(before_synthesis)
    for stage in (cdk.Stage, cdk.App):  # jsii generates App.synth too
        if not getattr(stage.synth, "__lambda_constructs_guarded__", False):
            stage.synth = _guarded(stage.synth, lambda stage, *_: stage.node.root)  # type: ignore[method-assign]
    when_imported("aws_cdk.assertions", _guard_assertions)


def _guard_assertions(assertions: ModuleType) -> None:
    """Wrap ``Template.from_stack`` / ``Annotations.from_stack`` of ``aws_cdk.assertions`` (once)."""
    for cls in (assertions.Template, assertions.Annotations):
        if not getattr(cls.from_stack, "__lambda_constructs_guarded__", False):
            cls.from_stack = staticmethod(_guarded(cls.from_stack, lambda stack, *_: stack.node.root))
