"""The local AWS emulator: real CDK CLI bootstrap + deploy into moto, verify, invoke, clean stop."""

from __future__ import annotations

import socket
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from lambda_constructs.local import deploy, invoke, verify  # noqa: E402
from lambda_constructs.local.server import EmulatorError, running_emulator, wait_gone  # noqa: E402
from tests.integration.sample_app import STACK_NAME, write_sample_app  # noqa: E402

pytestmark = pytest.mark.integration


def synth_sample(folder: Path) -> Path:
    """The probe app synthesized in ``folder`` with the real CDK CLI (without CDK's built-in CloudFormation
    validation: these tests are about the emulator, and the probe is plain aws-cdk-lib)."""
    app_dir = write_sample_app(folder)
    return deploy.synth(app_dir, log_path=app_dir / "cdk.log", validation=False)


@pytest.fixture()
def log_dir(tmp_path: Path) -> Iterator[Path]:
    yield tmp_path / "emulator"


def test_deploy_verify_invoke_sample_app(tmp_path: Path, log_dir: Path) -> None:
    # Runs whole in a child pytest beside the other tests (tests/background.py, OFFLOADED).
    sample_cdk_out = synth_sample(tmp_path / "probe-app")
    cli_log = log_dir / "cli.log"
    with running_emulator(log_dir=log_dir) as emu:
        pid = emu.pid
        deploy.bootstrap(emu, sample_cdk_out, log_path=cli_log)
        deploy.deploy(emu, sample_cdk_out, log_path=cli_log)

        report = verify.verify_report(emu, sample_cdk_out)
        assert report.findings == []
        assert report.checks >= 30  # the verifier really compared the wiring

        cfn = emu.client("cloudformation")
        resources = cfn.describe_stack_resources(StackName=STACK_NAME)["StackResources"]
        fn_name = next(r["PhysicalResourceId"] for r in resources if r["ResourceType"] == "AWS::Lambda::Function")
        lam = emu.client("lambda")
        aliases = {a["Name"]: a["FunctionVersion"] for a in lam.list_aliases(FunctionName=fn_name)["Aliases"]}
        assert aliases == {"live": "1", "latest": "$LATEST"}
        esm = lam.list_event_source_mappings()["EventSourceMappings"]
        assert [m["FunctionArn"] for m in esm] == [f"{aliases_arn(lam, fn_name)}"]

        result = invoke.invoke_alias(emu, sample_cdk_out, fn_name, "live", {"probe": 1})
        assert result.ok, result.output
        assert result.payload["greeting"] == "hello probe"  # environment + layer on PYTHONPATH
        assert result.payload["arn"].endswith(":live")
        assert result.payload["event"] == {"probe": 1}
    assert wait_gone(pid), "emulator process survived the context"


# A stand-in server answering 200 to everything, with a child process: both must be stopped.
FAKE_SERVER = """
import http.server, subprocess, sys
child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(600)"])
print("CHILD", "PID", child.pid, flush=True)
class H(http.server.BaseHTTPRequestHandler):
    def _ok(self):
        self.send_response(200); self.end_headers(); self.wfile.write(b"{}")
    do_GET = do_POST = _ok
http.server.HTTPServer(("127.0.0.1", int(sys.argv[1])), H).serve_forever()
"""


def test_server_and_children_stopped_when_body_raises(log_dir: Path) -> None:
    command = [sys.executable, "-c", FAKE_SERVER, "{port}"]
    with pytest.raises(RuntimeError, match="boom"), running_emulator(log_dir=log_dir, command=command) as emu:
        pid = emu.pid
        raise RuntimeError("boom")
    child = int(emu.log_path.read_text().split("CHILD PID ", 1)[1].split()[0])
    assert wait_gone(pid)
    assert wait_gone(child)


def test_start_on_occupied_port_raises_with_log_tail(log_dir: Path) -> None:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen(1)
        port = busy.getsockname()[1]
        with (
            pytest.raises(EmulatorError, match="exited with code") as info,
            running_emulator(port=port, log_dir=log_dir, start_timeout=20),
        ):
            pytest.fail("must not start on an occupied port")
    assert "Address already in use" in str(info.value) or "in use" in str(info.value)
    assert not any(_is_our_launcher(p, port) for p in Path("/proc").glob("[0-9]*"))


def test_bogus_command_raises_with_log_tail(log_dir: Path) -> None:
    command = [sys.executable, "-c", "import sys; print('emulator-start-failed-marker'); sys.exit(3)"]
    with pytest.raises(EmulatorError) as info, running_emulator(log_dir=log_dir, command=command):
        pytest.fail("must not start")
    assert "exited with code 3" in str(info.value)
    assert "emulator-start-failed-marker" in str(info.value)


def aliases_arn(lam: object, fn_name: str) -> str:
    """ARN of the ``live`` alias."""
    arn: str = lam.get_alias(FunctionName=fn_name, Name="live")["AliasArn"]  # type: ignore[attr-defined]
    return arn


def _is_our_launcher(proc_dir: Path, port: int) -> bool:
    try:
        cmdline = (proc_dir / "cmdline").read_bytes().split(b"\0")
    except OSError:
        return False
    return b"lambda_constructs.local.launch" in cmdline and str(port).encode() in cmdline
