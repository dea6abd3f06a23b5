"""Stack creates and updates as CloudFormation does them, patched into moto 5.2.5 by :func:`register`.

What moto did, and what this module does instead (each found by deploying with the real CDK CLI):

* Change sets were looked up by name across *all* stacks, and every CDK stack uses the same name
  (``cdk-deploy-change-set``): a second stack's deploy described, executed or deleted the first
  stack's change set, and the CLI waited for ever for it "to finish deleting". Now a change set is
  found by ARN, or by name *within* the stack given (``StackName``), as the CloudFormation API
  reference describes for ``DescribeChangeSet``/``ExecuteChangeSet``/``DeleteChangeSet``; an unknown one
  is ``ChangeSetNotFound`` (HTTP 404) for Describe/Execute; deleting one that is not there succeeds, as
  the CDK CLI expects before every deploy (moto: HTTP 500 ``UnboundLocalError``). Executing a
  change set deletes the stack's other change sets, as CloudFormation does.
* ``UsePreviousValue`` took the *resolved* value of an SSM-typed parameter (``BootstrapVersion``:
  the version number instead of the parameter's name), which was then looked up as a parameter name
  (``AttributeError``), and ``--method=direct`` failed with ``KeyError`` for a parameter left at its
  default. The previous value is now what the stack was last given (or its default), as in
  CloudFormation; an SSM parameter that does not exist is CloudFormation's ``ValidationError``.
* Updates: added and modified resources are processed in the dependency order of the *new*
  template (``DependsOn``, ``Ref``, ``Fn::GetAtt``, ``Fn::Sub``), so a new ``AWS::Lambda::Version`` is
  published after its function's new code is in place; removals come last, in reverse dependency
  order of the old template, and skip resources with ``DeletionPolicy: Retain``. moto swallowed each
  error and retried; a model without update support stored ``None`` (the resource vanished from
  the stack). Now the first error fails the stack (``CREATE_FAILED``/``UPDATE_FAILED``, a resource event
  with the reason), which the CDK CLI reports as a failed deployment.
* Outputs and exports were only built for ``CreateStack``; change sets (how the CDK CLI deploys)
  left them empty. They are rebuilt after every create and update.

No rollback is emulated: a failed stack keeps what was done before the error (docs/local.md).
"""

from __future__ import annotations

import re
from typing import Any

from moto.cloudformation import parsing
from moto.cloudformation.exceptions import AlreadyExistsException, CloudFormationError, ValidationError
from moto.cloudformation.models import ChangeSet, CloudFormationBackend, Event, Stack
from moto.cloudformation.responses import CloudFormationResponse

RETAINED = ("Retain", "RetainExceptOnCreate")
"""``DeletionPolicy`` values that keep the resource when CloudFormation removes it from the stack."""


class ChangeSetNotFoundError(CloudFormationError):
    """CloudFormation's ``ChangeSetNotFoundException`` (query error code ``ChangeSetNotFound``, HTTP 404)."""

    code = "ChangeSetNotFoundException"

    def __init__(self, name: str, stack: str | None) -> None:
        where = f" for stack {stack}" if stack else ""
        super().__init__(f"ChangeSet [{name}] does not exist{where}")


class ResourceFailedError(Exception):
    """A resource could not be created, updated or deleted during a change set's execution."""

    def __init__(self, logical_id: str, resource_type: str, action: str, cause: BaseException) -> None:
        self.logical_id = logical_id
        self.resource_type = resource_type
        self.action = action
        self.reason = f"{type(cause).__name__}: {cause}"
        super().__init__(f"{action} of {logical_id} ({resource_type}) failed: {self.reason}")


class NoUpdateSupportError(Exception):
    """The emulator has no update for a modified resource's type (moto stored ``None`` silently)."""


# --- dependency order ------------------------------------------------------------------------------
_SUB_TOKEN = re.compile(r"\$\{([^}!][^}]*)\}")


def references(value: Any) -> set[str]:
    """Names ``value`` refers to through ``Ref``, ``Fn::GetAtt`` and ``Fn::Sub`` (logical IDs and others)."""
    found: set[str] = set()
    if isinstance(value, list):
        for item in value:
            found |= references(item)
    elif isinstance(value, dict):
        for key, arg in value.items():
            if key == "Ref" and isinstance(arg, str):
                found.add(arg)
            elif key == "Fn::GetAtt":
                target = arg[0] if isinstance(arg, list) else str(arg).split(".", 1)[0]
                if isinstance(target, str):
                    found.add(target)
            elif key == "Fn::Sub":
                text, mapping = (arg, {}) if isinstance(arg, str) else (arg[0], arg[1])
                local = set(mapping) if isinstance(mapping, dict) else set()
                found |= {t.split(".", 1)[0] for t in _SUB_TOKEN.findall(str(text))} - local
                found |= references(mapping)
            else:
                found |= references(arg)
    return found


def dependencies(resource: dict[str, Any], logical_ids: set[str] | dict[str, Any]) -> set[str]:
    """Logical IDs (among ``logical_ids``) that ``resource`` depends on: ``DependsOn`` and references."""
    depends = resource.get("DependsOn", [])
    explicit = {depends} if isinstance(depends, str) else set(depends)
    implicit = references({k: v for k, v in resource.items() if k in ("Properties", "Condition")})
    return {d for d in explicit | implicit if d in logical_ids}


def dependency_order(resources: dict[str, Any]) -> list[str]:
    """Logical IDs of ``resources`` with every dependency before its dependant (template order otherwise)."""
    order: list[str] = []
    state: dict[str, int] = {}

    def visit(logical_id: str) -> None:
        if state.get(logical_id) is not None:
            return  # done, or a cycle (CloudFormation rejects those; keep template order)
        state[logical_id] = 0
        for dep in sorted(dependencies(resources[logical_id], resources)):
            visit(dep)
        state[logical_id] = 1
        order.append(logical_id)

    for logical_id in resources:
        visit(logical_id)
    return order


# --- the update itself -----------------------------------------------------------------------------
def update_resource(
    logical_id: str, resource_json: dict[str, Any], resources_map: parsing.ResourceMap, account_id: str, region: str
) -> Any:
    """Update one modified resource through its model; raise :class:`NoUpdateSupportError` if it has none."""
    resource_class = parsing.resource_class_from_type(resource_json["Type"])
    if resource_class is None:
        # A type moto does not model (AWS::CDK::Metadata, CodeDeploy ...) is recorded, not emulated, on
        # create (moto's parse_and_create_resource returns None); an update of it records the new template
        # the same way. Before, CDK's own AWS::CDK::Metadata, which changes when the app's constructs do,
        # failed every such update with an AttributeError.
        return None
    if hasattr(resource_class.update_from_cloudformation_json, "__isabstractmethod__"):
        raise NoUpdateSupportError(
            f"the emulator cannot update {resource_json['Type']} (no update support in its model); "
            "add one in lambda_constructs/local/models.py, or start a fresh emulator"
        )
    return parsing.parse_and_update_resource(logical_id, resource_json, resources_map, account_id, region)


def apply_template(
    self: parsing.ResourceMap, template: dict[str, Any], parameters: dict[str, Any] | None = None
) -> None:
    """Replacement of ``ResourceMap.update``: add and modify in dependency order, then remove.

    Raises :class:`ResourceFailedError` for the first resource that fails.
    """
    diff = parsing.ResourceMap.build_resource_diff(self, template, parameters)
    old = dict(self._resource_json_map)
    self._template = template
    if parameters:
        self.input_parameters = parameters
    self.load_mapping()
    self.load_parameters()
    self.load_conditions()
    self._resource_json_map = template["Resources"]
    added, modified = set(diff["Add"]), set(diff["Modify"])
    for logical_id in dependency_order(template["Resources"]):
        resource_json = template["Resources"][logical_id]
        if logical_id in added:
            try:
                _ = self[logical_id]  # the lazy map creates it (and anything it needs)
            except Exception as exc:
                raise ResourceFailedError(logical_id, resource_json["Type"], "CREATE", exc) from exc
        elif logical_id in modified:
            try:
                changed = update_resource(logical_id, resource_json, self, self._account_id, self._region_name)
            except Exception as exc:
                raise ResourceFailedError(logical_id, resource_json["Type"], "UPDATE", exc) from exc
            if changed is not None:
                self._parsed_resources[logical_id] = changed
    removed = set(diff["Remove"])
    for logical_id in reversed(dependency_order(old)):
        if logical_id not in removed:
            continue
        resource_json = old[logical_id]
        resource = self._parsed_resources.pop(logical_id, None)
        if resource_json.get("DeletionPolicy") in RETAINED or resource is None or isinstance(resource, str):
            continue
        try:
            self._delete_resource(resource, resource_json)
        except Exception as exc:
            raise ResourceFailedError(logical_id, resource_json["Type"], "DELETE", exc) from exc


# --- change sets per stack --------------------------------------------------------------------------
def find_change_set(backend: CloudFormationBackend, name: str, stack_name: str | None) -> ChangeSet:
    """The change set ``name`` (an ARN, or a name within ``stack_name``); :class:`ChangeSetNotFoundError` if none."""
    if name in backend.change_sets:
        return backend.change_sets[name]
    for change_set in backend.change_sets.values():
        if change_set.change_set_name != name:
            continue
        if stack_name is None or stack_name in (change_set.stack_name, change_set.stack_id):
            return change_set
    raise ChangeSetNotFoundError(name, stack_name)


_original_create_change_set = CloudFormationBackend.create_change_set


def create_change_set(
    self: CloudFormationBackend, stack_name: str, change_set_name: str, *args: Any, **kwargs: Any
) -> Any:
    """CreateChangeSet refusing a name already used by the same stack (``AlreadyExistsException``)."""
    for change_set in self.change_sets.values():
        if change_set.change_set_name == change_set_name and change_set.stack_name == stack_name:
            raise AlreadyExistsException(f"ChangeSet {change_set_name} already exists")
    return _original_create_change_set(self, stack_name, change_set_name, *args, **kwargs)


def describe_change_set(self: CloudFormationBackend, change_set_name: str, stack_name: str | None = None) -> ChangeSet:
    """DescribeChangeSet within the stack."""
    return find_change_set(self, change_set_name, stack_name)


def delete_change_set(self: CloudFormationBackend, change_set_name: str, stack_name: str | None = None) -> None:
    """DeleteChangeSet within the stack; a change set that is not there is already deleted (the CDK CLI
    deletes ``cdk-deploy-change-set`` before every deploy and expects success when there is none)."""
    try:
        change_set = find_change_set(self, change_set_name, stack_name)
    except ChangeSetNotFoundError:
        return
    del self.change_sets[change_set.change_set_id]


def _rebuild_outputs(backend: CloudFormationBackend, stack: Stack) -> None:
    stack.output_map = stack._create_output_map()
    for name in [n for n, e in backend.exports.items() if e.exporting_stack_id == stack.stack_id]:
        del backend.exports[name]
    backend._validate_export_uniqueness(stack)
    for export in stack.exports:
        backend.exports[export.name] = export


def _resource_event(stack: Stack, failure: ResourceFailedError) -> None:
    stack.events.append(
        Event(
            stack_id=stack.stack_id,
            stack_name=stack.name,
            logical_resource_id=failure.logical_id,
            physical_resource_id="",
            resource_type=failure.resource_type,
            resource_status=f"{failure.action}_FAILED",
            resource_status_reason=failure.reason,
            resource_properties=None,
        )
    )


def execute_change_set(self: CloudFormationBackend, change_set_name: str, stack_name: str | None = None) -> None:
    """ExecuteChangeSet: apply, fail the stack on the first resource error, rebuild outputs and exports."""
    change_set = find_change_set(self, change_set_name, stack_name)
    if change_set.execution_status != "AVAILABLE":
        raise ValidationError(
            message=f"ChangeSet [{change_set.change_set_id}] cannot be executed in its current execution status "
            f"of [{change_set.execution_status}]"
        )
    stack = self.stacks[change_set.stack_id]
    kind = change_set.change_set_type
    stack._add_stack_event(f"{kind}_IN_PROGRESS", resource_status_reason="User Initiated")
    stack.status = f"{kind}_IN_PROGRESS"
    for other in [c for c in self.change_sets.values() if c.stack_id == stack.stack_id]:
        del self.change_sets[other.change_set_id]
    try:
        change_set.apply()
    except ResourceFailedError as failure:
        _resource_event(stack, failure)
        stack.status = f"{kind}_FAILED"
        stack._add_stack_event(f"{kind}_FAILED", resource_status_reason=str(failure))
        change_set.execution_status = "EXECUTE_FAILED"
        return
    stack.template = change_set.template
    stack._parse_template()
    stack.description = stack.template_dict.get("Description")
    if change_set.parameters:
        stack.parameters = change_set.parameters
    _rebuild_outputs(self, stack)
    change_set.execution_status = "EXECUTE_COMPLETE"
    stack.status = f"{kind}_COMPLETE"
    stack._add_stack_event(f"{kind}_COMPLETE")


# --- parameters ---------------------------------------------------------------------------------------
def previous_parameters(stack: Stack) -> dict[str, Any]:
    """What ``UsePreviousValue`` means: the value the stack was last given, else the template default
    (for an SSM-typed parameter: the parameter's *name*, resolved again at update)."""
    defaults = {
        key: slot["Default"]
        for key, slot in (stack.template_dict or {}).get("Parameters", {}).items()
        if "Default" in slot
    }
    return {**defaults, **stack.parameters}


def _resolve_update_parameters(
    self: CloudFormationBackend, instance: Any, incoming_params: list[dict[str, str]]
) -> dict[str, str]:
    previous = previous_parameters(instance) if isinstance(instance, Stack) else dict(instance.parameters)
    resolved: dict[str, str] = {}
    for param in incoming_params:
        key = param["ParameterKey"]
        if param.get("UsePreviousValue", False):
            if key not in previous:
                raise ValidationError(message=f"Parameter {key} has no previous value")
            resolved[key] = previous[key]
        elif "ParameterValue" in param:
            resolved[key] = param["ParameterValue"]
    return resolved


_original_parse_ssm_parameter = parsing.ResourceMap.parse_ssm_parameter


def _parse_ssm_parameter(self: parsing.ResourceMap, value: str, value_type: str) -> str:
    from moto.ssm.models import ssm_backends

    if ssm_backends[self._account_id][self._region_name].get_parameter(value) is None:
        raise ValidationError(message=f"Unable to fetch parameters [{value}] from parameter store for this account.")
    result: str = _original_parse_ssm_parameter(self, value, value_type)
    return result


# --- responses: pass StackName ------------------------------------------------------------------------
def _describe_change_set_response(self: CloudFormationResponse) -> Any:
    from moto.core.responses import ActionResult

    backend = self.cloudformation_backend
    return ActionResult(describe_change_set(backend, self._get_param("ChangeSetName"), self._get_param("StackName")))


def _delete_change_set_response(self: CloudFormationResponse) -> Any:
    from moto.core.responses import EmptyResult

    delete_change_set(self.cloudformation_backend, self._get_param("ChangeSetName"), self._get_param("StackName"))
    return EmptyResult()


def _execute_change_set_response(self: CloudFormationResponse) -> Any:
    from moto.core.responses import EmptyResult

    execute_change_set(self.cloudformation_backend, self._get_param("ChangeSetName"), self._get_param("StackName"))
    return EmptyResult()


_original_update_stack = CloudFormationBackend.update_stack


def update_stack(self: CloudFormationBackend, name: str, *args: Any, **kwargs: Any) -> Stack:
    """UpdateStack (``cdk deploy --method=direct``): a failing resource fails the stack; exports rebuilt."""
    try:
        stack: Stack = _original_update_stack(self, name, *args, **kwargs)
    except ResourceFailedError as failure:
        stack = self.get_stack(name)
        _resource_event(stack, failure)
        stack.status = "UPDATE_FAILED"
        stack._add_stack_event("UPDATE_FAILED", resource_status_reason=str(failure))
        return stack
    _rebuild_outputs(self, stack)
    return stack


def _stack_parameters(self: Stack) -> dict[str, Any]:
    return previous_parameters(self)


def register() -> None:
    """Patch moto's CloudFormation backend, responses and resource map (idempotent)."""
    parsing.ResourceMap.update = apply_template  # type: ignore[method-assign]
    parsing.ResourceMap.parse_ssm_parameter = _parse_ssm_parameter  # type: ignore[method-assign]
    CloudFormationBackend.create_change_set = create_change_set  # type: ignore[method-assign]
    CloudFormationBackend.describe_change_set = describe_change_set  # type: ignore[method-assign]
    CloudFormationBackend.delete_change_set = delete_change_set  # type: ignore[method-assign]
    CloudFormationBackend.execute_change_set = execute_change_set  # type: ignore[method-assign]
    CloudFormationBackend._resolve_update_parameters = _resolve_update_parameters  # type: ignore[method-assign]
    CloudFormationBackend.update_stack = update_stack  # type: ignore[method-assign]
    CloudFormationResponse.describe_change_set = _describe_change_set_response  # type: ignore[method-assign]
    CloudFormationResponse.delete_change_set = _delete_change_set_response  # type: ignore[method-assign]
    CloudFormationResponse.execute_change_set = _execute_change_set_response  # type: ignore[method-assign]
    # UsePreviousValue in CreateChangeSet/UpdateStack reads ``stack_parameters``: the given values, not resolved.
    Stack.stack_parameters = property(_stack_parameters)  # type: ignore[assignment,method-assign]
