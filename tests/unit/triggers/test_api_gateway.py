"""RestApiTrigger and HttpApiTrigger (lambda_constructs/triggers/api_gateway.py): options checked when the
trigger is created, before any construct exists; and the API each builds on its own stack (moved from
tests/unit/test_triggers_sync.py, whose shared-stack tests of these triggers stay there)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import aws_cdk as cdk
import pytest
from aws_cdk import Duration
from aws_cdk import aws_apigateway as apigw
from aws_cdk import aws_cognito as cognito
from aws_cdk.assertions import Annotations, Match, Template

from lambda_constructs import LambdaConstructsError, SecureFunction, SecureFunctionProps
from lambda_constructs.triggers import HttpApiTrigger, RestApiTrigger
from lambda_constructs.triggers.api_gateway import RestApiResources
from tests.helpers import new_stack

CODE = "def handler(event, context):\n    return {}\n"


def _fn(stack: cdk.Stack, name: str = "Fn", **props: Any) -> SecureFunction:
    return SecureFunction(stack, name, SecureFunctionProps(inline_code=CODE, **props))


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (
            lambda: RestApiTrigger(authorization="iam"),
            r"^RestApiTrigger\(authorization=\.\.\.\) must be one of .*'iam'",
        ),
        (
            lambda: RestApiTrigger(authorization="CUSTOM"),
            r"^RestApiTrigger\(authorization=\.\.\.\): authorization='CUSTOM' needs authorizer",
        ),
        (
            lambda: RestApiTrigger(integration_timeout=Duration.millis(10)),
            r"^RestApiTrigger\(integration_timeout=\.\.\.\) must be at least 50 ms",
        ),
        (lambda: RestApiTrigger(throttling_burst_limit=-1), r"^RestApiTrigger\(throttling_burst_limit=\.\.\.\) .*-1"),
        (
            lambda: HttpApiTrigger(authorization="JWT"),
            r"^HttpApiTrigger\(authorization=\.\.\.\): authorization='JWT' needs jwt_issuer",
        ),
        (
            lambda: HttpApiTrigger(authorization="JWT", jwt_issuer="http://issuer", jwt_audience=["c"]),
            r"^HttpApiTrigger\(jwt_issuer=\.\.\.\) must be an https:// URL",
        ),
        (
            lambda: HttpApiTrigger(authorization="COGNITO"),
            r"^HttpApiTrigger\(authorization=\.\.\.\): authorization='COGNITO' needs user_pool",
        ),
        (
            lambda: HttpApiTrigger(authorization="OPEN"),
            r"^HttpApiTrigger\(authorization=\.\.\.\) must be one of .*'OPEN'",
        ),
        (lambda: HttpApiTrigger(throttling_rate_limit=2e7), r"^HttpApiTrigger\(throttling_rate_limit=\.\.\.\)"),
    ],
)
def test_bad_option_fails_when_created(make: Callable[[], Any], message: str) -> None:
    with pytest.raises(LambdaConstructsError, match=message):
        make()


def test_open_api_with_a_reason_is_accepted() -> None:
    assert HttpApiTrigger(authorization="NONE", open_reason="public status page").open_reason == "public status page"


def test_rest_api_cognito_and_waf() -> None:
    stack = new_stack()
    fn = _fn(stack)
    pool = cognito.UserPool(stack, "Pool")
    trigger = RestApiTrigger(
        authorization="COGNITO", user_pools=[pool], web_acl_arn="arn:aws:wafv2:eu-west-1:1:regional/webacl/x/y"
    )
    result = fn.add_trigger(trigger, construct_id="Api")
    template = Template.from_stack(stack)
    template.has_resource_properties("AWS::ApiGateway::Authorizer", {"Type": "COGNITO_USER_POOLS"})
    template.has_resource_properties("AWS::ApiGateway::Method", {"AuthorizationType": "COGNITO_USER_POOLS"})
    template.has_resource_properties(
        "AWS::WAFv2::WebACLAssociation", {"WebACLArn": "arn:aws:wafv2:eu-west-1:1:regional/webacl/x/y"}
    )
    assert isinstance(result.resources, RestApiResources) and result.resources.web_acl_association is not None


def test_rest_api_open_without_reason_is_an_error() -> None:
    with pytest.raises(LambdaConstructsError, match=r"^RestApiTrigger\(.*explicit reason.*'NONE'"):
        RestApiTrigger(authorization="NONE")


def test_rest_api_open_with_reason_warns_and_is_open() -> None:
    stack = new_stack()
    _fn(stack).add_trigger(RestApiTrigger(authorization="NONE", open_reason="public health check"), construct_id="Api")
    Template.from_stack(stack).has_resource_properties("AWS::ApiGateway::Method", {"AuthorizationType": "NONE"})
    Annotations.from_stack(stack).has_warning("/TestStack/Fn/Api", Match.string_like_regexp("public health check"))


def test_rest_api_unknown_authorization_is_an_error() -> None:
    with pytest.raises(LambdaConstructsError, match=r"^RestApiTrigger\(authorization=\.\.\.\) must be .*'OPEN'"):
        RestApiTrigger(authorization="OPEN")


def test_rest_api_cognito_without_pools_is_an_error() -> None:
    with pytest.raises(LambdaConstructsError, match=r"^RestApiTrigger\(.*needs user_pools"):
        RestApiTrigger(authorization="COGNITO")


def test_rest_api_integration_timeout_too_short_is_an_error() -> None:
    with pytest.raises(LambdaConstructsError, match=r"^RestApiTrigger\(integration_timeout=\.\.\.\) .*0\.01 s"):
        RestApiTrigger(integration_timeout=cdk.Duration.millis(10))


def test_rest_api_warns_when_function_outlives_the_integration() -> None:
    stack = new_stack()
    _fn(stack, timeout=cdk.Duration.seconds(60)).add_trigger(RestApiTrigger(), construct_id="Api")
    Annotations.from_stack(stack).has_warning(
        "/TestStack/Fn/Api", Match.string_like_regexp("integrationTimeoutShorterThanFunction|waits only 29 s")
    )


def test_rest_api_gives_a_default_timeout_the_integration_timeout_without_warning() -> None:
    stack = new_stack()
    fn = _fn(stack)
    assert fn.timeout_is_default
    fn.add_trigger(RestApiTrigger(), construct_id="Api")
    Template.from_stack(stack).has_resource_properties("AWS::Lambda::Function", {"Timeout": 29})
    assert fn.props.timeout.to_seconds() == 29 and not fn.timeout_is_default
    assert Annotations.from_stack(stack).find_warning("*", Match.any_value()) == []


def test_rest_api_keeps_an_explicit_timeout_and_warns() -> None:
    stack = new_stack()
    fn = _fn(stack, timeout=cdk.Duration.seconds(30))  # the default's value, but chosen: kept
    fn.add_trigger(RestApiTrigger(), construct_id="Api")
    Template.from_stack(stack).has_resource_properties("AWS::Lambda::Function", {"Timeout": 30})
    Annotations.from_stack(stack).has_warning("/TestStack/Fn/Api", Match.string_like_regexp("waits only 29 s"))


def test_rest_api_with_a_shorter_integration_timeout_shortens_a_default_function() -> None:
    stack = new_stack()
    _fn(stack).add_trigger(RestApiTrigger(integration_timeout=cdk.Duration.seconds(10)), construct_id="Api")
    Template.from_stack(stack).has_resource_properties("AWS::Lambda::Function", {"Timeout": 10})
    assert Annotations.from_stack(stack).find_warning("*", Match.any_value()) == []


def test_http_api_waits_30_s_so_a_default_function_fits_without_warning() -> None:
    stack = new_stack()
    _fn(stack).add_trigger(HttpApiTrigger(), construct_id="Http")
    Template.from_stack(stack).has_resource_properties("AWS::Lambda::Function", {"Timeout": 30})
    assert Annotations.from_stack(stack).find_warning("*", Match.any_value()) == []
    longer = new_stack(name="Longer")
    _fn(longer, timeout=cdk.Duration.seconds(31)).add_trigger(HttpApiTrigger(), construct_id="Http")
    Annotations.from_stack(longer).has_warning("/Longer/Fn/Http", Match.string_like_regexp("waits at most 30 s"))


def test_http_api_jwt_authorizer() -> None:
    stack = new_stack()
    _fn(stack).add_trigger(
        HttpApiTrigger(authorization="JWT", jwt_issuer="https://issuer.example.com", jwt_audience=["app"]),
        construct_id="Http",
    )
    template = Template.from_stack(stack)
    template.has_resource_properties(
        "AWS::ApiGatewayV2::Authorizer",
        {"AuthorizerType": "JWT", "JwtConfiguration": {"Issuer": "https://issuer.example.com", "Audience": ["app"]}},
    )
    template.has_resource_properties("AWS::ApiGatewayV2::Route", {"AuthorizationType": "JWT"})


def test_http_api_jwt_without_issuer_is_an_error() -> None:
    with pytest.raises(LambdaConstructsError, match=r"^HttpApiTrigger\(.*jwt_issuer and jwt_audience"):
        HttpApiTrigger(authorization="JWT")


def test_http_api_open_without_reason_is_an_error() -> None:
    with pytest.raises(LambdaConstructsError, match=r"^HttpApiTrigger\(.*explicit reason"):
        HttpApiTrigger(authorization="NONE")


def test_rest_api_options_of_another_authorization_fail_when_created() -> None:
    """An authorizer with the default IAM crashed at synth with a raw RuntimeError ('Authorizer: Resolution
    error ... must be attached to a RestApi'); user pools and scopes with IAM were silently ignored."""
    stack = new_stack()
    authorizer_fn = _fn(stack, "AuthorizerFn")
    authorizer = apigw.TokenAuthorizer(stack, "Authorizer", handler=authorizer_fn.function)
    pool = cognito.UserPool(stack, "Pool")
    cases = [
        (
            lambda: RestApiTrigger(authorizer=authorizer),
            "RestApiTrigger(authorizer=...) only applies with authorization='CUSTOM' (authorization is 'IAM'). "
            "Fix: pass authorization='CUSTOM' with authorizer, or drop authorizer",
        ),
        (
            lambda: RestApiTrigger(user_pools=[pool]),
            "RestApiTrigger(user_pools=...) only applies with authorization='COGNITO' (authorization is 'IAM'). "
            "Fix: pass authorization='COGNITO' with user_pools, or drop user_pools",
        ),
        (
            lambda: RestApiTrigger(authorization="CUSTOM", authorizer=authorizer, user_pools=[pool]),
            "RestApiTrigger(user_pools=...) only applies with authorization='COGNITO' (authorization is 'CUSTOM')",
        ),
        (
            lambda: RestApiTrigger(authorization="NONE", open_reason="public", authorization_scopes=["a/b"]),
            "RestApiTrigger(authorization_scopes=...) only applies with authorization='COGNITO' "
            "(authorization is 'NONE') (got ['a/b'])",
        ),
        (
            lambda: RestApiTrigger(authorization="COGNITO", user_pools=[pool], authorizer=authorizer),
            "RestApiTrigger(authorizer=...) only applies with authorization='CUSTOM' (authorization is 'COGNITO')",
        ),
    ]
    for make, message in cases:
        with pytest.raises(LambdaConstructsError) as caught:
            make()
        assert str(caught.value).startswith(message)
    # the valid combinations still build
    fn = _fn(stack)
    fn.add_trigger(RestApiTrigger(authorization="CUSTOM", authorizer=authorizer), construct_id="Custom")
    fn.add_trigger(
        RestApiTrigger(authorization="COGNITO", user_pools=[pool], authorization_scopes=["a/b"]), construct_id="Pools"
    )
    methods = Template.from_stack(stack).find_resources("AWS::ApiGateway::Method")
    assert {m["Properties"]["AuthorizationType"] for m in methods.values()} == {"CUSTOM", "COGNITO_USER_POOLS"}


def test_http_api_options_of_another_authorization_fail_when_created() -> None:
    """jwt_* without JWT and user_pool* without COGNITO were silently ignored (the default is IAM)."""
    stack = new_stack()
    pool = cognito.UserPool(stack, "Pool")
    client = pool.add_client("Client")
    cases = [
        (
            lambda: HttpApiTrigger(jwt_issuer="https://issuer.example.com"),
            "HttpApiTrigger(jwt_issuer=...) only applies with authorization='JWT' (authorization is 'IAM') "
            "(got 'https://issuer.example.com'). Fix: pass authorization='JWT' with jwt_issuer, or drop jwt_issuer",
        ),
        (
            lambda: HttpApiTrigger(user_pool=pool, user_pool_clients=[client]),
            "HttpApiTrigger(user_pool=...) only applies with authorization='COGNITO' (authorization is 'IAM'). "
            "Fix: pass authorization='COGNITO' with user_pool, or drop user_pool",
        ),
        (
            lambda: HttpApiTrigger(
                authorization="JWT", jwt_issuer="https://i.example.com", jwt_audience=["a"], user_pool_clients=[client]
            ),
            "HttpApiTrigger(user_pool_clients=...) only applies with authorization='COGNITO' (authorization is 'JWT')",
        ),
    ]
    for make, message in cases:
        with pytest.raises(LambdaConstructsError) as caught:
            make()
        assert str(caught.value).startswith(message)
    HttpApiTrigger(authorization="COGNITO", user_pool=pool, user_pool_clients=[client])
    HttpApiTrigger(authorization="JWT", jwt_issuer="https://i.example.com", jwt_audience=["a"])
