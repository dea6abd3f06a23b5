"""AWS Lambda's stateful rules that moto 5.2.5 does not enforce, checked by the emulator's models.

Each rule raises :class:`RuleViolationError` (a ``ValueError``) with AWS's message where AWS's is known;
the model's caller turns it into a failed stack (``lambda_constructs.local.updates``). A rule can be
relaxed for one emulator with the environment variable ``LAMBDA_CONSTRUCTS_LOCAL_LENIENT`` (comma-
separated rule names, :data:`RULES`); ``python -m lambda_constructs local start --lenient RULE``
sets it. docs/local.md has the table of what is enforced, what is only recorded, and why.

Sources:

* version unchanged: PublishVersion "Lambda doesn't publish a version if the function's
  configuration and code haven't changed since the last version"
  (https://docs.aws.amazon.com/lambda/latest/api/API_PublishVersion.html); CloudFormation's
  ``AWS::Lambda::Version`` then fails with "A version for this Lambda function exists ( N ). Modify the
  function to create a new version." (serverless/serverless#6349, #7822, #8392).
* alias name: botocore's Lambda service model, shape ``Alias``: 1-128 characters, pattern
  ``(?!^[0-9]+$)([a-zA-Z0-9-_]+)``.
* weighted alias: "You can point an alias to a maximum of two Lambda function versions"
  (https://docs.aws.amazon.com/lambda/latest/dg/configuring-alias-routing.html); weights 0.0-1.0
  (botocore shape ``Weight``); the versions must be published (not ``$LATEST``).
* resource-based policy: "Function resource-based policy: 20 KB" (Lambda quotas,
  https://docs.aws.amazon.com/lambda/latest/dg/gettingstarted-limits.html), i.e. 20,480 bytes, for
  the function's policy and for each alias's and version's policy.
* environment variables: "4 KB, for all environment variables associated with the function, in
  aggregate" (same quotas page), on the deployed (resolved) values; counted as
  :data:`lambda_constructs.validation.ENV_MAX_BYTES` counts them at synth (names + values, UTF-8).
* provisioned concurrency: "Provisioned Concurrency Configs cannot be applied to unpublished
  function versions" (PutProvisionedConcurrencyConfig on ``$LATEST``;
  https://docs.aws.amazon.com/lambda/latest/dg/provisioned-concurrency.html: "You can't use
  provisioned concurrency with the $LATEST version").
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Mapping
from typing import Any

POLICY_MAX_BYTES = 20 * 1024
"""Lambda quota: a function's (or alias's/version's) resource-based policy, 20 KB."""
ALIAS_NAME = re.compile(r"(?!^[0-9]+$)([a-zA-Z0-9-_]+)")
"""botocore shape ``Alias`` pattern (matched against the whole name), with length 1-128."""
ALIAS_NAME_MAX = 128
MAX_ADDITIONAL_VERSIONS = 1
"""An alias points to at most two versions: its own and one additional weighted version."""

RULES = {
    "version-unchanged": "no new version when code and configuration did not change since the last",
    "alias-name": "alias names: 1-128 characters of [a-zA-Z0-9-_], not only digits",
    "alias-routing": "at most one additional weighted version, weight 0.0-1.0, published versions only",
    "policy-size": "resource-based policy of a function, alias or version at most 20,480 bytes",
    "environment-size": "environment variables at most 4 KB in total (resolved values)",
    "provisioned-concurrency": "provisioned concurrency only on published versions (not $LATEST)",
}
"""Rule name -> what it enforces."""
LENIENT_ENV = "LAMBDA_CONSTRUCTS_LOCAL_LENIENT"


class RuleViolationError(ValueError):
    """AWS would refuse this; ``rule`` is the name in :data:`RULES`."""

    def __init__(self, rule: str, message: str) -> None:
        self.rule = rule
        super().__init__(f"{message} [emulator rule {rule}]")


def enforced(rule: str) -> bool:
    """True unless ``rule`` is listed in ``LAMBDA_CONSTRUCTS_LOCAL_LENIENT``."""
    lenient = {name.strip() for name in os.environ.get(LENIENT_ENV, "").split(",") if name.strip()}
    return rule not in lenient


def _fail(rule: str, message: str) -> None:
    if enforced(rule):
        raise RuleViolationError(rule, message)


def check_alias_name(name: str) -> None:
    """Raise when ``name`` is not a valid alias name."""
    if not (1 <= len(name) <= ALIAS_NAME_MAX and ALIAS_NAME.fullmatch(name)):
        _fail(
            "alias-name",
            f"1 validation error detected: Value '{name}' at 'name' failed to satisfy constraint: Member must "
            f"satisfy regular expression pattern: {ALIAS_NAME.pattern} and have length 1-{ALIAS_NAME_MAX}",
        )


def routing_weights(routing_config: Any) -> dict[str, float]:
    """``AdditionalVersionWeights`` as the API's map (version -> weight) from CloudFormation's list form
    (``[{"FunctionVersion": "2", "FunctionWeight": 0.1}]``) or the API's map form."""
    weights = (routing_config or {}).get("AdditionalVersionWeights") or {}
    if isinstance(weights, list):
        return {str(w["FunctionVersion"]): float(w["FunctionWeight"]) for w in weights}
    return {str(k): float(v) for k, v in dict(weights).items()}


def check_routing(alias: str, primary_version: str, weights: Mapping[str, float]) -> None:
    """Raise when the alias would point to more than two versions, to ``$LATEST`` with weights, or a
    weight is outside 0.0-1.0."""
    if len(weights) > MAX_ADDITIONAL_VERSIONS:
        _fail(
            "alias-routing",
            f"alias {alias}: {len(weights)} additional versions {sorted(weights)}; an alias can point to at most "
            "two versions (its own and one weighted additional version)",
        )
    for version, weight in weights.items():
        if not 0.0 <= weight <= 1.0:
            _fail("alias-routing", f"alias {alias}: weight {weight} of version {version} is outside 0.0-1.0")
        if version == "$LATEST" or (weights and primary_version == "$LATEST"):
            _fail(
                "alias-routing",
                f"alias {alias}: traffic shifting works between published versions only, not $LATEST",
            )
        if version == primary_version:
            _fail("alias-routing", f"alias {alias}: the additional version {version} is the alias's own version")


def environment_bytes(variables: Mapping[str, Any]) -> int:
    """Size Lambda's 4 KB limit counts: names and values, UTF-8."""
    return sum(len(str(k).encode()) + len(str(v).encode()) for k, v in variables.items())


def check_environment(function_name: str, variables: Mapping[str, Any]) -> None:
    """Raise when the resolved environment variables exceed 4 KB."""
    # Imported here: the package CLI imports this module (rule names for --lenient) and must start
    # without aws_cdk, which validation imports (tests/unit/test_cli_startup.py).
    from lambda_constructs.validation import ENV_MAX_BYTES

    size = environment_bytes(variables)
    if size > ENV_MAX_BYTES:
        _fail(
            "environment-size",
            f"Lambda was unable to configure your environment variables because the environment variables you "
            f"have provided exceeded the 4KB limit. String measured: {size} bytes ({function_name})",
        )


def check_policy(where: str, policy: Mapping[str, Any]) -> None:
    """Raise when a resource-based policy document is over 20,480 bytes (compact JSON)."""
    size = len(json.dumps(policy, separators=(",", ":")).encode())
    if size > POLICY_MAX_BYTES:
        _fail(
            "policy-size",
            f"The final policy size ({size}) is bigger than the limit ({POLICY_MAX_BYTES}) ({where}): "
            "merge statements, e.g. one permission per source account instead of one per source ARN",
        )


def check_provisioned_concurrency(where: str, version: str) -> None:
    """Raise when provisioned concurrency is configured on ``$LATEST``."""
    if version == "$LATEST":
        _fail(
            "provisioned-concurrency",
            f"Provisioned Concurrency Configs cannot be applied to unpublished function versions ({where})",
        )


def check_new_version(function_name: str, latest_version: str | None, changed: bool) -> None:
    """Raise CloudFormation's error when a version would be published with nothing changed."""
    if latest_version is not None and not changed:
        _fail(
            "version-unchanged",
            f"A version for this Lambda function exists ( {latest_version} ). Modify the function to create a new "
            f"version. ({function_name})",
        )
