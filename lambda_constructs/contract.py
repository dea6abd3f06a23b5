"""The ground-floor contract between a function and its collaborators.

:class:`~lambda_constructs.function.SecureFunction` sits on top of four collaborator packages:
``triggers/`` (event sources), ``languages/`` (runtime checks and code), ``releases/`` (versions and
aliases) and ``monitoring/`` (alarms and dashboards). They need a *view* of the function - its role,
key, log group, failure queue, timeout, aliases - not the class itself. This module is that view:

* :class:`FunctionSettings`: the read-only settings (a subset of ``SecureFunctionProps``) collaborators read.
* :class:`FunctionView`: what a collaborator may read from, or ask of, a function.
* :class:`Trigger` and :class:`InvocationKind`: what a function asks of a trigger (re-exported by
  ``lambda_constructs.triggers.base``, their public home).
* :class:`TriggerResult` and :class:`SourceKind`: what a trigger's ``bind`` created, returned by
  ``fn.add_trigger`` and read by monitoring (also re-exported by ``lambda_constructs.triggers.base``).
* :func:`is_function`: recognise a function among a stack's constructs without importing its class.

Dependency rule (docs/design.md, "Layers"): this module imports only aws-cdk-lib, constructs and the
standard library. ``function.py`` implements the contract (structurally: ``SecureFunction`` never
names these protocols at run time; ``mypy --strict`` checks the fit through the assignment at the end of
``function.py``); the collaborator packages import this module and never ``lambda_constructs.function``
(``tests/unit/test_architecture.py`` fails when one does).

Acknowledgements: a collaborator acknowledges a cdk-nag finding on a construct it created (or on the
function, a :class:`FunctionView` being a construct with a ``node``) through
``lambda_constructs.compliance.acknowledge``/``acknowledge_rule``, also a ground-floor module. A library
trigger's ``bind`` runs inside ``lambda_constructs.scanners.batch()`` (``add_trigger`` opens it): right after
creating a resource it acknowledges, it may call ``scanners.created(construct, "AWS::…")`` so the resource's
checkov / cfn-lint metadata is written without reading it back.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import Enum
from typing import Protocol, TypeGuard, runtime_checkable

from aws_cdk import Duration
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_logs as logs
from aws_cdk import aws_sqs as sqs
from constructs import Construct, IConstruct

__all__ = [
    "FUNCTION_MARKER",
    "FunctionSettings",
    "FunctionView",
    "InvocationKind",
    "SourceKind",
    "Trigger",
    "TriggerResult",
    "is_function",
]

FUNCTION_MARKER = "__function_view__"
"""Name of the class attribute (``True``) by which a class declares that its instances provide
:class:`FunctionView`; :func:`is_function` reads it (a type check, no jsii round trip per construct)."""


class InvocationKind(Enum):
    """How Lambda is invoked by a trigger."""

    POLLED = "polled"
    """An event source mapping: Lambda polls the source (SQS, Kinesis, DynamoDB, Kafka, MQ …)."""
    SYNC = "sync"
    """The service calls Invoke with RequestResponse and waits for the answer."""
    ASYNC = "async"
    """The service calls Invoke with Event; retries, event age and the failure destination apply."""


class SourceKind(Enum):
    """What a trigger reads: monitoring alarms on what each kind emits (``IteratorAge`` for streams)."""

    PUSH = "push"
    """Nothing: the service pushes events (synchronously or asynchronously)."""
    QUEUE = "queue"
    """A message queue Lambda polls (SQS, an Amazon MQ broker queue)."""
    STREAM = "stream"
    """A shard stream Lambda polls (Kinesis, DynamoDB Streams): emits ``IteratorAge``."""
    KAFKA = "kafka"
    """A Kafka topic (Amazon MSK, self-managed Kafka): emits ``OffsetLag``."""
    CHANGE_STREAM = "change-stream"
    """A DocumentDB change stream."""


@dataclass(frozen=True, kw_only=True)
class TriggerResult:
    """What one ``bind`` created: returned by ``fn.add_trigger`` (immutable), kept in ``fn.trigger_results``
    and read by monitoring."""

    trigger: Trigger
    """The trigger that was bound (required)."""
    construct_id: str
    """The id of ``resources`` under the function (stable, part of the API; required)."""
    kind: InvocationKind
    """How the trigger invokes the function (required)."""
    source: SourceKind = SourceKind.PUSH
    """What the trigger reads (streams get the iterator-age alarm). Default: ``PUSH`` (nothing)."""
    resources: Construct | None = None
    """The construct at ``fn/<construct_id>`` holding what ``bind`` created, as typed attributes (e.g.
    ``RestApiResources.api``). Default: None (a trigger that created none)."""
    dead_letter_queue: sqs.IQueue | None = None
    """The queue the trigger created (or was given) for events it could not deliver, or the queue it shares
    for them (an ``SqsTrigger``'s queue redrives by default to its stack's shared trigger dead-letter queue);
    monitoring alarms on its depth (a shared queue once per stack). Default: None (it has none)."""
    failure_destination: sqs.IQueue | None = None
    """The caller's on-failure queue of a polled trigger (``on_failure``); monitoring alarms on its depth.
    Default: None (failed batches go to the function's failure queue, or the trigger has none)."""
    permissions: tuple[lambda_.CfnPermission, ...] = ()
    """The resource-based ``lambda:InvokeFunction`` permissions the library added for the trigger, in
    order (those aws-cdk-lib integrations add themselves - API Gateway methods, S3 notifications,
    Cognito, EventBridge targets - are children of their own constructs). Default: none."""


class FunctionSettings(Protocol):
    """The function's settings collaborators read (read-only; ``SecureFunctionProps`` provides them)."""

    @property
    def architecture(self) -> lambda_.Architecture:
        """Instruction set (arm64 or x86_64)."""
        ...

    @property
    def memory_size(self) -> int:
        """Memory in MB."""
        ...

    @property
    def timeout(self) -> Duration:
        """Maximum run time of one invocation."""
        ...

    @property
    def reserved_concurrent_executions(self) -> int | None:
        """Reserved concurrency; None: the account's unreserved pool."""
        ...

    @property
    def max_event_age(self) -> Duration:
        """How long an asynchronous event is retried."""
        ...

    @property
    def log_retention(self) -> logs.RetentionDays:
        """Retention of the function's log group (collaborators give their own log groups the same)."""
        ...

    @property
    def environment(self) -> Mapping[str, str]:
        """Environment variables (names and values)."""
        ...

    @property
    def layers(self) -> Sequence[object]:
        """Layers of the function (collaborators only count them)."""
        ...

    @property
    def default_alias(self) -> str | None:
        """Name of the alias triggers target by default; None: none."""
        ...

    @property
    def snap_start(self) -> lambda_.SnapStartConf | None:
        """SnapStart configuration; None: off."""
        ...


class FunctionView(IConstruct, Protocol):
    """A function as its collaborators see it (``SecureFunction`` provides it).

    A construct (``IConstruct``: ``node`` gives its path for error messages, its id, children, context
    and validations). Reads: settings (``props``), the resources the function owns
    (role, key, log group, failure queue, the ``AWS::Lambda::Function``), what it runs (runtime,
    family, handler) and what it targets (aliases, ``$LATEST`` version, default alias name).
    Requests: :meth:`add_alias` (releases), :meth:`fit_default_timeout` (synchronous triggers).
    """

    @property
    def construct(self) -> Construct:
        """The function itself as a ``Construct``: the scope collaborators create their resources under
        (``IConstruct``, which this view extends, is enough for errors, warnings and acknowledgements)."""
        ...

    @property
    def props(self) -> FunctionSettings:
        """The function's settings."""
        ...

    @property
    def role(self) -> iam.IRole:
        """The execution role. Grant what a trigger needs through ``role_grants.grantee(fn)`` (this role, or the
        function's ``RolePolicy`` when the role is in another stack), not through the role directly."""
        ...

    @property
    def owned_role(self) -> iam.Role | None:
        """``role`` when it is the library's execution role (a construct of the function: policies and
        acknowledgements may be created under it); None for a role the caller brought."""
        ...

    @property
    def permissions_boundary(self) -> iam.IManagedPolicy | None:
        """The boundary applied to the execution role; roles a collaborator creates get it too."""
        ...

    @property
    def key(self) -> kms.IKey:
        """The KMS key of the function's data (environment, logs, queues a collaborator creates)."""
        ...

    @property
    def log_group(self) -> logs.ILogGroup:
        """The function's log group."""
        ...

    @property
    def failure_queue(self) -> sqs.IQueue:
        """Where asynchronous events go after every retry failed."""
        ...

    @property
    def failure_dlq(self) -> sqs.IQueue | None:
        """Dead-letter queue of the failure queue (None when the caller brought the failure queue)."""
        ...

    @property
    def function(self) -> lambda_.Function:
        """The ``AWS::Lambda::Function`` (its metrics, ARN, ``$LATEST``)."""
        ...

    @property
    def runtime(self) -> lambda_.Runtime:
        """The runtime (``FROM_IMAGE`` for container images)."""
        ...

    @property
    def family(self) -> str:
        """Runtime family: python, nodejs, java, dotnet, provided or image."""
        ...

    @property
    def handler(self) -> str:
        """The handler string (the family's default when none was given)."""
        ...

    @property
    def aliases(self) -> Mapping[str, lambda_.Alias]:
        """Aliases by name."""
        ...

    @property
    def triggers(self) -> Sequence[tuple[Trigger, lambda_.IFunction]]:
        """Triggers added so far, each with the alias or version it targets."""
        ...

    @property
    def trigger_results(self) -> Sequence[TriggerResult]:
        """What each ``add_trigger`` created, in call order."""
        ...

    @property
    def latest_version(self) -> lambda_.IVersion:
        """``$LATEST`` as a version."""
        ...

    @property
    def default_alias_name(self) -> str | None:
        """The alias triggers target when none is named (None when a release entry has no such alias:
        the function takes it from ``FunctionReleaseSet.default_alias``). Read-only to collaborators."""
        ...

    def add_alias(
        self,
        name: str,
        version: lambda_.IVersion,
        *,
        description: str | None = None,
        additional_versions: Sequence[lambda_.VersionWeight] = (),
        provisioned_concurrent_executions: int | None = None,
    ) -> lambda_.Alias:
        """Add an alias ``name`` pointing at ``version`` (construct id ``Alias<name>``)."""
        ...

    def fit_default_timeout(self, seconds: int) -> bool:
        """Lower a default timeout to ``seconds`` for a caller that waits no longer; True when changed."""
        ...


@runtime_checkable
class Trigger(Protocol):
    """A trigger. ``bind`` creates its resources under ``fn`` (or the source) targeting ``target``."""

    @property
    def kind(self) -> InvocationKind:
        """Synchronous, asynchronous or polled."""
        ...

    def bind(self, fn: FunctionView, target: lambda_.IFunction, construct_id: str) -> TriggerResult:
        """Create the trigger's resources and say what was created. ``construct_id`` is unique within
        ``fn`` and stable. (A trigger written for an older release may return None: ``add_trigger``
        then records a :class:`TriggerResult` with no resources.)"""
        ...


def is_function(value: object) -> TypeGuard[FunctionView]:
    """True when ``value``'s class declares (``FUNCTION_MARKER``) that it provides :class:`FunctionView`."""
    return getattr(type(value), FUNCTION_MARKER, False) is True
