"""Entry point of the emulator process: register the extra CloudFormation models, then run moto's server.

Usage: ``python -m lambda_constructs.local.launch --port N [--host 127.0.0.1]``
"""

from __future__ import annotations

import argparse
import socket
import sys


def _check_port(argv: list[str]) -> None:
    """Fail fast (before the slow moto import) if the port is taken."""
    parser = argparse.ArgumentParser(add_help=False)
    parser.add_argument("-H", "--host", default="127.0.0.1")
    parser.add_argument("-p", "--port", type=int, default=5000)
    args, _ = parser.parse_known_args(argv)
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        try:
            sock.bind((args.host, args.port))
        except OSError as exc:
            print(f"cannot bind {args.host}:{args.port}: {exc.strerror} (Address already in use?)", flush=True)
            raise SystemExit(1) from exc


def main(argv: list[str] | None = None) -> None:
    """Patch moto with :mod:`lambda_constructs.local.models` and serve until SIGTERM/SIGINT."""
    argv = argv if argv is not None else sys.argv[1:]
    _check_port(argv)
    from lambda_constructs.local import models

    models.register()
    from moto.server import main as moto_main

    moto_main(argv)


if __name__ == "__main__":
    main()
