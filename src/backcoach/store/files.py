"""Private files: health data on disk is readable by its owner only.

The data folder and the backups folder are 0700; the SQLite database, its
``-wal`` and ``-shm`` files and every backup are 0600. SQLite creates the
``-wal`` and ``-shm`` files with the permissions of the database file, so the
database file is created 0600 before SQLite first opens it. Files of an
existing install are tightened whenever an engine is made (every start).
"""

from __future__ import annotations

import contextlib
import logging
import os
import stat
from pathlib import Path

PRIVATE_DIR = 0o700
PRIVATE_FILE = 0o600
SQLITE_SIDE_FILES = ("-wal", "-shm", "-journal")

logger = logging.getLogger(__name__)


def tighten(path: Path, mode: int) -> None:
    """Take group and other permissions away from an existing file or folder.

    Symlinks are left alone (their target may be anyone's). A file that cannot
    be changed (another owner, a file system without permissions) is reported
    in the log and used as it is.
    """
    try:
        info = path.lstat()
    except FileNotFoundError:
        return
    if stat.S_ISLNK(info.st_mode) or stat.S_IMODE(info.st_mode) & 0o077 == 0:
        return
    try:
        path.chmod(stat.S_IMODE(info.st_mode) & mode)
    except OSError as exc:
        logger.warning("Could not make %s private: %s", path, exc)


def private_dir(path: Path) -> Path:
    """Create ``path`` (and missing parents), the folder itself 0700; tighten it if it exists."""
    path.mkdir(mode=PRIVATE_DIR, parents=True, exist_ok=True)
    tighten(path, PRIVATE_DIR)
    return path


def create_private_file(path: Path) -> None:
    """Create an empty file readable by its owner only, or tighten an existing one."""
    with contextlib.suppress(FileExistsError):
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, PRIVATE_FILE))
    tighten(path, PRIVATE_FILE)


def private_sqlite_file(path: Path) -> None:
    """Create the SQLite file 0600 before SQLite opens it; tighten it and its side files."""
    create_private_file(path)
    for suffix in SQLITE_SIDE_FILES:
        tighten(path.with_name(path.name + suffix), PRIVATE_FILE)


def tighten_folder(path: Path) -> None:
    """Make an existing folder 0700 and the files directly inside it 0600."""
    if not path.is_dir() or path.is_symlink():
        return
    tighten(path, PRIVATE_DIR)
    for child in path.iterdir():
        if child.is_file() and not child.is_symlink():
            tighten(child, PRIVATE_FILE)
