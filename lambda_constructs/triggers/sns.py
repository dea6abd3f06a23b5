"""Amazon SNS trigger: a topic subscription invoking the alias."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

from aws_cdk import aws_kms as kms
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_sns as sns

from lambda_constructs.compliance import LIBRARY_ACKNOWLEDGEMENTS, AcknowledgementKey, acknowledge
from lambda_constructs.errors import fail
from lambda_constructs.field_types import checked_fields
from lambda_constructs.structs import given_fields
from lambda_constructs.triggers._options import options_scope
from lambda_constructs.triggers._push import (
    PushSource,
    _Async,
    _dlq,
    _permission,
)
from lambda_constructs.triggers._queues import (
    allow_service_on_queue,
)
from lambda_constructs.triggers.base import TriggerResult

if TYPE_CHECKING:
    from lambda_constructs.contract import FunctionView


@checked_fields
@dataclass(frozen=True, kw_only=True)
class SnsTrigger(_Async):
    """Subscribe to an SNS topic. Pass ``topic`` or ``topic_props``, not both.

    A created topic is KMS-encrypted (the function's key unless ``encryption_key``) and TLS-only.
    The subscription gets its own encrypted dead-letter queue.
    """

    topic: sns.ITopic | None = None
    """An existing topic. Default: None (a topic is created)."""
    topic_props: sns.TopicProps | None = None
    """Overrides for the created topic. Default: None."""
    encryption_key: kms.IKey | None = None
    """Key of the created topic and the dead-letter queue. Default: the function's key."""
    filter_policy: Mapping[str, sns.SubscriptionFilter] | None = None
    """Message-attribute filter policy. Default: none (every message)."""

    def __post_init__(self) -> None:
        """Check the options that do not depend on the function (before any construct exists).

        Raises:
            LambdaConstructsError: both ``topic`` and ``topic_props``.
        """
        scope = options_scope(self)
        if self.topic is not None and self.topic_props is not None:
            raise fail(
                scope,
                "pass either topic (an existing topic) or topic_props (to create one), not both",
                value="topic + topic_props",
                fix="drop one of them",
            )

    def bind(self, fn: FunctionView, target: lambda_.IFunction, construct_id: str) -> TriggerResult:
        """Create the SNS subscription and permission on ``target`` (see the class docstring)."""
        source = PushSource(fn.construct, construct_id)
        key = self.encryption_key or fn.key
        topic = self.topic if self.topic is not None else self._create(source, key)
        dlq = _dlq(source, fn, key)
        allow_service_on_queue(dlq, "sns.amazonaws.com", topic.topic_arn)
        permission = _permission(source, target, "sns.amazonaws.com", topic.topic_arn, account=False)
        source.subscription = sns.Subscription(
            source,
            "Subscription",
            topic=topic,
            endpoint=target.function_arn,
            protocol=sns.SubscriptionProtocol.LAMBDA,
            filter_policy=dict(self.filter_policy) if self.filter_policy else None,
            dead_letter_queue=dlq,
        )
        source.subscription.node.add_dependency(permission)
        # cfn-lint W3694 expects a function for protocol lambda; an alias ARN is a valid endpoint.
        acknowledge(
            source.subscription,
            "CloudFormation-Validate::W3694",
            LIBRARY_ACKNOWLEDGEMENTS[AcknowledgementKey.SNS_ALIAS_ENDPOINT],
        )
        return source.result(self)

    def _create(self, source: PushSource, key: kms.IKey) -> sns.Topic:
        overrides = given_fields(self.topic_props) if self.topic_props is not None else {}
        source.topic = sns.Topic(source, "Topic", **{**overrides, "master_key": key, "enforce_ssl": True})
        return source.topic
