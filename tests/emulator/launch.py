"""Entry point of the emulator process: register the extra CloudFormation models, then run moto's server.

Usage: ``python -m tests.emulator.launch --port N [--host 127.0.0.1]``
"""

from __future__ import annotations

import sys


def main(argv: list[str] | None = None) -> None:
    """Patch moto with :mod:`tests.emulator.models` and serve until SIGTERM/SIGINT."""
    from tests.emulator import models

    models.register()
    from moto.server import main as moto_main

    moto_main(argv if argv is not None else sys.argv[1:])


if __name__ == "__main__":
    main()
