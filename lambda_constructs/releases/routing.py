"""Lambda's rules for an alias's routing and provisioned concurrency, checked by ``SecureFunction.add_alias``."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from lambda_constructs.errors import fail
from lambda_constructs.validation import is_token

if TYPE_CHECKING:
    from aws_cdk import aws_lambda as lambda_
    from constructs import IConstruct


def check_alias_routing(
    fn: IConstruct,
    name: str,
    version: lambda_.IVersion,
    weighted: Sequence[lambda_.VersionWeight],
    provisioned: int | None,
) -> None:
    """Lambda's rules for an alias (raises :class:`LambdaConstructsError`).

    * Provisioned concurrency needs a published version, not ``$LATEST`` (PutProvisionedConcurrencyConfig;
      CDK does not check it: aws/aws-cdk#19103) and is at least 1 (botocore lambda model, ``PositiveInteger``).
    * ``AliasRoutingConfiguration.AdditionalVersionWeights``: "the second version" (one), keys are version
      numbers (``[0-9]+``: never ``$LATEST``), weights 0.0–1.0 (botocore lambda 2015-03-31 model, shapes
      ``AdditionalVersion``/``Weight``); "You can point an alias to a maximum of two Lambda function versions
      ... the alias cannot point to $LATEST" (docs.aws.amazon.com/lambda/latest/dg/configuring-alias-routing.html).
    """
    # ``version.version`` is read only when a rule needs it: two jsii round trips per alias otherwise (#21).
    if provisioned is not None and not is_token(provisioned):
        if version.version == "$LATEST":
            raise fail(
                fn,
                f"alias {name}: provisioned concurrency cannot be configured on $LATEST (aws/aws-cdk#19103)",
                value=provisioned,
                fix="point the alias at a published version (e.g. a release), or drop provisioned_concurrent_executions",
            )
        if provisioned < 1:
            raise fail(fn, f"alias {name}: provisioned concurrency is at least 1", value=provisioned)
    if not weighted:
        return
    if len(weighted) > 1:
        raise fail(
            fn,
            f"alias {name}: Lambda routes an alias to at most two versions (its version plus one weighted version)",
            value=len(weighted),
            fix="keep a single VersionWeight",
        )
    (extra,) = weighted
    if version.version == "$LATEST" or extra.version.version == "$LATEST":
        raise fail(
            fn,
            f"alias {name}: a weighted alias cannot point to $LATEST (AdditionalVersion is a version number)",
            value="$LATEST",
            fix="use published versions on both sides of the split",
        )
    if not is_token(extra.weight) and not 0.0 <= extra.weight <= 1.0:
        raise fail(fn, f"alias {name}: weights are between 0.0 and 1.0 (Lambda's Weight)", value=extra.weight)
