"""Amazon SES trigger: a receipt rule invoking the alias."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from aws_cdk import ArnFormat, Stack
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_ses as ses

from lambda_constructs.errors import fail
from lambda_constructs.field_types import checked_fields
from lambda_constructs.triggers._options import options_scope
from lambda_constructs.triggers._push import (
    PushSource,
    _Async,
    _permission,
)
from lambda_constructs.triggers.base import TriggerResult
from lambda_constructs.validation import is_token

if TYPE_CHECKING:
    from lambda_constructs.contract import FunctionView


@checked_fields
@dataclass(frozen=True, kw_only=True)
class SesReceiptTrigger(_Async):
    """An SES receipt rule (spam/virus scan, TLS required) whose Lambda action invokes with Event."""

    rule_set_name: str
    """Name of the receipt rule set (it must be the active one to receive mail)."""
    rule_name: str
    """Name of the receipt rule (part of the permission's SourceArn)."""
    recipients: Sequence[str] = ()
    """Addresses or domains. Default: every recipient of the verified domains."""
    scan_enabled: bool = True
    """Default: True (spam and virus scanning)."""

    def __post_init__(self) -> None:
        """Check the options that do not depend on the function (before any construct exists).

        Raises:
            LambdaConstructsError: an invalid receipt rule name.
        """
        scope = options_scope(self)
        if not is_token(self.rule_name) and not re.fullmatch(r"[A-Za-z0-9][\w.-]{0,63}", self.rule_name):
            raise fail(scope, "invalid receipt rule name", value=self.rule_name, fix="1–64 of [A-Za-z0-9_.-]")

    def bind(self, fn: FunctionView, target: lambda_.IFunction, construct_id: str) -> TriggerResult:
        """Create the SES receipt rule invoking ``target`` (see the class docstring)."""
        source = PushSource(fn.construct, construct_id)
        arn = Stack.of(source).format_arn(
            service="ses",
            resource="receipt-rule-set",
            resource_name=f"{self.rule_set_name}:receipt-rule/{self.rule_name}",
            arn_format=ArnFormat.SLASH_RESOURCE_NAME,
        )
        permission = _permission(source, target, "ses.amazonaws.com", arn, account=True)
        rule = ses.CfnReceiptRule(
            source,
            "ReceiptRule",
            rule_set_name=self.rule_set_name,
            rule=ses.CfnReceiptRule.RuleProperty(
                name=self.rule_name,
                enabled=True,
                scan_enabled=self.scan_enabled,
                tls_policy="Require",
                recipients=list(self.recipients) or None,
                actions=[
                    ses.CfnReceiptRule.ActionProperty(
                        lambda_action=ses.CfnReceiptRule.LambdaActionProperty(
                            function_arn=target.function_arn, invocation_type="Event"
                        )
                    )
                ],
            ),
        )
        rule.node.add_dependency(permission)
        source.receipt_rule = rule
        return source.result(self)
