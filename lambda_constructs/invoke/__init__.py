"""Local invoke: run a synthesized Python function with a sample event, fast.

``python -m lambda_constructs invoke STACK/FUNCTION --event KIND|FILE`` resolves the function in
``cdk.out`` (:mod:`.assembly`), builds the event (:mod:`.events`) and runs the handler in a subprocess
with the function's environment, layers, timeout and memory size (:mod:`.runner`).
"""

from lambda_constructs.invoke.assembly import AliasSpec, FunctionSpec, list_functions, resolve_function
from lambda_constructs.invoke.events import EVENT_KINDS, load_event, make_event
from lambda_constructs.invoke.runner import InvokeResult, LocalFunction, code_directory, invoke, local_function

__all__ = [
    "EVENT_KINDS",
    "AliasSpec",
    "FunctionSpec",
    "InvokeResult",
    "LocalFunction",
    "code_directory",
    "invoke",
    "list_functions",
    "load_event",
    "local_function",
    "make_event",
    "resolve_function",
]
