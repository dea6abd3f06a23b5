"""Shell blocks of README.md and docs/*.md marked ``<!-- runnable -->`` run as written, in a copy of the repo.

Marker: the line ``<!-- runnable -->`` right before a ```` ```bash ````, ```` ```sh ```` or ```` ```console ````
fence. A bash/sh block runs as one ``bash -euo pipefail`` script. In a console block, ``$ `` lines are
commands and the lines up to the next command are that command's exact expected output (stdout).
Blocks run like a reader's shell after ``make synth``: in a fresh copy of the repository's files (the
project's ``.venv`` and ``node_modules`` linked in) with the project's environment off PATH. A block that
does not run ``source .venv/bin/activate`` itself runs after it (the docs assume the activated shell the
README sets up); one that does proves that this one line is enough.
Keep marked blocks fast (no synth, no deploy): the whole file runs in a few seconds.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pytest

from lambda_constructs.environment import ACTIVATE
from tests.helpers import ROOT

MARKER = "<!-- runnable -->"
_FENCE = re.compile(r"^<!-- runnable -->\n```(?P<lang>[a-z]*)\n(?P<body>.*?)^```", re.S | re.M)
_SHELLS = {"bash", "sh", "console"}
# Not copied: the environment (linked instead), build output and caches.
_SKIP = {".git", ".venv", ".venv-audit", "node_modules", "cdk.out", "site", ".pytest_cache", ".mypy_cache",
         ".ruff_cache", ".bundle-cache", ".emulator", "__pycache__"}  # fmt: skip


@dataclass(frozen=True)
class Block:
    name: str  # file:line
    lang: str
    body: str


def runnable_blocks() -> list[Block]:
    found: list[Block] = []
    for doc in [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]:
        text = doc.read_text()
        for match in _FENCE.finditer(text):
            line = text.count("\n", 0, match.start()) + 2
            found.append(Block(f"{doc.relative_to(ROOT)}:{line}", match.group("lang"), match.group("body")))
    return found


BLOCKS = runnable_blocks()


def console_steps(body: str) -> list[tuple[str, str]]:
    """``[(command, expected stdout)]`` of a console block."""
    steps: list[tuple[str, list[str]]] = []
    for line in body.splitlines():
        if line.startswith("$ "):
            steps.append((line[2:], []))
        elif steps:
            steps[-1][1].append(line)
        elif line.strip():
            raise AssertionError(f"console block starts with output, not a '$ ' command: {line!r}")
    return [(command, "".join(f"{out}\n" for out in output)) for command, output in steps]


@pytest.fixture(scope="module")
def repo_copy(tmp_path_factory: pytest.TempPathFactory) -> Path:
    if not (ROOT / ".venv" / "bin" / "cdk").exists():
        pytest.fail(".venv/bin/cdk (the CDK CLI link `make synth` creates) is missing: run `make synth` once")
    copy = tmp_path_factory.mktemp("repo") / "lambda-constructs"
    shutil.copytree(ROOT, copy, ignore=lambda _dir, names: [n for n in names if n in _SKIP])
    for linked in (".venv", "node_modules"):
        (copy / linked).symlink_to(ROOT / linked, target_is_directory=True)
    return copy


def reader_env() -> dict[str, str]:
    """The environment of a reader's new shell: the project's .venv and node_modules not on PATH."""
    project = (str(ROOT / ".venv" / "bin"), str(ROOT / "node_modules" / ".bin"))
    env = {k: v for k, v in os.environ.items() if k not in {"VIRTUAL_ENV", "PYTHONPATH"}}
    env["PATH"] = os.pathsep.join(p for p in env.get("PATH", "").split(os.pathsep) if p not in project)
    env["CDK_DISABLE_CLI_TELEMETRY"] = "true"
    return env


def run(script: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    """Run ``script``; a block that does not activate the environment itself runs activated."""
    activate = "" if ACTIVATE in script else f"{ACTIVATE}\n"
    return subprocess.run(
        ["bash", "-euo", "pipefail", "-c", f"{activate}{script}"],
        cwd=cwd, env=reader_env(), capture_output=True, text=True, timeout=120,
    )  # fmt: skip


def test_marked_blocks_exist_in_the_readme_and_are_shell() -> None:
    assert any(block.name.startswith("README.md") for block in BLOCKS)
    for doc in [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]:
        text = doc.read_text()
        assert text.count(MARKER) == len(_FENCE.findall(text)), f"{doc.name}: a {MARKER} not right before a fence"
    assert all(block.lang in _SHELLS for block in BLOCKS), [b.name for b in BLOCKS if b.lang not in _SHELLS]


@pytest.mark.parametrize("block", BLOCKS, ids=[block.name for block in BLOCKS])
def test_runnable_block(block: Block, repo_copy: Path) -> None:
    if block.lang != "console":
        result = run(block.body, repo_copy)
        assert result.returncode == 0, f"{block.name} failed:\n{result.stdout}\n{result.stderr}"
        return
    for command, expected in console_steps(block.body):
        result = run(command, repo_copy)
        assert result.returncode == 0, f"{block.name}: `{command}` failed:\n{result.stdout}\n{result.stderr}"
        if expected.strip():
            assert result.stdout == expected, f"{block.name}: `{command}` printed something else"
