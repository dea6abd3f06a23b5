"""The real example app (every stack of stacks/) deployed into the local emulator with the real CDK CLI.

Reuses the session's ``example_assembly`` (tests/conftest.py: the app synthesized with the
compliance packs, manifest and asset directories included), so no second synth. Then: fresh
emulator, ``cdk bootstrap`` + ``cdk deploy --all``, the verifier on every stack, every alias of
every Python and Node.js function invoked with its trigger's sample event, and the emulator process gone.
Answers listed in lambda_constructs/local/expectations.py (EXPECTED_ERRORS) are allowed, nothing else.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from lambda_constructs.local import deploy, expectations, invoke, verify  # noqa: E402
from lambda_constructs.local.server import running_emulator, wait_gone  # noqa: E402
from tests.conftest import ExampleAssembly  # noqa: E402

pytestmark = pytest.mark.integration


def test_example_app_deploys_verifies_and_answers(example_assembly: ExampleAssembly, tmp_path: Path) -> None:
    cdk_out = example_assembly.outdir
    assert (cdk_out / "manifest.json").exists(), "example_assembly must be a full cloud assembly"
    stacks = verify.load_stacks(cdk_out)
    assert len(stacks) >= 5
    log_dir = tmp_path / "emulator"
    cli_log = log_dir / "cli.log"
    # releases.json records v1 and v2 of the same code: AWS refuses the second version in a fresh
    # account (docs/local.md), so this first deploy of both relaxes that one rule; every other is enforced.
    with running_emulator(log_dir=log_dir, lenient=("version-unchanged",)) as emu:
        pid = emu.pid
        deploy.bootstrap(emu, cdk_out, log_path=cli_log)
        deploy.deploy(emu, cdk_out, log_path=cli_log)

        cfn = emu.client("cloudformation")
        for stack in stacks:
            status = cfn.describe_stacks(StackName=stack.name)["Stacks"][0]["StackStatus"]
            assert status == "CREATE_COMPLETE", stack.name

        report = verify.verify_report(emu, cdk_out)
        assert [str(f) for f in report.findings] == []
        assert report.checks >= 300  # alarms, aliases, permissions, queues ... really compared

        rows = invoke.invoke_all(emu, cdk_out)
    assert wait_gone(pid), "emulator process survived the context"

    errors = [f"{r.path} {r.alias}: {r.detail}" for r in rows if r.status == "error"]
    assert errors == []
    invoked = [r for r in rows if r.status in ("ok", "expected-error")]
    with_aliases = {r.path for r in rows if r.runtime.startswith(("python", "nodejs")) and r.alias != "-"}
    assert with_aliases <= {r.path for r in invoked}  # Python and Node.js handlers both ran
    assert any(r.runtime.startswith("nodejs") for r in invoked) == any(s.name.endswith("Polyglot") for s in stacks)
    assert len(invoked) >= 10
    # Every expected error really happens (else the entry is stale) and only for the listed reason.
    expected = {r.path for r in rows if r.status == "expected-error"}
    assert expected == set(expectations.EXPECTED_ERRORS) & {r.path for r in rows}
    stale = [r.detail for r in rows if "remove the entry" in r.detail]
    assert stale == []
