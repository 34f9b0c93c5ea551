"""Honest outcomes in the store and the history (SQLite, PostgreSQL): a session skipped
through is "ended early", is not a completed session and is not a streak day."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy.orm import Session

from backcoach.coach.engine import EndReason, RepDone, Skip, Start
from backcoach.services import sessions as service
from backcoach.services.history import history_summary
from backcoach.store import SessionStatus, WorkoutSession, local_user
from tests.integration.test_store import make_plan

DAY_ONE = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)
STEPS = 4  # each step: 2 reps


def play(db: Session, user_id: int, start: datetime, *, done: int) -> int:
    """A 4-step session: the first ``done`` steps done, the rest skipped, to the end."""
    active = service.start_session(db, user_id=user_id, plan=make_plan(STEPS), now=start)
    service.apply_event(db, active=active, event=Start(0.0), now=start)
    t = 0.0
    for i in range(STEPS):
        events = [RepDone(t + 1), RepDone(t + 2)] if i < done else [Skip(t + 1)]
        for event in events:
            service.apply_event(db, active=active, event=event, now=start)
        t += 2
    assert active.engine.state.finished
    return active.id


@pytest.mark.parametrize(
    ("done", "status", "reason", "counts"),
    [
        (0, SessionStatus.QUIT, EndReason.ENDED_EARLY, False),  # every step skipped
        (1, SessionStatus.QUIT, EndReason.ENDED_EARLY, False),  # just under half
        (2, SessionStatus.COMPLETED, EndReason.COMPLETED, True),  # exactly half
        (4, SessionStatus.COMPLETED, EndReason.COMPLETED, True),  # all steps
    ],
)
def test_a_session_is_stored_and_counted_by_the_rule(
    db: Session, done: int, status: SessionStatus, reason: EndReason, counts: bool
) -> None:
    user = local_user(db, now=DAY_ONE)
    session_id = play(db, user.id, DAY_ONE, done=done)
    summary = service.summarize(db, session_id=session_id)
    assert (summary.status, summary.ended_by) == (status, reason)
    assert summary.done_text == f"You did {done} of {STEPS} steps."
    ended_early = "Session ended early"
    assert (summary.title == ended_early) is not counts
    history = history_summary(db, user_id=user.id, today=DAY_ONE.date())
    assert history.completed_sessions == int(counts)
    assert (history.current_streak, history.best_streak) == (int(counts), int(counts))
    (line,) = history.sessions
    assert line.complete is counts
    assert line.result == ("completed" if counts else "ended early")


def test_a_skipped_through_day_breaks_the_streak(db: Session) -> None:
    user = local_user(db, now=DAY_ONE)
    play(db, user.id, DAY_ONE, done=4)
    play(db, user.id, DAY_ONE + timedelta(days=1), done=0)
    play(db, user.id, DAY_ONE + timedelta(days=2), done=3)
    play(db, user.id, DAY_ONE + timedelta(days=3), done=2)
    history = history_summary(db, user_id=user.id, today=date(2026, 3, 5))
    assert history.completed_sessions == 3
    assert (history.current_streak, history.best_streak) == (2, 2)  # days 3 and 4
    assert [line.result for line in history.sessions] == [
        "completed",
        "completed",
        "ended early",
        "completed",
    ]


def test_a_skipped_through_day_with_a_complete_session_still_counts(db: Session) -> None:
    user = local_user(db, now=DAY_ONE)
    play(db, user.id, DAY_ONE, done=0)
    play(db, user.id, DAY_ONE + timedelta(hours=2), done=4)
    history = history_summary(db, user_id=user.id, today=DAY_ONE.date())
    assert (history.completed_sessions, history.current_streak) == (1, 1)


def test_a_session_stored_as_completed_before_the_rule_does_not_count(db: Session) -> None:
    """Rows written before the rule existed (skipped through, stored "completed")."""
    user = local_user(db, now=DAY_ONE)
    session_id = play(db, user.id, DAY_ONE, done=1)
    row = db.get(WorkoutSession, session_id)
    assert row is not None and row.status is SessionStatus.QUIT
    row.status = SessionStatus.COMPLETED  # as the app stored it before
    db.commit()
    play(db, user.id, DAY_ONE + timedelta(days=1), done=2)
    history = history_summary(db, user_id=user.id, today=date(2026, 3, 3))
    assert history.completed_sessions == 1
    assert (history.current_streak, history.best_streak) == (1, 1)
    assert [line.result for line in history.sessions] == ["completed", "ended early"]
