"""The common base of the emulator's CloudFormation models (models.py, models_lambda.py, models_services.py,
models_iam.py, models_sqs.py).

moto asks each model for its resource type and name property through the staticmethods
``cloudformation_type()`` and ``cloudformation_name_type()`` (``CloudFormationModel``: "implement all methods as
@staticmethod"). A model states them once, as the class attributes ``CFN_TYPE`` and ``CFN_NAME_TYPE``, and
:class:`BaseModel` writes the staticmethods (class keywords would be shorter, but moto's model metaclass
refuses them)::

    class Queue(BaseModel):
        CFN_TYPE = "AWS::SQS::Queue"
        CFN_NAME_TYPE = "QueueName"
"""

from __future__ import annotations

from typing import Any, ClassVar

from moto.core.common_models import CloudFormationModel


def _constant(value: str) -> staticmethod[[], str]:
    def answer() -> str:
        return value

    answer.__doc__ = f"``{value}``" if value else "Empty: none."
    return staticmethod(answer)


class BaseModel(CloudFormationModel):
    """Common defaults (no name property, no update/delete support); a subclass's :attr:`CFN_TYPE` and
    :attr:`CFN_NAME_TYPE` become its staticmethods ``cloudformation_type()`` and ``cloudformation_name_type()``."""

    CFN_TYPE: ClassVar[str] = ""
    """The CloudFormation resource type the model creates (``AWS::KMS::Key``)."""
    CFN_NAME_TYPE: ClassVar[str] = ""
    """The property holding the resource's name (``QueueName``); empty: none. Default: empty."""

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if "CFN_TYPE" in cls.__dict__:
            setattr(cls, "cloudformation_type", _constant(cls.CFN_TYPE))  # noqa: B010 - mypy: cannot assign to a method
        if "CFN_NAME_TYPE" in cls.__dict__:
            setattr(cls, "cloudformation_name_type", _constant(cls.CFN_NAME_TYPE))  # noqa: B010

    @staticmethod
    def cloudformation_name_type() -> str:
        """The property holding the resource's name (empty: none)."""
        return ""

    @classmethod
    def has_cfn_attr(cls, attr: str) -> bool:
        """True when ``Fn::GetAtt`` knows ``attr``."""
        return True

    def is_created(self) -> bool:
        """Always True: the resource exists once its create call returned."""
        return True
