"""Alembic migrations, run from code: ``upgrade_database`` on start, ``backcoach db``.

The scripts live in ``backcoach/migrations`` inside the package, so they work
from an installed wheel as well as from the source tree.

An upgrade is all or nothing: every pending migration runs in one transaction
(DDL included, on SQLite too), so one that fails half-way leaves schema,
version and data exactly as they were. Before a SQLite database with data is
upgraded, a copy goes to ``backups/`` (SQLite's online backup API).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from alembic.script.revision import RevisionError
from alembic.util import CommandError
from sqlalchemy import Connection, Engine
from sqlalchemy.exc import DBAPIError, OperationalError
from sqlalchemy.orm import Session

from backcoach.config import Settings
from backcoach.i18n import _
from backcoach.store.backup import backup_before_upgrade
from backcoach.store.db import (
    StoreError,
    backups_dir,
    damaged_file_error,
    describe,
    make_engine,
    migration_transaction,
    session_factory,
    sqlite_path,
)

MIGRATIONS_DIR = Path(__file__).resolve().parent.parent / "migrations"


def _store_error(engine: Engine, exc: DBAPIError) -> StoreError | None:
    """The ``StoreError`` (with what to do) for a damaged file or a database that cannot
    be opened; ``None`` for other errors, which are raised as they are."""
    damaged = damaged_file_error(engine.url, exc)
    if damaged is not None:
        return damaged
    if isinstance(exc, OperationalError):
        return StoreError(
            _("Cannot open the database {database}: {error}").format(
                database=describe(engine.url), error=exc.orig
            )
        )
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


def _newer_database_error(engine: Engine, exc: Exception) -> StoreError:
    return StoreError(
        _(
            "The database {database} cannot be upgraded: {error}. It may have been written "
            "by a newer backcoach; upgrade backcoach or use another database."
        ).format(database=describe(engine.url), error=exc)
    )


def _pending(engine: Engine, current: str | None, revision: str) -> bool:
    """Whether upgrading from ``current`` to ``revision`` runs any migration."""
    script = ScriptDirectory.from_config(alembic_config())
    try:
        return any(script.iterate_revisions(revision, current, implicit_base=True))
    except RevisionError as exc:
        raise _newer_database_error(engine, exc) from exc


def _failed_upgrade(
    engine: Engine, exc: Exception, *, current: str | None, revision: str, backup: Path | None
) -> StoreError:
    reason = exc.orig if isinstance(exc, DBAPIError) else exc
    if current is None:
        before = _("empty")
    else:
        before = _("revision {revision}, with all its data").format(revision=current)
    message = _(
        "Upgrading the database {database} to revision {revision} failed: "
        "{error}. Nothing was changed: the database is still {before}."
    ).format(database=describe(engine.url), revision=revision, error=reason, before=before)
    if backup is not None:
        message += " " + _("A copy made just before the upgrade is at {path}.").format(path=backup)
    return StoreError(message)


def upgrade_engine(
    engine: Engine, revision: str = "head", *, backups: Path | None = None
) -> str | None:
    """Bring ``engine``'s database to the newest schema (or ``revision``); returns it.

    All pending migrations run in one transaction: if one fails, nothing is
    changed. A SQLite database that has data is first copied (0600) into
    ``backups`` (default: ``backups/`` next to the database file).

    Raises:
        StoreError: the database cannot be opened, is newer than this backcoach,
            or a migration failed (the message says nothing changed and where the
            copy is).
    """
    current = current_revision(engine)
    if not _pending(engine, current, revision):
        return current
    target = head_revision() if revision == "head" else revision
    source = sqlite_path(engine.url)
    try:
        with migration_transaction(engine) as connection:
            # Read again under the write lock: another process may have upgraded.
            current = MigrationContext.configure(connection).get_current_revision()
            if not _pending(engine, current, revision):
                return current
            backup = None
            if source is not None and current is not None:
                folder = backups if backups is not None else source.parent / "backups"
                backup = backup_before_upgrade(
                    source, folder=folder, revision=current, now=datetime.now(UTC)
                )
            try:
                command.upgrade(alembic_config(connection), revision)
            except CommandError as exc:
                raise _newer_database_error(engine, exc) from exc
            except Exception as exc:  # any failure: the transaction is rolled back
                raise _failed_upgrade(
                    engine, exc, current=current, revision=str(target), backup=backup
                ) from exc
    except DBAPIError as exc:  # opening, locking or committing
        error = _store_error(engine, exc)
        if error is None:
            raise
        raise error from exc
    return current_revision(engine)


def upgrade_database(settings: Settings) -> str | None:
    """Create or upgrade the configured database (the web app calls this on start)."""
    engine = make_engine(settings)
    try:
        return upgrade_engine(engine, backups=backups_dir(settings))
    finally:
        engine.dispose()


def ready_engine(settings: Settings) -> Engine:
    """An engine on the configured database, created or upgraded to the newest schema."""
    engine = make_engine(settings)
    try:
        upgrade_engine(engine, backups=backups_dir(settings))
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
