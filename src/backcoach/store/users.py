"""Users. backcoach runs for one implicit local user, created the first time it is needed."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from backcoach.store.models import User

LOCAL_USER_NAME = "local"


def get_user(db: Session, *, name: str = LOCAL_USER_NAME) -> User | None:
    return db.scalars(select(User).where(User.name == name)).one_or_none()


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
