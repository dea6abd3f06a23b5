"""The example API: one SecureFunction behind authorized synchronous triggers."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from aws_cdk import Duration, Stack
from constructs import Construct

from lambda_constructs import SecureFunction, SecureFunctionProps
from lambda_constructs.triggers import (
    FunctionUrlTrigger,
    HttpApiTrigger,
    RestApiTrigger,
    ServiceEventTrigger,
    StepFunctionsTask,
)

RUNTIME_DIR = Path(__file__).resolve().parent.parent / "runtime"


class ApiStack(Stack):
    """An HTTP API and a REST API (IAM-authorized), an AWS_IAM function URL and a Step Functions task,
    all on the ``live`` alias; KMS key rotation events reach the same function through EventBridge."""

    def __init__(self, scope: Construct, construct_id: str, **kwargs: Any) -> None:
        super().__init__(scope, construct_id, **kwargs)
        self.api = SecureFunction(
            self,
            "Api",
            SecureFunctionProps(
                code_dir=RUNTIME_DIR / "api",
                handler="app.handler",
                description="Answers the example API",
                memory_size=256,
                timeout=Duration.seconds(10),
                environment={"POWERTOOLS_SERVICE_NAME": "api"},
            ),
        )
        self.http_api = HttpApiTrigger()
        self.rest_api = RestApiTrigger()
        self.url = FunctionUrlTrigger()
        self.workflow = StepFunctionsTask(payload_response_only=True)
        self.key_events = ServiceEventTrigger.for_service("kms", detail_types=["KMS CMK Rotation"])
        self.api.add_trigger(self.http_api, construct_id="HttpApi")
        self.api.add_trigger(self.rest_api, construct_id="RestApi")
        self.api.add_trigger(self.url, construct_id="Url")
        self.api.add_trigger(self.workflow, construct_id="Workflow")
        self.api.add_trigger(self.key_events, construct_id="KeyRotation")
