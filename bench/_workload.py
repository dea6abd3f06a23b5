"""The benchmark workload shared by the bench scripts: N library functions, 3 aliases + an SQS trigger each."""

from __future__ import annotations

from aws_cdk import Stack

from lambda_constructs.function import SecureFunction, SecureFunctionProps
from lambda_constructs.service import LambdaService, LambdaServiceProps
from lambda_constructs.triggers import SqsTrigger

__all__ = [
    "ALIASES",
    "HANDLER",
    "configure",
    "function_props",
    "library_defaults",
    "library_functions",
    "library_service",
]

from bench._defaults import HANDLER, library_defaults

ALIASES = ("stage", "prod")  # + the default "live" alias = three aliases


def configure(fn: SecureFunction) -> None:
    """Aliases stage and prod on $LATEST (plus the default ``live``) and the library's SQS trigger on ``live``.

    ``SqsTrigger()`` creates a KMS-encrypted, TLS-only source queue with a dead-letter queue (its own with
    ``key_per_function=True``; in a ``LambdaService``, the shard's shared one), grants
    the function exact SQS actions on it and maps it to the ``live`` alias (bench/_handwritten.py builds
    the same resources by hand).
    """
    for name in ALIASES:
        fn.add_alias(name, fn.latest_version)
    fn.add_trigger(SqsTrigger())


def function_props() -> SecureFunctionProps:
    """A key per function: the design bench/_handwritten.py rebuilds resource for resource."""
    return SecureFunctionProps(inline_code=HANDLER, key_per_function=True)


def library_functions(stack: Stack, n: int) -> list[SecureFunction]:
    """N SecureFunctions in one stack (each with its own key), for the like-for-like comparison."""
    fns = []
    for i in range(n):
        fn = SecureFunction(stack, f"fn-{i:04d}", function_props())
        configure(fn)
        fns.append(fn)
    return fns


def library_service(stack: Stack, n: int, *, shards: int) -> LambdaService:
    """N functions in a sharded LambdaService (shared key in the parent), declared with ``declare_function``.

    Each function keeps its own key and failure queue (``function_props``, ``failure_queue_per_function``):
    the design bench/_handwritten.py rebuilds.

    In one process that builds every function (as ``add_function`` does); in a worker of
    ``python -m lambda_constructs.parallel`` only those of the shards the worker owns.
    """
    svc = LambdaService(stack, "Orders", LambdaServiceProps(shards=shards, failure_queue_per_function=True))
    for i in range(n):
        svc.declare_function(f"fn-{i:04d}", function_props(), configure=configure)
    return svc
