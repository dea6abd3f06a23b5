"""The trigger protocol shared by every trigger class, and what its ``bind`` returns.

``Trigger``, ``InvocationKind``, ``TriggerResult`` and ``SourceKind`` are defined with the function
contract (:mod:`lambda_constructs.contract`), the ground floor both the function and the triggers build
on; this module is their public home in the triggers package.
"""

from __future__ import annotations

from lambda_constructs.contract import InvocationKind, SourceKind, Trigger, TriggerResult

__all__ = ["InvocationKind", "SourceKind", "Trigger", "TriggerResult"]
