"""The daily session reminder (SQLite and PostgreSQL): due from the chosen local time, at most
once a day, not on a day the session was done, not in quiet hours, not while a red flag
blocks exercise, and only on the days a clinician's program asks for a session."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

import pytest
from sqlalchemy.orm import Session

from backcoach.content import default_catalog
from backcoach.services.preferences import PreferencesUpdate, load_preferences, save_preferences
from backcoach.services.reminders import (
    REMINDED_ON,
    WEEKDAYS,
    due_session_reminder,
    mark_session_reminded,
    session_weekdays,
)
from backcoach.services.safety import save_screening
from backcoach.store import get_setting, local_user
from tests.integration.test_history_outcomes import play
from tests.integration.test_red_flag_block import answers

TODAY = datetime.now().astimezone().date()


def at(hour: int, minute: int = 0, day: date = TODAY) -> datetime:
    """A local time on ``day``, time-zone aware."""
    return datetime.combine(day, time(hour, minute)).astimezone()


@pytest.fixture
def user_id(db: Session) -> int:
    uid = local_user(db).id
    save_screening(db, user_id=uid, answers=answers(), now=at(8))  # clear: a plan today
    save_preferences(db, user_id=uid, update=PreferencesUpdate(session_reminder=time(18, 0)))
    return uid


def test_off_by_default(db: Session) -> None:
    uid = local_user(db).id
    db.commit()
    assert load_preferences(db, user_id=uid).session_reminder is None
    assert due_session_reminder(db, user_id=uid, now=at(23, 59)) is None


def test_due_from_the_chosen_time_and_once_a_day(db: Session, user_id: int) -> None:
    assert due_session_reminder(db, user_id=user_id, now=at(17, 59)) is None
    reminder = due_session_reminder(db, user_id=user_id, now=at(18, 0))
    assert reminder is not None
    assert (reminder.day, reminder.at, reminder.url) == (TODAY, time(18, 0), "/")
    assert reminder.title == "Time for your back session"
    assert reminder.minutes is not None and reminder.minutes > 0
    assert reminder.body.startswith("Today's session: ") and "exercises, about" in reminder.body
    assert due_session_reminder(db, user_id=user_id, now=at(22, 30)) is not None  # still due

    mark_session_reminded(db, user_id=user_id, now=at(18, 1))
    assert get_setting(db, user_id=user_id, key=REMINDED_ON) == TODAY.isoformat()
    assert due_session_reminder(db, user_id=user_id, now=at(18, 2)) is None
    assert due_session_reminder(db, user_id=user_id, now=at(23, 59)) is None
    tomorrow = TODAY + timedelta(days=1)
    assert due_session_reminder(db, user_id=user_id, now=at(17, 0, tomorrow)) is None
    assert due_session_reminder(db, user_id=user_id, now=at(18, 0, tomorrow)) is not None


def test_skipped_on_a_day_the_session_was_completed(db: Session, user_id: int) -> None:
    play(db, user_id, at(7), done=1)  # ended early: the session is not done yet
    assert due_session_reminder(db, user_id=user_id, now=at(18, 30)) is not None
    play(db, user_id, at(12), done=4)
    assert due_session_reminder(db, user_id=user_id, now=at(18, 30)) is None
    tomorrow = TODAY + timedelta(days=1)
    assert due_session_reminder(db, user_id=user_id, now=at(18, 30, tomorrow)) is not None


def test_quiet_hours_hold_it_back(db: Session, user_id: int) -> None:
    quiet = PreferencesUpdate(quiet_from=time(17, 0), quiet_until=time(21, 0))
    save_preferences(db, user_id=user_id, update=quiet)
    assert due_session_reminder(db, user_id=user_id, now=at(18, 30)) is None
    assert due_session_reminder(db, user_id=user_id, now=at(21, 0)) is not None


def test_no_reminder_while_a_red_flag_blocks_exercise(db: Session, user_id: int) -> None:
    save_screening(db, user_id=user_id, answers=answers("bladder-bowel"), now=at(9))
    assert due_session_reminder(db, user_id=user_id, now=at(18, 30)) is None


def test_without_a_plan_today_it_says_to_open_backcoach(db: Session) -> None:
    uid = local_user(db).id
    save_preferences(db, user_id=uid, update=PreferencesUpdate(session_reminder=time(7, 30)))
    reminder = due_session_reminder(db, user_id=uid, now=at(8))  # no safety screening yet
    assert reminder is not None and reminder.minutes is None
    assert reminder.body == "Open backcoach to start today's session."


def test_turned_off_with_off(db: Session, user_id: int) -> None:
    off = PreferencesUpdate.model_validate({"session_reminder": "off"})
    assert save_preferences(db, user_id=user_id, update=off).session_reminder is None
    assert due_session_reminder(db, user_id=user_id, now=at(20)) is None


def test_the_shipped_program_has_a_session_every_day(db: Session, user_id: int) -> None:
    days = session_weekdays(db, user_id=user_id, catalog=default_catalog())
    assert days == (0, 1, 2, 3, 4, 5, 6)


@pytest.mark.parametrize("per_week", range(1, 8))
def test_sessions_per_week_are_spread_over_fixed_weekdays(per_week: int) -> None:
    days = WEEKDAYS[per_week]
    assert len(days) == per_week and list(days) == sorted(set(days))
    assert all(0 <= d <= 6 for d in days)
    if 1 < per_week < 7:  # spread over the week: the gaps between them differ by 2 at most
        gaps = [b - a for a, b in zip(days, (*days[1:], days[0] + 7), strict=True)]
        assert max(gaps) - min(gaps) <= 2, gaps
