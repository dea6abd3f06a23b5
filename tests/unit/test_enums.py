"""lambda_constructs.enums: str enums for options that were free strings; the old strings keep working."""

from __future__ import annotations

import json
from typing import Any

import pytest
from aws_cdk import aws_cognito as cognito
from aws_cdk.assertions import Template

from lambda_constructs import LambdaConstructsError, SecureFunction, SecureFunctionProps
from lambda_constructs.enums import AlarmSet, HttpApiAuthorization, OptionEnum, RestApiAuthorization
from lambda_constructs.monitoring import ServiceMonitoring, ServiceMonitoringProps
from lambda_constructs.triggers import HttpApiTrigger, RestApiTrigger
from tests.helpers import new_stack

CODE = "def handler(event, context):\n    return 1\n"
ENUMS: tuple[type[OptionEnum], ...] = (RestApiAuthorization, HttpApiAuthorization, AlarmSet)


@pytest.mark.parametrize("enum", ENUMS, ids=lambda e: e.__name__)
def test_old_strings_and_members_are_accepted(enum: type[OptionEnum]) -> None:
    for member in enum:
        assert member == member.value and isinstance(member, str)  # compares equal to the old string
        assert enum.of(member.value) is member
        assert enum.of(member) is member


def test_the_sets_are_the_ones_the_triggers_document() -> None:
    assert [m.value for m in RestApiAuthorization] == ["IAM", "COGNITO", "CUSTOM", "NONE"]
    assert [m.value for m in HttpApiAuthorization] == ["IAM", "JWT", "COGNITO", "NONE"]
    assert [m.value for m in AlarmSet] == ["compact", "full"]


@pytest.mark.parametrize(("enum", "bad"), [(RestApiAuthorization, "iam"), (RestApiAuthorization, "JWT"),
                                           (HttpApiAuthorization, "CUSTOM"), (HttpApiAuthorization, "")])  # fmt: skip
def test_other_strings_fail_with_the_allowed_values(enum: type[OptionEnum], bad: str) -> None:
    allowed = ", ".join(m.value for m in enum)
    with pytest.raises(LambdaConstructsError) as caught:
        enum.of(bad, path="S/Fn/Api", option="authorization")
    text = str(caught.value)
    assert text.startswith(f"S/Fn/Api: authorization must be one of {allowed} (got {bad!r})")
    assert f"Fix: pass {enum.__name__}.<" in text
    assert caught.value.path == "S/Fn/Api" and caught.value.value == bad
    with pytest.raises(LambdaConstructsError, match=r"\(got '.*'\)\. Fix: use 'IAM' \(default\)$"):
        enum.of(bad, option="authorization", fix="use 'IAM' (default)")


def synth(trigger: Any) -> dict[str, Any]:
    stack = new_stack()
    SecureFunction(stack, "Fn", SecureFunctionProps(inline_code=CODE)).add_trigger(trigger, construct_id="Api")
    return Template.from_stack(stack).to_json()  # type: ignore[no-any-return]


def authorization_types(template: dict[str, Any], resource_type: str) -> set[str]:
    return {
        r["Properties"].get("AuthorizationType", "NONE")
        for r in template["Resources"].values()
        if r["Type"] == resource_type
    }


REST_CASES: list[tuple[RestApiAuthorization, dict[str, Any]]] = [
    (RestApiAuthorization.IAM, {}),
    (RestApiAuthorization.NONE, {"open_reason": "public health check"}),
]
HTTP_CASES: list[tuple[HttpApiAuthorization, dict[str, Any]]] = [
    (HttpApiAuthorization.IAM, {}),
    (HttpApiAuthorization.JWT, {"jwt_issuer": "https://issuer.example.com", "jwt_audience": ["app"]}),
]


@pytest.mark.parametrize(("member", "options"), REST_CASES, ids=lambda v: str(v) if isinstance(v, str) else "")
def test_rest_api_trigger_takes_a_member_with_the_same_template(
    member: RestApiAuthorization, options: dict[str, Any]
) -> None:
    """Today's trigger (string comparisons) already accepts a member: same template as the string."""
    with_member = synth(RestApiTrigger(authorization=member, **options))
    assert json.dumps(with_member, sort_keys=True) == json.dumps(
        synth(RestApiTrigger(authorization=member.value, **options)), sort_keys=True
    )
    assert authorization_types(with_member, "AWS::ApiGateway::Method") == {member.cloudformation_value}


@pytest.mark.parametrize(("member", "options"), HTTP_CASES, ids=lambda v: str(v) if isinstance(v, str) else "")
def test_http_api_trigger_takes_a_member_with_the_same_template(
    member: HttpApiAuthorization, options: dict[str, Any]
) -> None:
    with_member = synth(HttpApiTrigger(authorization=member, **options))
    assert json.dumps(with_member, sort_keys=True) == json.dumps(
        synth(HttpApiTrigger(authorization=member.value, **options)), sort_keys=True
    )
    assert authorization_types(with_member, "AWS::ApiGatewayV2::Route") == {member.cloudformation_value}


def test_cognito_maps_to_each_api_kind_s_cloudformation_type() -> None:
    stack = new_stack()
    pool = cognito.UserPool(stack, "Pool")
    fn = SecureFunction(stack, "Fn", SecureFunctionProps(inline_code=CODE))
    fn.add_trigger(RestApiTrigger(authorization=RestApiAuthorization.COGNITO, user_pools=[pool]), construct_id="Rest")
    client = pool.add_client("Client")
    fn.add_trigger(
        HttpApiTrigger(authorization=HttpApiAuthorization.COGNITO, user_pool=pool, user_pool_clients=[client]),
        construct_id="Http",
    )
    template = Template.from_stack(stack).to_json()
    assert authorization_types(template, "AWS::ApiGateway::Method") == {"COGNITO_USER_POOLS"}
    assert authorization_types(template, "AWS::ApiGatewayV2::Route") == {"JWT"}
    assert RestApiAuthorization.COGNITO.cloudformation_value == "COGNITO_USER_POOLS"
    assert HttpApiAuthorization.COGNITO.cloudformation_value == "JWT"


@pytest.mark.parametrize(("trigger", "expected"), [
    (lambda: RestApiTrigger(authorization="NONE", open_reason="public"), RestApiAuthorization.NONE),
    (lambda: RestApiTrigger(), RestApiAuthorization.IAM),
    (lambda: HttpApiTrigger(authorization="IAM"), HttpApiAuthorization.IAM),
    (lambda: HttpApiTrigger(authorization=HttpApiAuthorization.NONE, open_reason="public"), HttpApiAuthorization.NONE),
])  # fmt: skip
def test_a_trigger_holds_the_member_after_init(trigger: Any, expected: OptionEnum) -> None:
    assert trigger().authorization is expected


def test_the_unknown_authorization_error_keeps_its_fix() -> None:
    with pytest.raises(LambdaConstructsError) as caught:
        RestApiTrigger(authorization="iam")
    assert str(caught.value).startswith(
        "RestApiTrigger(authorization=...) must be one of IAM, COGNITO, CUSTOM, NONE (got 'iam')"
    )
    assert (
        "Fix: use 'IAM' (default), 'COGNITO' with user_pools, 'CUSTOM' with authorizer, or 'NONE' with open_reason"
        in str(caught.value)
    )
    with pytest.raises(
        LambdaConstructsError,
        match=r"^HttpApiTrigger\(authorization=\.\.\.\) must be one of IAM, JWT, COGNITO, NONE \(got 'CUSTOM'\)\. Fix: use 'IAM' \(default\), 'JWT'",
    ):
        HttpApiTrigger(authorization="CUSTOM")


def test_alarm_set_strings_become_members_and_others_fail() -> None:
    assert ServiceMonitoringProps().alarm_set is AlarmSet.COMPACT
    assert ServiceMonitoringProps(alarm_set="full").alarm_set is AlarmSet.FULL
    assert ServiceMonitoringProps(alarm_set=AlarmSet.FULL).alarm_set is AlarmSet.FULL
    # before the enum, any other string silently meant the compact set
    with pytest.raises(
        LambdaConstructsError,
        match=r"^ServiceMonitoringProps\(alarm_set=\.\.\.\) must be one of compact, full \(got 'Full'\)\. Fix: use AlarmSet\.COMPACT",
    ):
        ServiceMonitoringProps(alarm_set="Full")


def monitored(alarm_set: Any) -> dict[str, Any]:
    stack = new_stack()
    fn = SecureFunction(stack, "Fn", SecureFunctionProps(inline_code=CODE))
    ServiceMonitoring(stack, "Monitoring", ServiceMonitoringProps(functions=[fn], alarm_set=alarm_set))
    return Template.from_stack(stack).to_json()  # type: ignore[no-any-return]


@pytest.mark.parametrize("member", list(AlarmSet), ids=str)
def test_alarm_set_member_and_string_give_the_same_template(member: AlarmSet) -> None:
    with_member = monitored(member)
    assert json.dumps(with_member, sort_keys=True) == json.dumps(monitored(member.value), sort_keys=True)
    alarms = sum(1 for r in with_member["Resources"].values() if r["Type"] == "AWS::CloudWatch::Alarm")
    assert alarms > 0
