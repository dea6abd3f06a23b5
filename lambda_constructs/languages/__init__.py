"""Languages: one strategy per way of giving a function its code.

Python, Node.js, Java, .NET, custom runtimes (``provided``), inline code and container images are each a
:class:`~lambda_constructs.languages.strategy.LanguageStrategy` (validate, code, after the function), one
module each, registered in :data:`STRATEGIES`. :class:`~lambda_constructs.SecureFunction` calls this
package at four points: it resolves the runtime (:func:`runtime_of`), validates (:func:`validate`: the
checks common to every zip package, then the strategy's), builds the ``lambda_.Code``
(:func:`code`) and adds language-specific grants (:func:`after_function`). Everything else (role, key,
logs, failure queue, aliases, triggers) is the same for every language. It sees the function as a
:class:`LanguageFunction` (the ground-floor :class:`~lambda_constructs.contract.FunctionView` plus the
language settings), never as ``SecureFunction``. Adding a language: docs/design.md, "Adding a language".
"""

from __future__ import annotations

from collections.abc import Mapping

import jsii
from aws_cdk import aws_lambda as lambda_
from constructs import IConstruct, IValidation

from lambda_constructs import runtimes
from lambda_constructs.errors import fail, warn
from lambda_constructs.languages.deprecation import DEPRECATED_RUNTIMES, check_runtime_supported
from lambda_constructs.languages.image import ContainerImage, ImageLanguage
from lambda_constructs.languages.inline import INLINE_CODE_MAX_CHARS, InlineCode
from lambda_constructs.languages.java import DotnetLanguage, JavaLanguage
from lambda_constructs.languages.nodejs import NodejsBundling, NodejsLanguage, bundle_nodejs
from lambda_constructs.languages.provided import ProvidedLanguage
from lambda_constructs.languages.python import PythonLanguage
from lambda_constructs.languages.snapstart import (
    check_no_provisioned_concurrency,
    check_snap_start,
    supports_snap_start,
)
from lambda_constructs.languages.strategy import (
    Language,
    LanguageCode,
    LanguageFunction,
    LanguageInfo,
    LanguageSettings,
    LanguageStrategy,
)
from lambda_constructs.validation import is_token

__all__ = [
    "DEPRECATED_RUNTIMES",
    "INLINE_CODE_MAX_CHARS",
    "STRATEGIES",
    "ContainerImage",
    "Language",
    "LanguageCode",
    "LanguageFunction",
    "LanguageInfo",
    "LanguageSettings",
    "LanguageStrategy",
    "NodejsBundling",
    "bundle_nodejs",
    "default_runtime",
    "runtime_of",
    "strategy_of",
    "supports_snap_start",
]

#: The strategy of each runtime family (``runtimes.family_of``): a code folder or archive of that language.
STRATEGIES: Mapping[str, LanguageStrategy] = {
    "python": PythonLanguage(),
    "nodejs": NodejsLanguage(),
    "java": JavaLanguage(),
    "dotnet": DotnetLanguage(),
    "provided": ProvidedLanguage(),
}
#: ``inline_code=`` (any family) and ``image=`` (no family) are strategies of their own.
INLINE: LanguageStrategy = InlineCode()
IMAGE: LanguageStrategy = ImageLanguage()


def default_runtime(language: Language) -> lambda_.Runtime:
    """The newest runtime aws-cdk-lib knows for ``language`` (``provided.al2023`` for custom runtimes)."""
    if language == "provided":
        return lambda_.Runtime.PROVIDED_AL2023
    if language not in STRATEGIES:
        raise ValueError(f"unknown language {language!r}: use {', '.join(STRATEGIES)}")
    return runtimes.latest(language)


def runtime_of(scope: IConstruct, props: LanguageSettings) -> lambda_.Runtime:
    """The function's runtime: FROM_IMAGE for images, else ``runtime``, else the language's newest."""
    if props.image is not None:
        return lambda_.Runtime.FROM_IMAGE
    if props.runtime is not None:
        if props.language is not None and runtimes.family_of(props.runtime) != props.language:
            raise fail(
                scope,
                f"runtime {props.runtime.name} is not a {props.language} runtime",
                value=props.runtime.name,
                fix="drop language= or runtime=",
            )
        return props.runtime
    return default_runtime(props.language or "python")


def strategy_of(fn: LanguageFunction) -> LanguageStrategy:
    """The strategy of ``fn``: :data:`IMAGE` for ``image=``, :data:`INLINE` for ``inline_code=``, else its family's."""
    if fn.props.image is not None:
        return IMAGE
    if fn.props.inline_code is not None:
        return INLINE
    return STRATEGIES.get(fn.family, STRATEGIES["provided"])


def validate(fn: LanguageFunction) -> LanguageInfo:
    """The language checks of ``fn`` (after the generic ones); raises ``LambdaConstructsError``.

    A zip package (every strategy but the image's) first gets the checks common to all languages: the
    handler's form for the runtime family, the runtime's end of life, SnapStart, a handler for families
    without a default one (Java, .NET). Then the strategy checks its code.
    """
    strategy = strategy_of(fn)
    if fn.props.image is None:
        _check_zip_package(fn)
    return strategy.validate(fn)


def _check_zip_package(fn: LanguageFunction) -> None:
    props = fn.props
    handler = fn.handler
    form = runtimes.HANDLER_FORMS.get(fn.family)
    if form is not None and not form[0].match(handler):
        raise fail(
            fn, f"handler is not of the {fn.runtime.name} form {form[1]}", value=handler, fix=f"use the form {form[1]}"
        )
    runtime_name = runtimes.runtime_name(fn.runtime)
    if not is_token(runtime_name):
        check_runtime_supported(fn, runtime_name)
    if props.snap_start is not None:
        check_snap_start(
            fn,
            runtime_name=runtime_name,
            image=False,
            filesystem=props.filesystem,
            ephemeral_storage=props.ephemeral_storage_size,
        )
        if props.releases is None:
            warn(
                fn,
                "snapStartUnpublished",
                "SnapStart applies only to published versions, and this function's alias points at $LATEST: "
                "publish versions with releases= (docs/promotion.md)",
            )
    family = fn.family
    if family not in runtimes.DEFAULT_HANDLERS and not props.handler:
        form_text = runtimes.HANDLER_FORMS[family][1]
        raise fail(
            fn,
            f"a {family} function needs handler= ({form_text})",
            value=None,
            fix=f"pass handler in the form {form_text}",
        )


def code(fn: LanguageFunction, info: LanguageInfo) -> LanguageCode:
    """The code of ``fn``, built by its strategy (``info`` is what :func:`validate` returned)."""
    return strategy_of(fn).code(fn, info)


def after_function(fn: LanguageFunction, info: LanguageInfo) -> None:
    """The strategy's additions (image pull grants); the SnapStart/provisioned-concurrency rule (at synth)."""
    strategy_of(fn).after_function(fn, info)
    if fn.props.snap_start is not None:
        fn.node.add_validation(_SnapStartValidation(fn))


@jsii.implements(IValidation)
class _SnapStartValidation:
    """Synth-time check: no alias/version of a SnapStart function has provisioned concurrency."""

    def __init__(self, fn: LanguageFunction) -> None:
        self._fn = fn

    def validate(self) -> list[str]:
        try:
            check_no_provisioned_concurrency(self._fn)
        except Exception as exc:  # the LambdaConstructsError message is the validation message
            return [str(exc)]
        return []
