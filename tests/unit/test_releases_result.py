"""``apply_releases`` returns what it built (versions, aliases, the default alias) in a frozen result and
sets nothing on the function: ``SecureFunction`` takes its ``default_alias_name`` from the result."""

from __future__ import annotations

import dataclasses
import json

import pytest

from lambda_constructs import SecureFunction, SecureFunctionProps
from lambda_constructs.releases import parse_record
from lambda_constructs.releases.synth import apply_releases
from tests.helpers import new_stack
from tests.unit.test_releases import CODE, PROPS, current_parts, rel

EMPTY = '{"format": 1, "functions": {}}'


def test_result_names_versions_aliases_and_default_alias() -> None:
    fn = SecureFunction(
        new_stack(name="S"),
        "Fn",
        SecureFunctionProps(code_dir=CODE, releases=parse_record(EMPTY), default_alias="Prod"),
    )
    result = fn.releases
    assert result is not None
    assert list(result.versions) == ["v1"]
    assert list(result.aliases) == ["Dev", "Stage", "Prod"]  # the first deploy's plan
    assert all(result.aliases[name] is fn.aliases[name] for name in result.aliases)
    assert result.default_alias == "Prod" == fn.default_alias_name
    assert fn.target() is fn.aliases["Prod"]
    with pytest.raises(dataclasses.FrozenInstanceError):
        result.default_alias = "Dev"  # type: ignore[misc]


def test_default_alias_missing_from_the_entry_is_none() -> None:
    """The library default ("live") is not an alias of the file: no default target."""
    fn = SecureFunction(new_stack(name="S"), "Fn", SecureFunctionProps(code_dir=CODE, releases=parse_record(EMPTY)))
    assert fn.releases is not None and fn.releases.default_alias is None
    assert fn.default_alias_name is None
    assert "live" not in fn.aliases


def test_apply_releases_leaves_the_function_settings_alone() -> None:
    """Called on a function that has its own default alias, it returns the entry's view and changes nothing."""
    fp, parts = current_parts()
    fn = SecureFunction(new_stack(name="S"), "Fn", SecureFunctionProps(**PROPS))
    assert fn.default_alias_name == "live"
    entry = {"releases": [rel("v1", fp, parts=parts)], "aliases": {"Prod": {"release": "v1"}}}
    result = apply_releases(fn, parse_record(json.dumps({"format": 1, "functions": {"S/Fn": entry}})))
    assert result.default_alias is None  # "live" is not an alias of the entry
    assert fn.default_alias_name == "live"  # ... and the function still says what it said
    assert list(result.aliases) == ["Prod"] and result.aliases["Prod"] is fn.aliases["Prod"]
    assert list(result.versions) == ["v1"]
