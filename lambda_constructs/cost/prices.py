"""The price table of :mod:`lambda_constructs.cost`: idle monthly list prices of what templates declare.

"Idle" means what AWS bills for a resource existing for a month with no traffic: a customer-managed
KMS key, an alarm metric, a dashboard, a NAT gateway-hour … Per-request, per-GB and per-invocation
charges are not counted (they depend on traffic, not on the template).

Every price is a us-east-1 list price read on :data:`PRICES_DATE` from AWS's own pricing pages:

- KMS: https://aws.amazon.com/kms/pricing/ — $1.00 per customer-managed key per month (prorated
  hourly). Keys with automatic rotation add $1.00/month for each of the first two rotations (so a
  rotating key costs $1 in its first year, $2 in its second, $3 after): the table prices year one.
- CloudWatch: https://aws.amazon.com/cloudwatch/pricing/ — alarms $0.10 per standard-resolution
  alarm metric per month, $0.30 per high-resolution (period < 60 s) alarm metric; an alarm on a metric
  math expression is billed for every metric in the expression; anomaly-detection alarms are billed
  3 metrics (the metric and the band's upper and lower bound); composite alarms $0.50 each; dashboards
  $3.00 per dashboard per month (the first 3 of an account are free: not subtracted here); the free
  tier's 10 alarm metrics are not subtracted either. Metrics Insights query alarms are billed $0.10
  per month per metric the query analyzes, outside the free tier: how many metrics that is depends on
  what the account publishes when the alarm runs, not on the template, so the estimate flags them
  instead of guessing.
- Secrets Manager: https://aws.amazon.com/secrets-manager/pricing/ — $0.40 per secret per month.
- VPC: https://aws.amazon.com/privatelink/pricing/ — interface endpoint $0.01 per hour per
  Availability Zone (730 h = $7.30 per subnet it is placed in); https://aws.amazon.com/vpc/pricing/ —
  NAT gateway $0.045 per hour ($32.85 per month).

Anything else a Lambda application typically declares (functions, versions, aliases, roles,
policies, log groups, queues, topics, event source mappings, CodeDeploy for Lambda, saved Logs
Insights queries, metric filters) costs nothing while idle. Metric filters emit custom metrics
($0.30 per metric per month, one per dimension value seen) only once matching log lines arrive: that
cost depends on traffic and is not counted.

Override any price with a JSON file (``python -m lambda_constructs cost --prices FILE``) holding the
same keys as :data:`DEFAULT_PRICES`, plus optionally ``"date"`` and ``"region"``.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field, replace
from pathlib import Path

from lambda_constructs.errors import LambdaConstructsError

#: When the default prices were read from the AWS pricing pages.
PRICES_DATE = "2026-11-30"
#: The region whose list prices :data:`DEFAULT_PRICES` holds.
PRICES_REGION = "us-east-1"
HOURS_PER_MONTH = 730

#: USD per month, per unit named in the key.
DEFAULT_PRICES: dict[str, float] = {
    "kms_key": 1.00,
    "alarm_metric_standard": 0.10,
    "alarm_metric_high_resolution": 0.30,
    "composite_alarm": 0.50,
    "dashboard": 3.00,
    "secret": 0.40,
    "interface_endpoint_per_az": 0.01 * HOURS_PER_MONTH,
    "nat_gateway": 0.045 * HOURS_PER_MONTH,
}


@dataclass(frozen=True, kw_only=True)
class PriceTable:
    """Monthly prices in USD (keys of :data:`DEFAULT_PRICES`), the date they were read and their region."""

    prices: dict[str, float] = field(default_factory=lambda: dict(DEFAULT_PRICES))
    """Unit → USD per month. Default: :data:`DEFAULT_PRICES`."""
    date: str = PRICES_DATE
    """When the prices were read. Default: :data:`PRICES_DATE`."""
    region: str = PRICES_REGION
    """Region of the prices. Default: us-east-1."""

    def __getitem__(self, unit: str) -> float:
        return self.prices[unit]


def load_prices(path: str | Path | None = None) -> PriceTable:
    """The default table, with the prices (and ``date``/``region``) of the JSON file at ``path`` applied.

    Raises:
        LambdaConstructsError: the file is unreadable, not a JSON object, names an unknown unit or
            gives a price that is not a non-negative number.
    """
    table = PriceTable()
    if path is None:
        return table
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise LambdaConstructsError(
            "", f"cannot read the price file: {exc}", value=str(path), fix="pass a JSON object"
        ) from exc
    if not isinstance(data, dict):
        raise LambdaConstructsError("", "the price file is not a JSON object", value=str(path), fix="pass {unit: USD}")
    prices = dict(table.prices)
    date, region = str(data.pop("date", table.date)), str(data.pop("region", table.region))
    for unit, price in data.items():
        if unit not in prices:
            raise LambdaConstructsError(
                "", f"unknown price unit {unit!r}", value=unit, fix="use one of: " + ", ".join(sorted(prices))
            )
        if isinstance(price, bool) or not isinstance(price, int | float) or not 0 <= price < math.inf:
            raise LambdaConstructsError(
                "", f"price of {unit} is not a non-negative number", value=price, fix="give USD/month"
            )
        prices[unit] = float(price)
    return replace(table, prices=prices, date=date, region=region)
