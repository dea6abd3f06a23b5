"""Deprecated: moved to :mod:`lambda_constructs.languages.python` (the Python language strategy).

Importing this module still works and warns (``DeprecationWarning``); import ``PythonCode``,
``python_code`` and ``REQUIREMENTS_FILE`` from ``lambda_constructs.languages.python`` instead.
"""

from __future__ import annotations

import warnings

from lambda_constructs.languages.python import REQUIREMENTS_FILE, PythonCode, python_code

__all__ = ["REQUIREMENTS_FILE", "PythonCode", "python_code"]

warnings.warn(
    "lambda_constructs.python_code moved to lambda_constructs.languages.python",
    DeprecationWarning,
    stacklevel=2,
)
