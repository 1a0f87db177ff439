"""What both benchmarks share: a free port, and a fresh database when DATABASE_URL is PostgreSQL."""

import socket
import subprocess
from urllib.parse import urlsplit, urlunsplit


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def fresh_database_url(url: str, name: str) -> str:
    """For PostgreSQL: (re)create database `name` on the same server and return its URL."""
    if not url.startswith(("postgres://", "postgresql://")):
        return url
    parts = urlsplit(url)
    env = {"PGPASSWORD": parts.password or ""}
    args = [
        "-h",
        parts.hostname or "127.0.0.1",
        "-p",
        str(parts.port or 5432),
        "-U",
        parts.username or "postgres",
    ]
    subprocess.run(["dropdb", "--if-exists", "--force", *args, name], env=env, check=False)
    subprocess.run(["createdb", *args, name], env=env, check=True)
    return urlunsplit(parts._replace(path=f"/{name}"))
