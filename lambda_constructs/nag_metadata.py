"""cdk-nag's acknowledgement metadata of every function, written only when cdk-nag is loaded (issue #21).

cdk-nag v3's packs are validation plugins: aws-cdk-lib runs them at the end of a stage's synthesis
(``validateTemplates``), and they read acknowledgements from the ``aws:cdk:acknowledged-rules`` construct
metadata of the tree (``collectAcknowledgedRules``, aws-cdk-lib 2.275 ``core/lib/private``). Nothing else
reads that metadata: checkov and cfn-lint read the template's resource metadata, which is always written
(:mod:`lambda_constructs.scanners`). Writing it for every function costs two jsii round trips (the function's
acknowledgements and its polled trigger's mapping's) and puts each reason into the cloud assembly's metadata
at synthesis: ≈ 0.09 s of 1.5 s at 40 functions for an app that never attaches a pack.

So the per-function acknowledgements (:func:`record`, called by :func:`lambda_constructs.compliance.acknowledge_many`
when its caller names the stack) are written when the ``cdk_nag`` module is loaded in the process — a pack
is a ``cdk_nag`` object, so no pack can be attached before that:

* at once, when it is loaded already (an app that imports cdk-nag at its top: exactly what was written before);
* else by a validation added to the stack once (``node.add_validation``). aws-cdk-lib runs validations
  (``validateTree``) before the stage's plugins in the same synthesis — also when the synthesis is started
  from JavaScript (CDK Pipelines, a nested ``Stage``) — so a pack attached after the functions were built
  reads every acknowledgement;
* and by the library's synth boundary before a synthesis started from Python (:func:`flush_all`), which
  covers ``synth(skip_validation=True)``: aws-cdk-lib then skips validations but still runs the plugins.

An app that never loads cdk-nag writes none of it; its templates are byte-identical either way.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass, field
from typing import Any

import jsii
from aws_cdk import Stack
from constructs import IValidation, Node

from lambda_constructs._jsii_speed import jsii_ref

__all__ = ["flush_all", "nag_loaded", "pending_count", "record"]


def nag_loaded() -> bool:
    """Whether the ``cdk_nag`` module is loaded in this process (then a pack may be attached)."""
    return "cdk_nag" in sys.modules


@dataclass
class _Pending:
    """The metadata entries of one stack not written yet: ``(node, key, data)`` in the order they were made."""

    entries: list[tuple[Node, str, dict[str, str]]] = field(default_factory=list)

    def flush(self) -> None:
        entries, self.entries = self.entries, []
        for node, key, data in entries:
            node.add_metadata(key, data)


@jsii.implements(IValidation)
class _FlushBeforePlugins:
    """The stack's validation: writes its pending entries when cdk-nag is loaded (never an error)."""

    def __init__(self, pending: _Pending) -> None:
        self._pending = pending

    def validate(self) -> list[str]:
        if self._pending.entries and nag_loaded():
            self._pending.flush()
        return []


#: Per stack (its jsii reference): its pending entries, whose validation is added to the stack once.
_STACKS: dict[str, _Pending] = {}


def record(stack: Stack, node: Node, key: str, data: dict[str, str]) -> None:
    """Add the metadata entry ``key: data`` to ``node`` (a construct of ``stack``): now when cdk-nag is loaded,
    else when it is and ``stack`` is synthesized (see the module docstring)."""
    if nag_loaded():
        flush_all()  # keep each node's entries in the order they were made
        node.add_metadata(key, data)
        return
    ref = jsii_ref(stack) or str(id(stack))
    pending = _STACKS.get(ref)
    if pending is None:
        pending = _STACKS[ref] = _Pending()
        stack.node.add_validation(_FlushBeforePlugins(pending))
    pending.entries.append((node, key, data))


def flush_all(*_: Any) -> None:
    """Write every pending entry of every stack when cdk-nag is loaded (the synth boundary calls it before
    each synthesis it starts; arguments are ignored)."""
    if not nag_loaded():
        return
    for pending in _STACKS.values():
        if pending.entries:
            pending.flush()


def pending_count() -> int:
    """The number of entries not written yet (every stack of the process)."""
    return sum(len(pending.entries) for pending in _STACKS.values())
