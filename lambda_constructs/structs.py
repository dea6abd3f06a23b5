"""Reading aws-cdk-lib props objects (jsii structs such as ``sqs.QueueProps``) through their public API.

A jsii struct is a Python class with one read-only property per field (None when the field was not
given); its private storage is not part of its API. :func:`given_fields` lists the given fields so that
the library can merge a user's props with its own settings (``sqs.Queue(scope, id, **fields)``).
"""

from __future__ import annotations

from typing import Any

__all__ = ["given_fields"]


def given_fields(struct: object) -> dict[str, Any]:
    """The fields of ``struct`` that were given (not None), by their Python names, in declaration order.

    Read through the struct's public properties (its class and base classes); no jsii round trip (a
    struct's fields live in Python).
    """
    names = dict.fromkeys(
        name
        for cls in reversed(type(struct).__mro__)
        for name, attribute in vars(cls).items()
        if isinstance(attribute, property)
    )
    return {name: value for name in names if (value := getattr(struct, name)) is not None}
