"""Compare what the synthesized templates in ``cdk.out`` declare with what the emulator's APIs return.

:func:`verify` returns a list of :class:`Finding` (empty means every checked property matched).
Intrinsic functions are resolved against the deployed stack (logical -> physical IDs) by
:mod:`lambda_constructs.local.resolve`; values that cannot be resolved are skipped rather than reported.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from lambda_constructs.assembly import StackArtifact, read_stacks
from lambda_constructs.local.resolve import Resolver, has_unresolved
from lambda_constructs.local.server import ACCOUNT, REGION, Emulator

SKIPPED_TYPES = frozenset({"AWS::CDK::Metadata"})


@dataclass(frozen=True)
class Finding:
    """One mismatch between a template and the deployed state."""

    stack: str
    """Stack name."""
    logical_id: str
    """Logical ID of the resource (``-``: the stack)."""
    resource_type: str
    """CloudFormation type."""
    message: str
    """What differs."""

    def __str__(self) -> str:
        return f"{self.stack}/{self.logical_id} ({self.resource_type}): {self.message}"


@dataclass(frozen=True)
class StackTemplate:
    """A stack artifact of a cloud assembly."""

    name: str
    """Stack name."""
    template: dict[str, Any]
    """The parsed template."""
    directory: Path
    """The assembly folder holding it."""
    artifact: StackArtifact | None = None
    """The stack's artifact (its metadata, environment, Stage path); None when built by hand. Default: None."""

    @property
    def resources(self) -> dict[str, Any]:
        """The template's ``Resources``."""
        res: dict[str, Any] = self.template.get("Resources", {})
        return res


def load_stacks(cdk_out: Path) -> list[StackTemplate]:
    """Stack artifacts of the assembly in ``cdk_out`` (nested assemblies included), manifest order; every
    template is read here.

    Raises:
        AssemblyError: a manifest or template is missing, unreadable or truncated.
    """
    return [
        StackTemplate(stack.stack_name, dict(stack.template), stack.directory, stack) for stack in read_stacks(cdk_out)
    ]


class _Checker:
    """Per-stack checks; each ``check_<Service>_<Type>`` appends findings."""

    def __init__(self, emulator: Emulator, stack: StackTemplate, resolver: Resolver) -> None:
        self.emulator = emulator
        self.stack = stack
        self.r = resolver
        self.findings: list[Finding] = []
        self.checks = 0
        self.lam = emulator.client("lambda")
        self._logical = ""
        self._type = ""

    def fail(self, message: str) -> None:
        self.findings.append(Finding(self.stack.name, self._logical, self._type, message))

    def expect(self, what: str, expected: Any, actual: Any) -> None:
        """Record a finding if ``expected`` (resolved) differs from ``actual``."""
        if has_unresolved(expected):
            return
        self.checks += 1
        if expected != actual:
            self.fail(f"{what}: template {expected!r} != deployed {actual!r}")

    def run(self, logical_id: str, resource: dict[str, Any]) -> bool:
        """Compare the properties of a created resource; False when the verifier does not know its type."""
        self._logical, self._type = logical_id, resource["Type"]
        method = getattr(self, "check_" + self._type.replace("AWS::", "").replace("::", "_"), None)
        if method is None:
            return False
        props = self.r.resolve(resource.get("Properties", {}))
        try:
            method(self.r.physical[logical_id], props)
        except Exception as exc:  # an API error is a finding, not a crash of the verifier
            self.fail(f"{type(exc).__name__}: {exc}")
        return True

    # --- Lambda ---------------------------------------------------------------------------------
    def check_Lambda_Function(self, phys: str, p: dict[str, Any]) -> None:
        cfg = self.lam.get_function_configuration(FunctionName=phys)
        for key in ("Runtime", "Handler", "Timeout", "MemorySize", "Role"):
            if key in p:
                self.expect(key, p[key], cfg.get(key))
        self.expect("Architectures", p.get("Architectures", ["x86_64"]), cfg.get("Architectures"))
        if "Environment" in p:
            self.expect(
                "Environment", p["Environment"].get("Variables", {}), cfg.get("Environment", {}).get("Variables")
            )
        if "KmsKeyArn" in p:
            self.expect("KmsKeyArn", p["KmsKeyArn"], cfg.get("KMSKeyArn"))
        self.expect("Layers", p.get("Layers", []), [layer["Arn"] for layer in cfg.get("Layers", [])])
        if "LoggingConfig" in p:
            self.expect("LoggingConfig", p["LoggingConfig"], cfg.get("LoggingConfig"))
        if "TracingConfig" in p:
            self.expect("TracingConfig.Mode", p["TracingConfig"]["Mode"], cfg["TracingConfig"]["Mode"])

    def check_Lambda_Version(self, phys: str, p: dict[str, Any]) -> None:
        fn = p["FunctionName"]
        arns = [v["FunctionArn"] for v in self.lam.list_versions_by_function(FunctionName=fn)["Versions"]]
        self.checks += 1
        if phys not in arns:
            self.fail(f"version {phys} not among {arns}")

    def check_Lambda_Alias(self, phys: str, p: dict[str, Any]) -> None:
        alias = self.lam.get_alias(FunctionName=p["FunctionName"].split(":")[-1], Name=p["Name"])
        self.expect("AliasArn", phys, alias["AliasArn"])
        self.expect("FunctionVersion", str(p["FunctionVersion"]), alias["FunctionVersion"])
        weights = (p.get("RoutingConfig") or {}).get("AdditionalVersionWeights") or []
        expected = {str(w["FunctionVersion"]): float(w["FunctionWeight"]) for w in weights}
        actual = {
            k: float(v) for k, v in (alias.get("RoutingConfig") or {}).get("AdditionalVersionWeights", {}).items()
        }
        self.expect("RoutingConfig", expected, actual)

    def check_Lambda_EventSourceMapping(self, phys: str, p: dict[str, Any]) -> None:
        esm = self.lam.get_event_source_mapping(UUID=phys)
        self.expect("EventSourceArn", p.get("EventSourceArn"), esm.get("EventSourceArn"))
        fn = p["FunctionName"]
        expected_fn = fn if fn.startswith("arn:") else f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:{fn}"
        self.expect("FunctionArn", expected_fn, esm.get("FunctionArn"))
        if "BatchSize" in p:
            self.expect("BatchSize", int(p["BatchSize"]), esm.get("BatchSize"))
        self.expect("State", "Enabled" if p.get("Enabled", True) else "Disabled", esm.get("State"))

    def check_Lambda_Permission(self, phys: str, p: dict[str, Any]) -> None:
        target = p["FunctionName"]
        name = target.split(":")[6] if target.startswith("arn:") else target.split(":")[0]
        qualifier = target.split(":")[7] if target.startswith("arn:") and target.count(":") > 6 else None
        kwargs = {"FunctionName": name, **({"Qualifier": qualifier} if qualifier else {})}
        statements = json.loads(self.lam.get_policy(**kwargs)["Policy"])["Statement"]
        self.checks += 1  # one: a statement grants it (was one per statement looked at, so the policy's order counted)
        for st in statements:
            principal = st.get("Principal")
            principal = principal.get("Service", principal.get("AWS")) if isinstance(principal, dict) else principal
            source = (st.get("Condition") or {}).get("ArnLike", {}).get("AWS:SourceArn")
            if principal == p["Principal"] and st.get("Action") == p["Action"]:
                if "SourceArn" in p and not has_unresolved(p["SourceArn"]) and source != p["SourceArn"]:
                    continue
                if qualifier and not str(st.get("Resource", "")).endswith(f":{qualifier}"):
                    continue
                return
        self.fail(f"no policy statement for {p['Principal']} {p['Action']} on {target}: {statements}")

    def check_Lambda_EventInvokeConfig(self, phys: str, p: dict[str, Any]) -> None:
        cfg = self.lam.get_function_event_invoke_config(FunctionName=p["FunctionName"], Qualifier=p["Qualifier"])
        for key in ("MaximumRetryAttempts", "MaximumEventAgeInSeconds", "DestinationConfig"):
            if key in p:
                self.expect(key, p[key], cfg.get(key))

    def check_Lambda_LayerVersion(self, phys: str, p: dict[str, Any]) -> None:
        name, version = phys.split(":")[6], int(phys.split(":")[7])
        layer = self.lam.get_layer_version(LayerName=name, VersionNumber=version)
        if "CompatibleRuntimes" in p:
            self.expect("CompatibleRuntimes", p["CompatibleRuntimes"], layer.get("CompatibleRuntimes"))

    # --- other services --------------------------------------------------------------------------
    def check_SNS_Subscription(self, phys: str, p: dict[str, Any]) -> None:
        subs = self.emulator.client("sns").list_subscriptions_by_topic(TopicArn=p["TopicArn"])["Subscriptions"]
        found = [s for s in subs if s["SubscriptionArn"] == phys]
        if not found:
            self.fail(f"subscription {phys} not on topic {p['TopicArn']}")
            return
        self.expect("Protocol", p["Protocol"], found[0]["Protocol"])
        self.expect("Endpoint", p["Endpoint"], found[0]["Endpoint"])

    def check_SNS_Topic(self, phys: str, p: dict[str, Any]) -> None:
        attrs = self.emulator.client("sns").get_topic_attributes(TopicArn=phys)["Attributes"]
        if "KmsMasterKeyId" in p:
            self.expect("KmsMasterKeyId", p["KmsMasterKeyId"], attrs.get("KmsMasterKeyId"))

    def check_Events_Rule(self, phys: str, p: dict[str, Any]) -> None:
        events = self.emulator.client("events")
        bus = p.get("EventBusName", "default")
        rule = events.describe_rule(Name=phys, EventBusName=bus)
        if "ScheduleExpression" in p:
            self.expect("ScheduleExpression", p["ScheduleExpression"], rule.get("ScheduleExpression"))
        if "EventPattern" in p:
            self.expect("EventPattern", p["EventPattern"], json.loads(rule.get("EventPattern", "null")))
        self.expect("State", p.get("State", "ENABLED"), rule.get("State"))
        targets = events.list_targets_by_rule(Rule=phys, EventBusName=bus)["Targets"]
        expected = sorted((t["Id"], t["Arn"]) for t in p.get("Targets", []))
        self.expect("Targets", expected, sorted((t["Id"], t["Arn"]) for t in targets))
        for t in p.get("Targets", []):
            if "RetryPolicy" in t:
                got = next((x.get("RetryPolicy") for x in targets if x["Id"] == t["Id"]), None)
                self.expect(f"Targets[{t['Id']}].RetryPolicy", t["RetryPolicy"], got)

    def check_Logs_LogGroup(self, phys: str, p: dict[str, Any]) -> None:
        groups = self.emulator.client("logs").describe_log_groups(logGroupNamePrefix=phys)["logGroups"]
        group = next((g for g in groups if g["logGroupName"] == phys), None)
        if group is None:
            self.fail(f"log group {phys} not found")
            return
        if "RetentionInDays" in p:
            self.expect("RetentionInDays", int(p["RetentionInDays"]), group.get("retentionInDays"))
        if "KmsKeyId" in p:
            self.expect("KmsKeyId", p["KmsKeyId"], group.get("kmsKeyId"))

    def check_KMS_Key(self, phys: str, p: dict[str, Any]) -> None:
        kms = self.emulator.client("kms")
        status = kms.get_key_rotation_status(KeyId=phys)["KeyRotationEnabled"]
        self.expect("EnableKeyRotation", bool(p.get("EnableKeyRotation", False)), status)
        self.expect("Enabled", p.get("Enabled", True), kms.describe_key(KeyId=phys)["KeyMetadata"]["Enabled"])

    def check_SQS_QueuePolicy(self, phys: str, p: dict[str, Any]) -> None:
        sqs = self.emulator.client("sqs")
        for url in p["Queues"]:
            if has_unresolved(url):
                continue
            attrs = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["Policy"])["Attributes"]
            got = json.loads(attrs.get("Policy", "{}"))
            self.expect(f"Policy of {url}", p["PolicyDocument"].get("Statement"), got.get("Statement"))

    def check_CloudWatch_Alarm(self, phys: str, p: dict[str, Any]) -> None:
        alarms = self.emulator.client("cloudwatch").describe_alarms(AlarmNames=[phys])["MetricAlarms"]
        self.checks += 1
        if not alarms:
            self.fail(f"alarm {phys} not found")
            return
        alarm = alarms[0]
        for key in ("ComparisonOperator", "EvaluationPeriods", "MetricName", "Namespace", "TreatMissingData"):
            if key in p:
                self.expect(key, p[key], alarm.get(key))
        if "Threshold" in p:
            self.expect("Threshold", float(p["Threshold"]), alarm.get("Threshold"))
        self.expect("AlarmActions", p.get("AlarmActions", []), alarm.get("AlarmActions", []))
        if "Metrics" in p:
            self.expect("Metrics[].Id", [m["Id"] for m in p["Metrics"]], [m["Id"] for m in alarm.get("Metrics", [])])

    def check_SecretsManager_Secret(self, phys: str, p: dict[str, Any]) -> None:
        secret = self.emulator.client("secretsmanager").describe_secret(SecretId=phys)
        self.expect("ARN", phys, secret["ARN"])
        if "KmsKeyId" in p:
            self.expect("KmsKeyId", p["KmsKeyId"], secret.get("KmsKeyId"))

    def check_Lambda_Url(self, phys: str, p: dict[str, Any]) -> None:
        cfg = self.lam.get_function_url_config(FunctionName=phys.split(":")[6])
        self.expect("AuthType", p["AuthType"], cfg.get("AuthType"))

    def check_ApiGatewayV2_Route(self, phys: str, p: dict[str, Any]) -> None:
        route = self.emulator.client("apigatewayv2").get_route(ApiId=p["ApiId"], RouteId=phys)
        self.expect("RouteKey", p["RouteKey"], route.get("RouteKey"))
        if "Target" in p:
            self.expect("Target", p["Target"], route.get("Target"))

    def check_ApiGatewayV2_Integration(self, phys: str, p: dict[str, Any]) -> None:
        got = self.emulator.client("apigatewayv2").get_integration(ApiId=p["ApiId"], IntegrationId=phys)
        self.expect("IntegrationType", p["IntegrationType"], got.get("IntegrationType"))
        if "IntegrationUri" in p:
            self.expect("IntegrationUri", p["IntegrationUri"], got.get("IntegrationUri"))

    def check_SNS_TopicPolicy(self, phys: str, p: dict[str, Any]) -> None:
        sns = self.emulator.client("sns")
        for arn in p["Topics"]:
            policy = json.loads(sns.get_topic_attributes(TopicArn=arn)["Attributes"]["Policy"])
            self.expect(f"Policy of {arn}", p["PolicyDocument"].get("Statement"), policy.get("Statement"))

    # --- IAM ------------------------------------------------------------------------------------
    def check_IAM_Role(self, phys: str, p: dict[str, Any]) -> None:
        """The role's attached managed policies are exactly its ``ManagedPolicyArns`` and the stack's managed
        policies naming it in ``Roles``: a policy an update should have detached is a finding."""
        expected = list(p.get("ManagedPolicyArns") or [])
        for logical_id, resource in self.stack.resources.items():
            if resource.get("Type") == "AWS::IAM::ManagedPolicy":
                roles = self.r.resolve((resource.get("Properties") or {}).get("Roles") or [])
                if has_unresolved(roles):
                    return
                if phys in roles:
                    expected.append(self.r.ref(logical_id))
        if has_unresolved(expected):
            return
        iam = self.emulator.client("iam")
        pages = iam.get_paginator("list_attached_role_policies").paginate(RoleName=phys)
        attached = sorted(policy["PolicyArn"] for page in pages for policy in page["AttachedPolicies"])
        self.expect("attached managed policies", sorted(set(expected)), attached)

    def check_IAM_ManagedPolicy(self, phys: str, p: dict[str, Any]) -> None:
        """The default version's statements are the template's ``PolicyDocument`` statements."""
        iam = self.emulator.client("iam")
        version = iam.get_policy(PolicyArn=phys)["Policy"]["DefaultVersionId"]
        document = iam.get_policy_version(PolicyArn=phys, VersionId=version)["PolicyVersion"]["Document"]
        deployed = json.loads(document) if isinstance(document, str) else document
        self.expect("PolicyDocument.Statement", p["PolicyDocument"].get("Statement"), deployed.get("Statement"))

    def check_SQS_Queue(self, phys: str, p: dict[str, Any]) -> None:
        attrs = self.emulator.client("sqs").get_queue_attributes(QueueUrl=phys, AttributeNames=["All"])["Attributes"]
        if "RedrivePolicy" in p:
            got = json.loads(attrs.get("RedrivePolicy", "{}"))
            want = p["RedrivePolicy"]
            self.expect(
                "RedrivePolicy.deadLetterTargetArn", want.get("deadLetterTargetArn"), got.get("deadLetterTargetArn")
            )
            self.expect(
                "RedrivePolicy.maxReceiveCount", int(want["maxReceiveCount"]), int(got.get("maxReceiveCount", -1))
            )
        for key in ("VisibilityTimeout", "MessageRetentionPeriod", "KmsMasterKeyId", "SqsManagedSseEnabled"):
            if key in p:
                self.expect(key, str(p[key]).lower(), str(attrs.get(key)).lower())


@dataclass
class Report:
    """Result of :func:`verify_report`: mismatches and what was compared."""

    findings: list[Finding]
    """Mismatches found."""
    checks: int
    """Number of properties compared: one per property of a resource compared with its template value (a value
    that stays unresolved is not compared, not counted), and one per object looked up beside its resource (a
    version among the function's versions, an alarm in CloudWatch, a permission's statement in the policy)."""
    resources: int = 0
    """Number of template resources checked for having been created (all but ``SKIPPED_TYPES`` and
    conditional ones). Default: 0."""
    compared: int = 0
    """Number of those whose properties were compared (the types the verifier knows). Default: 0."""

    def summary(self) -> str:
        """The summary line the CLIs print:
        ``verified 558 properties of 158 resources (245 resources checked for creation), 0 mismatches``."""
        return (
            f"verified {self.checks} properties of {self.compared} resources "
            f"({self.resources} resources checked for creation), {len(self.findings)} "
            + ("mismatch" if len(self.findings) == 1 else "mismatches")
        )


def verify(emulator: Emulator, cdk_out: Path) -> list[Finding]:
    """Check every stack of ``cdk_out`` against the emulator; return the mismatches found."""
    return verify_report(emulator, cdk_out).findings


def verify_report(emulator: Emulator, cdk_out: Path) -> Report:
    """Like :func:`verify`, also counting the compared properties."""
    checks = resources = compared = 0
    cfn = emulator.client("cloudformation")
    exports = {e["Name"]: e["Value"] for e in cfn.list_exports().get("Exports", [])}
    findings: list[Finding] = []
    for stack in load_stacks(cdk_out):
        try:
            status = cfn.describe_stacks(StackName=stack.name)["Stacks"][0]["StackStatus"]
        except Exception as exc:
            findings.append(Finding(stack.name, "-", "AWS::CloudFormation::Stack", f"not deployed: {exc}"))
            continue
        if status not in ("CREATE_COMPLETE", "UPDATE_COMPLETE"):
            findings.append(Finding(stack.name, "-", "AWS::CloudFormation::Stack", f"status {status}"))
        deployed = {
            r["LogicalResourceId"]: r
            for r in cfn.describe_stack_resources(StackName=stack.name)["StackResources"]
            if r.get("LogicalResourceId")  # moto lists some entries without one
        }
        physical = {k: r.get("PhysicalResourceId", "") for k, r in deployed.items()}
        checker = _Checker(emulator, stack, Resolver(emulator, stack, physical, exports))
        for logical_id, resource in stack.resources.items():
            rtype = resource["Type"]
            if rtype in SKIPPED_TYPES or "Condition" in resource:
                continue
            resources += 1
            got = deployed.get(logical_id)
            if got is None or not physical.get(logical_id) or str(physical[logical_id]).startswith("<"):
                findings.append(Finding(stack.name, logical_id, rtype, "not created by the emulator"))
                continue
            compared += checker.run(logical_id, resource)
        findings.extend(checker.findings)
        checks += checker.checks
    return Report(findings, checks, resources, compared)
