"""The person's preferences, kept in the store's per-user settings (one key each).

Keys: ``pain_limit`` (1-10, default 5: the planner and the player use it),
``voice`` (spoken cues on or off), ``session_length`` (short or full),
``reminders`` (break reminders on or off) and ``break_minutes`` (minutes of
sitting between break reminders); ``camera`` (the session player starts
the camera coach by itself).
"""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import BaseModel, Field, ValidationError
from sqlalchemy.orm import Session

from backcoach.content import Length
from backcoach.store import all_settings, set_setting


class Preferences(BaseModel):
    pain_limit: Annotated[int, Field(ge=1, le=10, description="Stop an exercise at this pain")] = 5
    voice: bool = True
    session_length: Length = Length.SHORT
    reminders: bool = True
    break_minutes: Annotated[int, Field(ge=15, le=120, description="Minutes between breaks")] = 45
    camera: bool = Field(default=False, description="Use the camera coach in sessions")


class PreferencesUpdate(BaseModel):
    """A partial update: only the fields given change."""

    pain_limit: Annotated[int, Field(ge=1, le=10)] | None = None
    voice: bool | None = None
    session_length: Length | None = None
    reminders: bool | None = None
    break_minutes: Annotated[int, Field(ge=15, le=120)] | None = None
    camera: bool | None = None


def load_preferences(db: Session, *, user_id: int) -> Preferences:
    """The stored preferences; a value that no longer validates falls back to its default."""
    stored = all_settings(db, user_id=user_id)
    values: dict[str, Any] = {}
    for name in Preferences.model_fields:
        if name in stored:
            try:
                Preferences.model_validate({name: stored[name]})
            except ValidationError:
                continue
            values[name] = stored[name]
    return Preferences.model_validate(values)


def save_preferences(db: Session, *, user_id: int, update: PreferencesUpdate) -> Preferences:
    """Store the fields set in ``update``; commits. Returns the preferences now in force."""
    for name, value in update.model_dump(exclude_none=True, mode="json").items():
        set_setting(db, user_id=user_id, key=name, value=value)
    db.commit()
    return load_preferences(db, user_id=user_id)
