"""Push triggers that call the function synchronously (RequestResponse) — plus CloudFormation and
AWS Config, which also push but invoke asynchronously.

Each class is a frozen keyword-only dataclass implementing the Trigger protocol. ``bind`` creates a
``<Name>Resources`` construct at ``fn/<construct_id>`` holding the created resources as typed
attributes; ``trigger.resources`` returns it after ``fn.add_trigger(trigger)``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import jsii
from aws_cdk import Aws, CfnResource, CustomResource, Duration, RemovalPolicy, Stack
from aws_cdk import aws_apigateway as apigw
from aws_cdk import aws_apigatewayv2 as apigwv2
from aws_cdk import aws_apigatewayv2_authorizers as apigwv2_auth
from aws_cdk import aws_apigatewayv2_integrations as apigwv2_int
from aws_cdk import aws_cloudfront as cloudfront
from aws_cdk import aws_cognito as cognito
from aws_cdk import aws_config as config
from aws_cdk import aws_elasticloadbalancingv2 as elbv2
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_logs as logs
from aws_cdk import aws_secretsmanager as secretsmanager
from aws_cdk import aws_stepfunctions as sfn
from aws_cdk import aws_stepfunctions_tasks as tasks
from aws_cdk import aws_wafv2 as wafv2
from constructs import Construct

from lambda_constructs.compliance import LIBRARY_ACKNOWLEDGEMENTS, acknowledge, acknowledge_rule
from lambda_constructs.errors import fail, warn
from lambda_constructs.scanners import ignore_cfn_lint
from lambda_constructs.triggers.access import BoundTrigger, permission
from lambda_constructs.triggers.base import InvocationKind
from lambda_constructs.validation import check_range, duration_seconds, is_token

if TYPE_CHECKING:
    from lambda_constructs.contract import FunctionView

#: API Gateway's default maximum integration timeout of a REST API, seconds ("Maximum integration timeout",
#: 50 ms – 29 s, raisable for Regional and private REST APIs only:
#: https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-execution-service-limits-table.html).
API_GATEWAY_MAX_TIMEOUT = 29
#: An HTTP API's maximum integration timeout, seconds (not raisable):
#: https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-quotas.html
HTTP_API_MAX_TIMEOUT = 30
#: Cognito waits this long for a user pool trigger, seconds (the function must answer within 5 s:
#: https://docs.aws.amazon.com/cognito/latest/developerguide/cognito-user-pools-working-with-lambda-triggers.html).
COGNITO_TIMEOUT = 5


def _access_log_group(scope: Construct, fn: FunctionView) -> logs.LogGroup:
    """A log group encrypted with the function's key, retained, with the function's retention."""
    return logs.LogGroup(
        scope,
        "AccessLogs",
        encryption_key=fn.key,
        retention=fn.props.log_retention,
        removal_policy=RemovalPolicy.RETAIN,
    )


def _require_reason(scope: Construct, what: str, reason: str | None, value: object) -> str:
    if reason is None or not reason.strip():
        raise fail(
            scope,
            f"{what} is open to anyone only with an explicit reason",
            value=value,
            fix="pass open_reason='why this endpoint must be unauthenticated', or use an authorizer",
        )
    return reason


def _function_timeout(fn: FunctionView) -> float | None:
    return duration_seconds(fn.props.timeout)


class ServiceRole(iam.Role):
    """A role for a service the trigger lets call the alias; statements go to managed policies.

    NIST 800-53, HIPAA and PCI DSS reject inline policies. Actions with no resource-level
    permissions (X-Ray, Step Functions log delivery) go to their own acknowledged policies, so the
    wildcard acknowledgement covers nothing else. The function's permissions boundary is applied.
    """

    def __init__(self, scope: Construct, construct_id: str, fn: FunctionView, **kwargs: Any) -> None:
        super().__init__(scope, construct_id, **kwargs)
        self.policy = iam.ManagedPolicy(self, "Policy", roles=[self], description="Least-privilege grants")
        if fn.permissions_boundary is not None:  # already a policy: SecureFunction resolved an ARN string
            iam.PermissionsBoundary.of(self).apply(fn.permissions_boundary)

    def add_to_principal_policy(self, statement: iam.PolicyStatement) -> iam.AddToPrincipalPolicyResult:
        actions = statement.actions
        target = self.policy
        for prefix, name, reason in (
            ("xray:", "TracingPolicy", "AwsSolutions-IAM5[Resource::*]"),
            ("logs:", "LogDeliveryPolicy", "AwsSolutions-IAM5 (Step Functions log delivery)"),
        ):
            if actions and statement.resources == ["*"] and all(action.startswith(prefix) for action in actions):
                found = self.node.try_find_child(name)
                if found is None:
                    found = iam.ManagedPolicy(self, name, roles=[self], description=f"{prefix}* without resource ARNs")
                    acknowledge(found, "AwsSolutions-IAM5[Resource::*]", LIBRARY_ACKNOWLEDGEMENTS[reason])
                assert isinstance(found, iam.ManagedPolicy)
                target = found
        target.add_statements(statement)
        return iam.AddToPrincipalPolicyResult(statement_added=True, policy_dependable=target)


# ----------------------------------------------------------------------------- REST API


class RestApiResources(Construct):
    """What :class:`RestApiTrigger` created: ``api``, ``request_validator``, ``log_group``, ``authorizer``, ``web_acl_association``,
    ``cloud_watch_role`` (the account's API Gateway logging role, when created)."""

    api: apigw.LambdaRestApi
    request_validator: apigw.RequestValidator
    log_group: logs.LogGroup
    authorizer: apigw.IAuthorizer | None
    web_acl_association: wafv2.CfnWebACLAssociation | None
    cloud_watch_role: ServiceRole | None


@dataclass(frozen=True, kw_only=True)
class RestApiTrigger(BoundTrigger[RestApiResources]):
    """API Gateway REST API (``LambdaRestApi``, proxy) in front of the alias, secure by default.

    Access logs (JSON) to a log group encrypted with the function's key, execution logs, X-Ray,
    stage throttling, a request validator on every method and an authorizer (IAM by default).
    """

    authorization: str = "IAM"
    """``IAM`` (SigV4), ``COGNITO`` (user pool JWTs, needs ``user_pools``), ``CUSTOM`` (needs
    ``authorizer``) or ``NONE`` (open; needs ``open_reason``). Default: ``IAM``."""
    user_pools: Sequence[cognito.IUserPool] = ()
    """User pools whose tokens are accepted with ``COGNITO``. Default: none."""
    authorization_scopes: Sequence[str] = ()
    """OAuth scopes required with ``COGNITO``. Default: none (ID tokens accepted)."""
    authorizer: apigw.IAuthorizer | None = None
    """A Lambda (token/request) authorizer for ``CUSTOM``. Default: none."""
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

    def bind(self, fn: FunctionView, target: lambda_.IFunction, construct_id: str) -> None:
        """Create the REST API under ``fn/<construct_id>``."""
        res = RestApiResources(fn.construct, construct_id)
        method_options = self._method_options(res)
        _check_integration_timeout(res, fn, self.integration_timeout)
        check_range(res, "throttling_rate_limit", self.throttling_rate_limit, 0, 1e7, "requests/s")
        check_range(res, "throttling_burst_limit", self.throttling_burst_limit, 0, 1e7, "requests")
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
        if self.web_acl_arn is not None:
            res.web_acl_association = wafv2.CfnWebACLAssociation(
                res, "WebAclAssociation", resource_arn=res.api.deployment_stage.stage_arn, web_acl_arn=self.web_acl_arn
            )
        else:
            for rule in (
                "AwsSolutions-APIG3",
                "NIST.800.53.R5-APIGWAssociatedWithWAF",
                "PCI.DSS.321-APIGWAssociatedWithWAF",
            ):
                acknowledge(res.api.deployment_stage, rule, LIBRARY_ACKNOWLEDGEMENTS["APIGWAssociatedWithWAF"])
        stage = res.api.deployment_stage
        acknowledge_rule(
            stage,
            "APIGWCacheEnabledAndEncrypted",
            LIBRARY_ACKNOWLEDGEMENTS["APIGWCacheEnabledAndEncrypted"],
            ("NIST.800.53.R5", "HIPAA.Security", "PCI.DSS.321"),
        )
        acknowledge_rule(
            stage,
            "APIGWSSLEnabled",
            LIBRARY_ACKNOWLEDGEMENTS["APIGWSSLEnabled"],
            ("NIST.800.53.R5", "HIPAA.Security", "PCI.DSS.321"),
        )
        if self.authorization == "NONE":
            reason = _require_reason(res, "the REST API", self.open_reason, self.authorization)
            warn(res, "openApi", f"the REST API has no authorizer ({reason})")
            acknowledge(res.api, "AwsSolutions-APIG4", reason)
            acknowledge(res.api, "AwsSolutions-COG4", reason)
        elif self.authorization != "COGNITO":
            acknowledge(
                res.api, "AwsSolutions-COG4", LIBRARY_ACKNOWLEDGEMENTS["AwsSolutions-COG4 (IAM-authorized API)"]
            )
        self._bound.append(res)

    def _method_options(self, res: RestApiResources) -> apigw.MethodOptions:
        res.authorizer = None
        if self.authorization == "IAM":
            return apigw.MethodOptions(authorization_type=apigw.AuthorizationType.IAM)
        if self.authorization == "COGNITO":
            if not self.user_pools:
                raise fail(
                    res,
                    "authorization='COGNITO' needs user_pools",
                    value=self.authorization,
                    fix="pass user_pools=[pool]",
                )
            res.authorizer = apigw.CognitoUserPoolsAuthorizer(
                res, "Authorizer", cognito_user_pools=list(self.user_pools)
            )
            return apigw.MethodOptions(
                authorization_type=apigw.AuthorizationType.COGNITO,
                authorizer=res.authorizer,
                authorization_scopes=list(self.authorization_scopes) or None,
            )
        if self.authorization == "CUSTOM":
            if self.authorizer is None:
                raise fail(
                    res,
                    "authorization='CUSTOM' needs authorizer",
                    value=self.authorization,
                    fix="pass authorizer=apigw.TokenAuthorizer(...)",
                )
            res.authorizer = self.authorizer
            return apigw.MethodOptions(
                authorization_type=apigw.AuthorizationType.CUSTOM,
                authorizer=self.authorizer,
            )
        if self.authorization == "NONE":
            return apigw.MethodOptions(authorization_type=apigw.AuthorizationType.NONE)
        raise fail(
            res,
            "authorization must be one of IAM, COGNITO, CUSTOM, NONE",
            value=self.authorization,
            fix="use 'IAM' (default), 'COGNITO' with user_pools, 'CUSTOM' with authorizer, or 'NONE' with open_reason",
        )

    def _account_role(self, res: RestApiResources, fn: FunctionView) -> ServiceRole:
        role = ServiceRole(
            res,
            "CloudWatchRole",
            fn,
            assumed_by=iam.ServicePrincipal("apigateway.amazonaws.com"),
            description="API Gateway account role for execution logs",
        )
        log_groups = f"arn:{Aws.PARTITION}:logs:{Aws.REGION}:{Aws.ACCOUNT_ID}:log-group:"
        # logs:DescribeLogGroups supports no resource-level permission (Service Authorization Reference,
        # https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazoncloudwatchlogs.html):
        # on * in the role's LogDeliveryPolicy (ServiceRole puts logs:* statements on * there), acknowledged here.
        reason = LIBRARY_ACKNOWLEDGEMENTS["AwsSolutions-IAM5 (API Gateway execution logs)"]
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


def _check_integration_timeout(scope: Construct, fn: FunctionView, timeout: Duration) -> None:
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


# ----------------------------------------------------------------------------- HTTP API


class HttpApiResources(Construct):
    """What :class:`HttpApiTrigger` created: ``api``, ``stage``, ``log_group``, ``authorizer``."""

    api: apigwv2.HttpApi
    stage: apigwv2.HttpStage
    log_group: logs.LogGroup
    authorizer: apigwv2.IHttpRouteAuthorizer | None


@dataclass(frozen=True, kw_only=True)
class HttpApiTrigger(BoundTrigger[HttpApiResources]):
    """API Gateway HTTP API (``$default`` route → alias) with an authorizer, access logs and throttling."""

    authorization: str = "IAM"
    """``IAM`` (SigV4), ``JWT`` (needs ``jwt_issuer`` and ``jwt_audience``), ``COGNITO`` (needs
    ``user_pool`` and ``user_pool_clients``) or ``NONE`` (needs ``open_reason``). Default: ``IAM``."""
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

    def bind(self, fn: FunctionView, target: lambda_.IFunction, construct_id: str) -> None:
        """Create the HTTP API under ``fn/<construct_id>``."""
        res = HttpApiResources(fn.construct, construct_id)
        res.authorizer = self._authorizer(res)
        check_range(res, "throttling_rate_limit", self.throttling_rate_limit, 0, 1e7, "requests/s")
        check_range(res, "throttling_burst_limit", self.throttling_burst_limit, 0, 1e7, "requests")
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
        if self.authorization == "NONE":
            reason = _require_reason(res, "the HTTP API", self.open_reason, self.authorization)
            warn(res, "openApi", f"the HTTP API has no authorizer ({reason})")
            acknowledge(res.api, "AwsSolutions-APIG4", reason)
        self._bound.append(res)

    def _authorizer(self, res: Construct) -> apigwv2.IHttpRouteAuthorizer | None:
        if self.authorization == "IAM":
            return apigwv2_auth.HttpIamAuthorizer()
        if self.authorization == "JWT":
            if not self.jwt_issuer or not self.jwt_audience:
                raise fail(
                    res,
                    "authorization='JWT' needs jwt_issuer and jwt_audience",
                    value={"jwt_issuer": self.jwt_issuer, "jwt_audience": list(self.jwt_audience)},
                    fix="pass jwt_issuer='https://issuer' and jwt_audience=['client-id']",
                )
            if not is_token(self.jwt_issuer) and not self.jwt_issuer.startswith("https://"):
                raise fail(
                    res, "jwt_issuer must be an https:// URL", value=self.jwt_issuer, fix="use the issuer's https URL"
                )
            return apigwv2_auth.HttpJwtAuthorizer("Authorizer", self.jwt_issuer, jwt_audience=list(self.jwt_audience))
        if self.authorization == "COGNITO":
            if self.user_pool is None or not self.user_pool_clients:
                raise fail(
                    res,
                    "authorization='COGNITO' needs user_pool and user_pool_clients",
                    value=self.authorization,
                    fix="pass user_pool=pool, user_pool_clients=[client]",
                )
            return apigwv2_auth.HttpUserPoolAuthorizer(
                "Authorizer", self.user_pool, user_pool_clients=list(self.user_pool_clients)
            )
        if self.authorization == "NONE":
            return None
        raise fail(
            res,
            "authorization must be one of IAM, JWT, COGNITO, NONE",
            value=self.authorization,
            fix="use 'IAM' (default), 'JWT', 'COGNITO' or 'NONE' with open_reason",
        )


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


# ----------------------------------------------------------------------------- Function URL


class FunctionUrlResources(Construct):
    """What :class:`FunctionUrlTrigger` created: ``url`` (``url.url`` is the endpoint), ``grants``."""

    url: lambda_.FunctionUrl
    grants: list[iam.Grant]


@dataclass(frozen=True, kw_only=True)
class FunctionUrlTrigger(BoundTrigger[FunctionUrlResources]):
    """A function URL on the alias, ``AWS_IAM`` auth by default."""

    auth_type: lambda_.FunctionUrlAuthType = lambda_.FunctionUrlAuthType.AWS_IAM
    """Default: ``AWS_IAM`` (SigV4). ``NONE`` makes it public and needs ``open_reason``."""
    open_reason: str | None = None
    """Why a public URL is intended. Default: none."""
    cors: lambda_.FunctionUrlCorsOptions | None = None
    """CORS settings. Default: none (no CORS headers)."""
    invoke_mode: lambda_.InvokeMode = lambda_.InvokeMode.BUFFERED
    """Default: buffered (``RESPONSE_STREAM`` for streaming)."""
    invokers: Sequence[iam.IGrantable] = ()
    """Principals granted ``lambda:InvokeFunctionUrl`` on this URL (``AWS_IAM``). Default: none."""

    @property
    def kind(self) -> InvocationKind:
        """The HTTPS caller waits for the answer."""
        return InvocationKind.SYNC

    def bind(self, fn: FunctionView, target: lambda_.IFunction, construct_id: str) -> None:
        """Create the URL under ``fn/<construct_id>``."""
        res = FunctionUrlResources(fn.construct, construct_id)
        if self.auth_type == lambda_.FunctionUrlAuthType.NONE:
            reason = _require_reason(res, "the function URL", self.open_reason, "NONE")
            warn(res, "publicFunctionUrl", f"the function URL has auth type NONE: anyone can call it ({reason})")
        res.url = lambda_.FunctionUrl(
            res, "Url", function=target, auth_type=self.auth_type, cors=self.cors, invoke_mode=self.invoke_mode
        )
        res.grants = [res.url.grant_invoke_url(invoker) for invoker in self.invokers]
        self._bound.append(res)


# ----------------------------------------------------------------------------- ALB


class AlbTargetResources(Construct):
    """What :class:`AlbTarget` created: ``target_group``, ``permission``."""

    target_group: elbv2.ApplicationTargetGroup
    permission: lambda_.CfnPermission


@jsii.implements(elbv2.IApplicationLoadBalancerTarget)
class _AliasTarget:
    """Registers the alias ARN in a Lambda target group after the permission exists."""

    def __init__(self, target: lambda_.IFunction, perm: lambda_.CfnPermission) -> None:
        self._target = target
        self._permission = perm

    def attach_to_application_target_group(
        self, target_group: elbv2.IApplicationTargetGroup
    ) -> elbv2.LoadBalancerTargetProps:
        target_group.node.add_dependency(self._permission)
        return elbv2.LoadBalancerTargetProps(
            target_type=elbv2.TargetType.LAMBDA, target_json={"id": self._target.function_arn}
        )


@dataclass(frozen=True, kw_only=True)
class AlbTarget(BoundTrigger[AlbTargetResources]):
    """A Lambda target group on an Application Load Balancer listener, targeting the alias.

    The permission for ``elasticloadbalancing.amazonaws.com`` is scoped by ``SourceAccount``: a
    ``SourceArn`` of the target group would be a circular reference (the group registers the alias).
    """

    listener: elbv2.IApplicationListener
    """The listener to route from (required)."""
    priority: int | None = None
    """Rule priority 1–50000, with ``conditions``. Default: none (the listener's default action)."""
    conditions: Sequence[elbv2.ListenerCondition] = ()
    """Conditions of the rule. Default: none."""
    multi_value_headers: bool = False
    """Send multi-value headers/query strings. Default: False."""

    @property
    def kind(self) -> InvocationKind:
        """The load balancer waits for the answer."""
        return InvocationKind.SYNC

    def bind(self, fn: FunctionView, target: lambda_.IFunction, construct_id: str) -> None:
        """Create the target group and listener rule under ``fn/<construct_id>``."""
        res = AlbTargetResources(fn.construct, construct_id)
        check_range(res, "priority", self.priority, 1, 50000)
        if (self.priority is None) != (not self.conditions):
            raise fail(
                res,
                "priority and conditions go together",
                value={"priority": self.priority, "conditions": len(self.conditions)},
                fix="pass both (a listener rule) or neither (the listener's default action)",
            )
        res.permission = permission(
            res, "Permission", target, "elasticloadbalancing.amazonaws.com", source_account=Aws.ACCOUNT_ID
        )
        res.target_group = elbv2.ApplicationTargetGroup(
            res,
            "TargetGroup",
            target_type=elbv2.TargetType.LAMBDA,
            targets=[_AliasTarget(target, res.permission)],
        )
        if self.multi_value_headers:
            res.target_group.set_attribute("lambda.multi_value_headers.enabled", "true")
        self.listener.add_target_groups(
            f"{fn.node.id}{construct_id}",
            target_groups=[res.target_group],
            priority=self.priority,
            conditions=list(self.conditions) or None,
        )
        self._bound.append(res)


# ----------------------------------------------------------------------------- Cognito


#: Accepted operation names (snake_case; camelCase as Cognito spells them is accepted too).
COGNITO_OPERATIONS: dict[str, cognito.UserPoolOperation] = {
    "pre_sign_up": cognito.UserPoolOperation.PRE_SIGN_UP,
    "post_confirmation": cognito.UserPoolOperation.POST_CONFIRMATION,
    "pre_authentication": cognito.UserPoolOperation.PRE_AUTHENTICATION,
    "post_authentication": cognito.UserPoolOperation.POST_AUTHENTICATION,
    "pre_token_generation": cognito.UserPoolOperation.PRE_TOKEN_GENERATION,
    "pre_token_generation_config": cognito.UserPoolOperation.PRE_TOKEN_GENERATION_CONFIG,
    "custom_message": cognito.UserPoolOperation.CUSTOM_MESSAGE,
    "define_auth_challenge": cognito.UserPoolOperation.DEFINE_AUTH_CHALLENGE,
    "create_auth_challenge": cognito.UserPoolOperation.CREATE_AUTH_CHALLENGE,
    "verify_auth_challenge_response": cognito.UserPoolOperation.VERIFY_AUTH_CHALLENGE_RESPONSE,
    "user_migration": cognito.UserPoolOperation.USER_MIGRATION,
    "custom_email_sender": cognito.UserPoolOperation.CUSTOM_EMAIL_SENDER,
    "custom_sms_sender": cognito.UserPoolOperation.CUSTOM_SMS_SENDER,
}


def _snake(name: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()


class CognitoTriggerResources(Construct):
    """What :class:`CognitoTrigger` created: ``operation`` (the permission is added by the user pool,
    scoped by the pool's ARN)."""

    operation: cognito.UserPoolOperation


@dataclass(frozen=True, kw_only=True)
class CognitoTrigger(BoundTrigger[CognitoTriggerResources]):
    """A Cognito user pool Lambda trigger (pre sign-up, post confirmation, pre token generation …)."""

    user_pool: cognito.UserPool
    """The user pool (required)."""
    operation: str
    """One of :data:`COGNITO_OPERATIONS` (``pre_sign_up`` or ``preSignUp``) (required)."""
    lambda_version: cognito.LambdaVersion | None = None
    """Event version for ``pre_token_generation_config`` (V2_0 for access-token customisation).
    Default: Cognito's default (V1_0)."""

    @property
    def kind(self) -> InvocationKind:
        """Cognito waits (5 s) for the answer; custom sender triggers are asynchronous."""
        if _snake(self.operation) in ("custom_email_sender", "custom_sms_sender"):
            return InvocationKind.ASYNC
        return InvocationKind.SYNC

    def bind(self, fn: FunctionView, target: lambda_.IFunction, construct_id: str) -> None:
        """Add the trigger to the user pool (it grants cognito-idp with SourceArn = pool ARN)."""
        res = CognitoTriggerResources(fn.construct, construct_id)
        operation = COGNITO_OPERATIONS.get(_snake(self.operation))
        if operation is None:
            raise fail(
                res,
                "unknown Cognito user pool trigger operation",
                value=self.operation,
                fix="use one of: " + ", ".join(COGNITO_OPERATIONS),
            )
        if self.kind is InvocationKind.SYNC:
            fn.fit_default_timeout(COGNITO_TIMEOUT)  # a default timeout becomes what Cognito waits
        fn_seconds = _function_timeout(fn)
        if self.kind is InvocationKind.SYNC and fn_seconds is not None and fn_seconds > COGNITO_TIMEOUT:
            warn(
                res,
                "cognitoTimeout",
                f"Cognito waits {COGNITO_TIMEOUT} s for a {self.operation} trigger; the function's timeout is "
                f"{fn_seconds:g} s (slower answers fail the user's request)",
            )
        res.operation = operation
        self.user_pool.add_trigger(operation, target, self.lambda_version)
        self._bound.append(res)


# ----------------------------------------------------------------------------- Lex, Alexa


LEX_BOT_ALIAS_ARN = re.compile(r"^arn:aws[a-z-]*:lex:[a-z0-9-]+:(\d{12}):bot-alias/[A-Za-z0-9]+/[A-Za-z0-9]+$")
ALEXA_SKILL_ID = re.compile(r"^amzn1\.ask\.skill\.[0-9a-fA-F-]{36}$")


class PermissionResources(Construct):
    """What a permission-only trigger created: ``permission``."""

    permission: lambda_.CfnPermission


@dataclass(frozen=True, kw_only=True)
class LexBotTrigger(BoundTrigger[PermissionResources]):
    """Amazon Lex V2 code hook: lets the bot alias invoke the function's alias.

    Point the bot alias's locale settings (``code_hook_specification``) at the function alias ARN.
    """

    bot_alias_arn: str
    """``arn:aws:lex:<region>:<account>:bot-alias/<botId>/<botAliasId>`` (required)."""

    @property
    def kind(self) -> InvocationKind:
        """Lex waits for the dialog/fulfilment answer."""
        return InvocationKind.SYNC

    def bind(self, fn: FunctionView, target: lambda_.IFunction, construct_id: str) -> None:
        """Grant ``lexv2.amazonaws.com`` with SourceArn = the bot alias (and its account)."""
        res = PermissionResources(fn.construct, construct_id)
        account: str | None = None
        if not is_token(self.bot_alias_arn):
            match = LEX_BOT_ALIAS_ARN.match(self.bot_alias_arn)
            if match is None:
                raise fail(
                    res,
                    "bot_alias_arn is not a Lex V2 bot alias ARN",
                    value=self.bot_alias_arn,
                    fix="use arn:aws:lex:<region>:<account>:bot-alias/<botId>/<botAliasId> (CfnBotAlias.attr_arn)",
                )
            account = match.group(1)
        res.permission = permission(
            res, "Permission", target, "lexv2.amazonaws.com", source_arn=self.bot_alias_arn, source_account=account
        )
        self._bound.append(res)


@dataclass(frozen=True, kw_only=True)
class AlexaSkillTrigger(BoundTrigger[PermissionResources]):
    """Alexa Skills Kit (or Alexa Smart Home): only the given skill may invoke the alias."""

    skill_id: str
    """The skill id ``amzn1.ask.skill.<uuid>`` (required: it is the permission's EventSourceToken)."""
    smart_home: bool = False
    """A Smart Home skill (principal ``alexa-connectedhome.amazon.com``). Default: False (a custom
    skill, principal ``alexa-appkit.amazon.com``)."""

    @property
    def kind(self) -> InvocationKind:
        """Alexa waits for the answer."""
        return InvocationKind.SYNC

    def bind(self, fn: FunctionView, target: lambda_.IFunction, construct_id: str) -> None:
        """Grant the Alexa principal with EventSourceToken = skill id."""
        res = PermissionResources(fn.construct, construct_id)
        if not is_token(self.skill_id) and not ALEXA_SKILL_ID.match(self.skill_id or ""):
            raise fail(
                res,
                "skill_id must be an Alexa skill id (amzn1.ask.skill.<uuid>); without it any skill could invoke",
                value=self.skill_id,
                fix="copy the skill id from the Alexa developer console",
            )
        principal = "alexa-connectedhome.amazon.com" if self.smart_home else "alexa-appkit.amazon.com"
        res.permission = permission(res, "Permission", target, principal, event_source_token=self.skill_id)
        self._bound.append(res)


# ----------------------------------------------------------------------------- Lambda@Edge


#: (memory MB, timeout s) caps of Lambda@Edge per event type (CloudFront quotas).
EDGE_LIMITS: dict[cloudfront.LambdaEdgeEventType, tuple[int, int]] = {
    cloudfront.LambdaEdgeEventType.VIEWER_REQUEST: (128, 5),
    cloudfront.LambdaEdgeEventType.VIEWER_RESPONSE: (128, 5),
    cloudfront.LambdaEdgeEventType.ORIGIN_REQUEST: (10240, 30),
    cloudfront.LambdaEdgeEventType.ORIGIN_RESPONSE: (10240, 30),
}


class EdgeResources(Construct):
    """What :class:`EdgeTrigger` created: ``version`` (numbered) and ``edge_lambda`` (for a behavior)."""

    version: lambda_.IVersion
    edge_lambda: cloudfront.EdgeLambda


@dataclass(frozen=True, kw_only=True)
class EdgeTrigger(BoundTrigger[EdgeResources]):
    """CloudFront Lambda@Edge: publishes a numbered version and (optionally) adds a behavior.

    Add it with ``alias="$LATEST"``: Lambda@Edge needs a numbered version, not an alias. Checked at
    synth: stack region us-east-1, x86_64, no environment variables, no layers, memory/timeout caps.
    """

    event_type: cloudfront.LambdaEdgeEventType
    """Viewer/origin request/response (required)."""
    include_body: bool = False
    """Expose the request body (request events only). Default: False."""
    distribution: cloudfront.Distribution | None = None
    """Add a behavior to this distribution. Default: none (use ``resources.edge_lambda``)."""
    path_pattern: str | None = None
    """Behavior path pattern, with ``distribution``. Default: none."""
    origin: cloudfront.IOrigin | None = None
    """Behavior origin, with ``distribution``. Default: none."""

    @property
    def kind(self) -> InvocationKind:
        """CloudFront waits for the answer."""
        return InvocationKind.SYNC

    def bind(self, fn: FunctionView, target: lambda_.IFunction, construct_id: str) -> None:
        """Validate the Lambda@Edge restrictions and publish a version."""
        res = EdgeResources(fn.construct, construct_id)
        self._validate(res, fn, target)
        if isinstance(target, lambda_.Version):
            version: lambda_.IVersion = target
        else:
            version = fn.function.current_version
        if isinstance(fn.role, iam.Role):
            fn.role.assume_role_policy.add_statements(  # type: ignore[union-attr]
                iam.PolicyStatement(
                    actions=["sts:AssumeRole"], principals=[iam.ServicePrincipal("edgelambda.amazonaws.com")]
                )
            )
        else:
            warn(res, "edgeRoleTrust", "the execution role is imported: it must trust edgelambda.amazonaws.com")
        res.version = version
        res.edge_lambda = cloudfront.EdgeLambda(
            event_type=self.event_type, function_version=version, include_body=self.include_body or None
        )
        if self.distribution is not None:
            assert self.path_pattern is not None and self.origin is not None  # checked in _validate
            self.distribution.add_behavior(
                self.path_pattern,
                self.origin,
                edge_lambdas=[res.edge_lambda],
                viewer_protocol_policy=cloudfront.ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
            )
        self._bound.append(res)

    def _validate(self, res: Construct, fn: FunctionView, target: lambda_.IFunction) -> None:
        if isinstance(target, lambda_.Alias):
            raise fail(
                res,
                "Lambda@Edge needs a numbered version, not an alias",
                value=target.alias_name,
                fix="add the trigger with fn.add_trigger(EdgeTrigger(...), alias='$LATEST'): it publishes a version",
            )
        region = Stack.of(fn).region
        if is_token(region):
            raise fail(
                res,
                "Lambda@Edge functions must be in us-east-1; this stack's region is unknown at synth",
                value="${Token[AWS.Region]}",
                fix="give the stack env=Environment(region='us-east-1')",
            )
        if region != "us-east-1":
            raise fail(
                res, "Lambda@Edge functions must be in us-east-1", value=region, fix="deploy this stack to us-east-1"
            )
        if fn.props.architecture.name != lambda_.Architecture.X86_64.name:
            raise fail(
                res,
                "Lambda@Edge supports only x86_64",
                value=fn.props.architecture.name,
                fix="set architecture=lambda_.Architecture.X86_64",
            )
        if fn.props.environment:
            raise fail(
                res,
                "Lambda@Edge does not support environment variables",
                value=sorted(fn.props.environment),
                fix="remove environment; read configuration from the request or embed it in the code",
            )
        if fn.props.layers:
            raise fail(
                res,
                "Lambda@Edge does not support layers",
                value=len(fn.props.layers),
                fix="bundle dependencies into the code",
            )
        memory_cap, timeout_cap = EDGE_LIMITS[self.event_type]
        event = str(self.event_type.value).lower().replace("_", "-")
        check_range(res, f"memory_size for a {event} Lambda@Edge function", fn.props.memory_size, 128, memory_cap, "MB")
        check_range(
            res, f"timeout for a {event} Lambda@Edge function", _function_timeout(fn), 1, timeout_cap, "seconds"
        )
        if self.include_body and event not in ("viewer-request", "origin-request"):
            raise fail(res, "include_body applies only to request events", value=event, fix="drop include_body")
        if self.distribution is not None and (self.path_pattern is None or self.origin is None):
            raise fail(
                res,
                "distribution needs path_pattern and origin (a new behavior)",
                value=self.path_pattern,
                fix="pass path_pattern='/api/*' and origin=...",
            )


# ----------------------------------------------------------------------------- Step Functions


class StepFunctionsResources(Construct):
    """What :class:`StepFunctionsTask` created: ``task``, ``state_machine``, ``log_group``, ``role``."""

    task: tasks.LambdaInvoke
    state_machine: sfn.StateMachine
    log_group: logs.LogGroup
    role: ServiceRole


@dataclass(frozen=True, kw_only=True)
class StepFunctionsTask(BoundTrigger[StepFunctionsResources]):
    """A state machine whose ``LambdaInvoke`` task calls the alias (RequestResponse).

    Logging (ALL, to a log group encrypted with the function's key) and X-Ray are on; the role holds
    only ``lambda:InvokeFunction`` on the alias (plus log delivery and X-Ray).
    ``state_machine_type=EXPRESS`` gives a state machine callers run with ``StartSyncExecution``.
    """

    state_machine_type: sfn.StateMachineType = sfn.StateMachineType.STANDARD
    """Default: STANDARD. EXPRESS for synchronous executions (``StartSyncExecution``)."""
    payload_response_only: bool = False
    """Task output is the function's payload only. Default: False (full Invoke response)."""
    retry_on_service_exceptions: bool = True
    """Retry Lambda service errors. Default: True."""
    timeout: Duration | None = None
    """Execution timeout. Default: none (STANDARD: 1 year; EXPRESS: 5 minutes)."""
    include_execution_data: bool = False
    """Log inputs/outputs. Default: False (payloads may hold personal data)."""

    @property
    def kind(self) -> InvocationKind:
        """Step Functions waits for the answer."""
        return InvocationKind.SYNC

    def bind(self, fn: FunctionView, target: lambda_.IFunction, construct_id: str) -> None:
        """Create the task, its role and the state machine under ``fn/<construct_id>``."""
        res = StepFunctionsResources(fn.construct, construct_id)
        if self.timeout is not None and self.state_machine_type == sfn.StateMachineType.EXPRESS:
            check_range(res, "timeout of an EXPRESS state machine", duration_seconds(self.timeout), 1, 300, "seconds")
        res.role = ServiceRole(
            res, "Role", fn, assumed_by=iam.ServicePrincipal("states.amazonaws.com"), description="State machine role"
        )
        res.task = tasks.LambdaInvoke(
            res,
            "Invoke",
            lambda_function=target,
            payload_response_only=self.payload_response_only or None,
            retry_on_service_exceptions=self.retry_on_service_exceptions,
        )
        res.log_group = logs.LogGroup(
            res,
            "Logs",
            encryption_key=fn.key,
            retention=fn.props.log_retention,
            removal_policy=RemovalPolicy.RETAIN,
        )
        res.state_machine = sfn.StateMachine(
            res,
            "StateMachine",
            definition_body=sfn.DefinitionBody.from_chainable(res.task),
            role=res.role,
            state_machine_type=self.state_machine_type,
            timeout=self.timeout,
            tracing_enabled=True,
            logs=sfn.LogOptions(
                destination=res.log_group,
                level=sfn.LogLevel.ALL,
                include_execution_data=self.include_execution_data,
            ),
            # Execution data encrypted with the function's key, as everything else the trigger stores.
            encryption_configuration=sfn.CustomerManagedEncryptionConfiguration(fn.key),
        )
        state_machine = res.state_machine.node.default_child
        assert isinstance(state_machine, CfnResource)
        ignore_cfn_lint(state_machine, "W3005")
        self._bound.append(res)


# ----------------------------------------------------------------------------- CloudFormation


CUSTOM_RESOURCE_TYPE = re.compile(r"^Custom::[A-Za-z0-9_@-]{1,52}$")


class CustomResourceResources(Construct):
    """What :class:`CustomResourceTrigger` created: ``resource`` (``get_att`` reads the function's Data)."""

    resource: CustomResource


@dataclass(frozen=True, kw_only=True)
class CustomResourceTrigger(BoundTrigger[CustomResourceResources]):
    """A CloudFormation custom resource whose ServiceToken is the alias (no provider framework).

    The function must answer through the pre-signed ``ResponseURL`` (``cfnresponse``). CloudFormation
    invokes with the deploying principal's credentials, so no resource-based permission is needed.
    """

    properties: Mapping[str, Any] = field(default_factory=dict)
    """Passed as ``ResourceProperties``. Default: none."""
    resource_type: str = "Custom::LambdaConstructs"
    """``Custom::<Name>`` (at most 60 characters). Default: ``Custom::LambdaConstructs``."""
    removal_policy: RemovalPolicy = RemovalPolicy.DESTROY
    """Whether Delete is sent on removal. Default: DESTROY (the function gets a Delete event)."""
    service_timeout: Duration | None = None
    """How long CloudFormation waits for the answer, 1 s – 1 h. Default: 1 hour."""

    @property
    def kind(self) -> InvocationKind:
        """CloudFormation invokes asynchronously and waits for the ResponseURL callback."""
        return InvocationKind.ASYNC

    def bind(self, fn: FunctionView, target: lambda_.IFunction, construct_id: str) -> None:
        """Create the custom resource under ``fn/<construct_id>``."""
        res = CustomResourceResources(fn.construct, construct_id)
        if not is_token(self.resource_type) and not CUSTOM_RESOURCE_TYPE.match(self.resource_type):
            raise fail(
                res,
                "resource_type must be Custom::<Name> with letters, digits, _@- and at most 60 characters",
                value=self.resource_type,
                fix="use e.g. 'Custom::SeedTable'",
            )
        if self.service_timeout is not None:
            check_range(res, "service_timeout", duration_seconds(self.service_timeout), 1, 3600, "seconds")
        res.resource = CustomResource(
            res,
            "Resource",
            service_token=target.function_arn,
            properties=dict(self.properties),
            resource_type=self.resource_type,
            removal_policy=self.removal_policy,
            service_timeout=self.service_timeout,
        )
        self._bound.append(res)


# ----------------------------------------------------------------------------- S3 Batch Operations


class S3BatchResources(Construct):
    """What :class:`S3BatchOperationsTrigger` created: ``role`` (pass its ARN to CreateJob)."""

    role: ServiceRole


@dataclass(frozen=True, kw_only=True)
class S3BatchOperationsTrigger(BoundTrigger[S3BatchResources]):
    """The role S3 Batch Operations assumes to invoke the alias (and nothing else).

    Grant it read on the manifest and write on the report location yourself, e.g.
    ``bucket.grant_read(trigger.resources.role, "manifests/*")``.
    """

    description: str | None = None
    """Role description. Default: 'S3 Batch Operations role invoking <alias>'."""

    @property
    def kind(self) -> InvocationKind:
        """Batch Operations invokes per object and waits for the result."""
        return InvocationKind.SYNC

    def bind(self, fn: FunctionView, target: lambda_.IFunction, construct_id: str) -> None:
        """Create the role, trusted by batchoperations.s3.amazonaws.com from this account only."""
        res = S3BatchResources(fn.construct, construct_id)
        res.role = ServiceRole(
            res,
            "Role",
            fn,
            assumed_by=iam.ServicePrincipal(
                "batchoperations.s3.amazonaws.com", conditions={"StringEquals": {"aws:SourceAccount": Aws.ACCOUNT_ID}}
            ),
            description=self.description or f"S3 Batch Operations role invoking {target.node.path}",
        )
        res.role.add_to_principal_policy(
            iam.PolicyStatement(actions=["lambda:InvokeFunction"], resources=[target.function_arn])
        )
        self._bound.append(res)


# ----------------------------------------------------------------------------- Secrets Manager


class SecretRotationResources(Construct):
    """What :class:`SecretRotationTrigger` created: ``schedule``, ``permission``."""

    schedule: secretsmanager.CfnRotationSchedule
    permission: lambda_.CfnPermission


@dataclass(frozen=True, kw_only=True)
class SecretRotationTrigger(BoundTrigger[SecretRotationResources]):
    """Secrets Manager rotation: a rotation schedule calling the alias.

    The permission for ``secretsmanager.amazonaws.com`` is scoped to the secret's ARN and account;
    the execution role gets read/write on that secret only (``GetRandomPassword`` is not granted:
    it has no resource-level permission — generate passwords in the function).
    """

    secret: secretsmanager.ISecret
    """The secret to rotate (required)."""
    automatically_after: Duration = field(default_factory=lambda: Duration.days(30))
    """Rotation interval, whole days 1–1000. Default: 30 days."""
    rotate_immediately_on_update: bool = True
    """Rotate when the schedule is created or changed. Default: True."""

    @property
    def kind(self) -> InvocationKind:
        """Secrets Manager invokes each rotation step synchronously."""
        return InvocationKind.SYNC

    def bind(self, fn: FunctionView, target: lambda_.IFunction, construct_id: str) -> None:
        """Create the permission, grants and schedule under ``fn/<construct_id>``."""
        res = SecretRotationResources(fn.construct, construct_id)
        days = self.automatically_after.to_days() if not is_token(self.automatically_after.to_seconds()) else None
        check_range(res, "automatically_after", days, 1, 1000, "days")
        if days is not None and days != int(days):
            raise fail(res, "automatically_after must be whole days", value=days, fix="use Duration.days(n)")
        res.permission = permission(
            res,
            "Permission",
            target,
            "secretsmanager.amazonaws.com",
            source_arn=self.secret.secret_arn,
            source_account=Aws.ACCOUNT_ID,
        )
        self.secret.grant_read(fn.role)
        self.secret.grant_write(fn.role)
        fn.role.add_to_principal_policy(
            iam.PolicyStatement(actions=["secretsmanager:UpdateSecretVersionStage"], resources=[self.secret.secret_arn])
        )
        res.schedule = secretsmanager.CfnRotationSchedule(
            res,
            "Schedule",
            secret_id=self.secret.secret_arn,
            rotation_lambda_arn=target.function_arn,
            rotate_immediately_on_update=self.rotate_immediately_on_update,
            rotation_rules=secretsmanager.CfnRotationSchedule.RotationRulesProperty(
                automatically_after_days=int(days) if days is not None else None
            ),
        )
        res.schedule.node.add_dependency(res.permission)
        res.schedule.node.add_dependency(fn.role)
        self._bound.append(res)


# ----------------------------------------------------------------------------- AWS Config


#: MaximumExecutionFrequency member -> the CloudFormation value.
_FREQUENCIES = {
    "ONE_HOUR": "One_Hour",
    "THREE_HOURS": "Three_Hours",
    "SIX_HOURS": "Six_Hours",
    "TWELVE_HOURS": "Twelve_Hours",
    "TWENTY_FOUR_HOURS": "TwentyFour_Hours",
}


class ConfigRuleResources(Construct):
    """What :class:`ConfigRuleTrigger` created: ``rule``, ``permission``, ``policy``."""

    rule: config.CfnConfigRule
    permission: lambda_.CfnPermission
    policy: iam.ManagedPolicy


@dataclass(frozen=True, kw_only=True)
class ConfigRuleTrigger(BoundTrigger[ConfigRuleResources]):
    """An AWS Config custom rule evaluated by the alias.

    Config invokes with SourceAccount = this account; the role gets ``config:PutEvaluations`` in a
    policy of its own (it has no resource-level permission).
    """

    configuration_changes: bool = True
    """Evaluate on configuration item changes. Default: True."""
    periodic: config.MaximumExecutionFrequency | None = None
    """Also evaluate periodically. Default: none."""
    resource_types: Sequence[str] = ()
    """Config resource types in scope (``AWS::EC2::Instance``). Default: all recorded types."""
    input_parameters: Mapping[str, Any] | None = None
    """Rule parameters. Default: none."""
    config_rule_name: str | None = None
    """Default: generated."""

    @property
    def kind(self) -> InvocationKind:
        """Config invokes asynchronously; the function reports with PutEvaluations."""
        return InvocationKind.ASYNC

    def bind(self, fn: FunctionView, target: lambda_.IFunction, construct_id: str) -> None:
        """Create the rule, the permission and the evaluations policy under ``fn/<construct_id>``."""
        res = ConfigRuleResources(fn.construct, construct_id)
        if not self.configuration_changes and self.periodic is None:
            raise fail(
                res,
                "a Config rule needs configuration_changes=True or periodic",
                value={"configuration_changes": False, "periodic": None},
                fix="set configuration_changes=True or periodic=MaximumExecutionFrequency.TWENTY_FOUR_HOURS",
            )
        for resource_type in self.resource_types:
            if not is_token(resource_type) and not re.match(r"^AWS::[A-Za-z0-9]+::[A-Za-z0-9]+$", resource_type):
                raise fail(
                    res,
                    "resource_types must look like AWS::Service::Type",
                    value=resource_type,
                    fix="e.g. 'AWS::S3::Bucket'",
                )
        res.permission = permission(res, "Permission", target, "config.amazonaws.com", source_account=Aws.ACCOUNT_ID)
        res.policy = iam.ManagedPolicy(
            res,
            "EvaluationsPolicy",
            roles=[fn.role],
            statements=[iam.PolicyStatement(actions=["config:PutEvaluations"], resources=["*"])],
        )
        acknowledge(
            res.policy,
            "AwsSolutions-IAM5[Resource::*]",
            LIBRARY_ACKNOWLEDGEMENTS["AwsSolutions-IAM5 (config:PutEvaluations)"],
        )
        details: list[config.CfnConfigRule.SourceDetailProperty] = []
        if self.configuration_changes:
            for message_type in ("ConfigurationItemChangeNotification", "OversizedConfigurationItemChangeNotification"):
                details.append(
                    config.CfnConfigRule.SourceDetailProperty(event_source="aws.config", message_type=message_type)
                )
        if self.periodic is not None:
            details.append(
                config.CfnConfigRule.SourceDetailProperty(
                    event_source="aws.config",
                    message_type="ScheduledNotification",
                    maximum_execution_frequency=_FREQUENCIES[self.periodic.value],
                )
            )
        res.rule = config.CfnConfigRule(
            res,
            "Rule",
            config_rule_name=self.config_rule_name,
            input_parameters=dict(self.input_parameters) if self.input_parameters else None,
            scope=config.CfnConfigRule.ScopeProperty(compliance_resource_types=list(self.resource_types))
            if self.resource_types
            else None,
            source=config.CfnConfigRule.SourceProperty(
                owner="CUSTOM_LAMBDA", source_identifier=target.function_arn, source_details=details
            ),
        )
        res.rule.node.add_dependency(res.permission)
        self._bound.append(res)
