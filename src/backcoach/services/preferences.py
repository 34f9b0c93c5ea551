"""The person's preferences: the one owner of their keys, defaults and ranges.

Each preference is one row of the store's per-user settings. Settings, Today,
the desk page, the player, ``backcoach breaks`` and the API all read them here,
so every surface shows the same value on a fresh install.

- ``pain_limit`` (1-10, default 5): the planner and the player stop an exercise
  at this pain;
- ``voice``: spoken cues in sessions; ``camera``: the player starts the camera
  coach by itself; ``session_length``: short or full;
- ``reminders``, ``break_minutes`` (15-120, default 45): break reminders from
  the desk companion, which stay quiet between ``quiet_from`` and
  ``quiet_until`` (local time; a span may cross midnight, e.g. 22:00-07:00);
- ``session_reminder``: the local time of the daily reminder to do the session
  (``services.reminders``), or None (off); "off" is read as None.
- ``posture_sensitivity`` (low / normal / high): how soon the posture monitor
  counts a change from the calibrated upright as bad posture.
"""

from __future__ import annotations

from datetime import datetime, time
from typing import Annotated, Any

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationError,
    model_validator,
)
from sqlalchemy.orm import Session

from backcoach.content import Length
from backcoach.i18n import _
from backcoach.services import page_cache
from backcoach.store import all_settings, set_setting
from backcoach.vision.posture import Sensitivity

PainLimit = Annotated[int, Field(ge=1, le=10, description="Stop an exercise at this pain (1-10)")]
BreakMinutes = Annotated[
    int, Field(ge=15, le=120, description="Minutes of sitting between break reminders (15-120)")
]


def _local_clock_time(value: time | None) -> time | None:
    """Quiet hours are times on the local clock: one with a time zone is refused."""
    if value is not None and value.tzinfo is not None:
        raise ValueError(_("give a time on your own clock without a time zone, like 22:00"))
    return value


#: A time of day on the user's own clock (no time zone, so it compares with the local time).
LocalTime = Annotated[time | None, AfterValidator(_local_clock_time)]


def _off_is_none(value: object) -> object:
    return None if isinstance(value, str) and value.strip().lower() == "off" else value


#: The session reminder's time: a local time, or None (also given as "off").
ReminderTime = Annotated[LocalTime, BeforeValidator(_off_is_none)]


class Preferences(BaseModel):
    """A user's preferences; frozen: one object is shared by the requests that read it."""

    model_config = ConfigDict(frozen=True)

    pain_limit: PainLimit = 5
    voice: bool = Field(default=True, description="Speak cues during a session")
    session_length: Length = Length.SHORT
    reminders: bool = Field(default=True, description="Remind me to take breaks from sitting")
    break_minutes: BreakMinutes = 45
    camera: bool = Field(default=False, description="Use the camera coach in sessions")
    # A stored time with a time zone (accepted before such times were refused) reads as unset.
    quiet_from: LocalTime = Field(
        default=None, description="No break reminders from this local time (with quiet_until)"
    )
    quiet_until: LocalTime = Field(
        default=None, description="... until this local time (may be the next morning)"
    )
    session_reminder: ReminderTime = Field(
        default=None, description="Remind me of the day's session at this local time (null: off)"
    )
    posture_sensitivity: Sensitivity = Field(
        default=Sensitivity.NORMAL, description="How soon posture counts as slouched"
    )

    def quiet_at(self, local: time) -> bool:
        """True when ``local`` falls in the quiet hours (none set: never)."""
        start, end = self.quiet_from, self.quiet_until
        if start is None or end is None or start == end:
            return False
        if start < end:
            return start <= local < end
        return local >= start or local < end  # the span crosses midnight


class PreferencesUpdate(BaseModel):
    """A partial update: only the fields given change (``quiet_*`` and ``session_reminder``
    may be set to null)."""

    pain_limit: PainLimit | None = None
    voice: bool | None = None
    session_length: Length | None = None
    reminders: bool | None = None
    break_minutes: BreakMinutes | None = None
    camera: bool | None = None
    quiet_from: LocalTime = None
    quiet_until: LocalTime = None
    session_reminder: ReminderTime = None
    posture_sensitivity: Sensitivity | None = None

    @model_validator(mode="after")
    def _quiet_hours_in_pairs(self) -> PreferencesUpdate:
        given = {"quiet_from", "quiet_until"} & self.model_fields_set
        if given and (len(given) == 1 or (self.quiet_from is None) != (self.quiet_until is None)):
            raise ValueError(_("quiet_from and quiet_until are set together (or both cleared)"))
        return self


NULLABLE = frozenset({"quiet_from", "quiet_until", "session_reminder"})


def load_preferences(db: Session, *, user_id: int) -> Preferences:
    """The stored preferences; a value that no longer validates falls back to its default.

    Settings bump the user's revision, so the answer is kept under it
    (``services.page_cache``): nearly every page and desk tick reads them.
    """
    return page_cache.cached(
        db, name="preferences", user_id=user_id, key=None, compute=lambda: _load(db, user_id)
    )


def _load(db: Session, user_id: int) -> Preferences:
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
    values = update.model_dump(mode="json", include=update.model_fields_set)
    for name, value in values.items():
        if value is None and name not in NULLABLE:
            continue
        set_setting(db, user_id=user_id, key=name, value=value)
    db.commit()
    return load_preferences(db, user_id=user_id)


def reminders_on(db: Session, *, user_id: int, now: datetime) -> bool:
    """Whether break reminders may sound at ``now`` (aware): switched on, and not quiet hours."""
    prefs = load_preferences(db, user_id=user_id)
    return prefs.reminders and not prefs.quiet_at(now.astimezone().time())
