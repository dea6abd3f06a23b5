"""db_reader: reaches the PostgreSQL database from inside the VPC (stdlib + boto3 only).

Honest scope: without a PostgreSQL driver this handler does not run SQL. It resolves the database
secret by reference (``SECRET_ARN``: the ARN is in the environment, the value is fetched from Secrets
Manager through the VPC endpoint) and opens a TCP connection to the database, then checks that the
server speaks PostgreSQL by sending an ``SSLRequest`` (the server answers ``S`` or ``N``). Both the
secret and the connection are created once per execution environment, outside the handler, and
re-opened only if they break. To run SQL, add a driver (e.g. pg8000 in a layer) and open its
connection at the same place; this socket only proves reachability.
"""

from __future__ import annotations

import json
import os
import socket
import struct
from typing import Any

import boto3

SSL_REQUEST = struct.pack("!ii", 8, 80877103)  # PostgreSQL protocol: SSLRequest packet
CONNECT_TIMEOUT_SECONDS = 3.0

# --- function environment: runs once per cold start, reused across invocations -------------
_secrets = boto3.client("secretsmanager")
_secret: dict[str, Any] | None = None
_connection: socket.socket | None = None


def _credentials() -> dict[str, Any]:
    """The database secret (host, port, username, password), fetched once."""
    global _secret
    if _secret is None:
        response = _secrets.get_secret_value(SecretId=os.environ["SECRET_ARN"])
        _secret = json.loads(response["SecretString"])
    return _secret


def _connect() -> socket.socket:
    """A TCP connection to the database, opened once and checked with an SSLRequest."""
    global _connection
    if _connection is None:
        secret = _credentials()
        host = os.environ.get("DB_HOST") or secret["host"]
        port = int(os.environ.get("DB_PORT") or secret.get("port", 5432))
        conn = socket.create_connection((host, port), timeout=CONNECT_TIMEOUT_SECONDS)
        conn.sendall(SSL_REQUEST)
        answer = conn.recv(1)
        if answer not in (b"S", b"N"):
            conn.close()
            raise ConnectionError(f"{host}:{port} did not answer like PostgreSQL ({answer!r})")
        _connection = conn
    return _connection


def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    """Report whether the database is reachable (reconnects once if the cached socket broke)."""
    global _connection
    try:
        conn = _connect()
    except (OSError, KeyError) as exc:
        _connection = None
        return {"reachable": False, "error": type(exc).__name__}
    return {"reachable": True, "peer": conn.getpeername()[0]}
