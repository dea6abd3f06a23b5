"""CloudFormation models of ``AWS::IAM::Role`` and ``AWS::IAM::ManagedPolicy``, registered by
:func:`lambda_constructs.local.models.register`.

moto 5.2.5 got wrong (found by deploying a stack, then its update from issue #21: the X-Ray statement
of each execution role moved from a per-role managed policy to one stack-level policy listed in each
role's ``ManagedPolicyArns``; the stack reported ``UPDATE_COMPLETE`` and nothing changed):

* ``AWS::IAM::Role``: ``ManagedPolicyArns`` was ignored on create *and* update -> attached on create;
  on update the policies that left the list are detached and the new ones attached, in place (the
  CloudFormation resource schema's create-only properties are only ``RoleName`` and ``Path``: cfn-lint
  1.58 ``data/schemas/providers/us-east-1.json`` -> ``AWS::IAM::Role``; its update handler needs
  ``iam:AttachRolePolicy``/``iam:DetachRolePolicy``). The update also took ``RoleDescription`` as the
  session duration, blanked the description and ignored ``AssumeRolePolicyDocument``, inline
  ``Policies`` and ``PermissionsBoundary`` -> applied as the template says. Deleting a role with
  attached policies failed (``DeleteConflict``) -> detached first, as CloudFormation's delete handler
  does (``iam:ListAttachedRolePolicies``, ``iam:DetachRolePolicy``). An AWS managed policy
  (``arn:aws:iam::aws:policy/...``) is taken from moto's copy of AWS's policies when first attached.
* ``AWS::IAM::ManagedPolicy``: no update (the emulator failed the stack) and no delete (a policy that
  left the template stayed, attached) -> ``PolicyDocument`` is a new default version (the oldest
  other version is deleted at IAM's limit of 5), ``Roles``/``Users``/``Groups`` attach and detach in
  place (create-only: ``ManagedPolicyName``, ``Description``, ``Path``: a change of one would replace
  the policy, which the emulator refuses rather than fakes); delete detaches it from every entity,
  then deletes it (IAM refuses ``DeletePolicy`` while it is attached: botocore's IAM model, DeletePolicy
  "Before you can delete a managed policy, you must first detach the policy from all users, groups,
  and roles", error ``DeleteConflictException``; :func:`register` makes the emulator's IAM API refuse it
  too, with AWS's message).
"""

from __future__ import annotations

import functools
import json
from typing import Any

from moto.core.common_models import CloudFormationModel
from moto.iam.aws_managed_policies import aws_managed_policies_data
from moto.iam.exceptions import DeleteConflictException
from moto.iam.models import AWSManagedPolicy, Group, IAMBackend, User, iam_backends
from moto.iam.models import ManagedPolicy as MotoManagedPolicy
from moto.iam.models import Role as MotoRole
from moto.utilities.utils import get_partition

from lambda_constructs.local.model_base import BaseModel
from lambda_constructs.local.updates import NoUpdateSupportError

_MANAGED_ARNS = "_emulator_managed_policy_arns"
"""Attribute of a role: the resolved ``ManagedPolicyArns`` it was last given (what an update detaches)."""
_INLINE_NAMES = "_emulator_inline_policy_names"
"""Attribute of a role: the names of its template's inline ``Policies`` (other inline policies stay)."""
_TARGETS = "_emulator_targets"
"""Attribute of a managed policy: the ``Roles``/``Users``/``Groups`` its template last gave."""
_TARGET_KINDS = ("Roles", "Users", "Groups")


_Holder = MotoRole | User | Group


def _holders(backend: IAMBackend, kind: str | None = None) -> list[_Holder]:
    """The roles, users and groups of ``backend`` (``kind``: only ``Roles``, ``Users`` or ``Groups``)."""
    found: list[_Holder] = []
    if kind in (None, "Roles"):
        found.extend(backend.roles.values())
    if kind in (None, "Users"):
        found.extend(backend.users.values())
    if kind in (None, "Groups"):
        found.extend(backend.groups.values())
    return found


def _iam(account_id: str, region_name: str) -> IAMBackend:
    backend: IAMBackend = iam_backends[account_id][get_partition(region_name)]
    return backend


@functools.cache
def _aws_policies() -> dict[str, Any]:
    """moto's copy of AWS's managed policies, by name (parsed once, on the first attach of one)."""
    data: dict[str, Any] = json.loads(aws_managed_policies_data)
    return data


def _known_policy(backend: IAMBackend, arn: str) -> None:
    """Make an AWS managed policy ``arn`` known to ``backend`` (moto loads none unless configured to)."""
    if arn in backend.managed_policies or ":iam::aws:policy/" not in arn:
        return
    name = arn.rsplit("/", 1)[-1]
    data = _aws_policies().get(name)
    if data is None:
        return  # AttachRolePolicy then fails with IAM's NoSuchEntity, as on AWS
    policy = AWSManagedPolicy.from_data(name, backend.account_id, backend.region_name, data)
    if policy.arn == arn:
        backend.managed_policies[arn] = policy
        backend.aws_managed_policies.append(policy)


def _attach(backend: IAMBackend, kind: str, entity: str, arn: str) -> None:
    """Attach ``arn`` to the role/user/group ``entity`` unless it already is (IAM: idempotent)."""
    _known_policy(backend, arn)
    if kind == "Roles":
        if arn not in backend.get_role(entity).managed_policies:
            backend.attach_role_policy(arn, entity)
    elif kind == "Users":
        if arn not in backend.get_user(entity).managed_policies:
            backend.attach_user_policy(arn, entity)
    elif arn not in backend.get_group(entity).managed_policies:
        backend.attach_group_policy(arn, entity)


def _detach(backend: IAMBackend, kind: str, entity: str, arn: str) -> None:
    """Detach ``arn`` from ``entity`` if both still exist and it is attached (CloudFormation skips the rest)."""
    for holder in _holders(backend, kind):
        if holder.name == entity and arn in holder.managed_policies:
            holder.managed_policies[arn].detach_from(holder)


def _as_text(document: Any) -> str:
    return document if isinstance(document, str) else json.dumps(document)


class Role(BaseModel):
    """``AWS::IAM::Role`` with ``ManagedPolicyArns``, updates in place and a delete that detaches first."""

    CFN_TYPE = "AWS::IAM::Role"
    CFN_NAME_TYPE = "RoleName"

    @classmethod
    def create_from_cloudformation_json(
        cls,
        resource_name: str,
        cloudformation_json: dict[str, Any],
        account_id: str,
        region_name: str,
        **kwargs: Any,
    ) -> MotoRole:
        """CreateRole and PutRolePolicy (moto's part), then AttachRolePolicy for each ``ManagedPolicyArns``."""
        props = cloudformation_json["Properties"]
        role: MotoRole = MotoRole.create_from_cloudformation_json(
            resource_name, cloudformation_json, account_id, region_name, **kwargs
        )
        backend = _iam(account_id, region_name)
        arns = list(props.get("ManagedPolicyArns") or [])
        for arn in arns:
            _attach(backend, "Roles", role.name, arn)
        setattr(role, _MANAGED_ARNS, arns)
        setattr(role, _INLINE_NAMES, [p["PolicyName"] for p in props.get("Policies") or []])
        return role

    @classmethod
    def update_from_cloudformation_json(
        cls,
        original_resource: MotoRole,
        new_resource_name: str,
        cloudformation_json: dict[str, Any],
        account_id: str,
        region_name: str,
    ) -> MotoRole:
        """Everything but ``RoleName``/``Path`` in place (those replace the role on AWS: refused here).

        ``ManagedPolicyArns``: detach what left the list, attach what joined it; policies attached by
        anything else (an ``AWS::IAM::ManagedPolicy``'s ``Roles``) stay, as on AWS.
        """
        props = cloudformation_json["Properties"]
        role = original_resource
        if props.get("RoleName", role.name) != role.name or props.get("Path", "/") != role.path:
            raise NoUpdateSupportError("a new RoleName or Path replaces the role; the emulator does not replace it")
        backend = _iam(account_id, region_name)
        role.assume_role_policy_document = _as_text(props["AssumeRolePolicyDocument"])
        role.description = props.get("Description", "")
        role.max_session_duration = props.get("MaxSessionDuration", 3600)
        role.permissions_boundary_arn = props.get("PermissionsBoundary") or None
        inline = {p["PolicyName"]: p["PolicyDocument"] for p in props.get("Policies") or []}
        for name in getattr(role, _INLINE_NAMES, []):
            if name not in inline and name in role.policies:
                role.delete_policy(name)
        for name, document in inline.items():
            role.put_policy(name, document)
        setattr(role, _INLINE_NAMES, list(inline))
        before: list[str] = getattr(role, _MANAGED_ARNS, [])
        after = list(props.get("ManagedPolicyArns") or [])
        for arn in before:
            if arn not in after:
                _detach(backend, "Roles", role.name, arn)
        for arn in after:
            _attach(backend, "Roles", role.name, arn)
        setattr(role, _MANAGED_ARNS, after)
        return role

    @classmethod
    def delete_from_cloudformation_json(
        cls,
        resource_name: str,
        cloudformation_json: dict[str, Any],
        account_id: str,
        region_name: str,
    ) -> None:
        """Detach every managed policy, then moto's delete (inline policies, instance profiles, the role)."""
        backend = _iam(account_id, region_name)
        role = next((r for r in backend.roles.values() if r.name == resource_name), None)
        if role is None:
            return  # already gone: deleted, as for CloudFormation
        for policy in list(role.managed_policies.values()):
            policy.detach_from(role)
        MotoRole.delete_from_cloudformation_json(resource_name, cloudformation_json, account_id, region_name)


class ManagedPolicy(BaseModel):
    """``AWS::IAM::ManagedPolicy`` with updates in place and a delete that detaches it first."""

    CFN_TYPE = "AWS::IAM::ManagedPolicy"

    @classmethod
    def create_from_cloudformation_json(
        cls,
        resource_name: str,
        cloudformation_json: dict[str, Any],
        account_id: str,
        region_name: str,
        **kwargs: Any,
    ) -> MotoManagedPolicy:
        """CreatePolicy, then attach it to its ``Roles``, ``Users`` and ``Groups`` (moto's model)."""
        props = cloudformation_json["Properties"]
        policy: MotoManagedPolicy = MotoManagedPolicy.create_from_cloudformation_json(
            resource_name, cloudformation_json, account_id, region_name, **kwargs
        )
        setattr(policy, _TARGETS, {kind: list(props.get(kind) or []) for kind in _TARGET_KINDS})
        return policy

    @classmethod
    def update_from_cloudformation_json(
        cls,
        original_resource: MotoManagedPolicy,
        new_resource_name: str,
        cloudformation_json: dict[str, Any],
        account_id: str,
        region_name: str,
    ) -> MotoManagedPolicy:
        """A new default version for a new document; attach/detach for ``Roles``/``Users``/``Groups``."""
        props = cloudformation_json["Properties"]
        policy = original_resource
        if (
            props.get("ManagedPolicyName", policy.name) != policy.name
            or (props.get("Description") or "") != policy.description
            or props.get("Path", "/") != policy.path
        ):
            raise NoUpdateSupportError(
                "a new ManagedPolicyName, Description or Path replaces the managed policy; "
                "the emulator does not replace it"
            )
        backend = _iam(account_id, region_name)
        document = _as_text(props["PolicyDocument"])
        default = next(v for v in policy.versions if v.version_id == policy.default_version_id)
        if json.loads(default.document) != json.loads(document):
            if len(policy.versions) >= 5:
                oldest = next(v for v in policy.versions if not v.is_default)
                backend.delete_policy_version(policy.arn, oldest.version_id)
            backend.create_policy_version(policy.arn, document, set_as_default=True)
        before: dict[str, list[str]] = getattr(policy, _TARGETS, {})
        after = {kind: list(props.get(kind) or []) for kind in _TARGET_KINDS}
        for kind in _TARGET_KINDS:
            for entity in before.get(kind, []):
                if entity not in after[kind]:
                    _detach(backend, kind, entity, policy.arn)
            for entity in after[kind]:
                _attach(backend, kind, entity, policy.arn)
        setattr(policy, _TARGETS, after)
        return policy

    @classmethod
    def delete_from_cloudformation_json(
        cls,
        resource_name: str,
        cloudformation_json: dict[str, Any],
        account_id: str,
        region_name: str,
    ) -> None:
        """Detach from every role, user and group (ListEntitiesForPolicy), delete the other versions, then
        DeletePolicy. ``resource_name`` is the policy's ARN (its physical ID)."""
        backend = _iam(account_id, region_name)
        policy = backend.managed_policies.get(resource_name)
        if policy is None:
            return  # already gone: deleted, as for CloudFormation
        for holder in _holders(backend):
            if policy.arn in holder.managed_policies:
                policy.detach_from(holder)
        for version in [v for v in policy.versions if not v.is_default]:
            backend.delete_policy_version(policy.arn, version.version_id)
        backend.delete_policy(policy.arn)


MODELS: tuple[type[CloudFormationModel], ...] = (Role, ManagedPolicy)
"""The models of this module."""


def attached_entities(backend: IAMBackend, arn: str) -> list[str]:
    """Names of the roles, users and groups ``arn`` is attached to (IAM's ListEntitiesForPolicy)."""
    return [h.name for h in _holders(backend) if arn in h.managed_policies]


_original_delete_policy = IAMBackend.delete_policy


def _delete_policy(self: IAMBackend, policy_arn: str) -> None:
    """DeletePolicy refusing an attached policy with IAM's ``DeleteConflict`` (moto deleted it, leaving the
    entities holding a policy that no longer exists)."""
    if attached_entities(self, policy_arn):
        raise DeleteConflictException("Cannot delete a policy attached to entities.")
    _original_delete_policy(self, policy_arn)


def register() -> None:
    """Make the emulator's IAM API refuse DeletePolicy of an attached policy, as IAM does (idempotent)."""
    if not getattr(IAMBackend.delete_policy, "_emulator", False):
        _delete_policy._emulator = True  # type: ignore[attr-defined]
        IAMBackend.delete_policy = _delete_policy  # type: ignore[method-assign]
