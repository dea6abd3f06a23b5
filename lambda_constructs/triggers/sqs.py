"""Amazon SQS trigger: an event source mapping reading a queue (created, or yours)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from aws_cdk import Duration, RemovalPolicy, Stack
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_sqs as sqs
from constructs import IConstruct

from lambda_constructs._jsii_speed import create
from lambda_constructs.errors import fail, warn
from lambda_constructs.field_types import checked_fields
from lambda_constructs.role_grants import grantee
from lambda_constructs.structs import given_fields
from lambda_constructs.triggers._options import options_scope
from lambda_constructs.triggers._polled import (
    MAX_BATCH,
    SQS_MAX_BATCH_WITHOUT_WINDOW,
    SQS_MAX_VISIBILITY_SECONDS,
    SQS_RETENTION_SECONDS,
    PolledSource,
    _check_window,
    _filters,
    _mapping,
    _no_destination,
    _seconds,
)
from lambda_constructs.triggers._queues import dead_letter_queue, grant_statements
from lambda_constructs.triggers.base import InvocationKind, SourceKind, TriggerResult
from lambda_constructs.triggers.shared_dead_letter_queue import shares_key, stack_trigger_dead_letter_queue
from lambda_constructs.validation import check_range, duration_seconds, is_token, seconds

if TYPE_CHECKING:
    from lambda_constructs.contract import FunctionView


#: ``SqsTrigger.max_receive_count`` when not given.
DEFAULT_MAX_RECEIVE_COUNT = 5


@checked_fields
@dataclass(frozen=True, kw_only=True)
class SqsTrigger:
    """Poll an SQS queue (standard or FIFO). Pass ``queue`` or ``queue_props``, not both.

    When the trigger creates the queue it is KMS-encrypted (the function's key unless
    ``encryption_key``), TLS-only, retained, redriven after ``max_receive_count`` receives to a
    dead-letter queue, with a visibility timeout of 6 × the function timeout + the batching window.
    The dead-letter queue is, by default, the one the trigger queues of the stack share
    (``LambdaConstructsTriggerDeadLetterQueue``, ``…Fifo`` for FIFO queues, see
    :mod:`~lambda_constructs.triggers.shared_dead_letter_queue`), or the trigger's own
    (``DeadLetterQueue`` under the trigger) with ``dead_letter_queue_per_trigger``, an
    ``encryption_key``, or a function with a key of its own. When ``queue_props`` sets a
    ``dead_letter_queue``, that redrive is used as given and no dead-letter queue is created; the result's
    ``dead_letter_queue`` is then your queue.
    """

    queue: sqs.IQueue | None = None
    """An existing queue, used as it is (its encryption and redrive are its own): ``encryption_key``,
    ``dead_letter_queue_per_trigger`` and a ``max_receive_count`` other than 5 are then rejected. Default: None
    (a queue is created)."""
    queue_props: sqs.QueueProps | None = None
    """Overrides for the created queue. Default: None (the defaults above). The queue is FIFO when aws-cdk-lib
    makes it one: ``fifo=True``, or (``fifo`` not given) a literal ``queue_name`` ending in ``.fifo``,
    ``content_based_deduplication=True``, a ``deduplication_scope`` or a ``fifo_throughput_limit``. A
    ``visibility_timeout`` below 6 × function timeout + batching window is rejected, and so are
    ``encryption_master_key`` (pass ``encryption_key``) and an ``encryption`` other than ``KMS`` (the queue is
    always encrypted with a KMS key)."""
    encryption_key: kms.IKey | None = None
    """Key of the created queue and of a dead-letter queue of the trigger's own (given, the trigger gets one).
    Default: the function's key. Rejected with ``queue``."""
    max_receive_count: int = DEFAULT_MAX_RECEIVE_COUNT
    """Receives before a message moves to the dead-letter queue, 1–1000. Default: 5. Ignored when
    ``queue_props`` sets a ``dead_letter_queue``: its ``max_receive_count`` applies. A value other than 5 is
    rejected with ``queue``."""
    dead_letter_queue_per_trigger: bool = False
    """Give the created queue a dead-letter queue of its own (``DeadLetterQueue`` under the trigger: an
    ``AWS::SQS::Queue`` and its ``AWS::SQS::QueuePolicy``), the only design before issue #21 — see CHANGELOG
    "Migration". Default: False — when the queue is encrypted with the key the stack's functions share (no
    ``encryption_key``, a function without a key of its own), it redrives to the stack's shared trigger
    dead-letter queue (``LambdaConstructsTriggerDeadLetterQueue``, or ``LambdaConstructsTriggerDeadLetterQueueFifo``
    for a FIFO queue; encrypted with that key, TLS-only, 14 days, retained): SQS keeps each moved message's
    source queue (message system attribute ``DeadLetterQueueSourceArn``) and a dead-letter-queue redrive
    returns the messages to their source queues, so one queue loses nothing. Rejected (True) with ``queue``
    or with a ``queue_props`` that sets a ``dead_letter_queue`` (that queue is used). A function's ``failure_queue_per_function`` does not set
    it: that option is about attributing asynchronous failure records by IAM, which SQS's own moves to a
    dead-letter queue do not need."""
    batch_size: int = 10
    """Records per batch: 1–10; up to 10,000 for standard queues with a batching window. Default: 10."""
    max_batching_window: Duration | None = None
    """Wait up to this long to fill a batch, 0–300 s; not allowed on FIFO queues. Default: none."""
    max_concurrency: int | None = None
    """Maximum concurrent invocations from this queue, 2–1000. Default: unlimited."""
    filters: Sequence[Mapping[str, Any] | str] = ()
    """Event filter patterns (JSON objects, their JSON text, or ``lambda_.FilterCriteria.filter(...)``), at most 5.
    Default: none (every message)."""
    report_batch_item_failures: bool = True
    """Let the handler return ``batchItemFailures``. Default: True."""
    enabled: bool = True
    """Default: True."""

    @property
    def kind(self) -> InvocationKind:
        """Always ``InvocationKind.POLLED`` (Lambda polls the queue)."""
        return InvocationKind.POLLED

    def __post_init__(self) -> None:
        """Check the options (not the visibility timeout, which depends on the function's timeout).

        Raises:
            LambdaConstructsError: both ``queue`` and ``queue_props``; with ``queue``, an option that only
                applies to a queue the trigger creates (``dead_letter_queue_per_trigger``, ``encryption_key``,
                a ``max_receive_count`` other than 5); ``queue_props`` setting ``encryption_master_key``, an
                ``encryption`` other than KMS, or a ``dead_letter_queue`` with ``dead_letter_queue_per_trigger``;
                a batch size, batching window, concurrency or receive count out of range, or an invalid filter.
        """
        scope = options_scope(self)
        if self.queue is not None and self.queue_props is not None:
            raise fail(
                scope,
                "pass either queue (an existing queue) or queue_props (to create one), not both",
                value="queue + queue_props",
                fix="drop one of them",
            )
        if self.queue is not None:
            _check_existing_queue_options(scope, self)
        elif self.queue_props is not None:
            _check_queue_props(scope, self)
        self._validate(scope, self._fifo())
        _filters(scope, self.filters)

    def _fifo(self) -> bool | None:
        """Whether the queue is FIFO; None when unknown at synth (an imported queue, ARN and name tokens).

        A created queue is FIFO exactly when aws-cdk-lib's ``Queue`` makes it one (:func:`_props_fifo`).
        """
        if self.queue is not None:
            return _is_fifo(self.queue)
        return _props_fifo(self.queue_props) if self.queue_props is not None else False

    def bind(self, fn: FunctionView, target: lambda_.IFunction, construct_id: str) -> TriggerResult:
        """Create the SQS event source mapping on ``target`` (see the class docstring)."""
        source = PolledSource(fn.construct, construct_id)
        fifo = self._fifo()
        window = _seconds(self.max_batching_window)
        if self.queue_props is not None and _name_undecided(self.queue_props):
            warn(
                source,
                "queueNameFifoUnknown",
                f"the queue name is a token ending in a token, so aws-cdk-lib creates a standard queue (it infers FIFO "
                f"from a literal name only) and the trigger redrives it to a standard dead-letter queue; a standard "
                f"queue's name takes no '.' and a FIFO queue's name must end in '.fifo' ({SQS_CREATE_QUEUE_URL}), "
                f"so a name that resolves to '….fifo' fails to deploy",
            )
        if fifo is None and (window or self.batch_size > SQS_MAX_BATCH_WITHOUT_WINDOW):
            warn(
                source,
                "queueFifoUnknown",
                f"whether the queue is FIFO is unknown at synth (an imported queue whose ARN and name are tokens); "
                f"a FIFO queue takes no batching window and at most {SQS_MAX_BATCH_WITHOUT_WINDOW} messages per "
                f"batch ({SQS_PARAMETERS_URL}), so this mapping (batching window {window or 0:g} s, batch size "
                f"{self.batch_size}) fails to deploy if it is one",
            )
        required = 6 * (duration_seconds(fn.props.timeout) or 0) + (window or 0)
        if self.queue is not None:
            queue: sqs.IQueue = self.queue
            self._check_visibility(source, _visibility_seconds(queue), required, fn)
            key = queue.encryption_master_key
        else:
            queue, visibility = self._create(source, fn, bool(fifo), required)
            self._check_visibility(source, visibility, required, fn)
            key = self.encryption_key or fn.key
        queue_arn = queue.queue_arn
        statements = [
            create(
                iam.PolicyStatement,
                iam.PolicyStatementProps,
                actions=[
                    "sqs:ReceiveMessage",
                    "sqs:DeleteMessage",
                    "sqs:GetQueueAttributes",
                    "sqs:ChangeMessageVisibility",
                ],
                resources=[queue_arn],
            )
        ]
        if key is not None and key is not fn.key:  # kms:Decrypt on its own key is a default grant
            statements.append(iam.PolicyStatement(actions=["kms:Decrypt"], resources=[key.key_arn]))
        grant_statements(grantee(fn), *statements)
        mapping = _mapping(
            source,
            fn,
            target,
            event_source_arn=queue_arn,
            batch_size=self.batch_size,
            maximum_batching_window_in_seconds=int(window) if window is not None else None,
            function_response_types=["ReportBatchItemFailures"] if self.report_batch_item_failures else None,
            filter_criteria=_filters(source, self.filters),
            scaling_config={"maximumConcurrency": self.max_concurrency} if self.max_concurrency else None,
            enabled=self.enabled,
        )
        _no_destination(mapping, source._mapping_node)
        return source.result(self, source=SourceKind.QUEUE)

    def _validate(self, source: IConstruct, fifo: bool | None) -> float | None:
        window = _check_window(source, self.max_batching_window)
        if fifo and window:
            raise fail(
                source,
                "a batching window is not supported for FIFO queues",
                value=self.max_batching_window and f"{window:g} seconds",
                fix="remove max_batching_window or use a standard queue",
            )
        high = MAX_BATCH if (window or 0) >= 1 else SQS_MAX_BATCH_WITHOUT_WINDOW
        if fifo:
            check_range(source, "batch_size (FIFO queue)", self.batch_size, 1, SQS_MAX_BATCH_WITHOUT_WINDOW)
        elif self.batch_size > MAX_BATCH:  # above the limit with any window: say that limit, not "add a window"
            check_range(source, "batch_size", self.batch_size, 1, MAX_BATCH)
        elif high == SQS_MAX_BATCH_WITHOUT_WINDOW and self.batch_size > high:
            raise fail(
                source,
                f"batch_size above {high} needs a batching window of at least 1 second",
                value=self.batch_size,
                fix=f"set max_batching_window=Duration.seconds(1) or more, or batch_size in [1, {high}]",
            )
        else:
            check_range(source, "batch_size", self.batch_size, 1, high)
        if self.max_concurrency is not None:
            check_range(source, "max_concurrency", self.max_concurrency, 2, 1000)
        check_range(source, "max_receive_count", self.max_receive_count, 1, 1000)
        return window

    def _create(
        self, source: PolledSource, fn: FunctionView, fifo: bool, required: float
    ) -> tuple[sqs.Queue, float | None]:
        """The queue and its visibility timeout in seconds (None when it is a token)."""
        key = self.encryption_key or fn.key
        overrides = given_fields(self.queue_props) if self.queue_props is not None else {}
        yours: sqs.DeadLetterQueue | None = overrides.get("dead_letter_queue")
        if yours is not None:
            # Your redrive: no dead-letter queue is created (nothing would use it); monitoring sees yours.
            source.dead_letter_queue = yours.queue
        else:
            queue = self._dead_letter_queue(source, fn, key, fifo)
            source.dead_letter_queue = queue
            overrides = {
                "dead_letter_queue": sqs.DeadLetterQueue(max_receive_count=self.max_receive_count, queue=queue),
                **overrides,
            }
        settings: dict[str, Any] = {
            "visibility_timeout": seconds(min(SQS_MAX_VISIBILITY_SECONDS, int(required + 0.999))),
            "retention_period": seconds(SQS_RETENTION_SECONDS),
            "removal_policy": RemovalPolicy.RETAIN,
            **overrides,
            # Security settings the library does not let props weaken:
            "encryption": sqs.QueueEncryption.KMS,
            "encryption_master_key": key,
            "enforce_ssl": True,
        }
        source.queue = create(sqs.Queue, sqs.QueueProps, source, "Queue", **settings)  # see _jsii_speed
        return source.queue, duration_seconds(settings["visibility_timeout"])

    def _dead_letter_queue(self, source: PolledSource, fn: FunctionView, key: kms.IKey, fifo: bool) -> sqs.Queue:
        """The stack's shared trigger dead-letter queue of the queue's type, or one of the trigger's own
        (``DeadLetterQueue`` under ``source``, the path it always had) - see ``dead_letter_queue_per_trigger``.
        Not called when ``queue_props`` sets a ``dead_letter_queue``.
        """
        if not (self.dead_letter_queue_per_trigger or self.encryption_key is not None):
            stack = _stack_of(fn)
            if shares_key(stack, key):
                return stack_trigger_dead_letter_queue(stack, fifo=fifo).queue
        return dead_letter_queue(source, "DeadLetterQueue", key, fifo=fifo)

    def _check_visibility(
        self, source: PolledSource, visibility: float | None, required: float, fn: FunctionView
    ) -> None:
        if required > SQS_MAX_VISIBILITY_SECONDS and visibility is not None:
            raise fail(
                source,
                f"6 × function timeout + batching window is {required:g} s, above SQS's {SQS_MAX_VISIBILITY_SECONDS} s",
                value=required,
                fix="lower the function timeout or the batching window",
            )
        if visibility is None:
            warn(
                source,
                "queueVisibilityUnknown",
                f"the queue's visibility timeout is unknown at synth (an imported queue or a token); Lambda needs "
                f"at least 6 × the function timeout + the batching window = {required:g} s, or messages are "
                f"received again while a batch is still running",
            )
            return
        if visibility < required:
            timeout = duration_seconds(fn.props.timeout)
            raise fail(
                source,
                f"the queue's visibility timeout ({visibility:g} s) is below 6 × the function timeout "
                f"({timeout:g} s) + the batching window = {required:g} s",
                value=visibility,
                fix=f"set visibility_timeout to at least Duration.seconds({int(required + 0.999)})",
            )


#: Lambda's SQS parameters: "For FIFO queues, the maximum [BatchSize] is 10", "Batching window is not
#: supported for FIFO queues".
SQS_PARAMETERS_URL = "https://docs.aws.amazon.com/lambda/latest/dg/services-sqs-parameters.html"


#: SQS CreateQueue ``QueueName``: "Valid values: alphanumeric characters, hyphens (-), and underscores (_)",
#: "A FIFO queue name must end with the .fifo suffix" (botocore sqs/2012-11-05 service-2.json).
SQS_CREATE_QUEUE_URL = "https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_CreateQueue.html"


def _props_fifo(props: sqs.QueueProps) -> bool:
    """Whether aws-cdk-lib's ``Queue`` creates a FIFO queue from ``props``: its ``determineFifoProps``.

    aws-cdk-lib 2.275.0 ``aws-sqs/lib/queue.js``: ``let fifoQueue = props.fifo``; when that is undefined a
    queue name that is not an unresolved token and ends in ``.fifo`` makes it true
    (``!Token.isUnresolved(queueName) && queueName.endsWith(".fifo")``), then, each only while it is still
    undefined, a truthy ``contentBasedDeduplication``, ``deduplicationScope`` or ``fifoThroughputLimit``
    (the three FIFO-only settings). So an explicit ``fifo`` always wins (``fifo=False`` with one of those
    aws-cdk-lib rejects), and a token name never makes a queue FIFO. Every read is of the Python struct:
    no jsii round trip.
    """
    if props.fifo is not None:
        return bool(props.fifo)
    name = props.queue_name
    if name is not None and not is_token(name) and name.endswith(".fifo"):
        return True
    return bool(
        props.content_based_deduplication
        or props.deduplication_scope is not None
        or props.fifo_throughput_limit is not None
    )


def _name_undecided(props: sqs.QueueProps) -> bool:
    """``props`` leave the queue type to aws-cdk-lib's default (standard) while the name is a token whose
    literal part cannot tell whether it ends in ``.fifo`` (the string ends in a token)."""
    name = props.queue_name
    return name is not None and is_token(name) and name.endswith("]}") and props.fifo is None and not _props_fifo(props)


def _check_existing_queue_options(scope: IConstruct, trigger: SqsTrigger) -> None:
    """Options that only apply to a queue the trigger creates must not be set with ``queue``."""
    given = [
        (name, value)
        for name, value, unset in (
            ("dead_letter_queue_per_trigger", trigger.dead_letter_queue_per_trigger, False),
            ("encryption_key", trigger.encryption_key, None),
            ("max_receive_count", trigger.max_receive_count, DEFAULT_MAX_RECEIVE_COUNT),
        )
        if value != unset
    ]
    if given:
        names = ", ".join(name for name, _ in given)
        raise fail(
            scope,
            f"{names} only {'applies' if len(given) == 1 else 'apply'} to a queue the trigger creates; with queue "
            f"(an existing queue) {'it' if len(given) == 1 else 'they'} would be ignored: its encryption and redrive "
            "are the queue's own",
            value=", ".join(f"{name}={'<key>' if name == 'encryption_key' else value}" for name, value in given),
            fix=f"drop {names}, or pass queue_props (the trigger creates the queue) instead of queue",
        )


def _check_queue_props(scope: IConstruct, trigger: SqsTrigger) -> None:
    """``queue_props`` must not set what the trigger would replace (its key, its encryption) or contradict
    ``dead_letter_queue_per_trigger``."""
    props = trigger.queue_props
    assert props is not None
    if props.encryption_master_key is not None:
        raise fail(
            scope,
            "queue_props.encryption_master_key is not used: the trigger's queue is encrypted with the "
            "trigger's encryption_key (default: the function's key)",
            value="queue_props.encryption_master_key",
            fix="pass SqsTrigger(encryption_key=...) instead, which also gives the trigger a dead-letter queue of "
            "its own encrypted with that key",
        )
    if props.encryption is not None and props.encryption != sqs.QueueEncryption.KMS:
        raise fail(
            scope,
            "queue_props.encryption is not used: the trigger's queues are KMS-encrypted with a customer managed key",
            value=f"queue_props.encryption={props.encryption}",
            fix="drop queue_props.encryption (pass encryption_key=... to choose the key)",
        )
    if props.dead_letter_queue is not None and trigger.dead_letter_queue_per_trigger:
        raise fail(
            scope,
            "dead_letter_queue_per_trigger has no effect when queue_props sets a dead_letter_queue: the queue "
            "redrives to yours and no dead-letter queue is created",
            value="dead_letter_queue_per_trigger=True + queue_props.dead_letter_queue",
            fix="drop dead_letter_queue_per_trigger, or drop queue_props.dead_letter_queue",
        )


def _is_fifo(queue: sqs.IQueue) -> bool | None:
    """Whether ``queue`` is a FIFO queue; None when unknown at synth (imported, its ARN and name tokens).

    aws-cdk-lib's ``fifo`` of a queue imported by a token ARN is ``False`` unless ``fifo=True`` was given;
    a FIFO queue's name ends in ``.fifo`` (CreateQueue ``QueueName``), so a literal name decides.
    """
    if queue.fifo:
        return True
    if isinstance(queue, sqs.Queue):
        return False  # created in this app: its fifo prop
    name = queue.queue_name
    return None if is_token(name) else name.endswith(".fifo")


def _stack_of(fn: FunctionView) -> Stack:
    """The function's stack: a SecureFunction's ``stack`` (read once per function), else ``Stack.of``."""
    stack = getattr(fn, "stack", None)
    return stack if isinstance(stack, Stack) else Stack.of(fn.construct)


#: SQS's visibility timeout when the queue sets none: 30 s ("VisibilityTimeout … Default: 30",
#: https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_CreateQueue.html).
SQS_DEFAULT_VISIBILITY_SECONDS = 30


def _visibility_seconds(queue: sqs.IQueue) -> float | None:
    """The visibility timeout of a queue defined in this app (SQS's 30 s default when it sets none).

    None when unknown at synth: an imported queue or a token.
    """
    cfn = queue.node.default_child if isinstance(queue, sqs.Queue) else None
    if not isinstance(cfn, sqs.CfnQueue):
        return None
    visibility = cfn.visibility_timeout
    if visibility is None:
        return float(SQS_DEFAULT_VISIBILITY_SECONDS)
    return float(visibility) if isinstance(visibility, int | float) and not is_token(visibility) else None
