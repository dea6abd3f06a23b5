"""docs/triggers.md: one row per overview trigger, real classes, real tests."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import lambda_constructs.triggers as triggers

ROOT = Path(__file__).resolve().parents[2]
OVERVIEW = Path("/work/shared/lambda-overview.md")
DOC = ROOT / "docs" / "triggers.md"


def _overview_entries() -> list[str]:
    text = OVERVIEW.read_text(encoding="utf-8")
    section = text.split("### Possible triggers", 1)[1].split("\n\n", 2)[1]
    return [line[2:].strip() for line in section.splitlines() if line.startswith("* ")]


def _table(header: str) -> list[list[str]]:
    """The body rows of the table whose header row starts with ``| <header>``."""
    rows: list[list[str]] = []
    inside = False
    for line in DOC.read_text(encoding="utf-8").splitlines():
        if line.startswith(f"| {header} "):
            inside = True
        elif inside and not line.startswith("|"):
            break
        elif inside and not line.startswith("|---"):
            rows.append([cell.strip() for cell in line.strip("|").split("|")])
    return rows


def _rows() -> list[list[str]]:
    return _table("Overview entry")


def test_every_overview_entry_has_a_row_in_order() -> None:
    entries = _overview_entries()
    assert len(entries) >= 40
    assert [row[0] for row in _rows()] == entries
    assert "planned" not in DOC.read_text(encoding="utf-8").lower()


def test_every_class_named_is_importable() -> None:
    names = set(re.findall(r"`([A-Z][A-Za-z]+)(?:[(.`])", DOC.read_text(encoding="utf-8")))
    names -= {"Custom", "NONE", "EXPRESS", "IAM"}
    assert names
    for name in names:
        if name.endswith(("Trigger", "Task", "Target", "Access")):
            assert hasattr(triggers, name), name


def test_every_test_named_exists() -> None:
    refs = re.findall(
        r"(tests/unit/(?:triggers/)?test_[a-z_]+\.py)::(test_[a-z0-9_]+)", DOC.read_text(encoding="utf-8")
    )
    assert refs
    for path, name in refs:
        tree = ast.parse((ROOT / path).read_text(encoding="utf-8"))
        defined = {node.name for node in tree.body if isinstance(node, ast.FunctionDef)}
        assert name in defined, f"{path}::{name}"


def test_every_authorization_member_has_a_row_with_its_cloudformation_type() -> None:
    """The API triggers' authorization enums: exported by the triggers package, every member documented."""
    from lambda_constructs.enums import HttpApiAuthorization, RestApiAuthorization

    rows = {(row[0].strip("`"), row[1].split()[0].strip("`")): row for row in _table("Enum")}
    expected = {(enum.__name__, m.name): m for enum in (RestApiAuthorization, HttpApiAuthorization) for m in enum}
    assert set(rows) == set(expected)
    for key, member in expected.items():
        assert rows[key][3] == f"`{member.cloudformation_value}`", key
        assert getattr(triggers, key[0]) is type(member)
        assert key[0] in triggers.__all__
