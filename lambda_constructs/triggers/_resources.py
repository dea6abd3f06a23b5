"""The construct every trigger creates at ``fn/<construct_id>``, and the result its ``bind`` returns.

Each trigger's ``bind`` creates one :class:`TriggerResources` (a subclass with the trigger's typed
attributes, e.g. ``RestApiResources.api``) and returns :meth:`TriggerResources.result`, the
:class:`~lambda_constructs.contract.TriggerResult` that ``fn.add_trigger`` returns and monitoring reads.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_sqs as sqs
from constructs import Construct

from lambda_constructs.contract import SourceKind, TriggerResult

if TYPE_CHECKING:
    from lambda_constructs.contract import Trigger


class TriggerResources(Construct):
    """What one trigger created, at ``fn/<construct_id>`` (subclasses add typed attributes).

    Attributes:
        construct_id: this construct's id (the trigger's construct id).
        permissions: the resource-based permissions the library added for the trigger, in order.
        dead_letter_queue: the queue for events the trigger could not deliver, else None.
    """

    def __init__(self, scope: Construct, construct_id: str) -> None:
        super().__init__(scope, construct_id)
        self.construct_id = construct_id
        self.permissions: list[lambda_.CfnPermission] = []
        self.dead_letter_queue: sqs.IQueue | None = None

    def result(
        self,
        trigger: Trigger,
        *,
        source: SourceKind = SourceKind.PUSH,
        failure_destination: sqs.IQueue | None = None,
    ) -> TriggerResult:
        """The immutable :class:`TriggerResult` of ``trigger``'s bind (read once the bind is done)."""
        return TriggerResult(
            trigger=trigger,
            construct_id=self.construct_id,
            kind=trigger.kind,
            source=source,
            resources=self,
            dead_letter_queue=self.dead_letter_queue,
            failure_destination=failure_destination,
            permissions=tuple(self.permissions),
        )
