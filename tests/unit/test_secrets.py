"""Secret environment references: the ARN/name goes in, the value never; reads granted automatically."""

from __future__ import annotations

import json
from typing import Any

import pytest
from aws_cdk import aws_kms as kms
from aws_cdk import aws_secretsmanager as secretsmanager
from aws_cdk.assertions import Match, Template

from lambda_constructs import LambdaConstructsError, SecureFunction, SecureFunctionProps
from lambda_constructs.secrets import SecretReference
from tests.helpers import new_stack

INLINE = "def handler(event, context):\n    return {}\n"
ARN = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:db-AbCdEf"


@pytest.fixture(scope="module")
def template() -> Template:
    stack = new_stack()
    key = kms.Key(stack, "ParamKey", enable_key_rotation=True)
    secret = secretsmanager.Secret(stack, "Secret")
    SecureFunction(
        stack,
        "Fn",
        SecureFunctionProps(
            inline_code=INLINE,
            params_and_secrets_extension=True,
            secret_environment={
                "SECRET_ARN": SecretReference.from_secret(secret),
                "OTHER_SECRET": SecretReference.from_secret(ARN),
                "PARAM_NAME": SecretReference.from_parameter("/app/db/password", key=key),
            },
        ),
    )
    return Template.from_stack(stack)


def test_environment_holds_references(template: Template) -> None:
    template.has_resource_properties(
        "AWS::Lambda::Function",
        {
            "Environment": {
                "Variables": Match.object_like(
                    {
                        "SECRET_ARN": {"Ref": Match.string_like_regexp("Secret")},
                        "OTHER_SECRET": ARN,
                        "PARAM_NAME": "/app/db/password",
                    }
                )
            },
            "Layers": [{"Fn::FindInMap": Match.any_value()}],
        },
    )
    assert "AWS-Parameters-and-Secrets-Lambda-Extension" in json.dumps(template.to_json()["Mappings"])


def _statements(template: Template, action: str) -> list[dict[str, Any]]:
    policies = template.find_resources("AWS::IAM::ManagedPolicy")
    statements = [s for p in policies.values() for s in p["Properties"]["PolicyDocument"]["Statement"]]
    return [s for s in statements if action in (s["Action"] if isinstance(s["Action"], list) else [s["Action"]])]


def test_reads_granted_on_those_resources_only(template: Template) -> None:
    (secret_read,) = _statements(template, "secretsmanager:GetSecretValue")
    assert secret_read["Action"] == ["secretsmanager:DescribeSecret", "secretsmanager:GetSecretValue"]
    resources = secret_read["Resource"]
    assert ARN in resources and len(resources) == 2
    assert any(isinstance(r, dict) and "Ref" in r for r in resources)
    (param_read,) = _statements(template, "ssm:GetParameter")
    assert ":parameter/app/db/password" in json.dumps(param_read["Resource"])
    decrypts = [s for s in _statements(template, "kms:Decrypt") if "Condition" in s]
    assert decrypts and "kms:ViaService" in decrypts[0]["Condition"]["StringEquals"]
    assert "ssm." in json.dumps(decrypts[0]["Condition"])


@pytest.mark.parametrize(
    "ref",
    [
        SecretReference.from_secret("arn:aws:s3:::not-a-secret"),
        SecretReference.from_secret("has spaces"),
        SecretReference.from_parameter("bad name!"),
        SecretReference.from_parameter("arn:aws:ssm:eu-west-1:123:parameter/x"),
    ],
)
def test_invalid_reference_rejected(ref: SecretReference) -> None:
    with pytest.raises(LambdaConstructsError, match=r"not (a|an) "):
        SecureFunction(new_stack(), "Fn", SecureFunctionProps(inline_code=INLINE, secret_environment={"VALUE": ref}))
