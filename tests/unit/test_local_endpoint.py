"""``AWS_ENDPOINT_URL`` alone points ``status --deployed`` and ``tune`` at ``local start``'s emulator
(docs/promotion.md, docs/monitoring.md): an endpoint on this machine gets the emulator's region and dummy
credentials when the environment has none, instead of "You must specify a region" / "Unable to locate
credentials". Any other endpoint is left to boto3."""

from __future__ import annotations

from pathlib import Path

import pytest
from botocore.exceptions import NoRegionError  # type: ignore[import-untyped]

from lambda_constructs.errors import LambdaConstructsError
from lambda_constructs.local.endpoint import client, local_endpoint
from lambda_constructs.releases.assembly import read_deployed
from lambda_constructs.tune import cli as tune_cli


@pytest.fixture
def bare_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> pytest.MonkeyPatch:
    """No region, no credentials, no config files: a newcomer's shell."""
    for name in (
        "AWS_REGION",
        "AWS_DEFAULT_REGION",
        "AWS_ACCESS_KEY_ID",
        "AWS_SECRET_ACCESS_KEY",
        "AWS_SESSION_TOKEN",
        "AWS_PROFILE",
        "AWS_DEFAULT_PROFILE",
        "AWS_ENDPOINT_URL",
    ):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "no-config"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "no-credentials"))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    return monkeypatch


@pytest.mark.parametrize("url", ["http://localhost:45105", "http://127.0.0.1:1", "http://[::1]:5000"])
def test_a_local_endpoint_gets_the_emulators_region_and_dummy_credentials(
    bare_env: pytest.MonkeyPatch, url: str
) -> None:
    bare_env.setenv("AWS_ENDPOINT_URL", url)
    assert local_endpoint() == url
    cfn = client("cloudformation")
    assert cfn.meta.region_name == "us-east-1"
    assert cfn._request_signer._credentials.access_key == "testing"
    lambda_client, logs_client = tune_cli._clients(None)
    assert lambda_client.meta.region_name == logs_client.meta.region_name == "us-east-1"


def test_a_region_and_credentials_that_are_set_are_kept(bare_env: pytest.MonkeyPatch) -> None:
    bare_env.setenv("AWS_ENDPOINT_URL", "http://localhost:45105")
    bare_env.setenv("AWS_DEFAULT_REGION", "eu-west-1")
    bare_env.setenv("AWS_ACCESS_KEY_ID", "AKIDMINE")
    bare_env.setenv("AWS_SECRET_ACCESS_KEY", "secret")
    cfn = client("cloudformation")
    assert cfn.meta.region_name == "eu-west-1"
    assert cfn._request_signer._credentials.access_key == "AKIDMINE"
    assert client("logs", "ap-south-1").meta.region_name == "ap-south-1"


def test_a_remote_endpoint_is_left_to_boto3(bare_env: pytest.MonkeyPatch) -> None:
    bare_env.setenv("AWS_ENDPOINT_URL", "https://cloudformation.example.com")
    assert local_endpoint() is None
    with pytest.raises(NoRegionError):
        client("cloudformation")
    with pytest.raises(tune_cli.TuneError, match="no AWS region"):
        tune_cli._clients(None)
    # The error names the stacks even when they came as a generator (it printed "(got [])").
    with pytest.raises(LambdaConstructsError, match=r"\['A', 'B'\]"):
        read_deployed(name for name in ("B", "A"))
