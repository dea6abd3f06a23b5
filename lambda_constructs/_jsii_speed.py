"""Speed-ups for the jsii bridge: every trick the library plays to make fewer Python → JavaScript calls.

A CDK app in Python runs aws-cdk-lib in a Node process (the jsii kernel); each attribute read, method
call or object creation on a CDK object is one synchronous message to it (a "round trip"), and
JavaScript calling Python back (a Python subclass's override) is two more. At ≈ 80 round trips per
function they are a large part of the library's build time. The tricks, all in this module so that
domain code stays plain:

* **Read once per object** (:func:`read_once`): a value read from an immutable CDK object is kept in a
  weak-keyed cache, so it is read once per object, not once per use:

  - :data:`SCOPE_PATHS`: a scope's construct path (two round trips), read once per parent scope by
    :func:`child_path` (every function of a stack shares the stack's);
  - :data:`ROOTS`: a stack's root construct (the App; two round trips), read once per stack by
    :func:`root_of` (``deploy_rules.register`` looks up its app's checks for every function);
  - :data:`RUNTIME_NAMES`: ``Runtime.name`` (``runtimes.runtime_name``; a function reads it several times);
  - :data:`DURATION_SECONDS` / :data:`SIZE_MEBIBYTES`: ``Duration.to_seconds()`` /
    ``Size.to_mebibytes()`` (``validation.duration_seconds`` / ``size_mebibytes``);
  - :data:`RESOURCE_TYPE_NAMES`: an L1 class's ``CFN_RESOURCE_TYPE_NAME``, read once per class by
    :func:`cfn_resource_type` instead of ``cfn_resource_type`` once per resource (the scanners' targets);
  - elsewhere: a stack's shared key (``keys.stack_key``, its own cache) and its app
    (``deploy_rules.register``, with :func:`read_once`), looked up once per stack, not once per function.

* **Identity without a round trip** (:func:`same_object`): jsii may hand a JavaScript object back to Python
  as a new proxy (``is`` then fails), but every proxy carries the kernel's id of the object; comparing
  the ids tells whether two proxies are one object (``deploy_rules``' edge aspect finding its L1).

* **Filter in JavaScript** (:func:`find_resources`): a search of the app for the L1s of one CloudFormation
  type uses aws-cdk-lib's ``ConstructSelector`` so that only they cross to Python, not every construct of
  the app (``deploy_rules``' two searches per synthesis; ``find_all`` on an aws-cdk-lib without it).

* **Only the properties given** (:func:`create`): ``create(cls, props_type, scope, id, **props)`` makes the
  object ``cls(scope, id, **props)`` makes, passing the kernel a struct of just the properties given instead of
  aws-cdk-lib's generated ``<Class>Props`` object, whose serialization reads *every* field through a getter
  that evaluates its ``typing`` annotation (``typing.cast(Optional[Union["…IResolvable", "…Property"]], v)``)
  on each read. ``typing`` memoizes those in an LRU cache of 128 entries per process; one library function
  with an ``SqsTrigger`` reads ≈ 170 distinct ones (the 31-field ``CfnEventSourceMappingProps`` alone ≈ 64), so
  a loop of functions missed the cache on every read (5,816 misses at 40 functions, each compiling its
  forward references; a hand-written app's ≈ 70 fit and hit). The generated constructor's typeguard checks of
  each argument are skipped too. Used for what the library creates for every function: its role
  (:func:`init`, from ``roles.Role``'s constructor), grants policy and statements, log group, function and
  aliases, and a trigger's queue, statements and event source mapping (40 functions: Python CPU of the
  build 0.48-0.60 s -> 0.28-0.32 s, templates byte-identical).

* **Shared immutable defaults** (:func:`defaults`, :func:`shared_seconds`): the default ``Duration``,
  ``Size`` and ``Architecture`` objects of ``SecureFunctionProps`` are created (or read) once per process
  instead of once per props object, and their conversions are then cached once. ``SecureFunction.timeout_is_default`` relies on
  this: a timeout left at its default *is* the shared object.

Elsewhere the same goal is reached by choosing a cheaper CDK call, not by a cache; those places say so
in one comment pointing here: the library's ``ExecutionRole`` takes its own statements in one
``add_statements`` call (no callback per statement), and a ``SecureFunction``'s role creates its
``Policy`` with the default statements in its constructor (``Role(defer_policy=True)``: not even that
call); the default log-group grant is written as a statement instead of ``log_group.grant_write``
(which calls back into ``add_to_principal_policy``); the library role gets the stack's shared X-Ray
policy in its constructor (``roles.stack_tracing_policy``: one policy per stack holding one frozen
statement, ``roles.tracing_statement``) and the mode goes onto the ``CfnFunction``, instead of ``tracing=``
on ``aws_lambda.Function`` (which calls back into ``add_to_principal_policy``); the failure destination is
one jsii subclass object per failure queue (``failure_queue.queue_destination``), shared by the function,
its aliases and the functions sharing the queue (every function of a stack, with the stack's shared
failure queue); cdk-nag acknowledgements are one metadata entry per construct
(``compliance.acknowledge_many``); the checkov / cfn-lint metadata of one library call is written once per
resource and key when the call ends, without a read on a resource the call created (``scanners.batch``); the synth-time
rules (``deploy_rules``) read each function's L1 kept from construction, resolve the properties of all the
functions of a stack in one ``resolve``, and take logical ids from the cloud assembly's metadata after
synthesis instead of resolving them.

Measured (``bench/bench_roundtrips.py 20``, library defaults: 83.5 round trips per function), each trick
turned off alone: path cache +2.0, runtime-name cache +2.0, duration/size conversion caches +5.0, shared
defaults (fresh objects per props) +6.8 round trips per function. One round trip took 0.17-0.58 ms on
the 2-core machine under load 8-12, so together they save ≈ 3-9 ms of a function's ≈ 400-800 ms build
and synth: small, kept because they cost nothing here and change no template.
"""

from __future__ import annotations

import weakref
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING, Any, TypeVar

import aws_cdk
import jsii
from aws_cdk import CfnResource, Duration, Size
from aws_cdk import aws_lambda as lambda_
from constructs import IConstruct

if TYPE_CHECKING:
    from aws_cdk import IConstructSelector

__all__ = [
    "DURATION_SECONDS",
    "RESOURCE_TYPE_NAMES",
    "ROOTS",
    "RUNTIME_NAMES",
    "SCOPE_PATHS",
    "SIZE_MEBIBYTES",
    "Defaults",
    "cfn_resource_type",
    "child_path",
    "create",
    "defaults",
    "find_resources",
    "init",
    "jsii_ref",
    "read_once",
    "root_of",
    "same_object",
    "shared_seconds",
]

K = TypeVar("K")
V = TypeVar("V")
T = TypeVar("T")

#: Paths of scopes already read (two round trips each).
SCOPE_PATHS: weakref.WeakKeyDictionary[IConstruct, str] = weakref.WeakKeyDictionary()
#: Root constructs of stacks already read (two round trips each).
ROOTS: weakref.WeakKeyDictionary[IConstruct, IConstruct] = weakref.WeakKeyDictionary()
#: Names of runtime objects already read (one round trip each).
RUNTIME_NAMES: weakref.WeakKeyDictionary[lambda_.Runtime, str] = weakref.WeakKeyDictionary()
#: Seconds of Duration objects already converted (None: a token).
DURATION_SECONDS: weakref.WeakKeyDictionary[Duration, float | None] = weakref.WeakKeyDictionary()
#: ``CFN_RESOURCE_TYPE_NAME`` of L1 classes already read (a static property: one round trip per read).
RESOURCE_TYPE_NAMES: dict[type, str] = {}
#: MiB of Size objects already converted (None: a token or a fractional size).
SIZE_MEBIBYTES: weakref.WeakKeyDictionary[Size, float | None] = weakref.WeakKeyDictionary()


def read_once(memo: weakref.WeakKeyDictionary[K, V], obj: K, read: Callable[[K], V]) -> V:
    """``read(obj)``, computed once per ``obj`` while ``obj`` lives (``obj`` must be immutable)."""
    if obj in memo:
        return memo[obj]
    value = memo[obj] = read(obj)
    return value


def cfn_resource_type(resource: CfnResource) -> str:
    """``resource.cfn_resource_type``, taken from its L1 class's ``CFN_RESOURCE_TYPE_NAME`` (read once per
    class: :data:`RESOURCE_TYPE_NAMES`; an L1 class gives its resources that type), or read from the
    resource when its class has none (a generic ``CfnResource``)."""
    klass = type(resource)
    name = RESOURCE_TYPE_NAMES.get(klass)
    if name is None:
        if not any("CFN_RESOURCE_TYPE_NAME" in vars(base) for base in klass.__mro__):
            return resource.cfn_resource_type
        name = RESOURCE_TYPE_NAMES[klass] = str(klass.CFN_RESOURCE_TYPE_NAME)  # type: ignore[attr-defined]
    return name


#: aws-cdk-lib's selectors of L1s by CloudFormation type (``ConstructSelector.resources_of_type``), one per type
#: and process (created by one round trip, then reused).
_SELECTORS: dict[str, IConstructSelector] = {}


def find_resources(scope: IConstruct, resource_type: str) -> list[IConstruct]:
    """Every construct under ``scope`` (``scope`` included, in ``find_all`` order) that may be an L1 of the
    CloudFormation type ``resource_type`` (``AWS::Lambda::Permission``): exactly the L1s of that type when
    aws-cdk-lib has ``ConstructSelector`` (the Mixins API; it walks the tree in JavaScript, so only those L1s
    cross to Python: one round trip), else every construct (``scope.node.find_all()``). Callers keep their
    ``isinstance`` test, which selects the same constructs either way: an L1 class gives its resources its type.

    The selector visits the tree in ``find_all``'s order (pre-order, Stages and nested stacks included). It
    is made once per type and process; ``find_all`` hands every construct of the app to Python instead (≈ 1,350
    object references for 40 library functions).
    """
    selector = _SELECTORS.get(resource_type)
    if selector is None:
        construct_selector = getattr(aws_cdk, "ConstructSelector", None)  # aws-cdk-lib 2.220 has none
        if construct_selector is None:
            return list(scope.node.find_all())
        selector = _SELECTORS[resource_type] = construct_selector.resources_of_type(resource_type)
    return list(selector.select(scope))


def child_path(scope: IConstruct, construct_id: str) -> str:
    """The construct path of ``scope``'s child ``construct_id``, reading ``scope``'s path once per scope."""
    parent = read_once(SCOPE_PATHS, scope, lambda s: s.node.path)
    return f"{parent}/{construct_id}" if parent else construct_id


def root_of(stack: IConstruct) -> IConstruct:
    """The root construct of ``stack``'s tree (the App), read once per stack; also the root of every construct
    in the stack (a construct's root is its stack's)."""
    return read_once(ROOTS, stack, lambda s: s.node.root)


def jsii_ref(obj: object) -> str | None:
    """The jsii kernel's reference of ``obj`` (``<fqn of its JavaScript class>@<object id>``, the protocol's
    by-reference form), read without a round trip; None when ``obj`` is not a jsii object."""
    ref = getattr(getattr(obj, "__jsii_ref__", None), "ref", None)
    return ref if isinstance(ref, str) else None


def same_object(a: object, b: object) -> bool:
    """Whether ``a`` and ``b`` are proxies of one JavaScript object (the jsii kernel's object id, no round
    trip); False when either is not a jsii object."""
    ref_a = jsii_ref(a)
    return ref_a is not None and ref_a == jsii_ref(b)


class _StructValue:
    """A jsii struct passed by value holding only the fields given: what the jsii runtime serializes for a
    generated struct object (its ``__jsii_type__`` and ``__jsii_name_mapping__``, then each mapped field),
    without a typed getter per field."""

    __slots__ = ("__jsii_name_mapping__", "__jsii_type__", "_values")

    def __init__(self, fqn: str, names: Mapping[str, str], values: dict[str, Any]) -> None:
        self.__jsii_type__ = fqn
        # In the struct's own field order, as jsii serializes the generated object: the JavaScript object's
        # key order is what aws-cdk-lib records in its construct analytics metadata.
        self.__jsii_name_mapping__ = {name: jsii_name for name, jsii_name in names.items() if name in values}
        self._values = values

    def __getattr__(self, name: str) -> Any:
        try:
            return self._values[name]  # only the mapped names are read (jsii's serialization)
        except KeyError:
            raise AttributeError(name) from None


def create(cls: type[T], props_type: type, *args: object, **props: object) -> T:
    """``cls(*args, **props)`` for an aws-cdk-lib class whose constructor takes its keyword arguments as the
    struct ``props_type`` (``lambda_.CfnEventSourceMapping`` / ``lambda_.CfnEventSourceMappingProps``): the same
    JavaScript object, made by one jsii create request as the generated constructor makes it, but with a
    struct of the properties given (None: not given) instead of the generated ``props_type`` object (see the
    module docstring, "Only the properties given"). Values are passed as given: a nested struct as its struct
    object or, for an L1 property that also takes a token, a dict, as the generated constructor passes them.
    The generated constructor's argument type checks (typeguard, when ``__debug__``) are skipped: callers pass
    values the library built or validated, or struct objects that were checked when they were made. Falls
    back to ``cls(*args, **props)`` when the jsii runtime or the struct lacks what this relies on.

    Raises:
        TypeError: a keyword that is not a field of ``props_type`` (as the generated constructor would).
    """
    value = _struct_value(cls, props_type, props)
    if value is None or _JSII_CREATE is None:
        return cls(*args, **props)
    obj: T = object.__new__(cls)
    _JSII_CREATE(cls, obj, [*args, value])  # registers obj in jsii's reference map, as the metaclass's call does
    return obj


def init(
    obj: object, base: type, props_type: type, *args: object, display_name: str | None = None, **props: object
) -> None:
    """What ``base.__init__(obj, *args, **props)`` does, from a subclass's ``__init__`` (``base``: the
    aws-cdk-lib class it extends, e.g. ``iam.Role`` with ``iam.RoleProps``), as :func:`create` makes a new
    object: jsii creates ``type(obj)`` with its Python overrides and a struct of the given properties only.
    ``display_name``: the class the caller called, named in the unknown-keyword error (default:
    ``type(obj)``'s name).

    Raises:
        TypeError: as :func:`create`, naming ``display_name``.
    """
    value = _struct_value(base, props_type, props, display_name=display_name or type(obj).__name__)
    if value is None or _JSII_CREATE is None:
        base_init: Callable[..., None] = base.__init__  # type: ignore[misc]
        base_init(obj, *args, **props)
        return
    _JSII_CREATE(type(obj), obj, [*args, value])


#: The jsii runtime's create (what generated constructors call); None if this jsii has none.
_JSII_CREATE: Callable[[type, object, list[object]], object] | None = getattr(jsii, "create", None)


def _struct_value(
    cls: type, props_type: type, props: Mapping[str, object], *, display_name: str | None = None
) -> _StructValue | None:
    names = getattr(props_type, "__jsii_name_mapping__", None)
    fqn = getattr(props_type, "__jsii_type__", None)
    if not isinstance(names, Mapping) or not isinstance(fqn, str) or _JSII_CREATE is None:
        return None
    unknown = sorted(set(props) - set(names))
    if unknown:
        raise TypeError(
            f"{display_name or cls.__name__}() got unexpected keyword argument(s) {', '.join(unknown)} "
            f"(it takes those of {props_type.__qualname__}: {', '.join(sorted(names))})"
        )
    return _StructValue(fqn, names, {name: v for name, v in props.items() if v is not None})


@dataclass(frozen=True)
class Defaults:
    """The default Duration/Size/Architecture objects of ``SecureFunctionProps``, one per process.

    Attributes:
        timeout: 30 seconds.
        ephemeral_storage_size: 512 MiB.
        max_event_age: 6 hours.
        failure_retention: 14 days (the failure queues' retention).
        architecture: ``Architecture.ARM_64`` (a static property of aws-cdk-lib: one round trip per read).
    """

    timeout: Duration
    ephemeral_storage_size: Size
    max_event_age: Duration
    failure_retention: Duration
    architecture: lambda_.Architecture


@cache
def defaults() -> Defaults:
    """The shared :class:`Defaults` (created on first use: importing the library starts no jsii call)."""
    return Defaults(
        timeout=Duration.seconds(30),
        ephemeral_storage_size=Size.mebibytes(512),
        max_event_age=Duration.hours(6),
        failure_retention=Duration.days(14),
        architecture=lambda_.Architecture.ARM_64,
    )


@cache
def shared_seconds(amount: int) -> Duration:
    """``Duration.seconds(amount)``, one shared object per amount (durations are immutable)."""
    return Duration.seconds(amount)
