"""CloudFormation model of ``AWS::SQS::Queue``, registered by :func:`lambda_constructs.local.models.register`.

moto 5.2.5's update of a queue applied ``VisibilityTimeout`` and ``ReceiveMessageWaitTimeSeconds``
only: a new ``RedrivePolicy`` (issue #21: the SQS trigger's source queue moved from its own dead-letter
queue to the stack's shared one) left the queue sending to the old one while the stack reported
``UPDATE_COMPLETE``. Now every property but the create-only ``QueueName`` and ``FifoQueue`` (cfn-lint 1.58
``data/schemas/providers/us-east-1.json`` -> ``AWS::SQS::Queue``; its update handler is
``sqs:SetQueueAttributes`` and tagging) is set in place, a property that left the template goes back
to SQS's default, and the queue's ``Policy`` (from an ``AWS::SQS::QueuePolicy``) is kept: moto's
SetQueueAttributes cleared it whenever ``Policy`` was not among the attributes set.
"""

from __future__ import annotations

from typing import Any

from moto.core.common_models import CloudFormationModel
from moto.sqs.constants import MAXIMUM_MESSAGE_LENGTH
from moto.sqs.models import Queue as MotoQueue
from moto.sqs.models import sqs_backends

from lambda_constructs.local.model_base import BaseModel
from lambda_constructs.local.updates import NoUpdateSupportError

#: The attributes an update sets, with the default for a property that is not in the template (the
#: defaults moto's CreateQueue gives, SQS's: API reference, CreateQueue "Attributes"). ``RedrivePolicy``
#: empty = none. ``RedriveAllowPolicy``, which moto does not model, is set only when the template has it.
MUTABLE_DEFAULTS: dict[str, Any] = {
    "ContentBasedDeduplication": "false",
    "DeduplicationScope": "queue",
    "DelaySeconds": 0,
    "FifoThroughputLimit": "perQueue",
    "KmsDataKeyReusePeriodSeconds": 300,
    "KmsMasterKeyId": None,
    "MaximumMessageSize": MAXIMUM_MESSAGE_LENGTH,
    "MessageRetentionPeriod": 345600,
    "ReceiveMessageWaitTimeSeconds": 0,
    "RedrivePolicy": "",
    "SqsManagedSseEnabled": True,
    "VisibilityTimeout": 30,
}


class Queue(BaseModel):
    """``AWS::SQS::Queue``: moto's create and delete, an update of every mutable property in place."""

    CFN_TYPE = "AWS::SQS::Queue"
    CFN_NAME_TYPE = "QueueName"

    @classmethod
    def create_from_cloudformation_json(
        cls,
        resource_name: str,
        cloudformation_json: dict[str, Any],
        account_id: str,
        region_name: str,
        **kwargs: Any,
    ) -> MotoQueue:
        """CreateQueue (moto's model)."""
        queue: MotoQueue = MotoQueue.create_from_cloudformation_json(
            resource_name, cloudformation_json, account_id, region_name, **kwargs
        )
        return queue

    @classmethod
    def update_from_cloudformation_json(
        cls,
        original_resource: MotoQueue,
        new_resource_name: str,
        cloudformation_json: dict[str, Any],
        account_id: str,
        region_name: str,
    ) -> MotoQueue:
        """SetQueueAttributes of every mutable property (defaults for absent ones), then the tags.

        A new ``QueueName`` or ``FifoQueue`` replaces the queue on AWS: refused here.
        """
        props = cloudformation_json["Properties"]
        backend = sqs_backends[account_id][region_name]
        queue = backend.get_queue(original_resource.name)
        fifo = str(props.get("FifoQueue", False)).lower() == "true"
        if props.get("QueueName", queue.name) != queue.name or fifo != queue.fifo_queue:
            raise NoUpdateSupportError(
                "a new QueueName or FifoQueue replaces the queue; the emulator does not replace it"
            )
        attributes = {key: props.get(key, default) for key, default in MUTABLE_DEFAULTS.items()}
        if "RedriveAllowPolicy" in props:
            attributes["RedriveAllowPolicy"] = props["RedriveAllowPolicy"]
        attributes["Policy"] = queue.policy  # kept: moto's SetQueueAttributes would clear it
        backend.set_queue_attributes(queue.name, attributes)
        queue.tags = {t["Key"]: t["Value"] for t in props.get("Tags") or []}
        return queue

    @classmethod
    def delete_from_cloudformation_json(
        cls,
        resource_name: str,
        cloudformation_json: dict[str, Any],
        account_id: str,
        region_name: str,
    ) -> None:
        """DeleteQueue (moto's model; ``resource_name`` is the queue URL)."""
        MotoQueue.delete_from_cloudformation_json(resource_name, cloudformation_json, account_id, region_name)


MODELS: tuple[type[CloudFormationModel], ...] = (Queue,)
"""The models of this module."""
