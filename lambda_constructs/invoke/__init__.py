"""Local invoke: run a synthesized Python function with a sample event, fast.

``python -m lambda_constructs invoke STACK/FUNCTION --event KIND|FILE`` resolves the function in
``cdk.out`` (:mod:`.assembly`), builds the event (:mod:`.events`) and runs the handler in a subprocess
with the function's environment, layers, timeout and memory size (:mod:`.runner`).
"""

from typing import Any

from lambda_constructs.invoke.assembly import (
    FunctionSpec,
    SynthesizedAlias,
    deprecated_name,
    list_functions,
    resolve_function,
)
from lambda_constructs.invoke.events import EVENT_KINDS, load_event, make_event
from lambda_constructs.invoke.runner import InvokeResult, LocalFunction, code_directory, invoke, local_function

__all__ = [
    "EVENT_KINDS",
    "FunctionSpec",
    "InvokeResult",
    "LocalFunction",
    "SynthesizedAlias",
    "code_directory",
    "invoke",
    "list_functions",
    "load_event",
    "local_function",
    "make_event",
    "resolve_function",
]


def __getattr__(name: str) -> Any:
    """Deprecated names (``AliasSpec``: use :class:`SynthesizedAlias`); warns with DeprecationWarning."""
    return deprecated_name(__name__, name)
