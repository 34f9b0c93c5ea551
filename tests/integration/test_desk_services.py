"""Desk counters in the store (SQLite and PostgreSQL) and the timer that writes them."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from backcoach.coach.breaks import BreakConfig, BreakKind
from backcoach.content import default_catalog
from backcoach.errors import UsageError
from backcoach.services.desk import (
    BreakAction,
    DeskTimer,
    break_config,
    desk_day,
    desk_days,
    desk_moves,
    record_break,
    record_posture,
    record_sitting,
    record_walk,
    totals,
)
from backcoach.services.preferences import reminders_on
from backcoach.store import HabitLog, local_user, set_setting

T0 = datetime(2026, 11, 25, 9, 0, tzinfo=UTC)
DAY = T0.date()


@pytest.fixture
def user_id(db: Session) -> int:
    user = local_user(db)
    db.commit()
    return user.id


def test_counters_add_up_per_day(db: Session, user_id: int) -> None:
    for action in (BreakAction.TAKE, BreakAction.TAKE, BreakAction.SNOOZE, BreakAction.SKIP):
        record_break(db, user_id=user_id, action=action, now=T0, tz=UTC)
    record_walk(db, user_id=user_id, minutes=12.5, now=T0, tz=UTC)
    record_sitting(db, user_id=user_id, minutes=30, now=T0, tz=UTC)
    record_sitting(db, user_id=user_id, minutes=15.5, now=T0 + timedelta(hours=1), tz=UTC)
    record_posture(
        db, user_id=user_id, now=T0, tz=UTC, alerts=2,
        minutes_by_state={"upright": 40, "slouched": 5, "forward-head": 0, "absent": 9},
    )  # fmt: skip
    record_break(db, user_id=user_id, action=BreakAction.TAKE, now=T0 + timedelta(days=1), tz=UTC)

    today = desk_day(db, user_id=user_id, day=DAY)
    assert (today.breaks_taken, today.breaks_snoozed, today.breaks_skipped) == (2, 1, 1)
    assert today.walking_min == pytest.approx(12.5)
    assert today.sitting_min == pytest.approx(45.5)
    assert today.posture_alerts == 2
    assert today.posture_min == {"upright": 40, "slouched": 5}
    assert today.bad_posture_min == 5
    days = desk_days(db, user_id=user_id, since=DAY - timedelta(days=1), until=DAY + timedelta(2))
    assert [d.day for d in days] == [DAY - timedelta(days=1), DAY, DAY + timedelta(days=1)]
    assert [d.breaks_taken for d in days] == [0, 2, 1]
    assert totals(days).breaks_taken == 3
    assert today.to_json()["posture_min"] == {"slouched": 5, "upright": 40}


def test_the_local_day_decides_where_a_late_event_goes(db: Session, user_id: int) -> None:
    late = datetime(2026, 11, 25, 23, 30, tzinfo=UTC)
    record_break(db, user_id=user_id, action=BreakAction.TAKE, now=late, tz=UTC)
    record_break(
        db, user_id=user_id, action=BreakAction.TAKE, now=late, tz=timezone(timedelta(hours=2))
    )
    assert desk_day(db, user_id=user_id, day=date(2026, 11, 25)).breaks_taken == 1
    assert desk_day(db, user_id=user_id, day=date(2026, 11, 26)).breaks_taken == 1


@pytest.mark.parametrize("minutes", [0, -5, 24 * 60 + 1])
def test_impossible_minutes_are_refused_and_nothing_is_stored(
    db: Session, user_id: int, minutes: float
) -> None:
    with pytest.raises(UsageError, match="minutes"):
        record_walk(db, user_id=user_id, minutes=minutes, now=T0, tz=UTC)
    with pytest.raises(UsageError, match="posture state"):
        record_posture(db, user_id=user_id, now=T0, minutes_by_state={"lying": 3})
    db.rollback()
    assert list(db.scalars(select(HabitLog))) == []


def test_timer_stores_each_action_and_sitting_in_slices(db: Session, user_id: int) -> None:
    config = BreakConfig(
        moves=("neck-turns", "shoulder-circles"), max_skips_per_day=1, rest_every_s=4 * 3600
    )
    timer = DeskTimer.begin(config=config, now=T0, user_id=user_id, source="test", tz=UTC)
    now = T0
    fired = []
    for _ in range(20 * 6):  # 20 minutes at the desk, a tick every 10 s
        now += timedelta(seconds=10)
        if (due := timer.tick(db, now, active=True)) is not None:
            fired.append(due)
    assert [(d.kind, d.move) for d in fired] == [(BreakKind.MICRO, "neck-turns")]
    assert timer.tick(db, now + timedelta(seconds=1), active=True) is None  # fires once
    assert timer.act(db, BreakAction.TAKE, now)
    assert not timer.act(db, BreakAction.TAKE, now)  # nothing due any more
    # sitting was written in 5-minute slices as it went
    assert desk_day(db, user_id=user_id, day=DAY).sitting_min == pytest.approx(20, abs=0.1)

    # the next two breaks (the moves rotate): one skip a day allowed, the second refused
    for move, allowed in (("shoulder-circles", True), ("neck-turns", False)):
        while timer.due is None:
            now += timedelta(seconds=10)
            timer.tick(db, now, active=True)
        assert timer.due.move == move
        assert timer.act(db, BreakAction.SKIP, now) is allowed
    assert timer.act(db, BreakAction.SNOOZE, now)
    timer.flush(db, now)
    day = desk_day(db, user_id=user_id, day=DAY)
    assert (day.breaks_taken, day.breaks_skipped, day.breaks_snoozed) == (1, 1, 1)
    assert day.sitting_min == pytest.approx((now - T0).total_seconds() / 60, abs=0.01)


def test_a_rest_break_taken_counts_as_walking(db: Session, user_id: int) -> None:
    config = BreakConfig(micro_every_s=3600, rest_every_s=600, rest_length_s=300)
    timer = DeskTimer.begin(config=config, now=T0, user_id=user_id, source="test", tz=UTC)
    timer.tick(db, T0 + timedelta(minutes=10), active=True)
    assert timer.due is not None and timer.due.kind is BreakKind.REST
    assert timer.act(db, BreakAction.TAKE, T0 + timedelta(minutes=10))
    assert desk_day(db, user_id=user_id, day=DAY).walking_min == 5


def test_time_away_is_not_sitting(db: Session, user_id: int) -> None:
    timer = DeskTimer.begin(config=BreakConfig(), now=T0, user_id=user_id, source="t", tz=UTC)
    timer.tick(db, T0 + timedelta(minutes=10), active=True)
    timer.tick(db, T0 + timedelta(minutes=40), active=False)
    timer.tick(db, T0 + timedelta(minutes=45), active=True)
    timer.flush(db, T0 + timedelta(minutes=45))
    assert desk_day(db, user_id=user_id, day=DAY).sitting_min == pytest.approx(15)
    assert timer.next_break() == (BreakKind.MICRO, 15 * 60)  # the absence was a break


def test_config_uses_the_desk_break_routine_and_the_users_interval(
    db: Session, user_id: int
) -> None:
    catalog = default_catalog()
    moves = desk_moves(catalog)
    assert moves[0] == "neck-turns" and set(moves) <= set(catalog.exercises)
    # the default and the range are the preferences' (Settings shows the same 45)
    assert break_config(db, user_id=user_id, catalog=catalog).micro_every_s == 45 * 60
    set_setting(db, user_id=user_id, key="break_minutes", value=30)
    assert break_config(db, user_id=user_id, catalog=catalog).micro_every_s == 30 * 60
    set_setting(db, user_id=user_id, key="break_minutes", value="soon")  # bad value: default
    assert break_config(db, user_id=user_id, catalog=catalog).micro_every_s == 45 * 60
    set_setting(db, user_id=user_id, key="break_minutes", value=5)  # out of range: default
    assert break_config(db, user_id=user_id, catalog=catalog).micro_every_s == 45 * 60
    now = datetime(2026, 11, 25, 9, 0).astimezone()
    assert reminders_on(db, user_id=user_id, now=now)
    set_setting(db, user_id=user_id, key="reminders", value=False)
    assert not reminders_on(db, user_id=user_id, now=now)
