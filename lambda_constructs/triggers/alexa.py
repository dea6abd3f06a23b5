"""Alexa Skills Kit trigger: only the given skill may invoke the alias."""

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


ALEXA_SKILL_ID = re.compile(r"^amzn1\.ask\.skill\.[0-9a-fA-F-]{36}$")


@checked_fields
@dataclass(frozen=True, kw_only=True)
class AlexaSkillTrigger(BoundTrigger[PermissionResources]):
    """Alexa Skills Kit (or Alexa Smart Home): only the given skill may invoke the alias."""

    skill_id: str
    """The skill id ``amzn1.ask.skill.<uuid>`` (required: it is the permission's EventSourceToken)."""
    smart_home: bool = False
    """A Smart Home skill (principal ``alexa-connectedhome.amazon.com``). Default: False (a custom
    skill, principal ``alexa-appkit.amazon.com``)."""

    @property
    def kind(self) -> InvocationKind:
        """Alexa waits for the answer."""
        return InvocationKind.SYNC

    def __post_init__(self) -> None:
        """Check the options that do not depend on the function (before any construct exists).

        Raises:
            LambdaConstructsError: a ``skill_id`` that is not an Alexa skill id.
        """
        scope = options_scope(self)
        if not is_token(self.skill_id) and not ALEXA_SKILL_ID.match(self.skill_id or ""):
            raise fail(
                scope,
                "skill_id must be an Alexa skill id (amzn1.ask.skill.<uuid>); without it any skill could invoke",
                value=self.skill_id,
                fix="copy the skill id from the Alexa developer console",
            )

    def bind(self, fn: FunctionView, target: lambda_.IFunction, construct_id: str) -> TriggerResult:
        """Grant the Alexa principal with EventSourceToken = skill id."""
        res = PermissionResources(fn.construct, construct_id)
        principal = "alexa-connectedhome.amazon.com" if self.smart_home else "alexa-appkit.amazon.com"
        res.permission = permission(res, "Permission", target, principal, event_source_token=self.skill_id)
        return self._result(res)
