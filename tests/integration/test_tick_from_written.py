"""The player's tick from the session as this process last wrote it (one compare-and-set).

On SQLite and PostgreSQL: a tick after this process's own write is stored with
a single statement and bumps the version once; when another process wrote the
session in between (a second engine stands for it: it has its own memory of
what it wrote), the compare-and-set finds the version moved, writes nothing,
and the tick goes the usual way, on the latest state: nothing the other writer
did is lost. A tick that completes a step, or one of another user's session,
never takes the short way.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from sqlalchemy import Engine, event, select, update
from sqlalchemy.orm import Session

from backcoach.coach.plan import PlannedStep, SessionPlan
from backcoach.config import Settings
from backcoach.content import Kind, Length
from backcoach.errors import UsageError
from backcoach.services.clock import SessionClock
from backcoach.services.session_events import EventType, send_event
from backcoach.services.sessions import load_session, start_session
from backcoach.store import (
    WorkoutSession,
    list_step_events,
    local_user,
    make_engine,
    session_factory,
)
from backcoach.store.sessions import LocalOwner

CLOCK = SessionClock(1.0)
PLAN = SessionPlan(
    "ticks",
    Length.SHORT,
    (
        PlannedStep("squat", "Squat", Kind.REPS, sets=1, reps=3),
        PlannedStep("bird-dog", "Bird dog", Kind.REPS, sets=1, reps=3),
    ),
)


class Statements:
    """The SQL statements an engine runs while counting (COMMIT is not one)."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.seen: list[str] = []

    def __enter__(self) -> list[str]:
        event.listen(self.engine, "before_cursor_execute", self._note)
        return self.seen

    def __exit__(self, *exc: object) -> None:
        event.remove(self.engine, "before_cursor_execute", self._note)

    def _note(self, *args: object) -> None:
        self.seen.append(str(args[2]).split()[0].upper())


@pytest.fixture
def started(db: Session) -> Iterator[tuple[int, int]]:
    user_id = local_user(db).id
    db.commit()
    active = start_session(db, user_id=user_id, plan=PLAN, now=datetime.now(UTC))
    send_event(db, session_id=active.id, user_id=user_id, kind=EventType.START, clock=CLOCK)
    yield active.id, user_id


def version(db: Session, session_id: int) -> int:
    db.rollback()
    return int(db.scalar(select(WorkoutSession.version).where(WorkoutSession.id == session_id)))


def test_a_tick_after_our_own_write_is_one_statement(
    engine: Engine, db: Session, started: tuple[int, int]
) -> None:
    session_id, user_id = started
    before = version(db, session_id)
    with Statements(engine) as seen:
        ticked = send_event(
            db, session_id=session_id, user_id=user_id, kind=EventType.TICK, clock=CLOCK
        )
    assert seen == ["UPDATE"]  # the compare-and-set: no lock, no read
    assert ticked.stored and version(db, session_id) == before + 1
    stored = load_session(db, session_id=session_id)
    assert stored.engine.snapshot() == ticked.active.engine.snapshot()
    with Statements(engine) as seen:  # in local mode the owner is named in the statement
        send_event(
            db, session_id=session_id, user_id=LocalOwner.LOCAL, kind=EventType.TICK, clock=CLOCK
        )
    assert seen == ["UPDATE"] and version(db, session_id) == before + 2


def test_another_writers_change_is_never_overwritten(
    db_settings: Settings, engine: Engine, db: Session, started: tuple[int, int]
) -> None:
    session_id, user_id = started
    send_event(db, session_id=session_id, user_id=user_id, kind=EventType.TICK, clock=CLOCK)
    other_engine = make_engine(db_settings)  # another process: its own memory of writes
    try:
        with session_factory(other_engine)() as other:
            for _ in range(2):
                send_event(
                    other, session_id=session_id, user_id=user_id, kind=EventType.REP_DONE,
                    clock=CLOCK,
                )  # fmt: skip
        with Statements(engine) as seen:
            ticked = send_event(
                db, session_id=session_id, user_id=user_id, kind=EventType.TICK, clock=CLOCK
            )
        assert seen[0] == "UPDATE" and len(seen) > 1  # the set failed: then the lock and the read
        assert ticked.active.engine.state.step_reps == 2  # the other writer's reps are kept
        assert load_session(db, session_id=session_id).engine.state.step_reps == 2
    finally:
        other_engine.dispose()


def test_a_tick_that_records_a_step_or_is_not_ours_goes_the_usual_way(
    engine: Engine, db: Session, started: tuple[int, int]
) -> None:
    session_id, user_id = started
    for _ in range(3):  # the third rep completes the squat: a step event is written
        send_event(db, session_id=session_id, user_id=user_id, kind=EventType.REP_DONE, clock=CLOCK)
    assert [e.exercise_id for e in list_step_events(db, session_id=session_id)] == ["squat"]
    with pytest.raises(UsageError):
        send_event(db, session_id=session_id, user_id=user_id + 1, kind=EventType.TICK, clock=CLOCK)
    someone = local_user(db, name="someone else")
    db.commit()
    db.execute(
        update(WorkoutSession).where(WorkoutSession.id == session_id).values(user_id=someone.id)
    )
    db.commit()
    with pytest.raises(UsageError):  # the local owner is the user called "local" only
        send_event(
            db, session_id=session_id, user_id=LocalOwner.LOCAL, kind=EventType.TICK, clock=CLOCK
        )
