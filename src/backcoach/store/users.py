"""Users. backcoach runs for one implicit local user, created the first time it is needed."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import bindparam, delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from backcoach.store.models import User

LOCAL_USER_NAME = "local"


# Built once: every request looks its user up (building the statement cost a tenth of a tick).
_BY_NAME = select(User).where(User.name == bindparam("name"))


def get_user(db: Session, *, name: str = LOCAL_USER_NAME) -> User | None:
    return db.scalars(_BY_NAME, {"name": name}).one_or_none()


def local_user(db: Session, *, name: str = LOCAL_USER_NAME, now: datetime | None = None) -> User:
    """The user called ``name``, created on first use (safe when two processes race)."""
    user = get_user(db, name=name)
    if user is not None:
        return user
    try:
        with db.begin_nested():
            user = User(name=name, created_at=now or datetime.now(UTC))
            db.add(user)
    except IntegrityError:  # another process created it between our select and insert
        user = get_user(db, name=name)
        assert user is not None
    return user


def delete_user_data(db: Session, *, user_id: int) -> None:
    """Remove the user and, through ``ON DELETE CASCADE``, every row that belongs to them."""
    db.execute(delete(User).where(User.id == user_id))
    db.flush()
    db.expunge_all()
