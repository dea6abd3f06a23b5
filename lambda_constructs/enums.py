"""Closed sets of option values as ``str`` enums, where options were free strings.

Each enum is a :class:`enum.StrEnum`: a member *is* its string (``RestApiAuthorization.IAM == "IAM"``), so code
that compares with the old strings keeps working, and :meth:`of` turns an old string into the member (or
raises the library's error listing the allowed values), for a trigger's ``__post_init__`` to call.

* :class:`RestApiAuthorization`: ``RestApiTrigger(authorization=...)``.
* :class:`HttpApiAuthorization`: ``HttpApiTrigger(authorization=...)``.
* :class:`AlarmSet`: ``ServiceMonitoringProps(alarm_set=...)``.

Standard library only (plus :mod:`lambda_constructs.errors`): a ground-floor module.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Self

from lambda_constructs.errors import LambdaConstructsError

__all__ = ["AlarmSet", "HttpApiAuthorization", "OptionEnum", "RestApiAuthorization"]


class OptionEnum(StrEnum):
    """A closed set of string option values; :meth:`of` also accepts the plain strings."""

    @classmethod
    def of(cls, value: str | Self, *, path: str = "", option: str = "", fix: str = "") -> Self:
        """The member for ``value`` (a member, or its exact string).

        Args:
            value: the option as given.
            path: construct path for the error ("" when there is no construct yet, e.g. in ``__post_init__``).
            option: the option's name in the error; without a construct, as :func:`~lambda_constructs.errors.option_label`
                writes it (``RestApiTrigger(authorization=...)``). Default: the enum's name.
            fix: the error's fix. Default: pass a member (or its string).

        Raises:
            LambdaConstructsError: ``value`` is none of the members' strings (the message lists them).
        """
        if isinstance(value, cls):
            return value
        try:
            return cls(value)
        except ValueError:
            allowed = ", ".join(member.value for member in cls)
            raise LambdaConstructsError(
                path,
                f"{option or cls.__name__} must be one of {allowed}",
                value=value,
                fix=fix or f"pass {cls.__name__}.<{'|'.join(member.name for member in cls)}> (or its string)",
            ) from None


class RestApiAuthorization(OptionEnum):
    """How an API Gateway REST API trigger authorizes callers. ``cloudformation_value`` is the
    ``AuthorizationType`` of its ``AWS::ApiGateway::Method`` (allowed there: ``NONE``, ``AWS_IAM``, ``CUSTOM``,
    ``COGNITO_USER_POOLS``; https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-resource-apigateway-method.html)."""

    IAM = "IAM"
    """SigV4-signed requests (``AWS_IAM``)."""
    COGNITO = "COGNITO"
    """Tokens of Cognito user pools (``COGNITO_USER_POOLS``; needs ``user_pools``)."""
    CUSTOM = "CUSTOM"
    """A Lambda token/request authorizer (``CUSTOM``; needs ``authorizer``)."""
    NONE = "NONE"
    """Open to anyone (``NONE``; needs ``open_reason``)."""

    @property
    def cloudformation_value(self) -> str:
        """The method's ``AuthorizationType`` in the template."""
        return {"IAM": "AWS_IAM", "COGNITO": "COGNITO_USER_POOLS"}.get(self.value, self.value)


class HttpApiAuthorization(OptionEnum):
    """How an API Gateway HTTP API trigger authorizes callers. ``cloudformation_value`` is the
    ``AuthorizationType`` of its ``AWS::ApiGatewayV2::Route`` (allowed there: ``NONE``, ``AWS_IAM``, ``CUSTOM``,
    ``JWT``; https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-resource-apigatewayv2-route.html)."""

    IAM = "IAM"
    """SigV4-signed requests (``AWS_IAM``)."""
    JWT = "JWT"
    """JWTs of an OIDC issuer (``JWT``; needs ``jwt_issuer`` and ``jwt_audience``)."""
    COGNITO = "COGNITO"
    """JWTs of a Cognito user pool (a ``JWT`` authorizer; needs ``user_pool`` and ``user_pool_clients``)."""
    NONE = "NONE"
    """Open to anyone (``NONE``; needs ``open_reason``)."""

    @property
    def cloudformation_value(self) -> str:
        """The route's ``AuthorizationType`` in the template."""
        return {"IAM": "AWS_IAM", "COGNITO": "JWT"}.get(self.value, self.value)


class AlarmSet(OptionEnum):
    """Which alarms :class:`~lambda_constructs.monitoring.ServiceMonitoring` gives each function (see
    ``ServiceMonitoringProps.alarm_set`` for what each set holds and costs)."""

    COMPACT = "compact"
    """The fewest billed alarm metrics that still catch every failure."""
    FULL = "full"
    """Every alarm of ``AlarmThresholds`` on the function and on each alias."""
