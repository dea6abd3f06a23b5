"""ServiceMonitoring: alarms, a dashboard and log queries for a group of SecureFunctions.

The service-wide parts (the alarm topic and its key, the dashboard, saved queries, log metric filters and
subscriptions) are here; each function's alarms and widgets are :class:`FunctionMonitoring`, in
:mod:`lambda_constructs.monitoring.function_monitoring` (importable from here too).

Built directly on ``aws_cloudwatch`` (see docs/design.md, "Monitoring: library choice").
"""

from __future__ import annotations

import weakref
from collections.abc import Sequence
from dataclasses import dataclass, field, replace

import jsii
from aws_cdk import Aws, RemovalPolicy, Stack, Token
from aws_cdk import aws_cloudwatch as cw
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_logs as logs
from aws_cdk import aws_sns as sns
from aws_cdk import aws_sqs as sqs
from constructs import Construct, IValidation

from lambda_constructs.contract import FunctionView, is_function
from lambda_constructs.enums import AlarmSet
from lambda_constructs.errors import fail, option_label, warn
from lambda_constructs.failure_queue import SharedFailureQueues, shared_failure_queues_of
from lambda_constructs.field_types import checked_fields
from lambda_constructs.monitoring import queries
from lambda_constructs.monitoring.function_monitoring import (
    _ALARM_SET_FIX,
    MISSING_DATA,
    FunctionMonitoring,
    error_rate,
    is_stream_trigger,
)
from lambda_constructs.monitoring.shared_queue import (
    TRIGGER_DLQ_FIX,
    queue_depth_alarm,
    shared_queues_widget,
    shared_trigger_dead_letter_queue_widget,
)
from lambda_constructs.monitoring.thresholds import AlarmThresholds
from lambda_constructs.triggers.shared_dead_letter_queue import (
    SharedTriggerDeadLetterQueue,
    shared_trigger_dead_letter_queue_of,
)

__all__ = [
    "LOG_METRICS_NAMESPACE",
    "MISSING_DATA",
    "STREAM_TRIGGER_NAMES",
    "AlarmSet",
    "FunctionMonitoring",
    "ServiceMonitoring",
    "ServiceMonitoringProps",
    "error_rate",
    "is_stream_trigger",
    "monitor_stack",
]

#: Deprecated, unused: stream triggers are recognised by their ``TriggerResult.source`` (``SourceKind.STREAM``).
STREAM_TRIGGER_NAMES = ("Kinesis", "DynamoDbStream", "DynamoDBStream", "DynamoStream")
#: Namespace of the ERROR-log metric filter.
LOG_METRICS_NAMESPACE = "LambdaConstructs/Logs"


@checked_fields
@dataclass(frozen=True, kw_only=True)
class ServiceMonitoringProps:
    """Properties of :class:`ServiceMonitoring`. Every optional field states its default."""

    functions: Sequence[FunctionView] = ()
    """Functions monitored with ``thresholds`` (more with :meth:`ServiceMonitoring.add_function`).
    Default: none."""
    thresholds: AlarmThresholds = field(default_factory=AlarmThresholds)
    """Default thresholds of every function. Default: :class:`AlarmThresholds` ()."""
    alarm_topic: sns.ITopic | None = None
    """Where alarms (and their return to OK) are sent; must be in the stack's region. Default: a new
    KMS-encrypted, TLS-only topic (``alarm_topic`` attribute) - subscribe to it."""
    alarm_topic_key: kms.IKey | None = None
    """Key of the created alarm topic; CloudWatch of this account is allowed to use it (its policy gets a
    statement). Default: None, a new key (``AlarmTopicKey``, $1.00/month; ``LambdaService.monitor`` passes
    the service's key instead)."""
    alarm_set: AlarmSet | str = AlarmSet.COMPACT
    """Which alarms each function gets: an :class:`~lambda_constructs.enums.AlarmSet` (or its string; a string
    becomes the member in ``__post_init__``). ``"compact"`` (2 billed alarm metrics, $0.20/month per function at
    $0.10 per standard alarm metric, https://aws.amazon.com/cloudwatch/pricing/, plus one per stack on the
    failure queue its functions share and one per stack and queue type on the dead-letter queue its SQS
    triggers share; 3 for a function with a failure queue of its own, one more per ``SqsTrigger`` with a
    dead-letter queue of its own): ``Errors`` and
    ``Throttles`` on the ``FunctionName`` dimension (which aggregates every version and alias), the
    failure queue's depth (asynchronous events that failed every retry; AsyncEventsDropped events reach it
    first; a shared queue is alarmed once, see :class:`ServiceMonitoring`) and the depth of the SQS trigger
    dead-letter queues (messages received ``max_receive_count`` times: with ``ReportBatchItemFailures`` the
    function reported them as failed items of a successful invocation, which ``Errors`` does not count; a
    shared queue is alarmed once), plus the reserved-concurrency and iterator-age alarms where they apply.
    Every error of every alias, timeouts included, fires ``Errors``; messages reach the failure queue's
    dead-letter queue only after failures ``FailureQueueDepth`` already reports. The alarm names
    the function; the dashboard's per-alias graph and the deployment alarms of aliases released with
    CodeDeploy (docs/promotion.md) name the alias. ``"full"``: the previous set (error rate, throttles and
    p99 duration on the function and on every alias, every queue's depth, asynchronous event age and
    drops: 16–17 billed metrics, ≈ $1.70/month per function with three aliases). Default: ``"compact"``."""
    dashboard: bool = True
    """Create a CloudWatch dashboard ($3.00/month each beyond an account's first three). Default: True."""
    dashboard_name: str | None = None
    """Default: generated by CloudFormation."""
    query_definitions: bool = True
    """Save Logs Insights queries (cold starts, memory, errors by service, recent errors). Default: True."""
    error_log_metric: bool = True
    """A metric filter counting Powertools ERROR/CRITICAL records per ``service``
    (namespace ``LambdaConstructs/Logs``, metric ``ErrorLogs``). Default: True."""
    log_destination: logs.ILogSubscriptionDestination | None = None
    """Subscribe every function's log group to this destination (Kinesis, Firehose, Lambda). Default: none."""
    log_filter_pattern: logs.IFilterPattern | None = None
    """Pattern of the subscription. Default: all events."""
    exclude_queues: Sequence[sqs.IQueue] = ()
    """Queues no function gets an alarm or a graph of: a queue many functions share, alarmed once
    elsewhere (:meth:`LambdaService.monitor <lambda_constructs.service.LambdaService.monitor>` passes the
    service's failure queue and its redrive queue, which it alarms once). Listing a stack's shared failure
    queue, or a stack's shared trigger dead-letter queue, here also drops its one alarm and graph (see
    :class:`ServiceMonitoring`). Default: none."""

    def __post_init__(self) -> None:
        """Turn ``alarm_set`` given as a string into its :class:`~lambda_constructs.enums.AlarmSet` member.

        Raises:
            LambdaConstructsError: ``alarm_set`` is neither ``"compact"`` nor ``"full"``.
        """
        alarm_set = AlarmSet.of(self.alarm_set, option=option_label(self, "alarm_set"), fix=_ALARM_SET_FIX)
        object.__setattr__(self, "alarm_set", alarm_set)


class ServiceMonitoring(Construct):
    """Alarms, one dashboard, saved log queries and log metrics for a group of :class:`SecureFunction`.

    Create it after the functions' aliases and triggers (synthesis fails otherwise).

    The failure queue the functions of a stack share by default (``SecureFunctionProps.failure_queue_per_function``)
    is alarmed once here, not once per function: ``FailureQueueDepth`` (with ``alarm_set="full"`` also
    ``FailureDeadLetterQueueDepth``) under this construct, with ``props.thresholds`` (not a function's own
    ``add_function`` thresholds), when the first function using it is added (a queue of
    another stack than this construct's: the ids end with that stack's construct id), with one dashboard graph of
    both queues. Each message names the function and alias that failed (``requestContext.functionArn``); each
    function keeps its own ``Errors``/``Throttles`` alarms. Two ``ServiceMonitoring`` of one stack each alarm the
    queue once (each topic hears of it).

    The same holds for the dead-letter queue the SQS trigger queues of a stack share by default
    (``SqsTrigger.dead_letter_queue_per_trigger``), with either alarm set: it is alarmed once here
    (``TriggerDeadLetterQueueDepth``, ``TriggerDeadLetterQueueFifoDepth``, with the stack's id appended for a
    queue of another stack; :attr:`trigger_dead_letter_queue_alarms`), not once per trigger, with one dashboard
    graph per queue; no function gets an alarm or a graph of it. The compact set needs it: with
    ``ReportBatchItemFailures`` (the ``SqsTrigger`` default) a function that reports failed items returns
    successfully, so the messages that reach the queue after ``max_receive_count`` receives may never have
    counted as ``Errors`` (docs/monitoring.md, "Trigger dead-letter queues"). Each message names the trigger
    queue it came from in its ``DeadLetterQueueSourceArn`` system attribute, which the alarm's description says.

    Attributes:
        alarm_topic: where alarms go (created unless passed).
        alarm_topic_key: the KMS key of a created topic (None when you passed the topic).
        functions: per-function monitoring, by construct id.
        dashboard: the dashboard (None when ``dashboard=False``).
        query_definitions: saved Logs Insights queries by name.
        error_log_filters: ERROR-record metric filters by function id.
        subscriptions: log subscription filters by function id.
        failure_queue_alarms: the alarms on the stacks' shared failure queues, by construct id (empty when no
            monitored function uses one).
        trigger_dead_letter_queue_alarms: the alarms on the stacks' shared trigger dead-letter queues, by
            construct id (empty when no monitored trigger uses one, or ``thresholds.queue_messages`` is None).
        shared_trigger_dead_letter_queues: those queues, in the order the monitored functions reached them.
    """

    def __init__(self, scope: Construct, construct_id: str, props: ServiceMonitoringProps | None = None) -> None:
        super().__init__(scope, construct_id)
        self.props = props = props or ServiceMonitoringProps()
        props.thresholds.validate(self)
        self.alarm_topic_key: kms.IKey | None = None
        self.alarm_topic: sns.ITopic = (
            self._checked_topic(props.alarm_topic) if props.alarm_topic else self._new_topic()
        )
        self.functions: dict[str, FunctionMonitoring] = {}
        self.query_definitions: dict[str, logs.QueryDefinition] = {}
        self.error_log_filters: dict[str, logs.MetricFilter] = {}
        self.subscriptions: dict[str, logs.SubscriptionFilter] = {}
        self.failure_queue_alarms: dict[str, cw.Alarm] = {}
        self.trigger_dead_letter_queue_alarms: dict[str, cw.Alarm] = {}
        self.shared_trigger_dead_letter_queues: list[SharedTriggerDeadLetterQueue] = []
        self.shared_queues: list[sqs.IQueue] = []
        """The shared failure queues (and redrive queues) and shared trigger dead-letter queues of the monitored
        functions' stacks, alarmed here once: no function gets an alarm or a graph of them."""
        self.dashboard: cw.Dashboard | None = (
            cw.Dashboard(self, "Dashboard", dashboard_name=props.dashboard_name) if props.dashboard else None
        )
        for fn in props.functions:
            self.add_function(fn)

    def add_function(
        self,
        fn: FunctionView,
        *,
        thresholds: AlarmThresholds | None = None,
        construct_id: str | None = None,
    ) -> FunctionMonitoring:
        """Monitor ``fn`` (construct id: ``construct_id``, default the function's own id)."""
        cid = construct_id or fn.node.id
        if cid in self.functions or self.node.try_find_child(cid) is not None:
            raise fail(self, f"a function is already monitored as {cid}", value=cid, fix="pass construct_id=")
        shared = shared_failure_queues_of(fn.failure_queue)
        if shared is not None and not any(q is shared.queue for q in self.shared_queues):
            self._alarm_shared_queue(shared)
        for result in fn.trigger_results:
            shared_dlq = shared_trigger_dead_letter_queue_of(result.dead_letter_queue)
            if shared_dlq is not None and not any(q is shared_dlq.queue for q in self.shared_queues):
                self._alarm_shared_trigger_dead_letter_queue(shared_dlq)
        monitoring = FunctionMonitoring(
            self, cid, fn, thresholds or self.props.thresholds, self.alarm_topic, self.props.alarm_set
        )
        self.functions[cid] = monitoring
        _MONITORED.add(fn)
        self._logs(cid, fn)
        self._refresh_dashboard(monitoring)
        return monitoring

    @property
    def alarms(self) -> list[cw.Alarm]:
        """Every alarm: those of every monitored function, then those of the shared failure queues and of the
        shared trigger dead-letter queues."""
        return [
            *(alarm for m in self.functions.values() for alarm in m.alarms.values()),
            *self.failure_queue_alarms.values(),
            *self.trigger_dead_letter_queue_alarms.values(),
        ]

    # ----------------------------------------------------------------- shared failure queue

    def _alarm_shared_queue(self, shared: SharedFailureQueues) -> None:
        """The depth alarm of a stack's shared failure queue (full set: and of its redrive queue), once here."""
        self.shared_queues += [shared.queue, shared.dead_letter_queue]
        props = self.props
        if any(q is shared.queue for q in props.exclude_queues):
            return
        suffix = "" if shared.stack is Stack.of(self) else shared.stack.node.id
        queues: dict[str, tuple[sqs.IQueue, str]] = {
            "FailureQueue": (shared.queue, "asynchronous events of the stack's functions failed every retry")
        }
        if props.alarm_set is AlarmSet.FULL:
            queues["FailureDeadLetterQueue"] = (
                shared.dead_letter_queue,
                "failed asynchronous events were received 5 times from the failure queue without being deleted",
            )
        for name, (queue, summary) in queues.items():
            cid = f"{name}Depth{suffix}"
            alarm = queue_depth_alarm(
                self, cid, queue, thresholds=props.thresholds, topic=self.alarm_topic, summary=summary
            )
            if alarm is not None:
                self.failure_queue_alarms[cid] = alarm
        if self.dashboard is not None:
            self.dashboard.add_widgets(
                shared_queues_widget(
                    shared.stack.node.id, shared.queue, shared.dead_letter_queue, period=props.thresholds.period
                )
            )

    def _alarm_shared_trigger_dead_letter_queue(self, shared: SharedTriggerDeadLetterQueue) -> None:
        """The depth alarm of a stack's shared trigger dead-letter queue (either alarm set), once here; and its
        dashboard graph."""
        self.shared_queues.append(shared.queue)
        self.shared_trigger_dead_letter_queues.append(shared)
        props = self.props
        if any(q is shared.queue for q in props.exclude_queues):
            return
        suffix = "" if shared.stack is Stack.of(self) else shared.stack.node.id
        cid = f"{shared.construct_id.removeprefix('LambdaConstructs')}Depth{suffix}"
        alarm = queue_depth_alarm(
            self,
            cid,
            shared.queue,
            thresholds=props.thresholds,
            topic=self.alarm_topic,
            summary=f"messages of the stack's SQS trigger queues{' (FIFO)' if shared.fifo else ''} were received "
            "max_receive_count times without being deleted (items a batch reports as failed are not Errors)",
            fix=TRIGGER_DLQ_FIX,
        )
        if alarm is not None:
            self.trigger_dead_letter_queue_alarms[cid] = alarm
        if self.dashboard is not None:
            self.dashboard.add_widgets(shared_trigger_dead_letter_queue_widget(shared, period=props.thresholds.period))

    # ------------------------------------------------------------------------------- topic

    def _checked_topic(self, topic: sns.ITopic) -> sns.ITopic:
        stack_region = Stack.of(self).region
        topic_region = topic.env.region
        if (
            not Token.is_unresolved(stack_region)
            and not Token.is_unresolved(topic_region)
            and topic_region != stack_region
        ):
            raise fail(
                self,
                f"alarm_topic is in {topic_region} but the stack is in {stack_region}: CloudWatch alarms can "
                "only notify a topic in their own region",
                value=topic.topic_arn,
                fix=f"pass a topic of {stack_region} (or leave alarm_topic unset to create one)",
            )
        return topic

    def _new_topic(self) -> sns.Topic:
        key = self.props.alarm_topic_key or kms.Key(
            self,
            "AlarmTopicKey",
            description=f"Alarm notifications of {self.node.path}",
            enable_key_rotation=True,
            removal_policy=RemovalPolicy.RETAIN,
        )
        cloudwatch = iam.ServicePrincipal("cloudwatch.amazonaws.com")
        key.add_to_resource_policy(
            iam.PolicyStatement(
                sid="AllowCloudWatchAlarmsOfThisAccount",
                principals=[cloudwatch],
                actions=["kms:Decrypt", "kms:GenerateDataKey*"],
                resources=["*"],
                conditions={"StringEquals": {"aws:SourceAccount": Aws.ACCOUNT_ID}},
            )
        )
        self.alarm_topic_key = key
        topic = sns.Topic(self, "AlarmTopic", master_key=key, enforce_ssl=True)
        topic.add_to_resource_policy(
            iam.PolicyStatement(
                sid="AllowCloudWatchAlarmsOfThisAccount",
                principals=[cloudwatch],
                actions=["sns:Publish"],
                resources=[topic.topic_arn],
                conditions={
                    "StringEquals": {"aws:SourceAccount": Aws.ACCOUNT_ID},
                    "ArnLike": {
                        "aws:SourceArn": f"arn:{Aws.PARTITION}:cloudwatch:{Aws.REGION}:{Aws.ACCOUNT_ID}:alarm:*"
                    },
                },
            )
        )
        return topic

    # -------------------------------------------------------------------------------- logs

    def _logs(self, cid: str, fn: FunctionView) -> None:
        props = self.props
        if props.error_log_metric:
            self.error_log_filters[cid] = logs.MetricFilter(
                self.functions[cid],
                "ErrorLogs",
                log_group=fn.log_group,
                filter_pattern=logs.FilterPattern.any(
                    logs.FilterPattern.string_value("$.level", "=", "ERROR"),
                    logs.FilterPattern.string_value("$.level", "=", "CRITICAL"),
                ),
                metric_namespace=LOG_METRICS_NAMESPACE,
                metric_name="ErrorLogs",
                metric_value="1",
                dimensions={"service": "$.service"},
                unit=cw.Unit.COUNT,
            )
        if props.log_destination is not None:
            self.subscriptions[cid] = logs.SubscriptionFilter(
                self.functions[cid],
                "LogSubscription",
                log_group=fn.log_group,
                destination=props.log_destination,
                filter_pattern=props.log_filter_pattern or logs.FilterPattern.all_events(),
            )
        if props.query_definitions:
            self._queries()

    def _queries(self) -> None:
        groups = [m.fn.log_group for m in self.functions.values()]
        for name, (title, query) in queries.QUERIES.items():
            cid = f"Query{name}"
            if cid in self.query_definitions:
                # One saved query covers every function: rebuild it with the longer log group list.
                self.node.try_remove_child(cid)
            self.query_definitions[cid] = logs.QueryDefinition(
                self,
                cid,
                query_definition_name=f"{Stack.of(self).stack_name}/{self.node.id}/{title}",
                query_string=query,
                log_groups=groups,
            )

    # --------------------------------------------------------------------------- dashboard

    def _refresh_dashboard(self, monitoring: FunctionMonitoring) -> None:
        if self.dashboard is None:
            return
        widgets = monitoring.widgets()
        self.dashboard.add_widgets(widgets[0])
        self.dashboard.add_widgets(*widgets[1:])


#: Every function a ServiceMonitoring monitors (ServiceMonitoring.add_function), for :class:`_LateFunctions`.
_MONITORED: weakref.WeakSet[FunctionView] = weakref.WeakSet()


def monitor_stack(
    stack: Stack, construct_id: str = "Monitoring", props: ServiceMonitoringProps | None = None
) -> ServiceMonitoring | None:
    """Monitor every :class:`SecureFunction` in ``stack`` (plus ``props.functions``) with one dashboard.

    Call it once the stack is complete (after every alias and trigger). Returns None when the stack
    holds no function. The functions of ``stack``'s nested stacks (a :class:`LambdaService`'s shards …) are
    not monitored here: their alarms belong in their own stack (``monitor_stack(nested_stack)``,
    ``LambdaService.monitor()``). Synthesis warns ``lambda-constructs:unmonitoredFunctions`` naming every
    function of ``stack`` created after this call and every function of its nested stacks that no
    :class:`ServiceMonitoring` monitors.
    """
    props = props or ServiceMonitoringProps()
    functions = list(dict.fromkeys([*props.functions, *_functions_in(stack)]))
    if not functions:
        return None
    monitoring = ServiceMonitoring(stack, construct_id, replace(props, functions=functions))
    monitoring.node.add_validation(_LateFunctions(monitoring, stack, functions))
    return monitoring


def _functions_in(stack: Stack) -> list[FunctionView]:
    """The SecureFunctions whose stack is ``stack`` (not those of its nested stacks), in tree order."""
    return [c for c in stack.node.find_all() if is_function(c) and Stack.of(c) is stack]


def _functions_under(stack: Stack) -> tuple[list[FunctionView], list[FunctionView]]:
    """The SecureFunctions under ``stack`` in tree order: those whose stack it is, and those of its nested
    stacks (one tree search)."""
    own: list[FunctionView] = []
    nested: list[FunctionView] = []
    for c in stack.node.find_all():
        if is_function(c):
            (own if Stack.of(c) is stack else nested).append(c)
    return own, nested


@jsii.implements(IValidation)
class _LateFunctions:
    """Synth-time check of :func:`monitor_stack`: functions created in the stack after it have no alarms, and
    neither have the functions of its nested stacks that no :class:`ServiceMonitoring` monitors.

    Warns ``lambda-constructs:unmonitoredFunctions`` on the monitoring (acknowledgeable: a function you
    monitor another way). Looks the functions up again as :func:`monitor_stack` did (one tree search per
    synthesis, paid only by apps that use it).
    """

    def __init__(self, monitoring: ServiceMonitoring, stack: Stack, functions: Sequence[FunctionView]) -> None:
        self._monitoring = monitoring
        self._stack = stack
        self._seen = {id(fn) for fn in functions}

    def validate(self) -> list[str]:
        own, nested = _functions_under(self._stack)
        late = [fn for fn in own if id(fn) not in self._seen]
        if late:
            warn(
                self._monitoring,
                "unmonitoredFunctions",
                f"{', '.join(fn.node.path for fn in late)} were created after monitor_stack() and have no alarms; "
                "call monitor_stack() after creating every function of the stack (or monitor them yourself)",
            )
        unwatched = [fn for fn in nested if id(fn) not in self._seen and fn not in _MONITORED]
        if unwatched:
            stacks = ", ".join(dict.fromkeys(Stack.of(fn).node.path for fn in unwatched))
            warn(
                self._monitoring,
                "unmonitoredFunctions",
                f"{', '.join(fn.node.path for fn in unwatched)} are in nested stacks of {self._stack.node.path} "
                f"({stacks}), which monitor_stack() does not monitor, and nothing else monitors them: they have no "
                "alarms; call monitor_stack(nested_stack) for each of them (LambdaService.monitor() for a "
                "service's shards), or pass the functions in ServiceMonitoringProps(functions=...)",
            )
        return []
