"""Service rules AWS enforces at deploy time, checked at synth (issue #17's public reports).

Each test is one report: the input a new user writes, and the error or the template property AWS needs.
"""

from __future__ import annotations

import aws_cdk as cdk
import pytest
from aws_cdk import Duration
from aws_cdk import aws_cloudfront as cloudfront
from aws_cdk import aws_cloudfront_origins as origins
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_secretsmanager as secretsmanager
from aws_cdk import aws_sqs as sqs
from aws_cdk.assertions import Template

from lambda_constructs import LambdaConstructsError, SecureFunction, SecureFunctionProps, deploy_rules
from lambda_constructs.secrets import SecretReference
from lambda_constructs.triggers import (
    DocumentDbTrigger,
    EdgeTrigger,
    EventBridgeRuleTrigger,
    KafkaAuth,
    MqTrigger,
    MskTrigger,
    RestApiTrigger,
    SelfManagedKafkaTrigger,
    SqsTrigger,
)
from tests.helpers import new_app, new_stack

CODE = "def handler(event, context):\n    return {}\n"


def _fn(stack: cdk.Stack, name: str = "Fn", timeout: int = 30, **kwargs: object) -> SecureFunction:
    props = SecureFunctionProps(inline_code=CODE, timeout=Duration.seconds(timeout), **kwargs)  # type: ignore[arg-type]
    return SecureFunction(stack, name, props)


def warnings_of(scope: cdk.Stack) -> list[str]:
    return [
        str(entry.data)
        for child in scope.node.find_all()
        for entry in child.node.metadata
        if entry.type == "aws:cdk:warning"
    ]


# aws/aws-cdk#20527 -------------------------------------------------------------------------


def test_unset_visibility_timeout_is_sqs_default_of_30_seconds() -> None:
    stack = new_stack()
    queue = sqs.Queue(stack, "Q")  # no visibility_timeout: SQS uses 30 s
    with pytest.raises(LambdaConstructsError, match=r"TestStack/Fn/Orders: the queue's visibility timeout \(30 s\)"):
        _fn(stack, timeout=120).add_trigger(SqsTrigger(queue=queue), construct_id="Orders")


def test_explicit_30_seconds_is_rejected_the_same_way() -> None:
    stack = new_stack()
    queue = sqs.Queue(stack, "Q", visibility_timeout=Duration.seconds(30))
    with pytest.raises(LambdaConstructsError, match=r"visibility timeout \(30 s\).*= 720 s"):
        _fn(stack, timeout=120).add_trigger(SqsTrigger(queue=queue), construct_id="Orders")


def test_unset_visibility_passes_when_30_seconds_suffice() -> None:
    stack = new_stack()
    _fn(stack, timeout=5).add_trigger(SqsTrigger(queue=sqs.Queue(stack, "Q")), construct_id="Orders")  # 6 × 5 = 30
    Template.from_stack(stack).resource_count_is("AWS::Lambda::EventSourceMapping", 1)


def test_imported_queue_gets_an_acknowledgeable_warning() -> None:
    stack = new_stack()
    queue = sqs.Queue.from_queue_arn(stack, "Q", "arn:aws:sqs:eu-west-1:111122223333:orders")
    fn = _fn(stack, timeout=120)
    fn.add_trigger(SqsTrigger(queue=queue), construct_id="Orders")
    found = [w for w in warnings_of(stack) if "lambda-constructs:queueVisibilityUnknown" in w]
    assert len(found) == 1 and "720 s" in found[0], warnings_of(stack)


# An imported queue whose ARN is a token: FIFO or not is unknown ------------------------------------

FIFO_WARNING = (
    "whether the queue is FIFO is unknown at synth (an imported queue whose "
    "ARN and name are tokens); a FIFO queue takes no batching window and at most 10 messages per batch "
    "(https://docs.aws.amazon.com/lambda/latest/dg/services-sqs-parameters.html), so this mapping (batching window "
    "5 s, batch size 100) fails to deploy if it is one"
)


def _imported_by_token(stack: cdk.Stack) -> sqs.IQueue:
    return sqs.Queue.from_queue_arn(stack, "Q", cdk.Fn.import_value("OrdersQueueArn"))


def _fifo_warnings(stack: cdk.Stack) -> list[str]:
    return [w for w in warnings_of(stack) if "queueFifoUnknown" in w]


def test_token_queue_with_a_batching_window_warns_that_fifo_is_unknown() -> None:
    stack = new_stack()
    trigger = SqsTrigger(queue=_imported_by_token(stack), batch_size=100, max_batching_window=Duration.seconds(5))
    _fn(stack, timeout=5).add_trigger(trigger, construct_id="Orders")
    found = _fifo_warnings(stack)
    assert len(found) == 1 and found[0].startswith(FIFO_WARNING), found
    assert "[ack: lambda-constructs:queueFifoUnknown]" in found[0]
    Template.from_stack(stack).has_resource_properties(
        "AWS::Lambda::EventSourceMapping", {"BatchSize": 100, "MaximumBatchingWindowInSeconds": 5}
    )


def test_fifo_unknown_warning_can_be_acknowledged() -> None:
    stack = new_stack()
    cdk.Annotations.of(stack).acknowledge_warning("lambda-constructs:queueFifoUnknown", "a standard queue")
    trigger = SqsTrigger(queue=_imported_by_token(stack), batch_size=100, max_batching_window=Duration.seconds(5))
    _fn(stack, timeout=5).add_trigger(trigger, construct_id="Orders")
    assert _fifo_warnings(stack) == []


def test_token_queue_without_fifo_only_settings_gets_no_fifo_warning() -> None:
    stack = new_stack()
    _fn(stack, timeout=5).add_trigger(
        SqsTrigger(queue=_imported_by_token(stack)), construct_id="Orders"
    )  # 10, no window
    assert _fifo_warnings(stack) == []
    assert len([w for w in warnings_of(stack) if "queueVisibilityUnknown" in w]) == 1


def test_token_arn_with_a_fifo_name_is_fifo() -> None:
    """aws-cdk-lib says fifo=False for a token ARN; a literal name ending in .fifo decides (CreateQueue QueueName)."""
    stack = new_stack()
    queue = sqs.Queue.from_queue_attributes(
        stack, "Q", queue_arn=cdk.Fn.import_value("OrdersQueueArn"), queue_name="orders.fifo"
    )
    assert queue.fifo is False
    with pytest.raises(
        LambdaConstructsError, match=r"^SqsTrigger\(\.\.\.\): a batching window is not supported for FIFO queues"
    ):
        SqsTrigger(queue=queue, max_batching_window=Duration.seconds(5))  # options are checked at creation


def test_literal_standard_queue_arn_gets_no_fifo_warning() -> None:
    stack = new_stack()
    queue = sqs.Queue.from_queue_arn(stack, "Q", "arn:aws:sqs:eu-west-1:111122223333:orders")
    trigger = SqsTrigger(queue=queue, batch_size=100, max_batching_window=Duration.seconds(5))
    _fn(stack, timeout=5).add_trigger(trigger, construct_id="Orders")
    assert _fifo_warnings(stack) == []


# aws/aws-cdk#18369: resource-based policy size -----------------------------------------------


def test_sixty_rules_on_one_alias_pass_the_20_kb_policy_limit_and_fail_synth() -> None:
    stack = new_stack()
    fn = _fn(stack)
    for i in range(60):
        fn.add_trigger(EventBridgeRuleTrigger(event_pattern={"source": [f"app.{i}"]}), construct_id=f"Rule{i}")
    permissions = [c for c in fn.node.find_all() if isinstance(c, lambda_.CfnPermission)]
    assert len(permissions) == 60
    alias = fn.aliases["live"]
    arn = "arn:aws:lambda:us-east-1:111122223333:function:" + "x" * 64 + ":live"
    size = 55 + sum(deploy_rules.statement_bytes(p, arn) + 1 for p in permissions)
    assert 23_000 < size < 28_000, size  # the report measured ≈ 25.7 KB on AWS
    expected = rf"{alias.node.path}: its resource-based policy would take ~[\d,]+ bytes for 60 permissions"
    with pytest.raises(LambdaConstructsError, match=expected) as err:
        Template.from_stack(stack)
    assert err.value.path == alias.node.path and "TestStack/Fn/Rule0/" in str(err.value.value)
    assert "spread the triggers over more aliases" in err.value.fix
    with pytest.raises(LambdaConstructsError, match=expected):
        stack.node.root.synth()  # type: ignore[attr-defined]


def test_forty_rules_fit() -> None:
    stack = new_stack()
    fn = _fn(stack)
    for i in range(40):
        fn.add_trigger(EventBridgeRuleTrigger(event_pattern={"source": [f"app.{i}"]}), construct_id=f"Rule{i}")
    Template.from_stack(stack).resource_count_is("AWS::Lambda::Permission", 40)


# Environment over 4 KB ------------------------------------------------------------------------

SECRET_ARN = "arn:aws:secretsmanager:eu-west-1:111122223333:secret:prod/db/password-AbCdEf"


def test_secret_arn_is_counted_at_its_real_length() -> None:
    stack = new_stack()
    props = {"environment": {"BIG": "x" * 4000}, "secret_environment": {"DB": SecretReference.from_secret(SECRET_ARN)}}
    # BIG + 4000 + DB + the ARN (76) = 4081 fits; 30 bytes more (MORE + 26) do not
    assert len(SECRET_ARN) == 76
    _fn(stack, "Fits", **props)
    with pytest.raises(LambdaConstructsError, match=r"TestStack/Over: environment variables take 4111 bytes"):
        _fn(
            stack,
            "Over",
            environment={"BIG": "x" * 4000, "MORE": "y" * 26},
            secret_environment=props["secret_environment"],
        )


def test_token_values_get_the_estimate_and_a_warning() -> None:
    stack = new_stack()
    secret = secretsmanager.Secret(stack, "S")
    _fn(stack, environment={"BIG": "x" * 4000}, secret_environment={"DB": SecretReference.from_secret(secret)})
    Template.from_stack(stack)
    found = [w for w in warnings_of(stack) if "lambda-constructs:environmentMayExceed4KB" in w]
    assert len(found) == 1 and "4005 bytes plus 1 deploy-time value" in found[0], found


def test_literal_part_over_4_kb_with_a_token_fails_at_synth() -> None:
    stack = new_stack()
    fn = _fn(stack, environment={"BIG": "x" * 4000})
    fn.function.add_environment("URL", "x" * 100 + sqs.Queue(stack, "Q").queue_url)  # added behind the props
    expected = r"TestStack/Fn: environment variables take 4106 bytes; Lambda allows at most 4096 bytes"
    with pytest.raises(LambdaConstructsError, match=expected) as err:
        Template.from_stack(stack)
    assert err.value.value == ["BIG", "URL"] and err.value.fix.startswith("move large values to SSM")
    with pytest.raises(LambdaConstructsError, match=expected):
        stack.node.root.synth()  # type: ignore[attr-defined]


# aws/aws-cdk#13264 -----------------------------------------------------------------------------


def test_invalid_function_name_is_the_librarys_error_with_the_path() -> None:
    with pytest.raises(
        LambdaConstructsError, match=r"TestStack/Fn: function_name must be 1–64 .*\(got 'my function!'\)"
    ):
        _fn(new_stack(), function_name="my function!")


def test_aws_cdk_lib_errors_are_re_raised_as_the_librarys_error() -> None:
    # A ValidationError of aws-cdk-lib's lambda.Function the library does not pre-check (inline code with
    # Runtime.FROM_IMAGE): it arrives as the library's error with the construct path, not a jsii RuntimeError.
    stack = new_stack()
    with pytest.raises(
        LambdaConstructsError, match=r"TestStack/Fn: aws-cdk-lib rejected the function: runtime must be"
    ):
        _fn(stack, function_name="a" * 64, runtime=lambda_.Runtime.FROM_IMAGE)


# Reserved concurrency over the account quota ----------------------------------------------------


def test_reserved_concurrency_over_quota_minus_100_warns() -> None:
    stack = new_stack()
    fn = _fn(stack, reserved_concurrent_executions=1001)
    Template.from_stack(stack)
    found = [w for w in warnings_of(stack) if "lambda-constructs:reservedConcurrencyOverQuota" in w]
    assert len(found) == 1 and "adds up to 1001" in found[0] and "= 900" in found[0], found
    assert fn.node.path in found[0]


def test_reserved_concurrency_sums_across_functions_and_reads_the_quota_from_context() -> None:
    def build(*reserved: int) -> list[str]:
        app = new_app()
        app.node.set_context(deploy_rules.CONCURRENCY_QUOTA_CONTEXT, 5000)
        stack = new_stack(app)
        for i, r in enumerate(reserved):
            _fn(stack, f"F{i}", reserved_concurrent_executions=r)
        Template.from_stack(stack)
        return [w for w in warnings_of(stack) if "reservedConcurrencyOverQuota" in w]

    assert build(2000, 2000) == []
    found = build(2000, 2000, 901)  # 4901 > 5000 - 100
    assert len(found) == 1 and "adds up to 4901" in found[0] and "TestStack/F2" in found[0]


# aws/aws-cdk#22019: Lambda@Edge ------------------------------------------------------------------


def _edge(stack: cdk.Stack, fn: SecureFunction, event: cloudfront.LambdaEdgeEventType) -> None:
    cloudfront.Distribution(
        stack,
        "Cdn",
        default_behavior=cloudfront.BehaviorOptions(
            origin=origins.HttpOrigin("example.com"),
            edge_lambdas=[cloudfront.EdgeLambda(function_version=fn.function.current_version, event_type=event)],
        ),
    )


@pytest.mark.parametrize(
    ("props", "expected"),
    [
        ({"secret_environment": {"DB": SecretReference.from_secret(SECRET_ARN)}}, "environment variables ['DB']"),
        ({"params_and_secrets_extension": True}, "layer(s)"),
        ({"insights_version": lambda_.LambdaInsightsVersion.VERSION_1_0_333_0}, "1 layer(s)"),
        ({"architecture": lambda_.Architecture.ARM_64}, "architecture arm64"),
        ({"memory_size": 256}, "memory 256 MB (viewer events allow 128 MB"),
        ({"timeout": 10}, "timeout 10 s (viewer events allow 5 s)"),
    ],
)
def test_edge_function_is_checked_as_synthesized(props: dict[str, object], expected: str) -> None:
    stack = new_stack(env=cdk.Environment(account="111122223333", region="us-east-1"))
    settings: dict[str, object] = {"memory_size": 128, "timeout": 5, **props}
    fn = _fn(stack, **settings)
    _edge(stack, fn, cloudfront.LambdaEdgeEventType.VIEWER_REQUEST)
    with pytest.raises(LambdaConstructsError, match=r"TestStack/Fn: this function runs at the edge") as err:
        Template.from_stack(stack)
    assert expected in str(err.value) and err.value.path == "TestStack/Fn"


def test_edge_function_in_another_region_fails() -> None:
    stack = new_stack(env=cdk.Environment(account="111122223333", region="eu-west-1"))
    fn = _fn(stack, timeout=5, memory_size=128, architecture=lambda_.Architecture.X86_64)
    _edge(stack, fn, cloudfront.LambdaEdgeEventType.ORIGIN_REQUEST)
    expected = (
        r"TestStack/Fn: this function runs at the edge \(Lambda@Edge: origin-request\), but it has region eu-west-1"
    )
    with pytest.raises(LambdaConstructsError, match=expected):
        Template.from_stack(stack)
    with pytest.raises(LambdaConstructsError, match=expected):
        stack.node.root.synth()  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    ("props", "expected"),
    [
        ({"secret_environment": {"DB": SecretReference.from_secret(SECRET_ARN)}}, "environment variables ['DB']"),
        ({"params_and_secrets_extension": True}, "layer(s)"),
        ({"insights_version": lambda_.LambdaInsightsVersion.VERSION_1_0_333_0}, "1 layer(s)"),
    ],
)
def test_edge_trigger_checks_what_the_function_synthesizes(props: dict[str, object], expected: str) -> None:
    """aws/aws-cdk#22019: EdgeTrigger checked props.environment/layers only; these reached CloudFront."""
    stack = new_stack(env=cdk.Environment(account="111122223333", region="us-east-1"))
    fn = _fn(stack, memory_size=128, timeout=5, architecture=lambda_.Architecture.X86_64, **props)
    trigger = EdgeTrigger(event_type=cloudfront.LambdaEdgeEventType.ORIGIN_REQUEST)
    fn.add_trigger(trigger, alias="$LATEST", construct_id="Edge")  # no distribution in this app
    with pytest.raises(LambdaConstructsError, match=r"TestStack/Fn: this function runs at the edge") as err:
        Template.from_stack(stack)
    assert expected in str(err.value) and "origin-request" in str(err.value)


def test_clean_edge_trigger_synthesizes() -> None:
    stack = new_stack(env=cdk.Environment(account="111122223333", region="us-east-1"))
    fn = _fn(stack, memory_size=128, timeout=5, architecture=lambda_.Architecture.X86_64)
    fn.add_trigger(EdgeTrigger(event_type=cloudfront.LambdaEdgeEventType.VIEWER_REQUEST), alias="$LATEST")
    Template.from_stack(stack).resource_count_is("AWS::Lambda::Version", 1)


# IAM statements of event sources in a VPC (checkov CKV_AWS_111: no write action on *) -------------

MSK_ARN = "arn:aws:kafka:eu-west-1:111122223333:cluster/demo/abcd-1234"
WRITE_ENI = {"ec2:CreateNetworkInterface", "ec2:DeleteNetworkInterface"}


def _network_statements(template: Template) -> list[dict[str, object]]:
    out: list[dict[str, object]] = []
    for policy in template.find_resources("AWS::IAM::ManagedPolicy").values():
        if "event source poller" in str(policy["Properties"].get("Description", "")):
            out.extend(policy["Properties"]["PolicyDocument"]["Statement"])
    return out


def _actions(statement: dict[str, object]) -> set[str]:
    action = statement["Action"]
    return {action} if isinstance(action, str) else set(action)  # type: ignore[arg-type]


def test_event_source_network_policies_grant_no_write_on_star() -> None:
    stack = new_stack()
    secret = secretsmanager.Secret(stack, "Secret")
    fn = _fn(stack)
    fn.add_trigger(MskTrigger(cluster_arn=MSK_ARN, topic="orders", authentication=KafkaAuth.IAM), construct_id="Msk")
    fn.add_trigger(
        SelfManagedKafkaTrigger(
            bootstrap_servers=["b1:9096"],
            topic="orders",
            authentication=KafkaAuth.SASL_SCRAM_512,
            secret=secret,
            subnet_ids=["subnet-1"],
            security_group_ids=["sg-1"],
        ),
        construct_id="Kafka",
    )
    fn.add_trigger(MqTrigger(broker_arn="arn:aws:mq:eu-west-1:111122223333:broker:b:id", queue_name="q", secret=secret))
    fn.add_trigger(
        DocumentDbTrigger(
            cluster_arn="arn:aws:rds:eu-west-1:111122223333:cluster:docs", database_name="db", secret=secret
        )
    )
    statements = _network_statements(Template.from_stack(stack))
    assert len(statements) >= 4 * 3
    for statement in statements:
        if _actions(statement) & WRITE_ENI:
            assert statement["Resource"] != "*" and "*" not in statement["Resource"], statement  # type: ignore[operator]
    stars = {a for s in statements if s["Resource"] == "*" for a in _actions(s)}
    assert stars <= {
        "ec2:DescribeNetworkInterfaces",
        "ec2:DescribeSecurityGroups",
        "ec2:DescribeSubnets",
        "ec2:DescribeVpcs",
        "kafka:GetBootstrapBrokers",  # supports only *
    }, stars
    assert "kafka:GetBootstrapBrokers" in stars
    text = str(statements)
    assert "subnet/subnet-1" in text and "security-group/sg-1" in text  # the named ones (self-managed Kafka)
    assert ":cluster-pg:*" in text and ":subgrp:*" in text  # DocumentDB's parameter and subnet groups


def test_rest_api_logging_role_describes_log_groups_on_star_only() -> None:
    stack = new_stack()
    _fn(stack).add_trigger(RestApiTrigger(), construct_id="Api")
    template = Template.from_stack(stack)
    statements = [
        s
        for p in template.find_resources("AWS::IAM::ManagedPolicy").values()
        for s in p["Properties"]["PolicyDocument"]["Statement"]
        if "logs:DescribeLogGroups" in _actions(s)
    ]
    assert statements == [{"Action": "logs:DescribeLogGroups", "Effect": "Allow", "Resource": "*"}]


def test_issue_report_4000_byte_variable_plus_secret_arn_fails() -> None:
    """The report: a 4,000-byte variable plus a secret ARN was accepted (the ARN counted as 3 bytes)."""
    arn = "arn:aws:secretsmanager:eu-west-1:111122223333:secret:prod/orders/database-credentials-AbCdEf"
    expected = len("PAYLOAD") + 4000 + len("DB_SECRET_ARN") + len(arn)  # 4111 > 4096 (was counted 4023)
    with pytest.raises(LambdaConstructsError, match=rf"environment variables take {expected} bytes"):
        _fn(
            new_stack(),
            environment={"PAYLOAD": "x" * 4000},
            secret_environment={"DB_SECRET_ARN": SecretReference.from_secret(arn)},
        )
