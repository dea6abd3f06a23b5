"""Languages beyond Python in the example app: the overview's Node.js handler behind an HTTPS endpoint."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from aws_cdk import Duration, Stack
from constructs import Construct

from lambda_constructs import SecureFunction, SecureFunctionProps
from lambda_constructs.triggers.push_sync import HttpApiTrigger

RUNTIME_DIR = Path(__file__).resolve().parent.parent / "runtime"


class PolyglotStack(Stack):
    """A Node.js function (runtime/hello_node/index.js) on the newest Node.js runtime.

    Its ``live`` alias sits behind an HTTP API (``HttpApiTrigger``: IAM auth, access logs, throttling).
    """

    def __init__(self, scope: Construct, construct_id: str, **kwargs: Any) -> None:
        super().__init__(scope, construct_id, **kwargs)
        self.hello_node = SecureFunction(
            self,
            "HelloNode",
            SecureFunctionProps(
                code_dir=RUNTIME_DIR / "hello_node",
                language="nodejs",
                description="The overview's Node.js handler (index.handler), bundled with esbuild",
                memory_size=256,
                timeout=Duration.seconds(10),
            ),
        )
        self.http_api = HttpApiTrigger()
        self.hello_node.add_trigger(self.http_api, construct_id="HttpApi")
