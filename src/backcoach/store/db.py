"""Engines and sessions for the configured database (SQLite by default, PostgreSQL by URL).

SQLite connections get WAL journaling, foreign keys and a busy timeout. An
existing SQLite file is checked before use: a damaged or unreadable file is
never overwritten or repaired, the user is told where it is and what to do.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event, insert, inspect
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import DeclarativeBase, Session, sessionmaker

from backcoach.config import Settings
from backcoach.errors import BackcoachError

BUSY_TIMEOUT_MS = 5000


class StoreError(BackcoachError):
    """The database cannot be used as it is; the message says why and what to do."""


def database_url(settings: Settings) -> URL:
    return make_url(settings.effective_database_url)


def sqlite_path(url: URL) -> Path | None:
    """The file of a SQLite URL; ``None`` for other databases and in-memory SQLite."""
    if url.get_backend_name() != "sqlite" or url.database in (None, "", ":memory:"):
        return None
    return Path(url.database).expanduser()


def describe(url: URL) -> str:
    """The URL without its password, for messages."""
    return url.render_as_string(hide_password=True)


_WHAT_TO_DO = (
    "It has been left untouched. Restore a backup (copy it to this path), or move the "
    "file away (for example rename it to backcoach.db.broken) and backcoach will start "
    "a new, empty database."
)


def check_sqlite_file(path: Path) -> None:
    """Raise ``StoreError`` when ``path`` exists but is not a readable SQLite database.

    Opens the file read-only, so nothing is ever written to a damaged file.
    """
    if not path.exists():
        return
    if not path.is_file():
        raise StoreError(f"The database path {path} is not a file. {_WHAT_TO_DO}")
    try:
        connection = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
        try:
            connection.execute("PRAGMA schema_version").fetchone()
        finally:
            connection.close()
    except sqlite3.DatabaseError as exc:
        raise StoreError(
            f"The database file {path} cannot be read: it is damaged or is not a "
            f"backcoach database ({exc}). {_WHAT_TO_DO}"
        ) from exc


def damaged_file_error(url: URL, exc: DBAPIError) -> StoreError | None:
    """A ``StoreError`` for damage found while working in a SQLite file, else ``None``.

    ``check_sqlite_file`` catches a file that is not a database at all; damage
    inside an otherwise valid file only shows when the damaged pages are read.
    """
    path = sqlite_path(url)
    message = str(exc.orig)
    if path is None or not isinstance(exc.orig, sqlite3.DatabaseError):
        return None
    if "malformed" not in message and "not a database" not in message:
        return None
    return StoreError(f"The database file {path} is damaged ({message}). {_WHAT_TO_DO}")


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    try:
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
    finally:
        cursor.close()


def make_engine(settings: Settings) -> Engine:
    """An engine for ``settings``' database; creates the data folder for SQLite.

    Raises:
        StoreError: the SQLite file exists but is damaged or unreadable.
    """
    url = database_url(settings)
    path = sqlite_path(url)
    if path is not None:
        path.parent.mkdir(parents=True, exist_ok=True)
        check_sqlite_file(path)
    engine = create_engine(url)
    if url.get_backend_name() == "sqlite":
        event.listen(engine, "connect", _sqlite_pragmas)
    return engine


def session_factory(engine: Engine) -> sessionmaker[Session]:
    """Sessions whose objects stay readable after commit (the caller owns the transaction)."""
    return sessionmaker(engine, expire_on_commit=False)


def bulk_insert(db: Session, model: type[DeclarativeBase], rows: Sequence[dict[str, Any]]) -> None:
    """Insert many rows in few statements (imports, benchmarks).

    ``render_nulls`` keeps rows with and without NULLs in the same batch;
    without it SQLAlchemy starts a new statement whenever the NULL columns
    change, which made 100,000 step events take over a minute on PostgreSQL.
    """
    if rows:
        db.execute(insert(model).execution_options(render_nulls=True), rows)


def bulk_insert_returning_ids(
    db: Session, model: type[DeclarativeBase], rows: Sequence[dict[str, Any]]
) -> list[int]:
    """``bulk_insert`` that returns the new primary keys in the order of ``rows``."""
    if not rows:
        return []
    primary_key = inspect(model).primary_key[0]
    statement = (
        insert(model)
        .execution_options(render_nulls=True)
        .returning(primary_key, sort_by_parameter_order=True)
    )
    return [int(value) for value in db.scalars(statement, rows)]
