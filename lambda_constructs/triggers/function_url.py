"""Function URL trigger: a URL on the alias, ``AWS_IAM`` auth by default."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_

from lambda_constructs.errors import warn
from lambda_constructs.field_types import checked_fields
from lambda_constructs.triggers._options import options_scope
from lambda_constructs.triggers._resources import TriggerResources
from lambda_constructs.triggers._sync import (
    _require_reason,
)
from lambda_constructs.triggers.access import BoundTrigger
from lambda_constructs.triggers.base import InvocationKind, TriggerResult

if TYPE_CHECKING:
    from lambda_constructs.contract import FunctionView


class FunctionUrlResources(TriggerResources):
    """What :class:`FunctionUrlTrigger` created: ``url`` (``url.url`` is the endpoint), ``grants``."""

    url: lambda_.FunctionUrl
    grants: list[iam.Grant]


@checked_fields
@dataclass(frozen=True, kw_only=True)
class FunctionUrlTrigger(BoundTrigger[FunctionUrlResources]):
    """A function URL on the alias, ``AWS_IAM`` auth by default."""

    auth_type: lambda_.FunctionUrlAuthType = lambda_.FunctionUrlAuthType.AWS_IAM
    """Default: ``AWS_IAM`` (SigV4). ``NONE`` makes it public and needs ``open_reason``."""
    open_reason: str | None = None
    """Why a public URL is intended. Default: none."""
    cors: lambda_.FunctionUrlCorsOptions | None = None
    """CORS settings. Default: none (no CORS headers)."""
    invoke_mode: lambda_.InvokeMode = lambda_.InvokeMode.BUFFERED
    """Default: buffered (``RESPONSE_STREAM`` for streaming)."""
    invokers: Sequence[iam.IGrantable] = ()
    """Principals granted ``lambda:InvokeFunctionUrl`` on this URL (``AWS_IAM``). Default: none."""

    @property
    def kind(self) -> InvocationKind:
        """The HTTPS caller waits for the answer."""
        return InvocationKind.SYNC

    def __post_init__(self) -> None:
        """Check the options that do not depend on the function (before any construct exists).

        Raises:
            LambdaConstructsError: auth type NONE without ``open_reason``.
        """
        if self.auth_type == lambda_.FunctionUrlAuthType.NONE:
            _require_reason(options_scope(self), "the function URL", self.open_reason, "NONE")

    def bind(self, fn: FunctionView, target: lambda_.IFunction, construct_id: str) -> TriggerResult:
        """Create the URL under ``fn/<construct_id>``."""
        res = FunctionUrlResources(fn.construct, construct_id)
        if self.auth_type == lambda_.FunctionUrlAuthType.NONE:
            reason = str(self.open_reason)  # required by __post_init__
            warn(res, "publicFunctionUrl", f"the function URL has auth type NONE: anyone can call it ({reason})")
        res.url = lambda_.FunctionUrl(
            res, "Url", function=target, auth_type=self.auth_type, cors=self.cors, invoke_mode=self.invoke_mode
        )
        res.grants = [res.url.grant_invoke_url(invoker) for invoker in self.invokers]
        return self._result(res)
