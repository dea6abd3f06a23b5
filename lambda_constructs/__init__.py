"""lambda-constructs: secure, observable, promotable AWS Lambda functions for AWS CDK v2."""

__version__ = "0.1.0"
