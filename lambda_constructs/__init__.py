"""lambda-constructs: secure, observable, promotable AWS Lambda functions for AWS CDK v2.

The names below are imported on first use (PEP 562), so that command-line tools of the package
(``python -m lambda_constructs.parallel``) start without loading aws-cdk-lib into a jsii kernel.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from lambda_constructs._lazy import LazyExports

if TYPE_CHECKING:
    from lambda_constructs.errors import LambdaConstructsError, LambdaConstructsTypeError
    from lambda_constructs.function import SecureFunction, SecureFunctionProps
    from lambda_constructs.languages import ContainerImage, NodejsBundling
    from lambda_constructs.network import EgressRule, FunctionEndpoints
    from lambda_constructs.releases import AliasSpec, FunctionReleaseSet, ReleaseRecord, load_record
    from lambda_constructs.roles import ExecutionRole
    from lambda_constructs.secrets import SecretReference
    from lambda_constructs.service import LambdaService, LambdaServiceProps

__version__ = "0.1.0"

#: Public name -> the module that defines it.
_EXPORTS = {
    "AliasSpec": "lambda_constructs.releases",
    "ContainerImage": "lambda_constructs.languages",
    "EgressRule": "lambda_constructs.network",
    "ExecutionRole": "lambda_constructs.roles",
    "FunctionEndpoints": "lambda_constructs.network",
    "FunctionReleaseSet": "lambda_constructs.releases",
    "LambdaConstructsError": "lambda_constructs.errors",
    "LambdaConstructsTypeError": "lambda_constructs.errors",
    "LambdaService": "lambda_constructs.service",
    "LambdaServiceProps": "lambda_constructs.service",
    "NodejsBundling": "lambda_constructs.languages",
    "ReleaseRecord": "lambda_constructs.releases",
    "SecretReference": "lambda_constructs.secrets",
    "SecureFunction": "lambda_constructs.function",
    "SecureFunctionProps": "lambda_constructs.function",
    "load_record": "lambda_constructs.releases",
}

__all__ = [
    "AliasSpec",
    "ContainerImage",
    "EgressRule",
    "ExecutionRole",
    "FunctionEndpoints",
    "FunctionReleaseSet",
    "LambdaConstructsError",
    "LambdaConstructsTypeError",
    "LambdaService",
    "LambdaServiceProps",
    "NodejsBundling",
    "ReleaseRecord",
    "SecretReference",
    "SecureFunction",
    "SecureFunctionProps",
    "__version__",
    "load_record",
]


_LAZY = LazyExports(globals(), _EXPORTS)


def __getattr__(name: str) -> Any:
    return _LAZY.load(name)


def __dir__() -> list[str]:
    return _LAZY.names()
