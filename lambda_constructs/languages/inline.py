"""Inline code: a very small function's source stored in the template (``Code.from_inline``).

CloudFormation's ``ZipFile`` property holds at most 4096 characters; the module is ``index`` (handler
``index.<function>``) for every runtime that accepts inline code.
"""

from __future__ import annotations

from aws_cdk import aws_lambda as lambda_

from lambda_constructs.errors import fail
from lambda_constructs.languages.strategy import LanguageCode, LanguageFunction, LanguageInfo

__all__ = ["INLINE_CODE_MAX_CHARS", "InlineCode"]

#: CloudFormation's limit for inline (ZipFile) code, in characters.
INLINE_CODE_MAX_CHARS = 4096


class InlineCode:
    """The inline-code strategy (``inline_code=``), for any runtime family."""

    name = "inline"

    def validate(self, fn: LanguageFunction) -> LanguageInfo:
        """At most :data:`INLINE_CODE_MAX_CHARS` characters."""
        source = fn.props.inline_code or ""
        if len(source) > INLINE_CODE_MAX_CHARS:
            raise fail(
                fn,
                f"inline_code has {len(source)} characters; CloudFormation allows {INLINE_CODE_MAX_CHARS}",
                value=len(source),
                fix="put the code in a folder and pass code_dir",
            )
        return LanguageInfo(family=fn.family)

    def code(self, fn: LanguageFunction, info: LanguageInfo) -> LanguageCode:
        """``Code.from_inline`` of the source."""
        return LanguageCode(code=lambda_.Code.from_inline(fn.props.inline_code or ""))

    def after_function(self, fn: LanguageFunction, info: LanguageInfo) -> None:
        """Nothing."""
