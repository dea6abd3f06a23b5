"""The ``--set key=value`` override language of sample events: dotted paths into the event
(``Records.0.body``), ``*`` for every element of a list (``Records.*.body``), values parsed as JSON unless the
field holds a string. Split from :mod:`lambda_constructs.invoke.events` (issue #20), which still exports
every name.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from typing import Any

from lambda_constructs.errors import LambdaConstructsError


def _md5(text: str) -> str:
    return hashlib.md5(text.encode(), usedforsecurity=False).hexdigest()


def parse_assignment(text: str, what: str = "--set") -> tuple[str, str]:
    """Split ``key=value`` (the value may contain ``=``)."""
    key, sep, value = text.partition("=")
    if not sep or not key:
        raise LambdaConstructsError("", f"{what} expects KEY=VALUE", value=text, fix=f"write {what} key=value")
    return key, value


def parse_value(text: str) -> Any:
    """The value as JSON when it parses (``42``, ``true``, ``{"a": 1}``), else the string itself."""
    try:
        return json.loads(text)
    except ValueError:
        return text


def set_path(event: Any, path: str, value: Any) -> None:
    """Set ``value`` at the dotted ``path`` (``Records.0.body``); missing dict keys are created."""
    parts = path.split(".")
    node = event
    for depth, part in enumerate(parts):
        last = depth == len(parts) - 1
        where = ".".join(parts[: depth + 1])
        if isinstance(node, list):
            try:
                index = int(part)
                if last:
                    node[index] = value
                    return
                node = node[index]
            except (ValueError, IndexError):
                raise LambdaConstructsError(
                    "", f"--set {path}: {where!r} is not an index of a list of {len(node)}", fix="use 0.."
                ) from None
        elif isinstance(node, dict):
            if last:
                node[part] = value
                return
            node = node.setdefault(part, {})
        else:
            raise LambdaConstructsError(
                "", f"--set {path}: {'.'.join(parts[:depth])!r} is a {type(node).__name__}, not an object or list"
            )


def expand_path(event: Any, path: str) -> list[str]:
    """The concrete paths ``path`` names: each ``*`` stands for every index of the list at that point.

    ``Records.*.body`` in a two-record batch is ``["Records.0.body", "Records.1.body"]``; a path
    without ``*`` is returned as it is.

    Raises:
        LambdaConstructsError: a ``*`` that is not at a list, or a list that is empty.
    """
    parts = path.split(".")
    if "*" not in parts:
        return [path]
    star = parts.index("*")
    prefix, rest = parts[:star], parts[star + 1 :]
    node = event
    for part in prefix:
        if isinstance(node, dict) and part in node:
            node = node[part]
        elif isinstance(node, list) and part.lstrip("-").isdigit() and -len(node) <= int(part) < len(node):
            node = node[int(part)]
        else:
            node = None
            break
    where = ".".join([*prefix, "*"])
    if not isinstance(node, list) or not node:
        raise LambdaConstructsError(
            "",
            f"--set {path}: {where!r} needs a non-empty list at {'.'.join(prefix)!r}",
            value=type(node).__name__ if not isinstance(node, list) else "[]",
            fix="use * only where the event has a list, e.g. Records.*.body",
        )
    found: list[str] = []
    for index in range(len(node)):
        found += expand_path(event, ".".join([*prefix, str(index), *rest]))
    return found


def _refresh_checksums(event: Any) -> None:
    """Keep SQS ``md5OfBody`` consistent with an overridden ``body``."""
    records = event.get("Records") if isinstance(event, dict) else None
    for record in records if isinstance(records, list) else []:
        if isinstance(record, dict) and isinstance(record.get("body"), str) and "md5OfBody" in record:
            record["md5OfBody"] = _md5(record["body"])


def _is_string_field(event: Any, path: str) -> bool:
    node = event
    for part in path.split("."):
        if isinstance(node, dict) and part in node:
            node = node[part]
        elif isinstance(node, list) and part.lstrip("-").isdigit() and -len(node) <= int(part) < len(node):
            node = node[int(part)]
        else:
            return False
    return isinstance(node, str)


def apply_overrides(event: Any, overrides: Mapping[str, str]) -> Any:
    """Apply ``{dotted.path: raw value}`` overrides in place and return the event.

    The raw value is parsed as JSON when it parses, except where the field already holds a string
    (an SQS ``body``, an SNS ``Message``, an HTTP ``body``): those stay strings, so
    ``Records.0.body={"id": 7}`` sets the JSON text, as AWS would deliver it. ``*`` addresses every
    element of a list: ``Records.*.body=…`` sets the body of every record of the batch.
    """
    for pattern, raw in overrides.items():
        for path in expand_path(event, pattern):
            set_path(event, path, raw if _is_string_field(event, path) else parse_value(raw))
    _refresh_checksums(event)
    return event
