"""Checks of a trigger's options when the trigger object is created (its ``__post_init__``).

A trigger's options that do not depend on the function are checked before any construct exists, so
a bad option fails where the trigger is written, not later inside ``fn.add_trigger``. The checks are
the library's usual ones (``check_range``, ``check_pattern``, ``fail``), which name a construct path;
:func:`options_scope` stands in for that construct: errors name the trigger class instead
(``RestApiTrigger: throttling_rate_limit must be between 0 and 1e+07 …``). Options that depend on
the function (its timeout, memory, architecture) are still checked in ``bind``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, cast

if TYPE_CHECKING:
    from constructs import IConstruct


class _Path:
    def __init__(self, path: str) -> None:
        self.path = path


class _OptionsScope:
    """Has the one attribute ``errors.fail`` reads of a scope: ``node.path``."""

    def __init__(self, path: str) -> None:
        self.node = _Path(path)


def options_scope(trigger: object) -> IConstruct:
    """The stand-in scope of ``trigger``'s option errors: its path is the trigger's class name.

    Only for ``errors.fail`` and the checks built on it (they read ``scope.node.path``); never pass it
    to a construct or to ``errors.warn``.
    """
    return cast("IConstruct", _OptionsScope(type(trigger).__name__))
