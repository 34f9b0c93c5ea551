"""Engines and sessions for the configured database (SQLite by default, PostgreSQL by URL).

SQLite connections get WAL journaling, foreign keys and a busy timeout. An
existing SQLite file is checked before use: a damaged or unreadable file is
never overwritten or repaired, the user is told where it is and what to do.
The data folder and the database files are private to their owner (see
``files.py``), and statements that fail never show their parameters (health
values) in messages or logs.
"""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, create_engine, event, insert, inspect
from sqlalchemy.engine import URL, ExceptionContext, make_url
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import DeclarativeBase, Session, sessionmaker

from backcoach.config import Settings
from backcoach.errors import BackcoachError
from backcoach.i18n import N_, _
from backcoach.store.files import private_dir, private_sqlite_file, tighten, tighten_folder
from backcoach.store.revision import note_rows  # also: every Session bumps users' revisions

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


_WHAT_TO_DO = N_(
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
        raise StoreError(
            _("The database path {path} is not a file.").format(path=path) + " " + _(_WHAT_TO_DO)
        )
    try:
        connection = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
        try:
            connection.execute("PRAGMA schema_version").fetchone()
        finally:
            connection.close()
    except sqlite3.DatabaseError as exc:
        raise StoreError(
            _(
                "The database file {path} cannot be read: it is damaged or is not a "
                "backcoach database ({error})."
            ).format(path=path, error=exc)
            + " "
            + _(_WHAT_TO_DO)
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
    return StoreError(
        _("The database file {path} is damaged ({error}).").format(path=path, error=message)
        + " "
        + _(_WHAT_TO_DO)
    )


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    """WAL journaling, foreign keys, a busy timeout and ``synchronous=NORMAL``.

    ``synchronous=NORMAL`` under WAL syncs the log at checkpoints, not at every
    commit (which halves the cost of a commit, such as each of the player's
    events). A commit is still atomic and survives a crash of backcoach or of
    any other program: the log is in the operating system's hands. Only a power
    cut or an operating system crash can lose the last commits before the next
    checkpoint (they roll back; the file is never damaged). Acceptable for a
    workout log on one's own machine; clinics run PostgreSQL.
    """
    cursor = dbapi_connection.cursor()
    try:
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
    finally:
        cursor.close()


_DETAIL = re.compile(r"\nDETAIL:.*", re.DOTALL)


def _hide_row_values(context: ExceptionContext) -> None:
    """Drop the DETAIL of a PostgreSQL error: it repeats the failing row's values.

    ``hide_parameters`` keeps values out of SQLAlchemy's part of the message, but
    PostgreSQL's own text adds them ("Failing row contains (...)", "Key (...)=(...)").
    The primary message and the constraint name stay, so the error still says what
    went wrong; ``orig.diag`` still has everything for code that needs it.
    """
    for error in (context.original_exception, context.sqlalchemy_exception):
        if error is not None and error.args and isinstance(error.args[0], str):
            hidden = _DETAIL.sub("\nDETAIL: (not shown: it may contain health data)", error.args[0])
            error.args = (hidden, *error.args[1:])


def backups_dir(settings: Settings) -> Path:
    """The folder for backups: ``backups/`` in the data folder."""
    return settings.data_dir / "backups"


def make_engine(settings: Settings) -> Engine:
    """An engine for ``settings``' database.

    For SQLite it creates the data folder (0700) and the database file (0600)
    before SQLite opens it, so the ``-wal`` and ``-shm`` files are 0600 too.
    The files of an existing install are tightened the same way.

    The pool keeps ``db_pool_size`` connections and never opens more
    (``max_overflow=0``): the web app lets as many requests use the database
    at once and gives the thread pool as many threads (``web.app``). A
    checkout that still finds no free connection gives up after
    ``db_pool_timeout_s`` with ``sqlalchemy.exc.TimeoutError`` (503 on the
    web) instead of SQLAlchemy's 30 s. A server with ``--workers N`` opens up
    to N times ``db_pool_size`` connections (PostgreSQL allows 100 by default).

    Raises:
        StoreError: the SQLite file exists but is damaged or unreadable.
    """
    url = database_url(settings)
    path = sqlite_path(url)
    if path is not None:
        private_dir(settings.data_dir)
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        check_sqlite_file(path)
        private_sqlite_file(path)
    else:
        tighten(settings.data_dir, 0o700)
    tighten_folder(backups_dir(settings))
    # hide_parameters: a failing statement's message and the engine's log never
    # carry the values (pain scores, answers), only the SQL.
    pooled = path is not None or url.get_backend_name() != "sqlite"  # not in-memory SQLite
    pool_options: dict[str, Any] = (
        {
            "pool_size": settings.db_pool_size,
            "max_overflow": 0,
            "pool_timeout": settings.db_pool_timeout_s,
        }
        if pooled
        else {}
    )
    if url.get_backend_name() == "postgresql":
        # A writer waits for a row lock as long as SQLite's busy timeout, then fails
        # (``store.sessions.SessionLocked``), set once per connection.
        pool_options["connect_args"] = {"options": f"-c lock_timeout={BUSY_TIMEOUT_MS}"}
    engine = create_engine(url, hide_parameters=True, **pool_options)
    if url.get_backend_name() == "sqlite":
        event.listen(engine, "connect", _sqlite_pragmas)
    elif url.get_backend_name() == "postgresql":
        event.listen(engine, "handle_error", _hide_row_values)
    return engine


@contextmanager
def migration_transaction(engine: Engine) -> Iterator[Connection]:
    """A connection in one transaction that also covers DDL, for a whole upgrade.

    PostgreSQL runs DDL in transactions anyway. Python's sqlite3 module (before
    its ``autocommit`` attribute) starts transactions itself only before DML,
    so a ``CREATE`` or ``DROP`` outside one would commit on its own. Following
    SQLAlchemy's pysqlite recipe for transactional DDL, the driver's own
    transaction handling is switched off (``isolation_level = None``) on this
    connection and the transaction is begun explicitly; ``IMMEDIATE`` takes the
    write lock at once, so two processes never upgrade at the same time.
    The connection goes back to the pool with the driver's setting restored.
    """
    with engine.connect() as connection:
        if connection.dialect.name != "sqlite":
            with connection.begin():
                yield connection
            return
        driver = connection.connection.driver_connection
        assert isinstance(driver, sqlite3.Connection)
        previous = driver.isolation_level
        driver.isolation_level = None  # commits nothing: no transaction is open yet
        try:
            with connection.begin():
                connection.exec_driver_sql("BEGIN IMMEDIATE")
                yield connection
        finally:
            driver.isolation_level = previous


def purge_deleted_rows(engine: Engine) -> bool:
    """Make deleted rows unreadable on disk; ``False`` if the journal could not be emptied.

    SQLite leaves deleted rows in free pages of the database file and in old
    frames of the write-ahead log (``-wal``). ``VACUUM`` rewrites every page of
    the file, then a ``TRUNCATE`` checkpoint copies the log into the file and
    cuts the log to zero bytes. It cannot finish while another connection still
    reads an old snapshot; SQLite then empties the log when the last
    connection closes. Other databases: nothing to do.
    """
    if engine.dialect.name != "sqlite":
        return True
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.exec_driver_sql("VACUUM")
        row = connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)").one()
    return bool(row[0] == 0)


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
        note_rows(db, model, rows)  # the ORM's flush does not see Core inserts


def bulk_insert_returning_ids(
    db: Session, model: type[DeclarativeBase], rows: Sequence[dict[str, Any]]
) -> list[int]:
    """``bulk_insert`` that returns the new primary keys in the order of ``rows``."""
    if not rows:
        return []
    note_rows(db, model, rows)  # the ORM's flush does not see Core inserts
    primary_key = inspect(model).primary_key[0]
    statement = (
        insert(model)
        .execution_options(render_nulls=True)
        .returning(primary_key, sort_by_parameter_order=True)
    )
    return [int(value) for value in db.scalars(statement, rows)]
