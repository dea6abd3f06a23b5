"""cdk-nag's acknowledgement metadata, written only once cdk-nag is loaded (issue #21).

cdk-nag v3's packs are validation plugins that read acknowledgements from the ``aws:cdk:acknowledged-rules``
construct metadata (aws-cdk-lib 2.275 ``collectAcknowledgedRules``); with ``write_suppressions_to_cloud_formation``
an aspect of theirs also copies them into the template. Nothing else reads that metadata: checkov and
cfn-lint read the template's resource metadata, which is always written (:mod:`lambda_constructs.scanners`).
Writing it costs a jsii round trip per acknowledging construct (two per function with a polled trigger) and
puts every reason into the cloud assembly at synthesis, for an app that may never attach a pack.

A pack is a ``cdk_nag`` object, so none can be attached before the ``cdk_nag`` module is loaded. The library's
acknowledgements (:func:`lambda_constructs.compliance.acknowledge_many` calls :func:`record`) are therefore
written:

* at once, when ``cdk_nag`` is loaded already (an app that imports it at its top: exactly as before);
* else right after ``cdk_nag`` is imported (a post-import hook, :mod:`lambda_constructs._post_import`): whatever
  the app does next — attach packs to an App or a nested Stage, synthesize from Python or from JavaScript
  (CDK Pipelines), with or without validation — finds every acknowledgement in place, for the plugins and
  for cdk-nag's aspect alike;
* and, should ``cdk_nag`` be in ``sys.modules`` without an import the hook saw, by the synth boundary before
  each synthesis started from Python (:func:`flush_all`).

An app that never loads cdk-nag writes none of it: its templates are byte-identical, its assembly's metadata
lacks only these entries. Entries wait in this process (a reference to the construct's node and the reasons)
until cdk-nag is loaded, and are then written to every construct that made one, already synthesized or not.
"""

from __future__ import annotations

import sys

from constructs import Node

from lambda_constructs._post_import import when_imported

__all__ = ["NAG_MODULE", "flush_all", "nag_loaded", "pending_count", "record"]

#: The module whose import makes packs possible.
NAG_MODULE = "cdk_nag"

#: The entries not written yet: ``(node, key, data)`` in the order they were made.
_PENDING: list[tuple[Node, str, dict[str, str]]] = []


def nag_loaded() -> bool:
    """Whether the ``cdk_nag`` module is loaded in this process (then a pack may be attached)."""
    return NAG_MODULE in sys.modules


def record(node: Node, key: str, data: dict[str, str]) -> None:
    """Add the metadata entry ``key: data`` to ``node``: now when cdk-nag is loaded, else once it is."""
    if nag_loaded():
        flush_all()  # keep the entries in the order they were made
        node.add_metadata(key, data)
    else:
        _PENDING.append((node, key, data))


def flush_all(*_: object) -> None:
    """Write every waiting entry when cdk-nag is loaded (arguments are ignored: the synth boundary calls it
    before each synthesis it starts, the post-import hook with the module)."""
    if not _PENDING or not nag_loaded():
        return
    entries = list(_PENDING)
    _PENDING.clear()
    for node, key, data in entries:
        node.add_metadata(key, data)


def pending_count() -> int:
    """The number of entries not written yet."""
    return len(_PENDING)


when_imported(NAG_MODULE, flush_all)
