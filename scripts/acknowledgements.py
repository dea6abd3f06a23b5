"""Render every cdk-nag acknowledgement of a synthesized app as a Markdown table.

``python scripts/acknowledgements.py --cdk-out cdk.out --readme README.md`` rewrites the block between
``<!-- acknowledgements:start -->`` and ``<!-- acknowledgements:end -->`` in the README;
``--check`` fails instead when the README is out of date (tests/unit/test_readme.py uses it).
Acknowledgements are read from the cloud assembly metadata (``aws:cdk:acknowledged-rules``), grouped
by reason, so each row says which rules, on which constructs, and why.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections import defaultdict
from pathlib import Path

ACK_KEY = "aws:cdk:acknowledged-rules"
START, END = "<!-- acknowledgements:start -->", "<!-- acknowledgements:end -->"
_UNIQUE = re.compile(r"[0-9A-F]{8}$")


def collect(cdk_out: Path) -> list[tuple[str, str, str]]:
    """(rule, construct path, reason) for every acknowledgement, sorted."""
    found: set[tuple[str, str, str]] = set()
    for metadata_file in sorted(cdk_out.glob("*.metadata.json")):
        for path, entries in json.loads(metadata_file.read_text()).items():
            for entry in entries:
                if entry.get("type") != ACK_KEY:
                    continue
                for key, reason in entry.get("data", {}).items():
                    head, sep, tail = key.partition("::")
                    rule = tail if sep and "[" not in head else key
                    found.add((rule, path, " ".join(str(reason).split())))
    return sorted(found)


def _short_path(path: str) -> str:
    parts = [part for part in path.strip("/").split("/") if part not in ("Resource", "Default")]
    return "/".join(parts)


def render(rows: list[tuple[str, str, str]]) -> str:
    """A Markdown table: one row per reason, with its rules and constructs."""
    by_reason: dict[str, tuple[set[str], set[str]]] = defaultdict(lambda: (set(), set()))
    for rule, path, reason in rows:
        rules, paths = by_reason[reason]
        rules.add(rule)
        paths.add(_short_path(path))
    lines = [
        f"{len(rows)} acknowledgements ({len(by_reason)} distinct reasons) in the example app, "
        "generated from `cdk.out` by `scripts/acknowledgements.py`.",
        "",
        "| Rules | Constructs | Reason |",
        "|---|---|---|",
    ]
    for reason, (rules, paths) in sorted(by_reason.items(), key=lambda item: sorted(item[1][0])[0]):
        rule_text = "<br>".join(f"`{rule}`" for rule in sorted(rules))
        path_text = "<br>".join(f"`{path}`" for path in sorted(paths))
        lines.append(f"| {rule_text} | {path_text} | {reason.replace('|', '/')} |")
    return "\n".join(lines)


def update(readme: Path, table: str) -> str:
    """The README text with the block between the markers replaced by ``table``."""
    text = readme.read_text()
    head, _, rest = text.partition(START)
    _, _, tail = rest.partition(END)
    if not rest:
        raise SystemExit(f"{readme} has no {START} marker")
    return f"{head}{START}\n{table}\n{END}{tail}"


def main(argv: list[str] | None = None) -> int:
    """Entry point."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--cdk-out", type=Path, default=Path("cdk.out"))
    parser.add_argument("--readme", type=Path, default=Path("README.md"))
    parser.add_argument("--check", action="store_true", help="fail when the README is out of date")
    args = parser.parse_args(argv)
    new = update(args.readme, render(collect(args.cdk_out)))
    if args.check:
        if new != args.readme.read_text():
            print(f"{args.readme} acknowledgement list is out of date: run make readme", file=sys.stderr)
            return 1
        return 0
    args.readme.write_text(new)
    return 0


if __name__ == "__main__":
    sys.exit(main())
