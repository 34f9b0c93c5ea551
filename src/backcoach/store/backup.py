"""Consistent copies of the SQLite database (SQLite's online backup API).

Copies are health data: each is written 0600 (into a 0700 ``backups/``
folder by default) and appears under its final name only when complete.
"""

from __future__ import annotations

import sqlite3
from datetime import datetime
from pathlib import Path

from backcoach.config import Settings
from backcoach.errors import UsageError
from backcoach.i18n import _
from backcoach.store.db import (
    StoreError,
    backups_dir,
    check_sqlite_file,
    database_url,
    describe,
    sqlite_path,
)
from backcoach.store.files import create_private_file, private_dir


def default_backup_path(settings: Settings, now: datetime) -> Path:
    return backups_dir(settings) / f"backcoach-{now:%Y%m%d-%H%M%S}.db"


def list_backups(settings: Settings) -> list[Path]:
    """The files in the backups folder, oldest name first (empty if there is no folder)."""
    folder = backups_dir(settings)
    if not folder.is_dir():
        return []
    return sorted(path for path in folder.iterdir() if path.is_file())


def _copy(source: Path, target: Path) -> None:
    """Copy the database at ``source`` to the new file ``target`` (0600), all or nothing."""
    partial = target.with_name(target.name + ".partial")
    try:
        partial.unlink(missing_ok=True)  # left by an interrupted copy
        create_private_file(partial)  # SQLite keeps the mode of an existing file
        with sqlite3.connect(f"{source.resolve().as_uri()}?mode=ro", uri=True) as src:
            destination = sqlite3.connect(partial)
            try:
                src.backup(destination)
            finally:
                destination.close()
        partial.rename(target)
    except (sqlite3.DatabaseError, OSError) as exc:
        partial.unlink(missing_ok=True)
        raise StoreError(
            _("Could not back up {source} to {target}: {error}").format(
                source=source, target=target, error=exc
            )
        ) from exc


def backup_database(settings: Settings, *, target: Path | None, now: datetime) -> Path:
    """Copy the SQLite database to ``target`` (a file or a folder); returns the copy's path.

    The copy is consistent even while another process writes. An existing file
    is never overwritten, and a folder that does not exist is not created
    (except the default ``backups/`` folder).

    Raises:
        UsageError: the database is not SQLite, does not exist yet, the target
            exists or its folder does not.
        StoreError: the database file is damaged or unreadable.
    """
    url = database_url(settings)
    source = sqlite_path(url)
    if source is None:
        raise UsageError(
            _(
                "`backcoach db backup` copies SQLite databases; {database} is not one. "
                "For PostgreSQL use pg_dump, for example: pg_dump --format=custom "
                "--file=backcoach.dump DBNAME"
            ).format(database=describe(url))
        )
    if not source.is_file():
        raise UsageError(
            _("There is no database at {path} yet, so there is nothing to back up.").format(
                path=source
            )
        )
    check_sqlite_file(source)
    if target is None:
        target = default_backup_path(settings, now)
        private_dir(target.parent)
    elif target.is_dir():
        target = target / default_backup_path(settings, now).name
    elif not target.parent.is_dir():
        raise UsageError(
            _(
                "The folder {folder} does not exist; create it first or choose another "
                "path (nothing was written)."
            ).format(folder=target.parent)
        )
    if target.exists():
        raise UsageError(
            _("{path} already exists; choose another path (nothing was overwritten).").format(
                path=target
            )
        )
    _copy(source, target)
    return target


def backup_before_upgrade(source: Path, *, folder: Path, revision: str, now: datetime) -> Path:
    """Copy the database at ``source`` into ``folder`` before migrating it from ``revision``.

    The caller holds the write lock, so the copy is the state being upgraded.
    """
    private_dir(folder)
    stem = f"backcoach-{now:%Y%m%d-%H%M%S}-before-upgrade-from-{revision}"
    target = folder / f"{stem}.db"
    number = 1
    while target.exists():
        number += 1
        target = folder / f"{stem}-{number}.db"
    _copy(source, target)
    return target
