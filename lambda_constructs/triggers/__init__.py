"""Triggers: typed objects that make a SecureFunction's alias (or version) respond to an event source.

Use ``fn.add_trigger(trigger, alias=None)``; the default target is the function's default alias
(``live``), ``alias="$LATEST"`` targets the unqualified function on purpose.
"""

from lambda_constructs.triggers.base import InvocationKind, Trigger

__all__ = ["InvocationKind", "Trigger"]
