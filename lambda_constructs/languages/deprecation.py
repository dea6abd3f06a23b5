"""End-of-life Lambda runtimes: a hand-maintained table, because aws-cdk-lib does not say.

``aws_lambda.Runtime`` objects carry no deprecation flag (aws-cdk-lib only marks the static
attributes ``@deprecated`` in its TypeScript docs), so the library keeps AWS's deprecation dates
here (source: "Runtime deprecation" in the AWS Lambda Developer Guide; re-check it when upgrading).
A function on a runtime whose deprecation date has passed is a synth error: AWS stops patching it
and blocks creating functions on it (``block_create``, when known). A runtime deprecated within
:data:`WARN_DAYS` days gets a warning.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from constructs import IConstruct

from lambda_constructs.errors import fail, warn

WARN_DAYS = 180
"""A runtime whose deprecation date is this close gets a ``lambda-constructs:runtimeDeprecationSoon`` warning."""


@dataclass(frozen=True, kw_only=True)
class RuntimeDeprecation:
    """AWS's schedule for one runtime identifier.

    Attributes:
        deprecated: date AWS deprecates the runtime (no more patches).
        block_create: date AWS refuses new functions on it. Default None (not recorded here).
        replacement: the identifier to move to.
    """

    deprecated: dt.date
    block_create: dt.date | None = None
    replacement: str


def _d(text: str) -> dt.date:
    return dt.date.fromisoformat(text)


#: Runtime identifier -> schedule. Dates as published by AWS (some block dates were later extended).
DEPRECATED_RUNTIMES: dict[str, RuntimeDeprecation] = {
    "nodejs": RuntimeDeprecation(deprecated=_d("2016-10-31"), replacement="nodejs24.x"),
    "nodejs4.3": RuntimeDeprecation(deprecated=_d("2020-03-06"), replacement="nodejs24.x"),
    "nodejs6.10": RuntimeDeprecation(deprecated=_d("2019-08-12"), replacement="nodejs24.x"),
    "nodejs8.10": RuntimeDeprecation(deprecated=_d("2020-03-06"), replacement="nodejs24.x"),
    "nodejs10.x": RuntimeDeprecation(deprecated=_d("2021-07-30"), replacement="nodejs24.x"),
    "nodejs12.x": RuntimeDeprecation(deprecated=_d("2023-03-31"), replacement="nodejs24.x"),
    "nodejs14.x": RuntimeDeprecation(
        deprecated=_d("2023-12-04"), block_create=_d("2024-01-09"), replacement="nodejs24.x"
    ),
    "nodejs16.x": RuntimeDeprecation(
        deprecated=_d("2024-06-12"), block_create=_d("2025-02-28"), replacement="nodejs24.x"
    ),
    "nodejs18.x": RuntimeDeprecation(deprecated=_d("2025-09-01"), replacement="nodejs24.x"),
    "nodejs20.x": RuntimeDeprecation(deprecated=_d("2026-04-30"), replacement="nodejs24.x"),
    "python2.7": RuntimeDeprecation(deprecated=_d("2021-07-15"), replacement="python3.14"),
    "python3.6": RuntimeDeprecation(deprecated=_d("2022-07-18"), replacement="python3.14"),
    "python3.7": RuntimeDeprecation(
        deprecated=_d("2023-12-04"), block_create=_d("2024-01-09"), replacement="python3.14"
    ),
    "python3.8": RuntimeDeprecation(
        deprecated=_d("2024-10-14"), block_create=_d("2025-02-28"), replacement="python3.14"
    ),
    "python3.9": RuntimeDeprecation(deprecated=_d("2025-12-15"), replacement="python3.14"),
    "java8": RuntimeDeprecation(deprecated=_d("2024-01-08"), block_create=_d("2024-02-08"), replacement="java21"),
    "go1.x": RuntimeDeprecation(
        deprecated=_d("2024-01-08"), block_create=_d("2024-02-08"), replacement="provided.al2023"
    ),
    "provided": RuntimeDeprecation(
        deprecated=_d("2024-01-08"), block_create=_d("2024-02-08"), replacement="provided.al2023"
    ),
    "dotnetcore1.0": RuntimeDeprecation(deprecated=_d("2019-07-30"), replacement="dotnet8"),
    "dotnetcore2.0": RuntimeDeprecation(deprecated=_d("2019-05-30"), replacement="dotnet8"),
    "dotnetcore2.1": RuntimeDeprecation(deprecated=_d("2022-01-05"), replacement="dotnet8"),
    "dotnetcore3.1": RuntimeDeprecation(deprecated=_d("2023-04-03"), replacement="dotnet8"),
    "dotnet6": RuntimeDeprecation(deprecated=_d("2024-12-20"), replacement="dotnet8"),
    "ruby2.5": RuntimeDeprecation(deprecated=_d("2021-07-30"), replacement="ruby3.4"),
    "ruby2.7": RuntimeDeprecation(deprecated=_d("2023-12-07"), replacement="ruby3.4"),
    "ruby3.2": RuntimeDeprecation(deprecated=_d("2026-03-31"), replacement="ruby3.4"),
}


def check_runtime_supported(scope: IConstruct, runtime_name: str, *, today: dt.date | None = None) -> None:
    """Raise for a deprecated runtime; warn when its deprecation is less than WARN_DAYS away."""
    entry = DEPRECATED_RUNTIMES.get(runtime_name)
    if entry is None:
        return
    today = today or dt.date.today()
    if entry.deprecated <= today:
        blocked = (
            f"; AWS blocks creating functions on it since {entry.block_create.isoformat()}"
            if entry.block_create
            else "; AWS blocks creating functions on deprecated runtimes"
        )
        raise fail(
            scope,
            f"runtime {runtime_name} reached end of life on {entry.deprecated.isoformat()}{blocked}",
            value=runtime_name,
            fix=f"move to {entry.replacement} (see lambda_constructs.languages.deprecation)",
        )
    if (entry.deprecated - today).days <= WARN_DAYS:
        warn(
            scope,
            "runtimeDeprecationSoon",
            f"runtime {runtime_name} is deprecated on {entry.deprecated.isoformat()}; plan the move to {entry.replacement}",
        )
