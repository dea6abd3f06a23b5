"""The example service: an orders API function and a reports worker."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from aws_cdk import Annotations, Duration, Stack
from constructs import Construct

from lambda_constructs import SecureFunction, SecureFunctionProps
from lambda_constructs.layers import PythonLayer, PythonLayerProps

RUNTIME_DIR = Path(__file__).resolve().parent.parent / "runtime"
#: Versions and Dev/Stage/Prod aliases of the functions (edited with `python -m lambda_constructs`).
RELEASES_FILE = Path(__file__).resolve().parent.parent / "releases.json"


class ServiceStack(Stack):
    """Two functions built with the library's defaults, sharing one dependency layer."""

    def __init__(self, scope: Construct, construct_id: str, **kwargs: Any) -> None:
        super().__init__(scope, construct_id, **kwargs)
        # One layer, bundled once without Docker, shared by both functions (a new layer version is
        # published only when requirements.txt changes; old versions are retained).
        self.shared_layer = PythonLayer(
            self,
            "SharedLayer",
            PythonLayerProps(
                requirements_dir=RUNTIME_DIR / "layers" / "shared",
                description="Powertools for AWS Lambda (Python) for the example service",
            ),
        )
        # Byte code is compiled only where a CPython of the runtime's version exists; the example is
        # synthesized on hosts that may lack one (docs/performance.md, "Byte code in bundles").
        Annotations.of(self.shared_layer).acknowledge_warning(
            "lambda-constructs:noBytecodeInterpreter",
            "the example app is synthesized on build hosts without the newest Python; its layer then ships "
            "without byte code (cold starts compile it), which the example accepts",
        )
        self.orders = SecureFunction(
            self,
            "Orders",
            SecureFunctionProps(
                code_dir=RUNTIME_DIR / "orders",
                handler="app.handler",
                description="Accepts orders (initialises clients outside the handler)",
                memory_size=512,
                timeout=Duration.seconds(10),
                environment={"POWERTOOLS_SERVICE_NAME": "orders", "ORDER_PREFIX": "order"},
                layers=[self.shared_layer],
                releases=RELEASES_FILE,
            ),
        )
        self.reports = SecureFunction(
            self,
            "Reports",
            SecureFunctionProps(
                code_dir=RUNTIME_DIR / "reports",
                handler="app.handler",
                description="Builds reports from queued requests",
                memory_size=1024,
                timeout=Duration.seconds(60),
                environment={"POWERTOOLS_SERVICE_NAME": "reports"},
                layers=[self.shared_layer],
                releases=RELEASES_FILE,
            ),
        )
