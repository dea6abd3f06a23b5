"""AWS Step Functions trigger: a state machine with one task invoking the alias."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from aws_cdk import CfnResource, Duration, RemovalPolicy
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_logs as logs
from aws_cdk import aws_stepfunctions as sfn
from aws_cdk import aws_stepfunctions_tasks as tasks

from lambda_constructs.field_types import checked_fields
from lambda_constructs.roles import SERVICE_ROLE_WILDCARDS, Role
from lambda_constructs.scanners import ignore_cfn_lint
from lambda_constructs.triggers._options import options_scope
from lambda_constructs.triggers._resources import TriggerResources
from lambda_constructs.triggers.access import BoundTrigger
from lambda_constructs.triggers.base import InvocationKind, TriggerResult
from lambda_constructs.validation import check_range, duration_seconds

if TYPE_CHECKING:
    from lambda_constructs.contract import FunctionView


class StepFunctionsResources(TriggerResources):
    """What :class:`StepFunctionsTask` created: ``task``, ``state_machine``, ``log_group``, ``role``."""

    task: tasks.LambdaInvoke
    state_machine: sfn.StateMachine
    log_group: logs.LogGroup
    role: Role


@checked_fields
@dataclass(frozen=True, kw_only=True)
class StepFunctionsTask(BoundTrigger[StepFunctionsResources]):
    """A state machine whose ``LambdaInvoke`` task calls the alias (RequestResponse).

    Logging (ALL, to a log group encrypted with the function's key) and X-Ray are on; the role holds
    only ``lambda:InvokeFunction`` on the alias (plus log delivery and X-Ray).
    ``state_machine_type=EXPRESS`` gives a state machine callers run with ``StartSyncExecution``.
    """

    state_machine_type: sfn.StateMachineType = sfn.StateMachineType.STANDARD
    """Default: STANDARD. EXPRESS for synchronous executions (``StartSyncExecution``)."""
    payload_response_only: bool = False
    """Task output is the function's payload only. Default: False (full Invoke response)."""
    retry_on_service_exceptions: bool = True
    """Retry Lambda service errors. Default: True."""
    timeout: Duration | None = None
    """Execution timeout. Default: none (STANDARD: 1 year; EXPRESS: 5 minutes)."""
    include_execution_data: bool = False
    """Log inputs/outputs. Default: False (payloads may hold personal data)."""

    @property
    def kind(self) -> InvocationKind:
        """Step Functions waits for the answer."""
        return InvocationKind.SYNC

    def __post_init__(self) -> None:
        """Check the options that do not depend on the function (before any construct exists).

        Raises:
            LambdaConstructsError: a timeout above 5 minutes for an EXPRESS state machine.
        """
        scope = options_scope(self)
        if self.timeout is not None and self.state_machine_type == sfn.StateMachineType.EXPRESS:
            check_range(scope, "timeout of an EXPRESS state machine", duration_seconds(self.timeout), 1, 300, "seconds")

    def bind(self, fn: FunctionView, target: lambda_.IFunction, construct_id: str) -> TriggerResult:
        """Create the task, its role and the state machine under ``fn/<construct_id>``."""
        res = StepFunctionsResources(fn.construct, construct_id)
        res.role = Role(
            res,
            "Role",
            boundary=fn.permissions_boundary,
            wildcard_policies=SERVICE_ROLE_WILDCARDS,
            assumed_by=iam.ServicePrincipal("states.amazonaws.com"),
            description="State machine role",
        )
        res.task = tasks.LambdaInvoke(
            res,
            "Invoke",
            lambda_function=target,
            payload_response_only=self.payload_response_only or None,
            retry_on_service_exceptions=self.retry_on_service_exceptions,
        )
        res.log_group = logs.LogGroup(
            res,
            "Logs",
            encryption_key=fn.key,
            retention=fn.props.log_retention,
            removal_policy=RemovalPolicy.RETAIN,
        )
        res.state_machine = sfn.StateMachine(
            res,
            "StateMachine",
            definition_body=sfn.DefinitionBody.from_chainable(res.task),
            role=res.role,
            state_machine_type=self.state_machine_type,
            timeout=self.timeout,
            tracing_enabled=True,
            logs=sfn.LogOptions(
                destination=res.log_group,
                level=sfn.LogLevel.ALL,
                include_execution_data=self.include_execution_data,
            ),
            # Execution data encrypted with the function's key, as everything else the trigger stores.
            encryption_configuration=sfn.CustomerManagedEncryptionConfiguration(fn.key),
        )
        state_machine = res.state_machine.node.default_child
        assert isinstance(state_machine, CfnResource)
        ignore_cfn_lint(state_machine, "W3005")
        return self._result(res)
