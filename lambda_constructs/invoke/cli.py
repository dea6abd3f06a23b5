"""``invoke`` and ``events`` sub-commands: run a synthesized function locally with a sample event."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from lambda_constructs.errors import LambdaConstructsError
from lambda_constructs.invoke.assembly import FunctionSpec, list_functions, resolve_function
from lambda_constructs.invoke.events import EVENT_KINDS, load_event, make_event, parse_assignment
from lambda_constructs.invoke.runner import code_directory, invoke, local_function

INVOKE_EPILOG = """\
examples:
  python -m lambda_constructs invoke MyStack/Orders --event sqs --set 'Records.*.body={"id": 7}'
  python -m lambda_constructs invoke MyStack/Orders --alias live --event ./event.json
  python -m lambda_constructs invoke MyStack/Api --event apigw-http --env TABLE_NAME=orders-dev

The handler's logs stream to stderr; the result JSON goes to stdout. The exit code is 0 when the
handler returned, 1 when it raised or timed out, 2 for a usage error (unknown stack, function,
alias or event kind). Environment values that are CloudFormation tokens (Ref, Fn::GetAtt, ...)
cannot be resolved locally: they are listed, set to "<unresolved:NAME>", and --env overrides them.
Synthesize first (`cdk synth`); the code and layer directories are read from the assembly.
"""


#: At most this many targets are suggested after an unknown STACK/FUNCTION (each one is checked).
MAX_SUGGESTIONS = 20


def _shortest_accepted(assembly: str | Path, full: str) -> str:
    """The shortest prefix of the target ``full`` (``STACK/PATH``) that resolves to the same function."""
    spec = resolve_function(assembly, full)
    parts = full.split("/")
    for end in range(2, len(parts)):
        candidate = "/".join(parts[:end])
        try:
            found = resolve_function(assembly, candidate)
        except LambdaConstructsError:
            continue
        if (found.stack, found.logical_id) == (spec.stack, spec.logical_id):
            return candidate
    return full


def suggested_targets(assembly: str | Path, target: str, error: LambdaConstructsError) -> list[str] | None:
    """``STACK/FUNCTION`` values ``invoke`` accepts, to suggest after ``target`` failed with ``error``.

    The functions of the stack the error names (those under ``target`` when it matched several), else
    every function of the assembly; each as the shortest construct path that still names it (a
    SecureFunction as ``Shop/Orders``, not ``Orders/Function``). None when the assembly cannot be read
    or there are more than :data:`MAX_SUGGESTIONS`.
    """
    try:
        every = list_functions(assembly)
    except LambdaConstructsError:
        return None
    in_stack = [name for name in every if error.path and name.startswith(error.path + "/")]
    under = [name for name in in_stack if name.startswith(target.rstrip("/") + "/")]
    chosen = under or in_stack or every
    if not chosen or len(chosen) > MAX_SUGGESTIONS:
        return None
    return sorted(_shortest_accepted(assembly, name) for name in chosen)


def resolve_target(assembly: str | Path, target: str) -> FunctionSpec:
    """:func:`~lambda_constructs.invoke.assembly.resolve_function`, whose error for an unknown or ambiguous
    target suggests whole ``STACK/FUNCTION`` values the command accepts.

    Raises:
        LambdaConstructsError: no assembly, or ``target`` names no single function.
    """
    try:
        return resolve_function(assembly, target)
    except LambdaConstructsError as exc:
        suggestions = suggested_targets(assembly, target, exc)
        if not suggestions:
            raise
        fix = f"name one of: {', '.join(suggestions)}"
        raise LambdaConstructsError(exc.path, exc.message, value=exc.value, fix=fix) from None


def _assignments(values: list[str] | None, what: str) -> dict[str, str]:
    return dict(parse_assignment(value, what) for value in values or [])


def _print_json(value: Any) -> None:
    print(json.dumps(value, indent=2, default=str))


def run_invoke(args: argparse.Namespace) -> int:
    """Resolve, invoke and report; returns the exit code."""
    err = sys.stderr
    try:
        spec = resolve_target(args.assembly, args.target)
        env = _assignments(args.env, "--env")
        event = load_event(args.event, _assignments(args.set, "--set"))
        with code_directory(spec.code_path) as code_dir:
            function = local_function(spec, code_dir, alias=args.alias, env_overrides=env)
            unresolved = sorted(set(spec.unresolved_environment) - set(env))
            if unresolved:
                print(
                    f"note: unresolvable environment (CloudFormation tokens): {', '.join(unresolved)}; "
                    "set them with --env KEY=VALUE",
                    file=err,
                )
            if spec.unresolved_layers:
                print(f"note: layers not in the assembly, not on PYTHONPATH: {spec.unresolved_layers}", file=err)
            if args.alias and spec.alias(args.alias).version is None:
                print(
                    f"note: alias {args.alias!r} targets a version known only after deploy; "
                    f"reporting version {function.function_version}",
                    file=err,
                )
            local = f"python{sys.version_info.major}.{sys.version_info.minor}"
            if spec.runtime != local:
                print(f"note: the function's runtime is {spec.runtime}; running with {local}", file=err)
            print(f"START {spec.stack}/{spec.construct_path} ({function.invoked_arn})", file=err, flush=True)
            result = invoke(function, event, stream=err)
    except LambdaConstructsError as exc:
        print(f"error: {exc}", file=err)
        return 2
    print(result.report(), file=err, flush=True)
    _print_json(result.payload)
    return result.exit_code


def run_events(args: argparse.Namespace) -> int:
    """List the event kinds, or print one."""
    if args.kind is None:
        for kind, generator in EVENT_KINDS.items():
            summary = (generator.__doc__ or "").strip().splitlines()[0].replace("``", "")
            print(f"{kind:32} {summary}")
        return 0
    try:
        _print_json(make_event(args.kind, _assignments(args.set, "--set")))
    except LambdaConstructsError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    return 0


def register(subparsers: Any) -> None:
    """Add the ``invoke`` and ``events`` sub-commands."""
    parser = subparsers.add_parser(
        "invoke",
        help="run a synthesized Python function locally with a sample or file event",
        description="Run STACK/FUNCTION from the synthesized cloud assembly in a local subprocess, "
        "with its handler, environment, layers, timeout and memory size.",
        epilog=INVOKE_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "target",
        metavar="STACK/FUNCTION",
        help="stack name, then the function's construct path or logical id (MyStack/Orders, "
        "MyStack/Orders/Function, MyStack/OrdersFunction1A2B3C4D); in a nested stack such as a LambdaService "
        "shard, the path under the parent stack with or without the shard's id (MyStack/Svc/Orders)",
    )
    parser.add_argument(
        "--event",
        required=True,
        metavar="KIND|FILE",
        help="an event kind (see `events`) or a JSON file",
    )
    parser.add_argument(
        "--set",
        action="append",
        metavar="PATH=VALUE",
        help="override an event field by dotted path (Records.0.body=hi, detail.status=ok; * for every list "
        "element: Records.*.body=hi sets the body of every record); "
        "VALUE is parsed as JSON when it parses, else taken as a string (fields that already hold "
        "a string, like an SQS body, stay strings); repeatable",
    )
    parser.add_argument(
        "--env",
        action="append",
        metavar="KEY=VALUE",
        help="set or override an environment variable (e.g. one the template only knows as a token); repeatable",
    )
    parser.add_argument(
        "--alias",
        metavar="A",
        help="invoke through this alias (qualified ARN, alias version in the context)",
    )
    parser.add_argument(
        "--assembly",
        default="cdk.out",
        metavar="DIR",
        help="the synthesized cloud assembly directory (default: cdk.out)",
    )
    parser.set_defaults(func=run_invoke)

    events = subparsers.add_parser(
        "events",
        help="list the sample event kinds, or print one",
        description="Without KIND, list the sample event kinds; with KIND, print that event as JSON.",
    )
    events.add_argument("kind", nargs="?", metavar="KIND", help="the event kind to print")
    events.add_argument(
        "--set", action="append", metavar="PATH=VALUE", help="override a field by dotted path; repeatable"
    )
    events.set_defaults(func=run_events)
