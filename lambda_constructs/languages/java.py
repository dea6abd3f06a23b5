"""Java and .NET functions: a build output (jar/zip, or a publish folder) and its handler.

Java: ``code_dir`` is a ``.jar``/``.zip`` file, or a build folder holding exactly one deployable jar
(searched in the folder, ``build/libs`` (Gradle), ``target`` (Maven), ``build/distributions``);
``-sources``/``-javadoc``/``-plain`` and Maven shade ``original-*`` jars are ignored. The handler
``package.Class::method`` must name a class present in the archive. .NET: ``code_dir`` is the
``dotnet publish`` folder and must hold ``<Assembly>.dll`` of ``Assembly::Namespace.Class::Method``.
"""

from __future__ import annotations

import zipfile
from pathlib import Path

from aws_cdk import aws_lambda as lambda_
from constructs import IConstruct

from lambda_constructs.errors import fail
from lambda_constructs.languages.strategy import LanguageCode, LanguageFunction, LanguageInfo

_SEARCH = (".", "build/libs", "target", "build/distributions")
_IGNORED_SUFFIXES = ("-sources.jar", "-javadoc.jar", "-plain.jar", "-tests.jar")


def find_java_archive(scope: IConstruct, code_dir: Path) -> Path:
    """The jar/zip to deploy for ``code_dir`` (a file, or a build folder with exactly one)."""
    if code_dir.is_file():
        if code_dir.suffix not in (".jar", ".zip"):
            raise fail(scope, "a Java code file must be a .jar or .zip", value=str(code_dir), fix="pass the built jar")
        return code_dir
    if not code_dir.is_dir():
        raise fail(
            scope,
            "code_dir does not exist",
            value=str(code_dir),
            fix="build the project first (gradle build / mvn package)",
        )
    found: list[Path] = []
    for sub in _SEARCH:
        folder = code_dir / sub
        if folder.is_dir():
            found += sorted(
                p
                for p in folder.iterdir()
                if p.suffix in (".jar", ".zip")
                and not p.name.endswith(_IGNORED_SUFFIXES)
                and not p.name.startswith("original-")
            )
        if found:
            break
    if len(found) != 1:
        raise fail(
            scope,
            f"expected exactly one jar/zip in the Java build folder, found {len(found)}",
            value=[str(p) for p in found] or str(code_dir),
            fix="pass the jar itself as code_dir (e.g. build/libs/app-all.jar)",
        )
    return found[0]


def check_java_handler(scope: IConstruct, archive: Path, handler: str) -> None:
    """The handler's class is in the archive (top level, or in a jar under ``lib/``)."""
    class_name = handler.split("::", 1)[0]
    entry = class_name.replace(".", "/") + ".class"
    try:
        with zipfile.ZipFile(archive) as zf:
            names = set(zf.namelist())
            nested = [n for n in names if n.startswith("lib/") and n.endswith(".jar")]
            if entry in names:
                return
            for name in nested:
                with zf.open(name) as inner, zipfile.ZipFile(inner) as inner_zip:
                    if entry in inner_zip.namelist():
                        return
    except zipfile.BadZipFile as exc:
        raise fail(scope, "the Java archive is not a valid zip/jar", value=str(archive), fix="rebuild it") from exc
    raise fail(
        scope,
        f"{archive.name} has no class {class_name} for handler {handler}",
        value=entry,
        fix="correct the handler (package.Class::method) or build a fat jar that contains the class",
    )


def check_dotnet_handler(scope: IConstruct, code_dir: Path, handler: str) -> None:
    """``code_dir`` is a publish folder with the handler's assembly."""
    if not code_dir.is_dir():
        raise fail(
            scope, "code_dir is not a folder", value=str(code_dir), fix="pass the `dotnet publish` output folder"
        )
    assembly = handler.split("::", 1)[0]
    if not (code_dir / f"{assembly}.dll").is_file():
        raise fail(
            scope,
            f"code_dir has no {assembly}.dll for handler {handler}",
            value=str(code_dir),
            fix="pass the `dotnet publish -c Release -r linux-arm64` output folder or correct the handler",
        )


class JavaLanguage:
    """The Java strategy: one deployable jar/zip (:func:`find_java_archive`) holding the handler's class."""

    name = "java"

    def validate(self, fn: LanguageFunction) -> LanguageInfo:
        """The archive and the handler's class in it."""
        archive = find_java_archive(fn, Path(str(fn.props.code_dir)))
        check_java_handler(fn, archive, fn.handler)
        return LanguageInfo(family="java", archive=archive)

    def code(self, fn: LanguageFunction, info: LanguageInfo) -> LanguageCode:
        """The archive as the asset."""
        assert info.archive is not None  # set by validate
        return LanguageCode(code=lambda_.Code.from_asset(str(info.archive)))

    def after_function(self, fn: LanguageFunction, info: LanguageInfo) -> None:
        """Nothing."""


class DotnetLanguage:
    """The .NET strategy: the ``dotnet publish`` folder holding the handler's assembly."""

    name = "dotnet"

    def validate(self, fn: LanguageFunction) -> LanguageInfo:
        """The folder and ``<Assembly>.dll`` (:func:`check_dotnet_handler`)."""
        check_dotnet_handler(fn, Path(str(fn.props.code_dir)), fn.handler)
        return LanguageInfo(family="dotnet")

    def code(self, fn: LanguageFunction, info: LanguageInfo) -> LanguageCode:
        """The folder as the asset."""
        return LanguageCode(code=lambda_.Code.from_asset(str(fn.props.code_dir)))

    def after_function(self, fn: LanguageFunction, info: LanguageInfo) -> None:
        """Nothing."""
