"""Token-aware synth-time checks shared by the constructs.

Each check raises :class:`~lambda_constructs.errors.LambdaConstructsError` naming the construct
path, the bad value, the allowed range and the fix. Values that are unresolved CDK tokens are
skipped: they are only known at deploy time.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from aws_cdk import Duration, Size, Stack, Token
from constructs import IConstruct

from lambda_constructs._jsii_speed import DURATION_SECONDS, SIZE_MEBIBYTES, read_once, shared_seconds
from lambda_constructs.errors import fail

#: Environment variable names Lambda reserves (AWS Lambda developer guide, "Defined runtime
#: environment variables"): setting any of them fails at deploy time.
RESERVED_ENV_NAMES: frozenset[str] = frozenset(
    {
        "_HANDLER",
        "_X_AMZN_TRACE_ID",
        "AWS_DEFAULT_REGION",
        "AWS_REGION",
        "AWS_EXECUTION_ENV",
        "AWS_LAMBDA_FUNCTION_NAME",
        "AWS_LAMBDA_FUNCTION_MEMORY_SIZE",
        "AWS_LAMBDA_FUNCTION_VERSION",
        "AWS_LAMBDA_INITIALIZATION_TYPE",
        "AWS_LAMBDA_LOG_GROUP_NAME",
        "AWS_LAMBDA_LOG_STREAM_NAME",
        "AWS_LAMBDA_RUNTIME_API",
        "AWS_ACCESS_KEY",
        "AWS_ACCESS_KEY_ID",
        "AWS_SECRET_ACCESS_KEY",
        "AWS_SESSION_TOKEN",
        "LAMBDA_TASK_ROOT",
        "LAMBDA_RUNTIME_DIR",
    }
)
#: Lambda's rule for an environment variable name: botocore lambda 2015-03-31 model, shape
#: ``EnvironmentVariableName``, pattern ``[a-zA-Z]([a-zA-Z0-9_])+`` (a letter, then at least one letter, digit or
#: underscore), matched against the whole name.
ENV_NAME = re.compile(r"^[a-zA-Z][a-zA-Z0-9_]+$")
#: Lambda's limit on the total size of all environment variable names and values.
ENV_MAX_BYTES = 4096


#: CDK encodes a number token as a double whose top 16 bits are 0xFBFF (``extractTokenDouble`` in
#: aws-cdk-lib's core/lib/private/encoding): a negative number of magnitude in [2**960, 2**961), about
#: -1.9e289. A Python number above this bound cannot be one and needs no round trip to the jsii kernel.
#: Ints are checked too: ``int(Token.as_number(...))`` is such a double as an exact Python int, and
#: jsii passes it back to JavaScript as that double.
_NUMBER_TOKEN_BOUND = -1e200


#: Every encoded string token contains one of these markers (``${Token[...]}``, list tokens
#: ``#{Token[...]}``, aws-cdk-lib's core/lib/private/encoding); a string without them is resolved.
_STRING_TOKEN_MARKERS = ("${Token[", "#{Token[")


def is_token(value: object) -> bool:
    """True when ``value`` (a number, string, list or Duration/Size) is an unresolved CDK token.

    Plain numbers and strings are decided in Python (no jsii round trip); anything else asks CDK.
    """
    if isinstance(value, Duration | Size):
        return False
    if isinstance(value, int | float) and not value < _NUMBER_TOKEN_BOUND:  # bool and NaN included
        return False
    if isinstance(value, str) and not any(marker in value for marker in _STRING_TOKEN_MARKERS):
        return False
    return Token.is_unresolved(value)


def written_number(number: float) -> str:
    """``number`` as a user writes it in code: a whole number as an integer (``1000000000``, ``10240``, never
    ``1e+09``), any other as Python's shortest repr (``0.5``)."""
    return str(int(number)) if float(number).is_integer() else repr(float(number))


def check_range(
    scope: IConstruct, name: str, value: float | None, low: float, high: float | None, unit: str = ""
) -> None:
    """``low <= value <= high`` (``high`` None: no upper limit) unless ``value`` is None or a token.

    Raises:
        LambdaConstructsError: "<name> must be between <low> and <high> <unit>" (or "must be at least <low>"),
            the limits written as numbers are in code (:func:`written_number`).
    """
    if value is None or is_token(value) or (low <= value and (high is None or value <= high)):
        return
    suffix = f" {unit}" if unit else ""
    least = written_number(low)
    if high is None:
        raise fail(
            scope, f"{name} must be at least {least}{suffix}", value=value, fix=f"set {name} to {least} or more{suffix}"
        )
    most = written_number(high)
    raise fail(
        scope,
        f"{name} must be between {least} and {most}{suffix}",
        value=value,
        fix=f"set {name} to a value in [{least}, {most}]{suffix}",
    )


#: ``Duration.seconds(amount)``, one shared object per amount (a jsii speed-up, see ``_jsii_speed``).
seconds = shared_seconds


def _to_seconds(value: Duration) -> float | None:
    try:
        converted: float | None = value.to_seconds()
    except Exception:  # a token duration cannot be converted at synth time
        converted = None
    return None if converted is None or is_token(converted) else float(converted)


def _to_mebibytes(value: Size) -> float | None:
    try:
        mib: float | None = value.to_mebibytes()
    except Exception:  # a token or fractional size
        mib = None
    return None if mib is None or is_token(mib) else float(mib)


def duration_seconds(value: Duration) -> float | None:
    """The duration in seconds, or None when it is a token (converted once per object)."""
    return read_once(DURATION_SECONDS, value, _to_seconds)


def size_mebibytes(value: Size) -> float | None:
    """The size in MiB, or None when it is a token or fractional (converted once per object)."""
    return read_once(SIZE_MEBIBYTES, value, _to_mebibytes)


def check_environment(scope: IConstruct, environment: Mapping[str, str]) -> None:
    """Names (:data:`ENV_NAME`, not a token of a deploy-time value), reserved names and Lambda's 4 KB total size
    limit.

    A name that is a token is resolved (one jsii round trip, for such names only): one that resolves to a string
    (``Fn.join("", ["TABLE", "_NAME"])``) is checked as that string; one that resolves to anything else
    (``Fn.ref("AWS::Region")``: ``{"Ref": ...}``) is an error here, where aws-cdk-lib failed at synth with jsii's
    raw ``KeyMustResolveToString``.

    Raises:
        LambdaConstructsError: naming ``scope``'s path, the variable name and the fix.
    """
    total = 0
    for key, value in environment.items():
        if is_token(key):
            resolved = _name_at_synth(scope, key)
            if resolved is None:
                continue
            key = resolved
        if key in RESERVED_ENV_NAMES:
            raise fail(
                scope,
                f"environment variable {key} is reserved by the Lambda runtime",
                value=key,
                fix="rename the variable; reserved names: " + ", ".join(sorted(RESERVED_ENV_NAMES)),
            )
        if not ENV_NAME.match(key):
            raise fail(
                scope,
                "environment variable names must match [a-zA-Z][a-zA-Z0-9_]+",
                value=key,
                fix="start with a letter and use only letters, digits and underscores (at least 2 characters)",
            )
        total += len(key.encode())
        if not is_token(value):
            total += len(str(value).encode())
    if total > ENV_MAX_BYTES:
        raise fail(
            scope,
            f"environment variables take {total} bytes; Lambda allows at most {ENV_MAX_BYTES} bytes in total",
            value=sorted(environment),
            fix="move large values to SSM Parameter Store or Secrets Manager and pass them by reference",
        )


def _name_at_synth(scope: IConstruct, key: str) -> str | None:
    """The string the token ``key`` (an environment variable name) resolves to; None when it cannot be resolved
    yet (a ``Lazy`` whose producer needs what is not built: aws-cdk-lib decides at synth).

    Raises:
        LambdaConstructsError: ``key`` resolves to no string (an intrinsic: a deploy-time value).
    """
    try:
        resolved = Stack.of(scope).resolve(key)
    except Exception:
        return None
    if isinstance(resolved, str):
        return resolved
    raise fail(
        scope,
        "environment variable names must be strings known at synth that match [a-zA-Z]([a-zA-Z0-9_])+ (botocore "
        f"lambda model, EnvironmentVariableName); the name {key!r} is a token of a value only known at deploy time",
        value=resolved,
        fix="write the name as a literal string and pass the deploy-time value as the variable's value, e.g. "
        "environment={'STACK_REGION': Aws.REGION} (from aws_cdk import Aws) instead of {Aws.REGION: ...}",
    )
