"""AWS CodeCommit trigger: repository events through an EventBridge rule."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from aws_cdk import Duration, Stack
from aws_cdk import aws_lambda as lambda_

from lambda_constructs.errors import fail
from lambda_constructs.field_types import checked_fields
from lambda_constructs.triggers._options import options_scope
from lambda_constructs.triggers._push import (
    PushSource,
    _Async,
    _retry,
    _rule,
)
from lambda_constructs.triggers.base import TriggerResult
from lambda_constructs.validation import is_token

if TYPE_CHECKING:
    from lambda_constructs.contract import FunctionView


@checked_fields
@dataclass(frozen=True, kw_only=True)
class CodeCommitTrigger(_Async):
    """Repository events of an existing CodeCommit repository (by name), through EventBridge.

    CodeCommit is closed to new customers; existing repositories keep working. EventBridge rules
    work for repositories not defined in this app (``AWS::CodeCommit::Repository`` Triggers do not).
    """

    repository_name: str
    """Name of the repository."""
    branches: Sequence[str] = ()
    """Only these branches. Default: every reference."""
    retry_attempts: int = 185
    """0–185. Default: 185."""
    max_event_age: Duration = field(default_factory=lambda: Duration.hours(24))
    """60 s – 24 h. Default: 24 hours."""

    def __post_init__(self) -> None:
        """Check the options that do not depend on the function (before any construct exists).

        Raises:
            LambdaConstructsError: an invalid repository name, a retry count or event age out of range.
        """
        scope = options_scope(self)
        if not is_token(self.repository_name) and not re.fullmatch(r"[\w.-]{1,100}", self.repository_name):
            raise fail(scope, "invalid repository name", value=self.repository_name, fix="use 1–100 of [A-Za-z0-9_.-]")
        _retry(scope, self.retry_attempts, self.max_event_age)

    def bind(self, fn: FunctionView, target: lambda_.IFunction, construct_id: str) -> TriggerResult:
        """Create the repository-events rule targeting ``target`` (see the class docstring)."""
        source = PushSource(fn.construct, construct_id)
        arn = Stack.of(source).format_arn(service="codecommit", resource=self.repository_name)
        pattern: dict[str, Any] = {
            "source": ["aws.codecommit"],
            "detail-type": ["CodeCommit Repository State Change"],
            "resources": [arn],
        }
        if self.branches:
            pattern["detail"] = {"referenceType": ["branch"], "referenceName": list(self.branches)}
        retry = _retry(source, self.retry_attempts, self.max_event_age)
        _rule(source, fn, target, pattern, None, retry, f"CodeCommit {self.repository_name}")
        return source.result(self)
