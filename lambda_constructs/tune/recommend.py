"""Summarise reports and recommend ``memory_size`` and ``timeout``, with the reasoning.

The rules (the library's choice, stated in every recommendation):

- memory: the largest ``maxMemoryUsedMB`` plus ``headroom`` (default 20 %), rounded up to a multiple of
  64 MB, within Lambda's 128–10240 MB (Lambda quotas:
  https://docs.aws.amazon.com/lambda/latest/dg/gettingstarted-limits.html). Lambda allocates CPU in
  proportion to memory (https://docs.aws.amazon.com/lambda/latest/dg/configuration-memory.html), so a
  smaller size can lengthen durations: check p99 after the change.
- timeout: at least 3 × the p99 duration and at least the longest duration seen, rounded up to whole
  seconds, within Lambda's 1–900 s (same quotas page).

Percentiles use the nearest-rank method on the observed durations.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from lambda_constructs.tune.reports import Report

MEMORY_MIN_MB = 128  # Lambda quotas: memory 128 MB to 10,240 MB
MEMORY_MAX_MB = 10240
MEMORY_STEP_MB = 64
TIMEOUT_MIN_S = 1
TIMEOUT_MAX_S = 900  # Lambda quotas: function timeout 900 seconds (15 minutes)
TIMEOUT_P99_FACTOR = 3


def percentile(values: Sequence[float], pct: float) -> float:
    """Nearest-rank percentile of a non-empty sequence (``pct`` in 0–100)."""
    ordered = sorted(values)
    rank = max(1, math.ceil(pct / 100 * len(ordered)))
    return ordered[rank - 1]


@dataclass(frozen=True, kw_only=True)
class Summary:
    """What the reports say. Durations in ms, memory in MB.

    Attributes:
        invocations: number of reports.
        p50_ms, p95_ms, p99_ms, max_ms: duration percentiles and maximum.
        max_billed_ms: the longest billed duration.
        memory_sizes_mb: the configured memory sizes seen (sorted).
        max_memory_used_mb: the largest ``maxMemoryUsedMB``.
        cold_starts: reports with ``initDurationMs``.
        init_p50_ms, init_max_ms: init duration median and maximum (None without cold starts).
        timeouts: reports whose status is ``timeout``.
    """

    invocations: int
    p50_ms: float
    p95_ms: float
    p99_ms: float
    max_ms: float
    max_billed_ms: float
    memory_sizes_mb: tuple[int, ...]
    max_memory_used_mb: int
    cold_starts: int
    init_p50_ms: float | None
    init_max_ms: float | None
    timeouts: int


def summarise(reports: Sequence[Report]) -> Summary:
    """Summarise ``reports``.

    Raises:
        ValueError: ``reports`` is empty.
    """
    if not reports:
        raise ValueError("no reports to summarise")
    durations = [r.duration_ms for r in reports]
    inits = [r.init_duration_ms for r in reports if r.init_duration_ms is not None]
    return Summary(
        invocations=len(reports),
        p50_ms=percentile(durations, 50),
        p95_ms=percentile(durations, 95),
        p99_ms=percentile(durations, 99),
        max_ms=max(durations),
        max_billed_ms=max(r.billed_duration_ms for r in reports),
        memory_sizes_mb=tuple(sorted({r.memory_size_mb for r in reports})),
        max_memory_used_mb=max(r.max_memory_used_mb for r in reports),
        cold_starts=len(inits),
        init_p50_ms=percentile(inits, 50) if inits else None,
        init_max_ms=max(inits) if inits else None,
        timeouts=sum(r.status == "timeout" for r in reports),
    )


@dataclass(frozen=True, kw_only=True)
class Recommendation:
    """Recommended ``memory_size`` and ``timeout``, each with the reasoning."""

    memory_size_mb: int
    """The recommended ``memory_size``, MB (a multiple of 64 within 128–10240)."""
    memory_reason: str
    """How ``memory_size_mb`` was derived, as one sentence."""
    timeout_s: int
    """The recommended ``timeout``, whole seconds (1–900)."""
    timeout_reason: str
    """How ``timeout_s`` was derived, as one sentence."""


def recommend(summary: Summary, *, headroom: float = 0.2) -> Recommendation:
    """The memory size and timeout ``summary`` supports (rules in the module docstring).

    Args:
        summary: from :func:`summarise`.
        headroom: fraction added to the largest memory used. @default 0.2 (20 %).
    """
    needed = summary.max_memory_used_mb * (1 + headroom)
    rounded = math.ceil(needed / MEMORY_STEP_MB) * MEMORY_STEP_MB
    memory = min(MEMORY_MAX_MB, max(MEMORY_MIN_MB, rounded))
    memory_reason = (
        f"max memory used {summary.max_memory_used_mb} MB + {headroom:.0%} headroom = {needed:.1f} MB, "
        f"rounded up to a multiple of {MEMORY_STEP_MB} MB = {rounded} MB"
    )
    if memory != rounded:
        memory_reason += f", bounded to Lambda's {MEMORY_MIN_MB}–{MEMORY_MAX_MB} MB = {memory} MB"
    floor_ms = max(TIMEOUT_P99_FACTOR * summary.p99_ms, summary.max_ms)
    seconds = math.ceil(floor_ms / 1000)
    timeout = min(TIMEOUT_MAX_S, max(TIMEOUT_MIN_S, seconds))
    timeout_reason = (
        f"{TIMEOUT_P99_FACTOR} × p99 ({summary.p99_ms:.1f} ms) = {TIMEOUT_P99_FACTOR * summary.p99_ms:.1f} ms, "
        f"at least the longest invocation ({summary.max_ms:.1f} ms), rounded up to {seconds} s"
    )
    if timeout != seconds:
        timeout_reason += f", bounded to Lambda's {TIMEOUT_MIN_S}–{TIMEOUT_MAX_S} s = {timeout} s"
    return Recommendation(
        memory_size_mb=memory, memory_reason=memory_reason, timeout_s=timeout, timeout_reason=timeout_reason
    )
