"""syrupy extension that stores a stack's :func:`~lambda_constructs.testing.stable_template` as JSON.

syrupy (https://github.com/syrupy-project/syrupy) is an optional dependency of the library: importing
this module without it raises :class:`MissingSyrupyError` saying how to install it.
"""

from __future__ import annotations

from typing import Any

from lambda_constructs.testing import stable_template


class MissingSyrupyError(ModuleNotFoundError):
    """syrupy is not installed but a snapshot helper of lambda_constructs.testing was used."""


try:
    from syrupy.extensions.json import JSONSnapshotExtension
except ModuleNotFoundError as exc:  # pragma: no cover - exercised by a subprocess test without syrupy
    raise MissingSyrupyError(
        "lambda_constructs.testing's snapshot extension and template_snapshot fixture need syrupy, which is not "
        "installed. Fix: pip install syrupy (this project tests with syrupy 7.0.1), or compare stable_template(stack) with your own stored JSON",
        name="syrupy",
    ) from exc


class StableTemplateExtension(JSONSnapshotExtension):
    """A JSON snapshot (one ``.json`` file per assertion) of a stack's stable template.

    The asserted value may be an ``aws_cdk.Stack`` or a template dict; either is passed through
    :func:`~lambda_constructs.testing.stable_template` (default options) before it is compared or stored.
    """

    def serialize(self, data: Any, **kwargs: Any) -> Any:
        from aws_cdk import Stack

        if isinstance(data, Stack) or (isinstance(data, dict) and "Resources" in data):
            data = stable_template(data)
        return super().serialize(data, **kwargs)
