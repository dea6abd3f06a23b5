"""Checks of a trigger's options when the trigger object is created (its ``__post_init__``).

A trigger's options that do not depend on the function are checked before any construct exists, so
a bad option fails where the trigger is written, not later inside ``fn.add_trigger``. The checks are
the library's usual ones (``check_range``, ``check_pattern``, ``fail``), which name a construct path;
:func:`options_scope` stands in for that construct (an :class:`~lambda_constructs.errors.OptionsScope`):
errors name the trigger class and the option instead, as it was written
(``RestApiTrigger(throttling_rate_limit=...) must be between 0 and 10000000 …``), and have no path. Options
that depend on the function (its timeout, memory, architecture) are still checked in ``bind``, naming the
construct path.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, cast

from lambda_constructs.errors import OptionsScope, fail

if TYPE_CHECKING:
    from constructs import IConstruct


def options_scope(trigger: object) -> IConstruct:
    """The stand-in scope of ``trigger``'s option errors (see the module docstring).

    Only for ``errors.fail`` and the checks built on it; never pass it to a construct or to ``errors.warn``.
    """
    return cast("IConstruct", OptionsScope(trigger))


def check_options_need(trigger: object, setting: str, given: object, options: tuple[tuple[str, object], ...]) -> None:
    """Raise when one of ``options`` (each an option's name and the value of ``setting`` it applies to) is
    given while ``setting`` (an option of ``trigger``: ``authorization``) is ``given``, something else: the
    option would be ignored, or fail later with a raw error.

    Raises:
        LambdaConstructsError: "<Trigger>(<option>=...) only applies with <setting>='<needed>' (<setting> is
            '<given>'). Fix: pass <setting>='<needed>' with <option>, or drop <option>".
    """
    for option, needs in options:
        value = getattr(trigger, option)
        if value and given is not needs:
            raise fail(
                options_scope(trigger),
                f"{option} only applies with {setting}='{needs}' ({setting} is '{given}')",
                value=value if _is_text(value) else None,  # not the repr of a construct
                fix=f"pass {setting}='{needs}' with {option}, or drop {option}",
            )


def _is_text(value: object) -> bool:
    return isinstance(value, str) or (isinstance(value, list | tuple) and all(isinstance(v, str) for v in value))
