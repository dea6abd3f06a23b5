"""Print constraints.txt without the packages requirements-floor.txt pins itself.

The floor venv (`make test-floor`) pins aws-cdk-lib, constructs, jsii, cdk-nag and their dependencies at
the floor of the supported range; every other package it installs (the test tools the unit tests import)
takes the repo's exact pin from constraints.txt.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def name(line: str) -> str:
    """The normalised project name of a requirement line (PEP 503)."""
    return re.sub(r"[-_.]+", "-", re.split(r"[=<>!~\[ ;]", line.strip(), maxsplit=1)[0]).lower()


def requirement_lines(path: Path) -> list[str]:
    return [line for line in path.read_text().splitlines() if line.strip() and not line.lstrip().startswith("#")]


def main() -> int:
    floor = {name(line) for line in requirement_lines(ROOT / "requirements-floor.txt")}
    for line in requirement_lines(ROOT / "constraints.txt"):
        if name(line) not in floor:
            sys.stdout.write(line + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
