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
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, select, update
from sqlalchemy.orm import Session

from backcoach.coach.engine import EndReason, RepDone, SessionEngine
from backcoach.coach.plan import PlannedStep, SessionPlan
from backcoach.content import Kind, Length
from backcoach.services import sessions as service
from backcoach.services.clock import SessionClock
from backcoach.services.session_events import EventType, send_event
from backcoach.services.sessions import (
    MAX_ATTEMPTS,
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
    session_factory,
)
from tests.integration.session_writers import Report, camera, page

SECONDS = 3.0  # of writing at once; the whole test stays well under 20 s per database
REPS = 12  # per step: a step completes every dozen reps
PLAN = SessionPlan(
    "two-writers",
    Length.SHORT,
    tuple(PlannedStep("squat", f"Squat {i + 1}", Kind.REPS, sets=1, reps=REPS) for i in range(60)),
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


def started(db: Session) -> tuple[int, int]:
    user_id = local_user(db).id
    db.commit()
    active = start_session(db, user_id=user_id, plan=PLAN, now=datetime.now(UTC))
    send_event(
        db, session_id=active.id, user_id=user_id, kind=EventType.START, clock=SessionClock(1.0)
    )
    return active.id, user_id


def another_writer_between_read_and_claim(
    engine: Engine, monkeypatch: pytest.MonkeyPatch, times: int
) -> list[int]:
    """After each of the next ``times`` reads, another connection commits a change first."""
    real_read = service.read_session
    raced: list[int] = []

    def read_then_lose_the_race(db: Session, **kw: Any) -> WorkoutSession | None:
        row = real_read(db, **kw)
        if row is not None and len(raced) < times:
            with session_factory(engine)() as other:
                other.execute(
                    update(WorkoutSession)
                    .where(WorkoutSession.id == row.id)
                    .values(version=WorkoutSession.version + 1)
                )
                other.commit()
            raced.append(row.version)
        return row

    monkeypatch.setattr(service, "read_session", read_then_lose_the_race)
    return raced


def test_a_change_that_loses_the_race_reads_again_and_runs_once(
    engine: Engine, db: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    session_id, user_id = started(db)
    raced = another_writer_between_read_and_claim(engine, monkeypatch, times=2)
    runs: list[int] = []

    def rep(tx: SessionChange) -> None:
        runs.append(tx.row.version)
        tx.apply(RepDone(SessionClock(1.0).now()))

    changed = change_session(
        db, session_id=session_id, user_id=user_id, now=datetime.now(UTC), change=rep
    )
    assert raced == [2, 3]  # read version 2, then 3: both times someone else won
    assert runs == [5]  # the change ran once, on the row as it was after both
    assert changed.stored and changed.active.engine.state.reps_done == 1
    assert load_session(db, session_id=session_id).engine.state.reps_done == 1


def test_a_change_that_always_loses_gives_up_and_changes_nothing(
    engine: Engine, db: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    session_id, user_id = started(db)
    raced = another_writer_between_read_and_claim(engine, monkeypatch, times=MAX_ATTEMPTS)
    runs: list[object] = []
    with pytest.raises(SessionBusy, match="busy"):
        change_session(
            db,
            session_id=session_id,
            user_id=user_id,
            now=datetime.now(UTC),
            change=lambda tx: runs.append(tx.apply(RepDone(SessionClock(1.0).now()))),
        )
    assert len(raced) == MAX_ATTEMPTS and runs == []
    assert load_session(db, session_id=session_id).engine.state.reps_done == 0


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
