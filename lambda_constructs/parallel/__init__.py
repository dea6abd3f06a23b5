"""Parallel synthesis: the shards of a LambdaService built by several processes, one cloud assembly.

A CDK app runs in one Python process whose jsii kernel (Node) answers every call, so the two take
turns on one core. ``python -m lambda_constructs parallel --workers 2 -- python app.py`` runs the app
in W worker processes at once; worker ``k`` gets the context :data:`WORKER_CONTEXT` = ``"k/W"``, and
a :class:`~lambda_constructs.service.LambdaService` in it builds only the shards it owns
(``shard % W == k``) of the functions declared with ``declare_function``. Everything else (the
other stacks, the service's shared key) is built by every worker alike. The launcher then merges the
W cloud assemblies into one (:mod:`lambda_constructs.parallel.merge`) and fails on any difference
outside the shards. See docs/scaling.md#parallel-synthesis.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from lambda_constructs.errors import fail

if TYPE_CHECKING:
    from constructs import IConstruct

#: Context key the launcher sets per worker: ``"<index>/<count>"``, e.g. ``"0/2"``.
WORKER_CONTEXT = "@lambda-constructs/parallel:worker"
_WORKER_VALUE = re.compile(r"^(\d+)/(\d+)$")
#: Most workers the launcher starts (each is a Python process plus a Node process of ≈ 0.5 GB).
MAX_WORKERS = 16


@dataclass(frozen=True)
class Worker:
    """This process's part of a parallel synthesis."""

    index: int
    """0 ≤ index < count."""
    count: int
    """Number of workers."""

    def owns(self, shard: int) -> bool:
        """Whether this worker builds shard ``shard`` (shards are dealt round-robin: ``shard % count``)."""
        return shard % self.count == self.index

    def __str__(self) -> str:
        return f"{self.index}/{self.count}"


def parse_worker(value: object) -> Worker | None:
    """The :class:`Worker` a context value names, None when it is not of the form ``"k/W"`` with 0 ≤ k < W ≤ 16."""
    match = _WORKER_VALUE.match(value) if isinstance(value, str) else None
    if match is None:
        return None
    index, count = int(match.group(1)), int(match.group(2))
    if not 0 <= index < count <= MAX_WORKERS:
        return None
    return Worker(index, count)


def worker_of(scope: IConstruct) -> Worker | None:
    """The worker this process is in a parallel synthesis (from the context), or None when it is not in one."""
    value = scope.node.try_get_context(WORKER_CONTEXT)
    if value is None:
        return None
    worker = parse_worker(value)
    if worker is None:
        raise fail(
            scope,
            f"context {WORKER_CONTEXT} must be '<index>/<count>' with 0 <= index < count <= {MAX_WORKERS}",
            value=value,
            fix="let `python -m lambda_constructs parallel` set it, or remove it to synthesize in one process",
        )
    return worker
