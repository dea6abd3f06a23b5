"""The depth alarm of a queue many functions share (a :class:`~lambda_constructs.service.LambdaService`'s
failure queue, the one the SecureFunctions of a stack share by default, or the dead-letter queue the SQS
trigger queues of a stack share): one alarm for all of them instead of one per function.

A standard alarm is billed per metric it evaluates, $0.10 a month each
(https://aws.amazon.com/cloudwatch/pricing/), so a queue shared by N functions alarmed once costs
$0.10 instead of N × $0.10. It loses no information: every message is Lambda's invocation record,
whose ``requestContext.functionArn`` names the function and the alias or version that failed
(https://docs.aws.amazon.com/lambda/latest/dg/invocation-async-retain-records.html). A message of a
shared trigger dead-letter queue names the trigger queue it came from in its ``DeadLetterQueueSourceArn``
system attribute (see :mod:`lambda_constructs.triggers.shared_dead_letter_queue`).
"""

from __future__ import annotations

from aws_cdk import Duration
from aws_cdk import aws_cloudwatch as cw
from aws_cdk import aws_cloudwatch_actions as cw_actions
from aws_cdk import aws_sns as sns
from aws_cdk import aws_sqs as sqs
from constructs import Construct

from lambda_constructs.monitoring.thresholds import AlarmThresholds
from lambda_constructs.triggers.shared_dead_letter_queue import SOURCE_ATTRIBUTE, SharedTriggerDeadLetterQueue

#: Every alarm treats missing data as not breaching (as :data:`lambda_constructs.monitoring.MISSING_DATA`).
_MISSING_DATA = cw.TreatMissingData.NOT_BREACHING
#: The fix an alarm on a shared failure queue gives.
FAILURE_RECORD_FIX = (
    "inspect the messages (requestContext.functionArn names the function and the alias or version), fix the "
    "cause, then redrive them"
)
#: The fix an alarm on a shared trigger dead-letter queue gives.
TRIGGER_DLQ_FIX = (
    f"receive the messages with their {SOURCE_ATTRIBUTE} system attribute, which names the trigger queue (and so "
    "the function) each came from, fix the cause, then start a dead-letter-queue redrive without a destination: "
    "it returns every message to its source queue"
)


def queue_depth_alarm(
    scope: Construct,
    construct_id: str,
    queue: sqs.IQueue,
    *,
    thresholds: AlarmThresholds,
    topic: sns.ITopic,
    summary: str,
    fix: str = FAILURE_RECORD_FIX,
) -> cw.Alarm | None:
    """An alarm (construct id ``construct_id``) when ``queue`` holds ``thresholds.queue_messages`` or more
    visible messages, sending to ``topic`` on alarm and on return to OK.

    ``summary`` says what the messages are; the description names the queue's construct path and ``fix``
    (default: :data:`FAILURE_RECORD_FIX`).
    Returns None when ``thresholds.queue_messages`` is None (queue alarms switched off).
    """
    if thresholds.queue_messages is None:
        return None
    alarm = cw.Alarm(
        scope,
        construct_id,
        metric=queue.metric_approximate_number_of_messages_visible(period=thresholds.period, statistic="Maximum"),
        threshold=thresholds.queue_messages,
        evaluation_periods=thresholds.evaluation_periods,
        comparison_operator=cw.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        treat_missing_data=_MISSING_DATA,
        alarm_description=f"{queue.node.path}: {summary}. Fix: {fix}.",
    )
    action = cw_actions.SnsAction(topic)
    alarm.add_alarm_action(action)
    alarm.add_ok_action(action)
    return alarm


def shared_queues_widget(
    owner: str, queue: sqs.IQueue, dead_letter_queue: sqs.IQueue, *, period: Duration
) -> cw.GraphWidget:
    """The dashboard graph of a shared failure queue and its redrive queue: visible messages (Maximum per
    ``period``) of each, titled ``<owner>: shared failure queues`` (``owner``: the stack's or service's id)."""
    return cw.GraphWidget(
        title=f"{owner}: shared failure queues",
        left=[
            q.metric_approximate_number_of_messages_visible(
                period=period, statistic="Maximum", label=f"{name} messages"
            )
            for name, q in (("FailureQueue", queue), ("FailureDeadLetterQueue", dead_letter_queue))
        ],
        width=8,
    )


def shared_trigger_dead_letter_queue_widget(
    shared: SharedTriggerDeadLetterQueue, *, period: Duration
) -> cw.GraphWidget:
    """The dashboard graph of a stack's shared trigger dead-letter queue: visible messages (Maximum per
    ``period``), titled ``<stack id>: <queue construct id>``."""
    return cw.GraphWidget(
        title=f"{shared.stack.node.id}: {shared.construct_id}",
        left=[
            shared.queue.metric_approximate_number_of_messages_visible(
                period=period, statistic="Maximum", label=f"{shared.construct_id} messages"
            )
        ],
        width=8,
    )
