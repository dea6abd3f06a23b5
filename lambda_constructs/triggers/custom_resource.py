"""AWS CloudFormation trigger: a custom resource whose ServiceToken is the alias."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from aws_cdk import CustomResource, Duration, RemovalPolicy
from aws_cdk import aws_lambda as lambda_

from lambda_constructs.errors import fail
from lambda_constructs.field_types import checked_fields
from lambda_constructs.triggers._options import options_scope
from lambda_constructs.triggers._resources import TriggerResources
from lambda_constructs.triggers.access import BoundTrigger
from lambda_constructs.triggers.base import InvocationKind, TriggerResult
from lambda_constructs.validation import check_range, duration_seconds, is_token

if TYPE_CHECKING:
    from lambda_constructs.contract import FunctionView


CUSTOM_RESOURCE_TYPE = re.compile(r"^Custom::[A-Za-z0-9_@-]{1,52}$")


class CustomResourceResources(TriggerResources):
    """What :class:`CustomResourceTrigger` created: ``resource`` (``get_att`` reads the function's Data)."""

    resource: CustomResource


@checked_fields
@dataclass(frozen=True, kw_only=True)
class CustomResourceTrigger(BoundTrigger[CustomResourceResources]):
    """A CloudFormation custom resource whose ServiceToken is the alias (no provider framework).

    The function must answer through the pre-signed ``ResponseURL`` (``cfnresponse``). CloudFormation
    invokes with the deploying principal's credentials, so no resource-based permission is needed.
    """

    properties: Mapping[str, Any] = field(default_factory=dict)
    """Passed as ``ResourceProperties``. Default: none."""
    resource_type: str = "Custom::LambdaConstructs"
    """``Custom::<Name>`` (at most 60 characters). Default: ``Custom::LambdaConstructs``."""
    removal_policy: RemovalPolicy = RemovalPolicy.DESTROY
    """Whether Delete is sent on removal. Default: DESTROY (the function gets a Delete event)."""
    service_timeout: Duration | None = None
    """How long CloudFormation waits for the answer, 1 s – 1 h. Default: 1 hour."""

    @property
    def kind(self) -> InvocationKind:
        """CloudFormation invokes asynchronously and waits for the ResponseURL callback."""
        return InvocationKind.ASYNC

    def __post_init__(self) -> None:
        """Check the options that do not depend on the function (before any construct exists).

        Raises:
            LambdaConstructsError: an invalid resource type, or a service timeout out of 1 s – 1 h.
        """
        scope = options_scope(self)
        if not is_token(self.resource_type) and not CUSTOM_RESOURCE_TYPE.match(self.resource_type):
            raise fail(
                scope,
                "resource_type must be Custom::<Name> with letters, digits, _@- and at most 60 characters",
                value=self.resource_type,
                fix="use e.g. 'Custom::SeedTable'",
            )
        if self.service_timeout is not None:
            check_range(scope, "service_timeout", duration_seconds(self.service_timeout), 1, 3600, "seconds")

    def bind(self, fn: FunctionView, target: lambda_.IFunction, construct_id: str) -> TriggerResult:
        """Create the custom resource under ``fn/<construct_id>``."""
        res = CustomResourceResources(fn.construct, construct_id)
        res.resource = CustomResource(
            res,
            "Resource",
            service_token=target.function_arn,
            properties=dict(self.properties),
            resource_type=self.resource_type,
            removal_policy=self.removal_policy,
            service_timeout=self.service_timeout,
        )
        return self._result(res)
