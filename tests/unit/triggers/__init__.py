"""Tests of lambda_constructs/triggers/, one module per trigger module (tests/unit/triggers/test_<source>.py)."""
