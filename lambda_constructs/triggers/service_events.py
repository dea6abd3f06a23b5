"""Events other AWS services emit to EventBridge (the default bus), as ready-made rules.

``ServiceEventTrigger.for_service("kms")`` matches the events the service sends directly (source and
detail-type as AWS emits them, EventBridge events reference); ``ServiceEventTrigger.api_calls("glue",
["StartJobRun"])`` matches its API calls recorded by CloudTrail (needs a trail with management
events). Both create an EventBridge rule targeting the alias with a retry policy and a per-rule,
KMS-encrypted dead-letter queue.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from aws_cdk import ArnFormat, CfnResource, Duration, RemovalPolicy, Stack
from aws_cdk import aws_events as events
from aws_cdk import aws_events_targets as targets
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_sqs as sqs
from constructs import Construct

from lambda_constructs import scanners
from lambda_constructs.compliance import LIBRARY_ACKNOWLEDGEMENTS, AcknowledgementKey, acknowledge, acknowledge_rule
from lambda_constructs.errors import fail
from lambda_constructs.field_types import checked_fields
from lambda_constructs.scanners import ignore_cfn_lint
from lambda_constructs.triggers._options import options_scope
from lambda_constructs.triggers._resources import TriggerResources
from lambda_constructs.triggers.access import BoundTrigger
from lambda_constructs.triggers.base import InvocationKind, TriggerResult
from lambda_constructs.validation import check_range, duration_seconds

if TYPE_CHECKING:
    from lambda_constructs.contract import FunctionView

#: The detail-type of API calls recorded by CloudTrail (management events).
CLOUDTRAIL_API_CALL = "AWS API Call via CloudTrail"
#: The detail-type of service events recorded by CloudTrail (e.g. Secrets Manager rotation results).
CLOUDTRAIL_SERVICE_EVENT = "AWS Service Event via CloudTrail"

#: Services whose events are ready-made: name -> (source, detail-types the service emits).
SERVICE_EVENTS: dict[str, tuple[str, tuple[str, ...]]] = {
    "kms": ("aws.kms", ("KMS CMK Rotation", "KMS Imported Key Material Expiration", "KMS CMK Deletion")),
    "secretsmanager": ("aws.secretsmanager", (CLOUDTRAIL_SERVICE_EVENT, CLOUDTRAIL_API_CALL)),
    "glue": (
        "aws.glue",
        (
            "Glue Job State Change",
            "Glue Job Run Status",
            "Glue Crawler State Change",
            "Glue Data Catalog Database State Change",
            "Glue Data Catalog Table State Change",
        ),
    ),
    "sagemaker": (
        "aws.sagemaker",
        (
            "SageMaker Training Job State Change",
            "SageMaker Processing Job State Change",
            "SageMaker Transform Job State Change",
            "SageMaker HyperParameter Tuning Job State Change",
            "SageMaker Endpoint State Change",
            "SageMaker Model Package State Change",
            "SageMaker Model Building Pipeline Execution Status Change",
        ),
    ),
    "rds": (
        "aws.rds",
        (
            "RDS DB Instance Event",
            "RDS DB Cluster Event",
            "RDS DB Snapshot Event",
            "RDS DB Cluster Snapshot Event",
            "RDS DB Parameter Group Event",
            "RDS DB Security Group Event",
        ),
    ),
    "config": (
        "aws.config",
        (
            "Config Rules Compliance Change",
            "Config Configuration Item Change",
            "Config Configuration Snapshot Delivery Status",
            "Config Rules Re-evaluation Status",
        ),
    ),
    "states": ("aws.states", ("Step Functions Execution Status Change",)),
    "iotevents": ("aws.iotevents", (CLOUDTRAIL_API_CALL,)),
    "elasticfilesystem": ("aws.elasticfilesystem", (CLOUDTRAIL_API_CALL,)),
}


class ServiceEventResources(TriggerResources):
    """What :class:`ServiceEventTrigger` created: ``rule``, ``dead_letter_queue``."""

    rule: events.Rule
    dead_letter_queue: sqs.IQueue


@checked_fields
@dataclass(frozen=True, kw_only=True)
class ServiceEventTrigger(BoundTrigger[ServiceEventResources]):
    """An EventBridge rule on an event bus (default: the account's default bus) targeting the alias.

    Prefer :meth:`for_service` and :meth:`api_calls`; the plain constructor takes any pattern.
    """

    source: Sequence[str]
    """Event sources (``aws.kms``) (required)."""
    detail_type: Sequence[str] = ()
    """Detail-types to match. Default: any."""
    detail: Mapping[str, Any] | None = None
    """Pattern on ``detail``. Default: any."""
    event_bus: events.IEventBus | None = None
    """Default: the default event bus (where AWS services send their events)."""
    description: str | None = None
    """Rule description. Default: generated from the pattern."""
    retry_attempts: int = 2
    """EventBridge retries, 0–185. Default: 2."""
    max_event_age: Duration = field(default_factory=lambda: Duration.hours(24))
    """60 s – 24 h. Default: 24 hours."""
    dead_letter_queue: sqs.IQueue | None = None
    """Where undeliverable events go. Default: a new KMS-encrypted (function key), TLS-only queue
    kept 14 days and retained."""

    @classmethod
    def for_service(
        cls,
        service: str,
        *,
        detail_types: Sequence[str] | None = None,
        detail: Mapping[str, Any] | None = None,
        **kwargs: Any,
    ) -> ServiceEventTrigger:
        """Events a service emits (see :data:`SERVICE_EVENTS`); ``detail_types`` narrows them."""
        if service not in SERVICE_EVENTS:
            raise fail_plain(
                "unknown service for ServiceEventTrigger.for_service",
                service,
                "use one of: " + ", ".join(SERVICE_EVENTS) + " (or ServiceEventTrigger.api_calls / source=...)",
            )
        source, known = SERVICE_EVENTS[service]
        chosen = tuple(detail_types) if detail_types is not None else known
        unknown = [name for name in chosen if name not in known]
        if unknown:
            raise fail_plain(
                f"{service} emits no such detail-type",
                unknown,
                "use some of: " + ", ".join(known),
            )
        return cls(source=[source], detail_type=list(chosen), detail=detail, **kwargs)

    @classmethod
    def api_calls(cls, service: str, event_names: Sequence[str] = (), **kwargs: Any) -> ServiceEventTrigger:
        """API calls to ``service`` (``kms``, ``glue`` …) recorded by CloudTrail; ``event_names`` narrows them."""
        detail: dict[str, Any] = {"eventSource": [f"{service}.amazonaws.com"]}
        if event_names:
            detail["eventName"] = list(event_names)
        return cls(source=[f"aws.{service}"], detail_type=[CLOUDTRAIL_API_CALL], detail=detail, **kwargs)

    @property
    def kind(self) -> InvocationKind:
        """EventBridge invokes asynchronously."""
        return InvocationKind.ASYNC

    @property
    def event_pattern(self) -> events.EventPattern:
        """The rule's pattern."""
        return events.EventPattern(
            source=list(self.source),
            detail_type=list(self.detail_type) or None,
            detail=dict(self.detail) if self.detail else None,
        )

    def __post_init__(self) -> None:
        """Check the options that do not depend on the function (before any construct exists).

        Raises:
            LambdaConstructsError: no event source, a retry count or event age out of range.
        """
        scope = options_scope(self)
        if not self.source:
            raise fail(
                scope, "source must name at least one event source", value=list(self.source), fix="e.g. ['aws.kms']"
            )
        check_range(scope, "retry_attempts", self.retry_attempts, 0, 185)
        check_range(scope, "max_event_age", duration_seconds(self.max_event_age), 60, 86400, "seconds")

    def bind(self, fn: FunctionView, target: lambda_.IFunction, construct_id: str) -> TriggerResult:
        """Create the rule and its dead-letter queue under ``fn/<construct_id>``."""
        res = ServiceEventResources(fn.construct, construct_id)
        res.dead_letter_queue = self.dead_letter_queue or _dead_letter_queue(res, fn)
        res.rule = events.Rule(
            res,
            "Rule",
            event_bus=self.event_bus,
            event_pattern=self.event_pattern,
            description=self.description or f"{', '.join(self.source)} events to {target.node.path}",
        )
        res.rule.add_target(
            targets.LambdaFunction(
                target,
                dead_letter_queue=res.dead_letter_queue,
                retry_attempts=self.retry_attempts,
                max_event_age=self.max_event_age,
            )
        )
        # aws-cdk-lib's permission for the rule (a child of the rule, or of the target in another stack):
        # the target's EventInvokeConfig is matched by Qualifier, which cfn-lint-serverless ES1007 does not read.
        for child in [*res.rule.node.children, *target.node.children]:
            if child.node.id.startswith("AllowEventRule") and isinstance(child, CfnResource):
                ignore_cfn_lint(child, "ES1007")
        return self._result(res)


def fail_plain(message: str, value: object, fix: str) -> Exception:
    """An error raised before there is a construct (in a factory method)."""
    from lambda_constructs.errors import LambdaConstructsError

    return LambdaConstructsError("ServiceEventTrigger", message, value=value, fix=fix)


def _dead_letter_queue(scope: Construct, fn: FunctionView) -> sqs.Queue:
    """A terminal queue for undeliverable events, encrypted with the function's key."""
    queue = sqs.Queue(
        scope,
        "DeadLetterQueue",
        encryption=sqs.QueueEncryption.KMS,
        encryption_master_key=fn.key,
        enforce_ssl=True,
        retention_period=Duration.days(14),
        removal_policy=RemovalPolicy.RETAIN,
    )
    scanners.created(queue, "AWS::SQS::Queue")
    acknowledge(queue, "AwsSolutions-SQS3", LIBRARY_ACKNOWLEDGEMENTS[AcknowledgementKey.EVENTBRIDGE_DLQ])
    acknowledge_rule(
        queue,
        "SQSRedrivePolicy",
        LIBRARY_ACKNOWLEDGEMENTS[AcknowledgementKey.EVENTBRIDGE_DLQ_REDRIVE],
        ("Serverless",),
    )
    # EventBridge encrypts with the key for rules of this account and region; a SourceArn of the
    # rule itself would be circular (key -> rule -> queue -> key).
    fn.key.add_to_resource_policy(
        iam.PolicyStatement(
            principals=[iam.ServicePrincipal("events.amazonaws.com")],
            actions=["kms:GenerateDataKey", "kms:Decrypt"],
            resources=["*"],
            conditions={
                "ArnLike": {
                    "aws:SourceArn": Stack.of(scope).format_arn(
                        service="events", resource="rule", resource_name="*", arn_format=ArnFormat.SLASH_RESOURCE_NAME
                    )
                }
            },
        )
    )
    return queue
