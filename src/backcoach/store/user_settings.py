"""Per-user preferences (pain limit, reminder intervals ...), each a JSON value under a key."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from backcoach.store.models import UserSetting


def get_setting(db: Session, *, user_id: int, key: str, default: Any = None) -> Any:
    row = db.get(UserSetting, (user_id, key))
    return default if row is None else row.value


def set_setting(db: Session, *, user_id: int, key: str, value: Any) -> None:
    """Store ``value`` under ``key``; ``None`` removes the setting."""
    row = db.get(UserSetting, (user_id, key))
    if value is None:
        if row is not None:
            db.delete(row)
    elif row is None:
        db.add(UserSetting(user_id=user_id, key=key, value=value))
    else:
        row.value = value
    db.flush()


def all_settings(db: Session, *, user_id: int) -> dict[str, Any]:
    rows = db.scalars(
        select(UserSetting).where(UserSetting.user_id == user_id).order_by(UserSetting.key)
    )
    return {row.key: row.value for row in rows}
