"""A throw-away PostgreSQL server, started from Debian's ``postgresql`` package.

``initdb`` into a temporary folder, ``pg_ctl start`` on a free loopback port
with its unix socket in that folder; stopped and removed afterwards. initdb and
postgres refuse to run as root, so as root they run as the ``postgres`` user
(created with ``useradd --system`` if it is missing). Used by the test fixtures
(``conftest.py``) and by ``benchmarks/bench_store.py``.
"""

from __future__ import annotations

import itertools
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import psycopg

PG_USER = "backcoach"


class PostgresUnavailable(RuntimeError):
    """PostgreSQL is not installed (or would not start)."""


def find_pg_program(name: str) -> Path | None:
    """``name`` from the newest /usr/lib/postgresql/*/bin, PATH or /usr/local/bin."""
    versioned = sorted(
        Path("/usr/lib/postgresql").glob(f"*/bin/{name}"),
        key=lambda p: int(p.parts[-3]) if p.parts[-3].isdigit() else 0,
        reverse=True,
    )
    found = shutil.which(name)
    candidates = [*versioned, *([Path(found)] if found else []), Path("/usr/local/bin") / name]
    return next((c for c in candidates if c.is_file() and os.access(c, os.X_OK)), None)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _as_postgres_user(base: Path) -> list[str]:
    """The command prefix that runs a program as an unprivileged user (empty unless root)."""
    if os.geteuid() != 0:
        return []
    try:
        account = pwd.getpwnam("postgres")
    except KeyError:
        subprocess.run(
            ["useradd", "--system", "--no-create-home", "--shell", "/usr/sbin/nologin", "postgres"],
            check=True,
        )
        account = pwd.getpwnam("postgres")
    for path in [base, *base.rglob("*")]:
        os.chown(path, account.pw_uid, account.pw_gid)
    if shutil.which("runuser"):
        return ["runuser", "-u", "postgres", "--"]
    return ["setpriv", f"--reuid={account.pw_uid}", f"--regid={account.pw_gid}", "--clear-groups"]


class PostgresServer:
    """A running throw-away PostgreSQL; ``new_database()`` gives each user its own."""

    def __init__(self, port: int) -> None:
        self.port = port
        self._names = itertools.count(1)

    def admin_conninfo(self, dbname: str = "postgres") -> str:
        return f"host=127.0.0.1 port={self.port} user={PG_USER} dbname={dbname}"

    def url(self, dbname: str) -> str:
        return f"postgresql+psycopg://{PG_USER}@127.0.0.1:{self.port}/{dbname}"

    def new_database(self) -> str:
        name = f"test_{os.getpid()}_{next(self._names)}"
        with psycopg.connect(self.admin_conninfo(), autocommit=True) as connection:
            connection.execute(f'CREATE DATABASE "{name}"')
        return name

    def drop_database(self, name: str) -> None:
        with psycopg.connect(self.admin_conninfo(), autocommit=True) as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@contextmanager
def running_postgres() -> Iterator[PostgresServer]:
    """Start a private PostgreSQL server for the duration of the block.

    Raises:
        PostgresUnavailable: initdb or pg_ctl is missing, or the server did not start.
    """
    initdb, pg_ctl = find_pg_program("initdb"), find_pg_program("pg_ctl")
    if initdb is None or pg_ctl is None:
        raise PostgresUnavailable(
            "PostgreSQL is not installed (Debian: apt-get install postgresql)"
        )
    base = Path(tempfile.mkdtemp(prefix="backcoach-pg-"))
    data, log = base / "data", base / "server.log"
    port = _free_port()
    try:
        prefix = _as_postgres_user(base)
        subprocess.run(
            [*prefix, str(initdb), "-D", str(data), "-U", PG_USER, "--auth=trust",
             "--encoding=UTF8", "--no-locale", "--no-sync"],
            check=True, capture_output=True, text=True,
        )  # fmt: skip
        options = f"-h 127.0.0.1 -p {port} -k {base} -F -c max_connections=50"
        subprocess.run(
            [*prefix, str(pg_ctl), "-D", str(data), "-l", str(log), "-o", options, "-w", "start"],
            check=True, capture_output=True, text=True,
        )  # fmt: skip
    except subprocess.CalledProcessError as exc:
        server_log = log.read_text() if log.exists() else ""
        shutil.rmtree(base, ignore_errors=True)
        raise PostgresUnavailable(
            f"could not start PostgreSQL: {exc.stderr}\n{server_log}"
        ) from exc
    try:
        yield PostgresServer(port)
    finally:
        subprocess.run(
            [*prefix, str(pg_ctl), "-D", str(data), "-m", "immediate", "-w", "stop"],
            capture_output=True,
            check=False,
        )
        shutil.rmtree(base, ignore_errors=True)
