"""Checks of synthesized templates against a service's budgets: resources and bytes per template.

Reads the template files of a cloud assembly after synthesis (no construct involved), so it is its own
module (split from ``service.py`` in issue #20); :mod:`lambda_constructs.service` still exports every name.
CloudFormation's hard limits are 500 resources and 1 MB per template
(https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/cloudformation-limits.html); a service's
budgets are below them (``LambdaServiceProps.max_resources`` / ``max_template_bytes``).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True)
class TemplateUsage:
    """Size of one synthesized template."""

    path: str
    """The template file."""
    resources: int
    """Number of resources in it."""
    bytes: int
    """Its size in bytes."""


def template_usage(paths: Iterable[str]) -> list[TemplateUsage]:
    """Resource count and byte size of each template file."""
    import json
    from pathlib import Path

    usages = []
    for path in paths:
        text = Path(path).read_bytes()
        usages.append(TemplateUsage(str(path), len(json.loads(text).get("Resources", {})), len(text)))
    return usages


def check_template_limits(
    outdir: str, *, max_resources: int = 400, max_template_bytes: int = 800_000
) -> list[TemplateUsage]:
    """Check every template of a synthesized cloud assembly against the budgets; return their usage.

    Raises :class:`~lambda_constructs.errors.LambdaConstructsError` naming each template over budget.
    """
    from pathlib import Path

    from lambda_constructs.errors import LambdaConstructsError

    usages = template_usage(str(p) for p in sorted(Path(outdir).glob("*.template.json")))
    over = [u for u in usages if u.resources > max_resources or u.bytes > max_template_bytes]
    if over:
        raise LambdaConstructsError(
            "",
            "templates over budget: "
            + ", ".join(f"{Path(u.path).name} ({u.resources} resources, {u.bytes} bytes)" for u in over),
            fix=f"keep each template at most {max_resources} resources / {max_template_bytes} bytes",
        )
    return usages
