"""The emulator refuses what AWS refuses, and updates stacks as CloudFormation does.

Templates go through the CloudFormation API (CreateChangeSet + ExecuteChangeSet, as the CDK CLI
deploys) into one emulator per module; each rule of lambda_constructs/local/rules.py must fail the
stack with AWS's message, and the same template without the violation must deploy.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from lambda_constructs.local import verify
from lambda_constructs.local.server import Emulator, running_emulator

pytestmark = pytest.mark.integration

ROLE = {
    "Type": "AWS::IAM::Role",
    "Properties": {
        "AssumeRolePolicyDocument": {
            "Version": "2012-10-17",
            "Statement": [
                {"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}
            ],
        }
    },
}


def function(code: str = "def handler(e, c):\n    return 1\n", **props: Any) -> dict[str, Any]:
    return {
        "Type": "AWS::Lambda::Function",
        "Properties": {
            "Code": {"ZipFile": code},
            "Handler": "index.handler",
            "Runtime": "python3.12",
            "Role": {"Fn::GetAtt": ["Role", "Arn"]},
            **props,
        },
    }


def version(**props: Any) -> dict[str, Any]:
    return {"Type": "AWS::Lambda::Version", "Properties": {"FunctionName": {"Ref": "Fn"}, **props}}


def alias(name: str, target: Any, **props: Any) -> dict[str, Any]:
    return {
        "Type": "AWS::Lambda::Alias",
        "Properties": {"FunctionName": {"Ref": "Fn"}, "Name": name, "FunctionVersion": target, **props},
    }


@pytest.fixture(scope="module")
def emulator(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Emulator]:
    with running_emulator(log_dir=tmp_path_factory.mktemp("emulator")) as emu:
        yield emu


def deploy(emu: Emulator, stack: str, resources: dict[str, Any], **template: Any) -> tuple[str, list[str]]:
    """Create or update ``stack`` through a change set; return (stack status, failure reasons)."""
    cfn = emu.client("cloudformation")
    exists = any(s["StackName"] == stack for s in cfn.describe_stacks()["Stacks"])
    body = {"Resources": {"Role": ROLE, **resources}, **template}
    cfn.delete_change_set(StackName=stack, ChangeSetName="cdk-deploy-change-set")  # as the CDK CLI does
    cfn.create_change_set(
        StackName=stack,
        ChangeSetName="cdk-deploy-change-set",
        TemplateBody=json.dumps(body),
        ChangeSetType="UPDATE" if exists else "CREATE",
    )
    cfn.execute_change_set(StackName=stack, ChangeSetName="cdk-deploy-change-set")
    status = cfn.describe_stacks(StackName=stack)["Stacks"][0]["StackStatus"]
    events = cfn.describe_stack_events(StackName=stack)["StackEvents"]
    reasons = [e.get("ResourceStatusReason", "") for e in events if e["ResourceStatus"].endswith("_FAILED")]
    return status, reasons


def name() -> str:
    return f"S{uuid.uuid4().hex[:10]}"


def test_a_version_of_unchanged_code_fails_the_stack_as_cloudformation_does(emulator: Emulator) -> None:
    status, reasons = deploy(emulator, name(), {"Fn": function(), "V1": version(), "V2": version(Description="again")})
    assert status == "CREATE_FAILED"
    assert any("A version for this Lambda function exists ( 1 )" in r for r in reasons), reasons
    stack = name()
    assert deploy(emulator, stack, {"Fn": function(), "V1": version()})[0] == "CREATE_COMPLETE"
    # Changed code, then a second version: published.
    status, _ = deploy(
        emulator, stack, {"Fn": function("def handler(e, c):\n    return 2\n"), "V1": version(), "V2": version()}
    )
    assert status == "UPDATE_COMPLETE"


def test_alias_names_follow_the_api_pattern(emulator: Emulator) -> None:
    status, reasons = deploy(emulator, name(), {"Fn": function(), "A": alias("123", "$LATEST")})
    assert status == "CREATE_FAILED" and any("failed to satisfy constraint" in r for r in reasons), reasons
    assert deploy(emulator, name(), {"Fn": function(), "A": alias("Prod-1_x", "$LATEST")})[0] == "CREATE_COMPLETE"


def test_an_alias_points_to_at_most_two_versions(emulator: Emulator) -> None:
    code = "def handler(e, c):\n    return %d\n"
    stack = name()
    assert deploy(emulator, stack, {"Fn": function(code % 1), "V1": version()})[0] == "CREATE_COMPLETE"
    assert deploy(emulator, stack, {"Fn": function(code % 2), "V1": version(), "V2": version()})[0] == "UPDATE_COMPLETE"
    versions = {"Fn": function(code % 3), "V1": version(), "V2": version(), "V3": version()}
    assert deploy(emulator, stack, versions)[0] == "UPDATE_COMPLETE"
    three = {
        "AdditionalVersionWeights": [
            {"FunctionVersion": {"Fn::GetAtt": ["V2", "Version"]}, "FunctionWeight": 0.1},
            {"FunctionVersion": {"Fn::GetAtt": ["V3", "Version"]}, "FunctionWeight": 0.1},
        ]
    }
    routed = alias("Prod", {"Fn::GetAtt": ["V1", "Version"]}, RoutingConfig=three)
    status, reasons = deploy(emulator, stack, {**versions, "A": routed})
    assert status == "UPDATE_FAILED" and any("at most two versions" in r for r in reasons), reasons


def test_a_weighted_alias_answers_getalias_in_the_api_form(emulator: Emulator) -> None:
    code = "def handler(e, c):\n    return %d\n"
    stack = name()
    deploy(emulator, stack, {"Fn": function(code % 1), "V1": version()})
    deploy(emulator, stack, {"Fn": function(code % 2), "V1": version(), "V2": version()})
    weights = {
        "AdditionalVersionWeights": [{"FunctionVersion": {"Fn::GetAtt": ["V2", "Version"]}, "FunctionWeight": 0.25}]
    }
    resources = {
        "Fn": function(code % 2),
        "V1": version(),
        "V2": version(),
        "A": alias("Prod", {"Fn::GetAtt": ["V1", "Version"]}, RoutingConfig=weights),
    }
    assert deploy(emulator, stack, resources)[0] == "UPDATE_COMPLETE"
    fn = _physical(emulator, stack, "Fn")
    got = emulator.client("lambda").get_alias(FunctionName=fn, Name="Prod")
    assert got["FunctionVersion"] == "1"
    assert got["RoutingConfig"] == {"AdditionalVersionWeights": {"2": 0.25}}


def test_resource_policy_at_most_20480_bytes(emulator: Emulator) -> None:
    def permissions(count: int) -> dict[str, Any]:
        return {
            f"P{i}": {
                "Type": "AWS::Lambda::Permission",
                "Properties": {
                    "Action": "lambda:InvokeFunction",
                    "FunctionName": {"Fn::GetAtt": ["Fn", "Arn"]},
                    "Principal": "sns.amazonaws.com",
                    "SourceArn": f"arn:aws:sns:us-east-1:000000000000:topic-with-a-fairly-long-name-number-{i:04d}",
                },
            }
            for i in range(count)
        }

    status, reasons = deploy(emulator, name(), {"Fn": function(), **permissions(90)})
    assert status == "CREATE_FAILED" and any("bigger than the limit (20480)" in r for r in reasons), reasons
    assert deploy(emulator, name(), {"Fn": function(), **permissions(20)})[0] == "CREATE_COMPLETE"


def test_environment_variables_at_most_4_kb_resolved(emulator: Emulator) -> None:
    # The template holds a short Ref; the 5,000-byte value only exists once the parameter is resolved.
    params = {"Parameters": {"Big": {"Type": "String", "Default": "x" * 5000}}}
    env = {"Environment": {"Variables": {"BIG": {"Ref": "Big"}}}}
    status, reasons = deploy(emulator, name(), {"Fn": function(**env)}, **params)
    assert status == "CREATE_FAILED" and any("exceeded the 4KB limit" in r for r in reasons), reasons
    small = {"Parameters": {"Big": {"Type": "String", "Default": "x" * 3000}}}
    assert deploy(emulator, name(), {"Fn": function(**env)}, **small)[0] == "CREATE_COMPLETE"


def test_provisioned_concurrency_only_on_published_versions(emulator: Emulator) -> None:
    pc = {"ProvisionedConcurrencyConfig": {"ProvisionedConcurrentExecutions": 1}}
    status, reasons = deploy(emulator, name(), {"Fn": function(), "A": alias("Live", "$LATEST", **pc)})
    assert status == "CREATE_FAILED" and any("unpublished function versions" in r for r in reasons), reasons
    published = {"Fn": function(), "V1": version(), "A": alias("Live", {"Fn::GetAtt": ["V1", "Version"]}, **pc)}
    assert deploy(emulator, name(), published)[0] == "CREATE_COMPLETE"


def _physical(emu: Emulator, stack: str, logical_id: str) -> str:
    resources = emu.client("cloudformation").describe_stack_resources(StackName=stack)["StackResources"]
    return next(r["PhysicalResourceId"] for r in resources if r["LogicalResourceId"] == logical_id)


def test_updates_keep_the_alias_rebuild_outputs_and_honour_retain(emulator: Emulator) -> None:
    code = "def handler(e, c):\n    return %d\n"
    stack = name()
    outputs = {"Outputs": {"Live": {"Value": {"Ref": "A"}, "Export": {"Name": f"{stack}-live"}}}}
    queue = {"Type": "AWS::SQS::Queue", "DeletionPolicy": "Retain"}
    first = {
        "Fn": function(code % 1),
        "V1": version(),
        "A": alias("Live", {"Fn::GetAtt": ["V1", "Version"]}),
        "Q": queue,
    }
    assert deploy(emulator, stack, first, **outputs)[0] == "CREATE_COMPLETE"
    cfn = emulator.client("cloudformation")
    alias_arn = _physical(emulator, stack, "A")
    queue_url = _physical(emulator, stack, "Q")
    assert cfn.describe_stacks(StackName=stack)["Stacks"][0]["Outputs"][0]["OutputValue"] == alias_arn
    assert {e["Name"]: e["Value"] for e in cfn.list_exports()["Exports"]}[f"{stack}-live"] == alias_arn

    second = {
        "Fn": function(code % 2),
        "V1": version(),
        "V2": version(),
        "A": alias("Live", {"Fn::GetAtt": ["V2", "Version"]}),
    }
    renamed = {"Outputs": {"Target": {"Value": {"Fn::GetAtt": ["V2", "Version"]}, "Export": {"Name": f"{stack}-v"}}}}
    assert deploy(emulator, stack, second, **renamed)[0] == "UPDATE_COMPLETE"
    fn = _physical(emulator, stack, "Fn")
    got = emulator.client("lambda").get_alias(FunctionName=fn, Name="Live")
    assert (got["AliasArn"], got["FunctionVersion"]) == (alias_arn, "2")  # moved, not replaced
    sha = {
        v["Version"]: v["CodeSha256"]
        for v in emulator.client("lambda").list_versions_by_function(FunctionName=fn)["Versions"]
    }
    assert sha["2"] == sha["$LATEST"] != sha["1"]  # published after the new code landed
    assert cfn.describe_stacks(StackName=stack)["Stacks"][0]["Outputs"] == [
        {"OutputKey": "Target", "OutputValue": "2", "ExportName": f"{stack}-v"}
    ]
    exports = {e["Name"] for e in cfn.list_exports()["Exports"]}
    assert f"{stack}-v" in exports and f"{stack}-live" not in exports
    # The queue left the template with DeletionPolicy Retain: it still exists, outside the stack.
    queue_name = queue_url.rsplit("/", 1)[-1]
    assert emulator.client("sqs").get_queue_url(QueueName=queue_name)["QueueUrl"].endswith(f"/{queue_name}")
    assert "Q" not in {r["LogicalResourceId"] for r in cfn.describe_stack_resources(StackName=stack)["StackResources"]}


def test_change_sets_are_per_stack_and_a_model_without_update_fails_loudly(emulator: Emulator) -> None:
    cfn = emulator.client("cloudformation")
    one, two = name(), name()
    vpc = {"Type": "AWS::EC2::VPC", "Properties": {"CidrBlock": "10.0.0.0/16"}}
    for stack in (one, two):
        cfn.create_change_set(
            StackName=stack,
            ChangeSetName="same-name",
            TemplateBody=json.dumps({"Resources": {"Vpc": vpc}}),
            ChangeSetType="CREATE",
        )
    assert cfn.describe_change_set(StackName=two, ChangeSetName="same-name")["StackName"] == two
    cfn.execute_change_set(StackName=two, ChangeSetName="same-name")
    assert cfn.describe_stacks(StackName=two)["Stacks"][0]["StackStatus"] == "CREATE_COMPLETE"
    assert cfn.describe_stacks(StackName=one)["Stacks"][0]["StackStatus"] == "REVIEW_IN_PROGRESS"
    with pytest.raises(cfn.exceptions.ChangeSetNotFoundException):
        cfn.describe_change_set(StackName=two, ChangeSetName="same-name")  # executed: gone
    cfn.delete_change_set(StackName=two, ChangeSetName="never-created")  # no error, as the CDK CLI expects

    status, reasons = deploy(emulator, two, {"Vpc": {**vpc, "Properties": {"CidrBlock": "10.1.0.0/16"}}})
    assert status == "UPDATE_FAILED"
    assert any("cannot update AWS::EC2::VPC" in r for r in reasons), reasons


def test_rules_can_be_named_lenient(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    from lambda_constructs.local import rules

    with pytest.raises(rules.RuleViolationError, match="A version for this Lambda function exists"):
        rules.check_new_version("f", "1", changed=False)
    monkeypatch.setenv(rules.LENIENT_ENV, "version-unchanged, alias-name")
    rules.check_new_version("f", "1", changed=False)
    rules.check_alias_name("123")
    with pytest.raises(rules.RuleViolationError):
        rules.check_provisioned_concurrency("alias Live", "$LATEST")


def test_direct_update_with_use_previous_value_of_a_defaulted_parameter(emulator: Emulator) -> None:
    """``cdk deploy --method=direct`` sends UsePreviousValue for a parameter the stack took from its default
    (moto: ``KeyError``); CloudFormation keeps the previous value."""
    cfn = emulator.client("cloudformation")
    stack = name()
    params = {"Parameters": {"Size": {"Type": "String", "Default": "small"}}}
    topic = {"Type": "AWS::SNS::Topic", "Properties": {"DisplayName": {"Ref": "Size"}}}
    body = {"Resources": {"T": topic}, **params}
    cfn.create_stack(StackName=stack, TemplateBody=json.dumps(body))
    body["Resources"]["T2"] = topic
    cfn.update_stack(
        StackName=stack,
        TemplateBody=json.dumps(body),
        Parameters=[{"ParameterKey": "Size", "UsePreviousValue": True}],
    )
    described = cfn.describe_stacks(StackName=stack)["Stacks"][0]
    assert described["StackStatus"] == "UPDATE_COMPLETE"
    assert described["Parameters"] == [{"ParameterKey": "Size", "ParameterValue": "small"}]


def test_an_update_of_a_type_moto_does_not_model_is_recorded_like_its_create(emulator: Emulator) -> None:
    """CDK's ``AWS::CDK::Metadata`` (recorded, not emulated) changes whenever the app's constructs do, e.g.
    when a promotion adds a ``Release<label>`` version: its update failed every such deploy with
    ``AttributeError: 'NoneType' object has no attribute 'update_from_cloudformation_json'``."""
    stack = name()
    metadata = {"Type": "AWS::CDK::Metadata", "Properties": {"Analytics": "v2:deflate64:AAAA"}}
    assert deploy(emulator, stack, {"CDKMetadata": metadata}) == ("CREATE_COMPLETE", [])
    changed = {**metadata, "Properties": {"Analytics": "v2:deflate64:BBBB"}}
    status, reasons = deploy(emulator, stack, {"CDKMetadata": changed, "Fn": function()})
    assert (status, reasons) == ("UPDATE_COMPLETE", [])
    template = emulator.client("cloudformation").get_template(StackName=stack)["TemplateBody"]
    body = template if isinstance(template, dict) else json.loads(template)
    assert body["Resources"]["CDKMetadata"]["Properties"]["Analytics"] == "v2:deflate64:BBBB"


TRACING = {
    "Version": "2012-10-17",
    "Statement": [
        {"Effect": "Allow", "Action": ["xray:PutTelemetryRecords", "xray:PutTraceSegments"], "Resource": "*"}
    ],
}


def managed_policy(document: dict[str, Any], **props: Any) -> dict[str, Any]:
    return {"Type": "AWS::IAM::ManagedPolicy", "Properties": {"Path": "/", "PolicyDocument": document, **props}}


def retained_queue(**props: Any) -> dict[str, Any]:
    return {"Type": "AWS::SQS::Queue", "DeletionPolicy": "Retain", "UpdateReplacePolicy": "Retain", "Properties": props}


def issue_21_stack(shared: bool) -> dict[str, Any]:
    """Two functions and an SQS trigger's queues in the library's shape before issue #21 (``shared=False``: a
    per-role ``TracingPolicy`` attached through its ``Roles``, a per-trigger dead-letter queue) or after it
    (one stack-level tracing policy in each role's ``ManagedPolicyArns``, one stack-level dead-letter queue)."""
    dlq = "TriggerDeadLetterQueue" if shared else "OrdersDeadLetterQueue"
    resources: dict[str, Any] = {
        dlq: retained_queue(MessageRetentionPeriod=1209600),
        "OrdersQueue": retained_queue(
            VisibilityTimeout=185,
            RedrivePolicy={"deadLetterTargetArn": {"Fn::GetAtt": [dlq, "Arn"]}, "maxReceiveCount": 5},
        ),
    }
    if shared:
        resources["LambdaConstructsTracingPolicy"] = managed_policy(TRACING, Description="X-Ray segments")
    for fn in ("Orders", "Reports"):
        role = {"Type": "AWS::IAM::Role", "Properties": dict(ROLE["Properties"])}
        if shared:
            role["Properties"]["ManagedPolicyArns"] = [{"Ref": "LambdaConstructsTracingPolicy"}]
        grants = {
            "Version": "2012-10-17",
            "Statement": [{"Effect": "Allow", "Action": "sqs:SendMessage", "Resource": {"Fn::GetAtt": [dlq, "Arn"]}}],
        }
        resources[f"{fn}Role"] = role
        resources[f"{fn}RolePolicy"] = managed_policy(grants, Description="Grants", Roles=[{"Ref": f"{fn}Role"}])
        if not shared:
            resources[f"{fn}RoleTracingPolicy"] = managed_policy(TRACING, Description="X", Roles=[{"Ref": f"{fn}Role"}])
        resources[fn] = function(Role={"Fn::GetAtt": [f"{fn}Role", "Arn"]})
    return resources


def _attached(emu: Emulator, role: str) -> set[str]:
    return {p["PolicyArn"] for p in emu.client("iam").list_attached_role_policies(RoleName=role)["AttachedPolicies"]}


def _assembly(folder: Path, stack: str, resources: dict[str, Any]) -> Path:
    """A one-stack cloud assembly holding the template :func:`deploy` sent (for the verifier)."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"{stack}.template.json").write_text(json.dumps({"Resources": {"Role": ROLE, **resources}}))
    artifact = {"type": "aws:cloudformation:stack", "properties": {"templateFile": f"{stack}.template.json"}}
    (folder / "manifest.json").write_text(json.dumps({"version": "36.0.0", "artifacts": {stack: artifact}}))
    return folder


def test_the_issue_21_update_moves_policies_and_the_dead_letter_queue_in_place(
    emulator: Emulator, tmp_path: Path
) -> None:
    """Old template, then the new one: CloudFormation attaches the shared tracing policy through each role's
    ``ManagedPolicyArns``, detaches and deletes each per-role tracing policy that left the template, points the
    source queue's ``RedrivePolicy`` at the shared queue in place and keeps the retained old dead-letter queue.
    moto ignored ``ManagedPolicyArns``, could not update or delete an ``AWS::IAM::ManagedPolicy`` and ignored a
    new ``RedrivePolicy``; the stack still said ``UPDATE_COMPLETE``."""
    iam, sqs = emulator.client("iam"), emulator.client("sqs")
    stack = name()
    assert deploy(emulator, stack, issue_21_stack(shared=False)) == ("CREATE_COMPLETE", [])
    before = {lid: _physical(emulator, stack, lid) for lid in ("OrdersRole", "ReportsRole", "OrdersQueue")}
    old_tracing = {fn: _physical(emulator, stack, f"{fn}RoleTracingPolicy") for fn in ("Orders", "Reports")}
    old_dlq = _physical(emulator, stack, "OrdersDeadLetterQueue")
    for fn in ("Orders", "Reports"):
        assert _attached(emulator, before[f"{fn}Role"]) == {
            _physical(emulator, stack, f"{fn}RolePolicy"),
            old_tracing[fn],
        }

    assert deploy(emulator, stack, issue_21_stack(shared=True)) == ("UPDATE_COMPLETE", [])
    shared = _physical(emulator, stack, "LambdaConstructsTracingPolicy")
    shared_dlq_arn = sqs.get_queue_attributes(
        QueueUrl=_physical(emulator, stack, "TriggerDeadLetterQueue"), AttributeNames=["QueueArn"]
    )["Attributes"]["QueueArn"]
    for fn in ("Orders", "Reports"):
        role = _physical(emulator, stack, f"{fn}Role")
        assert role == before[f"{fn}Role"]  # updated in place, not replaced
        policy = _physical(emulator, stack, f"{fn}RolePolicy")
        assert _attached(emulator, role) == {policy, shared}
        with pytest.raises(iam.exceptions.NoSuchEntityException):
            iam.get_policy(PolicyArn=old_tracing[fn])  # detached, then deleted
        # The grants' new document (the shared queue) is the policy's new default version.
        default = iam.get_policy(PolicyArn=policy)["Policy"]["DefaultVersionId"]
        document = iam.get_policy_version(PolicyArn=policy, VersionId=default)["PolicyVersion"]["Document"]
        text = document if isinstance(document, str) else json.dumps(document)
        assert shared_dlq_arn in text and default == "v2"
    queue = _physical(emulator, stack, "OrdersQueue")
    assert queue == before["OrdersQueue"]
    attributes = sqs.get_queue_attributes(QueueUrl=queue, AttributeNames=["All"])["Attributes"]
    assert json.loads(attributes["RedrivePolicy"]) == {"deadLetterTargetArn": shared_dlq_arn, "maxReceiveCount": 5}
    assert attributes["VisibilityTimeout"] == "185"
    old_dlq_name = old_dlq.rsplit("/", 1)[-1]
    assert sqs.get_queue_url(QueueName=old_dlq_name)["QueueUrl"].endswith(f"/{old_dlq_name}")  # retained
    logical_ids = {
        r["LogicalResourceId"]
        for r in emulator.client("cloudformation").describe_stack_resources(StackName=stack)["StackResources"]
    }
    assert not {"OrdersDeadLetterQueue", "OrdersRoleTracingPolicy", "ReportsRoleTracingPolicy"} & logical_ids
    # IAM refuses to delete a policy that is still attached (DeleteConflict), as CloudFormation knows.
    with pytest.raises(iam.exceptions.DeleteConflictException):
        iam.delete_policy(PolicyArn=shared)
    # The verifier compares the same state with the template; a policy left attached is a finding.
    cdk_out = _assembly(tmp_path / "cdk.out", stack, issue_21_stack(shared=True))
    report = verify.verify_report(emulator, cdk_out)
    assert report.findings == [] and report.checks >= 12
    stale = iam.create_policy(PolicyName=f"{stack}-stale", PolicyDocument=json.dumps(TRACING))["Policy"]["Arn"]
    iam.attach_role_policy(RoleName=before["OrdersRole"], PolicyArn=stale)
    findings = verify.verify_report(emulator, cdk_out).findings
    assert [(f.logical_id, f.message.split(":")[0]) for f in findings] == [("OrdersRole", "attached managed policies")]
    iam.detach_role_policy(RoleName=before["OrdersRole"], PolicyArn=stale)


def test_managed_policy_arns_on_a_new_account_moved_in_place_and_detached_on_stack_delete(emulator: Emulator) -> None:
    """The new shape on its first deploy (moto attached nothing from ``ManagedPolicyArns``, AWS managed policies
    included), attachments moved in place, and a stack delete that detaches every policy before deleting roles
    and policies."""
    iam = emulator.client("iam")
    stack = name()
    resources = issue_21_stack(shared=True)
    basic = "arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole"
    resources["ReportsRole"]["Properties"]["ManagedPolicyArns"].append(basic)
    assert deploy(emulator, stack, resources) == ("CREATE_COMPLETE", [])
    shared = _physical(emulator, stack, "LambdaConstructsTracingPolicy")
    roles = {fn: _physical(emulator, stack, f"{fn}Role") for fn in ("Orders", "Reports")}
    policies = {fn: _physical(emulator, stack, f"{fn}RolePolicy") for fn in ("Orders", "Reports")}
    assert _attached(emulator, roles["Orders"]) == {policies["Orders"], shared}
    assert _attached(emulator, roles["Reports"]) == {policies["Reports"], shared, basic}
    # In place: a managed policy's Roles and a role's ManagedPolicyArns both detach what left them.
    resources["OrdersRolePolicy"]["Properties"]["Roles"] = [{"Ref": "ReportsRole"}]
    resources["ReportsRole"]["Properties"]["ManagedPolicyArns"] = [{"Ref": "LambdaConstructsTracingPolicy"}]
    assert deploy(emulator, stack, resources) == ("UPDATE_COMPLETE", [])
    assert _attached(emulator, roles["Orders"]) == {shared}
    assert _attached(emulator, roles["Reports"]) == {policies["Orders"], policies["Reports"], shared}

    emulator.client("cloudformation").delete_stack(StackName=stack)
    for fn, role in roles.items():
        with pytest.raises(iam.exceptions.NoSuchEntityException):
            iam.get_role(RoleName=role)
        with pytest.raises(iam.exceptions.NoSuchEntityException):
            iam.get_policy(PolicyArn=policies[fn])
    with pytest.raises(iam.exceptions.NoSuchEntityException):
        iam.get_policy(PolicyArn=shared)
