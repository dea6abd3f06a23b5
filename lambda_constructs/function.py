"""SecureFunction: one construct to reach for instead of ``aws_lambda.Function``.

It builds, with secure defaults, everything a production function needs: a dedicated
least-privilege role (customer-managed policies, no AWS managed policies), a customer-managed KMS
key (rotation on, retained; one per stack by default) for environment variables, logs and the failure
queue, its own encrypted log group with retention and JSON logs, X-Ray tracing, asynchronous invocation
settings with an encrypted on-failure queue (with its own redrive and TLS-only policy; one per stack by
default), and a ``live`` alias.

Its parts, one concept a module: the props and their checks (``function_props``), the default grants and
acknowledgements (``function_baseline``), the failure queue (``failure_queue``), the code of each language
(``languages``), jsii speed-ups (``_jsii_speed``).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Sequence
from contextlib import nullcontext
from dataclasses import replace
from functools import cached_property
from typing import TYPE_CHECKING, ClassVar

from aws_cdk import Annotations, CfnResource, Duration, RemovalPolicy, Stack, Token
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_logs as logs
from aws_cdk import aws_sqs as sqs
from constructs import Construct, IConstruct, Node

from lambda_constructs import deploy_rules, grants, languages, network, runtimes, scanners, secrets
from lambda_constructs._jsii_speed import child_path as child_path  # moved; kept public
from lambda_constructs._jsii_speed import create, defaults
from lambda_constructs.bundling.python import BundleResult
from lambda_constructs.compliance import (
    LIBRARY_ACKNOWLEDGEMENTS,
    AcknowledgementKey,
    acknowledge_many,
    nag_arn,
)
from lambda_constructs.errors import LambdaConstructsError, fail, warn
from lambda_constructs.failure_queue import (
    QueueDestination,
    new_failure_queues,
    queue_destination,
    stack_failure_queues,
)
from lambda_constructs.field_types import check_argument
from lambda_constructs.function_baseline import LOG_WRITE_ACTIONS, acknowledge_defaults, grant_defaults
from lambda_constructs.function_props import DEFAULT_ALIAS as DEFAULT_ALIAS  # moved; kept public
from lambda_constructs.function_props import FUNCTION_NAME as FUNCTION_NAME  # moved; kept public
from lambda_constructs.function_props import SecureFunctionProps as SecureFunctionProps  # moved; kept public
from lambda_constructs.function_props import check_props
from lambda_constructs.keys import new_key, service_principal, stack_key
from lambda_constructs.languages import INLINE_CODE_MAX_CHARS as INLINE_CODE_MAX_CHARS  # moved; kept public
from lambda_constructs.layers import PythonLayer, check_layers
from lambda_constructs.releases.routing import check_alias_routing
from lambda_constructs.releases.rules import check_alias_name
from lambda_constructs.role_grants import FunctionStackPolicy, add_statements, grantee, role_in_other_stack
from lambda_constructs.roles import (  # moved to roles.py; kept importable from here
    INSIGHTS_LOG_STREAMS_FINDING as INSIGHTS_LOG_STREAMS_FINDING,
)
from lambda_constructs.roles import INSIGHTS_MANAGED_POLICY as INSIGHTS_MANAGED_POLICY
from lambda_constructs.roles import INSIGHTS_REASON as INSIGHTS_REASON
from lambda_constructs.roles import ExecutionRole as ExecutionRole
from lambda_constructs.roles import stack_tracing_policy
from lambda_constructs.scanners import ignore_cfn_lint
from lambda_constructs.triggers.base import Trigger, TriggerResult
from lambda_constructs.validation import duration_seconds, is_token

if TYPE_CHECKING:
    from lambda_constructs.contract import FunctionView
    from lambda_constructs.languages import LanguageFunction
    from lambda_constructs.releases.synth import FunctionReleaseSet


#: The cdk-nag packs whose ``IAMNoInlinePolicy`` rule reports an inline policy (an ``AWS::IAM::Policy``).
INLINE_POLICY_PACKS = ("NIST.800.53.R5", "HIPAA.Security", "PCI.DSS.321")


class SecureFunction(Construct):
    """A Lambda function with secure, observable defaults. See :class:`SecureFunctionProps`.

    Attributes:
        function: the ``aws_lambda.Function``.
        role: its execution role (an :class:`ExecutionRole` unless you passed ``role``).
        key: the KMS key for environment variables, logs and the failure queue.
        log_group: the function's log group.
        failure_queue: the on-failure destination of asynchronous invocations (by default the stack's
            shared queue, see ``SecureFunctionProps.failure_queue_per_function``).
        failure_dlq: the failure queue's own redrive queue (the stack's shared one by default; None when
            you passed ``failure_queue``).
        aliases: aliases by name (``live`` → ``$LATEST`` by default).
        construct: the function itself, as the scope collaborators create resources under.
        owned_role: ``role`` when it is the library's :class:`ExecutionRole` of this stack, else None.
        role_policy: with a role of another stack, the ``RolePolicy`` holding the library's statements
            for this function (:mod:`lambda_constructs.role_grants`); else None.

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
        check_props(self, props)
        self.language_info = languages.validate(self)

        # Only library code runs in this block: the checkov / cfn-lint metadata of its acknowledgements is
        # written once per resource and key when it ends (scanners.batch).
        with scanners.batch():
            self.key: kms.IKey = props.encryption_key or (
                self._new_key() if props.key_per_function else stack_key(self.stack)
            )
            self.permissions_boundary = self._boundary()
            self.role: iam.IRole = props.role or self._new_role()
            self.role_policy: FunctionStackPolicy | None = (
                FunctionStackPolicy(self, props.role)
                if props.role is not None and role_in_other_stack(props.role, self.stack)
                else None
            )
            """With a role of another stack: the policy in this function's stack (``RolePolicy``) that holds
            the library's statements for it (:mod:`lambda_constructs.role_grants`); None otherwise."""
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
            self.failure_queue: sqs.IQueue
            self._failure_destination: QueueDestination
            self._set_failure_queue(props)
            owned_role = self.owned_role
            grants_first = owned_role is not None and props.filesystem is None
            if grants_first:
                # The library's role gets its grants policy now, with the default statements in its constructor
                # (one jsii round trip fewer than adding them later; see _jsii_speed), before the function and
                # before any other child of the role. With a filesystem, aws-cdk-lib's Function adds the mount's
                # statements first: the defaults then follow them, as they always did (template order).
                self._grant_defaults()
            elif owned_role is not None:
                owned_role.ensure_policy()  # still the role's first policy (the template's order)

            self.code_bundle: BundleResult | None = None
            """The dependency bundle when ``code_dir`` has a requirements.txt (Python), else None."""
            self.code_unzipped_size_bytes = 0
            self._node_of_function: Node | None = None
            self._cfn_function: lambda_.CfnFunction | None = None
            self.function = self._new_function(environment)
            scanners.created(self.function, "AWS::Lambda::Function")
            scanners.created(self._cfn_function_of(self.function), "AWS::Lambda::Function")  # its L1, read already
            if self.network_policy is not None:
                # Teardown order: CloudFormation deletes the function before the ENI policy it depends on.
                self.function.node.add_dependency(self.network_policy)
            if not grants_first:
                self._grant_defaults()
            if self.role_policy is not None:
                # As a Function depends on the policies of a role of its stack (its DependsOn on the role).
                self.role_policy.depend(self.function)
                if isinstance(self.role, ExecutionRole):
                    # Nothing of this function goes to the role's own Policy (aws-cdk-lib's Function created
                    # it when it gave the role its X-Ray statement): an empty one would fail synthesis.
                    self.role.release_empty_policy()
            languages.after_function(self, self.language_info)
            self._grant_secret_environment()
            self._acknowledge_defaults()
            deploy_rules.register(self)  # environment size, policy size, Lambda@Edge, app concurrency at synth
        if props.role is not None and self.owned_role is None and self.role_policy is None:
            self._warn_role_grants(props.role)

        self.on_resources_added: Callable[[SecureFunction], None] | None = None
        """Called after add_alias / add_trigger / add_vpc_endpoints added resources (a
        :class:`~lambda_constructs.service.LambdaService` re-counts its shard budget). Default: None."""
        self.aliases: dict[str, lambda_.Alias] = {}
        self.triggers: list[tuple[Trigger, lambda_.IFunction]] = []
        self.trigger_results: list[TriggerResult] = []
        self._trigger_counts: dict[str, int] = {}
        self.default_alias_name = props.default_alias
        self.releases: FunctionReleaseSet | None = None
        if props.releases is not None:
            # Versions, aliases, deployments and outputs from the release file (docs/promotion.md).
            from lambda_constructs.releases.synth import apply_releases  # loads aws_codedeploy: only when used

            self.releases = apply_releases(self, props.releases)
            self.default_alias_name = self.releases.default_alias
        elif props.default_alias is not None:
            self.add_alias(props.default_alias, self.latest_version)

    def _warn_role_grants(self, role: iam.IRole) -> None:
        """Warn where the library's grants went for a role you passed of this stack that is not the library's
        :class:`ExecutionRole` (one jsii round trip; two for an ``iam.LazyRole``).

        ``inlineRolePolicy``: into an inline policy of ``role`` (the ``DefaultPolicy`` of an ``iam.Role`` or of
        an ``iam.LazyRole``'s role, the ``Policy…`` of a mutable imported role). ``grantsNotApplied``: into no
        policy at all: a role that takes no statements (``iam.Role.from_role_arn(..., mutable=False)``,
        ``role.without_policy_updates()``, a role imported from another account) reports them added but
        drops them, so none of its children is a policy; or ``add_to_principal_policy`` said so
        (``statement_added`` False). A subclass of ``iam.Role`` that put them elsewhere is trusted.
        """
        nodes = role.node.find_all() if isinstance(role, iam.LazyRole) else role.node.children
        policy = next((child for child in nodes if isinstance(child, iam.Policy)), None)
        if policy is None:
            dropped = [statement for statement, added in self._role_grants if not added]
            if dropped or not isinstance(role, iam.Role):
                self._warn_grants_not_applied(role, dropped or [statement for statement, _ in self._role_grants])
            return
        self._warn_inline_role_policy(role, policy)

    def _warn_grants_not_applied(self, role: iam.IRole, statements: Sequence[iam.PolicyStatement]) -> None:
        """Warn ``grantsNotApplied``, naming each statement's actions and resources (as CloudFormation renders
        them) and the fix."""
        rendered = [
            # What log_group.grant_write(role) adds (see function_baseline.grant_defaults), then the statements.
            {
                "Action": list(LOG_WRITE_ACTIONS),
                "Resource": self.stack.resolve(self.log_group.log_group_arn),
            },
            *(self.stack.resolve(statement.to_statement_json()) for statement in statements),
        ]
        described = "; ".join(f"{_listed(item.get('Action'))} on {_listed(item.get('Resource'))}" for item in rendered)
        warn(
            self,
            "grantsNotApplied",
            f"the role you passed ({role.node.path}) takes no statements (an immutable role: "
            "Role.from_role_arn(..., mutable=False), without_policy_updates(), or a role of another account), so "
            f"the permissions the library grants this function were not added: {described}; nor are the grants "
            "it gets later (grant_read / grant_write, triggers, secret environment values): the function cannot "
            "write its logs, decrypt its environment or send to its failure queue. Fix: grant these actions on "
            "these resources to the role yourself (in its own stack or account), or pass a role the library can "
            "add statements to (lambda_constructs.ExecutionRole, a mutable iam.Role), or leave role unset",
        )

    def _warn_inline_role_policy(self, role: iam.IRole, policy: IConstruct) -> None:
        """Warn ``inlineRolePolicy``: the library's grants went into the inline ``policy`` of ``role``."""
        warn(
            self,
            "inlineRolePolicy",
            f"the role you passed ({role.node.path}) is not the library's ExecutionRole, so the permissions the "
            f"library grants this function went into its inline policy {policy.node.path} (an AWS::IAM::Policy): "
            f"the {', '.join(INLINE_POLICY_PACKS)} cdk-nag packs report it as IAMNoInlinePolicy. Fix: pass "
            "role=lambda_constructs.ExecutionRole(scope, id, assumed_by=iam.ServicePrincipal('lambda.amazonaws.com')) "
            "(every statement, the library's grants included, goes to customer-managed policies), or leave role "
            "unset; attach your own statements to a role through managed policies (iam.ManagedPolicy), not "
            "add_to_policy",
        )

    def _new_function(self, environment: dict[str, str]) -> lambda_.Function:
        """The ``aws_lambda.Function``; aws-cdk-lib's own validation errors become the library's error."""
        props = self.props
        code, layers = self._code(), self._layer_versions() or None
        # Tracing of the library's role: its constructor attached the stack's shared X-Ray policy (_new_role)
        # and the mode goes onto the CfnFunction (what aws_lambda.Function does with ``tracing``, without its
        # call back into Role.add_to_principal_policy; see _jsii_speed). A role you passed gets it from aws-cdk-lib.
        mode = TRACING_MODES.get(props.tracing)
        tracing_role = self.owned_role if props.role is None and mode is not None else None
        try:
            # aws_lambda.Function's constructor, without its argument checks and 40-field props object (_jsii_speed)
            function = create(
                lambda_.Function,
                lambda_.FunctionProps,
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
                tracing=props.tracing if tracing_role is None else None,
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
        if tracing_role is not None:
            self._cfn_function_of(function).tracing_config = lambda_.CfnFunction.TracingConfigProperty(mode=mode)
        return function

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

        ``additional_versions`` splits traffic (default: none; ``lambda_.VersionWeight`` objects or, as aws-cdk-lib
        takes them, mappings ``{"version": v, "weight": 0.1}``); ``provisioned_concurrent_executions``
        (default: none) is not allowed on ``$LATEST``.

        Raises:
            LambdaConstructsError: a duplicate name, a name Lambda rejects (CreateAlias ``Name``: 1–128
                characters of ``[a-zA-Z0-9-_]``, not only digits; botocore lambda model, ``Alias`` shape),
                or a routing split Lambda rejects.
        """
        for arg, value, annotation in (
            ("name", name, str),
            ("version", version, lambda_.IVersion),
            ("description", description, str | None),
            ("provisioned_concurrent_executions", provisioned_concurrent_executions, int | None),
        ):  # aws-cdk-lib's Alias gets them unchecked (_jsii_speed.create)
            check_argument(self._path, "add_alias", arg, value, annotation)
        # a mapping per version ({"version": v, "weight": 0.1}) made a VersionWeight, as aws-cdk-lib takes it
        additional_versions = check_argument(
            self._path, "add_alias", "additional_versions", additional_versions, Sequence[lambda_.VersionWeight]
        )
        if name in self.aliases:
            raise fail(self, f"alias {name} already exists", value=name, fix="use another alias name")
        if is_token(name):  # it becomes part of the construct id, which aws-cdk-lib refuses to hold a token
            raise fail(
                self,
                "an alias name must be known at synth: it is part of the alias's construct id (Alias<name>)",
                value=name,
                fix="pass the alias name as a literal string, not a parameter or another deploy-time value",
            )
        if (problem := check_alias_name(name)) is not None:
            raise fail(self, problem, value=name, fix="name the alias with letters, digits, - and _ (not only digits)")
        check_alias_routing(self, name, version, additional_versions, provisioned_concurrent_executions)
        # Asynchronous settings are per qualifier: an alias gets its own EventInvokeConfig, or
        # events sent to it would run with Lambda's defaults and no failure destination.
        alias = create(
            lambda_.Alias,
            lambda_.AliasProps,
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
        return self.props.timeout is defaults().timeout

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
        self._cfn_function_of(self.function).timeout = seconds
        return True

    def add_trigger(
        self, trigger: Trigger, *, alias: str | None = None, construct_id: str | None = None
    ) -> TriggerResult:
        """Attach ``trigger`` to the named alias (default: the default alias; ``"$LATEST"`` on purpose).

        ``construct_id`` names the trigger's resources (default: ``<TriggerClass><n>``, numbered per class
        in call order). Construct ids are API: pass one explicitly when triggers may be reordered.
        Returns what the trigger created (:class:`~lambda_constructs.contract.TriggerResult`).
        """
        target = self.latest() if alias == "$LATEST" else self.target(alias)
        if construct_id is None:
            name = type(trigger).__name__
            self._trigger_counts[name] = self._trigger_counts.get(name, 0) + 1
            construct_id = f"{name}{self._trigger_counts[name]}"
        # A library trigger's bind runs only library code: its checkov / cfn-lint metadata is written once per
        # resource and key when the block ends (scanners.batch). Your own bind (or override) writes as it goes.
        with scanners.batch() if _library_bind(trigger) else nullcontext():
            result: TriggerResult | None = trigger.bind(self, target, construct_id)
            if result is None:  # a trigger written before bind returned its result
                result = TriggerResult(trigger=trigger, construct_id=construct_id, kind=trigger.kind)
            self.triggers.append((trigger, target))
            self.trigger_results.append(result)
            if sum(1 for _, bound in self.triggers if bound is target) == 2:
                # Several services invoking one alias is the app's design (cfn-lint-serverless WS1002).
                cfn = scanners.default_child(target)
                if isinstance(cfn, CfnResource):
                    ignore_cfn_lint(cfn, "WS1002")
        self._resources_added()
        return result

    def grant_read(self, resource: grants.Grantable, *, objects: str = "*", indexes: bool = False) -> None:
        """Read access to one bucket / table / queue / topic / secret / parameter / key (and its key)."""
        self.endpoint_services.add(
            grants.grant(grantee(self), self._ack_scope(), resource, "read", objects=objects, indexes=indexes)
        )

    def grant_write(self, resource: grants.Grantable, *, objects: str = "*") -> None:
        """Write access to one bucket / table / queue / topic / secret / parameter / key (and its key)."""
        self.endpoint_services.add(grants.grant(grantee(self), self._ack_scope(), resource, "write", objects=objects))

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
        """``$LATEST`` as a version (``function.latest_version``, read once), for aliases."""
        version: lambda_.IVersion = self.function.latest_version
        return version

    @property
    def construct(self) -> SecureFunction:
        """This function (the scope collaborators create their resources under; see ``contract.FunctionView``)."""
        return self

    @property
    def owned_role(self) -> ExecutionRole | None:
        """``role`` when it is the library's :class:`ExecutionRole` of this function's stack; None when you
        passed another role, or an ``ExecutionRole`` of another stack (its policies are that stack's: the
        library's statements go to :attr:`role_policy`)."""
        return self.role if isinstance(self.role, ExecutionRole) and self.role_policy is None else None

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
        """This construct's path (``_jsii_speed.child_path``)."""
        return child_path(self._parent_scope, self._construct_id)

    def _function_node(self, function: lambda_.Function) -> Node:
        """``function.node``, read once."""
        if self._node_of_function is None:
            self._node_of_function = function.node
        return self._node_of_function

    def _cfn_function_of(self, function: lambda_.Function) -> lambda_.CfnFunction:
        """``function``'s ``CfnFunction`` (its default child), read once (the acknowledgements read it during
        construction; the synth-time rules of :mod:`lambda_constructs.deploy_rules` use it)."""
        if self._cfn_function is None:
            cfn = self._function_node(function).default_child
            assert isinstance(cfn, lambda_.CfnFunction)
            self._cfn_function = cfn
        return self._cfn_function

    def _new_key(self) -> kms.Key:
        return new_key(
            self,
            "Key",
            f"Environment, logs and failure queue of {self._path}",
            for_logs=self.props.log_group is None,
            stack=self.stack,
        )

    def _new_role(self) -> iam.IRole:
        """The execution role; with tracing on, the stack's shared X-Ray policy is given to its constructor
        (``roles.stack_tracing_policy``: no call per role)."""
        traced = TRACING_MODES.get(self.props.tracing) is not None
        return ExecutionRole(
            self,
            "Role",
            assumed_by=service_principal("lambda.amazonaws.com"),
            description=self.props.role_description or f"Execution role of {self._path}",
            shared_tracing_policy=stack_tracing_policy(self.stack) if traced else None,
            defer_policy=True,  # created with the default grants (see __init__)
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
            owned = self.owned_role
            if owned is not None:
                owned.ensure_policy()  # the grants policy stays the role's first child (the template's order)
            self.network_policy = iam.ManagedPolicy(
                self.role if owned is not None else self,  # a role of another stack: in this function's stack
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
                self.network_policy,
                dict.fromkeys(findings, LIBRARY_ACKNOWLEDGEMENTS[AcknowledgementKey.NETWORK_INTERFACES]),
            )

    def _grant_secret_environment(self) -> None:
        for ref in self.props.secret_environment.values():
            add_statements(self, *secrets.read_statements(self.stack, ref))
            self.endpoint_services.add(secrets.service_of(ref))

    def _ack_scope(self) -> IConstruct:
        if self.role_policy is not None:
            return self.role_policy.policy
        return self.role.policy if isinstance(self.role, ExecutionRole) else self.role

    def _new_log_group(self) -> logs.LogGroup:
        return create(
            logs.LogGroup,
            logs.LogGroupProps,
            self,
            "LogGroup",
            retention=self.props.log_retention,
            encryption_key=self.key,
            removal_policy=RemovalPolicy.RETAIN,
        )

    @property
    def shares_failure_queue(self) -> bool:
        """True when the function sends to the stack's shared failure queue (``failure_queue_per_function``
        False, no ``failure_queue``, and the stack's shared key: ``encryption_key`` None and
        ``key_per_function`` False)."""
        props = self.props
        return (
            props.failure_queue is None
            and not props.failure_queue_per_function
            and props.encryption_key is None
            and not props.key_per_function
        )

    def _set_failure_queue(self, props: SecureFunctionProps) -> None:
        """``failure_queue``, ``failure_dlq`` and the destination: the caller's queue, the stack's shared pair
        (encrypted with the stack's shared key, which is this function's ``key`` then), or a pair of this
        function's own, encrypted with its key."""
        if props.failure_queue is not None:
            self.failure_queue = props.failure_queue
        elif self.shares_failure_queue:
            shared = stack_failure_queues(self.stack)
            self.failure_queue, self.failure_dlq = shared.queue, shared.dead_letter_queue
        else:
            self.failure_queue, self.failure_dlq = new_failure_queues(self, self.key)
        self._failure_destination = queue_destination(self.failure_queue)  # one per queue, shared

    def _code(self) -> lambda_.Code:
        built = languages.code(self, self.language_info)
        self.code_bundle = built.bundle
        self.code_unzipped_size_bytes = built.unzipped_size_bytes
        return built.code

    def _layer_versions(self) -> list[lambda_.ILayerVersion]:
        """The layers as ILayerVersion, after checking count, compatibility and total size."""
        if self.props.layers:
            check_layers(
                self, self.runtime, self.props.architecture, list(self.props.layers), self.code_unzipped_size_bytes
            )
        return [layer.layer_version if isinstance(layer, PythonLayer) else layer for layer in self.props.layers]

    def _grant_defaults(self) -> None:
        """Log writing to its own group, decrypt with its own key, send to its failure queue."""
        self._role_grants = grant_defaults(
            self.role,
            self.role_policy or self.owned_role,
            log_group=self.log_group,
            own_log_group=self.props.log_group is None,
            key=self.key,
            failure_queue=self.failure_queue,
            failure_queue_arn=self._failure_destination.queue_arn,
            own_failure_queue=self.props.failure_queue is None,
        )

    def _acknowledge_defaults(self) -> CfnResource:
        return acknowledge_defaults(
            self.function,
            node=self._function_node(self.function),
            cfn=self._cfn_function_of(self.function),
            reserved_concurrency=self.props.reserved_concurrent_executions is not None,
            in_vpc=self.props.vpc is not None,
            own_log_group=self.props.log_group is None,
        )


def _listed(value: object) -> str:
    """An ``Action`` / ``Resource`` of a rendered statement as text: a list joined by commas, a token as JSON."""
    items = value if isinstance(value, list) else [value]
    return ", ".join(item if isinstance(item, str) else json.dumps(item) for item in items)


def _library_bind(trigger: Trigger) -> bool:
    """True when ``trigger``'s ``bind`` is one of the library's (a trigger class you wrote, or a library trigger
    whose ``bind`` you override, runs your code: its writes are not batched)."""
    bind = getattr(type(trigger), "bind", None)
    return getattr(trigger.bind, "__func__", None) is bind and str(getattr(bind, "__module__", "")).startswith(
        "lambda_constructs."
    )


#: ``TracingConfig.Mode`` of each ``tracing`` that adds the X-Ray statement (CloudFormation
#: AWS::Lambda::Function TracingConfig: ``Active`` | ``PassThrough``), as aws_lambda.Function writes it.
TRACING_MODES: dict[lambda_.Tracing, str] = {
    lambda_.Tracing.ACTIVE: "Active",
    lambda_.Tracing.PASS_THROUGH: "PassThrough",
}

_MANAGED_POLICY_ARN = re.compile(r"^arn:aws[a-z-]*:iam::(\d{12}|aws):policy/[\w+=,.@/-]+$")


if TYPE_CHECKING:
    # The contract check: mypy --strict proves SecureFunction provides the views its collaborators use.
    _FUNCTION_VIEW: type[FunctionView] = SecureFunction
    _LANGUAGE_FUNCTION: type[LanguageFunction] = SecureFunction
