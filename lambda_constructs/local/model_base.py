"""The common base of the emulator's CloudFormation models (models.py, models_lambda.py, models_services.py)."""

from __future__ import annotations

from moto.core.common_models import CloudFormationModel


class BaseModel(CloudFormationModel):
    """Common defaults (no name property, no update/delete support)."""

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
