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
from backcoach.i18n import _, ngettext
from backcoach.store import backups_dir, delete_user_data, list_backups, purge_deleted_rows


@dataclass(frozen=True)
class DataDeleted:
    backups_dir: Path
    backups: int
    purged: bool

    @property
    def message(self) -> str:
        """What happened, in the words both the terminal and the page show."""
        if self.backups == 0:
            kept = _("there are none")
        else:
            kept = ngettext("there is {n}", "there are {n}", self.backups).format(n=self.backups)
        text = _(
            "All your data was deleted. Backups in {folder} are kept ({kept}); "
            "delete them there if you want them gone too."
        ).format(folder=self.backups_dir, kept=kept)
        if not self.purged:
            text += " " + _(
                "Traces of the deleted data stay in the database's journal file until "
                "backcoach is closed."
            )
        return text


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
