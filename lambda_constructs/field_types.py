"""Runtime check of a props or option dataclass's field values against their annotations.

Python does not check dataclass annotations: ``SqsTrigger(max_receive_count="5")`` used to fail later
with a raw ``TypeError``, ``SqsTrigger(queue="name")`` with a jsii error, and
``LambdaServiceProps(monitored="no")`` was silently true. :func:`checked_fields` (a class decorator
on each props/option dataclass of the library) checks every field when the object is made and raises
:class:`~lambda_constructs.errors.LambdaConstructsTypeError` naming the class, the field, the value,
its type and the expected type.

typeguard (installed with jsii) is not used: its 2.13.3 accepts any value for a PEP 604 union
(``str | None``, every optional field here) and for a jsii interface (a ``typing_extensions.Protocol``
that is not runtime-checkable). The rules, per annotation:

* ``bool`` takes a bool only; ``int`` an int that is not a bool (or a CDK number token, a float);
  ``float`` an int or a float (not a bool); ``str`` a str.
* a jsii interface (``sqs.IQueue``): an object whose class declares it, or a sub-interface of it
  (``jsii.implements``, as every aws-cdk-lib class does), an instance of its proxy class (what jsii makes
  of a value typed as the interface); an imported resource (``iam.Role.from_role_arn``: jsii's
  ``InterfaceDynamicProxy``, which delegates to one proxy object per interface the kernel gave it) when one
  of its delegates is such an object; a jsii reference whose class carries no type (jsii's ``Opaque``).
  A message names an ``InterfaceDynamicProxy`` by its interfaces ("an imported aws_cdk.aws_iam.IRole"),
  never by its repr. Other protocols: ``isinstance`` when runtime-checkable,
  else the jsii interfaces they extend (``FunctionView``: ``IConstruct``).
* any other class (``Duration``, ``lambda_.Runtime``, an enum, a jsii struct): ``isinstance``. A jsii struct
  (``ec2.SubnetSelection``) also takes a mapping, as aws-cdk-lib does (``Union[Struct, Dict[str, Any]]``): it is
  made the struct (``SubnetSelection(**mapping)``, whose own checks run then) and the field set to it, so code
  reading the field sees the struct; a key that is not a field of the struct is the library's error.
* ``X | Y``, ``Optional``, ``Literal``; ``Sequence[X]`` and ``tuple[X, ...]`` (a list or a tuple, never a
  str), ``Mapping[K, V]``, ``set``/``frozenset``, ``Callable`` and ``os.PathLike``: checked with their items.
* ``Any``, a ``TypeVar`` and a name only known to type checkers: anything.

No jsii round trip: only Python classes and instance attributes are read. The annotations of a class are
resolved once (on its first object); a check costs a few microseconds per field.

Standard library only (plus :mod:`lambda_constructs.errors` and :mod:`lambda_constructs.field_messages`, which
words the errors): a ground-floor module.
"""

from __future__ import annotations

import collections.abc as abc
import dataclasses
import functools
import sys
import types
import typing
from collections.abc import Callable
from typing import Any, TypeVar

from lambda_constructs.errors import LambdaConstructsTypeError, option_label
from lambda_constructs.field_messages import (
    describe,
    fix,
    proxy_delegates,
    sequence_items,
    shown_type,
    shown_value,
)

__all__ = ["check_argument", "check_fields", "checked_fields"]

_T = TypeVar("_T")
_Check = Callable[[object], bool]

#: CDK encodes a number token as a double below this bound (see ``validation._NUMBER_TOKEN_BOUND``).
_NUMBER_TOKEN_BOUND = -1e200
#: The class whose fields' checks are cached (the ``(name, check, annotation)`` of each field).
_CHECKS: dict[type, tuple[tuple[str, _Check, object], ...]] = {}
#: Marks a class decorated with :func:`checked_fields` (in its own ``__dict__``).
_MARK = "__lambda_constructs_checked_fields__"


def _anything(value: object) -> bool:
    return True


def _is_bool(value: object) -> bool:
    return isinstance(value, bool)


def _is_int(value: object) -> bool:
    if isinstance(value, int):
        return not isinstance(value, bool)
    return isinstance(value, float) and value < _NUMBER_TOKEN_BOUND


def _is_number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _jsii_interface(iface: type) -> _Check:
    proxy_of = getattr(iface, "__jsii_proxy_class__", None)
    proxy = proxy_of() if callable(proxy_of) else None

    implementing: set[type] = set()  # classes seen to implement the interface

    def declares(value: object) -> bool:
        cls = type(value)
        if cls in implementing:
            return True
        if (proxy is not None and isinstance(value, proxy)) or any(
            iface in getattr(declared, "__mro__", ())
            for klass in cls.__mro__
            for declared in vars(klass).get("__jsii_ifaces__", ())
        ):
            implementing.add(cls)
            return True
        return False

    def check(value: object) -> bool:
        if declares(value):
            return True
        delegates = proxy_delegates(value)
        if delegates is not None:  # an imported resource: one of the interfaces the kernel gave it
            return any(declares(d) or _is_opaque(d) for d in delegates)
        # a jsii reference whose Python class says nothing of its type (Opaque)
        return _is_opaque(value)

    return check


def _is_opaque(value: object) -> bool:
    """A jsii reference of no known type (jsii's ``Opaque``): nothing says it is not the interface."""
    return getattr(type(value), "__jsii_type__", None) in (None, "Object") and _has_jsii_ref(value)


def _has_jsii_ref(value: object) -> bool:
    try:
        return object.__getattribute__(value, "__jsii_ref__") is not None
    except AttributeError:
        return False


def _instance_of(cls: type) -> _Check:
    if cls is bool:
        return _is_bool
    if cls is int:
        return _is_int
    if cls is float:
        return _is_number
    if cls is object:
        return _anything
    if getattr(cls, "_is_protocol", False):
        if "__jsii_type__" in vars(cls):
            return _jsii_interface(cls)
        if getattr(cls, "_is_runtime_protocol", False):
            return _is_instance(cls)
        # a protocol of the library extending jsii interfaces (FunctionView: IConstruct): those, at least
        bases = [_jsii_interface(base) for base in cls.__mro__[1:] if "__jsii_type__" in vars(base)]
        return lambda value: all(base(value) for base in bases)
    return _is_instance(cls)


def _is_instance(cls: type) -> _Check:
    instances: set[type] = {cls}  # classes seen to be subclasses of cls

    def check(value: object) -> bool:
        if type(value) in instances:
            return True
        if isinstance(value, cls):
            instances.add(type(value))
            return True
        return False

    return check


def _items(container: type | tuple[type, ...], item: _Check, *, no_text: bool) -> _Check:
    def check(value: object) -> bool:
        if not isinstance(value, container) or (no_text and isinstance(value, str | bytes)):
            return False
        return all(item(element) for element in value)  # type: ignore[attr-defined]

    return check


def _check_of(annotation: object) -> _Check:
    """The check of a value against ``annotation`` (a resolved type hint)."""
    if annotation is Any or isinstance(annotation, TypeVar):
        return _anything
    if annotation is None or annotation is types.NoneType:
        return lambda value: value is None
    origin = typing.get_origin(annotation)
    args = typing.get_args(annotation)
    if origin is typing.Union or origin is types.UnionType:
        members = tuple(_check_of(arg) for arg in args)
        return lambda value: any(member(value) for member in members)
    if origin is typing.Literal:
        allowed = tuple((type(arg), arg) for arg in args)
        return lambda value: (type(value), value) in allowed
    if origin is None:
        return _instance_of(annotation) if isinstance(annotation, type) else _anything
    if origin in (abc.Mapping, abc.MutableMapping, dict):
        key, item = (_check_of(arg) for arg in args) if len(args) == 2 else (_anything, _anything)
        return lambda value: isinstance(value, abc.Mapping) and all(key(k) and item(v) for k, v in value.items())
    if origin is tuple:  # a list works as well as a tuple for the library's tuple fields
        if len(args) == 2 and args[1] is Ellipsis:
            return _items((list, tuple), _check_of(args[0]), no_text=True)
        members = tuple(_check_of(arg) for arg in args if arg != ())
        return lambda value: (
            isinstance(value, list | tuple)
            and len(value) == len(members)
            and all(member(v) for member, v in zip(members, value, strict=True))
        )
    if origin in (abc.Sequence, abc.Collection, abc.Iterable, abc.Set, list, set, frozenset):
        return _items(origin, _check_of(args[0]) if args else _anything, no_text=True)
    if origin is abc.Callable:
        return callable
    if isinstance(origin, type):  # os.PathLike[str], a user generic class
        return lambda value: isinstance(value, origin)
    return _anything


def _item_text(item: object) -> str:
    """``int 1``; an imported jsii object by its interfaces (``an imported aws_cdk.aws_iam.IRole``); a number token
    (``Token.as_number(...)``, a float like -1.888e+289) as what it is, with the way to a str token."""
    if isinstance(item, float):
        from lambda_constructs.validation import is_token  # aws-cdk-lib: imported on this error path only

        if is_token(item):  # one jsii round trip
            return f"a number token (float {item!r}: write Token.as_string(value) for a str, from aws_cdk import Token)"
    return shown_type(item) if shown_value(item) is not None else f"{type(item).__qualname__} {item!r}"


def _bad_item(value: object, annotation: object) -> str:
    """Which item of a mapping or sequence ``value`` breaks ``annotation`` (``Mapping[str, str]``, ``Sequence[X]``,
    either inside ``Optional``), as "; the value of 'AB' is int 1, not str"; empty when ``value`` is no such
    container or no single item is to blame."""
    for member in typing.get_args(annotation) or (annotation,):
        if typing.get_origin(annotation) not in (typing.Union, types.UnionType):
            member = annotation
        origin, args = typing.get_origin(member), typing.get_args(member)
        if origin in (abc.Mapping, abc.MutableMapping, dict) and len(args) == 2 and isinstance(value, abc.Mapping):
            key_check, item_check = _check_of(args[0]), _check_of(args[1])
            for key, item in value.items():
                if not key_check(key):
                    return f"; the key {key!r} is {type(key).__qualname__}, not {describe(args[0])}"
                if not item_check(item):
                    return f"; the value of {key!r} is {_item_text(item)}, not {describe(args[1])}"
        sequence = origin in (abc.Sequence, abc.Collection, abc.Iterable, list) or (
            origin is tuple and len(args) == 2 and args[1] is Ellipsis
        )
        if sequence and args and isinstance(value, list | tuple):
            item_check = _check_of(args[0])
            for index, item in enumerate(value):
                if not item_check(item):
                    return f"; item {index} is {_item_text(item)}, not {describe(args[0])}"
        if member is annotation:
            break
    return ""


def _is_struct(annotation: object) -> bool:
    """Whether ``annotation`` is a jsii struct class (``ec2.SubnetSelection``: ``jsii.data_type``)."""
    return isinstance(annotation, type) and getattr(annotation, "__jsii_name_mapping__", None) is not None


class _StructError(Exception):
    """A mapping given for a jsii struct that does not make one: the message, the value and the fix."""

    def __init__(self, message: str, value: object, fix: str) -> None:
        super().__init__(message)
        self.message, self.value, self.fix = message, value, fix


def _make_struct(struct: type, mapping: abc.Mapping[Any, Any]) -> object:
    name = describe(struct)
    fields = list(getattr(struct, "__jsii_name_mapping__", {}))
    unknown = [key for key in mapping if key not in fields]
    if unknown:
        raise _StructError(
            f"the key {unknown[0]!r} is not a field of {name}",
            dict(mapping),
            f"use the fields of {name} (snake_case): {', '.join(fields)}",
        )
    try:
        return struct(**mapping)
    except TypeError as error:  # the struct's own (typeguard) checks of its fields
        raise _StructError(
            f"the mapping given for {name} is invalid: {error}", dict(mapping), f"pass {name}(...)"
        ) from None


def _converted(value: object, annotation: object) -> object:
    """``value`` with each mapping where ``annotation`` expects a jsii struct made that struct (aws-cdk-lib takes
    ``Union[Struct, Dict[str, Any]]``): itself, or a new list/tuple of converted items; ``value`` itself when
    there is nothing to convert.

    Raises:
        _StructError: a mapping with a key that is not a field of the struct, or a value the struct rejects.
    """
    if _is_struct(annotation):
        if isinstance(value, abc.Mapping):
            return _make_struct(typing.cast(type, annotation), value)
        return value
    origin = typing.get_origin(annotation)
    args = typing.get_args(annotation)
    if origin is typing.Union or origin is types.UnionType:
        if any(_check_of(arg)(value) for arg in args):
            return value
        for arg in args:
            converted = _converted(value, arg)
            if converted is not value:
                return converted
        return value
    variadic_tuple = origin is tuple and len(args) == 2 and args[1] is Ellipsis
    sequence = origin in (abc.Sequence, abc.Collection, abc.Iterable, list) and len(args) == 1
    if (variadic_tuple or sequence) and isinstance(value, list | tuple):
        item = args[0]
        items = [_converted(element, item) for element in value]
        if any(new is not old for new, old in zip(items, value, strict=True)):
            return tuple(items) if isinstance(value, tuple) else items
    return value


def _resolved_hints(cls: type) -> dict[str, object]:
    """The type hints of ``cls``; a name its module imports only for type checkers counts as Any."""
    try:
        return typing.get_type_hints(cls)
    except NameError:
        pass
    hints: dict[str, object] = {}
    for klass in reversed(cls.__mro__):
        module = vars(sys.modules[klass.__module__])
        for name, annotation in vars(klass).get("__annotations__", {}).items():
            try:
                hints[name] = eval(annotation, module, dict(vars(klass))) if isinstance(annotation, str) else annotation
            except NameError:
                hints[name] = Any
    return hints


def _field_checks(cls: type) -> tuple[tuple[str, _Check, object], ...]:
    checks = _CHECKS.get(cls)
    if checks is None:
        hints = _resolved_hints(cls)
        checks = tuple(
            (f.name, _check_of(hints.get(f.name, Any)), hints.get(f.name, Any))
            for f in dataclasses.fields(cls)
            if f.init
        )
        _CHECKS[cls] = checks
    return checks


def _one_item(value: object, annotation: object) -> bool:
    """Whether ``value`` is one item where ``annotation`` expects a sequence of such items."""
    return not isinstance(value, list | tuple | str | bytes | abc.Mapping) and any(
        _check_of(item)(value) for item in sequence_items(annotation)
    )


def check_fields(obj: object, cls: type | None = None) -> None:
    """Check every init field of the dataclass ``obj`` (those of ``cls``, default its class) against its
    annotation.

    Raises:
        LambdaConstructsTypeError: the first field whose value does not match: "<Class>(<field>=...) must
            be <expected>, not <type> (got <value>). Fix: pass <field> as <expected>".
    """
    owner = cls or type(obj)
    for name, check, annotation in _field_checks(owner):
        value = getattr(obj, name)
        if check(value):
            continue
        try:
            converted = _converted(value, annotation)
        except _StructError as error:
            raise LambdaConstructsTypeError(
                "", f"{option_label(obj, name)}: {error.message}", value=error.value, fix=error.fix
            ) from None
        if converted is not value and check(converted):
            object.__setattr__(obj, name, converted)  # frozen dataclasses too
        else:
            raise LambdaConstructsTypeError(
                "",
                f"{option_label(obj, name)} must be {describe(annotation)}, not {shown_type(value)}"
                f"{_bad_item(value, annotation)}",
                value=value,
                shown=shown_value(value),
                fix=fix(name, value, annotation, one_item=_one_item(value, annotation)),
            )


#: Checks of method arguments' annotations (:func:`check_argument`), made once per annotation.
_ARGUMENT_CHECKS: dict[object, _Check] = {}


def check_argument(path: str, call: str, name: str, value: object, annotation: object) -> Any:
    """Check one argument of a library method (``call``: ``add_alias``) against ``annotation``, by the rules of
    the fields above; ``path``: the construct path of the object whose method it is. Returns the argument to
    use: ``value``, or (as for a field) a copy with each mapping given for a jsii struct made that struct
    (``additional_versions=[{"version": v, "weight": 0.1}]``: ``[VersionWeight(...)]``).

    Library methods check the arguments they hand to aws-cdk-lib unchecked (``_jsii_speed.create`` skips the
    generated constructors' typeguard checks).

    Raises:
        LambdaConstructsTypeError: "<path>: <call>(<name>=...) must be <expected>, not <type> (got <value>).
            Fix: pass <name> as <expected>"; for a mapping that makes no struct, "<path>: <call>(<name>=...):
            the key 'k' is not a field of <struct>".
    """
    check = _ARGUMENT_CHECKS.get(annotation)
    if check is None:
        check = _ARGUMENT_CHECKS[annotation] = _check_of(annotation)
    if check(value):
        return value
    try:
        converted = _converted(value, annotation)
    except _StructError as error:
        raise LambdaConstructsTypeError(
            path, f"{call}({name}=...): {error.message}", value=error.value, fix=error.fix
        ) from None
    if converted is not value and check(converted):
        return converted
    raise LambdaConstructsTypeError(
        path,
        f"{call}({name}=...) must be {describe(annotation)}, not {shown_type(value)}",
        value=value,
        shown=shown_value(value),
        fix=fix(name, value, annotation, one_item=_one_item(value, annotation)),
    )


def checked_fields(cls: type[_T]) -> type[_T]:
    """Class decorator (above ``@dataclass``): check the fields (:func:`check_fields`) when an object is
    made, before the class's own ``__post_init__`` (which then sees values of the right types).

    The most derived decorated class of an object checks (its fields include its bases'); a decorated
    base's ``__post_init__`` reached through ``super()`` does not check again.
    """
    own = vars(cls).get("__post_init__")
    called = hasattr(cls, "__post_init__")  # else the __init__ dataclass wrote does not call the hook

    def __post_init__(self: Any) -> None:  # noqa: N807 (the dataclass hook)
        if _checker_of(type(self)) is cls:
            check_fields(self, cls)
        if own is not None:
            own(self)
        else:
            parent = getattr(super(cls, self), "__post_init__", None)
            if parent is not None:
                parent()

    __post_init__.__doc__ = own.__doc__ if own is not None else "Check the fields' types."
    __post_init__.__qualname__ = f"{cls.__qualname__}.__post_init__"
    setattr(cls, "__post_init__", __post_init__)  # noqa: B010
    if not called:
        init = vars(cls)["__init__"]

        @functools.wraps(init)
        def __init__(self: Any, *args: Any, **kwargs: Any) -> None:  # noqa: N807
            init(self, *args, **kwargs)
            __post_init__(self)

        setattr(cls, "__init__", __init__)  # noqa: B010
    setattr(cls, _MARK, True)
    return cls


def _checker_of(cls: type) -> type | None:
    """The most derived class in ``cls``'s MRO decorated with :func:`checked_fields`."""
    return next((klass for klass in cls.__mro__ if vars(klass).get(_MARK)), None)
