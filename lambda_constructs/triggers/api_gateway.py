"""API Gateway triggers: a REST API (``RestApiTrigger``) or an HTTP API (``HttpApiTrigger``) in front
of the alias (one service, two API kinds sharing the integration-timeout check).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import jsii
from aws_cdk import Aws, Duration, RemovalPolicy
from aws_cdk import aws_apigateway as apigw
from aws_cdk import aws_apigatewayv2 as apigwv2
from aws_cdk import aws_apigatewayv2_authorizers as apigwv2_auth
from aws_cdk import aws_apigatewayv2_integrations as apigwv2_int
from aws_cdk import aws_cognito as cognito
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_logs as logs
from aws_cdk import aws_wafv2 as wafv2
from constructs import Construct, IConstruct

from lambda_constructs import scanners
from lambda_constructs.compliance import LIBRARY_ACKNOWLEDGEMENTS, AcknowledgementKey, acknowledge, acknowledge_rule
from lambda_constructs.enums import HttpApiAuthorization, RestApiAuthorization
from lambda_constructs.errors import fail, option_label, warn
from lambda_constructs.field_types import checked_fields
from lambda_constructs.roles import SERVICE_ROLE_WILDCARDS, Role
from lambda_constructs.scanners import ignore_cfn_lint
from lambda_constructs.triggers._options import check_options_need, options_scope
from lambda_constructs.triggers._resources import TriggerResources
from lambda_constructs.triggers._sync import (
    API_GATEWAY_MAX_TIMEOUT,
    HTTP_API_MAX_TIMEOUT,
    _access_log_group,
    _function_timeout,
    _require_reason,
)
from lambda_constructs.triggers.access import BoundTrigger
from lambda_constructs.triggers.base import InvocationKind, TriggerResult
from lambda_constructs.validation import check_range, is_token

if TYPE_CHECKING:
    from lambda_constructs.contract import FunctionView


class RestApiResources(TriggerResources):
    """What :class:`RestApiTrigger` created: ``api``, ``request_validator``, ``log_group``, ``authorizer``, ``web_acl_association``,
    ``cloud_watch_role`` (the account's API Gateway logging role, when created)."""

    api: apigw.LambdaRestApi
    request_validator: apigw.RequestValidator
    log_group: logs.LogGroup
    authorizer: apigw.IAuthorizer | None
    web_acl_association: wafv2.CfnWebACLAssociation | None
    cloud_watch_role: Role | None


@checked_fields
@dataclass(frozen=True, kw_only=True)
class RestApiTrigger(BoundTrigger[RestApiResources]):
    """API Gateway REST API (``LambdaRestApi``, proxy) in front of the alias, secure by default.

    Access logs (JSON) to a log group encrypted with the function's key, execution logs, X-Ray,
    stage throttling, a request validator on every method and an authorizer (IAM by default).
    """

    authorization: RestApiAuthorization | str = RestApiAuthorization.IAM
    """A :class:`~lambda_constructs.enums.RestApiAuthorization` (or its string): ``IAM`` (SigV4), ``COGNITO``
    (user pool JWTs, needs ``user_pools``), ``CUSTOM`` (needs ``authorizer``) or ``NONE`` (open; needs
    ``open_reason``). A string becomes the member in ``__post_init__``. Default: ``IAM``."""
    user_pools: Sequence[cognito.IUserPool] = ()
    """User pools whose tokens are accepted with ``COGNITO`` (only then). Default: none."""
    authorization_scopes: Sequence[str] = ()
    """OAuth scopes required with ``COGNITO`` (only then). Default: none (ID tokens accepted)."""
    authorizer: apigw.IAuthorizer | None = None
    """A Lambda (token/request) authorizer for ``CUSTOM`` (only then). Default: none."""
    open_reason: str | None = None
    """Why an open API (``NONE``) is intended: recorded as the cdk-nag acknowledgement. Default: none."""
    rest_api_name: str | None = None
    """Default: the construct path."""
    stage_name: str = "prod"
    """Default: ``prod``."""
    throttling_rate_limit: float = 100
    """Steady-state requests per second for the stage. Default: 100."""
    throttling_burst_limit: int = 200
    """Burst requests for the stage. Default: 200."""
    integration_timeout: Duration = field(default_factory=lambda: Duration.seconds(API_GATEWAY_MAX_TIMEOUT))
    """How long API Gateway waits for the function, 50 ms – 29 s (more needs a quota increase).
    Default: 29 seconds."""
    endpoint_type: apigw.EndpointType = apigw.EndpointType.REGIONAL
    """Default: regional."""
    web_acl_arn: str | None = None
    """A WAFv2 web ACL (scope REGIONAL) to associate with the stage. Default: none."""
    cloud_watch_role: bool = True
    """Create the account-level role API Gateway writes execution logs with (one per account and
    region; set False when another stack owns it). Default: True (retained)."""

    @property
    def kind(self) -> InvocationKind:
        """API Gateway waits for the answer."""
        return InvocationKind.SYNC

    def __post_init__(self) -> None:
        """Check the options that do not depend on the function (before any construct exists).

        Raises:
            LambdaConstructsError: an unknown authorization, one without what it needs (user pools, an authorizer, an open reason),
                an option of another authorization (``user_pools``/``authorization_scopes`` need ``COGNITO``,
                ``authorizer`` ``CUSTOM``), an integration timeout below 50 ms, or throttling out of range.
        """
        scope = options_scope(self)
        authorization = RestApiAuthorization.of(
            self.authorization,
            option=option_label(self, "authorization"),
            fix="use 'IAM' (default), 'COGNITO' with user_pools, 'CUSTOM' with authorizer, or 'NONE' with open_reason",
        )
        object.__setattr__(self, "authorization", authorization)
        if authorization is RestApiAuthorization.COGNITO and not self.user_pools:
            raise fail(
                scope,
                "authorization='COGNITO' needs user_pools",
                value=str(self.authorization),
                fix="pass user_pools=[pool]",
            )
        if self.authorization == RestApiAuthorization.CUSTOM and self.authorizer is None:
            raise fail(
                scope,
                "authorization='CUSTOM' needs authorizer",
                value=str(self.authorization),
                fix="pass authorizer=apigw.TokenAuthorizer(...)",
            )
        if self.authorization == RestApiAuthorization.NONE:
            _require_reason(scope, "the REST API", self.open_reason, str(self.authorization))
        check_options_need(  # else ignored, or an authorizer on no method (a raw RuntimeError at synth)
            self,
            "authorization",
            authorization,
            (
                ("user_pools", RestApiAuthorization.COGNITO),
                ("authorization_scopes", RestApiAuthorization.COGNITO),
                ("authorizer", RestApiAuthorization.CUSTOM),
            ),
        )
        _check_minimum_integration_timeout(scope, self.integration_timeout)
        check_range(scope, "throttling_rate_limit", self.throttling_rate_limit, 0, 1e7, "requests/s")
        check_range(scope, "throttling_burst_limit", self.throttling_burst_limit, 0, 1e7, "requests")

    def bind(self, fn: FunctionView, target: lambda_.IFunction, construct_id: str) -> TriggerResult:
        """Create the REST API under ``fn/<construct_id>``."""
        res = RestApiResources(fn.construct, construct_id)
        method_options = self._method_options(res)
        _check_integration_timeout(res, fn, self.integration_timeout)
        res.log_group = _access_log_group(res, fn)
        res.api = apigw.LambdaRestApi(
            res,
            "Api",
            handler=target,
            proxy=True,
            rest_api_name=self.rest_api_name or res.node.path.replace("/", "-"),
            cloud_watch_role=False,
            endpoint_configuration=apigw.EndpointConfiguration(types=[self.endpoint_type]),
            integration_options=apigw.LambdaIntegrationOptions(timeout=self.integration_timeout),
            default_method_options=method_options,
            deploy_options=apigw.StageOptions(
                stage_name=self.stage_name,
                access_log_destination=apigw.LogGroupLogDestination(res.log_group),
                access_log_format=apigw.AccessLogFormat.json_with_standard_fields(
                    caller=True,
                    http_method=True,
                    ip=True,
                    protocol=True,
                    request_time=True,
                    resource_path=True,
                    response_length=True,
                    status=True,
                    user=True,
                ),
                tracing_enabled=True,
                logging_level=apigw.MethodLoggingLevel.INFO,
                data_trace_enabled=False,
                metrics_enabled=True,
                throttling_rate_limit=self.throttling_rate_limit,
                throttling_burst_limit=self.throttling_burst_limit,
            ),
        )
        res.request_validator = res.api.add_request_validator(
            "RequestValidator", validate_request_parameters=True, validate_request_body=True
        )
        for child in res.api.node.find_all():
            if isinstance(child, apigw.CfnMethod):
                child.request_validator_id = res.request_validator.request_validator_id
        res.cloud_watch_role = self._account_role(res, fn) if self.cloud_watch_role else None
        res.web_acl_association = None
        stage = res.api.deployment_stage  # read once (a jsii round trip per read)
        scanners.created(stage, "AWS::ApiGateway::Stage")  # LambdaRestApi created it in this bind
        if self.web_acl_arn is not None:
            res.web_acl_association = wafv2.CfnWebACLAssociation(
                res, "WebAclAssociation", resource_arn=stage.stage_arn, web_acl_arn=self.web_acl_arn
            )
        else:
            for rule in (
                "AwsSolutions-APIG3",
                "NIST.800.53.R5-APIGWAssociatedWithWAF",
                "PCI.DSS.321-APIGWAssociatedWithWAF",
            ):
                acknowledge(stage, rule, LIBRARY_ACKNOWLEDGEMENTS[AcknowledgementKey.API_WAF])
        acknowledge_rule(
            stage,
            "APIGWCacheEnabledAndEncrypted",
            LIBRARY_ACKNOWLEDGEMENTS[AcknowledgementKey.API_CACHE],
            ("NIST.800.53.R5", "HIPAA.Security", "PCI.DSS.321"),
        )
        acknowledge_rule(
            stage,
            "APIGWSSLEnabled",
            LIBRARY_ACKNOWLEDGEMENTS[AcknowledgementKey.API_CLIENT_CERTIFICATE],
            ("NIST.800.53.R5", "HIPAA.Security", "PCI.DSS.321"),
        )
        if self.authorization == RestApiAuthorization.NONE:
            reason = str(self.open_reason)  # required by __post_init__
            warn(res, "openApi", f"the REST API has no authorizer ({reason})")
            acknowledge(res.api, "AwsSolutions-APIG4", reason)
            acknowledge(res.api, "AwsSolutions-COG4", reason)
        elif self.authorization != RestApiAuthorization.COGNITO:
            acknowledge(res.api, "AwsSolutions-COG4", LIBRARY_ACKNOWLEDGEMENTS[AcknowledgementKey.API_NOT_COGNITO])
        return self._result(res)

    def _method_options(self, res: RestApiResources) -> apigw.MethodOptions:
        res.authorizer = None
        if self.authorization == RestApiAuthorization.IAM:
            return apigw.MethodOptions(authorization_type=apigw.AuthorizationType.IAM)
        if self.authorization == RestApiAuthorization.COGNITO:
            res.authorizer = apigw.CognitoUserPoolsAuthorizer(
                res, "Authorizer", cognito_user_pools=list(self.user_pools)
            )
            return apigw.MethodOptions(
                authorization_type=apigw.AuthorizationType.COGNITO,
                authorizer=res.authorizer,
                authorization_scopes=list(self.authorization_scopes) or None,
            )
        if self.authorization == RestApiAuthorization.CUSTOM:
            res.authorizer = self.authorizer
            return apigw.MethodOptions(
                authorization_type=apigw.AuthorizationType.CUSTOM,
                authorizer=self.authorizer,
            )
        # NONE (__post_init__ accepts nothing else)
        return apigw.MethodOptions(authorization_type=apigw.AuthorizationType.NONE)

    def _account_role(self, res: RestApiResources, fn: FunctionView) -> Role:
        role = Role(
            res,
            "CloudWatchRole",
            boundary=fn.permissions_boundary,
            wildcard_policies=SERVICE_ROLE_WILDCARDS,
            assumed_by=iam.ServicePrincipal("apigateway.amazonaws.com"),
            description="API Gateway account role for execution logs",
        )
        log_groups = f"arn:{Aws.PARTITION}:logs:{Aws.REGION}:{Aws.ACCOUNT_ID}:log-group:"
        # logs:DescribeLogGroups supports no resource-level permission (Service Authorization Reference,
        # https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazoncloudwatchlogs.html):
        # on * in the role's LogDeliveryPolicy (a service Role puts logs:* statements on * there), acknowledged here.
        reason = LIBRARY_ACKNOWLEDGEMENTS[AcknowledgementKey.API_EXECUTION_LOGS_ROLE]
        describe = iam.ManagedPolicy(
            role, "LogDeliveryPolicy", roles=[role], description="logs:* without resource ARNs"
        )
        acknowledge(describe, "AwsSolutions-IAM5[Resource::*]", reason)
        role.add_to_principal_policy(iam.PolicyStatement(actions=["logs:DescribeLogGroups"], resources=["*"]))
        role.add_to_principal_policy(
            iam.PolicyStatement(
                actions=[
                    "logs:CreateLogGroup",
                    "logs:CreateLogStream",
                    "logs:DescribeLogStreams",
                    "logs:PutLogEvents",
                    "logs:GetLogEvents",
                    "logs:FilterLogEvents",
                ],
                resources=[
                    f"{log_groups}API-Gateway-Execution-Logs_*",
                    f"{log_groups}API-Gateway-Execution-Logs_*:log-stream:*",
                ],
            )
        )
        arn = "arn:<AWS::Partition>:logs:<AWS::Region>:<AWS::AccountId>:log-group:"
        for resource in ("API-Gateway-Execution-Logs_*", "API-Gateway-Execution-Logs_*:log-stream:*"):
            acknowledge(role.policy, f"AwsSolutions-IAM5[Resource::{arn}{resource}]", reason)
        role.apply_removal_policy(RemovalPolicy.RETAIN)
        account = apigw.CfnAccount(res, "Account", cloud_watch_role_arn=role.role_arn)
        account.apply_removal_policy(RemovalPolicy.RETAIN)
        account.node.add_dependency(role)
        ignore_cfn_lint(account, "W3005")
        res.api.deployment_stage.node.add_dependency(account)
        return role


def _check_minimum_integration_timeout(scope: IConstruct, timeout: Duration) -> None:
    if is_token(timeout.to_milliseconds()):
        return
    seconds = timeout.to_milliseconds() / 1000
    if seconds < 0.05:
        raise fail(
            scope,
            "integration_timeout must be at least 50 ms",
            value=f"{seconds:g} s",
            fix="use at least Duration.millis(50)",
        )


def _check_integration_timeout(scope: Construct, fn: FunctionView, timeout: Duration) -> None:
    """The warnings about ``timeout`` and the function's timeout (which it may lower to ``timeout``)."""
    if is_token(timeout.to_milliseconds()):
        return
    seconds = timeout.to_milliseconds() / 1000
    if seconds > API_GATEWAY_MAX_TIMEOUT:
        warn(
            scope,
            "integrationTimeoutQuota",
            f"integration_timeout {seconds:g} s exceeds API Gateway's default {API_GATEWAY_MAX_TIMEOUT} s; "
            "it needs a Service Quotas increase (regional/private REST APIs only)",
        )
    # A function whose timeout was left at the default (30 s) gets one the API can wait for.
    fn.fit_default_timeout(int(seconds))
    fn_seconds = _function_timeout(fn)
    if fn_seconds is not None and fn_seconds > seconds:
        warn(
            scope,
            "integrationTimeoutShorterThanFunction",
            f"the function may run {fn_seconds:g} s but API Gateway waits only {seconds:g} s: callers get 504 "
            f"while the function keeps running (API Gateway's default maximum is {API_GATEWAY_MAX_TIMEOUT} s)",
        )


class HttpApiResources(TriggerResources):
    """What :class:`HttpApiTrigger` created: ``api``, ``stage``, ``log_group``, ``authorizer``."""

    api: apigwv2.HttpApi
    stage: apigwv2.HttpStage
    log_group: logs.LogGroup
    authorizer: apigwv2.IHttpRouteAuthorizer | None


@checked_fields
@dataclass(frozen=True, kw_only=True)
class HttpApiTrigger(BoundTrigger[HttpApiResources]):
    """API Gateway HTTP API (``$default`` route → alias) with an authorizer, access logs and throttling."""

    authorization: HttpApiAuthorization | str = HttpApiAuthorization.IAM
    """A :class:`~lambda_constructs.enums.HttpApiAuthorization` (or its string): ``IAM`` (SigV4), ``JWT`` (needs
    ``jwt_issuer`` and ``jwt_audience``), ``COGNITO`` (needs ``user_pool`` and ``user_pool_clients``) or ``NONE``
    (needs ``open_reason``). A string becomes the member in ``__post_init__``. Default: ``IAM``."""
    jwt_issuer: str | None = None
    """Issuer URL (``https://…``) for ``JWT``. Default: none."""
    jwt_audience: Sequence[str] = ()
    """Accepted ``aud`` values for ``JWT``. Default: none."""
    user_pool: cognito.IUserPool | None = None
    """User pool for ``COGNITO``. Default: none."""
    user_pool_clients: Sequence[cognito.IUserPoolClient] = ()
    """App clients accepted with ``COGNITO``. Default: none."""
    open_reason: str | None = None
    """Why an open API (``NONE``) is intended. Default: none."""
    throttling_rate_limit: float = 100
    """Default route requests per second. Default: 100."""
    throttling_burst_limit: int = 200
    """Default route burst. Default: 200."""
    cors: apigwv2.CorsPreflightOptions | None = None
    """CORS preflight. Default: none."""

    @property
    def kind(self) -> InvocationKind:
        """API Gateway waits for the answer."""
        return InvocationKind.SYNC

    def __post_init__(self) -> None:
        """Check the options that do not depend on the function (before any construct exists).

        Raises:
            LambdaConstructsError: an unknown authorization, one without what it needs (issuer and audience, a user pool and clients, an open reason),
                an option of another authorization (``jwt_*`` need ``JWT``, ``user_pool*`` ``COGNITO``), or throttling out of range.
        """
        scope = options_scope(self)
        authorization = HttpApiAuthorization.of(
            self.authorization,
            option=option_label(self, "authorization"),
            fix="use 'IAM' (default), 'JWT', 'COGNITO' or 'NONE' with open_reason",
        )
        object.__setattr__(self, "authorization", authorization)
        if authorization is HttpApiAuthorization.JWT:
            if not self.jwt_issuer or not self.jwt_audience:
                raise fail(
                    scope,
                    "authorization='JWT' needs jwt_issuer and jwt_audience",
                    value={"jwt_issuer": self.jwt_issuer, "jwt_audience": list(self.jwt_audience)},
                    fix="pass jwt_issuer='https://issuer' and jwt_audience=['client-id']",
                )
            if not is_token(self.jwt_issuer) and not self.jwt_issuer.startswith("https://"):
                raise fail(
                    scope, "jwt_issuer must be an https:// URL", value=self.jwt_issuer, fix="use the issuer's https URL"
                )
        if self.authorization == HttpApiAuthorization.COGNITO and (
            self.user_pool is None or not self.user_pool_clients
        ):
            raise fail(
                scope,
                "authorization='COGNITO' needs user_pool and user_pool_clients",
                value=str(self.authorization),
                fix="pass user_pool=pool, user_pool_clients=[client]",
            )
        if self.authorization == HttpApiAuthorization.NONE:
            _require_reason(scope, "the HTTP API", self.open_reason, str(self.authorization))
        check_options_need(  # else ignored by _authorizer
            self,
            "authorization",
            authorization,
            (
                ("jwt_issuer", HttpApiAuthorization.JWT),
                ("jwt_audience", HttpApiAuthorization.JWT),
                ("user_pool", HttpApiAuthorization.COGNITO),
                ("user_pool_clients", HttpApiAuthorization.COGNITO),
            ),
        )
        check_range(scope, "throttling_rate_limit", self.throttling_rate_limit, 0, 1e7, "requests/s")
        check_range(scope, "throttling_burst_limit", self.throttling_burst_limit, 0, 1e7, "requests")

    def bind(self, fn: FunctionView, target: lambda_.IFunction, construct_id: str) -> TriggerResult:
        """Create the HTTP API under ``fn/<construct_id>``."""
        res = HttpApiResources(fn.construct, construct_id)
        res.authorizer = self._authorizer()
        fn_seconds = _function_timeout(fn)
        if fn_seconds is not None and fn_seconds > HTTP_API_MAX_TIMEOUT:
            warn(
                res,
                "integrationTimeoutShorterThanFunction",
                f"the function may run {fn_seconds:g} s but an HTTP API waits at most {HTTP_API_MAX_TIMEOUT} s",
            )
        res.log_group = _access_log_group(res, fn)
        res.api = apigwv2.HttpApi(
            res,
            "Api",
            default_integration=apigwv2_int.HttpLambdaIntegration("Integration", target),
            default_authorizer=res.authorizer or apigwv2.HttpNoneAuthorizer(),
            create_default_stage=False,
            cors_preflight=self.cors,
        )
        res.stage = apigwv2.HttpStage(
            res,
            "Stage",
            http_api=res.api,
            stage_name="$default",
            auto_deploy=True,
            throttle=apigwv2.ThrottleSettings(
                rate_limit=self.throttling_rate_limit, burst_limit=self.throttling_burst_limit
            ),
            access_log_settings=_HttpAccessLogs(res.log_group),
        )
        if self.authorization == HttpApiAuthorization.NONE:
            reason = str(self.open_reason)  # required by __post_init__
            warn(res, "openApi", f"the HTTP API has no authorizer ({reason})")
            acknowledge(res.api, "AwsSolutions-APIG4", reason)
        return self._result(res)

    def _authorizer(self) -> apigwv2.IHttpRouteAuthorizer | None:
        if self.authorization == HttpApiAuthorization.IAM:
            return apigwv2_auth.HttpIamAuthorizer()
        if self.authorization == HttpApiAuthorization.JWT:
            assert self.jwt_issuer is not None  # checked in __post_init__
            return apigwv2_auth.HttpJwtAuthorizer("Authorizer", self.jwt_issuer, jwt_audience=list(self.jwt_audience))
        if self.authorization == HttpApiAuthorization.COGNITO:
            assert self.user_pool is not None  # checked in __post_init__
            return apigwv2_auth.HttpUserPoolAuthorizer(
                "Authorizer", self.user_pool, user_pool_clients=list(self.user_pool_clients)
            )
        return None  # NONE (__post_init__ accepts nothing else)


@jsii.implements(apigwv2.IAccessLogSettings)
class _HttpAccessLogs:
    """JSON access logs of an HTTP API stage."""

    FORMAT = (
        '{"requestId":"$context.requestId","ip":"$context.identity.sourceIp",'
        '"requestTime":"$context.requestTime","httpMethod":"$context.httpMethod",'
        '"routeKey":"$context.routeKey","status":"$context.status","protocol":"$context.protocol",'
        '"responseLength":"$context.responseLength","integrationError":"$context.integrationErrorMessage",'
        '"user":"$context.identity.user","caller":"$context.identity.caller"}'
    )

    def __init__(self, log_group: logs.ILogGroup) -> None:
        self._destination = apigwv2.LogGroupLogDestination(log_group)

    @property
    def destination(self) -> apigwv2.IAccessLogDestination:
        return self._destination

    @property
    def format(self) -> apigw.AccessLogFormat:
        return apigw.AccessLogFormat.custom(self.FORMAT)
