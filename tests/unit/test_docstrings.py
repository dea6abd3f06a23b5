"""Every public name of ``lambda_constructs`` is documented; the version is consistent everywhere.

Checked: each module; each public class and function defined in a module; the public methods and
properties of public classes (an override may inherit its base's docstring); each field of a public
dataclass (an attribute docstring — a string literal right after the annotated assignment — or a
mention in the class docstring), and each optional field's documentation states its default.
"""

from __future__ import annotations

import ast
import dataclasses
import importlib
import inspect
import pkgutil
import re
import sys
import tomllib
from collections.abc import Iterator
from functools import cache
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

import lambda_constructs

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = "lambda_constructs"


def all_modules() -> list[ModuleType]:
    """The package and every submodule (imported; an import error fails the test)."""
    modules = [lambda_constructs]
    for info in pkgutil.walk_packages(lambda_constructs.__path__, prefix=f"{PACKAGE}."):
        modules.append(importlib.import_module(info.name))
    return sorted(modules, key=lambda module: module.__name__)


@cache
def class_nodes(module_name: str) -> dict[str, ast.ClassDef]:
    """Every class definition of a module's source by qualified name (``Outer.Inner``)."""
    module = sys.modules[module_name]
    source = inspect.getsource(module)
    found: dict[str, ast.ClassDef] = {}

    def visit(body: list[ast.stmt], prefix: str) -> None:
        for node in body:
            if isinstance(node, ast.ClassDef):
                found[prefix + node.name] = node
                visit(node.body, f"{prefix}{node.name}.")

    visit(ast.parse(source).body, "")
    return found


def class_docstring(cls: type) -> str | None:
    """The class's own docstring from its source (dataclasses get a generated ``__doc__``)."""
    node = class_nodes(cls.__module__).get(cls.__qualname__)
    if node is None:
        doc = cls.__dict__.get("__doc__")
        return doc if isinstance(doc, str) else None
    return ast.get_docstring(node)


def attribute_docstrings(cls: type) -> dict[str, str]:
    """``{field: docstring}`` for each annotated class attribute followed by a string literal."""
    node = class_nodes(cls.__module__).get(cls.__qualname__)
    if node is None:
        return {}
    docs: dict[str, str] = {}
    for statement, following in zip(node.body, node.body[1:], strict=False):
        if (
            isinstance(statement, ast.AnnAssign)
            and isinstance(statement.target, ast.Name)
            and isinstance(following, ast.Expr)
            and isinstance(following.value, ast.Constant)
            and isinstance(following.value.value, str)
        ):
            docs[statement.target.id] = inspect.cleandoc(following.value.value)
    return docs


def mentions(docstring: str, name: str) -> list[str]:
    """Each passage of ``docstring`` that mentions ``name``: the line plus its deeper-indented continuation."""
    lines = docstring.splitlines()
    word = re.compile(rf"(?<![\w.]){re.escape(name)}(?!\w)")
    passages = []
    for index, line in enumerate(lines):
        if not word.search(line):
            continue
        indent = len(line) - len(line.lstrip())
        passage = [line]
        for follower in lines[index + 1 :]:
            if not follower.strip() or len(follower) - len(follower.lstrip()) <= indent:
                break
            passage.append(follower)
        passages.append("\n".join(passage))
    return passages


def defined_here(obj: Any, module: ModuleType) -> bool:
    """True when ``obj`` is a class or function defined in ``module`` (not imported into it)."""
    return (inspect.isclass(obj) or inspect.isfunction(obj)) and getattr(obj, "__module__", None) == module.__name__


def member_doc(cls: type, name: str, member: Any) -> str | None:
    """The docstring of a method or property, inherited from a base class's member if not its own."""
    if isinstance(member, property):
        target: Any = member.fget
    elif isinstance(member, staticmethod | classmethod):
        target = member.__func__
    else:
        target = getattr(member, "func", member)  # functools.cached_property keeps the function as .func
    doc = getattr(target, "__doc__", None)
    if doc:
        return str(doc)
    for base in cls.__mro__[1:]:
        inherited = base.__dict__.get(name)
        if inherited is not None:
            return member_doc(base, name, inherited)
    return None


def is_member(value: Any) -> bool:
    """True for the members documented with a class: methods, static/class methods and properties."""
    from functools import cached_property

    return inspect.isfunction(value) or isinstance(value, staticmethod | classmethod | property | cached_property)


def field_defining_class(cls: type, name: str) -> type:
    """The class in ``cls``'s MRO whose own annotations declare the field ``name``."""
    for klass in cls.__mro__:
        if name in inspect.get_annotations(klass):
            return klass
    return cls


def offenders() -> list[str]:
    """Every undocumented public name, and every optional dataclass field whose default is unstated."""
    found: set[str] = set()
    for module in all_modules():
        if not (module.__doc__ or "").strip():
            found.add(f"{module.__name__}: module has no docstring")
        for name, obj in sorted(vars(module).items()):
            if name.startswith("_") or not defined_here(obj, module):
                continue
            where = f"{module.__name__}.{name}"
            if inspect.isfunction(obj):
                if not (obj.__doc__ or "").strip():
                    found.add(f"{where}: function has no docstring")
                continue
            found.update(class_offenders(obj))
    return sorted(found)


def class_offenders(cls: type) -> Iterator[str]:
    """The undocumented parts of a public class: itself, its public members, its dataclass fields."""
    where = f"{cls.__module__}.{cls.__qualname__}"
    own_doc = class_docstring(cls)
    if not (own_doc or "").strip():
        yield f"{where}: class has no docstring"
    for name, member in sorted(vars(cls).items()):
        if name.startswith("_") or not is_member(member):
            continue
        if not (member_doc(cls, name, member) or "").strip():
            kind = "property" if isinstance(member, property) else "method"
            yield f"{where}.{name}: {kind} has no docstring"
    if not dataclasses.is_dataclass(cls):
        return
    for field in dataclasses.fields(cls):
        if field.name.startswith("_"):
            continue
        owner = field_defining_class(cls, field.name)
        owner_where = f"{owner.__module__}.{owner.__qualname__}.{field.name}"
        attribute_doc = attribute_docstrings(owner).get(field.name)
        passages = [attribute_doc] if attribute_doc else mentions(class_docstring(owner) or "", field.name)
        if not passages:
            yield f"{owner_where}: dataclass field has no docstring"
            continue
        optional = field.default is not dataclasses.MISSING or field.default_factory is not dataclasses.MISSING
        if optional and not any("default" in passage.lower() for passage in passages):
            yield f"{owner_where}: optional field's docstring does not state its default"


def test_every_public_name_is_documented() -> None:
    missing = offenders()
    assert not missing, f"{len(missing)} undocumented public name(s):\n" + "\n".join(missing)


SAMPLE = '''
"""A sample module."""
import dataclasses


@dataclasses.dataclass
class Props:
    """Props for a test; ``described`` is required and mentioned here.

    Attributes:
        listed: mentioned in the class docstring, default 3.
    """

    described: int
    listed: int = 3
    documented: int = 1
    """How many. Default: 1."""
    silent_default: int = 2
    """How many, unstated."""
    bare: str = ""


@dataclasses.dataclass
class Undocumented:
    value: int = 0

    def run(self) -> None:
        pass
'''


def test_the_checker_catches_gaps(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The checker flags a bare field, an unstated default, a generated dataclass docstring, a bare method."""
    (tmp_path / "docstring_sample.py").write_text(SAMPLE)
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.delitem(sys.modules, "docstring_sample", raising=False)
    sample = importlib.import_module("docstring_sample")
    try:
        assert sorted(class_offenders(sample.Props)) == [
            "docstring_sample.Props.bare: dataclass field has no docstring",
            "docstring_sample.Props.silent_default: optional field's docstring does not state its default",
        ]
        assert set(class_offenders(sample.Undocumented)) == {
            "docstring_sample.Undocumented: class has no docstring",
            "docstring_sample.Undocumented.run: method has no docstring",
            "docstring_sample.Undocumented.value: dataclass field has no docstring",
        }
    finally:
        sys.modules.pop("docstring_sample", None)
        class_nodes.cache_clear()


def test_version_matches_pyproject_and_changelog() -> None:
    project_version = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["version"]
    assert lambda_constructs.__version__ == project_version
    changelog = (ROOT / "CHANGELOG.md").read_text()
    assert re.search(rf"^## \[{re.escape(project_version)}\]", changelog, re.MULTILINE), (
        f"CHANGELOG.md has no '## [{project_version}]' section"
    )
