"""lambda-constructs: secure, observable, promotable AWS Lambda functions for AWS CDK v2."""

from lambda_constructs.errors import LambdaConstructsError
from lambda_constructs.function import ExecutionRole, SecureFunction, SecureFunctionProps
from lambda_constructs.languages import ContainerImage, NodejsBundling
from lambda_constructs.network import EgressRule, FunctionEndpoints
from lambda_constructs.releases import AliasSpec, FunctionReleaseSet, ReleaseRecord, load_record
from lambda_constructs.secrets import SecretReference
from lambda_constructs.service import LambdaService, LambdaServiceProps

__version__ = "0.1.0"

__all__ = [
    "AliasSpec",
    "ContainerImage",
    "EgressRule",
    "ExecutionRole",
    "FunctionEndpoints",
    "FunctionReleaseSet",
    "LambdaConstructsError",
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
