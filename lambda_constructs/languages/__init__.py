"""Languages beyond Python: Node.js, Java, .NET, custom runtimes and container images.

:class:`~lambda_constructs.SecureFunction` calls into this package at three points: it resolves the
runtime (:func:`runtime_of`), validates the code for the runtime's family (:func:`validate`), and
builds the ``lambda_.Code`` (:func:`code`) and language-specific grants (:func:`after_function`).
Everything else (role, key, logs, failure queue, aliases, triggers) is the same for every language.
It sees the function as a :class:`LanguageFunction` (the ground-floor
:class:`~lambda_constructs.contract.FunctionView` plus the language settings), never as ``SecureFunction``.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Literal, Protocol

import jsii
from aws_cdk import Size
from aws_cdk import aws_lambda as lambda_
from constructs import IConstruct, IValidation

from lambda_constructs import runtimes
from lambda_constructs.bundling.python import BundleResult
from lambda_constructs.contract import FunctionSettings, FunctionView
from lambda_constructs.errors import fail, warn
from lambda_constructs.languages.deprecation import DEPRECATED_RUNTIMES, check_runtime_supported
from lambda_constructs.languages.image import ContainerImage, EcrImageUri, check_image, grant_pull, image_code
from lambda_constructs.languages.java import check_dotnet_handler, check_java_handler, find_java_archive
from lambda_constructs.languages.nodejs import NodejsBundling, bundle_nodejs, check_nodejs_project, node_major
from lambda_constructs.languages.provided import check_bootstrap
from lambda_constructs.languages.snapstart import (
    check_no_provisioned_concurrency,
    check_snap_start,
    supports_snap_start,
)
from lambda_constructs.validation import is_token

Language = Literal["python", "nodejs", "java", "dotnet", "provided"]
"""Values of ``SecureFunctionProps.language``."""


class LanguageSettings(FunctionSettings, Protocol):
    """The settings this package reads on top of :class:`~lambda_constructs.contract.FunctionSettings`
    (``SecureFunctionProps`` provides them)."""

    @property
    def image(self) -> ContainerImage | None:
        """The container image; None: a zip package."""
        ...

    @property
    def runtime(self) -> lambda_.Runtime | None:
        """The runtime asked for; None: the language's newest."""
        ...

    @property
    def language(self) -> Language | None:
        """The language asked for; None: python (or the runtime's)."""
        ...

    @property
    def handler(self) -> str | None:
        """The handler asked for; None: the family's default."""
        ...

    @property
    def code_dir(self) -> str | os.PathLike[str] | None:
        """The code folder."""
        ...

    @property
    def inline_code(self) -> str | None:
        """Inline source code."""
        ...

    @property
    def nodejs_bundling(self) -> NodejsBundling | None:
        """Node.js bundling options."""
        ...

    @property
    def ephemeral_storage_size(self) -> Size:
        """Size of /tmp."""
        ...

    @property
    def filesystem(self) -> lambda_.FileSystem | None:
        """The EFS mount."""
        ...

    @property
    def releases(self) -> object:
        """The release record (only whether one is given matters here)."""
        ...


class LanguageFunction(FunctionView, Protocol):
    """The function as this package sees it: :class:`~lambda_constructs.contract.FunctionView` with the
    language settings."""

    @property
    def props(self) -> LanguageSettings:
        """The function's settings."""
        ...


__all__ = [
    "DEPRECATED_RUNTIMES",
    "ContainerImage",
    "Language",
    "LanguageFunction",
    "LanguageInfo",
    "LanguageSettings",
    "NodejsBundling",
    "bundle_nodejs",
    "default_runtime",
    "runtime_of",
    "supports_snap_start",
]


def default_runtime(language: Language) -> lambda_.Runtime:
    """The newest runtime aws-cdk-lib knows for ``language`` (``provided.al2023`` for custom runtimes)."""
    if language == "provided":
        return lambda_.Runtime.PROVIDED_AL2023
    if language not in ("python", "nodejs", "java", "dotnet"):
        raise ValueError(f"unknown language {language!r}: use python, nodejs, java, dotnet or provided")
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


@dataclass(kw_only=True)
class LanguageInfo:
    """What validation found (and, for Node.js, what bundling produced).

    Attributes:
        family: runtime family ('python', 'nodejs', 'java', 'dotnet', 'provided', 'image').
        entry: the Node.js entry file. Default None.
        archive: the Java jar/zip. Default None.
        image: the parsed ECR image URI. Default None.
        bundle: the Node.js bundle (zip path, sha256, packages), set when the code is built. Default None.
    """

    family: str
    entry: Path | None = None
    archive: Path | None = None
    image: EcrImageUri | None = None
    bundle: BundleResult | None = None


def _architecture(fn: LanguageFunction) -> str:
    return str(fn.props.architecture.name)


def validate(fn: LanguageFunction) -> LanguageInfo:
    """Language checks of ``fn`` (after the generic ones): image, runtime end of life, code, SnapStart."""
    props = fn.props
    if props.image is not None:
        given = [
            name
            for name, value in (("runtime", props.runtime), ("handler", props.handler), ("language", props.language))
            if value is not None
        ]
        if props.layers:
            given.append("layers")
        if given:
            raise fail(
                fn,
                f"{', '.join(given)} cannot be combined with image= (the image holds the runtime and handler)",
                value=given,
                fix="set the handler with ContainerImage(cmd=[...]); bake layers into the image",
            )
        parsed = check_image(fn, props.image)
        if props.snap_start is not None:
            check_snap_start(
                fn, runtime_name="image", image=True, filesystem=None, ephemeral_storage=props.ephemeral_storage_size
            )
        return LanguageInfo(family="image", image=parsed)
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
    if family in ("java", "dotnet") and not props.handler:
        form = runtimes.HANDLER_FORMS[family][1]
        raise fail(
            fn, f"a {family} function needs handler= ({form})", value=None, fix=f"pass handler in the form {form}"
        )
    if props.inline_code is not None or family == "python":
        return LanguageInfo(family=family)
    code_dir = Path(str(props.code_dir))
    handler = fn.handler
    if family == "nodejs":
        bundling = props.nodejs_bundling or NodejsBundling()
        return LanguageInfo(family=family, entry=check_nodejs_project(fn, code_dir, handler, bundling))
    if family == "java":
        archive = find_java_archive(fn, code_dir)
        check_java_handler(fn, archive, handler)
        return LanguageInfo(family=family, archive=archive)
    if family == "dotnet":
        check_dotnet_handler(fn, code_dir, handler)
        return LanguageInfo(family=family)
    if not code_dir.is_dir():
        raise fail(fn, "code_dir is not a folder", value=str(code_dir), fix="pass the folder that holds bootstrap")
    if runtime_name.startswith("provided"):
        check_bootstrap(fn, code_dir, _architecture(fn))
    return LanguageInfo(family=family)


def code(fn: LanguageFunction, info: LanguageInfo) -> lambda_.Code | None:
    """The code of a non-Python function (None: the caller builds Python/inline code)."""
    props = fn.props
    if info.image is not None and props.image is not None:
        return image_code(fn.construct, props.image, info.image)
    if props.inline_code is not None:
        return None
    if info.family == "nodejs" and info.entry is not None:
        code_dir = Path(str(props.code_dir)).resolve()
        result = bundle_nodejs(
            code_dir,
            entry=info.entry.resolve().relative_to(code_dir).as_posix(),
            node_major=node_major(runtimes.runtime_name(fn.runtime)),
            architecture=_architecture(fn),
            bundling=props.nodejs_bundling or NodejsBundling(),
            construct_path=fn.node.path,
        )
        info.bundle = result
        return lambda_.Code.from_asset(str(result.zip_path))
    if info.archive is not None:
        return lambda_.Code.from_asset(str(info.archive))
    if info.family in ("dotnet", "provided"):
        return lambda_.Code.from_asset(str(props.code_dir))
    return None


def after_function(fn: LanguageFunction, info: LanguageInfo) -> None:
    """Image pull grants; the SnapStart/provisioned-concurrency rule (checked now and at synth)."""
    if info.image is not None:
        grant_pull(fn.role, info.image, policy_scope=fn.owned_role)
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
