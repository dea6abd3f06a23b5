"""The emulator's CloudFormation models state their resource type and name property once (``CFN_TYPE``,
``CFN_NAME_TYPE``); :class:`BaseModel` turns them into the staticmethods moto calls."""

from __future__ import annotations

import inspect

from lambda_constructs.local import models, models_iam, models_services, models_sqs
from lambda_constructs.local.model_base import BaseModel


def test_class_attributes_become_the_staticmethods_moto_calls() -> None:
    class Thing(BaseModel):
        CFN_TYPE = "AWS::Example::Thing"
        CFN_NAME_TYPE = "ThingName"

    class Unnamed(BaseModel):
        CFN_TYPE = "AWS::Example::Unnamed"

    class Child(Thing):  # inherits both
        pass

    for model, resource_type, name_type in [
        (Thing, "AWS::Example::Thing", "ThingName"),
        (Unnamed, "AWS::Example::Unnamed", ""),
        (Child, "AWS::Example::Thing", "ThingName"),
    ]:
        assert (model.cloudformation_type(), model.cloudformation_name_type()) == (resource_type, name_type)
        assert isinstance(inspect.getattr_static(model, "cloudformation_type"), staticmethod)
        assert isinstance(inspect.getattr_static(model, "cloudformation_name_type"), staticmethod)


def test_every_model_states_its_type_and_name_property() -> None:
    """What ``models.register`` puts into moto's model and name maps (not called here: it patches moto globally)."""
    every = (*models.MODELS, *models_iam.MODELS, *models_sqs.MODELS, *models_services.MODELS)
    assert len({m.cloudformation_type() for m in every}) == len(every) == 36
    for model in every:
        assert isinstance(model, type) and issubclass(model, BaseModel), model
        assert model.cloudformation_type() == model.CFN_TYPE and model.cloudformation_name_type() == model.CFN_NAME_TYPE
        assert isinstance(inspect.getattr_static(model, "cloudformation_type"), staticmethod)
    named = {m.cloudformation_type(): m.cloudformation_name_type() for m in every if m.cloudformation_name_type()}
    assert named == {
        "AWS::Lambda::Function": "FunctionName",
        "AWS::Logs::LogGroup": "LogGroupName",
        "AWS::RDS::DBInstance": "DBInstanceIdentifier",
        "AWS::IAM::Role": "RoleName",
        "AWS::SQS::Queue": "QueueName",
    }
