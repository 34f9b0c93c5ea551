"""The store and the session service on a real SQLite file and a real PostgreSQL."""

from __future__ import annotations

import os
from datetime import UTC, date, datetime, timedelta, timezone
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Engine, inspect, select
from sqlalchemy.exc import IntegrityError, StatementError
from sqlalchemy.orm import Session

from backcoach.coach.engine import Back, RepDone, Skip, Start
from backcoach.coach.plan import PlannedStep, SessionPlan, VariantLevel
from backcoach.config import Settings
from backcoach.content import Kind, Length
from backcoach.errors import UsageError
from backcoach.services import sessions as service
from backcoach.services.export import TABLES as EXPORTED_TABLES
from backcoach.store import (
    Base,
    CheckinPhase,
    PainLocation,
    ScreeningOutcome,
    SessionStatus,
    StepEvent,
    StepSource,
    StepStatus,
    StoreError,
    WorkoutSession,
    add_checkin,
    add_habit_log,
    add_questionnaire_response,
    add_screening,
    add_session,
    all_settings,
    backup_database,
    current_revision,
    delete_step_event,
    delete_user_data,
    get_setting,
    head_revision,
    latest_in_progress,
    latest_questionnaire_response,
    latest_screening,
    list_checkins,
    list_habit_logs,
    list_questionnaire_responses,
    list_sessions,
    list_step_events,
    local_user,
    make_engine,
    put_step_event,
    session_factory,
    session_start_times,
    set_setting,
    upgrade_engine,
)
from backcoach.store.sessions import LocalOwner, lock_session, read_session, write_snapshot
from tests.integration.old_schema import add_rows_at_0001

T0 = datetime(2026, 3, 2, 8, 30, tzinfo=UTC)
TABLES = {"users", *EXPORTED_TABLES}


def make_plan(n_steps: int = 4) -> SessionPlan:
    ids = ["deep-breathing", "bird-dog", "glute-bridge", "superman", "relaxation"]
    return SessionPlan(
        program_id="home-back",
        length=Length.SHORT,
        steps=tuple(
            PlannedStep(
                exercise_id=ids[i % len(ids)],
                name=f"Step {i + 1}",
                kind=Kind.REPS,
                sets=1,
                reps=2,
                variant=VariantLevel.EASIER if i == 1 else VariantLevel.STANDARD,
                notes=("easier after pain",) if i == 1 else (),
            )
            for i in range(n_steps)
        ),
    )


@pytest.fixture
def user_id(db: Session) -> int:
    user = local_user(db, now=T0)
    db.commit()
    return user.id


def fresh(engine: Engine) -> Session:
    """A new session, as another process would open it."""
    return session_factory(engine)()


# --- migrations ---------------------------------------------------------------


def test_upgrade_from_empty_creates_every_table_at_head(db_settings: Settings) -> None:
    engine = make_engine(db_settings)
    try:
        assert current_revision(engine) is None
        assert upgrade_engine(engine) == head_revision()
        assert set(inspect(engine).get_table_names()) >= TABLES
        assert upgrade_engine(engine) == head_revision()  # a second upgrade is a no-op
        with engine.connect() as connection:
            context = MigrationContext.configure(connection, opts={"compare_type": True})
            assert compare_metadata(context, Base.metadata) == []
    finally:
        engine.dispose()


def test_upgrade_from_the_first_revision_keeps_the_data(db_settings: Settings) -> None:
    engine = make_engine(db_settings)
    try:
        assert upgrade_engine(engine, "0001") == "0001"
        user_id = add_rows_at_0001(engine, program_id="p")
        assert upgrade_engine(engine) == head_revision()
        indexes = {i["name"] for i in inspect(engine).get_indexes("sessions")}
        assert "ix_sessions_user_status_started" in indexes
        with session_factory(engine)() as db:
            assert session_start_times(db, user_id=user_id, status=SessionStatus.COMPLETED) == [T0]
    finally:
        engine.dispose()


# --- users, datetimes, constraints ----------------------------------------------


def test_local_user_is_created_once(engine: Engine) -> None:
    with fresh(engine) as first:
        created = local_user(first, now=T0)
        first.commit()
    with fresh(engine) as second:
        again = local_user(second)
        assert again.id == created.id
        assert again.created_at == T0


def test_datetimes_come_back_aware_in_utc(db: Session, user_id: int) -> None:
    plus_two = timezone(timedelta(hours=2))
    row = add_session(
        db,
        user_id=user_id,
        program_id="p",
        length="short",
        plan={"steps": []},
        started_at=datetime(2026, 3, 2, 10, 30, tzinfo=plus_two),
    )
    db.commit()
    db.expunge_all()
    loaded = db.get(WorkoutSession, row.id)
    assert loaded is not None
    assert loaded.started_at == T0
    assert loaded.started_at.utcoffset() == timedelta(0)


def test_naive_datetimes_are_refused(db: Session, user_id: int) -> None:
    add_session(db, user_id=user_id, program_id="p", length="short", plan={}, started_at=T0)
    row = db.scalars(select(WorkoutSession)).one()
    row.ended_at = datetime(2026, 3, 2, 9, 0)
    with pytest.raises(StatementError, match="naive datetime"):
        db.flush()


def test_pain_outside_0_to_10_is_refused_by_the_database(db: Session, user_id: int) -> None:
    with pytest.raises(IntegrityError):
        add_checkin(db, user_id=user_id, at=T0, phase=CheckinPhase.BEFORE, pain=11)


# --- repository functions ------------------------------------------------------------


def test_step_events_are_upserted_per_step_and_can_be_removed(db: Session, user_id: int) -> None:
    session = add_session(
        db, user_id=user_id, program_id="p", length="full", plan={}, started_at=T0
    )
    for index, status in [(1, StepStatus.SKIPPED), (0, StepStatus.COMPLETED)]:
        put_step_event(
            db,
            session_id=session.id,
            step_index=index,
            exercise_id="bird-dog",
            variant="standard",
            status=status,
            reps=3,
            at=T0,
        )
    put_step_event(
        db,
        session_id=session.id,
        step_index=1,
        exercise_id="bird-dog",
        variant="harder",
        status=StepStatus.COMPLETED,
        reps=6,
        hold_s=2.5,
        duration_s=40.0,
        source=StepSource.CAMERA,
        at=T0 + timedelta(minutes=1),
    )
    db.commit()
    events = list_step_events(db, session_id=session.id)
    assert [(e.step_index, e.status, e.reps, e.variant) for e in events] == [
        (0, StepStatus.COMPLETED, 3, "standard"),
        (1, StepStatus.COMPLETED, 6, "harder"),
    ]
    assert events[1].source is StepSource.CAMERA
    assert delete_step_event(db, session_id=session.id, step_index=0)
    assert not delete_step_event(db, session_id=session.id, step_index=0)
    db.commit()
    assert [e.step_index for e in list_step_events(db, session_id=session.id)] == [1]


def test_list_sessions_filters_and_orders(db: Session, user_id: int) -> None:
    for day in (3, 1, 2):
        add_session(
            db,
            user_id=user_id,
            program_id=f"day{day}",
            length="short",
            plan={},
            started_at=T0 + timedelta(days=day),
            status=SessionStatus.COMPLETED if day != 2 else SessionStatus.IN_PROGRESS,
        )
    db.commit()
    assert [s.program_id for s in list_sessions(db, user_id=user_id)] == ["day1", "day2", "day3"]
    newest = list_sessions(db, user_id=user_id, newest_first=True, limit=2)
    assert [s.program_id for s in newest] == ["day3", "day2"]
    since = list_sessions(
        db,
        user_id=user_id,
        since=T0 + timedelta(days=2),
        statuses=[SessionStatus.COMPLETED],
    )
    assert [s.program_id for s in since] == ["day3"]
    in_progress = latest_in_progress(db, user_id=user_id)
    assert in_progress is not None and in_progress.program_id == "day2"


def test_session_start_times_are_aware_utc_and_ordered(db: Session, user_id: int) -> None:
    plus_five = timezone(timedelta(hours=5, minutes=30))
    starts = [
        T0 + timedelta(days=2, microseconds=17),
        T0,
        T0.astimezone(plus_five) + timedelta(hours=1),
    ]
    for i, started in enumerate(starts):
        add_session(db, user_id=user_id, program_id="p", length="short", plan={},
                    started_at=started,
                    status=SessionStatus.QUIT if i == 1 else SessionStatus.COMPLETED)  # fmt: skip
    db.commit()
    assert session_start_times(db, user_id=user_id) == sorted(starts)
    completed = session_start_times(db, user_id=user_id, status=SessionStatus.COMPLETED)
    assert completed == [T0 + timedelta(hours=1), T0 + timedelta(days=2, microseconds=17)]
    assert all(t.tzinfo is UTC for t in completed)


def test_screenings_checkins_questionnaires_habits_settings(db: Session, user_id: int) -> None:
    add_screening(
        db,
        user_id=user_id,
        taken_at=T0,
        answers={"saddle_numbness": False},
        red_flags=[],
        outcome=ScreeningOutcome.CLEAR,
    )
    add_screening(
        db,
        user_id=user_id,
        taken_at=T0 + timedelta(days=28),
        answers={"saddle_numbness": True},
        red_flags=["saddle_numbness"],
        outcome=ScreeningOutcome.RED_FLAG,
    )
    session = add_session(
        db, user_id=user_id, program_id="p", length="full", plan={}, started_at=T0
    )
    add_checkin(db, user_id=user_id, at=T0, phase=CheckinPhase.BEFORE, pain=3,
                session_id=session.id)  # fmt: skip
    add_checkin(db, user_id=user_id, at=T0 + timedelta(minutes=20), phase=CheckinPhase.AFTER,
                pain=2, effort=5, session_id=session.id, location=PainLocation.NECK)  # fmt: skip
    add_checkin(db, user_id=user_id, at=T0 + timedelta(days=1), phase=CheckinPhase.BEFORE, pain=1)
    for weeks, total in [(0, 5), (2, 3)]:
        add_questionnaire_response(
            db,
            user_id=user_id,
            name="start-back",
            taken_at=T0 + timedelta(weeks=weeks),
            answers={"q1": 1, "q9": "slightly"},
            scores={"total": total, "psychosocial": 2, "risk": "low"},
        )
    add_habit_log(db, user_id=user_id, day=date(2026, 3, 2), at=T0, kind="walk", amount=12.5)
    add_habit_log(db, user_id=user_id, day=date(2026, 3, 3), at=T0 + timedelta(days=1),
                  kind="posture_alert", amount=1, source="camera")  # fmt: skip
    set_setting(db, user_id=user_id, key="pain_limit", value=4)
    set_setting(db, user_id=user_id, key="reminders", value={"break_min": 50, "on": True})
    set_setting(db, user_id=user_id, key="pain_limit", value=6)
    db.commit()
    db.expunge_all()

    latest = latest_screening(db, user_id=user_id)
    assert latest is not None
    assert latest.outcome is ScreeningOutcome.RED_FLAG
    assert latest.red_flags == ["saddle_numbness"]
    assert [c.pain for c in list_checkins(db, user_id=user_id, session_id=session.id)] == [3, 2]
    after = list_checkins(db, user_id=user_id, phase=CheckinPhase.AFTER)
    assert [(c.effort, c.location) for c in after] == [(5, PainLocation.NECK)]
    responses = list_questionnaire_responses(db, user_id=user_id, name="start-back")
    assert [r.scores["total"] for r in responses] == [5, 3]
    newest = latest_questionnaire_response(db, user_id=user_id, name="start-back")
    assert newest is not None and newest.answers == {"q1": 1, "q9": "slightly"}
    walks = list_habit_logs(db, user_id=user_id, kind="walk")
    assert [(w.day, w.amount) for w in walks] == [(date(2026, 3, 2), 12.5)]
    assert len(list_habit_logs(db, user_id=user_id, since=date(2026, 3, 3))) == 1
    assert get_setting(db, user_id=user_id, key="pain_limit") == 6
    assert get_setting(db, user_id=user_id, key="missing", default="x") == "x"
    assert all_settings(db, user_id=user_id) == {
        "pain_limit": 6,
        "reminders": {"break_min": 50, "on": True},
    }
    set_setting(db, user_id=user_id, key="pain_limit", value=None)
    db.commit()
    assert "pain_limit" not in all_settings(db, user_id=user_id)


def test_deleting_user_data_removes_every_row(engine: Engine, db: Session, user_id: int) -> None:
    active = service.start_session(db, user_id=user_id, plan=make_plan(), now=T0)
    service.apply_event(db, active=active, event=Start(0.0), now=T0)
    for t in (1.0, 2.0):
        service.apply_event(db, active=active, event=RepDone(t), now=T0)
    add_checkin(db, user_id=user_id, at=T0, phase=CheckinPhase.BEFORE, pain=2,
                session_id=active.id)  # fmt: skip
    set_setting(db, user_id=user_id, key="k", value=[1])
    db.commit()
    delete_user_data(db, user_id=user_id)
    db.commit()
    with engine.connect() as connection:
        for table in TABLES:
            rows = connection.exec_driver_sql(f"SELECT count(*) FROM {table}").scalar()
            assert rows == 0, table


# --- the session service ---------------------------------------------------------------


def test_plan_json_round_trip() -> None:
    plan = make_plan()
    assert service.plan_from_json(service.plan_to_json(plan)) == plan


def _complete_step(db: Session, active: service.ActiveSession, t: float) -> float:
    for _ in range(2):
        t += 1.0
        service.apply_event(db, active=active, event=RepDone(t), now=T0 + timedelta(seconds=t))
    return t


def test_each_completed_step_is_committed_and_resumes_after_a_crash(
    engine: Engine, db: Session, user_id: int
) -> None:
    active = service.start_session(db, user_id=user_id, plan=make_plan(4), now=T0, pain_before=3)
    service.apply_event(db, active=active, event=Start(0.0), now=T0)
    t = _complete_step(db, active, 0.0)
    service.apply_event(db, active=active, event=Skip(t + 1), now=T0)
    service.apply_event(db, active=active, event=RepDone(t + 2), now=T0)  # half of step 3
    # the process dies here: a new process sees both recorded steps
    with fresh(engine) as other:
        events = list_step_events(other, session_id=active.id)
        assert [(e.step_index, e.status) for e in events] == [
            (0, StepStatus.COMPLETED),
            (1, StepStatus.SKIPPED),
        ]
        assert events[0].reps == 2 and events[0].exercise_id == "deep-breathing"
        assert events[1].variant == "easier"
        offer = service.find_resumable(other, user_id=user_id)
        assert offer is not None
        assert (offer.session_id, offer.resume_index, offer.steps_total) == (active.id, 2, 4)
        assert offer.step_name == "Step 3"

        resumed = service.resume_session(other, session_id=offer.session_id)
        service.apply_event(other, active=resumed, event=Start(100.0), now=T0)
        assert resumed.engine.state.step_index == 2
        t = _complete_step(other, resumed, 100.0)
        t = _complete_step(other, resumed, t)
        assert resumed.engine.state.finished
        summary = service.finish_session(
            other, session_id=resumed.id, now=T0 + timedelta(minutes=15), pain_after=2, effort=4
        )
    assert summary.status is SessionStatus.COMPLETED
    assert (summary.steps_completed, summary.steps_skipped, summary.steps_total) == (3, 1, 4)
    assert summary.reps == 6
    assert (summary.pain_before, summary.pain_after, summary.effort) == (3, 2, 4)
    with fresh(engine) as later:
        assert service.find_resumable(later, user_id=user_id) is None
        row = later.get(WorkoutSession, active.id)
        assert row is not None and row.ended_at is not None


def test_loading_a_session_restores_the_engine_mid_step(
    engine: Engine, db: Session, user_id: int
) -> None:
    active = service.start_session(db, user_id=user_id, plan=make_plan(2), now=T0)
    service.apply_event(db, active=active, event=Start(0.0), now=T0)
    service.apply_event(db, active=active, event=RepDone(1.0), now=T0)
    with fresh(engine) as other:
        loaded = service.load_session(other, session_id=active.id, user_id=user_id)
        assert loaded.engine.state == active.engine.state
        assert loaded.plan == active.plan


def test_going_back_removes_the_reopened_steps_record(db: Session, user_id: int) -> None:
    active = service.start_session(db, user_id=user_id, plan=make_plan(3), now=T0)
    service.apply_event(db, active=active, event=Start(0.0), now=T0)
    _complete_step(db, active, 0.0)
    assert len(list_step_events(db, session_id=active.id)) == 1
    service.apply_event(db, active=active, event=Back(10.0), now=T0)
    assert list_step_events(db, session_id=active.id) == []


def test_abandoned_and_finished_sessions_are_not_offered(db: Session, user_id: int) -> None:
    first = service.start_session(db, user_id=user_id, plan=make_plan(), now=T0)
    service.abandon_session(db, session_id=first.id, now=T0)
    assert service.find_resumable(db, user_id=user_id) is None
    with pytest.raises(UsageError, match="abandoned"):
        service.resume_session(db, session_id=first.id)
    second = service.start_session(db, user_id=user_id, plan=make_plan(1), now=T0)
    service.apply_event(db, active=second, event=Start(0.0), now=T0)
    _complete_step(db, second, 0.0)
    row = db.get(WorkoutSession, second.id)
    assert row is not None and row.status is SessionStatus.COMPLETED
    assert service.find_resumable(db, user_id=user_id) is None


def test_unknown_session_is_a_usage_error(db: Session, user_id: int) -> None:
    with pytest.raises(UsageError, match="no session 999"):
        service.load_session(db, session_id=999)


def test_quitting_marks_the_session_quit(db: Session, user_id: int) -> None:
    active = service.start_session(db, user_id=user_id, plan=make_plan(3), now=T0)
    service.apply_event(db, active=active, event=Start(0.0), now=T0)
    summary = service.finish_session(db, session_id=active.id, now=T0 + timedelta(minutes=2))
    assert summary.status is SessionStatus.QUIT
    assert db.scalars(select(StepEvent)).all() == []


def test_the_local_owners_lock_takes_only_the_local_users_sessions(
    db: Session, user_id: int
) -> None:
    someone = local_user(db, name="someone else", now=T0)
    db.commit()
    mine = service.start_session(db, user_id=user_id, plan=make_plan(2), now=T0).id
    theirs = service.start_session(db, user_id=someone.id, plan=make_plan(2), now=T0).id
    assert lock_session(db, session_id=mine, user_id=LocalOwner.LOCAL) is not None
    db.rollback()
    assert lock_session(db, session_id=theirs, user_id=LocalOwner.LOCAL) is None
    db.rollback()
    assert lock_session(db, session_id=theirs, user_id=someone.id) is not None
    db.rollback()


def test_a_snapshot_written_alone_is_stored_as_if_flushed(
    engine: Engine, db: Session, user_id: int
) -> None:
    session_id = service.start_session(db, user_id=user_id, plan=make_plan(2), now=T0).id
    row = lock_session(db, session_id=session_id, user_id=user_id)
    assert row is not None
    write_snapshot(db, row, {"t": 7.5})
    assert row.snapshot == {"t": 7.5} and not db.is_modified(row)
    db.commit()
    with fresh(engine) as other:
        stored = read_session(other, session_id=session_id)
        assert stored is not None and stored.snapshot == {"t": 7.5}


# --- damaged files and backups (SQLite only) ---------------------------------------------


def test_a_damaged_database_file_is_never_touched(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path)
    path = tmp_path / "backcoach.db"
    garbage = os.urandom(8192)
    path.write_bytes(garbage)
    with pytest.raises(StoreError) as caught:
        make_engine(settings)
    message = str(caught.value)
    assert str(path) in message
    assert "backup" in message and "move the file away" in message
    assert path.read_bytes() == garbage
    assert sorted(p.name for p in tmp_path.iterdir()) == ["backcoach.db"]


def test_backup_is_a_consistent_copy_and_never_overwrites(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path / "data")
    engine = make_engine(settings)
    upgrade_engine(engine)
    with session_factory(engine)() as db:
        user = local_user(db, now=T0)
        add_session(db, user_id=user.id, program_id="p", length="short", plan={}, started_at=T0)
        db.commit()
        copy = backup_database(settings, target=tmp_path / "copy.db", now=T0)
    engine.dispose()
    copy_engine = make_engine(Settings(data_dir=tmp_path, database_url=f"sqlite:///{copy}"))
    with session_factory(copy_engine)() as db:
        assert [s.program_id for s in db.scalars(select(WorkoutSession))] == ["p"]
    copy_engine.dispose()
    with pytest.raises(UsageError, match="already exists"):
        backup_database(settings, target=copy, now=T0)
    into_folder = backup_database(settings, target=tmp_path, now=T0)
    assert into_folder == tmp_path / "backcoach-20260302-083000.db"


@pytest.mark.postgres
def test_backup_of_postgresql_points_to_pg_dump(postgres_url: str, tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path, database_url=postgres_url)
    with pytest.raises(UsageError, match="pg_dump"):
        backup_database(settings, target=None, now=T0)
