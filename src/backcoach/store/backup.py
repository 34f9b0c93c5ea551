"""Consistent copies of the SQLite database (SQLite's online backup API)."""

from __future__ import annotations

import sqlite3
from datetime import datetime
from pathlib import Path

from backcoach.config import Settings
from backcoach.errors import UsageError
from backcoach.store.db import StoreError, check_sqlite_file, database_url, describe, sqlite_path


def default_backup_path(settings: Settings, now: datetime) -> Path:
    return settings.data_dir / "backups" / f"backcoach-{now:%Y%m%d-%H%M%S}.db"


def backup_database(settings: Settings, *, target: Path | None, now: datetime) -> Path:
    """Copy the SQLite database to ``target`` (a file or a folder); returns the copy's path.

    The copy is consistent even while another process writes. An existing file
    is never overwritten.

    Raises:
        UsageError: the database is not SQLite, does not exist yet, or the target exists.
        StoreError: the database file is damaged or unreadable.
    """
    url = database_url(settings)
    source = sqlite_path(url)
    if source is None:
        raise UsageError(
            f"`backcoach db backup` copies SQLite databases; {describe(url)} is not one. "
            "For PostgreSQL use pg_dump, for example: pg_dump --format=custom "
            "--file=backcoach.dump DBNAME"
        )
    if not source.is_file():
        raise UsageError(f"There is no database at {source} yet, so there is nothing to back up.")
    check_sqlite_file(source)
    if target is None:
        target = default_backup_path(settings, now)
    elif target.is_dir():
        target = target / default_backup_path(settings, now).name
    if target.exists():
        raise UsageError(f"{target} already exists; choose another path (nothing was overwritten).")
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(target.name + ".partial")
    try:
        with sqlite3.connect(f"{source.resolve().as_uri()}?mode=ro", uri=True) as src:
            destination = sqlite3.connect(partial)
            try:
                src.backup(destination)
            finally:
                destination.close()
        partial.rename(target)
    except sqlite3.DatabaseError as exc:
        partial.unlink(missing_ok=True)
        raise StoreError(f"Could not back up {source} to {target}: {exc}") from exc
    return target
