"""FunctionMonitoring: the alarms and dashboard widgets of one function, made by
:meth:`ServiceMonitoring.add_function <lambda_constructs.monitoring.service_monitoring.ServiceMonitoring.add_function>`
(split from ``service_monitoring.py`` in issue #20: one function's alarms vs the service-wide topic, dashboard and
log queries; every name here is also importable from ``lambda_constructs.monitoring.service_monitoring``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import jsii
from aws_cdk import Duration, Token
from aws_cdk import aws_cloudwatch as cw
from aws_cdk import aws_cloudwatch_actions as cw_actions
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_sns as sns
from aws_cdk import aws_sqs as sqs
from constructs import Construct, IValidation

from lambda_constructs.contract import FunctionView, SourceKind, Trigger, TriggerResult
from lambda_constructs.enums import AlarmSet
from lambda_constructs.errors import fail
from lambda_constructs.monitoring import queries
from lambda_constructs.monitoring.thresholds import (
    AUTO,
    DEFAULT_CONCURRENCY_PERCENT,
    DEFAULT_ITERATOR_AGE_SECONDS,
    AlarmThresholds,
)
from lambda_constructs.validation import duration_seconds

if TYPE_CHECKING:
    from lambda_constructs.monitoring.service_monitoring import ServiceMonitoring

_ALARM_SET_FIX = "use AlarmSet.COMPACT ('compact', the default) or AlarmSet.FULL ('full')"

MISSING_DATA = cw.TreatMissingData.NOT_BREACHING
"""Every alarm treats missing data as not breaching: no invocations means nothing is wrong."""


@dataclass(frozen=True)
class _Snapshot:
    aliases: tuple[str, ...]
    triggers: int


class FunctionMonitoring(Construct):
    """Alarms and widgets of one function (created by :meth:`ServiceMonitoring.add_function`).

    Attributes:
        fn: the monitored function.
        thresholds: the thresholds used.
        alarms: every alarm by name (``ErrorRate``, ``Alias<name>Throttles``, ``FailureQueueDepth`` …).
        stream_triggers: the triggers that read a stream (``SourceKind.STREAM``: they get the iterator-age alarm).
        queues: the queues whose depth is alarmed, by construct id.
    """

    def __init__(
        self,
        scope: ServiceMonitoring,
        construct_id: str,
        fn: FunctionView,
        thresholds: AlarmThresholds,
        topic: sns.ITopic,
        alarm_set: AlarmSet | str = AlarmSet.COMPACT,
    ) -> None:
        super().__init__(scope, construct_id)
        thresholds.validate(self)
        self.fn = fn
        self.thresholds = thresholds
        self.alarms: dict[str, cw.Alarm] = {}
        self.stream_triggers: list[Trigger] = [r.trigger for r in fn.trigger_results if is_stream_trigger(r)]
        excluded = {id(q) for q in (*scope.props.exclude_queues, *scope.shared_queues)}
        self.queues: dict[str, Any] = {k: q for k, q in _queues_of(fn).items() if id(q) not in excluded}
        self._action = cw_actions.SnsAction(topic)
        self._snapshot = _snapshot(fn)
        self._timeout_s = duration_seconds(fn.props.timeout)
        self._reserved = fn.props.reserved_concurrent_executions
        self.alarm_set = AlarmSet.of(alarm_set, path=self.node.path, option="alarm_set", fix=_ALARM_SET_FIX)
        self._check_applicable()
        if self.alarm_set is AlarmSet.FULL:
            self._function_alarms()
            for name, alias in fn.aliases.items():
                self._invocation_alarms(f"Alias{name}", alias, f"alias {name}")
        else:
            self._compact_alarms()
        self.node.add_validation(_StaleCheck(self))

    # ------------------------------------------------------------------------------ alarms

    def _check_applicable(self) -> None:
        t = self.thresholds
        if isinstance(t.iterator_age_seconds, int | float) and not self.stream_triggers:
            raise fail(
                self,
                "iterator_age_seconds is set but the function has no stream trigger (Kinesis or DynamoDB "
                "Streams), so it emits no IteratorAge metric",
                value=t.iterator_age_seconds,
                fix="add the stream trigger before monitoring the function, or leave iterator_age_seconds=AUTO",
            )
        if isinstance(t.concurrency_percent_of_reserved, int | float) and not self._reserved:
            raise fail(
                self,
                "concurrency_percent_of_reserved is set but the function has no reserved concurrency",
                value=t.concurrency_percent_of_reserved,
                fix="set reserved_concurrent_executions on the function, or leave concurrency_percent_of_reserved=AUTO",
            )
        if t.async_event_age_seconds is not None:
            max_age = duration_seconds(self.fn.props.max_event_age)
            if max_age is not None and t.async_event_age_seconds > max_age:
                raise fail(
                    self,
                    f"async_event_age_seconds is above the function's max_event_age ({max_age:g} s): events are "
                    "dropped before they reach that age, so the alarm could never fire",
                    value=t.async_event_age_seconds,
                    fix=f"set async_event_age_seconds <= {max_age:g}",
                )

    def _compact_alarms(self) -> None:
        """Errors, throttles (every version and alias), failure-queue depth and the depth of the function's
        own SQS trigger dead-letter queues; see ``alarm_set``."""
        fn, t = self.fn.function, self.thresholds
        if t.errors is not None:
            self._alarm(
                "Errors",
                fn.metric_errors(period=t.period, statistic="Sum"),
                t.errors,
                "invocations failed (any alias or version; timeouts included)",
                "look at the RecentErrors query, the dashboard's per-alias graph and the X-Ray traces",
            )
        if t.throttles is not None:
            self._alarm(
                "Throttles",
                fn.metric_throttles(period=t.period, statistic="Sum"),
                t.throttles,
                "invocations were throttled (any alias or version)",
                "raise reserved concurrency or the account's concurrency quota",
            )
        if t.queue_messages is not None and self.fn.failure_dlq is not None and "FailureQueue" in self.queues:
            self._alarm(
                "FailureQueueDepth",
                self.fn.failure_queue.metric_approximate_number_of_messages_visible(
                    period=t.period, statistic="Maximum"
                ),
                t.queue_messages,
                "asynchronous events failed every retry (each message names the function and alias)",
                "inspect the messages, fix the cause, then redrive them",
            )
        if t.queue_messages is not None:
            for queue_id in self._sqs_dead_letter_queue_ids():
                self._alarm(
                    f"{queue_id}Depth",
                    self.queues[queue_id].metric_approximate_number_of_messages_visible(
                        period=t.period, statistic="Maximum"
                    ),
                    t.queue_messages,
                    f"messages of the SQS trigger's queue were received max_receive_count times without being "
                    f"deleted ({queue_id}; items a batch reports as failed are not Errors)",
                    "inspect the messages, fix the cause, then start a dead-letter-queue redrive to the source queue",
                )
        self._function_alarms(invocations=False, queues=False, async_events=False)

    def _sqs_dead_letter_queue_ids(self) -> list[str]:
        """The ids in :attr:`queues` of the dead-letter queues of the function's SQS trigger queues that are
        its own (a stack's shared trigger dead-letter queue and excluded queues are not in :attr:`queues`).

        The compact set alarms them: a message moves there after ``max_receive_count`` receives, and the
        receives of items a partial batch response reported as failed are successful invocations, not
        ``Errors`` (docs/monitoring.md, "Trigger dead-letter queues").
        """
        ids = []
        for result in self.fn.trigger_results:
            queue_id = f"{result.construct_id}DeadLetterQueue"
            queue = result.dead_letter_queue
            if result.source is SourceKind.QUEUE and queue is not None and self.queues.get(queue_id) is queue:
                ids.append(queue_id)
        return ids

    def _function_alarms(self, *, invocations: bool = True, queues: bool = True, async_events: bool = True) -> None:
        fn, t = self.fn.function, self.thresholds
        if invocations:
            self._invocation_alarms("", fn, "function")
        reserved = self._reserved
        percent = (
            DEFAULT_CONCURRENCY_PERCENT
            if t.concurrency_percent_of_reserved == AUTO
            else t.concurrency_percent_of_reserved
        )
        if percent is not None and reserved and not Token.is_unresolved(reserved):
            assert isinstance(percent, int | float)
            self._alarm(
                "Concurrency",
                fn.metric("ConcurrentExecutions", statistic="Maximum", period=t.period),
                reserved * percent / 100,
                f"concurrent executions reached {percent:g} % of reserved concurrency ({reserved})",
                "raise reserved_concurrent_executions or reduce the load",
            )
        age = DEFAULT_ITERATOR_AGE_SECONDS if t.iterator_age_seconds == AUTO else t.iterator_age_seconds
        if age is not None and self.stream_triggers:
            assert isinstance(age, int | float)
            self._alarm(
                "IteratorAge",
                fn.metric("IteratorAge", statistic="Maximum", period=t.period, unit=cw.Unit.MILLISECONDS),
                age * 1000,
                f"the oldest stream record waited {age:g} s or more: the function falls behind its stream",
                "raise the batch size or parallelization factor, or fix failing batches",
            )
        for queue_id, queue in self.queues.items() if queues else ():
            if t.queue_messages is not None:
                self._alarm(
                    f"{queue_id}Depth",
                    queue.metric_approximate_number_of_messages_visible(period=t.period, statistic="Maximum"),
                    t.queue_messages,
                    f"{queue_id} holds failed events",
                    "inspect the messages, fix the cause, then redrive them",
                )
        if not async_events:
            return
        if t.async_events_dropped is not None:
            self._alarm(
                "AsyncEventsDropped",
                fn.metric("AsyncEventsDropped", statistic="Sum", period=t.period),
                t.async_events_dropped,
                "asynchronous events were dropped without reaching the function or its failure destination",
                "check throttles and max_event_age; make sure the failure destination accepts messages",
            )
        if t.async_event_age_seconds is not None:
            self._alarm(
                "AsyncEventAge",
                fn.metric("AsyncEventAge", statistic="Maximum", period=t.period, unit=cw.Unit.MILLISECONDS),
                t.async_event_age_seconds * 1000,
                f"asynchronous events waited {t.async_event_age_seconds:g} s or more before being processed",
                "look for throttles and errors (retries) and raise concurrency",
            )

    def _invocation_alarms(self, prefix: str, target: lambda_.IFunction, what: str) -> None:
        """Error rate, throttles and p99 duration of the function or one alias (``Resource`` dimension)."""
        t = self.thresholds
        if t.error_rate_percent is not None:
            self._alarm(
                f"{prefix}ErrorRate",
                error_rate(target, t.period),
                t.error_rate_percent,
                f"{what}: errors reached {t.error_rate_percent:g} % of invocations",
                "look at the RecentErrors query and the X-Ray traces",
            )
        if t.throttles is not None:
            self._alarm(
                f"{prefix}Throttles",
                target.metric_throttles(period=t.period, statistic="Sum"),
                t.throttles,
                f"{what}: invocations were throttled",
                "raise reserved concurrency or the account's concurrency quota",
            )
        if t.duration_p99_percent_of_timeout is not None and self._timeout_s is not None:
            limit_ms = self._timeout_s * 1000 * t.duration_p99_percent_of_timeout / 100
            self._alarm(
                f"{prefix}Duration",
                target.metric_duration(period=t.period, statistic="p99"),
                limit_ms,
                f"{what}: p99 duration reached {t.duration_p99_percent_of_timeout:g} % of the "
                f"{self._timeout_s:g} s timeout",
                "find the slow calls in X-Ray, raise memory_size (more CPU) or the timeout",
            )

    def _alarm(self, name: str, metric: cw.IMetric, threshold: float, summary: str, fix: str) -> cw.Alarm:
        alarm = cw.Alarm(
            self,
            name,
            metric=metric,
            threshold=threshold,
            evaluation_periods=self.thresholds.evaluation_periods,
            comparison_operator=cw.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
            treat_missing_data=MISSING_DATA,
            alarm_description=f"{self.fn.node.path}: {summary}. Fix: {fix}.",
        )
        alarm.add_alarm_action(self._action)
        alarm.add_ok_action(self._action)
        self.alarms[name] = alarm
        return alarm

    # ----------------------------------------------------------------------------- widgets

    def widgets(self) -> list[cw.IWidget]:
        """One dashboard row: traffic, duration, concurrency, aliases, asynchronous events and queues."""
        fn, period = self.fn.function, Duration.minutes(1)
        title = self.fn.node.id
        rows: list[cw.IWidget] = [
            cw.TextWidget(markdown=f"### {self.fn.node.path}", width=24, height=1),
            cw.GraphWidget(
                title=f"{title}: invocations, errors, throttles",
                left=[
                    fn.metric_invocations(period=period, statistic="Sum"),
                    fn.metric_errors(period=period, statistic="Sum"),
                    fn.metric_throttles(period=period, statistic="Sum"),
                ],
                right=[error_rate(fn, period).with_(label="error rate %")],
                width=8,
            ),
            cw.GraphWidget(
                title=f"{title}: duration",
                left=[fn.metric_duration(period=period, statistic=s, label=s) for s in ("p50", "p90", "p99")],
                left_annotations=(
                    [cw.HorizontalAnnotation(value=self._timeout_s * 1000, label="timeout")]
                    if self._timeout_s is not None
                    else None
                ),
                width=8,
            ),
            cw.GraphWidget(
                title=f"{title}: concurrency",
                left=[fn.metric("ConcurrentExecutions", statistic="Maximum", period=period)],
                left_annotations=(
                    [cw.HorizontalAnnotation(value=self._reserved, label="reserved")]
                    if self._reserved and not Token.is_unresolved(self._reserved)
                    else None
                ),
                width=8,
            ),
        ]
        if self.fn.aliases:
            rows.append(
                cw.GraphWidget(
                    title=f"{title}: traffic per alias and executed version",
                    left=[
                        alias.metric_invocations(period=period, statistic="Sum", label=f"alias {name}")
                        for name, alias in self.fn.aliases.items()
                    ],
                    right=[
                        cw.MathExpression(
                            expression=(
                                "SEARCH('{AWS/Lambda,FunctionName,Resource,ExecutedVersion} "
                                f'MetricName="Invocations" FunctionName="{fn.function_name}"\', \'Sum\', 60)'
                            ),
                            label="",
                            period=period,
                        )
                    ],
                    right_y_axis=cw.YAxisProps(label="by executed version", show_units=False),
                    width=8,
                )
            )
        rows.append(
            cw.GraphWidget(
                title=f"{title}: asynchronous events and failure queues",
                left=[
                    fn.metric("AsyncEventsReceived", statistic="Sum", period=period),
                    fn.metric("AsyncEventsDropped", statistic="Sum", period=period),
                    *(
                        q.metric_approximate_number_of_messages_visible(
                            period=period, statistic="Maximum", label=f"{qid} messages"
                        )
                        for qid, q in self.queues.items()
                    ),
                ],
                right=[fn.metric("AsyncEventAge", statistic="Maximum", period=period)],
                width=8,
            )
        )
        if self.stream_triggers:
            rows.append(
                cw.GraphWidget(
                    title=f"{title}: stream iterator age",
                    left=[fn.metric("IteratorAge", statistic="Maximum", period=period)],
                    width=8,
                )
            )
        rows.extend(
            cw.LogQueryWidget(
                title=f"{title} logs: {name}",
                log_group_names=[self.fn.log_group.log_group_name],
                query_string=query.to_string(),
                view=cw.LogQueryVisualizationType.TABLE,
                width=8,
            )
            for name, query in (
                ("cold starts", queries.COLD_STARTS),
                ("memory used vs memory size", queries.MEMORY),
                ("errors by service", queries.ERRORS_BY_SERVICE),
            )
        )
        return rows


@jsii.implements(IValidation)
class _StaleCheck:
    """Synth-time check: aliases or triggers added after the function was monitored would be unwatched."""

    def __init__(self, monitoring: FunctionMonitoring) -> None:
        self._monitoring = monitoring

    def validate(self) -> list[str]:
        m = self._monitoring
        if _snapshot(m.fn) == m._snapshot:
            return []
        return [
            f"{m.node.path}: aliases or triggers were added to {m.fn.node.path} after it was monitored, so they "
            "have no alarms. Fix: create the monitoring after add_alias()/add_trigger()"
        ]


def error_rate(target: lambda_.IFunction, period: Duration) -> cw.MathExpression:
    """Errors / invocations × 100 of a function or alias (0 when there are no invocations)."""
    return cw.MathExpression(
        expression="IF(invocations > 0, 100 * errors / invocations, 0)",
        using_metrics={
            "errors": target.metric_errors(period=period, statistic="Sum"),
            "invocations": target.metric_invocations(period=period, statistic="Sum"),
        },
        label="error rate (%)",
        period=period,
    )


def is_stream_trigger(result: TriggerResult) -> bool:
    """True when the bound trigger reads a Kinesis or DynamoDB stream (emits IteratorAge).

    ``result`` is what ``fn.add_trigger`` returned (``fn.trigger_results``); its ``source`` says so.
    """
    return result.source is SourceKind.STREAM


def _queues_of(fn: FunctionView) -> dict[str, Any]:
    """Failure queue, its dead-letter queue and the queues triggers fail to, by a stable name.

    Trigger queues, read from each trigger's :class:`TriggerResult`: its ``dead_letter_queue`` (named
    after its construct id), then its ``failure_destination`` (named after its class, numbered per class).
    """
    found: dict[str, Any] = {"FailureQueue": fn.failure_queue}
    if fn.failure_dlq is not None:
        found["FailureDeadLetterQueue"] = fn.failure_dlq
    seen = {id(q) for q in found.values()}

    def add(name: str, queue: sqs.IQueue | None) -> None:
        if queue is not None and id(queue) not in seen:
            seen.add(id(queue))
            found[name] = queue

    for result in fn.trigger_results:
        add(f"{result.construct_id}DeadLetterQueue", result.dead_letter_queue)
    counts: dict[str, int] = {}
    for result in fn.trigger_results:
        queue = result.failure_destination
        if queue is not None and id(queue) not in seen:
            base = type(result.trigger).__name__
            counts[base] = counts.get(base, 0) + 1
            add(f"{base}{counts[base]}OnFailureQueue", queue)
    return found


def _snapshot(fn: FunctionView) -> _Snapshot:
    return _Snapshot(aliases=tuple(fn.aliases), triggers=len(fn.triggers))
