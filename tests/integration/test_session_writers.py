"""One writer per session, enforced by the database: two OS processes, one session.

One process counts reps as the camera does, as fast as the database takes
them; the other sends the player page's ticks as fast, then finishes the
session. Both write the same row at the same time, on SQLite and on
PostgreSQL. No rep may be lost (every rep the engine counted is in the stored
step events, or in the stored snapshot for the step still open at the finish),
and every snapshot either process read back restores through the engine.
"""

from __future__ import annotations

import multiprocessing
import threading
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session, sessionmaker

from backcoach.coach.engine import EndReason, RepDone, SessionEngine
from backcoach.coach.plan import PlannedStep, SessionPlan
from backcoach.config import Settings
from backcoach.content import Kind, Length
from backcoach.services.clock import SessionClock
from backcoach.services.session_events import EventType, send_event
from backcoach.services.sessions import (
    SessionBusy,
    SessionChange,
    change_session,
    load_session,
    plan_from_json,
    start_session,
)
from backcoach.store import (
    CheckIn,
    SessionStatus,
    StepSource,
    WorkoutSession,
    list_step_events,
    local_user,
    make_engine,
    session_factory,
)
from backcoach.store import db as store_db
from tests.integration.session_writers import Report, camera, page

SECONDS = 3.0  # of writing at once; the whole test stays well under 20 s per database
REPS = 12  # per step: a step completes every dozen reps
PLAN = SessionPlan(
    "two-writers",
    Length.SHORT,
    # far more reps than the camera can count before the page finishes, on a fast machine too
    tuple(PlannedStep("squat", f"Squat {i + 1}", Kind.REPS, sets=1, reps=REPS) for i in range(100)),
)


def run_both(url: str, data_dir: Path, session_id: int, user_id: int) -> dict[str, Report]:
    spawn = multiprocessing.get_context("spawn")
    start = spawn.Barrier(2)
    results = spawn.Queue()
    args = (url, data_dir, session_id, user_id, SECONDS, start, results)
    writers = [spawn.Process(target=job, args=args) for job in (camera, page)]
    for writer in writers:
        writer.start()
    reports = [results.get(timeout=60) for _ in writers]
    for writer in writers:
        writer.join(timeout=30)
        assert writer.exitcode == 0
    return {r.who: r for r in reports}


def test_camera_reps_and_page_ticks_at_once_lose_nothing(
    engine: Engine, db: Session, db_url: str, tmp_path: Path
) -> None:
    user_id = local_user(db).id
    db.commit()
    active = start_session(db, user_id=user_id, plan=PLAN, now=datetime.now(UTC))
    send_event(
        db, session_id=active.id, user_id=user_id, kind=EventType.START, clock=SessionClock(1.0)
    )

    reports = run_both(db_url, tmp_path / "data", active.id, user_id)

    assert reports["camera"].error is None and reports["page"].error is None, reports
    counted = reports["camera"].reps
    print(  # the figures for the report (pytest -s)
        f"\n{db.get_bind().dialect.name}: {reports['camera'].writes} camera writes "
        f"({counted} reps counted), {reports['page'].writes} page writes, "
        f"{reports['camera'].checks + reports['page'].checks} snapshots restored"
    )
    assert reports["page"].writes > 20 and counted > REPS  # both really wrote, steps completed
    db.expire_all()
    row = db.scalars(select(WorkoutSession).where(WorkoutSession.id == active.id)).one()
    assert row.status is SessionStatus.QUIT  # finished by the page, mid-plan
    assert row.snapshot is not None
    final = SessionEngine.restore(plan_from_json(row.plan), row.snapshot)
    assert final.state.ended_by is EndReason.QUIT
    events = list_step_events(db, session_id=active.id)
    assert [e.step_index for e in events] == list(range(len(events)))
    assert all(e.reps == REPS and e.source is StepSource.CAMERA for e in events)
    # Every counted rep is stored: in a completed step's event, or in the open step's snapshot.
    assert sum(e.reps or 0 for e in events) + final.state.step_reps == counted
    assert [(r.index, r.reps) for r in final.state.records] == [
        (e.step_index, e.reps) for e in events
    ]
    assert row.version > 2 + counted  # every counted rep was a change of its own
    (after,) = db.scalars(select(CheckIn).where(CheckIn.session_id == active.id)).all()
    assert (after.pain, after.effort, row.pain_after, row.effort) == (2, 4, 2, 4)


def started(db: Session, plan: SessionPlan = PLAN) -> tuple[int, int]:
    """The local user's session of ``plan``, started; its id and the user's."""
    user_id = local_user(db).id
    db.commit()
    active = start_session(db, user_id=user_id, plan=plan, now=datetime.now(UTC))
    send_event(
        db, session_id=active.id, user_id=user_id, kind=EventType.START, clock=SessionClock(1.0)
    )
    return active.id, user_id


class Holder:
    """A change in a thread of its own that takes the session's lock and keeps it until told."""

    def __init__(self, factory: sessionmaker[Session], session_id: int, user_id: int) -> None:
        self.holding = threading.Event()
        self.release = threading.Event()
        self.errors: list[BaseException] = []

        def hold(tx: SessionChange) -> None:
            tx.apply(RepDone(SessionClock(1.0).now()))
            self.holding.set()
            assert self.release.wait(20)

        def run() -> None:
            try:
                with factory() as own:
                    change_session(
                        own, session_id=session_id, user_id=user_id, now=now(), change=hold
                    )
            except BaseException as exc:
                self.errors.append(exc)

        self.thread = threading.Thread(target=run)
        self.thread.start()
        assert self.holding.wait(20), self.errors

    def done(self) -> None:
        self.release.set()
        self.thread.join(20)
        assert not self.errors


def now() -> datetime:
    return datetime.now(UTC)


def test_a_second_writer_waits_for_the_first_and_sees_what_it_wrote(
    engine: Engine, db: Session
) -> None:
    session_id, user_id = started(db)
    factory = session_factory(engine)
    first = Holder(factory, session_id, user_id)
    seen: list[int] = []
    errors: list[BaseException] = []

    def rep(tx: SessionChange) -> None:
        seen.append(tx.engine.state.reps_done)
        tx.apply(RepDone(SessionClock(1.0).now()))

    def second_writer() -> None:
        try:
            with factory() as own:
                change_session(own, session_id=session_id, user_id=user_id, now=now(), change=rep)
        except BaseException as exc:
            errors.append(exc)

    second = threading.Thread(target=second_writer)
    second.start()
    second.join(0.5)
    assert second.is_alive() and seen == []  # waiting for the database's lock, not reading
    first.done()
    second.join(20)
    assert errors == [] and seen == [1]  # it read what the first one wrote
    assert load_session(db, session_id=session_id).engine.state.reps_done == 2


def test_a_writer_kept_waiting_too_long_gives_up_and_changes_nothing(
    db: Session, db_settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    session_id, user_id = started(db)
    monkeypatch.setattr(store_db, "BUSY_TIMEOUT_MS", 300)  # set per connection, on both
    quick = make_engine(db_settings)
    try:
        factory = session_factory(quick)
        first = Holder(factory, session_id, user_id)
        runs: list[object] = []
        try:
            with factory() as own, pytest.raises(SessionBusy, match="busy"):
                change_session(
                    own,
                    session_id=session_id,
                    user_id=user_id,
                    now=now(),
                    change=lambda tx: runs.append(tx.apply(RepDone(SessionClock(1.0).now()))),
                )
        finally:
            first.done()
        assert runs == []
        assert load_session(db, session_id=session_id).engine.state.reps_done == 1
    finally:
        quick.dispose()


def test_a_change_that_changes_nothing_writes_nothing(db: Session) -> None:
    session_id, user_id = started(db)
    before = db.scalars(select(WorkoutSession.version).where(WorkoutSession.id == session_id)).one()
    changed = change_session(
        db, session_id=session_id, user_id=user_id, now=datetime.now(UTC), change=lambda tx: None
    )
    assert not changed.stored
    db.expire_all()
    after = db.scalars(select(WorkoutSession.version).where(WorkoutSession.id == session_id)).one()
    assert after == before
