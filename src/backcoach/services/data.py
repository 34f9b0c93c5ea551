"""Deleting everything stored for a person (``backcoach data delete``, the Settings page).

The rule: delete the user's rows in one transaction, then make them unreadable
on disk (on SQLite, deleted rows otherwise stay in free pages and in the
``-wal`` journal). Backups are copies the person made or that were made before
an upgrade: they are kept, and the answer says where they are.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.orm import Session

from backcoach.config import Settings
from backcoach.store import backups_dir, delete_user_data, list_backups, purge_deleted_rows


@dataclass(frozen=True)
class DataDeleted:
    backups_dir: Path
    backups: int
    purged: bool

    @property
    def message(self) -> str:
        """What happened, in the words both the terminal and the page show."""
        kept = "there are none" if self.backups == 0 else f"there {self._are_backups()}"
        text = (
            f"All your data was deleted. Backups in {self.backups_dir} are kept ({kept}); "
            "delete them there if you want them gone too."
        )
        if not self.purged:
            text += (
                " Traces of the deleted data stay in the database's journal file until "
                "backcoach is closed."
            )
        return text

    def _are_backups(self) -> str:
        return "is 1" if self.backups == 1 else f"are {self.backups}"


def delete_all_data(db: Session, *, user_id: int | None, settings: Settings) -> DataDeleted:
    """Delete every row of ``user_id`` (if any), commit, and purge the deleted rows from disk."""
    if user_id is not None:
        delete_user_data(db, user_id=user_id)
    db.commit()
    purged = purge_deleted_rows(db.get_bind().engine)
    return DataDeleted(
        backups_dir=backups_dir(settings),
        backups=len(list_backups(settings)),
        purged=purged,
    )
