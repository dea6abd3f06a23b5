"""``python -m lambda_constructs cost [--assembly cdk.out] [--prices FILE] [--json]``.

Prints the idle monthly cost of every stack of a synthesized assembly: per function and shared, by
resource kind, with the date and region of the price table. Standard library only (starts fast).
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from lambda_constructs.cost.estimate import SHARED, UNPRICED, Bill, StackCost, estimate
from lambda_constructs.cost.prices import PriceTable, load_prices
from lambda_constructs.errors import LambdaConstructsError


def register(subparsers: Any) -> None:
    """Add the ``cost`` sub-command."""
    parser = subparsers.add_parser(
        "cost",
        help="idle monthly cost of a synthesized app, per stack and per function",
        description=(
            "Idle monthly cost (what AWS bills with no traffic: KMS keys, alarm metrics, dashboards, "
            "endpoints …) of every stack of a cloud assembly, per function and by resource kind."
        ),
    )
    parser.add_argument("--assembly", default="cdk.out", help="cloud assembly directory (default: cdk.out)")
    parser.add_argument("--prices", help="JSON file overriding prices ({unit: USD/month, 'date', 'region'})")
    parser.add_argument("--json", action="store_true", help="print JSON instead of a table")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Print the estimate of ``args.assembly``; 0, or 2 when the assembly or price file is unusable."""
    try:
        prices = load_prices(args.prices)
        stacks = estimate(args.assembly, prices)
    except LambdaConstructsError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(json.dumps(to_json(stacks, prices), indent=2) if args.json else render(stacks, prices))
    return 0


def _bill_json(bill: Bill) -> dict[str, Any]:
    return {
        "usd": round(bill.usd, 4),
        "by_kind": {k: {"units": line.units, "usd": round(line.usd, 4)} for k, line in sorted(bill.lines.items())},
    }


def to_json(stacks: list[StackCost], prices: PriceTable) -> dict[str, Any]:
    """The estimate as a JSON-ready dict: prices, per stack total/shared/functions, and the grand total."""
    return {
        "prices": {"date": prices.date, "region": prices.region, "usd_per_month": prices.prices},
        "stacks": {
            s.name: {
                "total": _bill_json(s.total),
                "shared": _bill_json(s.shared),
                "functions": {path: _bill_json(b) for path, b in sorted(s.functions.items())},
            }
            for s in stacks
        },
        "total_usd": round(sum(s.total.usd for s in stacks), 4),
        "functions": sum(len(s.functions) for s in stacks),
    }


#: The singular of each resource kind :mod:`lambda_constructs.cost.estimate` reports (kinds are plural).
_SINGULAR = {
    "KMS keys": "KMS key",
    "alarm metrics": "alarm metric",
    "alarm metrics (high resolution)": "alarm metric (high resolution)",
    "composite alarms": "composite alarm",
    "dashboards": "dashboard",
    "secrets": "secret",
    "NAT gateways": "NAT gateway",
    "interface endpoint-AZs": "interface endpoint-AZ",
    "functions": "function",
}


def _count(units: float, kind: str) -> str:
    """``"1 KMS key"``, ``"2 KMS keys"``: the kind in the singular for exactly one unit."""
    return f"{units:g} {_SINGULAR.get(kind, kind) if units == 1 else kind}"


def _kinds(bill: Bill) -> str:
    return (
        ", ".join(
            f"{_count(line.units, kind)} ${line.usd:,.2f}" for kind, line in sorted(bill.lines.items()) if line.units
        )
        or "nothing billed"
    )


def render(stacks: list[StackCost], prices: PriceTable) -> str:
    """A plain-text report: one block per stack, one line per function, then the totals."""
    out = [
        f"Idle monthly cost (USD, {prices.region} list prices of {prices.date}; traffic-dependent charges "
        "and free tiers not included)"
    ]
    for s in stacks:
        total = s.total
        out.append(f"\n{s.name}: ${total.usd:,.2f}/month — {_kinds(total)}")
        out.append(f"  {SHARED}: ${s.shared.usd:,.2f} — {_kinds(s.shared)}")
        for path, bill in sorted(s.functions.items()):
            out.append(f"  {path}: ${bill.usd:,.2f} — {_kinds(bill)}")
    n = sum(len(s.functions) for s in stacks)
    grand = sum(s.total.usd for s in stacks)
    per = f", ${grand / n:,.2f} per function (shared costs included)" if n else ""
    out.append(f"\nTotal: ${grand:,.2f}/month for {_count(n, 'functions')}{per}")
    if any(UNPRICED in s.total.lines for s in stacks):
        out.append(f"Note: {UNPRICED} alarms are not priced (see lambda_constructs/cost/prices.py).")
    return "\n".join(out)
