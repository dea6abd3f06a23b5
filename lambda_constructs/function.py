"""SecureFunction: one construct to reach for instead of ``aws_lambda.Function``.

It builds, with secure defaults, everything a production function needs: a dedicated
least-privilege role (customer-managed policies, no AWS managed policies), a customer-managed KMS
key (rotation on, retained) for environment variables, logs and the failure queue, its own
encrypted log group with retention and JSON logs, X-Ray tracing, asynchronous invocation settings
with an encrypted on-failure queue (with its own redrive and TLS-only policy), and a ``live`` alias.
"""

from __future__ import annotations

import ast
import json
import os
import re
import weakref
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from functools import cache, cached_property
from pathlib import Path
from typing import TYPE_CHECKING, ClassVar

from aws_cdk import Annotations, ArnFormat, CfnResource, Duration, RemovalPolicy, Size, Stack, Token
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_lambda_destinations as destinations
from aws_cdk import aws_logs as logs
from aws_cdk import aws_sqs as sqs
from constructs import Construct, IConstruct

from lambda_constructs import deploy_rules, grants, languages, network, runtimes, secrets
from lambda_constructs.bundling.python import BundleResult
from lambda_constructs.compliance import (
    LIBRARY_ACKNOWLEDGEMENTS,
    acknowledge,
    acknowledge_many,
    acknowledge_rule,
    nag_arn,
    rule_ids,
)
from lambda_constructs.errors import LambdaConstructsError, fail, warn
from lambda_constructs.keys import new_key, service_principal, stack_key
from lambda_constructs.layers import PythonLayer, check_layers
from lambda_constructs.python_code import python_code
from lambda_constructs.releases.record import ReleaseRecord
from lambda_constructs.releases.routing import check_alias_routing
from lambda_constructs.scanners import ignore_cfn_lint
from lambda_constructs.secrets import SecretReference
from lambda_constructs.triggers.base import Trigger
from lambda_constructs.validation import (
    check_environment,
    check_kinds,
    check_range,
    duration_seconds,
    is_token,
    size_mebibytes,
)

if TYPE_CHECKING:
    from lambda_constructs.contract import FunctionView
    from lambda_constructs.languages import LanguageFunction
    from lambda_constructs.releases.synth import FunctionReleaseSet

#: CloudFormation's limit for inline (ZipFile) code.
INLINE_CODE_MAX_CHARS = 4096
#: A function name Lambda accepts (CreateFunction FunctionName: 1–64 characters when given as a name).
FUNCTION_NAME = re.compile(r"[a-zA-Z0-9_-]{1,64}")
#: The AWS managed policy CDK attaches for Lambda Insights; ExecutionRole replaces it (see add_managed_policy).
INSIGHTS_MANAGED_POLICY = "CloudWatchLambdaInsightsExecutionRolePolicy"
INSIGHTS_LOG_STREAMS_FINDING = (
    "arn:<AWS::Partition>:logs:<AWS::Region>:<AWS::AccountId>:log-group:/aws/lambda-insights:*"
)
INSIGHTS_REASON = (
    "The Lambda Insights extension writes to log streams it names at run time in the /aws/lambda-insights "
    "log group of this account and region; the statement is scoped to that log group."
)
#: The alias every function gets unless ``default_alias`` is None.
DEFAULT_ALIAS = "live"


@dataclass(frozen=True)
class _Defaults:
    """The default Duration/Size objects, created once per process and shared by every props object.

    CDK's Duration and Size are immutable; sharing them saves a jsii round trip per default and per
    conversion (``validation.duration_seconds`` converts each object once).
    """

    timeout: Duration
    ephemeral_storage_size: Size
    max_event_age: Duration
    failure_retention: Duration


@cache
def _defaults() -> _Defaults:
    return _Defaults(
        timeout=Duration.seconds(30),
        ephemeral_storage_size=Size.mebibytes(512),
        max_event_age=Duration.hours(6),
        failure_retention=Duration.days(14),
    )


@dataclass(frozen=True, kw_only=True)
class SecureFunctionProps:
    """Properties of a :class:`SecureFunction`. Every optional field states its default."""

    code_dir: str | os.PathLike[str] | None = None
    """Folder holding the handler's code, packaged as an asset. Exactly one of ``code_dir``,
    ``inline_code`` and ``image`` is required. Default: None (then ``inline_code`` or ``image``)."""
    inline_code: str | None = None
    """Source of a very small function (at most 4096 characters), stored in the template; its
    module is ``index`` (handler ``index.<function>``). Default: None."""
    handler: str | None = None
    """Entry point. Default: ``app.handler`` for Python (``index.handler`` for inline code and
    Node.js). Python form: ``module.function`` or ``folder/module.function``."""
    runtime: lambda_.Runtime | None = None
    """Default: the newest Python runtime aws-cdk-lib knows (see :func:`runtimes.latest_python`)."""
    architecture: lambda_.Architecture = field(default_factory=lambda: lambda_.Architecture.ARM_64)
    """Default: arm64 (Graviton: cheaper per GB-second; read when props are made, not at import)."""
    memory_size: int = 512
    """MB, 128–10240. Default: 512."""
    timeout: Duration = field(default_factory=lambda: _defaults().timeout)
    """1 s – 900 s. Default: 30 seconds."""
    ephemeral_storage_size: Size = field(default_factory=lambda: _defaults().ephemeral_storage_size)
    """/tmp size, 512–10240 MB. Default: 512 MiB."""
    description: str | None = None
    """Default: none."""
    function_name: str | None = None
    """Default: generated by CloudFormation (recommended: lets the stack be deployed twice)."""
    environment: Mapping[str, str] = field(default_factory=dict)
    """Environment variables, encrypted with the function's KMS key. Default: none. Names must
    match ``[a-zA-Z][a-zA-Z0-9_]+``, reserved names are rejected, 4 KB in total at most."""
    encryption_key: kms.IKey | None = None
    """Customer-managed key for environment variables, logs and the failure queue. Default: the
    stack's shared key (construct id ``LambdaConstructsKey`` under the stack; rotation on, retained,
    usable by CloudWatch Logs of the account and region; $1.00/month for the whole stack), or a key
    of this function when ``key_per_function`` is True. A key you bring must let CloudWatch Logs use
    it (``logs.<region>.amazonaws.com``) when ``log_group`` is not given."""
    key_per_function: bool = False
    """Give this function its own key (construct id ``Key`` under the function, the only design before
    the shared key — see CHANGELOG "Migration"; $1.00/month per function) instead of the stack's shared key.
    Ignored when ``encryption_key`` is given. Default: False."""
    role: iam.IRole | None = None
    """Bring your own execution role. Default: a dedicated role with customer-managed policies.
    Not together with ``permissions_boundary`` or ``role_description``."""
    permissions_boundary: iam.IManagedPolicy | str | None = None
    """Permissions boundary (a managed policy or its ARN) applied to every role the library creates in
    this construct (execution role, trigger and custom-resource roles). Default: none."""
    role_description: str | None = None
    """Description of the created role. Default: 'Execution role of <path>'."""
    log_retention: logs.RetentionDays = logs.RetentionDays.ONE_YEAR
    """Default: one year (the NIST 800-53, HIPAA and PCI DSS packs require at least a year)."""
    log_group: logs.ILogGroup | None = None
    """Bring your own log group. Default: a new one, encrypted and retained."""
    application_log_level: lambda_.ApplicationLogLevel = lambda_.ApplicationLogLevel.INFO
    """Default: INFO (JSON log format)."""
    system_log_level: lambda_.SystemLogLevel = lambda_.SystemLogLevel.INFO
    """Default: INFO (platform START/END/REPORT lines, needed for memory right-sizing)."""
    tracing: lambda_.Tracing = lambda_.Tracing.ACTIVE
    """Default: active X-Ray tracing."""
    reserved_concurrent_executions: int | None = None
    """Default: unreserved. 0 throttles every call (warning ``lambda-constructs:reservedConcurrencyZero``)."""
    retry_attempts: int = 2
    """Asynchronous retries, 0–2. Default: 2."""
    max_event_age: Duration = field(default_factory=lambda: _defaults().max_event_age)
    """Asynchronous event age, 60 s – 6 h. Default: 6 hours."""
    failure_queue: sqs.IQueue | None = None
    """On-failure destination for asynchronous invocations. Default: a new KMS-encrypted, TLS-only
    queue (14 days retention) with its own redrive queue."""
    layers: Sequence[lambda_.ILayerVersion | PythonLayer] = ()
    """Layers (at most 5; each must support the function's runtime and architecture; code plus layers
    at most 250 MB unzipped — checked at synth with the measured sizes). Default: none."""
    pip_options: Sequence[str] = ()
    """Extra pip arguments used when ``code_dir`` has a ``requirements.txt`` (bundled for the target
    runtime and architecture without Docker), e.g. ``("--index-url", URL)``. Default: none."""
    vpc: ec2.IVpc | None = None
    """Attach the function to this VPC. Default: none (Lambda's own network)."""
    vpc_subnets: ec2.SubnetSelection | None = None
    """Subnets of ``vpc`` (private with egress or isolated; public → error). Default: the VPC's
    private subnets with egress, else its isolated subnets."""
    security_groups: Sequence[ec2.ISecurityGroup] = ()
    """Bring your own security groups (same VPC). Default: a new group with no ingress."""
    allow_egress_to: Sequence[network.EgressRule] | None = None
    """Restrict the new group's egress to these destinations. Default: None (all outbound)."""
    filesystem: lambda_.FileSystem | None = None
    """EFS mount (see :func:`lambda_constructs.efs.efs_mount`); needs ``vpc``. Default: none."""
    secret_environment: Mapping[str, SecretReference] = field(default_factory=dict)
    """Environment variables holding a secret's ARN / a parameter's name (never the value); the read
    grant is added. Default: none."""
    params_and_secrets_extension: bool = False
    """Add the AWS Parameters and Secrets Lambda Extension layer (region/architecture resolved by
    CDK). Default: False."""
    insights_version: lambda_.LambdaInsightsVersion | None = None
    """Add the CloudWatch Lambda Insights extension (memory, CPU, init metrics in ``LambdaInsights``).
    Its permissions are customer-managed statements in the role's ``InsightsPolicy`` (scoped to the
    ``/aws/lambda-insights`` log group), not the AWS managed policy. Default: none."""
    releases: ReleaseRecord | str | os.PathLike[str] | None = None
    """Release file (path or parsed record) whose entry for this function (key: its construct path)
    defines its versions and aliases (Dev/Stage/Prod …), see docs/promotion.md. ``default_alias`` then
    names the trigger default only if the file has that alias. Default: None (a ``live`` alias on
    ``$LATEST``)."""
    default_alias: str | None = DEFAULT_ALIAS
    """Alias created on ``$LATEST`` that triggers target by default. Default: ``live``. None
    creates no alias (triggers then need an explicit target)."""
    language: languages.Language | None = None
    """'python', 'nodejs', 'java', 'dotnet' or 'provided': picks that language's newest runtime when
    ``runtime`` is not given (docs/languages.md). Default: None (Python)."""
    image: languages.ContainerImage | None = None
    """Run an existing ECR image instead of ``code_dir``/``inline_code`` (no runtime/handler/layers).
    Default: None."""
    nodejs_bundling: languages.NodejsBundling | None = None
    """How a Node.js ``code_dir`` is bundled. Default: None (esbuild, @aws-sdk/* external)."""
    snap_start: lambda_.SnapStartConf | None = None
    """``SnapStartConf.ON_PUBLISHED_VERSIONS`` on Java 11+, Python 3.12+, .NET 8+ (not with
    provisioned concurrency, EFS or > 512 MB ephemeral storage). Default: None (off)."""


class _QueueDestination(destinations.SqsDestination):
    """An SQS on-failure destination whose grants are added by the caller (no wildcard actions).

    ``SqsDestination.bind`` would also grant ``sqs:GetQueueAttributes``/``sqs:GetQueueUrl`` and
    ``kms:Encrypt``/``kms:ReEncrypt*``/``kms:GenerateDataKey*`` on the queue's key; this one only returns
    the queue ARN (the function's policy holds the exact actions).
    Subclassing the jsii class (rather than implementing ``IDestination`` in Python) makes it one
    JavaScript object for the function and all its aliases, created once instead of once per use.
    """

    def __init__(self, queue: sqs.IQueue) -> None:
        super().__init__(queue)
        self._queue = queue
        self._arn: str | None = None

    def bind(
        self,
        _scope: Construct,
        _fn: lambda_.IFunction,
        *,
        type: lambda_.DestinationType,
    ) -> lambda_.DestinationConfig:
        return lambda_.DestinationConfig(destination=self.queue_arn)

    @property
    def queue_arn(self) -> str:
        """The queue's ARN, read once."""
        if self._arn is None:
            self._arn = self._queue.queue_arn
        return self._arn


class ExecutionRole(iam.Role):
    """An execution role whose statements go to customer-managed policies, never inline ones.

    NIST 800-53, HIPAA and PCI DSS packs reject inline policies. X-Ray statements (which AWS
    offers no resource-level permission for) are kept in their own ``TracingPolicy`` so that the
    wildcard acknowledgement covers nothing else.
    """

    def __init__(self, scope: Construct, construct_id: str, **kwargs: object) -> None:
        super().__init__(scope, construct_id, **kwargs)  # type: ignore[arg-type]
        self.policy = iam.ManagedPolicy(self, "Policy", roles=[self], description="Least-privilege grants")
        self._tracing_policy: iam.ManagedPolicy | None = None

    @property
    def tracing_policy(self) -> iam.ManagedPolicy | None:
        """The policy holding the X-Ray statements, once tracing added them."""
        return self._tracing_policy

    def add_grant_statements(self, *statements: iam.PolicyStatement) -> None:
        """Add statements that hold no X-Ray actions to the grants policy, in one jsii round trip.

        What :meth:`add_to_principal_policy` does with them, without reading each statement's actions
        back from JavaScript; the library's own grants use it.
        """
        self.policy.add_statements(*statements)

    def add_to_principal_policy(self, statement: iam.PolicyStatement) -> iam.AddToPrincipalPolicyResult:
        target = self.policy
        actions = statement.actions  # one jsii round trip, not two per statement
        if actions and all(action.startswith("xray:") for action in actions):
            if self._tracing_policy is None:
                self._tracing_policy = iam.ManagedPolicy(
                    self, "TracingPolicy", roles=[self], description="X-Ray segments (no resource-level ARNs)"
                )
                acknowledge(
                    self._tracing_policy,
                    "AwsSolutions-IAM5[Resource::*]",
                    LIBRARY_ACKNOWLEDGEMENTS["AwsSolutions-IAM5[Resource::*]"],
                )
            target = self._tracing_policy
        target.add_statements(statement)
        return iam.AddToPrincipalPolicyResult(statement_added=True, policy_dependable=target)

    def add_managed_policy(self, policy: iam.IManagedPolicy) -> None:
        """Attach ``policy``; the Lambda Insights AWS managed policy becomes a scoped ``InsightsPolicy``."""
        stack = Stack.of(self)
        if INSIGHTS_MANAGED_POLICY not in json.dumps(stack.resolve(policy.managed_policy_arn)):
            super().add_managed_policy(policy)
            return
        if self.node.try_find_child("InsightsPolicy") is not None:
            return
        insights = iam.ManagedPolicy(
            self, "InsightsPolicy", roles=[self], description="Lambda Insights extension: its own log group only"
        )
        log_group = stack.format_arn(
            service="logs",
            resource="log-group",
            resource_name="/aws/lambda-insights",
            arn_format=ArnFormat.COLON_RESOURCE_NAME,
        )
        insights.add_statements(
            iam.PolicyStatement(actions=["logs:CreateLogGroup"], resources=[log_group]),
            iam.PolicyStatement(actions=["logs:CreateLogStream", "logs:PutLogEvents"], resources=[f"{log_group}:*"]),
        )
        acknowledge(insights, f"AwsSolutions-IAM5[Resource::{INSIGHTS_LOG_STREAMS_FINDING}]", INSIGHTS_REASON)


class SecureFunction(Construct):
    """A Lambda function with secure, observable defaults. See :class:`SecureFunctionProps`.

    Attributes:
        function: the ``aws_lambda.Function``.
        role: its execution role (an :class:`ExecutionRole` unless you passed ``role``).
        key: the KMS key for environment variables, logs and the failure queue.
        log_group: the function's log group.
        failure_queue: the on-failure destination of asynchronous invocations.
        failure_dlq: the failure queue's own redrive queue (None when you passed ``failure_queue``).
        aliases: aliases by name (``live`` → ``$LATEST`` by default).
        construct: the function itself, as the scope collaborators create resources under.
        owned_role: ``role`` when it is the library's :class:`ExecutionRole`, else None.

    It provides :class:`~lambda_constructs.contract.FunctionView`, the view triggers, languages,
    releases and monitoring use (docs/design.md, "Layers").
    """

    __function_view__: ClassVar[bool] = True
    """Instances provide :class:`~lambda_constructs.contract.FunctionView` (``contract.FUNCTION_MARKER``)."""

    def __init__(self, scope: Construct, construct_id: str, props: SecureFunctionProps) -> None:
        super().__init__(scope, construct_id)
        self._parent_scope = scope
        self._construct_id = construct_id
        self.props = props
        self.runtime = languages.runtime_of(self, props)
        self.family = runtimes.family_of(self.runtime)
        self._validate()
        self.language_info = languages.validate(self)

        self.key: kms.IKey = props.encryption_key or (
            self._new_key() if props.key_per_function else stack_key(self.stack)
        )
        self.permissions_boundary = self._boundary()
        self.role: iam.IRole = props.role or self._new_role()
        self.endpoint_services: set[str] = set()
        self.security_groups: list[ec2.ISecurityGroup] = []
        self.security_group: ec2.SecurityGroup | None = None
        self.vpc_subnets: ec2.SubnetSelection | None = None
        self.network_policy: iam.ManagedPolicy | None = None
        if props.vpc is not None:
            self._place_in_vpc(props.vpc)
        environment = dict(props.environment)
        for env_name, ref in props.secret_environment.items():
            environment[env_name] = secrets.env_value(self.stack, ref)
        self.log_group: logs.ILogGroup = props.log_group or self._new_log_group()
        self.failure_dlq: sqs.Queue | None = None
        self.failure_queue: sqs.IQueue = props.failure_queue or self._new_failure_queue()
        self._failure_destination = _QueueDestination(self.failure_queue)

        self.code_bundle: BundleResult | None = None
        """The dependency bundle when ``code_dir`` has a requirements.txt (Python), else None."""
        self.code_unzipped_size_bytes = 0
        self.function = self._new_function(environment)
        if self.network_policy is not None:
            # Teardown order: CloudFormation deletes the function before the ENI policy it depends on.
            self.function.node.add_dependency(self.network_policy)
        self._grant_defaults()
        languages.after_function(self, self.language_info)
        self._grant_secret_environment()
        self._acknowledge_defaults()
        deploy_rules.register(self)  # environment size, policy size, Lambda@Edge, app concurrency at synth

        self.on_resources_added: Callable[[SecureFunction], None] | None = None
        """Called after add_alias / add_trigger / add_vpc_endpoints added resources (a
        :class:`~lambda_constructs.service.LambdaService` re-counts its shard budget). Default: None."""
        self.aliases: dict[str, lambda_.Alias] = {}
        self.triggers: list[tuple[Trigger, lambda_.IFunction]] = []
        self._trigger_counts: dict[str, int] = {}
        self.default_alias_name = props.default_alias
        self.releases: FunctionReleaseSet | None = None
        if props.releases is not None:
            # Versions, aliases, deployments and outputs from the release file (docs/promotion.md).
            from lambda_constructs.releases.synth import apply_releases  # loads aws_codedeploy: only when used

            self.releases = apply_releases(self, props.releases)
        elif props.default_alias is not None:
            self.add_alias(props.default_alias, self.latest_version)

    def _new_function(self, environment: dict[str, str]) -> lambda_.Function:
        """The ``aws_lambda.Function``; aws-cdk-lib's own validation errors become the library's error."""
        props = self.props
        code, layers = self._code(), self._layer_versions() or None
        try:
            return lambda_.Function(
                self,
                "Function",
                runtime=self.runtime,
                handler=self.handler,
                code=code,
                architecture=props.architecture,
                memory_size=props.memory_size,
                timeout=props.timeout,
                ephemeral_storage_size=props.ephemeral_storage_size,
                description=props.description,
                function_name=props.function_name,
                environment=environment,
                environment_encryption=self.key,
                role=self.role,
                log_group=self.log_group,
                logging_format=lambda_.LoggingFormat.JSON,
                application_log_level_v2=props.application_log_level,
                system_log_level_v2=props.system_log_level,
                tracing=props.tracing,
                # Asynchronous invocation settings of $LATEST (Function/EventInvokeConfig), set by the
                # Function itself (what configure_async_invoke does, without a separate call).
                retry_attempts=props.retry_attempts,
                max_event_age=props.max_event_age,
                on_failure=self._failure_destination,
                insights_version=props.insights_version,
                reserved_concurrent_executions=props.reserved_concurrent_executions,
                layers=layers,
                vpc=props.vpc,
                vpc_subnets=self.vpc_subnets,
                security_groups=self.security_groups or None,
                filesystem=props.filesystem,
                snap_start=props.snap_start,
                params_and_secrets=(
                    lambda_.ParamsAndSecretsLayerVersion.from_version(lambda_.ParamsAndSecretsVersions.V1_0_103)
                    if props.params_and_secrets_extension
                    else None
                ),
            )
        except LambdaConstructsError:
            raise
        except Exception as exc:  # jsii: aws-cdk-lib's ValidationError, with a JavaScript stack (aws/aws-cdk#13264)
            message = str(exc).split("\n", 1)[0].removeprefix("Error: ").strip()
            raise fail(
                self,
                f"aws-cdk-lib rejected the function: {message}",
                fix="correct the property the message names (see SecureFunctionProps)",
            ) from None

    # ----------------------------------------------------------------------------------- API

    @property
    def handler(self) -> str:
        """The handler string (the runtime family's default when none was given)."""
        if self.props.handler:
            return self.props.handler
        if self.props.image is not None:
            return lambda_.Handler.FROM_IMAGE
        if self.props.inline_code is not None:
            return "index.handler"
        return runtimes.DEFAULT_HANDLERS.get(self.family, "app.handler")

    def add_alias(
        self,
        name: str,
        version: lambda_.IVersion,
        *,
        description: str | None = None,
        additional_versions: Sequence[lambda_.VersionWeight] = (),
        provisioned_concurrent_executions: int | None = None,
    ) -> lambda_.Alias:
        """Add an alias (construct id ``Alias<name>``, stable: renaming it replaces the alias).

        ``additional_versions`` splits traffic (default: none); ``provisioned_concurrent_executions``
        (default: none) is not allowed on ``$LATEST``.
        """
        if name in self.aliases:
            raise fail(self, f"alias {name} already exists", value=name, fix="use another alias name")
        check_alias_routing(self, name, version, additional_versions, provisioned_concurrent_executions)
        # Asynchronous settings are per qualifier: an alias gets its own EventInvokeConfig, or
        # events sent to it would run with Lambda's defaults and no failure destination.
        alias = lambda_.Alias(
            self,
            f"Alias{name}",
            alias_name=name,
            version=version,
            description=description,
            additional_versions=list(additional_versions) or None,
            provisioned_concurrent_executions=provisioned_concurrent_executions,
            retry_attempts=self.props.retry_attempts,
            max_event_age=self.props.max_event_age,
            on_failure=self._failure_destination,
        )
        self.aliases[name] = alias
        self._resources_added()
        return alias

    def target(self, alias: str | None = None) -> lambda_.IFunction:
        """What a trigger invokes: the named alias, else the default alias.

        Raises when the function has no such alias; use :meth:`latest` to target ``$LATEST`` on purpose.
        """
        name = alias or self.default_alias_name
        if name is None or name not in self.aliases:
            raise fail(
                self,
                f"no alias named {name!r}",
                value=name,
                fix="name one of: " + (", ".join(self.aliases) or "(none: set default_alias or add_alias())"),
            )
        return self.aliases[name]

    @property
    def timeout_is_default(self) -> bool:
        """True when ``timeout`` was not given (the library's 30 s default object is still in the props)."""
        return self.props.timeout is _defaults().timeout

    def fit_default_timeout(self, seconds: int) -> bool:
        """Lower a default timeout to ``seconds`` (whole seconds, >= 1) for a caller that waits no longer.

        A synchronous caller that gives up after ``seconds`` (API Gateway's REST integration timeout,
        29 s by default) makes a longer run useless: the caller already got an error. Only a timeout
        left at the default is changed (``props`` and the ``AWS::Lambda::Function``'s ``Timeout``); an
        explicit ``timeout`` is kept (the trigger then warns). Values already derived from the old
        timeout (a queue's visibility timeout, a canary's duration alarm) stay as they were: longer is
        safe. Returns True when the timeout was changed.
        """
        if not self.timeout_is_default or seconds < 1 or seconds >= (duration_seconds(self.props.timeout) or 0):
            return False
        self.props = replace(self.props, timeout=Duration.seconds(seconds))
        cfn = self.function.node.default_child
        assert isinstance(cfn, lambda_.CfnFunction)
        cfn.timeout = seconds
        return True

    def add_trigger(self, trigger: Trigger, *, alias: str | None = None, construct_id: str | None = None) -> None:
        """Attach ``trigger`` to the named alias (default: the default alias; ``"$LATEST"`` on purpose).

        ``construct_id`` names the trigger's resources (default: ``<TriggerClass><n>``, numbered per class
        in call order). Construct ids are API: pass one explicitly when triggers may be reordered.
        """
        target = self.latest() if alias == "$LATEST" else self.target(alias)
        if construct_id is None:
            name = type(trigger).__name__
            self._trigger_counts[name] = self._trigger_counts.get(name, 0) + 1
            construct_id = f"{name}{self._trigger_counts[name]}"
        trigger.bind(self, target, construct_id)
        self.triggers.append((trigger, target))
        if sum(1 for _, bound in self.triggers if bound is target) == 2:
            # Several services invoking one alias is the app's design (cfn-lint-serverless WS1002).
            cfn = target.node.default_child
            if isinstance(cfn, CfnResource):
                ignore_cfn_lint(cfn, "WS1002")
        self._resources_added()

    def grant_read(self, resource: grants.Grantable, *, objects: str = "*", indexes: bool = False) -> None:
        """Read access to one bucket / table / queue / topic / secret / parameter / key (and its key)."""
        self.endpoint_services.add(
            grants.grant(self.role, self._ack_scope(), resource, "read", objects=objects, indexes=indexes)
        )

    def grant_write(self, resource: grants.Grantable, *, objects: str = "*") -> None:
        """Write access to one bucket / table / queue / topic / secret / parameter / key (and its key)."""
        self.endpoint_services.add(grants.grant(self.role, self._ack_scope(), resource, "write", objects=objects))

    def add_vpc_endpoints(
        self, construct_id: str = "Endpoints", *, services: Sequence[str] | None = None
    ) -> network.FunctionEndpoints:
        """VPC endpoints for this function (default: the services its grants and references use)."""
        if self.props.vpc is None or not self.security_groups:
            raise fail(self, "add_vpc_endpoints needs a function in a VPC", value=None, fix="pass vpc=")
        endpoints = network.FunctionEndpoints(
            self,
            construct_id,
            vpc=self.props.vpc,
            services=sorted(self.endpoint_services) if services is None else services,
            function_security_groups=self.security_groups,
            subnets=self.vpc_subnets,
        )
        self._resources_added()
        return endpoints

    def _resources_added(self) -> None:
        if self.on_resources_added is not None:
            self.on_resources_added(self)

    @cached_property
    def latest_version(self) -> lambda_.IVersion:
        """``$LATEST`` as a version (``function.latest_version``, read from the jsii kernel once), for aliases."""
        version: lambda_.IVersion = self.function.latest_version
        return version

    @property
    def construct(self) -> SecureFunction:
        """This function (the scope collaborators create their resources under; see ``contract.FunctionView``)."""
        return self

    @property
    def owned_role(self) -> ExecutionRole | None:
        """``role`` when it is the library's :class:`ExecutionRole`; None when you passed ``role``."""
        return self.role if isinstance(self.role, ExecutionRole) else None

    def latest(self) -> lambda_.IFunction:
        """The unqualified function (``$LATEST``), for triggers that must target it explicitly."""
        return self.function

    # ----------------------------------------------------------------------------- resources

    @cached_property
    def stack(self) -> Stack:
        """The stack this function is defined in."""
        return self._parent_scope if isinstance(self._parent_scope, Stack) else Stack.of(self)

    @cached_property
    def _path(self) -> str:
        """This construct's path (its parent's path, read once per parent, + its id)."""
        return child_path(self._parent_scope, self._construct_id)

    def _new_key(self) -> kms.Key:
        return new_key(
            self,
            "Key",
            f"Environment, logs and failure queue of {self._path}",
            for_logs=self.props.log_group is None,
            stack=self.stack,
        )

    def _new_role(self) -> iam.IRole:
        return ExecutionRole(
            self,
            "Role",
            assumed_by=service_principal("lambda.amazonaws.com"),
            description=self.props.role_description or f"Execution role of {self._path}",
        )

    def _boundary(self) -> iam.IManagedPolicy | None:
        """Apply the boundary (validated as a managed policy ARN) to every role created in this construct."""
        boundary = self.props.permissions_boundary
        if boundary is None:
            return None
        arn = boundary if isinstance(boundary, str) else boundary.managed_policy_arn
        if not Token.is_unresolved(arn) and not _MANAGED_POLICY_ARN.match(arn):
            raise fail(
                self,
                "permissions_boundary is not a managed policy ARN",
                value=arn,
                fix="pass iam.ManagedPolicy / from_managed_policy_name, or 'arn:aws:iam::<account>:policy/<name>'",
            )
        policy = (
            iam.ManagedPolicy.from_managed_policy_arn(self, "PermissionsBoundary", boundary)
            if isinstance(boundary, str)
            else boundary
        )
        iam.PermissionsBoundary.of(self).apply(policy)
        return policy

    def _place_in_vpc(self, vpc: ec2.IVpc) -> None:
        """Subnets, security group(s) and the ENI policy of a VPC function."""
        props = self.props
        self.vpc_subnets = network.select_function_subnets(self, vpc, props.vpc_subnets)
        if props.security_groups:
            network.check_security_groups(self, vpc, props.security_groups)
            self.security_groups = list(props.security_groups)
        else:
            self.security_group = network.new_function_security_group(self, "SecurityGroup", vpc, props.allow_egress_to)
            self.security_groups = [self.security_group]
            if props.filesystem is not None and props.allow_egress_to is None:
                # CDK adds an NFS egress rule for the mount; this group already allows all outbound.
                Annotations.of(self.security_group).acknowledge_warning(
                    "@aws-cdk/aws-ec2:ipv4IgnoreEgressRule",
                    "the group allows all outbound (allow_egress_to not set): the NFS egress rule is implied",
                )
        if isinstance(self.role, ExecutionRole):
            self.network_policy = iam.ManagedPolicy(
                self.role,
                "NetworkPolicy",
                roles=[self.role],
                description="Lambda ENIs in the function's subnets (no resource-level ARN for Describe*)",
                statements=network.eni_policy_statements(self.stack, vpc, self.vpc_subnets, self.security_groups),
            )
            findings = (
                "AwsSolutions-IAM5[Resource::*]",
                f"AwsSolutions-IAM5[Resource::{nag_arn(self.stack, 'ec2', 'network-interface/*')}]",
            )
            acknowledge_many(
                self.network_policy, dict.fromkeys(findings, LIBRARY_ACKNOWLEDGEMENTS["NetworkInterfaces"])
            )

    def _grant_secret_environment(self) -> None:
        for ref in self.props.secret_environment.values():
            for statement in secrets.read_statements(self.stack, ref):
                self.role.add_to_principal_policy(statement)
            self.endpoint_services.add(secrets.service_of(ref))

    def _ack_scope(self) -> IConstruct:
        return self.role.policy if isinstance(self.role, ExecutionRole) else self.role

    def _new_log_group(self) -> logs.LogGroup:
        return logs.LogGroup(
            self,
            "LogGroup",
            retention=self.props.log_retention,
            encryption_key=self.key,
            removal_policy=RemovalPolicy.RETAIN,
        )

    def _new_failure_queue(self) -> sqs.Queue:
        common: dict[str, object] = {
            "encryption": sqs.QueueEncryption.KMS,
            "encryption_master_key": self.key,
            "enforce_ssl": True,
            "retention_period": _defaults().failure_retention,
            "removal_policy": RemovalPolicy.RETAIN,
        }
        self.failure_dlq = sqs.Queue(self, "FailureDeadLetterQueue", **common)  # type: ignore[arg-type]
        acknowledge_rule(
            self.failure_dlq,
            "SQSRedrivePolicy",
            LIBRARY_ACKNOWLEDGEMENTS["SQSRedrivePolicy"],
            ("Serverless",),
        )
        return sqs.Queue(
            self,
            "FailureQueue",
            dead_letter_queue=sqs.DeadLetterQueue(max_receive_count=5, queue=self.failure_dlq),
            **common,  # type: ignore[arg-type]
        )

    def _code(self) -> lambda_.Code:
        language_code = languages.code(self, self.language_info)  # Node.js, Java, .NET, custom, image
        if language_code is not None:
            return language_code
        if self.props.inline_code is not None:
            return lambda_.Code.from_inline(self.props.inline_code)
        assert self.props.code_dir is not None  # checked in _validate
        code = python_code(
            self, Path(str(self.props.code_dir)), self.runtime, self.props.architecture, self.props.pip_options
        )
        self.code_bundle = code.bundle
        self.code_unzipped_size_bytes = code.unzipped_size_bytes
        return code.code

    def _layer_versions(self) -> list[lambda_.ILayerVersion]:
        """The layers as ILayerVersion, after checking count, compatibility and total size."""
        if self.props.layers:
            check_layers(
                self, self.runtime, self.props.architecture, list(self.props.layers), self.code_unzipped_size_bytes
            )
        return [layer.layer_version if isinstance(layer, PythonLayer) else layer for layer in self.props.layers]

    def _grant_defaults(self) -> None:
        """Log writing to its own group, decrypt with its own key, send to its failure queue."""
        statements: list[iam.PolicyStatement] = []
        if self.props.log_group is None and isinstance(self.role, ExecutionRole):
            # What log_group.grant_write(role) adds for a log group of this stack, without the
            # JavaScript -> Python callback into ExecutionRole.add_to_principal_policy (3 round trips).
            statements.append(
                iam.PolicyStatement(
                    actions=["logs:CreateLogStream", "logs:PutLogEvents"], resources=[self.log_group.log_group_arn]
                )
            )
        else:
            self.log_group.grant_write(self.role)
        key_arn = self.key.key_arn
        if self.props.failure_queue is None:
            # The library's queue is encrypted with self.key: sending needs GenerateDataKey on it too
            # (one statement; CDK's policy minimization merges the two statements into this anyway).
            statements += [
                iam.PolicyStatement(actions=["kms:Decrypt", "kms:GenerateDataKey"], resources=[key_arn]),
                iam.PolicyStatement(actions=["sqs:SendMessage"], resources=[self._failure_destination.queue_arn]),
            ]
        else:
            statements += [
                iam.PolicyStatement(actions=["kms:Decrypt"], resources=[key_arn]),
                iam.PolicyStatement(actions=["sqs:SendMessage"], resources=[self._failure_destination.queue_arn]),
            ]
            queue_key = self.failure_queue.encryption_master_key
            if queue_key is not None:
                statements.append(
                    iam.PolicyStatement(actions=["kms:GenerateDataKey", "kms:Decrypt"], resources=[queue_key.key_arn])
                )
        if isinstance(self.role, ExecutionRole):
            self.role.add_grant_statements(*statements)
        else:
            for statement in statements:
                self.role.add_to_principal_policy(statement)

    def _acknowledge_defaults(self) -> None:
        fn = self.function
        rules: list[tuple[str, tuple[str, ...]]] = [("LambdaDLQ", _DLQ_PACKS)]
        if self.props.reserved_concurrent_executions is None:
            rules.append(("LambdaConcurrency", _CONCURRENCY_PACKS))
        if self.props.vpc is None:  # fn.is_bound_to_vpc, without a jsii round trip
            rules.append(("LambdaInsideVPC", _VPC_PACKS))
        # One Validations.of(fn).acknowledge(...) for all of them, in the order they were made one by one.
        acknowledge_many(
            fn,
            {rule_id: LIBRARY_ACKNOWLEDGEMENTS[rule] for rule, packs in rules for rule_id in rule_ids(fn, rule, packs)},
        )
        cfn = fn.node.default_child
        assert isinstance(cfn, CfnResource)
        # aws-cdk-lib's DependsOn on the role next to its GetAtt; cfn-lint-serverless's /aws/lambda/<name> check.
        ignore_cfn_lint(cfn, "W3005", *(("WS1004",) if self.props.log_group is None else ()))

    # ---------------------------------------------------------------------------- validation

    def _validate(self) -> None:
        props = self.props
        if sum(source is not None for source in (props.code_dir, props.inline_code, props.image)) != 1:
            raise fail(
                self,
                "exactly one of code_dir and inline_code (or image) is required",
                value={"code_dir": props.code_dir, "inline_code": props.inline_code is not None},
                fix="pass code_dir='path/to/handler/folder' (or inline_code for a tiny function)",
            )
        check_kinds(
            self,
            memory_size=props.memory_size,
            timeout=props.timeout,
            ephemeral_storage_size=props.ephemeral_storage_size,
            retry_attempts=props.retry_attempts,
            max_event_age=props.max_event_age,
            reserved_concurrent_executions=props.reserved_concurrent_executions,
        )
        check_range(self, "memory_size", props.memory_size, 128, 10240, "MB")
        check_range(self, "timeout", duration_seconds(props.timeout), 1, 900, "seconds")
        check_range(self, "ephemeral_storage_size", size_mebibytes(props.ephemeral_storage_size), 512, 10240, "MB")
        check_range(self, "retry_attempts", props.retry_attempts, 0, 2)
        check_range(self, "max_event_age", duration_seconds(props.max_event_age), 60, 21600, "seconds")
        check_environment(self, props.environment)
        if props.reserved_concurrent_executions is not None:
            check_range(self, "reserved_concurrent_executions", props.reserved_concurrent_executions, 0, 1e9)
            if props.reserved_concurrent_executions == 0:
                warn(
                    self,
                    "reservedConcurrencyZero",
                    "reserved_concurrent_executions=0 throttles every invocation of this function",
                )
        if props.role is not None and (props.permissions_boundary is not None or props.role_description):
            raise fail(
                self,
                "role= cannot be combined with role options (permissions_boundary, role_description)",
                value="role + role options",
                fix="either pass your own role, or let the library create one with these options",
            )
        for env_name, ref in props.secret_environment.items():
            secrets.check_reference(self, env_name, ref)
        # Secret ARNs / parameter names as given; a construct's ARN is a token, counted at synth
        # (deploy_rules.environment_size) with the rest of the synthesized environment.
        check_environment(
            self,
            {**props.environment, **{k: ref.name or "" for k, ref in props.secret_environment.items()}},
        )
        name = props.function_name
        if name is not None and not is_token(name) and not FUNCTION_NAME.fullmatch(name):
            raise fail(
                self,
                "function_name must be 1–64 characters of letters, digits, hyphens and underscores "
                "(CreateFunction FunctionName, https://docs.aws.amazon.com/lambda/latest/api/API_CreateFunction.html)",
                value=name,
                fix="rename the function, e.g. " + (re.sub(r"[^A-Za-z0-9_-]", "-", name)[:64] or "my-function"),
            )
        if props.vpc is None and (
            props.vpc_subnets or props.security_groups or props.allow_egress_to is not None or props.filesystem
        ):
            raise fail(
                self,
                "vpc_subnets, security_groups, allow_egress_to and filesystem need vpc=",
                value="vpc=None",
                fix="pass vpc= (EFS is reachable only from inside a VPC)",
            )
        if props.security_groups and props.allow_egress_to is not None:
            raise fail(
                self,
                "allow_egress_to restricts the security group the library creates; you passed your own",
                value=[g.node.path for g in props.security_groups],
                fix="set egress rules on your security groups, or drop security_groups",
            )
        self._validate_handler()

    def _validate_handler(self) -> None:
        if self.props.image is not None:
            return  # no handler: languages.validate checks the image
        handler = self.handler
        form = runtimes.HANDLER_FORMS.get(self.family)
        if form is not None and not form[0].match(handler):
            raise fail(
                self,
                f"handler is not of the {self.runtime.name} form {form[1]}",
                value=handler,
                fix=f"use the form {form[1]}",
            )
        if self.props.inline_code is not None:
            if len(self.props.inline_code) > INLINE_CODE_MAX_CHARS:
                raise fail(
                    self,
                    f"inline_code has {len(self.props.inline_code)} characters; CloudFormation allows "
                    f"{INLINE_CODE_MAX_CHARS}",
                    value=len(self.props.inline_code),
                    fix="put the code in a folder and pass code_dir",
                )
            return
        code_dir = Path(str(self.props.code_dir))
        if self.family != "python":
            return  # Node.js, Java, .NET and custom runtimes: checked by languages.validate
        if not code_dir.is_dir():
            raise fail(
                self,
                "code_dir is not a folder",
                value=str(code_dir),
                fix="pass the path of the folder that holds the handler's module (relative to the app)",
            )
        if self.family == "python":
            _check_python_handler(self, code_dir, handler)


def _check_python_handler(scope: IConstruct, code_dir: Path, handler: str) -> None:
    """The handler's module exists in ``code_dir`` and defines the function."""
    module_path, _, function_name = handler.rpartition(".")
    relative = module_path.replace(".", "/")
    candidates = [code_dir / f"{relative}.py", code_dir / relative / "__init__.py"]
    module_file = next((path for path in candidates if path.is_file()), None)
    if module_file is None:
        raise fail(
            scope,
            f"code_dir has no module for handler {handler}",
            value=str(candidates[0]),
            fix=f"create {candidates[0].name} in {code_dir} or correct the handler",
        )
    try:
        tree = ast.parse(module_file.read_text(encoding="utf-8"), filename=str(module_file))
    except SyntaxError as exc:
        raise fail(
            scope,
            f"the handler module does not parse: {exc.msg} at line {exc.lineno}",
            value=str(module_file),
            fix="fix the syntax error",
        ) from exc
    if function_name not in _top_level_names(tree):
        raise fail(
            scope,
            f"{module_file.name} defines no top-level {function_name}",
            value=handler,
            fix=f"define `def {function_name}(event, context)` in {module_file.name} or correct the handler",
        )


def _top_level_names(tree: ast.Module) -> set[str]:
    names: set[str] = set()
    for node in tree.body:
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            names.add(node.name)
        elif isinstance(node, ast.Assign):
            names.update(target.id for target in node.targets if isinstance(target, ast.Name))
        elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
            names.add(node.target.id)
        elif isinstance(node, ast.ImportFrom | ast.Import):
            names.update((alias.asname or alias.name).split(".")[0] for alias in node.names)
    return names


#: Paths of scopes already read from the jsii kernel (two round trips each).
_SCOPE_PATHS: weakref.WeakKeyDictionary[IConstruct, str] = weakref.WeakKeyDictionary()


def child_path(scope: IConstruct, construct_id: str) -> str:
    """The construct path of ``scope``'s child ``construct_id``, reading ``scope``'s path once per scope."""
    parent = _SCOPE_PATHS.get(scope)
    if parent is None:
        parent = _SCOPE_PATHS[scope] = scope.node.path
    return f"{parent}/{construct_id}" if parent else construct_id


_MANAGED_POLICY_ARN = re.compile(r"^arn:aws[a-z-]*:iam::(\d{12}|aws):policy/[\w+=,.@/-]+$")

#: Packs that have a LambdaDLQ rule / the LambdaConcurrency and LambdaInsideVPC rules.
_DLQ_PACKS = ("Serverless", "NIST.800.53.R5", "HIPAA.Security")
_CONCURRENCY_PACKS = ("NIST.800.53.R5", "HIPAA.Security")
_VPC_PACKS = ("NIST.800.53.R5", "HIPAA.Security", "PCI.DSS.321")


if TYPE_CHECKING:
    # The contract check: mypy --strict proves SecureFunction provides the views its collaborators use.
    _FUNCTION_VIEW: type[FunctionView] = SecureFunction
    _LANGUAGE_FUNCTION: type[LanguageFunction] = SecureFunction
