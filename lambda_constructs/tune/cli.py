"""``tune`` sub-command: summarise a function's REPORT records and recommend memory and timeout.

Records come from the CloudWatch Logs API (boto3; ``AWS_ENDPOINT_URL`` and the usual AWS environment
are honoured, so it works against a local emulator) or from an exported file (``--from-file``).
"""

from __future__ import annotations

import argparse
import re
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from lambda_constructs.tune.recommend import Summary, recommend, summarise
from lambda_constructs.tune.reports import Report, parse_file, parse_message

TUNE_EPILOG = """\
examples:
  python -m lambda_constructs tune orders-function --since 7d
  python -m lambda_constructs tune orders-function --alias Prod --since 24h
  python -m lambda_constructs tune Shop/Orders --alias Prod             # a construct path: cdk.out + CloudFormation
  python -m lambda_constructs tune orders --from-file report-events.json   # `aws logs filter-log-events` output

FUNCTION is the deployed function's name or ARN, or STACK/PATH as `invoke` takes it (the stack, then
the function's construct path or logical id): that is found in the synthesized assembly (--assembly,
default cdk.out) and its deployed name asked of CloudFormation (DescribeStackResource; the region is
the stack's own when the stack states one). Records are read from the log group in the function's
LoggingConfig (else /aws/lambda/FUNCTION); --alias keeps the log streams of the alias's version
(stream names hold [VERSION]). Exit code 2 with a one-line message for bad input (unknown function,
construct path or log group, stack not deployed, no records, unreadable file, no AWS region or credentials).
"""

_SINCE = re.compile(r"^(\d+)([mhdw])$")
_UNIT_MS = {"m": 60_000, "h": 3_600_000, "d": 86_400_000, "w": 604_800_000}
# CloudWatch Logs filter patterns (https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/FilterAndPatternSyntax.html)
# by the function's LoggingConfig.LogFormat: a JSON selector for JSON logs, a quoted term for text REPORT lines.
# Without a LoggingConfig (an emulator that does not return one) every event is read and parsed here.
FILTER_PATTERNS = {"JSON": '{ $.type = "platform.report" }', "Text": '"REPORT RequestId"'}


class TuneError(Exception):
    """Bad input to ``tune``; the message is printed as one line and the exit code is 2."""


@dataclass(frozen=True, kw_only=True)
class Source:
    """Where the reports came from, and what the live configuration says."""

    description: str
    """The function and where its records were read (log group or file)."""
    timeout_s: int | None = None
    """The function's configured timeout, seconds. Default: None (unknown, e.g. from a file)."""
    memory_size_mb: int | None = None
    """The function's configured memory, MB. Default: None (unknown: the records' memorySizeMB is used)."""


def parse_since(value: str) -> int:
    """``30m``, ``24h``, ``7d``, ``2w`` -> milliseconds. Raises TuneError otherwise."""
    match = _SINCE.match(value.strip())
    if match is None or int(match.group(1)) == 0:
        raise TuneError(f"--since {value!r} is not a duration like 30m, 24h, 7d or 2w")
    return int(match.group(1)) * _UNIT_MS[match.group(2)]


def _client(service: str, region: str | None) -> Any:
    try:
        import boto3  # type: ignore[import-untyped]  # noqa: F401 - installed? (aws_client imports it)
        from botocore.exceptions import NoRegionError  # type: ignore[import-untyped]

        from lambda_constructs.local.endpoint import client as aws_client
    except ModuleNotFoundError as exc:
        raise TuneError(
            "reading CloudWatch Logs needs boto3, which is not installed: pip install boto3, or pass --from-file"
        ) from exc
    try:
        return aws_client(service, region)
    except NoRegionError as exc:
        raise TuneError("no AWS region: pass --region or set AWS_REGION / AWS_DEFAULT_REGION") from exc


def _clients(region: str | None) -> tuple[Any, Any]:
    return _client("lambda", region), _client("logs", region)


def _cloudformation(region: str | None) -> Any:
    return _client("cloudformation", region)


def _stack_identity(assembly_dir: Path, display_name: str) -> tuple[str, str | None]:
    """(CloudFormation stack name, region or None when environment-agnostic) of the stack ``display_name``."""
    from lambda_constructs.assembly import AssemblyError, read_stacks

    try:
        stacks = read_stacks(assembly_dir)
    except AssemblyError as exc:
        raise TuneError(f"{exc}") from exc
    for stack in stacks:
        if display_name not in (stack.display_name, stack.artifact_id):
            continue
        return stack.stack_name, stack.region
    raise TuneError(f"stack {display_name!r} is not in {assembly_dir}; run `cdk synth` again")


def is_construct_path(function: str) -> bool:
    """Whether ``function`` is ``STACK/PATH`` rather than a function name or ARN (neither holds a ``/``)."""
    return "/" in function and not function.startswith("arn:")


def resolve_deployed_name(target: str, *, assembly: str | Path, region: str | None) -> tuple[str, str | None]:
    """The deployed function name of ``STACK/PATH`` and the region to read it in.

    ``STACK/PATH`` is resolved in the cloud assembly as ``invoke`` does
    (:func:`lambda_constructs.invoke.cli.resolve_target`). A ``FunctionName`` the template states
    is the name; else CloudFormation's ``DescribeStackResource`` gives the physical id CloudFormation
    generated; for a function in a nested stack (a LambdaService shard) it first gives each nested stack's
    physical id, its stack ID, which ``DescribeStackResource`` takes as ``StackName`` (AWS CloudFormation API
    Reference, DescribeStackResource; ``Ref`` of ``AWS::CloudFormation::Stack`` is the nested stack's ID). The region is ``region`` when given, else the stack's own (None when environment-agnostic).

    Raises:
        TuneError: no assembly, unknown stack or function, stack or function not deployed, API errors.
    """
    from lambda_constructs.errors import LambdaConstructsError
    from lambda_constructs.invoke.cli import resolve_target

    try:
        spec = resolve_target(assembly, target)
    except LambdaConstructsError as exc:
        raise TuneError(str(exc)) from exc
    stack_name, stack_region = _stack_identity(Path(assembly), spec.stack)
    region = region or stack_region
    if spec.function_name != f"{stack_name}-{spec.logical_id}":  # the template names the function
        return spec.function_name, region
    cloudformation = _cloudformation(region)
    stack = stack_name
    for nested in spec.nested_stack_ids:  # outermost first; each physical id is the nested stack's stack ID
        stack = _physical_id(cloudformation, stack, nested, f"{target} (nested stack {nested} of {stack_name})")
    return _physical_id(cloudformation, stack, spec.logical_id, target), region


def _physical_id(cloudformation: Any, stack: str, logical_id: str, target: str) -> str:
    """The physical id of ``logical_id`` in ``stack`` (name or stack id) through ``DescribeStackResource``."""
    from botocore.exceptions import BotoCoreError, ClientError

    try:
        detail = cloudformation.describe_stack_resource(StackName=stack, LogicalResourceId=logical_id)
    except ClientError as exc:
        where = cloudformation.meta.region_name
        if "does not exist" in str(exc):
            raise TuneError(
                f"{target} (stack {stack}, logical id {logical_id}) is not deployed in {where}: {exc}"
            ) from exc
        raise TuneError(f"cannot read stack {stack} in {where}: {exc}") from exc
    except BotoCoreError as exc:
        raise TuneError(f"cannot reach the CloudFormation API: {exc}") from exc
    physical = (detail.get("StackResourceDetail") or {}).get("PhysicalResourceId")
    if not physical:
        raise TuneError(f"{target}: CloudFormation has no physical id for {logical_id} in stack {stack}")
    return str(physical)


def fetch_reports(
    function: str, *, alias: str | None, since_ms: int, region: str | None
) -> tuple[list[Report], Source]:
    """The reports of ``function`` (name or ARN) over the last ``since_ms`` milliseconds, through the APIs.

    Raises:
        TuneError: unknown function or alias, missing log group, missing credentials or boto3.
    """
    from botocore.exceptions import BotoCoreError, ClientError

    lambda_client, logs_client = _clients(region)
    try:
        config = lambda_client.get_function_configuration(FunctionName=function)
        version = None
        if alias:
            version = str(lambda_client.get_alias(FunctionName=function, Name=alias)["FunctionVersion"])
    except ClientError as exc:
        code = exc.response.get("Error", {}).get("Code", "")
        what = f"alias {alias!r} of function {function!r}" if code == "ResourceNotFoundException" and alias else None
        if code == "ResourceNotFoundException":
            raise TuneError(
                f"{what or f'function {function!r}'} not found in {lambda_client.meta.region_name}"
            ) from exc
        raise TuneError(f"cannot read function {function!r}: {exc}") from exc
    except BotoCoreError as exc:
        raise TuneError(f"cannot reach the Lambda API: {exc}") from exc
    name = str(config["FunctionName"])
    logging_config = config.get("LoggingConfig") or {}
    log_group = str(logging_config.get("LogGroup") or f"/aws/lambda/{name}")
    start = int(time.time() * 1000) - since_ms
    query: dict[str, Any] = {"logGroupName": log_group, "startTime": start}
    if logging_config:
        query["filterPattern"] = FILTER_PATTERNS.get(str(logging_config.get("LogFormat", "Text")), "")
    reports: list[Report] = []
    try:
        pages = logs_client.get_paginator("filter_log_events").paginate(**query)
        for page in pages:
            for event in page.get("events", []):
                stream = str(event.get("logStreamName", ""))
                if version is not None and f"[{version}]" not in stream:
                    continue  # Lambda names streams YYYY/MM/DD/[VERSION]<environment id>
                report = parse_message(str(event.get("message", "")), log_stream=stream)
                if report is not None:
                    reports.append(report)
    except ClientError as exc:
        if exc.response.get("Error", {}).get("Code") == "ResourceNotFoundException":
            raise TuneError(f"log group {log_group} of function {name!r} does not exist (never invoked?)") from exc
        raise TuneError(f"cannot read log group {log_group}: {exc}") from exc
    except BotoCoreError as exc:
        raise TuneError(f"cannot reach the CloudWatch Logs API: {exc}") from exc
    target = f"{name}" + (f" alias {alias} (version {version})" if alias else "")
    return reports, Source(
        description=f"{target}, log group {log_group}",
        timeout_s=int(config["Timeout"]) if "Timeout" in config else None,
        memory_size_mb=int(config["MemorySize"]) if "MemorySize" in config else None,
    )


def _ms(value: float | None) -> str:
    return "-" if value is None else f"{value:.1f}"


def render(summary: Summary, source: Source, *, since: str, headroom: float) -> str:
    """The text ``tune`` prints."""
    rec = recommend(summary, headroom=headroom)
    current_memory = source.memory_size_mb or (summary.memory_sizes_mb[-1] if summary.memory_sizes_mb else None)
    sizes = ", ".join(str(size) for size in summary.memory_sizes_mb)
    lines = [
        f"Function: {source.description} ({since})",
        f"Invocations: {summary.invocations} (cold starts: {summary.cold_starts}, timeouts: {summary.timeouts})",
        f"Duration ms: p50 {_ms(summary.p50_ms)}  p95 {_ms(summary.p95_ms)}  p99 {_ms(summary.p99_ms)}  "
        f"max {_ms(summary.max_ms)}  (max billed {summary.max_billed_ms:.0f})",
        f"Memory MB: max used {summary.max_memory_used_mb} of {sizes} configured",
        f"Init duration ms: p50 {_ms(summary.init_p50_ms)}  max {_ms(summary.init_max_ms)}",
        "",
        f"Recommended memory_size: {rec.memory_size_mb} MB ({rec.memory_reason})",
        f"Recommended timeout: {rec.timeout_s} s ({rec.timeout_reason})",
    ]
    if current_memory is not None and rec.memory_size_mb < current_memory:
        lines.append(
            "  note: Lambda allocates CPU in proportion to memory; after lowering memory_size check that p99 holds."
        )
    if summary.timeouts:
        lines.append(
            f"  note: {summary.timeouts} invocation(s) timed out: their duration is the old timeout, not the work "
            "needed; find why before trusting this timeout."
        )
    was_memory = f"  # was {current_memory}" if current_memory is not None else ""
    was_timeout = f"  # was {source.timeout_s} s" if source.timeout_s is not None else "  # current timeout unknown"
    lines += [
        "",
        "Props change (SecureFunctionProps; from aws_cdk import Duration):",
        f"    memory_size={rec.memory_size_mb},{was_memory}",
        f"    timeout=Duration.seconds({rec.timeout_s}),{was_timeout}",
    ]
    return "\n".join(lines)


def run_tune(args: argparse.Namespace) -> int:
    """Fetch or read the reports, print the summary and recommendation; returns the exit code."""
    try:
        if not 0 <= args.headroom <= 4:
            raise TuneError(f"--headroom {args.headroom} must be between 0 and 4 (a fraction: 0.2 = 20 %)")
        if args.from_file is not None:
            if args.alias:
                raise TuneError(
                    "--alias needs the Lambda API to find the alias's version; it cannot filter --from-file"
                )
            path = Path(args.from_file)
            try:
                reports = parse_file(path)
            except OSError as exc:
                raise TuneError(f"cannot read {path}: {exc.strerror or exc}") from exc
            source = Source(description=f"{args.function}, file {path}")
            if not reports:
                raise TuneError(f"no platform.report records or REPORT lines in {path}")
            since = "all records in the file"
        else:
            since_ms = parse_since(args.since)
            function, region = args.function, args.region
            if is_construct_path(function):
                function, region = resolve_deployed_name(function, assembly=args.assembly, region=region)
            reports, source = fetch_reports(function, alias=args.alias, since_ms=since_ms, region=region)
            if not reports:
                raise TuneError(f"no platform.report records for {source.description} in the last {args.since}")
            since = f"since {args.since}"
        print(render(summarise(reports), source, since=since, headroom=args.headroom))
    except TuneError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    return 0


def register(subparsers: Any) -> None:
    """Add the ``tune`` sub-command."""
    parser = subparsers.add_parser(
        "tune",
        help="recommend memory_size and timeout from a function's REPORT records",
        description="Summarise a deployed function's platform.report records (invocations, duration "
        "percentiles, memory used, init duration) and recommend memory_size and timeout with the reasoning.",
        epilog=TUNE_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "function",
        metavar="FUNCTION",
        help="the deployed function's name or ARN, or STACK/PATH (its construct path, as `invoke` takes it)",
    )
    parser.add_argument("--alias", metavar="A", help="only the invocations of this alias's version")
    parser.add_argument("--since", default="7d", metavar="DURATION", help="how far back: 30m, 24h, 7d, 2w (default 7d)")
    parser.add_argument("--from-file", metavar="F", help="read records from an exported file instead of the API")
    parser.add_argument(
        "--region", metavar="R", help="AWS region (default: a STACK/PATH's stack region, else the AWS environment's)"
    )
    parser.add_argument(
        "--assembly",
        default="cdk.out",
        metavar="DIR",
        help="the synthesized cloud assembly a STACK/PATH is found in (default: cdk.out)",
    )
    parser.add_argument(
        "--headroom", type=float, default=0.2, metavar="FRACTION", help="memory headroom (default 0.2 = 20 %%)"
    )
    parser.set_defaults(func=run_tune)
