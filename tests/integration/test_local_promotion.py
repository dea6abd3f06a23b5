"""The overview's three promotion states as real deploys: the CDK CLI updates one stack in one emulator.

A one-function app (``SecureFunction`` with a release file, as in the README) in a temporary folder is
synthesized in this process (the jsii runtime is already loaded: seconds, not a CDK CLI synth per
state), the release file is edited with the real CLI (``release``/``promote``/``rollback``/
``mark-published``), and every state is deployed as an *update* of the same stack with ``cdk deploy``.
After each deploy the Lambda API must show: every alias kept its ARN and points to the expected
version, every earlier version still exists, the new version holds the new code (``CodeSha256``),
the weighted split is live; a code change without a release reaches ``Dev`` only.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from lambda_constructs.__main__ import main as cli
from lambda_constructs.local import deploy
from lambda_constructs.local.server import Emulator, running_emulator

pytestmark = [pytest.mark.integration, pytest.mark.slow]

KEY = "Shop/Orders"
HANDLER = 'def handler(event, context):\n    return {"code": "%s"}\n'
UPDATE_BUDGET_S = 30.0  # a guard (the old CLI waited for ever); the < 15 s target is measured in docs/performance.md


@contextlib.contextmanager
def _cwd(path: Path) -> Iterator[None]:
    before = Path.cwd()
    os.chdir(path)
    try:
        yield
    finally:
        os.chdir(before)


def synth(app_dir: Path) -> Path:
    """The app of ``app_dir`` synthesized into ``app_dir/cdk.out`` in this process."""
    import aws_cdk as cdk

    from lambda_constructs import SecureFunction, SecureFunctionProps
    from lambda_constructs._compat import builtin_validation_kwargs

    out = app_dir / "cdk.out"
    cdk.AssetStaging.clear_asset_hash_cache()  # the jsii runtime caches fingerprints per source path
    # CDK's built-in CloudFormation validation is not under test here (as tests/helpers.py's new_app)
    app = cdk.App(outdir=str(out), **builtin_validation_kwargs(False))
    stack = cdk.Stack(app, "Shop", env=cdk.Environment(account="000000000000", region="us-east-1"))
    SecureFunction(
        stack,
        "Orders",
        SecureFunctionProps(
            code_dir=str(app_dir / "code"), handler="app.handler", releases=str(app_dir / "releases.json")
        ),
    )
    app.synth()
    return out


def run_cli(app_dir: Path, *argv: str) -> None:
    with _cwd(app_dir):
        assert cli([*argv]) == 0, argv


class Walk:
    """The app folder, the emulator and what each state deployed."""

    def __init__(self, app_dir: Path, emulator: Emulator) -> None:
        self.app_dir = app_dir
        self.emulator = emulator
        self.lam = emulator.client("lambda")
        self.log = app_dir / "cdk.log"
        self.update_seconds: list[float] = []
        self.function = ""

    def code(self, label: str) -> None:
        (self.app_dir / "code" / "app.py").write_text(HANDLER % label)

    def deploy(self, *, update: bool = True) -> None:
        out = synth(self.app_dir)
        seconds = deploy.deploy(self.emulator, out, log_path=self.log)
        cfn = self.emulator.client("cloudformation")
        stack = cfn.describe_stacks(StackName="Shop")["Stacks"][0]
        assert stack["StackStatus"] == ("UPDATE_COMPLETE" if update else "CREATE_COMPLETE")
        if update:
            self.update_seconds.append(seconds)
        resources = cfn.describe_stack_resources(StackName="Shop")["StackResources"]
        self.function = next(r["PhysicalResourceId"] for r in resources if r["ResourceType"] == "AWS::Lambda::Function")

    def aliases(self) -> dict[str, tuple[str, str, dict[str, float]]]:
        """Alias name -> (ARN, version, additional version weights)."""
        found = self.lam.list_aliases(FunctionName=self.function)["Aliases"]
        return {
            a["Name"]: (
                a["AliasArn"],
                a["FunctionVersion"],
                dict((a.get("RoutingConfig") or {}).get("AdditionalVersionWeights") or {}),
            )
            for a in found
        }

    def versions(self) -> dict[str, str]:
        """Version -> CodeSha256 ($LATEST included)."""
        listed = self.lam.list_versions_by_function(FunctionName=self.function)["Versions"]
        return {v["Version"]: v["CodeSha256"] for v in listed}

    def labels(self) -> dict[str, str]:
        """Version -> release label (from the version's description ``<label> <fingerprint>``)."""
        listed = self.lam.list_versions_by_function(FunctionName=self.function)["Versions"]
        return {v["Version"]: v["Description"].split()[0] for v in listed if v["Version"] != "$LATEST"}


def _targets(aliases: dict[str, Any]) -> dict[str, tuple[str, dict[str, float]]]:
    return {name: (version, weights) for name, (_, version, weights) in aliases.items()}


def test_three_states_deployed_as_updates(tmp_path: Path) -> None:
    app_dir = tmp_path / "shop"
    (app_dir / "code").mkdir(parents=True)
    (app_dir / "releases.json").write_text('{"format": 1, "functions": {}}\n')
    with running_emulator(log_dir=tmp_path / "emulator") as emulator:
        walk = Walk(app_dir, emulator)
        walk.code("one")
        synth(app_dir)
        run_cli(app_dir, "release", KEY)  # v1 recorded from the assembly
        deploy.bootstrap(emulator, synth(app_dir), log_path=walk.log)

        # Initial state: Dev -> $LATEST, Stage -> 1, Prod -> 1.
        walk.deploy(update=False)
        run_cli(app_dir, "mark-published", KEY)
        first = walk.aliases()
        arns = {name: arn for name, (arn, _, _) in first.items()}
        assert _targets(first) == {"Dev": ("$LATEST", {}), "Stage": ("1", {}), "Prod": ("1", {})}
        v1_code = walk.versions()["1"]
        assert walk.versions() == {"$LATEST": v1_code, "1": v1_code}

        # A code change with no release: Dev ($LATEST) runs it, Stage and Prod do not, no new version.
        walk.code("two")
        walk.deploy()
        v2_code = walk.versions()["$LATEST"]
        assert v2_code != v1_code
        assert walk.versions() == {"$LATEST": v2_code, "1": v1_code}
        assert _targets(walk.aliases()) == _targets(first)

        # Second state: release v2, Stage -> v2 (version 2 with the new code), Prod stays on 1.
        run_cli(app_dir, "release", KEY)
        run_cli(app_dir, "promote", KEY, "Stage", "v2")
        walk.deploy()
        run_cli(app_dir, "mark-published", KEY)
        second = walk.aliases()
        assert _targets(second) == {"Dev": ("$LATEST", {}), "Stage": ("2", {}), "Prod": ("1", {})}
        assert walk.versions() == {"$LATEST": v2_code, "1": v1_code, "2": v2_code}
        assert walk.labels() == {"1": "v1", "2": "v2"}
        outputs = emulator.client("cloudformation").describe_stacks(StackName="Shop")["Stacks"][0]["Outputs"]
        targets = {o["OutputKey"]: o["OutputValue"].split()[0] for o in outputs if "Output" in o["OutputKey"]}
        assert sorted(targets.values()) == ["$LATEST", "v1", "v2"], outputs  # Outputs rebuilt by the update

        # Third state: code three released as v3; Stage -> v3, 10 % of Prod's traffic to v2.
        walk.code("three")
        synth(app_dir)
        run_cli(app_dir, "release", KEY)
        run_cli(app_dir, "promote", KEY, "Stage", "v3")
        run_cli(app_dir, "promote", KEY, "Prod", "v2", "--weight", "0.1")
        walk.deploy()
        run_cli(app_dir, "mark-published", KEY)
        third = walk.aliases()
        assert _targets(third) == {"Dev": ("$LATEST", {}), "Stage": ("3", {}), "Prod": ("1", {"2": 0.1})}
        v3_code = walk.versions()["3"]
        assert v3_code not in (v1_code, v2_code)
        assert walk.versions() == {"$LATEST": v3_code, "1": v1_code, "2": v2_code, "3": v3_code}

        # Rollback: Stage back to v2 (its previous release), deployed as an update; nothing is deleted.
        run_cli(app_dir, "rollback", KEY, "Stage")
        walk.deploy()
        assert _targets(walk.aliases()) == {"Dev": ("$LATEST", {}), "Stage": ("2", {}), "Prod": ("1", {"2": 0.1})}
        assert set(walk.versions()) == {"$LATEST", "1", "2", "3"}

        # Aliases are moved, never replaced: same ARNs in every state.
        for state in (second, third, walk.aliases()):
            assert {name: arn for name, (arn, _, _) in state.items()} == arns
    print(f"update deploys: {', '.join(f'{s:.1f}s' for s in walk.update_seconds)}")
    assert len(walk.update_seconds) == 4 and max(walk.update_seconds) < UPDATE_BUDGET_S, walk.update_seconds
