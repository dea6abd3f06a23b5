"""RestApiTrigger and HttpApiTrigger (lambda_constructs/triggers/api_gateway.py): options checked when the
trigger is created, before any construct exists."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from aws_cdk import Duration

from lambda_constructs import LambdaConstructsError
from lambda_constructs.triggers import HttpApiTrigger, RestApiTrigger


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda: RestApiTrigger(authorization="iam"), r"^RestApiTrigger: authorization must be one of .*'iam'"),
        (lambda: RestApiTrigger(authorization="CUSTOM"), r"^RestApiTrigger: authorization='CUSTOM' needs authorizer"),
        (
            lambda: RestApiTrigger(integration_timeout=Duration.millis(10)),
            r"^RestApiTrigger: integration_timeout must be at least 50 ms",
        ),
        (lambda: RestApiTrigger(throttling_burst_limit=-1), r"^RestApiTrigger: throttling_burst_limit .*-1"),
        (lambda: HttpApiTrigger(authorization="JWT"), r"^HttpApiTrigger: authorization='JWT' needs jwt_issuer"),
        (
            lambda: HttpApiTrigger(authorization="JWT", jwt_issuer="http://issuer", jwt_audience=["c"]),
            r"^HttpApiTrigger: jwt_issuer must be an https:// URL",
        ),
        (lambda: HttpApiTrigger(authorization="COGNITO"), r"^HttpApiTrigger: authorization='COGNITO' needs user_pool"),
        (lambda: HttpApiTrigger(authorization="OPEN"), r"^HttpApiTrigger: authorization must be one of .*'OPEN'"),
        (lambda: HttpApiTrigger(throttling_rate_limit=2e7), r"^HttpApiTrigger: throttling_rate_limit"),
    ],
)
def test_bad_option_fails_when_created(make: Callable[[], Any], message: str) -> None:
    with pytest.raises(LambdaConstructsError, match=message):
        make()


def test_open_api_with_a_reason_is_accepted() -> None:
    assert HttpApiTrigger(authorization="NONE", open_reason="public status page").open_reason == "public status page"
