"""How a field type error (:mod:`lambda_constructs.field_types`) names the expected type and the value, and
the hint of its fix.

* an annotation as users write it, a class by the module they import it from (:func:`describe`,
  :func:`public_module`): ``lambda_constructs.triggers.StartingPosition``, not its private ``_polled`` module;
* a jsii ``InterfaceDynamicProxy`` (an imported resource: ``iam.Role.from_role_arn``) by its interfaces,
  "an imported aws_cdk.aws_iam.IRole", never by its repr (:func:`shown_type`, :func:`shown_value`);
* the fix's hint (:func:`fix`): ``write max_receive_count=5, without quotes``, ``Duration.seconds(30)``, the enum
  member a string names, ``[value]`` for one object where a sequence is expected;
* a str where a sequence of objects is expected (``layers='arn:…'``), or as one of its items: never ``['arn:…']``,
  which fails next, but an item made from the str (:func:`item_from_text`): the enum member it names, or the
  item class's ``from_<x>_arn``/``from_<x>_name``/``from_<x>_id`` factory
  (``LayerVersion.from_layer_version_arn(scope, 'LayerVersion-layer:x:1', 'arn:…:layer:x:1')``), read from the class's signatures.

No jsii round trip. Standard library only: a ground-floor module.
"""

from __future__ import annotations

import collections.abc as abc
import enum
import inspect
import sys
import types
import typing

__all__ = [
    "describe",
    "fix",
    "item_from_text",
    "proxy_delegates",
    "public_module",
    "sequence_items",
    "shown_type",
    "shown_value",
]


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
    Size, a str or, when ``one_item``, one object where a sequence is expected, a str naming an enum member).

    A str where a sequence is expected gets ``[value]`` only when the items may be str; else, as for a str item
    of a list, the item to write instead (:func:`item_from_text`), or that the items are objects."""
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
    elif isinstance(value, str) and (items := sequence_items(annotation)):
        hint = _text_for_items(name, value, items, None)
    elif isinstance(value, list | tuple) and (items := sequence_items(annotation)) and not _take_text(items):
        index = next((i for i, item in enumerate(value) if isinstance(item, str)), None)
        hint = "" if index is None else _text_for_items(name, value[index], items, index)
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


def _take_text(items: list[object]) -> bool:
    """Whether an item of one of the sequence types whose item annotations are ``items`` may be a str."""
    for item in items:
        for member in _members(item):
            if member in (str, object, typing.Any) or isinstance(member, typing.TypeVar):
                return True
            if typing.get_origin(member) is typing.Literal and any(isinstance(a, str) for a in typing.get_args(member)):
                return True
    return False


def _text_for_items(name: str, text: str, items: list[object], index: int | None) -> str:
    """The hint for a str ``text`` given as the sequence field ``name`` (``index`` None) or as its item ``index``."""
    if _take_text(items):
        return f" (a str is not a sequence of options here: write {name}=[{text!r}])"
    made = next((m for item in items if (m := item_from_text(text, item)) is not None), None)
    where = "its items are objects, not str" if index is None else f"item {index} must be an object, not a str"
    if made is None:
        return f" ({where})"
    code, module, class_name = made
    write = f"{name}=[{code}]" if index is None else f"{code} for it"
    return f" ({where}: write {write}, from {module} import {class_name})"


def item_from_text(text: str, annotation: object) -> tuple[str, str, str] | None:
    """How to make an object ``annotation`` allows from the str ``text`` a user gave in its place, as
    ``(code, module, class name)``: the enum member ``text`` names (``('EventType.OBJECT_CREATED',
    'aws_cdk.aws_s3', 'EventType')``); else a factory of the class (for a jsii interface ``IName``, of the class
    ``Name`` of its module) that makes one from ``scope``, an id (:func:`_construct_id`) and one str: ``from_<p>(scope, id, <p>)``,
    whose ``<p>`` ends with ``_arn`` exactly when ``text`` is an ARN (``LayerVersion.from_layer_version_arn``,
    ``Role.from_role_name``, ``SecurityGroup.from_security_group_id``). None when there is no such way.

    Reads Python signatures only (no jsii round trip): called on the error path."""
    member = _enum_member(text, annotation)
    if member is not None:
        enum_class = type(member)
        return f"{enum_class.__name__}.{member.name}", public_module(enum_class), enum_class.__name__
    for candidate in _members(annotation):
        cls = _concrete_class(candidate)
        factory = _factory_from_text(cls, arn=text.startswith("arn:")) if cls is not None else None
        if cls is not None and factory is not None:
            construct_id = _construct_id(cls.__name__, text)
            return f"{cls.__name__}.{factory}(scope, {construct_id!r}, {text!r})", public_module(cls), cls.__name__
    return None


def _construct_id(class_name: str, text: str) -> str:
    """A construct id for the object made from ``text``, distinct for distinct values (two items of one list, or
    two functions' items in one stack, followed literally, must not collide): the class name and ``text`` (an
    ARN's resource part, ``arn:partition:service:region:account:<resource>``), ``/`` made ``-`` (a construct id
    holds no path separator): ``LayerVersion-layer:x:1``, ``SecurityGroup-sg-12345678``."""
    parts = text.split(":", 5)
    resource = parts[5] if text.startswith("arn:") and len(parts) == 6 else text
    return f"{class_name}-{resource.replace('/', '-')}"


def _concrete_class(annotation: object) -> type | None:
    """``annotation`` when a class; for a jsii interface (``aws_cdk.aws_lambda.ILayerVersion``), the class its
    module defines under its name without the ``I`` (``LayerVersion``), if any."""
    if not isinstance(annotation, type):
        return None
    name = annotation.__name__
    if "__jsii_type__" in vars(annotation) and getattr(annotation, "_is_protocol", False):
        if not (len(name) > 1 and name[0] == "I" and name[1].isupper()):
            return None
        cls = getattr(sys.modules.get(annotation.__module__), name[1:], None)
        declares = isinstance(cls, type) and any(
            annotation in getattr(declared, "__mro__", ())
            for klass in cls.__mro__
            for declared in vars(klass).get("__jsii_ifaces__", ())
        )
        return cls if declares else None
    return annotation


def _factory_from_text(cls: type, *, arn: bool) -> str | None:
    """The name of ``cls``'s ``from_<p>(scope, id, <p>: str)`` class or static method (any further parameter
    optional) whose ``<p>`` ends with ``_arn`` exactly when ``arn``; None when it has none."""
    for attribute in sorted(dir(cls)):
        parameter = attribute.removeprefix("from_")
        if parameter == attribute or parameter.endswith("_arn") != arn:
            continue
        if not isinstance(inspect.getattr_static(cls, attribute, None), classmethod | staticmethod):
            continue
        try:
            parameters = list(inspect.signature(getattr(cls, attribute)).parameters.values())
        except (TypeError, ValueError):
            continue
        required = [p for p in parameters if p.default is inspect.Parameter.empty and p.kind != p.VAR_KEYWORD]
        positional = (inspect.Parameter.POSITIONAL_ONLY, inspect.Parameter.POSITIONAL_OR_KEYWORD)
        if (
            len(required) == 3
            and all(p.kind in positional for p in required)
            and required[2].name == parameter
            and required[2].annotation in (str, "str", "builtins.str")
        ):
            return attribute
    return None
