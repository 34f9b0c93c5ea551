"""``/api/v1/preferences``: pain limit, voice, session length, reminders."""

from __future__ import annotations

from fastapi import APIRouter

from backcoach.services.preferences import (
    Preferences,
    PreferencesUpdate,
    load_preferences,
    save_preferences,
)
from backcoach.web.deps import DbDep, UserDep

router = APIRouter(prefix="/preferences", tags=["preferences"])


@router.get("")
def get_preferences(db: DbDep, user: UserDep) -> Preferences:
    """The preferences in force (defaults for anything never set)."""
    return load_preferences(db, user_id=user.id)


@router.patch("")
def update_preferences(body: PreferencesUpdate, db: DbDep, user: UserDep) -> Preferences:
    """Change some preferences; fields left out keep their value."""
    return save_preferences(db, user_id=user.id, update=body)
