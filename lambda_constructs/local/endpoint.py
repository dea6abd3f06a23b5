"""boto3 clients of the CLI commands that read deployed state (``status --deployed``, ``tune``).

The docs promise that ``AWS_ENDPOINT_URL`` alone points them at ``local start``'s emulator. boto3 still
wants a region and credentials, which the emulator ignores; an endpoint on this machine (``localhost``,
``127.0.0.1``, ``::1``) therefore gets the emulator's region and dummy credentials when the environment
has none. Any other endpoint, or a region/credentials that are set, is left to boto3 as usual.
"""

from __future__ import annotations

import os
from typing import Any
from urllib.parse import urlsplit

from lambda_constructs.local.server import REGION

LOCAL_HOSTS = frozenset({"localhost", "127.0.0.1", "::1"})


def local_endpoint() -> str | None:
    """``AWS_ENDPOINT_URL`` when it names a host of this machine, else None."""
    url = os.environ.get("AWS_ENDPOINT_URL", "").strip()
    try:
        host = urlsplit(url).hostname
    except ValueError:
        return None
    return url if host in LOCAL_HOSTS else None


def client(service: str, region: str | None = None) -> Any:
    """A boto3 client for ``service``; against a local endpoint with the emulator's region and dummy
    credentials where the environment gives none. Raises botocore's ``NoRegionError`` as boto3 does."""
    import boto3  # type: ignore[import-untyped]

    if local_endpoint() is None:
        return boto3.client(service, region_name=region)
    session = boto3.Session(region_name=region)
    kwargs: dict[str, str] = {"region_name": region or session.region_name or REGION}
    if session.get_credentials() is None:
        kwargs.update(aws_access_key_id="testing", aws_secret_access_key="testing")
    return session.client(service, **kwargs)
