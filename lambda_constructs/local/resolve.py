"""Resolution of a template's intrinsic functions against a deployed stack (for :mod:`lambda_constructs.local.verify`).

``Ref``, ``Fn::GetAtt`` (the attributes the templates of this library use), ``Fn::Join``, ``Fn::Select``,
``Fn::Split``, ``Fn::ImportValue`` and ``Fn::Sub``; what cannot be resolved becomes :data:`UNRESOLVED` and is
skipped by the verifier rather than reported.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from lambda_constructs.local.server import ACCOUNT, REGION, Emulator

if TYPE_CHECKING:
    from lambda_constructs.local.verify import StackTemplate


class Unresolved:
    """Marker for a template value that could not be resolved."""

    def __repr__(self) -> str:
        return "<unresolved>"


UNRESOLVED = Unresolved()


def queue_arn(url: str) -> str:
    """SQS queue ARN from its URL."""
    return f"arn:aws:sqs:{REGION}:{ACCOUNT}:{url.rstrip('/').rsplit('/', 1)[-1]}"


@dataclass
class Resolver:
    """Resolves intrinsic functions of one deployed stack."""

    emulator: Emulator
    """The emulator answering."""
    stack: StackTemplate
    """The stack whose template is resolved."""
    physical: dict[str, str]
    """Logical ID -> physical ID of the deployed stack."""
    exports: dict[str, str] = field(default_factory=dict)
    """Export name -> value (for ``Fn::ImportValue``). Default: empty."""

    def ref(self, name: str) -> Any:
        """``Ref`` of ``name``: a pseudo parameter, a deployed resource's physical ID or a parameter default."""
        pseudo = {
            "AWS::Region": REGION,
            "AWS::AccountId": ACCOUNT,
            "AWS::Partition": "aws",
            "AWS::URLSuffix": "amazonaws.com",
            "AWS::StackName": self.stack.name,
            "AWS::NoValue": None,
        }
        if name in pseudo:
            return pseudo[name]
        if name in self.physical:
            return self.physical[name]
        param = self.stack.template.get("Parameters", {}).get(name)
        if param is not None and "Default" in param:
            return param["Default"]
        return UNRESOLVED

    def get_att(self, logical_id: str, attr: str) -> Any:
        """``Fn::GetAtt`` of a deployed resource (the attributes templates of this library use)."""
        phys = self.physical.get(logical_id)
        rtype = self.stack.resources.get(logical_id, {}).get("Type", "")
        if phys is None:
            return UNRESOLVED
        arn_prefix = f"arn:aws:{{}}:{REGION}:{ACCOUNT}:"
        table: dict[tuple[str, str], Callable[[], str]] = {
            ("AWS::SQS::Queue", "Arn"): lambda: queue_arn(phys),
            ("AWS::SQS::Queue", "QueueUrl"): lambda: phys,
            ("AWS::SQS::Queue", "QueueName"): lambda: phys.rsplit("/", 1)[-1],
            ("AWS::KMS::Key", "Arn"): lambda: arn_prefix.format("kms") + f"key/{phys}",
            ("AWS::KMS::Key", "KeyId"): lambda: phys,
            ("AWS::Lambda::Function", "Arn"): lambda: arn_prefix.format("lambda") + f"function:{phys}",
            ("AWS::Lambda::Version", "Version"): lambda: phys.rsplit(":", 1)[-1],
            ("AWS::Lambda::Version", "FunctionArn"): lambda: phys.rsplit(":", 1)[0],
            ("AWS::Lambda::Alias", "AliasArn"): lambda: phys,
            ("AWS::Lambda::LayerVersion", "LayerVersionArn"): lambda: phys,
            ("AWS::SNS::Topic", "TopicArn"): lambda: phys,
            ("AWS::SNS::Topic", "TopicName"): lambda: phys.rsplit(":", 1)[-1],
            ("AWS::Logs::LogGroup", "Arn"): lambda: arn_prefix.format("logs") + f"log-group:{phys}:*",
            ("AWS::Events::Rule", "Arn"): lambda: arn_prefix.format("events") + f"rule/{phys}",
            ("AWS::ApiGatewayV2::Api", "ApiId"): lambda: phys,
            ("AWS::ApiGatewayV2::Integration", "IntegrationId"): lambda: phys,
            ("AWS::IAM::Role", "Arn"): lambda: self.emulator.client("iam").get_role(RoleName=phys)["Role"]["Arn"],
        }
        getter = table.get((rtype, attr))
        return getter() if getter else UNRESOLVED

    def resolve(self, value: Any) -> Any:
        """Resolve ``value`` recursively; anything unknown becomes :data:`UNRESOLVED`."""
        if isinstance(value, list):
            return [self.resolve(v) for v in value]
        if not isinstance(value, dict):
            return value
        if len(value) == 1:
            ((key, arg),) = value.items()
            if key == "Ref":
                return self.ref(arg)
            if key == "Fn::GetAtt":
                logical, attr = arg if isinstance(arg, list) else arg.split(".", 1)
                return self.get_att(logical, attr)
            if key == "Fn::Join":
                parts = self.resolve(arg[1])
                if any(p is UNRESOLVED for p in parts):
                    return UNRESOLVED
                return str(arg[0]).join(str(p) for p in parts)
            if key == "Fn::Select":
                items = self.resolve(arg[1])
                return UNRESOLVED if items is UNRESOLVED else items[int(arg[0])]
            if key == "Fn::Split":
                text = self.resolve(arg[1])
                return UNRESOLVED if not isinstance(text, str) else text.split(arg[0])
            if key == "Fn::ImportValue":
                return self.exports.get(self.resolve(arg), UNRESOLVED)
            if key == "Fn::Sub":
                return self._sub(arg)
            if key.startswith("Fn::"):
                return UNRESOLVED
        return {k: self.resolve(v) for k, v in value.items()}

    def _sub(self, arg: Any) -> Any:
        template, mapping = (arg, {}) if isinstance(arg, str) else (arg[0], arg[1])
        out = str(template)

        for token in re.findall(r"\$\{([^}!]+)\}", out):
            if token in mapping:
                val = self.resolve(mapping[token])
            elif "." in token:
                val = self.get_att(*token.split(".", 1))
            else:
                val = self.ref(token)
            if val is UNRESOLVED:
                return UNRESOLVED
            out = out.replace("${" + token + "}", str(val))
        return out


def has_unresolved(value: Any) -> bool:
    """True when ``value`` is, or holds (in dicts and lists, at any depth), :data:`UNRESOLVED`."""
    if value is UNRESOLVED:
        return True
    if isinstance(value, dict):
        return any(has_unresolved(v) for v in value.values())
    if isinstance(value, list):
        return any(has_unresolved(v) for v in value)
    return False
