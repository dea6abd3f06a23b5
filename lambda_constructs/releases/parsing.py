"""Strict reading of the release file: every decode error, duplicate key, unknown key and wrong type
is a one-line :class:`LambdaConstructsError` naming the file and the place (exit code 2 in the CLI).

Rules (docs/promotion.md, "The release file"):

* UTF-8 text (a BOM-less file; latin-1 bytes are refused with their byte offset), not empty.
* JSON with no key given twice in any object (a bad merge would otherwise keep only the last copy).
* A top-level ``"format"`` (the version, 1): ``{}`` or a stray JSON file is refused, not read as empty.
* Only the documented keys, each with its documented type (``"published": "false"`` is refused,
  not read as true; ``"history": "v1"`` is refused, not read letter by letter).
* Nesting deeper than Python's parser allows is refused, not a traceback.
"""

from __future__ import annotations

import json
import re
from datetime import datetime
from pathlib import Path
from typing import Any

from lambda_constructs.errors import LambdaConstructsError
from lambda_constructs.releases.record import (
    FORMAT_VERSION,
    AliasSpec,
    FunctionReleases,
    Release,
    ReleaseRecord,
    TargetState,
    validate_record,
)
from lambda_constructs.releases.storage import digest, os_error

#: Function keys are construct paths: printable characters, no leading/trailing ``/``.
FUNCTION_KEY = re.compile(r"[^\x00-\x1f\x7f/](?:[^\x00-\x1f\x7f]*[^\x00-\x1f\x7f/])?")
_NUMBER = (int, float)


class _DuplicateKeyError(ValueError):
    def __init__(self, key: str) -> None:
        super().__init__(key)
        self.key = key


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for key, value in pairs:
        if key in result:
            raise _DuplicateKeyError(key)
        result[key] = value
    return result


def _error(source: str, where: str, message: str, *, value: Any = None, fix: str = "") -> LambdaConstructsError:
    return LambdaConstructsError("", f"{source}: {where}: {message}", value=value, fix=fix)


def load_record(path: str | Path) -> ReleaseRecord:
    """Read and validate a release file (every OS/decode error is a :class:`LambdaConstructsError`)."""
    file = Path(path)
    try:
        data = file.read_bytes()
    except OSError as exc:
        raise os_error(file, exc, "read") from exc
    return parse_bytes(data, str(file))


def parse_bytes(data: bytes, source: str) -> ReleaseRecord:
    """Decode (strict UTF-8) and parse the file's bytes."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise _error(
            source,
            f"byte {exc.start}",
            "not UTF-8 text",
            value=data[exc.start : exc.start + 4].hex(" "),
            fix="save the file as UTF-8 (release labels and keys are ASCII)",
        ) from exc
    record = parse_record(text, source)
    record.digest = digest(data)
    return record


def parse_record(text: str, source: str = "<string>") -> ReleaseRecord:
    """Parse and validate release-file text; errors name the line and column."""
    if not text.strip():
        raise _error(
            source,
            "line 1",
            "the file is empty",
            fix='restore it from version control, or write {"format": 1, "functions": {}}',
        )
    try:
        data = json.loads(text, object_pairs_hook=_no_duplicates)
    except json.JSONDecodeError as exc:
        lines = exc.doc.splitlines()
        raise LambdaConstructsError(
            "",
            f"{source}: line {exc.lineno} column {exc.colno}: invalid JSON: {exc.msg}",
            value=lines[exc.lineno - 1].strip() if 0 < exc.lineno <= len(lines) else "",
            fix="correct the JSON syntax (no trailing commas, double-quoted keys)",
        ) from exc
    except _DuplicateKeyError as exc:
        line = _line_of_second(text, exc.key)
        raise _error(
            source,
            f"line {line}" if line else "object",
            "a key appears twice in one object (a bad merge?); only one copy would be kept",
            value=exc.key,
            fix="merge the two entries by hand so that nothing is lost",
        ) from None
    except RecursionError:
        raise _error(source, "top level", "nested too deeply to be a release file", fix="restore the file") from None
    record = from_json(data, source)
    validate_record(record)
    return record


def _line_of_second(text: str, key: str) -> int | None:
    needle = json.dumps(key)
    first = text.find(needle)
    second = text.find(needle, first + 1) if first >= 0 else -1
    return text.count("\n", 0, second) + 1 if second >= 0 else None


def _expect(source: str, where: str, value: Any, kind: type | tuple[type, ...], what: str) -> Any:
    if not isinstance(value, kind) or (isinstance(value, bool) and bool not in _kinds(kind)):
        raise _error(source, where, f"must be {what}", value=value)
    return value


def _kinds(kind: type | tuple[type, ...]) -> tuple[type, ...]:
    return kind if isinstance(kind, tuple) else (kind,)


def _keys(source: str, where: str, data: dict[str, Any], allowed: tuple[str, ...]) -> None:
    unknown = sorted(set(data) - set(allowed))
    if unknown:
        raise _error(source, where, "unknown keys", value=unknown, fix="use only: " + ", ".join(allowed))


def _optional(source: str, where: str, data: dict[str, Any], key: str, kind: type, what: str) -> Any:
    value = data.get(key)
    return None if value is None and key not in data else _expect(source, f"{where}.{key}", value, kind, what)


def _labels(source: str, where: str, value: Any) -> list[str]:
    _expect(source, where, value, list, "a list of release labels")
    for item in value:
        _expect(source, where, item, str, "a list of release labels")
    return list(value)


def from_json(data: Any, source: str) -> ReleaseRecord:
    """Type-check the decoded JSON and build the record (structural rules: ``validate_record``)."""
    _expect(source, "top level", data, dict, "an object with 'format' and 'functions'")
    _keys(source, "top level", data, ("format", "functions"))
    if "format" not in data:
        raise _error(
            source,
            "top level",
            "no 'format' field, so not a release file the CLI wrote ("
            + (f"its keys: {', '.join(sorted(data))}" if data else "the object is empty")
            + ")",
            fix=f'start the file with "format": {FORMAT_VERSION} (an empty one is {{"format": {FORMAT_VERSION}, '
            '"functions": {}}), or pass --file with the release file',
        )
    fmt = data["format"]
    if isinstance(fmt, bool) or fmt != FORMAT_VERSION:
        raise _error(source, "format", f"unsupported format (this library reads {FORMAT_VERSION})", value=fmt)
    functions = _expect(source, "functions", data.get("functions", {}), dict, "an object keyed by function path")
    record = ReleaseRecord(source=source)
    for key, entry in functions.items():
        where = f"functions[{key!r}]"
        if not FUNCTION_KEY.fullmatch(key):
            raise _error(source, where, "a function key is its construct path (printable, no outer '/')", value=key)
        _expect(source, where, entry, dict, "an object with 'releases' and 'aliases'")
        _keys(source, where, entry, ("releases", "aliases", "keep_releases", "targets"))
        fn = FunctionReleases(keep_releases=_optional(source, where, entry, "keep_releases", int, "a whole number"))
        releases = _expect(source, f"{where}.releases", entry.get("releases", []), list, "a list")
        for index, item in enumerate(releases):
            fn.releases.append(_release(source, f"{where}.releases[{index}]", item))
        fn.aliases = _aliases(source, f"{where}.aliases", entry.get("aliases", {}))
        targets = _expect(source, f"{where}.targets", entry.get("targets", {}), dict, "an object keyed by target")
        for name, state in targets.items():
            twhere = f"{where}.targets[{name!r}]"
            _expect(source, twhere, state, dict, "an object with 'published' and 'aliases'")
            _keys(source, twhere, state, ("published", "aliases"))
            fn.targets[name] = TargetState(
                published=_labels(source, f"{twhere}.published", state.get("published", [])),
                aliases=_aliases(source, f"{twhere}.aliases", state.get("aliases", {})),
            )
        record.functions[key] = fn
    return record


def _release(source: str, where: str, item: Any) -> Release:
    _expect(source, where, item, dict, "an object")
    _keys(source, where, item, ("label", "fingerprint", "parts", "published", "pruned", "recorded_at"))
    for required in ("label", "fingerprint"):
        if required not in item:
            raise _error(source, where, f"'{required}' is required", value=sorted(item))
    return Release(
        label=_expect(source, f"{where}.label", item["label"], str, "a string"),
        fingerprint=_expect(source, f"{where}.fingerprint", item["fingerprint"], str, "a string"),
        parts=_parts(source, f"{where}.parts", item.get("parts", {})),
        published=_expect(source, f"{where}.published", item.get("published", False), bool, "true or false"),
        pruned=_expect(source, f"{where}.pruned", item.get("pruned", False), bool, "true or false"),
        recorded_at=_timestamp(source, where, item),
    )


#: The parts ``release`` records (releases/fingerprint.py ``function_parts``): whole numbers, else strings.
_INT_PARTS = frozenset({"memory", "timeout", "ephemeral_storage"})
_STR_PARTS = frozenset({"code", "runtime", "handler", "architecture", "environment", "layers"})


def _parts(source: str, where: str, value: Any) -> dict[str, Any]:
    """``parts``: what ``release`` recorded of the function (used to say what changed since a release)."""
    parts: dict[str, Any] = _expect(source, where, value, dict, "an object")
    _keys(source, where, parts, tuple(sorted(_INT_PARTS | _STR_PARTS)))
    for name, part in parts.items():
        if name in _INT_PARTS:
            _expect(source, f"{where}.{name}", part, int, "a whole number")
        elif part is not None:
            _expect(source, f"{where}.{name}", part, str, "a string")
    return parts


def _timestamp(source: str, where: str, item: dict[str, Any]) -> str | None:
    """``recorded_at``: an ISO 8601 timestamp as ``release`` writes it (``2026-11-27T14:29:28+00:00``)."""
    value: str | None = _optional(source, where, item, "recorded_at", str, "an ISO timestamp string")
    if value is not None:
        try:
            datetime.fromisoformat(value)
        except ValueError:
            raise _error(
                source,
                f"{where}.recorded_at",
                "must be an ISO timestamp string",
                value=value,
                fix="write it as `release` does, e.g. 2026-11-27T14:29:28+00:00, or remove the key",
            ) from None
    return value


def _aliases(source: str, where: str, value: Any) -> dict[str, AliasSpec]:
    _expect(source, where, value, dict, "an object keyed by alias name")
    result: dict[str, AliasSpec] = {}
    for name, spec in value.items():
        awhere = f"{where}[{name!r}]"
        _expect(source, awhere, spec, dict, "an object")
        _keys(
            source,
            awhere,
            spec,
            ("release", "follows", "weights", "deployment", "alarms", "provisioned_concurrency", "history"),
        )
        weights = _expect(source, f"{awhere}.weights", spec.get("weights", {}), dict, "an object {label: weight}")
        for label, weight in weights.items():
            _expect(source, f"{awhere}.weights[{label!r}]", weight, _NUMBER, "a number between 0 and 1")
        result[name] = AliasSpec(
            release=_optional(source, awhere, spec, "release", str, "a release label"),
            follows=_optional(source, awhere, spec, "follows", str, "'$LATEST' or 'newest'"),
            weights=dict(weights),
            deployment=_optional(source, awhere, spec, "deployment", str, "a deployment configuration name"),
            alarms=_expect(source, f"{awhere}.alarms", spec.get("alarms", True), bool, "true or false"),
            provisioned_concurrency=_optional(source, awhere, spec, "provisioned_concurrency", int, "a whole number"),
            history=_labels(source, f"{awhere}.history", spec.get("history", [])),
        )
    return result
