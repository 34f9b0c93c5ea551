"""Alembic migrations, run from code: ``upgrade_database`` on start, ``backcoach db``.

The scripts live in ``backcoach/migrations`` inside the package, so they work
from an installed wheel as well as from the source tree.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from alembic.util import CommandError
from sqlalchemy import Connection, Engine
from sqlalchemy.exc import DBAPIError, OperationalError
from sqlalchemy.orm import Session

from backcoach.config import Settings
from backcoach.store.db import (
    StoreError,
    damaged_file_error,
    describe,
    make_engine,
    session_factory,
)

MIGRATIONS_DIR = Path(__file__).resolve().parent.parent / "migrations"


def _store_error(engine: Engine, exc: DBAPIError) -> StoreError | None:
    """The ``StoreError`` (with what to do) for a damaged file or a database that cannot
    be opened; ``None`` for other errors, which are raised as they are."""
    damaged = damaged_file_error(engine.url, exc)
    if damaged is not None:
        return damaged
    if isinstance(exc, OperationalError):
        return StoreError(f"Cannot open the database {describe(engine.url)}: {exc.orig}")
    return None


def alembic_config(connection: Connection | None = None) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    if connection is not None:
        config.attributes["connection"] = connection
    return config


def head_revision() -> str | None:
    """The newest migration this version of backcoach knows."""
    return ScriptDirectory.from_config(alembic_config()).get_current_head()


def current_revision(engine: Engine) -> str | None:
    """The migration the database is at; ``None`` for an empty database."""
    try:
        with engine.connect() as connection:
            return MigrationContext.configure(connection).get_current_revision()
    except DBAPIError as exc:
        error = _store_error(engine, exc)
        if error is None:
            raise
        raise error from exc


def upgrade_engine(engine: Engine, revision: str = "head") -> str | None:
    """Bring ``engine``'s database to the newest schema (or ``revision``); returns it."""
    try:
        with engine.begin() as connection:
            command.upgrade(alembic_config(connection), revision)
    except CommandError as exc:
        raise StoreError(
            f"The database {describe(engine.url)} cannot be upgraded: {exc}. It may have "
            "been written by a newer backcoach; upgrade backcoach or use another database."
        ) from exc
    except DBAPIError as exc:
        error = _store_error(engine, exc)
        if error is None:
            raise
        raise error from exc
    return current_revision(engine)


def upgrade_database(settings: Settings) -> str | None:
    """Create or upgrade the configured database (the web app calls this on start)."""
    engine = make_engine(settings)
    try:
        return upgrade_engine(engine)
    finally:
        engine.dispose()


def ready_engine(settings: Settings) -> Engine:
    """An engine on the configured database, created or upgraded to the newest schema."""
    engine = make_engine(settings)
    try:
        upgrade_engine(engine)
    except BaseException:
        engine.dispose()
        raise
    return engine


@contextmanager
def open_database(settings: Settings) -> Iterator[Session]:
    """A session on the upgraded database, for one command; disposes the engine after."""
    engine = ready_engine(settings)
    try:
        with session_factory(engine)() as db:
            yield db
    except DBAPIError as exc:
        damaged = damaged_file_error(engine.url, exc)  # not "cannot open": it was open
        if damaged is None:
            raise
        raise damaged from exc
    finally:
        engine.dispose()
