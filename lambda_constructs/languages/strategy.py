"""What a language is to a function: the :class:`LanguageStrategy` contract and the types it exchanges.

Every way of giving a function its code is one strategy: Python, Node.js, Java, .NET, custom runtimes
(``provided``), inline source code and container images. ``SecureFunction`` asks the strategy of its
props (:func:`lambda_constructs.languages.strategy_of`) three things, in this order:

1. :meth:`LanguageStrategy.validate` (at construction, after the checks common to every zip package:
   handler form, runtime end of life, SnapStart): checks the code and returns a :class:`LanguageInfo`;
2. :meth:`LanguageStrategy.code` (when the ``aws_lambda.Function`` is created): the
   :class:`LanguageCode` to deploy;
3. :meth:`LanguageStrategy.after_function` (once the function exists): language-specific grants.

Strategies see the function as a :class:`LanguageFunction` (the ground-floor
:class:`~lambda_constructs.contract.FunctionView` plus the language settings), never ``SecureFunction``.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Literal, Protocol

from aws_cdk import Size
from aws_cdk import aws_lambda as lambda_

from lambda_constructs.contract import FunctionSettings, FunctionView

if TYPE_CHECKING:
    from lambda_constructs.bundling.python import BundleResult
    from lambda_constructs.languages.image import ContainerImage, EcrImageUri
    from lambda_constructs.languages.nodejs import NodejsBundling

__all__ = ["Language", "LanguageCode", "LanguageFunction", "LanguageInfo", "LanguageSettings", "LanguageStrategy"]

Language = Literal["python", "nodejs", "java", "dotnet", "provided"]
"""Values of ``SecureFunctionProps.language``."""


class LanguageSettings(FunctionSettings, Protocol):
    """The settings languages read on top of :class:`~lambda_constructs.contract.FunctionSettings`
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
    def pip_options(self) -> Sequence[str]:
        """Extra pip arguments for a Python ``requirements.txt``."""
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
    """The function as languages see it: :class:`~lambda_constructs.contract.FunctionView` with the
    language settings."""

    @property
    def props(self) -> LanguageSettings:
        """The function's settings."""
        ...


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


@dataclass(frozen=True, kw_only=True)
class LanguageCode:
    """The code a strategy built for the function.

    Attributes:
        code: the ``aws_lambda.Code`` to deploy.
        unzipped_size_bytes: unzipped size of the deployed code in bytes, when the strategy measured it
            (Python; for the 250 MB code + layers check). Default 0 (not measured).
        bundle: the Python dependency bundle when ``code_dir`` had a ``requirements.txt``. Default None.
    """

    code: lambda_.Code
    unzipped_size_bytes: int = 0
    bundle: BundleResult | None = None


class LanguageStrategy(Protocol):
    """One language's part of a function: its checks, its code, what it adds once the function exists.

    A strategy is stateless (one shared instance per language, registered in
    ``lambda_constructs/languages/__init__.py``); what validation finds travels in :class:`LanguageInfo`.
    """

    @property
    def name(self) -> str:
        """The strategy's name ('python', 'nodejs', 'java', 'dotnet', 'provided', 'inline', 'image')."""
        ...

    def validate(self, fn: LanguageFunction) -> LanguageInfo:
        """Check the function's code (after the common checks); raise ``LambdaConstructsError`` when wrong."""
        ...

    def code(self, fn: LanguageFunction, info: LanguageInfo) -> LanguageCode:
        """The code to deploy (``info`` is what :meth:`validate` returned)."""
        ...

    def after_function(self, fn: LanguageFunction, info: LanguageInfo) -> None:
        """Grants or checks that need the created function (``fn.function`` exists)."""
        ...
