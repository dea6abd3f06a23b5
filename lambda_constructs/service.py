"""LambdaService: hundreds of SecureFunctions declared in one place, sharded over nested stacks.

CloudFormation caps a template at 500 resources and 1 MB. A service spreads its functions over
nested stacks ("shards") so that each template stays under a budget (default 400 resources /
800 KB). Placement is a pure function of the function id: ``sha256(id) mod shards`` unless the
function is pinned with ``shard=``. Adding or removing a function therefore never moves another one
to a different stack (which would replace it). Shared resources (the KMS key, and whatever
layers / topics / VPCs you create in the parent and pass in the props) live in the parent stack and
reach the shards as nested-stack parameters (see :meth:`LambdaService.cross_stack_references`).
"""

from __future__ import annotations

import dataclasses
import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from aws_cdk import CfnResource, Duration, NestedStack, RemovalPolicy, Stack
from aws_cdk import aws_kms as kms
from aws_cdk import aws_sqs as sqs
from constructs import Construct, IConstruct

from lambda_constructs.compliance import LIBRARY_ACKNOWLEDGEMENTS, AcknowledgementKey, acknowledge_rule
from lambda_constructs.enums import AlarmSet
from lambda_constructs.errors import fail
from lambda_constructs.field_types import checked_fields
from lambda_constructs.function import SecureFunction, SecureFunctionProps
from lambda_constructs.keys import new_key, share_key
from lambda_constructs.parallel import Worker, worker_of
from lambda_constructs.roles import shared_tracing_policy_of

# Checks of synthesized templates (their own module since issue #20), still exported from here.
from lambda_constructs.template_limits import TemplateUsage as TemplateUsage
from lambda_constructs.template_limits import check_template_limits as check_template_limits
from lambda_constructs.template_limits import template_usage as template_usage
from lambda_constructs.triggers.shared_dead_letter_queue import shared_trigger_dead_letter_queues

if TYPE_CHECKING:
    from aws_cdk import aws_cloudwatch as cw

    from lambda_constructs.monitoring import ServiceMonitoring, ServiceMonitoringProps

#: Most resources ServiceMonitoring adds per function with the compact alarm set: Errors, Throttles,
#: FailureQueueDepth (with ``failure_queue_per_function``), Concurrency, IteratorAge alarms and the ErrorLogs
#: metric filter.
MONITORING_RESERVE = 6
#: Resources ServiceMonitoring adds once per shard: the four saved Logs Insights queries.
MONITORING_SHARD_RESERVE = 4
#: CloudFormation's hard limits per template.
CFN_MAX_RESOURCES = 500
CFN_MAX_TEMPLATE_BYTES = 1_000_000
#: Every SecureFunction id in a service becomes a construct id: keep it readable and path-safe.
_MAX_ID_LENGTH = 64


@checked_fields
@dataclass(frozen=True, kw_only=True)
class LambdaServiceProps:
    """Properties of a :class:`LambdaService`. Every field states its default."""

    shards: int = 16
    """Number of nested stacks functions are hashed into (1–200). Fixed for the life of the service:
    changing it moves functions (replaces them). Size it once: ``shards >= 2 × functions × cost /
    max_resources`` (cost ≈ 15 resources for a function with three aliases and an ``SqsTrigger``, using the
    shared key and failure queue, its queue redriven to the shard's shared trigger dead-letter queue: 2
    resources once per shard; ≈ 19 with ``failure_queue_per_function``, ≈ 17 / 21 with
    ``SqsTrigger(dead_letter_queue_per_trigger=True)``; plus one X-Ray policy per shard, shared by its
    functions). Only shards that hold a function are created. Default: 16 (≈ 150 such functions)."""
    max_resources: int = 400
    """Resource budget per nested template (CloudFormation allows 500). Default: 400."""
    max_template_bytes: int = 800_000
    """Size budget per nested template, checked after synthesis by :func:`check_template_limits`
    (CloudFormation allows 1 MB). Default: 800 000 bytes."""
    monitored: bool = False
    """Keep room in every shard for :meth:`LambdaService.monitor`: :data:`MONITORING_RESERVE` resources
    per function (its compact alarms, metric filter …), :data:`MONITORING_SHARD_RESERVE` per shard
    (saved queries) and 1 per shared SQS-trigger dead-letter queue of a shard (its depth alarm) count against
    ``max_resources`` as functions are added. Default: False (then
    ``monitor`` fails with this fix when a shard has no room)."""
    encryption_key: kms.IKey | None = None
    """Key used by every function that does not set its own ``encryption_key``. Default: one key
    (rotation on, retained, usable by CloudWatch Logs of this account and region) created in the
    parent stack and shared, instead of a key per function."""
    failure_queue_per_function: bool = False
    """Give every function its own failure queue and redrive queue (4 resources and, once monitored, one
    alarm metric per function), the design before issue #21. Default: False — one failure queue for the
    whole service (``failure_queue``: in the parent stack, encrypted with ``encryption_key`` or the shared
    key, TLS-only, 14 days, redriven after 5 receives to its own queue ``failure_dlq``) receives the failed
    asynchronous events of every function that does not set its own ``failure_queue``. Each message is
    Lambda's invocation record, whose ``requestContext.functionArn`` names the function and the alias or
    version that failed (https://docs.aws.amazon.com/lambda/latest/dg/invocation-async-retain-records.html),
    so :meth:`LambdaService.monitor` alarms on the queue once ($0.10/month) instead of once per function."""


@dataclass(frozen=True)
class Placement:
    """Where a function lives: its shard index, the shard's construct id and the function's resource count."""

    function_id: str
    """The id given to ``add_function``."""
    shard: int
    """The shard index (0 ≤ shard < ``shards``)."""
    shard_id: str
    """The nested stack's construct id, e.g. ``Shard007``."""
    resources: int
    """CloudFormation resources under the function when it was added (0 when not built here)."""
    built: bool = True
    """False when another worker of a parallel synthesis builds the function (``declare_function``
    in a worker that does not own the shard; see :mod:`lambda_constructs.parallel`). Default: True."""


@dataclass(frozen=True)
class CrossStackReference:
    """A value of the parent stack a shard receives as a nested-stack parameter."""

    shard_id: str
    """The consuming shard's construct id."""
    producer_path: str
    """Construct path of the parent-stack resource."""
    attribute: str
    """The referenced attribute (e.g. ``Arn``)."""


def _shard_id(index: int) -> str:
    return f"Shard{index:03d}"


def home_shard(function_id: str, shards: int) -> int:
    """The shard a function id hashes to: stable across runs, platforms and declaration order."""
    digest = hashlib.sha256(function_id.encode("utf-8")).digest()
    return int.from_bytes(digest[:8], "big") % shards


def count_resources(scope: IConstruct) -> int:
    """CloudFormation resources under ``scope`` (one jsii call: ``find_all`` + local type checks)."""
    return sum(1 for child in scope.node.find_all() if isinstance(child, CfnResource))


#: CDK's per-stack resource limit context (``STACK_RESOURCE_LIMIT_CONTEXT``): synthesis fails with the
#: stack's path and count when a stack has more resources. Set per shard to the service's budget.
STACK_RESOURCE_LIMIT_CONTEXT = "@aws-cdk/core:stackResourceLimit"


class LambdaService(Construct):
    """Many :class:`SecureFunction` s in one place, sharded over nested stacks. See :class:`LambdaServiceProps`.

    Attributes:
        key: the key shared by functions that do not bring their own.
        failure_queue: the failure queue shared by functions that do not bring their own (None with
            ``failure_queue_per_function``).
        failure_dlq: its redrive queue (None with ``failure_queue_per_function``).
        failure_queue_alarms: the alarms :meth:`monitor` put on them, by construct id (empty before).
        functions: the functions built in this process, by id, in declaration order (in a parallel
            synthesis, only those of the shards this worker owns).
        shard_stacks: the nested stacks created so far, by shard index.
    """

    def __init__(self, scope: Construct, construct_id: str, props: LambdaServiceProps | None = None) -> None:
        super().__init__(scope, construct_id)
        self.props = props = props or LambdaServiceProps()
        if not 1 <= props.shards <= 200:
            raise fail(self, "shards must be between 1 and 200", value=props.shards, fix="set shards in [1, 200]")
        if not 1 <= props.max_resources <= CFN_MAX_RESOURCES:
            raise fail(
                self,
                f"max_resources must be between 1 and {CFN_MAX_RESOURCES}",
                value=props.max_resources,
                fix="keep a safety margin below CloudFormation's 500, e.g. 400",
            )
        if not 1 <= props.max_template_bytes <= CFN_MAX_TEMPLATE_BYTES:
            raise fail(
                self,
                f"max_template_bytes must be between 1 and {CFN_MAX_TEMPLATE_BYTES}",
                value=props.max_template_bytes,
                fix="keep a safety margin below CloudFormation's 1 MB, e.g. 800_000",
            )
        self.key: kms.IKey = props.encryption_key or self._new_shared_key()
        self.failure_dlq: sqs.Queue | None = None
        self.failure_queue: sqs.Queue | None = None if props.failure_queue_per_function else self._new_failure_queue()
        self.failure_queue_alarms: dict[str, cw.Alarm] = {}
        self.functions: dict[str, SecureFunction] = {}
        self.shard_stacks: dict[int, NestedStack] = {}
        self._placements: dict[str, Placement] = {}
        self._shard_resources: dict[int, int] = {}
        self._counted_shared: set[int] = set()
        """``id`` of the shard-shared resources (trigger dead-letter queues, X-Ray policies) already counted in
        ``_shard_resources``."""
        self._held: set[int] = set()
        self._reserve = MONITORING_RESERVE if props.monitored else 0
        self.worker: Worker | None = worker_of(self)
        """This process's part of a parallel synthesis, None when the app is synthesized in one process."""

    # ----------------------------------------------------------------------------------- API

    def add_function(
        self,
        function_id: str,
        props: SecureFunctionProps,
        *,
        shard: int | None = None,
        configure: Callable[[SecureFunction], None] | None = None,
    ) -> SecureFunction:
        """Declare a function (construct id ``function_id`` in its shard) and return it.

        ``shard`` pins it to a shard (default: its hash, see :func:`home_shard`). ``configure`` runs
        right after creation (add aliases and triggers there) so that the function's full resource
        count is checked against the shard budget at once. Aliases, triggers and endpoints added later
        with the function's methods are re-checked when added; anything else added under it fails
        synthesis if its shard exceeds the budget (CDK's per-stack resource limit, set per shard).
        ``props.encryption_key`` defaults to the service's shared key, ``props.failure_queue`` to the
        service's failure queue (unless ``failure_queue_per_function``, of the service or of ``props``: the
        function then gets its own pair, encrypted with its key).

        In a parallel synthesis only the worker owning the shard can return the function; use
        :meth:`declare_function` there.
        """
        index = self._place(function_id, shard)
        if self.worker is not None and not self.worker.owns(index):
            raise fail(
                self,
                f"function {function_id} is in shard {index}, which worker {self.worker} of a parallel "
                "synthesis does not build, so add_function cannot return it",
                value=function_id,
                fix="declare it with declare_function(id, props, configure=...) (no handle returned), "
                "or synthesize in one process",
            )
        return self._build(function_id, index, props, configure)

    def declare_function(
        self,
        function_id: str,
        props: SecureFunctionProps,
        *,
        shard: int | None = None,
        configure: Callable[[SecureFunction], None] | None = None,
    ) -> Placement:
        """Declare a function without taking a handle to it; return its :class:`Placement`.

        The same as :meth:`add_function` (same id rules, placement, ``configure`` and budget checks),
        except that in a worker of a parallel synthesis (:mod:`lambda_constructs.parallel`) a function
        whose shard another worker owns is not built: its placement has ``built=False`` and
        ``configure`` is not called. Put everything the function needs in ``configure``.
        """
        index = self._place(function_id, shard)
        if self.worker is not None and not self.worker.owns(index):
            self._hold_place(index)
            placement = Placement(function_id, index, _shard_id(index), 0, built=False)
            self._placements[function_id] = placement
            return placement
        self._build(function_id, index, props, configure)
        return self._placements[function_id]

    def placement(self, function_id: str) -> Placement:
        """Where ``function_id`` was placed."""
        if function_id not in self._placements:
            raise fail(self, f"no function {function_id!r} in this service", value=function_id, fix="add it first")
        return self._placements[function_id]

    def placements(self) -> list[Placement]:
        """Every function's placement, in declaration order (in a worker of a parallel synthesis also
        those built by other workers, with ``built=False``)."""
        return list(self._placements.values())

    def shard_resources(self) -> dict[int, int]:
        """Resources counted per shard at ``add_function`` time: its functions' and the shard's shared trigger
        dead-letter queues and X-Ray policy (shared parent resources excluded)."""
        return dict(sorted(self._shard_resources.items()))

    def cross_stack_references(self) -> list[CrossStackReference]:
        """Parent → shard references (nested-stack parameters) created by the service itself.

        The shared key's ARN, once per shard that holds a function using it, and the shared failure
        queue's ARN, once per shard that holds a function sending to it. Values of other parent
        constructs you pass in the props (layers, topics, a VPC) become parameters too. In a worker of a
        parallel synthesis: the shards built by this worker.
        """
        refs: list[CrossStackReference] = []
        here = Stack.of(self)
        if isinstance(self.key, Construct) and Stack.of(self.key) is here:
            users = {self._placements[i].shard_id for i, fn in self.functions.items() if fn.key is self.key}
            refs += [CrossStackReference(shard_id, self.key.node.path, "Arn") for shard_id in users]
        queue = self.failure_queue
        if queue is not None:
            users = {self._placements[i].shard_id for i, fn in self.functions.items() if fn.failure_queue is queue}
            refs += [CrossStackReference(shard_id, queue.node.path, "Arn") for shard_id in users]
        return sorted(refs, key=lambda r: (r.shard_id, r.producer_path))

    # ------------------------------------------------------------------------------ internals

    def _place(self, function_id: str, shard: int | None) -> int:
        """Check the id and the pin; return the function's shard index."""
        self._check_id(function_id)
        index = home_shard(function_id, self.props.shards) if shard is None else shard
        if not 0 <= index < self.props.shards:
            raise fail(
                self,
                f"shard of {function_id} must be between 0 and {self.props.shards - 1}",
                value=shard,
                fix="pin to an existing shard index, or omit shard= to place by hash",
            )
        return index

    def _build(
        self,
        function_id: str,
        index: int,
        props: SecureFunctionProps,
        configure: Callable[[SecureFunction], None] | None,
    ) -> SecureFunction:
        stack = self._shard(index)
        # A function that asks for its own failure queue pair (failure_queue_per_function=True) keeps it: the
        # service's queue is only the default of the functions that did not choose.
        shared_queue = None if props.failure_queue_per_function else self.failure_queue
        if props.encryption_key is None or (props.failure_queue is None and shared_queue is not None):
            props = dataclasses.replace(
                props,
                encryption_key=self.key if props.encryption_key is None else props.encryption_key,
                failure_queue=shared_queue if props.failure_queue is None else props.failure_queue,
            )
        fn = SecureFunction(stack, function_id, props)
        if configure is not None:
            configure(fn)
        cost = count_resources(fn) + self._reserve
        shared = self._new_shared_resources(index)
        self._check_budget(fn, function_id, index, cost, shared=shared)
        self._shard_resources[index] = self._shard_resources.get(index, 0) + cost + shared
        self.functions[function_id] = fn
        self._placements[function_id] = Placement(function_id, index, _shard_id(index), cost)
        fn.on_resources_added = lambda changed: self._recount(function_id, changed)
        return fn

    def monitor(
        self, construct_id: str = "Monitoring", props: ServiceMonitoringProps | None = None
    ) -> ServiceMonitoring:
        """Monitor every function built here: alarms in each function's shard, one topic for the service.

        Returns the service-level :class:`~lambda_constructs.monitoring.ServiceMonitoring` (construct id
        ``construct_id`` under the service: the alarm topic and, when ``props.dashboard``, a dashboard of
        the functions' metrics; the topic is encrypted with the service's key unless ``props`` names a
        topic or a topic key). Each shard gets a ``ServiceMonitoring`` with the same id holding its
        functions' alarms (``props.alarm_set``, compact by default), metric filters and saved queries,
        sending to that topic (a nested-stack parameter). Call it once, after every function. Default
        ``props``: :class:`ServiceMonitoringProps` () without a dashboard (one dashboard holds at most
        500 widgets: about 60 functions).

        The service's shared failure queue is alarmed once, on the returned construct
        (``FailureQueueDepth``; with ``alarm_set="full"`` also ``FailureDeadLetterQueueDepth``, see
        :attr:`failure_queue_alarms`), instead of once per function: with the compact set a function then
        costs 2 billed alarm metrics (``Errors``, ``Throttles``), $0.20/month. Each shard's shared SQS-trigger
        dead-letter queue (one per queue type) is alarmed once, by the shard's ``ServiceMonitoring``
        (``TriggerDeadLetterQueueDepth``, with either alarm set; listed in ``props.exclude_queues``, not at all).

        Raises:
            LambdaConstructsError: a shard would exceed ``max_resources`` (fix: ``monitored=True``; with it,
                which keeps room for the compact set only, the compact set, a higher ``max_resources`` or more
                shards).
        """
        from lambda_constructs.monitoring import ServiceMonitoring, ServiceMonitoringProps
        from lambda_constructs.monitoring.shared_queue import shared_trigger_dead_letter_queue_widget

        props = props or ServiceMonitoringProps(dashboard=False)
        if props.alarm_topic is None and props.alarm_topic_key is None:
            props = dataclasses.replace(props, alarm_topic_key=self.key)  # no second key ($1.00/month)
        top = ServiceMonitoring(self, construct_id, dataclasses.replace(props, functions=()))
        shared = self._alarm_failure_queue(top, props)
        shard_props = dataclasses.replace(
            props, alarm_topic=top.alarm_topic, dashboard=False, exclude_queues=(*props.exclude_queues, *shared)
        )
        for index, stack in self.shard_stacks.items():
            fns = [fn for fid, fn in self.functions.items() if self._placements[fid].shard == index]
            if not fns:
                continue
            monitoring = ServiceMonitoring(stack, construct_id, dataclasses.replace(shard_props, functions=fns))
            used = count_resources(stack)
            if used > self.props.max_resources:
                raise fail(
                    monitoring,
                    f"monitoring takes shard {index} to {used} resources, over the budget of "
                    f"{self.props.max_resources}",
                    value=used,
                    fix=(
                        "declare the service with LambdaServiceProps(monitored=True), which keeps room for it"
                        if not self.props.monitored
                        else f"monitored=True keeps room for the compact alarm set ({MONITORING_RESERVE} resources "
                        f"per function); with alarm_set={getattr(props.alarm_set, 'value', props.alarm_set)!r} use the compact set, raise "
                        "max_resources (at most 500) or, for a new service, declare more shards"
                    ),
                )
            if top.dashboard is not None:
                for fm in monitoring.functions.values():
                    widgets = fm.widgets()
                    top.dashboard.add_widgets(widgets[0])
                    top.dashboard.add_widgets(*widgets[1:])
                for dlq in monitoring.shared_trigger_dead_letter_queues:
                    top.dashboard.add_widgets(
                        shared_trigger_dead_letter_queue_widget(dlq, period=props.thresholds.period)
                    )
        return top

    def _check_id(self, function_id: str) -> None:
        if not function_id or len(function_id) > _MAX_ID_LENGTH or "/" in function_id:
            raise fail(
                self,
                f"function id must be 1–{_MAX_ID_LENGTH} characters without '/'",
                value=function_id,
                fix="use a short name like 'fn-001' or 'orders-create'",
            )
        if function_id in self._placements:
            existing = self._placements[function_id].shard_id
            raise fail(
                self,
                f"two functions with the id {function_id!r} (the first is in {existing})",
                value=function_id,
                fix="give each function of a service its own id",
            )

    def _shard(self, index: int) -> NestedStack:
        stack = self.shard_stacks.get(index)
        if stack is None:
            stack = NestedStack(self, _shard_id(index), description=f"{self.node.path}: functions of shard {index}")
            # Resources added under a function behind the library's back (not via add_alias, add_trigger
            # or add_vpc_endpoints, which re-count at once) are caught by CDK at synth: it fails a stack
            # over this limit with the stack's path and resource count.
            stack.node.set_context(STACK_RESOURCE_LIMIT_CONTEXT, self.props.max_resources)
            # The service's key is the key the shard's functions share: their SqsTriggers' queues share one
            # dead-letter queue per shard and type, encrypted with it (triggers.shared_dead_letter_queue).
            share_key(stack, self.key)
            self.shard_stacks[index] = stack
            if self.props.monitored:
                self._shard_resources[index] = self._shard_resources.get(index, 0) + MONITORING_SHARD_RESERVE
        return stack

    def _hold_place(self, index: int) -> None:
        """In a worker that does not build shard ``index``: empty constructs with the ids its nested stack
        would have (``Shard007`` and ``Shard007.NestedStack``, where CDK puts the AWS::CloudFormation::Stack
        resource), created when the shard first appears, as the nested stack would be. Every worker's
        construct tree then has the shards in declaration order, and the merge orders the parent
        template as one process would (:mod:`lambda_constructs.parallel.merge`)."""
        if index in self.shard_stacks or index in self._held:
            return
        Construct(self, _shard_id(index))
        Construct(self, f"{_shard_id(index)}.NestedStack")
        self._held.add(index)

    def _check_budget(
        self, fn: SecureFunction, function_id: str, index: int, cost: int, *, previous: int = 0, shared: int = 0
    ) -> None:
        """Raise when ``fn`` (``cost`` resources, ``previous`` of them already counted) and the ``shared``
        resources of the shard it made (a shared trigger dead-letter queue) do not fit its shard."""
        if cost > self.props.max_resources:
            raise fail(
                fn,
                f"function {function_id} alone has {cost} resources, more than the per-stack budget of "
                f"{self.props.max_resources}",
                value=cost,
                fix="split its triggers/aliases over several functions, or raise max_resources (at most 500)",
            )
        used = self._shard_resources.get(index, 0) - previous + shared
        if used + cost > self.props.max_resources:
            raise fail(
                fn,
                f"shard {index} is full: {used} + {cost} resources exceed the budget of {self.props.max_resources}",
                value=function_id,
                fix=f"pin {function_id} to a shard with room with shard= (free: {self._free_shards(cost)}); "
                "for a new service, raise shards",
            )

    def _recount(self, function_id: str, fn: SecureFunction) -> None:
        """Re-count a function after ``add_alias``/``add_trigger``/``add_vpc_endpoints`` (called by the function)."""
        placement = self._placements[function_id]
        cost = count_resources(fn) + self._reserve
        shared = self._new_shared_resources(placement.shard)
        self._check_budget(
            fn, placement.function_id, placement.shard, cost, previous=placement.resources, shared=shared
        )
        self._shard_resources[placement.shard] += cost - placement.resources + shared
        self._placements[placement.function_id] = dataclasses.replace(placement, resources=cost)

    def _new_shared_resources(self, index: int) -> int:
        """Resources of shard ``index`` that its functions share and that are not counted yet: its shared trigger
        dead-letter queues (a function's ``SqsTrigger`` creates one on first use: the queue and its policy; with
        ``monitored``, + 1 for the depth alarm :meth:`monitor` puts on it in the shard) and its shared X-Ray
        policy (``roles.stack_tracing_policy``, one resource); no jsii round trip unless a queue is new."""
        stack = self.shard_stacks[index]
        queues = [shared.queue for shared in shared_trigger_dead_letter_queues(stack)]
        new = [queue for queue in queues if id(queue) not in self._counted_shared]
        self._counted_shared.update(id(queue) for queue in new)
        alarm = 1 if self.props.monitored else 0
        counted = sum(count_resources(queue) + alarm for queue in new)
        policy = shared_tracing_policy_of(stack)  # the shard's X-Ray policy: one resource, once
        if policy is not None and id(policy) not in self._counted_shared:
            self._counted_shared.add(id(policy))
            counted += 1
        return counted

    def _free_shards(self, cost: int) -> str:
        free = [
            str(i)
            for i in range(self.props.shards)
            if self._shard_resources.get(i, 0) + cost <= self.props.max_resources
        ]
        return ", ".join(free[:8]) or "none"

    def _new_shared_key(self) -> kms.Key:
        return new_key(self, "SharedKey", f"Environment, logs and failure queues of the functions of {self.node.path}")

    def _new_failure_queue(self) -> sqs.Queue:
        """The service's failure queue and its redrive queue, configured as a function's own (function.py)."""
        common: dict[str, object] = {
            "encryption": sqs.QueueEncryption.KMS,
            "encryption_master_key": self.key,
            "enforce_ssl": True,
            "retention_period": Duration.days(14),
            "removal_policy": RemovalPolicy.RETAIN,
        }
        self.failure_dlq = sqs.Queue(self, "FailureDeadLetterQueue", **common)  # type: ignore[arg-type]
        acknowledge_rule(
            self.failure_dlq,
            "SQSRedrivePolicy",
            LIBRARY_ACKNOWLEDGEMENTS[AcknowledgementKey.FAILURE_DLQ_REDRIVE],
            ("Serverless",),
        )
        return sqs.Queue(
            self,
            "FailureQueue",
            dead_letter_queue=sqs.DeadLetterQueue(max_receive_count=5, queue=self.failure_dlq),
            **common,  # type: ignore[arg-type]
        )

    def _alarm_failure_queue(self, top: ServiceMonitoring, props: ServiceMonitoringProps) -> list[sqs.IQueue]:
        """One depth alarm on the shared failure queue (and, with the full set, its redrive queue) on ``top``;
        return the queues alarmed, which the functions' monitoring then leaves out."""
        from lambda_constructs.monitoring.shared_queue import queue_depth_alarm, shared_queues_widget

        if self.failure_queue is None or self.failure_dlq is None:
            return []
        queues: dict[str, tuple[sqs.IQueue, str]] = {
            "FailureQueue": (
                self.failure_queue,
                "asynchronous events of the service's functions failed every retry",
            )
        }
        if props.alarm_set is AlarmSet.FULL:
            queues["FailureDeadLetterQueue"] = (
                self.failure_dlq,
                "failed asynchronous events were received 5 times from the failure queue without being deleted",
            )
        for name, (queue, summary) in queues.items():
            alarm = queue_depth_alarm(
                top, f"{name}Depth", queue, thresholds=props.thresholds, topic=top.alarm_topic, summary=summary
            )
            if alarm is not None:
                self.failure_queue_alarms[f"{name}Depth"] = alarm
        if top.dashboard is not None:
            top.dashboard.add_widgets(
                shared_queues_widget(self.node.id, self.failure_queue, self.failure_dlq, period=props.thresholds.period)
            )
        return [self.failure_queue, self.failure_dlq]
