"""How a field type error (:mod:`lambda_constructs.field_types`) names the expected type and the value, and
the hint of its fix.

* an annotation as users write it, a class by the module they import it from (:func:`describe`,
  :func:`public_module`): ``lambda_constructs.triggers.StartingPosition``, not its private ``_polled`` module;
* a jsii ``InterfaceDynamicProxy`` (an imported resource: ``iam.Role.from_role_arn``) by its interfaces,
  "an imported aws_cdk.aws_iam.IRole", never by its repr (:func:`shown_type`, :func:`shown_value`);
* the fix's hint (:func:`fix`): ``write max_receive_count=5, without quotes``, ``Duration.seconds(30)``, the enum
  member a string names, ``[value]`` for one object where a sequence is expected.

No jsii round trip. Standard library only: a ground-floor module.
"""

from __future__ import annotations

import collections.abc as abc
import enum
import sys
import types
import typing

__all__ = ["describe", "fix", "proxy_delegates", "public_module", "sequence_items", "shown_type", "shown_value"]


def proxy_delegates(value: object) -> list[object] | None:
    """The objects jsii's ``InterfaceDynamicProxy`` (what jsii makes of a reference the kernel types only by
    interfaces: ``iam.Role.from_role_arn``) delegates to, one per interface (an instance of its proxy class,
    ``_IRoleProxy``) or class; None for any other value."""
    if type(value).__name__ != "InterfaceDynamicProxy":
        return None
    delegates = vars(value).get("_delegates")
    return delegates if isinstance(delegates, list) else None


def _jsii_python_name(cls: type) -> str:
    """``aws_cdk.aws_iam.IRole`` for a jsii interface proxy class (``_IRoleProxy``) or class."""
    jsii_type = getattr(cls, "__jsii_type__", None)
    name = jsii_type.rsplit(".", 1)[-1] if isinstance(jsii_type, str) and jsii_type != "Object" else cls.__qualname__
    return f"{cls.__module__}.{name}"


def shown_type(value: object) -> str:
    """How a message names the type of ``value``: its class's name, or for a jsii ``InterfaceDynamicProxy``
    the interfaces it was imported as ("an imported aws_cdk.aws_iam.IRole")."""
    delegates = proxy_delegates(value)
    if delegates is None:
        return type(value).__qualname__
    interfaces = [d for d in delegates if type(d).__name__.startswith("_I") and type(d).__name__.endswith("Proxy")]
    names = [
        _jsii_python_name(type(d))
        for d in interfaces or delegates
        if getattr(type(d), "__jsii_type__", "Object") != "Object"
    ]
    return f"an imported {' and '.join(names)}" if names else "an imported jsii object of unknown type"


def shown_value(value: object) -> str | None:
    """The text of ``value`` in a message when its repr would show a jsii ``InterfaceDynamicProxy``
    (``<jsii._reference_map.InterfaceDynamicProxy object at 0x...>``), itself or in a list, tuple or dict: each
    proxy as ``<an imported aws_cdk.aws_iam.IRole>`` (:func:`shown_type`); None to show the repr."""
    if proxy_delegates(value) is not None:
        return f"<{shown_type(value)}>"
    if isinstance(value, list | tuple) and any(shown_value(v) is not None for v in value):
        items = [shown_value(v) or repr(v) for v in value]
        return f"[{', '.join(items)}]" if isinstance(value, list) else f"({', '.join(items)}{',' * (len(items) == 1)})"
    if isinstance(value, dict) and any(shown_value(v) is not None for v in value.values()):
        return "{" + ", ".join(f"{k!r}: {shown_value(v) or repr(v)}" for k, v in value.items()) + "}"
    return None


def describe(annotation: object) -> str:
    """``annotation`` as users write it: ``aws_cdk.aws_sqs.IQueue or None``, ``Sequence[str]``."""
    origin = typing.get_origin(annotation)
    args = typing.get_args(annotation)
    if annotation is None or annotation is types.NoneType:
        return "None"
    if origin is typing.Union or origin is types.UnionType:
        return " or ".join(describe(arg) for arg in args)
    if origin is typing.Literal:
        return " or ".join(repr(arg) for arg in args)
    if origin is not None:
        name = getattr(origin, "__name__", str(origin))
        return f"{name}[{', '.join('...' if a is Ellipsis else describe(a) for a in args)}]" if args else name
    if isinstance(annotation, type):
        module = annotation.__module__
        if module in ("builtins", "typing"):
            return annotation.__qualname__
        return f"{public_module(annotation)}.{annotation.__qualname__}"
    return str(annotation)


def public_module(cls: type) -> str:
    """The module users import ``cls`` from: its own, or for one defined in a private module
    (``lambda_constructs.triggers._polled``) the nearest enclosing package that exports it under its name
    (``lambda_constructs.triggers``); its own module when none does."""
    module = cls.__module__
    parts = module.split(".")
    while len(parts) > 1 and any(part.startswith("_") for part in parts):
        parts.pop()
        package = sys.modules.get(".".join(parts))
        exported = package is not None and cls.__name__ in getattr(package, "__all__", ())
        if exported and getattr(package, cls.__name__, None) is cls:
            return ".".join(parts)
    return module


def fix(name: str, value: object, annotation: object, *, one_item: bool = False) -> str:
    """The fix of a field ``name`` given ``value`` where ``annotation`` is expected: "pass <name> as <expected>",
    with a hint when the mistake is a common one (a number or bool in quotes, seconds for a Duration, MiB for a
    Size, a str or, when ``one_item``, one object where a sequence is expected, a str naming an enum member)."""
    expected = describe(annotation)
    hint = ""
    if isinstance(value, str) and value.strip().lstrip("-").isdigit() and "int" in expected.split(" or "):
        hint = f" (write {name}={value.strip()}, without quotes)"
    elif isinstance(value, str) and value.lower() in ("true", "false", "yes", "no", "on", "off", "0", "1"):
        if expected.split(" or ")[0] == "bool":
            hint = f" (write {name}=True or {name}=False, without quotes)"
    elif isinstance(value, int | float) and not isinstance(value, bool) and "aws_cdk.Duration" in expected:
        hint = f" (write {name}=Duration.seconds({value:g}), from aws_cdk import Duration)"
    elif isinstance(value, int | float) and not isinstance(value, bool) and "aws_cdk.Size" in expected:
        hint = f" (write {name}=Size.mebibytes({value:g}), from aws_cdk import Size)"
    elif isinstance(value, str) and expected.startswith("Sequence["):
        hint = f" (a str is not a sequence of options here: write {name}=[{value!r}])"
    elif isinstance(value, str) and (member := _enum_member(value, annotation)) is not None:
        enum_class = type(member)
        hint = (
            f" (write {name}={enum_class.__name__}.{member.name},"
            f" from {public_module(enum_class)} import {enum_class.__name__})"
        )
    elif one_item:
        hint = f" (one value is not a sequence: write {name}=[value])"
    return f"pass {name} as {expected}{hint}"


def _members(annotation: object) -> tuple[object, ...]:
    """The members of a union annotation, or the annotation alone."""
    origin = typing.get_origin(annotation)
    return typing.get_args(annotation) if origin is typing.Union or origin is types.UnionType else (annotation,)


def sequence_items(annotation: object) -> list[object]:
    """The item annotations of the sequence types ``annotation`` allows (``Sequence[X] | None``: ``[X]``)."""
    items = []
    for member in _members(annotation):
        origin = typing.get_origin(member)
        args = typing.get_args(member)
        sequence = origin in (abc.Sequence, abc.Collection, abc.Iterable, list) and len(args) == 1
        if sequence or (origin is tuple and len(args) == 2 and args[1] is Ellipsis):
            items.append(args[0])
    return items


def _enum_member(text: str, annotation: object) -> enum.Enum | None:
    """The member of an enum ``annotation`` allows whose name or value is ``text`` (any case), if any."""
    for member in _members(annotation):
        if isinstance(member, type) and issubclass(member, enum.Enum):
            for item in member:
                if text.strip().lower() in (item.name.lower(), str(item.value).lower()):
                    return item
    return None
