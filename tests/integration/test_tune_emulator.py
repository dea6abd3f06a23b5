"""`tune` through the CloudWatch Logs and Lambda APIs of a moto server (started here on a free port)."""

from __future__ import annotations

import contextlib
import io
import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest

from lambda_constructs.__main__ import main

pytestmark = pytest.mark.integration
REGION = "us-east-1"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@pytest.fixture(scope="module")
def endpoint(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    port = _free_port()
    log = tmp_path_factory.mktemp("moto") / "moto.log"
    with log.open("wb") as out:
        proc = subprocess.Popen(
            [str(Path(sys.executable).with_name("moto_server")), "-H", "127.0.0.1", "-p", str(port)],
            stdout=out, stderr=subprocess.STDOUT, start_new_session=True,
        )  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                urllib.request.urlopen(f"{url}/moto-api/data.json", timeout=2).read()
                break
            except OSError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"moto_server did not start: {log.read_text()[-2000:]}") from None
                time.sleep(0.2)
        yield url
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()


@pytest.fixture()
def aws_env(endpoint: str, monkeypatch: pytest.MonkeyPatch) -> str:
    for name, value in {
        "AWS_ENDPOINT_URL": endpoint,
        "AWS_DEFAULT_REGION": REGION,
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
    }.items():
        monkeypatch.setenv(name, value)
    for name in ("AWS_PROFILE", "AWS_SESSION_TOKEN", "AWS_REGION"):
        monkeypatch.delenv(name, raising=False)
    return endpoint


def client(service: str, endpoint: str) -> Any:
    return boto3.client(service, region_name=REGION, endpoint_url=endpoint)


def deployed_function(endpoint: str, name: str) -> None:
    """A function (timeout 30 s, 512 MB) with an alias Prod -> version 1, as a deploy leaves it."""
    role = client("iam", endpoint).create_role(
        RoleName=f"{name}-role",
        AssumeRolePolicyDocument=json.dumps({"Version": "2012-10-17", "Statement": []}),
    )["Role"]["Arn"]
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as zf:
        zf.writestr("app.py", "def handler(event, context):\n    return 1\n")
    lam = client("lambda", endpoint)
    lam.create_function(
        FunctionName=name, Runtime="python3.13", Role=role, Handler="app.handler",
        Code={"ZipFile": archive.getvalue()}, Timeout=30, MemorySize=512, Publish=True,
    )  # fmt: skip
    lam.create_alias(FunctionName=name, Name="Prod", FunctionVersion="1")


def put_reports(endpoint: str, name: str, stream: str, durations: list[float], used: int) -> None:
    logs = client("logs", endpoint)
    group = f"/aws/lambda/{name}"
    with contextlib.suppress(logs.exceptions.ResourceAlreadyExistsException):
        logs.create_log_group(logGroupName=group)
    logs.create_log_stream(logGroupName=group, logStreamName=stream)
    now = int(time.time() * 1000)
    events = [{"timestamp": now - 60_000, "message": json.dumps({"type": "platform.start", "record": {}})}]
    for i, duration in enumerate(durations):
        metrics = {"durationMs": duration, "billedDurationMs": int(duration) + 1, "memorySizeMB": 512}
        metrics["maxMemoryUsedMB"] = used
        record = {"type": "platform.report", "record": {"requestId": str(i), "metrics": metrics, "status": "success"}}
        events.append({"timestamp": now - 50_000 + i, "message": json.dumps(record)})
    logs.put_log_events(logGroupName=group, logStreamName=stream, logEvents=events)


def test_tune_reads_the_functions_log_group_through_the_endpoint(
    aws_env: str, capsys: pytest.CaptureFixture[str]
) -> None:
    deployed_function(aws_env, "orders")
    put_reports(aws_env, "orders", "2026/11/30/[$LATEST]aaaa", [100.0] * 10, used=150)
    put_reports(aws_env, "orders", "2026/11/30/[1]bbbb", [2000.0] * 5, used=400)

    assert main(["tune", "orders", "--since", "1h"]) == 0
    out = capsys.readouterr().out
    assert "Function: orders, log group /aws/lambda/orders (since 1h)" in out
    assert "Invocations: 15 " in out and "max used 400 of 512" in out
    assert "    memory_size=512,  # was 512\n    timeout=Duration.seconds(6),  # was 30 s" in out

    assert main(["tune", "orders", "--alias", "Prod", "--since", "1h"]) == 0  # Prod -> version 1: stream [1] only
    out = capsys.readouterr().out
    assert "orders alias Prod (version 1)" in out and "Invocations: 5 " in out


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["missing-function"], "function 'missing-function' not found in us-east-1"),
        (["quiet", "--since", "1h"], "log group /aws/lambda/quiet of function 'quiet' does not exist"),
        (["orders-old", "--since", "1h"], "no platform.report records for orders-old, log group"),
        (["orders-old", "--alias", "Nope"], "alias 'Nope' of function 'orders-old' not found"),
    ],
)
def test_bad_input_through_the_endpoint_is_one_line_and_exit_2(
    aws_env: str, args: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    lam = client("lambda", aws_env)
    for name in ("quiet", "orders-old"):
        if name not in {f["FunctionName"] for f in lam.list_functions()["Functions"]}:
            deployed_function(aws_env, name)
    if args[0] == "orders-old":
        put_reports(aws_env, "orders-old", f"old-{time.monotonic_ns()}", [], used=0)  # only a platform.start
    assert main(["tune", *args]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: ") and message in err and err.count("\n") == 1


def test_tune_takes_a_construct_path_through_cloudformation(
    aws_env: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """STACK/PATH -> cdk.out -> DescribeStackResource (moto's CloudFormation) -> the generated function name."""
    role = client("iam", aws_env).create_role(
        RoleName="tune-shop-role",
        AssumeRolePolicyDocument=json.dumps({"Version": "2012-10-17", "Statement": []}),
    )["Role"]["Arn"]
    function = {
        "Type": "AWS::Lambda::Function",
        "Properties": {
            "Code": {"ZipFile": "def handler(event, context):\n    return 1\n"},
            "Handler": "index.handler", "Role": role, "Runtime": "python3.13", "Timeout": 30, "MemorySize": 512,
        },
        "Metadata": {"aws:cdk:path": "TuneShop/Orders/Function/Resource"},
    }  # fmt: skip
    template = {"Resources": {"OrdersFunction1A2B3C4D": function}}
    client("cloudformation", aws_env).create_stack(StackName="TuneShop", TemplateBody=json.dumps(template))
    (tmp_path / "TuneShop.template.json").write_text(json.dumps(template))
    manifest = {
        "version": "55.0.0",
        "artifacts": {
            "TuneShop": {
                "type": "aws:cloudformation:stack",
                "environment": "aws://unknown-account/unknown-region",
                "properties": {"templateFile": "TuneShop.template.json"},
                "displayName": "TuneShop",
            }
        },
    }
    (tmp_path / "manifest.json").write_text(json.dumps(manifest))
    resource = client("cloudformation", aws_env).describe_stack_resource(
        StackName="TuneShop", LogicalResourceId="OrdersFunction1A2B3C4D"
    )
    name = resource["StackResourceDetail"]["PhysicalResourceId"]
    assert name != "TuneShop-OrdersFunction1A2B3C4D"  # generated: the assembly alone cannot know it
    put_reports(aws_env, name, "2026/11/30/[$LATEST]cccc", [100.0] * 4, used=150)

    assert main(["tune", "TuneShop/Orders", "--assembly", str(tmp_path), "--since", "1h"]) == 0
    out = capsys.readouterr().out
    assert f"Function: {name}, log group /aws/lambda/{name} (since 1h)" in out
    assert "Invocations: 4 " in out

    assert main(["tune", "TuneShop/Nope", "--assembly", str(tmp_path)]) == 2
    assert "Fix: name one of: TuneShop/Orders" in capsys.readouterr().err
