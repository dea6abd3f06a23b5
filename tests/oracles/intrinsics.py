"""Resolve CloudFormation intrinsics in a synthesized template to strings with placeholders.

The oracles compare ARNs and literal values against AWS's data, so a value made of intrinsics is
turned into the string it becomes at deploy time, with ``UNKNOWN`` standing for each part that is
only known then (an account id, a generated name, a parameter):

* ``Ref AWS::Partition`` → ``aws``; ``AWS::Region`` / ``AWS::AccountId`` / ``AWS::URLSuffix`` → placeholders;
* ``Ref`` / ``Fn::GetAtt`` of a resource of the template → the ARN pattern its type returns
  (:data:`REF_ARNS` / :data:`GETATT_ARNS`, from the "Return values" section of each resource's page
  in the CloudFormation user guide), with the name/id part unknown; anything else → ``UNKNOWN``;
* ``Fn::Join`` / ``Fn::Sub`` / ``Fn::Select`` / ``Fn::If`` (first branch) evaluated on the resolved parts;
* ``Fn::ImportValue`` → the value another template of the same assembly exports under that name (its
  ``Outputs`` entry with ``Export.Name``), and ``Fn::GetStackOutput`` (what aws-cdk-lib writes for a
  cross-stack reference under ``@aws-cdk/core:defaultCrossStackReferences: weak``, cdk.json) → the
  ``Outputs`` entry ``OutputName`` of the template of stack ``StackName``: each resolved in the template
  that outputs it (:func:`exports_of`) and passed in as ``imports``; one not among them →
  :data:`UNKNOWN_VALUE`, a deploy-time value that may be a whole ARN (an ARN's parts hold ``:``).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

UNKNOWN = "\u00a4"  # one deploy-time value: a non-empty string, no wildcard
_U = UNKNOWN
UNKNOWN_VALUE = "\u00a7"  # a deploy-time value of unknown shape (may hold ":", e.g. a whole imported ARN)

# Return value of Ref, by resource type, when it is an ARN (otherwise Ref is a name or id → UNKNOWN).
REF_ARNS: dict[str, str] = {
    "AWS::SNS::Topic": f"arn:aws:sns:{_U}:{_U}:{_U}",
    "AWS::IAM::ManagedPolicy": f"arn:aws:iam::{_U}:policy/{_U}",
    "AWS::Lambda::Alias": f"arn:aws:lambda:{_U}:{_U}:function:{_U}:{_U}",
    "AWS::Lambda::Version": f"arn:aws:lambda:{_U}:{_U}:function:{_U}:{_U}",
    "AWS::Lambda::LayerVersion": f"arn:aws:lambda:{_U}:{_U}:layer:{_U}:{_U}",
    "AWS::SecretsManager::Secret": f"arn:aws:secretsmanager:{_U}:{_U}:secret:{_U}",
    "AWS::StepFunctions::StateMachine": f"arn:aws:states:{_U}:{_U}:stateMachine:{_U}",
    "AWS::MSK::Cluster": f"arn:aws:kafka:{_U}:{_U}:cluster/{_U}/{_U}",
    "AWS::Lambda::CodeSigningConfig": f"arn:aws:lambda:{_U}:{_U}:code-signing-config:{_U}",
    "AWS::Signer::SigningProfile": f"arn:aws:signer:{_U}:{_U}:/signing-profiles/{_U}",
}

# Fn::GetAtt <resource>.<attribute>, by resource type, when the attribute is an ARN.
GETATT_ARNS: dict[tuple[str, str], str] = {
    ("AWS::SQS::Queue", "Arn"): f"arn:aws:sqs:{_U}:{_U}:{_U}",
    ("AWS::SNS::Topic", "TopicArn"): f"arn:aws:sns:{_U}:{_U}:{_U}",
    ("AWS::Lambda::Function", "Arn"): f"arn:aws:lambda:{_U}:{_U}:function:{_U}",
    ("AWS::Kinesis::Stream", "Arn"): f"arn:aws:kinesis:{_U}:{_U}:stream/{_U}",
    ("AWS::Kinesis::StreamConsumer", "ConsumerARN"): f"arn:aws:kinesis:{_U}:{_U}:stream/{_U}/consumer/{_U}:{_U}",
    ("AWS::DynamoDB::Table", "Arn"): f"arn:aws:dynamodb:{_U}:{_U}:table/{_U}",
    ("AWS::DynamoDB::Table", "StreamArn"): f"arn:aws:dynamodb:{_U}:{_U}:table/{_U}/stream/{_U}",
    ("AWS::S3::Bucket", "Arn"): f"arn:aws:s3:::{_U}",
    ("AWS::KMS::Key", "Arn"): f"arn:aws:kms:{_U}:{_U}:key/{_U}",
    ("AWS::Logs::LogGroup", "Arn"): f"arn:aws:logs:{_U}:{_U}:log-group:{_U}:*",
    ("AWS::IAM::Role", "Arn"): f"arn:aws:iam::{_U}:role/{_U}",
    ("AWS::Events::Rule", "Arn"): f"arn:aws:events:{_U}:{_U}:rule/{_U}",
    ("AWS::Events::EventBus", "Arn"): f"arn:aws:events:{_U}:{_U}:event-bus/{_U}",
    ("AWS::Events::Archive", "Arn"): f"arn:aws:events:{_U}:{_U}:archive/{_U}",
    ("AWS::EFS::FileSystem", "Arn"): f"arn:aws:elasticfilesystem:{_U}:{_U}:file-system/{_U}",
    ("AWS::EFS::AccessPoint", "Arn"): f"arn:aws:elasticfilesystem:{_U}:{_U}:access-point/{_U}",
    ("AWS::AmazonMQ::Broker", "Arn"): f"arn:aws:mq:{_U}:{_U}:broker:{_U}:{_U}",
    ("AWS::MSK::Cluster", "Arn"): f"arn:aws:kafka:{_U}:{_U}:cluster/{_U}/{_U}",
    ("AWS::StepFunctions::StateMachine", "Arn"): f"arn:aws:states:{_U}:{_U}:stateMachine:{_U}",
    ("AWS::CloudWatch::Alarm", "Arn"): f"arn:aws:cloudwatch:{_U}:{_U}:alarm:{_U}",
    ("AWS::Lambda::LayerVersion", "LayerVersionArn"): f"arn:aws:lambda:{_U}:{_U}:layer:{_U}:{_U}",
    ("AWS::Lambda::Url", "FunctionArn"): f"arn:aws:lambda:{_U}:{_U}:function:{_U}",
    ("AWS::DocDB::DBCluster", "Arn"): f"arn:aws:rds:{_U}:{_U}:cluster:{_U}",
    ("AWS::RDS::DBCluster", "DBClusterArn"): f"arn:aws:rds:{_U}:{_U}:cluster:{_U}",
    ("AWS::Scheduler::ScheduleGroup", "Arn"): f"arn:aws:scheduler:{_U}:{_U}:schedule-group/{_U}",
    ("AWS::CodeDeploy::DeploymentGroup", "Arn"): f"arn:aws:codedeploy:{_U}:{_U}:deploymentgroup:{_U}/{_U}",
    ("AWS::ApiGateway::RestApi", "RestApiId"): _U,
}

_PSEUDO = {"AWS::Partition": "aws", "AWS::URLSuffix": "amazonaws.com", "AWS::NoValue": ""}


def resolve(value: Any, resources: dict[str, Any], imports: Mapping[str, str] | None = None) -> str:
    """``value`` (a literal or an intrinsic) as a string with :data:`UNKNOWN` for deploy-time parts;
    ``imports``: the assembly's exports and outputs, resolved (:func:`exports_of`), for ``Fn::ImportValue``
    and ``Fn::GetStackOutput``."""
    imports = imports or {}
    if isinstance(value, str):
        return value
    if isinstance(value, bool | int | float):
        return str(value).lower() if isinstance(value, bool) else str(value)
    if not isinstance(value, dict) or len(value) != 1:
        return _U
    ((fn, arg),) = value.items()
    if fn == "Ref":
        if arg in _PSEUDO:
            return _PSEUDO[arg]
        kind = resources.get(arg, {}).get("Type", "")
        return REF_ARNS.get(kind, _U)
    if fn == "Fn::GetAtt":
        name, attribute = arg if isinstance(arg, list) else str(arg).split(".", 1)
        kind = resources.get(name, {}).get("Type", "")
        return GETATT_ARNS.get((kind, attribute), _U)
    if fn == "Fn::Join" and isinstance(arg, list) and len(arg) == 2 and isinstance(arg[1], list):
        return str(arg[0]).join(resolve(part, resources, imports) for part in arg[1])
    if fn == "Fn::Sub":
        text, variables = (arg, {}) if isinstance(arg, str) else (arg[0], arg[1])
        return _substitute(text, {k: resolve(v, resources, imports) for k, v in variables.items()}, resources, imports)
    if fn == "Fn::Select" and isinstance(arg, list) and len(arg) == 2:
        index, items = arg
        if isinstance(items, list) and isinstance(index, int) and index < len(items):
            return resolve(items[index], resources, imports)
        return _U
    if fn == "Fn::If" and isinstance(arg, list) and len(arg) == 3:
        return resolve(arg[1], resources, imports)
    if fn == "Fn::ImportValue":
        return imports.get(resolve(arg, resources, imports), UNKNOWN_VALUE)
    if fn == "Fn::GetStackOutput" and isinstance(arg, dict):
        stack, output = resolve(arg.get("StackName"), resources), resolve(arg.get("OutputName"), resources)
        return imports.get(stack_output_key(stack, output), UNKNOWN_VALUE)
    return _U


def _substitute(text: str, variables: dict[str, str], resources: dict[str, Any], imports: Mapping[str, str]) -> str:
    out: list[str] = []
    rest = text
    while "${" in rest:
        before, _, after = rest.partition("${")
        name, _, rest = after.partition("}")
        out.append(before)
        if name.startswith("!"):
            out.append("${" + name[1:] + "}")
        elif name in variables:
            out.append(variables[name])
        elif "." in name:
            out.append(resolve({"Fn::GetAtt": name.split(".", 1)}, resources, imports))
        else:
            out.append(resolve({"Ref": name}, resources, imports))
    out.append(rest)
    return "".join(out)


def stack_output_key(stack_name: str, output_name: str) -> str:
    """The key of output ``output_name`` of stack ``stack_name`` in :func:`exports_of` (export names are
    keys as they are)."""
    return f"Fn::GetStackOutput {stack_name}/{output_name}"


def exports_of(templates: Iterable[tuple[str, dict[str, Any]]]) -> dict[str, str]:
    """What the templates of one assembly, ``(stack name, template)``, offer other stacks: each export
    (``Outputs`` entry with ``Export.Name``) under its name, and each output under
    :func:`stack_output_key` (for ``Fn::GetStackOutput``), each value resolved in its own template. An
    export whose name is only known at deploy time is left out (an import of it resolves to
    :data:`UNKNOWN_VALUE`)."""
    out: dict[str, str] = {}
    for stack_name, template in templates:
        resources = template.get("Resources", {})
        for output_name, output in (template.get("Outputs") or {}).items():
            if not isinstance(output, dict):
                continue
            value = resolve(output.get("Value"), resources)
            out[stack_output_key(stack_name, output_name)] = value
            export = output.get("Export")
            if isinstance(export, dict) and "Name" in export:
                name = resolve(export["Name"], resources)
                if UNKNOWN not in name and UNKNOWN_VALUE not in name:
                    out[name] = value
    return out


def is_literal(value: Any) -> bool:
    """True when ``value`` contains no intrinsic function (its deploy-time value is the value itself)."""
    if isinstance(value, dict):
        if len(value) == 1 and next(iter(value)).startswith(("Fn::", "Ref")):
            return False
        return all(is_literal(v) for v in value.values())
    if isinstance(value, list):
        return all(is_literal(v) for v in value)
    return True
