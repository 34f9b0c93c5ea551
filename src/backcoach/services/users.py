"""Who is asking: backcoach serves one local user, created the first time it is needed."""

from __future__ import annotations

from sqlalchemy.orm import Session

from backcoach.store import User, get_user, local_user


def current_user(db: Session) -> User:
    """The local user; the very first request creates (and commits) it, later ones only read."""
    user = get_user(db)
    if user is not None:
        return user
    user = local_user(db)
    db.commit()
    return user
