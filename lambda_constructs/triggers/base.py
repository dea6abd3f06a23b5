"""The trigger protocol shared by every trigger class.

``Trigger`` and ``InvocationKind`` are defined with the function contract
(:mod:`lambda_constructs.contract`), the ground floor both the function and the triggers build on; this
module is their public home in the triggers package.
"""

from __future__ import annotations

from lambda_constructs.contract import InvocationKind, Trigger

__all__ = ["InvocationKind", "Trigger"]
