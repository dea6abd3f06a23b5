"""The fields of the library's props and option dataclasses are checked against their annotations when
the object is made (lambda_constructs.field_types): a wrong Python type is the library's error, naming
the class, the field, the value, its type and the expected type."""

from __future__ import annotations

import dataclasses
import importlib
import pkgutil
from pathlib import Path
from typing import Any

import pytest
from aws_cdk import Duration, IResource, Size, Token
from aws_cdk import aws_cloudfront as cloudfront
from aws_cdk import aws_cognito as cognito
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_logs as logs
from aws_cdk import aws_sqs as sqs
from aws_cdk.assertions import Template

import lambda_constructs.triggers
from lambda_constructs import LambdaConstructsError, LambdaServiceProps, SecureFunction, SecureFunctionProps
from lambda_constructs.errors import LambdaConstructsTypeError
from lambda_constructs.field_types import check_argument, check_fields
from lambda_constructs.monitoring.service_monitoring import ServiceMonitoringProps
from lambda_constructs.monitoring.thresholds import AlarmThresholds
from lambda_constructs.network import EgressRule
from lambda_constructs.triggers.access import InvokeAccess
from lambda_constructs.triggers.api_gateway import RestApiTrigger
from lambda_constructs.triggers.kinesis import KinesisTrigger
from lambda_constructs.triggers.sqs import SqsTrigger
from tests.helpers import new_stack

OK_DIR = Path(__file__).resolve().parents[1] / "fixtures" / "handlers" / "ok"


def _raises(make: Any, text: str) -> LambdaConstructsTypeError:
    with pytest.raises(LambdaConstructsTypeError) as caught:
        make()
    assert str(caught.value) == text
    return caught.value


def test_a_string_count_is_the_library_error_naming_class_field_value_type_and_fix() -> None:
    error = _raises(
        lambda: SqsTrigger(max_receive_count="5"),
        "SqsTrigger(max_receive_count=...) must be int, not str (got '5'). "
        "Fix: pass max_receive_count as int (write max_receive_count=5, without quotes)",
    )
    # the library's error (a ValueError), and a TypeError for code that caught Python's own
    assert isinstance(error, LambdaConstructsError)
    assert isinstance(error, ValueError)
    assert isinstance(error, TypeError)
    assert error.path == ""
    assert error.value == "5"


def test_a_queue_name_where_a_queue_is_expected() -> None:
    _raises(
        lambda: SqsTrigger(queue="name"),
        "SqsTrigger(queue=...) must be aws_cdk.aws_sqs.IQueue or None, not str (got 'name'). "
        "Fix: pass queue as aws_cdk.aws_sqs.IQueue or None",
    )


def test_a_jsii_object_of_another_interface_is_rejected() -> None:
    role = iam.Role(new_stack(), "Role", assumed_by=iam.ServicePrincipal("lambda.amazonaws.com"))
    with pytest.raises(
        LambdaConstructsTypeError, match=r"^SqsTrigger\(queue=\.\.\.\) must be .*IQueue or None, not Role"
    ):
        SqsTrigger(queue=role)  # type: ignore[arg-type]


def test_none_for_a_sequence_option() -> None:
    _raises(
        lambda: ServiceMonitoringProps(exclude_queues=None),
        "ServiceMonitoringProps(exclude_queues=...) must be Sequence[aws_cdk.aws_sqs.IQueue], not NoneType. "
        "Fix: pass exclude_queues as Sequence[aws_cdk.aws_sqs.IQueue]",
    )


def test_a_string_is_not_a_bool() -> None:
    """It was silently true."""
    _raises(
        lambda: LambdaServiceProps(monitored="no"),
        "LambdaServiceProps(monitored=...) must be bool, not str (got 'no'). "
        "Fix: pass monitored as bool (write monitored=True or monitored=False, without quotes)",
    )
    with pytest.raises(LambdaConstructsTypeError, match=r"SqsTrigger\(enabled=\.\.\.\) must be bool, not int"):
        SqsTrigger(enabled=1)


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        (
            {"timeout": 30},
            r"^SecureFunctionProps\(timeout=\.\.\.\) must be aws_cdk\.Duration, not int \(got 30\)\. "
            r"Fix: pass timeout as aws_cdk\.Duration \(write timeout=Duration\.seconds\(30\), from aws_cdk import Duration\)$",
        ),
        (
            {"max_event_age": "1h"},
            r"^SecureFunctionProps\(max_event_age=\.\.\.\) must be aws_cdk\.Duration, not str \(got '1h'\)",
        ),
        (
            {"memory_size": "512"},
            r"^SecureFunctionProps\(memory_size=\.\.\.\) must be int, not str \(got '512'\)\. "
            r"Fix: pass memory_size as int \(write memory_size=512, without quotes\)$",
        ),
        ({"memory_size": True}, r"^SecureFunctionProps\(memory_size=\.\.\.\) must be int, not bool \(got True\)"),
        ({"ephemeral_storage_size": 1024}, r"must be aws_cdk\.Size, not int .*Size\.mebibytes\(1024\)"),
        ({"retry_attempts": "2"}, r"^SecureFunctionProps\(retry_attempts=\.\.\.\) must be int, not str"),
        (
            {"reserved_concurrent_executions": "10"},
            r"reserved_concurrent_executions=\.\.\.\) must be int or None, not str",
        ),
        ({"key_per_function": "yes"}, r"key_per_function=\.\.\.\) must be bool, not str"),
        ({"environment": {"A": 1}}, r"environment=\.\.\.\) must be Mapping\[str, str\], not dict"),
        (
            {"pip_options": "--no-deps"},
            r"pip_options=\.\.\.\) must be Sequence\[str\], not str .*write pip_options=\['--no-deps'\]",
        ),
        (
            {"language": "ruby"},
            r"language=\.\.\.\) must be 'python' or 'nodejs' or 'java' or 'dotnet' or 'provided' or None",
        ),
    ],
)
def test_secure_function_props_types(overrides: dict[str, Any], message: str) -> None:
    """Before, these failed at SecureFunction(...) (or deep in aws-cdk-lib); now when the props are made."""
    with pytest.raises(LambdaConstructsTypeError, match=message):
        SecureFunctionProps(code_dir=OK_DIR, **overrides)


def test_real_aws_cdk_lib_objects_are_accepted() -> None:
    stack = new_stack()
    imported_queue = sqs.Queue.from_queue_arn(stack, "Q", "arn:aws:sqs:us-east-1:123456789012:q")
    role = iam.Role(stack, "Role", assumed_by=iam.ServicePrincipal("lambda.amazonaws.com"))
    imported_role = iam.Role.from_role_arn(stack, "Imported", "arn:aws:iam::123456789012:role/r")
    imported_key = kms.Key.from_key_arn(
        stack, "Key", "arn:aws:kms:us-east-1:123456789012:key/k"
    )  # a jsii dynamic proxy
    layer = lambda_.LayerVersion.from_layer_version_arn(stack, "L", "arn:aws:lambda:us-east-1:123456789012:layer:l:1")
    vpc = ec2.Vpc(stack, "Vpc")
    group = ec2.SecurityGroup.from_security_group_id(stack, "G", "sg-12345678")
    SqsTrigger(queue=imported_queue)
    SqsTrigger(encryption_key=imported_key, max_batching_window=Duration.seconds(3), batch_size=20)
    SqsTrigger(batch_size=Token.as_number("5"), filters=[{"body": {"a": [1]}}, '{"body": {"b": [2]}}'])
    InvokeAccess(principals=[role, imported_role])
    KinesisTrigger(stream_props=None, batch_size=100)
    props = SecureFunctionProps(
        code_dir=str(OK_DIR),
        runtime=lambda_.Runtime.PYTHON_3_12,
        role=imported_role,
        timeout=Duration.seconds(3),
        ephemeral_storage_size=Size.mebibytes(1024),
        environment={"NAME": Token.as_string("x")},
        layers=[layer],
        vpc=vpc,
        security_groups=[group],
        allow_egress_to=None,
        reserved_concurrent_executions=None,
        tracing=lambda_.Tracing.ACTIVE,
    )
    SecureFunctionProps(code_dir=OK_DIR, role=role, pip_options=("--no-deps",), layers=())
    EgressRule(peer=ec2.Peer.ipv4("10.0.0.0/16"), port=ec2.Port.tcp(443))
    AlarmThresholds(errors=1, error_rate_percent=2.5, iterator_age_seconds="auto")
    fn = SecureFunction(stack, "Fn", props)
    ServiceMonitoringProps(functions=[fn], exclude_queues=[imported_queue], alarm_set="full")


def test_a_subclass_trigger_checks_its_fields_once_and_its_base_still_runs() -> None:
    """KinesisTrigger's own __post_init__ calls its base's through super(): the types are checked first."""
    with pytest.raises(LambdaConstructsTypeError, match=r"KinesisTrigger\(batch_size=\.\.\.\) must be int"):
        KinesisTrigger(batch_size="100")
    with pytest.raises(LambdaConstructsError, match=r"^KinesisTrigger\(batch_size=\.\.\.\) must be between"):
        KinesisTrigger(batch_size=0)  # the base's range check still runs


def _props_classes() -> list[type]:
    """Every keyword-only dataclass of the trigger package and of the modules holding public props."""
    modules = [
        "lambda_constructs.function_props",
        "lambda_constructs.service",
        "lambda_constructs.monitoring.service_monitoring",
        "lambda_constructs.monitoring.thresholds",
        "lambda_constructs.layers",
        "lambda_constructs.private_network",
        "lambda_constructs.network",
        "lambda_constructs.secrets",
        "lambda_constructs.languages.image",
        "lambda_constructs.languages.nodejs",
    ]
    modules += [
        f"lambda_constructs.triggers.{m.name}" for m in pkgutil.iter_modules(lambda_constructs.triggers.__path__)
    ]
    found = []
    for name in modules:
        for cls in vars(importlib.import_module(name)).values():
            is_dataclass = isinstance(cls, type) and cls.__module__ == name and dataclasses.is_dataclass(cls)
            if is_dataclass and all(f.kw_only for f in dataclasses.fields(cls)):  # the props convention
                found.append(cls)
    return found


#: Keyword-only dataclasses of those modules that are not input: a parse result and a base with no field.
NOT_PROPS = {"EcrImageUri", "BoundTrigger"}


def test_every_props_and_option_dataclass_is_checked() -> None:
    classes = [cls for cls in _props_classes() if cls.__name__ not in NOT_PROPS]
    assert len(classes) > 40
    unchecked = [cls.__qualname__ for cls in classes if not vars(cls).get("__lambda_constructs_checked_fields__")]
    assert unchecked == []


def test_check_fields_resolves_every_annotation() -> None:
    """An annotation the checker cannot resolve would be skipped: only TYPE_CHECKING-only names may be."""
    from lambda_constructs import field_types

    skipped = {}
    for cls in _props_classes():
        if cls.__name__ in NOT_PROPS:
            continue
        for name, _, annotation in field_types._field_checks(cls):
            if annotation is Any:
                skipped.setdefault(cls.__name__, []).append(name)
    # SecretReference's secret/parameter are typed with modules imported only for type checkers (secrets.py)
    assert skipped == {"SecretReference": ["secret", "parameter"]}


def test_check_fields_of_a_valid_object_makes_no_jsii_call(monkeypatch: pytest.MonkeyPatch) -> None:
    """Only Python classes and instance attributes are read: no round trip to the jsii kernel."""
    import jsii

    stack = new_stack()
    queue = sqs.Queue.from_queue_arn(stack, "Q", "arn:aws:sqs:us-east-1:123456789012:q")
    key = kms.Key.from_key_arn(stack, "Key", "arn:aws:kms:us-east-1:123456789012:key/k")
    role = iam.Role.from_role_arn(stack, "Imported", "arn:aws:iam::123456789012:role/r")
    trigger = SqsTrigger(queue=queue)
    calls: list[str] = []
    for name in ("get", "invoke", "sget", "sinvoke", "create", "set", "sset", "ainvoke"):
        if hasattr(jsii, name):
            original = getattr(jsii, name)
            monkeypatch.setattr(jsii, name, lambda *a, _n=name, _o=original, **k: calls.append(_n) or _o(*a, **k))
    check_fields(trigger)
    SqsTrigger(encryption_key=key)
    InvokeAccess(principals=[role])
    assert calls == []
    assert queue.queue_arn  # the probe sees a round trip
    assert calls == ["get"]


def _imports(stack: Any) -> dict[str, Any]:
    """aws-cdk-lib's from_* imports: all but the queue's come back as jsii InterfaceDynamicProxy objects."""
    return {
        "role": iam.Role.from_role_arn(stack, "ImportedRole", "arn:aws:iam::123456789012:role/r"),
        "key": kms.Key.from_key_arn(stack, "ImportedKey", "arn:aws:kms:us-east-1:123456789012:key/k"),
        "layer": lambda_.LayerVersion.from_layer_version_arn(
            stack, "ImportedLayer", "arn:aws:lambda:us-east-1:123456789012:layer:l:1"
        ),
        "log_group": logs.LogGroup.from_log_group_name(stack, "ImportedLogs", "logs"),
        "user_pool": cognito.UserPool.from_user_pool_id(stack, "ImportedPool", "us-east-1_abc"),
        "distribution": cloudfront.Distribution.from_distribution_attributes(
            stack, "ImportedDist", distribution_id="E123", domain_name="d.example.com"
        ),
        "queue": sqs.Queue.from_queue_arn(stack, "ImportedQueue", "arn:aws:sqs:us-east-1:123456789012:q"),
        "policy": iam.ManagedPolicy.from_managed_policy_arn(stack, "ImportedPolicy", "arn:aws:iam::aws:policy/p"),
        "group": ec2.SecurityGroup.from_security_group_id(stack, "ImportedGroup", "sg-12345678"),
        "vpc": ec2.Vpc.from_vpc_attributes(stack, "ImportedVpc", vpc_id="vpc-1", availability_zones=["us-east-1a"]),
    }


def test_imported_resources_of_the_right_interface_are_accepted() -> None:
    imported = _imports(new_stack())
    SecureFunctionProps(
        code_dir=OK_DIR,
        role=imported["role"],
        log_group=imported["log_group"],
        layers=[imported["layer"]],
        permissions_boundary=imported["policy"],
        security_groups=[imported["group"]],
        vpc=imported["vpc"],
    )
    SqsTrigger(queue=imported["queue"])
    SqsTrigger(encryption_key=imported["key"])
    InvokeAccess(principals=[imported["role"]])  # IRole extends IPrincipal
    RestApiTrigger(authorization="COGNITO", user_pools=[imported["user_pool"]])
    check_argument("S/Fn", "call", "pool", imported["user_pool"], cognito.IUserPool)
    check_argument("S/Fn", "call", "dist", imported["distribution"], cloudfront.IDistribution)
    check_argument("S/Fn", "call", "resource", imported["distribution"], IResource)  # a super-interface


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (
            lambda i: SecureFunctionProps(code_dir=OK_DIR, log_group=i["key"]),
            "SecureFunctionProps(log_group=...) must be aws_cdk.aws_logs.ILogGroup or None, "
            "not an imported aws_cdk.aws_kms.IKey (got <an imported aws_cdk.aws_kms.IKey>)",
        ),
        (
            lambda i: SecureFunctionProps(code_dir=OK_DIR, layers=[i["role"]]),
            "SecureFunctionProps(layers=...) must be Sequence[aws_cdk.aws_lambda.ILayerVersion or "
            "lambda_constructs.layers.PythonLayer], not list; item 0 is an imported aws_cdk.aws_iam.IRole, "
            "not aws_cdk.aws_lambda.ILayerVersion or "
            "lambda_constructs.layers.PythonLayer (got [<an imported aws_cdk.aws_iam.IRole>])",
        ),
        (
            lambda i: SqsTrigger(queue=i["log_group"]),
            "SqsTrigger(queue=...) must be aws_cdk.aws_sqs.IQueue or None, "
            "not an imported aws_cdk.aws_logs.ILogGroup (got <an imported aws_cdk.aws_logs.ILogGroup>)",
        ),
        (
            lambda i: SecureFunctionProps(code_dir=OK_DIR, role=i["layer"]),
            "SecureFunctionProps(role=...) must be aws_cdk.aws_iam.IRole or None, "
            "not an imported aws_cdk.aws_lambda.ILayerVersion (got <an imported aws_cdk.aws_lambda.ILayerVersion>)",
        ),
        (
            lambda i: check_argument("S/Fn", "call", "pool", i["distribution"], cognito.IUserPool),
            "S/Fn: call(pool=...) must be aws_cdk.aws_cognito.IUserPool, "
            "not an imported aws_cdk.aws_cloudfront.IDistribution (got <an imported aws_cdk.aws_cloudfront.IDistribution>)",
        ),
    ],
)
def test_an_imported_resource_of_another_interface_is_rejected_and_named_by_its_interface(
    make: Any, message: str
) -> None:
    """Any InterfaceDynamicProxy passed for any interface, and failed later with a raw AttributeError."""
    with pytest.raises(LambdaConstructsTypeError) as caught:
        make(_imports(new_stack()))
    text = str(caught.value)
    assert text.startswith(message)
    assert "InterfaceDynamicProxy" not in text
    assert " at 0x" not in text


def test_a_mapping_for_a_jsii_struct_field_is_made_the_struct() -> None:
    """aws-cdk-lib takes Union[Struct, Dict[str, Any]]: the checker rejected the dict."""
    stack = new_stack()
    vpc = ec2.Vpc(stack, "Vpc")
    props = SecureFunctionProps(
        code_dir=OK_DIR, vpc=vpc, vpc_subnets={"subnet_type": ec2.SubnetType.PRIVATE_WITH_EGRESS}
    )
    assert isinstance(props.vpc_subnets, ec2.SubnetSelection)  # code reading the field sees the struct
    assert props.vpc_subnets.subnet_type == ec2.SubnetType.PRIVATE_WITH_EGRESS
    trigger = SqsTrigger(queue_props={"retention_period": Duration.days(4)})
    assert isinstance(trigger.queue_props, sqs.QueueProps)
    assert trigger.queue_props.retention_period is not None
    assert trigger.queue_props.retention_period.to_days() == 4
    SecureFunction(stack, "Fn", props)


def test_a_mapping_for_add_alias_additional_versions_is_made_version_weights() -> None:
    stack = new_stack()
    fn = SecureFunction(stack, "Fn", SecureFunctionProps(code_dir=OK_DIR))
    v1 = lambda_.Version.from_version_arn(stack, "V1", "arn:aws:lambda:us-east-1:123456789012:function:f:1")
    v2 = lambda_.Version.from_version_arn(stack, "V2", "arn:aws:lambda:us-east-1:123456789012:function:f:2")
    alias = fn.add_alias("blue", v1, additional_versions=[{"version": v2, "weight": 0.1}])
    routing = Template.from_stack(stack).find_resources("AWS::Lambda::Alias")
    (resource,) = (r for r in routing.values() if r["Properties"]["Name"] == "blue")
    config = resource["Properties"]["RoutingConfig"]["AdditionalVersionWeights"]
    assert config == [{"FunctionVersion": "2", "FunctionWeight": 0.1}]
    assert alias.alias_name == "blue"


def test_a_mapping_with_an_unknown_key_names_the_field_and_the_key() -> None:
    with pytest.raises(
        LambdaConstructsTypeError,
        match=r"^SecureFunctionProps\(vpc_subnets=\.\.\.\): the key 'subnet_typ' is not a field of "
        r"aws_cdk\.aws_ec2\.SubnetSelection \(got \{'subnet_typ': .*\}\)\. Fix: use the fields of "
        r"aws_cdk\.aws_ec2\.SubnetSelection \(snake_case\): .*subnet_type",
    ):
        SecureFunctionProps(code_dir=OK_DIR, vpc_subnets={"subnet_typ": ec2.SubnetType.PRIVATE_WITH_EGRESS})
    with pytest.raises(LambdaConstructsTypeError, match=r"^SqsTrigger\(queue_props=\.\.\.\): the key 'retention'"):
        SqsTrigger(queue_props={"retention": Duration.days(4)})
    with pytest.raises(
        LambdaConstructsTypeError, match=r"queue_props=\.\.\.\): the mapping given for .*QueueProps is invalid"
    ):
        SqsTrigger(queue_props={"retention_period": 4})
    stack = new_stack()
    fn = SecureFunction(stack, "Fn", SecureFunctionProps(code_dir=OK_DIR))
    v1 = lambda_.Version.from_version_arn(stack, "V1", "arn:aws:lambda:us-east-1:123456789012:function:f:1")
    with pytest.raises(
        LambdaConstructsTypeError,
        match=r"/Fn: add_alias\(additional_versions=\.\.\.\): the key 'wieght' is not a field of .*VersionWeight",
    ):
        fn.add_alias("blue", v1, additional_versions=[{"version": v1, "wieght": 0.1}])


def test_the_type_error_is_exported_beside_the_library_error() -> None:
    import lambda_constructs

    assert lambda_constructs.LambdaConstructsTypeError is LambdaConstructsTypeError
    assert "LambdaConstructsTypeError" in lambda_constructs.__all__
    assert "LambdaConstructsTypeError" in dir(lambda_constructs)


def test_an_enum_of_a_private_module_is_named_by_its_public_path_with_the_member_to_write() -> None:
    """It named lambda_constructs.triggers._polled.StartingPosition (exported as lambda_constructs.triggers.*)."""
    _raises(
        lambda: KinesisTrigger(starting_position="latest"),
        "KinesisTrigger(starting_position=...) must be lambda_constructs.triggers.StartingPosition, not str "
        "(got 'latest'). Fix: pass starting_position as lambda_constructs.triggers.StartingPosition "
        "(write starting_position=StartingPosition.LATEST, from lambda_constructs.triggers import StartingPosition)",
    )


def test_a_single_object_where_a_sequence_is_expected_gets_the_list_hint() -> None:
    stack = new_stack()
    group = ec2.SecurityGroup.from_security_group_id(stack, "G", "sg-12345678")
    role = iam.Role(stack, "Role", assumed_by=iam.ServicePrincipal("lambda.amazonaws.com"))
    with pytest.raises(
        LambdaConstructsTypeError,
        match=r"^SecureFunctionProps\(security_groups=\.\.\.\) must be Sequence\[aws_cdk\.aws_ec2\.ISecurityGroup\], "
        r"not an imported aws_cdk\.aws_ec2\.ISecurityGroup .*\(one value is not a sequence: write security_groups=\[value\]\)$",
    ):
        SecureFunctionProps(code_dir=OK_DIR, security_groups=group)
    with pytest.raises(LambdaConstructsTypeError, match=r"principals=\.\.\.\) must be .*write principals=\[value\]\)$"):
        InvokeAccess(principals=role)
    with pytest.raises(LambdaConstructsTypeError) as caught:  # an object of another type: no such hint
        SecureFunctionProps(code_dir=OK_DIR, security_groups=role)
    assert "write security_groups=[value]" not in str(caught.value)


def test_the_bad_item_of_a_mapping_or_sequence_is_named() -> None:
    _raises(
        lambda: SecureFunctionProps(inline_code="x", environment={"OK": "y", "AB": 1}),  # type: ignore[dict-item]
        "SecureFunctionProps(environment=...) must be Mapping[str, str], not dict; the value of 'AB' is int 1, "
        "not str (got {'OK': 'y', 'AB': 1}). Fix: pass environment as Mapping[str, str]",
    )
    _raises(
        lambda: SecureFunctionProps(inline_code="x", environment={3: "x"}),  # type: ignore[dict-item]
        "SecureFunctionProps(environment=...) must be Mapping[str, str], not dict; the key 3 is int, not str "
        "(got {3: 'x'}). Fix: pass environment as Mapping[str, str]",
    )
    _raises(
        lambda: SecureFunctionProps(inline_code="x", pip_options=["--a", 3]),  # type: ignore[list-item]
        "SecureFunctionProps(pip_options=...) must be Sequence[str], not list; item 1 is int 3, not str "
        "(got ['--a', 3]). Fix: pass pip_options as Sequence[str]",
    )


def test_a_number_token_for_a_str_is_named_a_token_with_the_way_to_a_str() -> None:
    """It said "the value of 'A' is float -1.888e+289, not str" (the second new-user pass)."""
    import aws_cdk as cdk

    from lambda_constructs import LambdaConstructsTypeError, SecureFunction, SecureFunctionProps

    number = cdk.Token.as_number(cdk.Fn.ref("AWS::AccountId"))
    with pytest.raises(LambdaConstructsTypeError) as caught:
        SecureFunctionProps(inline_code="x = 1\n", environment={"A": number})  # type: ignore[dict-item]
    assert "the value of 'A' is a number token (float " in str(caught.value)
    assert "write Token.as_string(value) for a str" in str(caught.value)
    # the fix works: the str token renders the reference
    from aws_cdk.assertions import Template

    stack = cdk.Stack(cdk.App(), "S")
    SecureFunction(
        stack, "Fn", SecureFunctionProps(inline_code="x = 1\n", environment={"AB": cdk.Token.as_string(number)})
    )
    (function,) = Template.from_stack(stack).find_resources("AWS::Lambda::Function").values()
    assert function["Properties"]["Environment"]["Variables"] == {"AB": {"Ref": "AWS::AccountId"}}
    # a plain float is still shown as one
    with pytest.raises(LambdaConstructsTypeError, match=r"the value of 'A' is float 1\.5, not str"):
        SecureFunctionProps(inline_code="x = 1\n", environment={"A": 1.5})  # type: ignore[dict-item]
