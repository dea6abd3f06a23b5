"""Idle monthly cost of a synthesized app (``python -m lambda_constructs cost``): see :mod:`.estimate`."""
