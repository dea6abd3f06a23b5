"""Amazon Lex V2 trigger: a bot alias's code hook invokes the function's alias."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from aws_cdk import aws_lambda as lambda_

from lambda_constructs.errors import fail
from lambda_constructs.field_types import checked_fields
from lambda_constructs.triggers._options import options_scope
from lambda_constructs.triggers._sync import (
    PermissionResources,
)
from lambda_constructs.triggers.access import BoundTrigger, permission
from lambda_constructs.triggers.base import InvocationKind, TriggerResult
from lambda_constructs.validation import is_token

if TYPE_CHECKING:
    from lambda_constructs.contract import FunctionView


LEX_BOT_ALIAS_ARN = re.compile(r"^arn:aws[a-z-]*:lex:[a-z0-9-]+:(\d{12}):bot-alias/[A-Za-z0-9]+/[A-Za-z0-9]+$")


@checked_fields
@dataclass(frozen=True, kw_only=True)
class LexBotTrigger(BoundTrigger[PermissionResources]):
    """Amazon Lex V2 code hook: lets the bot alias invoke the function's alias.

    Point the bot alias's locale settings (``code_hook_specification``) at the function alias ARN.
    """

    bot_alias_arn: str
    """``arn:aws:lex:<region>:<account>:bot-alias/<botId>/<botAliasId>`` (required)."""

    @property
    def kind(self) -> InvocationKind:
        """Lex waits for the dialog/fulfilment answer."""
        return InvocationKind.SYNC

    def __post_init__(self) -> None:
        """Check the options that do not depend on the function (before any construct exists).

        Raises:
            LambdaConstructsError: a ``bot_alias_arn`` that is not a Lex V2 bot alias ARN.
        """
        scope = options_scope(self)
        if not is_token(self.bot_alias_arn):
            match = LEX_BOT_ALIAS_ARN.match(self.bot_alias_arn)
            if match is None:
                raise fail(
                    scope,
                    "bot_alias_arn is not a Lex V2 bot alias ARN",
                    value=self.bot_alias_arn,
                    fix="use arn:aws:lex:<region>:<account>:bot-alias/<botId>/<botAliasId> (CfnBotAlias.attr_arn)",
                )

    def bind(self, fn: FunctionView, target: lambda_.IFunction, construct_id: str) -> TriggerResult:
        """Grant ``lexv2.amazonaws.com`` with SourceArn = the bot alias (and its account)."""
        res = PermissionResources(fn.construct, construct_id)
        account: str | None = None
        if not is_token(self.bot_alias_arn):
            match = LEX_BOT_ALIAS_ARN.match(self.bot_alias_arn)
            assert match is not None  # checked in __post_init__
            account = match.group(1)
        res.permission = permission(
            res, "Permission", target, "lexv2.amazonaws.com", source_arn=self.bot_alias_arn, source_account=account
        )
        return self._result(res)
