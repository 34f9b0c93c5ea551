"""The page caches (today's plan, the history) and the users' revision they are keyed by.

On SQLite and on a real PostgreSQL: every tracked write bumps the writer's
revision once, in its own transaction, and a read, a tick or a rollback does
not; a write through any writer (the web form, the API, a CLI command, an
import, another connection writing through the services) shows on the next
request; the cache never answers for another user or another day.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta

import httpx
import pytest
from sqlalchemy import Engine, event, select
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from backcoach.cli import app
from backcoach.coach.planner import Refusal
from backcoach.coach.safety import QUESTIONS
from backcoach.config import Settings, get_settings
from backcoach.content import Length, default_catalog
from backcoach.services.history import history_summary
from backcoach.services.planning import todays_plan
from backcoach.services.safety import save_screening
from backcoach.services.session_start import DEFAULT_PROGRAM
from backcoach.store import (
    CheckinPhase,
    SessionStatus,
    StepStatus,
    User,
    add_checkin,
    add_habit_log,
    add_questionnaire_response,
    add_session,
    delete_step_event,
    local_user,
    put_step_event,
    session_factory,
    set_setting,
)
from backcoach.store.revision import for_one_request, user_revision
from backcoach.store.sessions import lock_session, write_snapshot
from tests.e2e.live_server import LiveServer, running_server

T0 = datetime(2026, 3, 2, 8, 30, tzinfo=UTC)
DAY = date(2026, 3, 2)
CLEAR = {q.id: False for q in QUESTIONS}
PLAN = {"steps": [{"exercise_id": "bird-dog", "variant": "standard", "sets": 1, "reps": 6}]}
runner = CliRunner()


def revision_of(engine: Engine, user_id: int) -> int:
    """The revision as another connection sees it (committed only)."""
    with engine.connect() as connection:
        return int(connection.execute(select(User.revision).where(User.id == user_id)).scalar_one())


def new_user(engine: Engine, name: str = "local") -> int:
    with session_factory(engine)() as db:
        user_id = local_user(db, name=name, now=T0).id
        db.commit()
    return user_id


def plan(engine: Engine, user_id: int, today: date = DAY) -> object:
    with session_factory(engine)() as db:
        return todays_plan(
            db, default_catalog(), today=today, program_id=DEFAULT_PROGRAM,
            length=Length.SHORT, user_id=user_id,
        )  # fmt: skip


def test_each_tracked_write_bumps_the_revision_and_reads_ticks_and_rollbacks_do_not(
    engine: Engine,
) -> None:
    uid = new_user(engine)
    factory = session_factory(engine)
    expected = revision_of(engine, uid)
    assert expected == 0

    def bumped_by(write: str) -> None:
        nonlocal expected
        expected += 1
        assert revision_of(engine, uid) == expected, write

    def unchanged_by(what: str) -> None:
        assert revision_of(engine, uid) == expected, what

    with factory() as db:  # the pages' reads
        plan(engine, uid)
        history_summary(db, today=DAY, user_id=uid)
        db.commit()
    unchanged_by("reading the plan and the history")

    with factory() as db:
        save_screening(db, user_id=uid, answers=CLEAR, now=T0)  # commits
    bumped_by("a screening")
    with factory() as db:
        add_questionnaire_response(
            db, user_id=uid, name="startback", taken_at=T0, answers={}, scores={"total": 1}
        )
        db.commit()
    bumped_by("a questionnaire")
    with factory() as db:
        add_checkin(db, user_id=uid, at=T0, phase=CheckinPhase.BEFORE, pain=3)
        db.commit()
    bumped_by("a check-in")
    with factory() as db:
        set_setting(db, user_id=uid, key="pain_limit", value=4)
        db.commit()
    bumped_by("a setting")
    with factory() as db:
        session_id = add_session(
            db, user_id=uid, program_id=DEFAULT_PROGRAM, length="short", plan=PLAN,
            started_at=T0, snapshot={"t": 0},
        ).id  # fmt: skip
        db.commit()
    bumped_by("a new session")
    with factory() as db:
        row = lock_session(db, session_id=session_id)
        assert row is not None
        row.snapshot = {"t": 1}  # what a tick of the player writes
        db.commit()
    unchanged_by("a tick (snapshot and version only)")
    with factory() as db:
        row = lock_session(db, session_id=session_id)
        assert row is not None
        write_snapshot(db, row, {"t": 2})  # the player's tick, as the service writes it
        db.commit()
    unchanged_by("a tick's snapshot written on its own")
    with factory() as db:
        assert lock_session(db, session_id=session_id) is not None
        put_step_event(
            db, session_id=session_id, step_index=0, exercise_id="bird-dog",
            variant="standard", status=StepStatus.COMPLETED, at=T0,
        )  # fmt: skip
        db.commit()
    bumped_by("a step event")
    with factory() as db:
        assert delete_step_event(db, session_id=session_id, step_index=0)
        db.commit()
    bumped_by("a step event taken back")
    with factory() as db:
        row = lock_session(db, session_id=session_id)
        assert row is not None
        row.status, row.ended_at, row.pain_after = SessionStatus.COMPLETED, T0, 2
        db.commit()
    bumped_by("a session finished")
    with factory() as db:
        add_checkin(db, user_id=uid, at=T0, phase=CheckinPhase.BEFORE, pain=3)
        db.flush()
        db.rollback()
    unchanged_by("a check-in rolled back")
    with factory() as db:
        add_habit_log(db, user_id=uid, day=DAY, at=T0, kind="walk", amount=10)
        db.commit()
    bumped_by("a habit (the history and Today show them)")
    with factory() as db:  # two writes in one transaction: one bump
        add_checkin(db, user_id=uid, at=T0, phase=CheckinPhase.BEFORE, pain=4)
        set_setting(db, user_id=uid, key="pain_limit", value=5)
        db.commit()
    bumped_by("two writes in one transaction")


def test_a_write_from_another_connection_shows_on_the_next_plan_and_history(
    engine: Engine,
) -> None:
    uid = new_user(engine)
    first = plan(engine, uid)
    assert plan(engine, uid) is first  # kept
    assert getattr(first, "refusal", None) is Refusal.NO_SCREENING

    with session_factory(engine)() as other:  # another process's connection, through services
        save_screening(other, user_id=uid, answers=CLEAR, now=T0)
    after = plan(engine, uid)
    assert getattr(after, "refusal", None) is None and getattr(after, "plan", None) is not None

    with session_factory(engine)() as db:
        empty = history_summary(db, today=DAY, user_id=uid)
        assert history_summary(db, today=DAY, user_id=uid) is empty
    assert empty.sessions == ()
    with session_factory(engine)() as other:
        add_session(other, user_id=uid, program_id=DEFAULT_PROGRAM, length="short", plan=PLAN,
                    started_at=T0, status=SessionStatus.COMPLETED)  # fmt: skip
        other.commit()
    with session_factory(engine)() as db:
        assert len(history_summary(db, today=DAY, user_id=uid).sessions) == 1


def test_uncommitted_writes_in_the_same_session_are_seen_and_not_cached(engine: Engine) -> None:
    uid = new_user(engine)
    assert getattr(plan(engine, uid), "refusal", None) is Refusal.NO_SCREENING
    with session_factory(engine)() as db:
        add_checkin(db, user_id=uid, at=T0, phase=CheckinPhase.BEFORE, pain=3)  # flushed only
        save_screening(db, user_id=uid, answers=CLEAR, now=T0)
    with session_factory(engine)() as db:
        add_session(db, user_id=uid, program_id=DEFAULT_PROGRAM, length="short", plan=PLAN,
                    started_at=T0, status=SessionStatus.COMPLETED)  # fmt: skip
        db.flush()
        seen = history_summary(db, today=DAY, user_id=uid)
        assert len(seen.sessions) == 1  # this session's own write, not the cached answer
        db.rollback()
        assert history_summary(db, today=DAY, user_id=uid).sessions == ()


def test_the_cache_never_answers_for_another_user_or_another_day(engine: Engine) -> None:
    alice, bob = new_user(engine, "alice"), new_user(engine, "bob")
    with session_factory(engine)() as db:
        save_screening(db, user_id=alice, answers=CLEAR, now=T0)
    assert revision_of(engine, alice) == 1 and revision_of(engine, bob) == 0
    assert getattr(plan(engine, alice), "plan", None) is not None
    assert getattr(plan(engine, bob), "refusal", None) is Refusal.NO_SCREENING

    with session_factory(engine)() as db:
        add_session(db, user_id=alice, program_id=DEFAULT_PROGRAM, length="short", plan=PLAN,
                    started_at=T0, status=SessionStatus.COMPLETED)  # fmt: skip
        db.commit()
        on_the_day = history_summary(db, today=DAY, user_id=alice)
        next_day = history_summary(db, today=DAY + timedelta(days=1), user_id=alice)
        assert history_summary(db, today=DAY, user_id=bob).sessions == ()
    assert (on_the_day.today, next_day.today) == (DAY, DAY + timedelta(days=1))
    assert on_the_day.current_streak == 1 and next_day.current_streak == 1
    with session_factory(engine)() as db:
        two_days_on = history_summary(db, today=DAY + timedelta(days=2), user_id=alice)
    assert two_days_on.current_streak == 0  # the streak ends: not yesterday's answer

    monday, tuesday = plan(engine, alice, DAY), plan(engine, alice, DAY + timedelta(days=1))
    assert monday is plan(engine, alice, DAY) and tuesday is not monday


def test_a_user_made_again_after_delete_all_gets_no_answer_of_the_old_one(engine: Engine) -> None:
    uid = new_user(engine)
    with session_factory(engine)() as db:
        save_screening(db, user_id=uid, answers=CLEAR, now=T0)
    assert getattr(plan(engine, uid), "plan", None) is not None
    with session_factory(engine)() as db:
        db.delete(db.get(User, uid))
        db.commit()
        again = local_user(db)  # created now, maybe with the same id (SQLite)
        db.commit()
    assert getattr(plan(engine, again.id), "refusal", None) is Refusal.NO_SCREENING


def test_a_request_reads_the_revision_once_and_again_after_its_own_commit(
    engine: Engine,
) -> None:
    uid = new_user(engine)
    statements: list[str] = []

    def note(_conn: object, _cursor: object, statement: str, *_args: object) -> None:
        statements.append(statement)

    with session_factory(engine)() as db:
        for_one_request(db)
        user = db.get(User, uid)  # the request's user, as ``current_user`` loads and keeps it
        assert user is not None
        event.listen(engine, "before_cursor_execute", note)
        try:
            first = user_revision(db, user_id=uid)
            assert first is not None and user_revision(db, user_id=uid) == first
            assert statements == []  # from the row already loaded
            add_checkin(db, user_id=uid, at=T0, phase=CheckinPhase.BEFORE, pain=3)
            db.commit()
            statements.clear()
            after = user_revision(db, user_id=uid)
            assert after is not None and after.number == first.number + 1
            assert len(statements) == 1  # the loaded row is older than the bump: read again
        finally:
            event.remove(engine, "before_cursor_execute", note)
    with session_factory(engine)() as long_lived:  # not one request's: read every time
        assert db_revision_read_each_time(long_lived, engine, uid)


def db_revision_read_each_time(db: Session, engine: Engine, uid: int) -> bool:
    seen = user_revision(db, user_id=uid)
    with session_factory(engine)() as other:
        add_checkin(other, user_id=uid, at=T0, phase=CheckinPhase.AFTER, pain=2)
        other.commit()
    again = user_revision(db, user_id=uid)
    return seen is not None and again is not None and again.number == seen.number + 1


# --- through the running app -------------------------------------------------


@pytest.fixture
def live(db_settings: Settings, monkeypatch: pytest.MonkeyPatch) -> Iterator[LiveServer]:
    monkeypatch.setenv("BACKCOACH_DATABASE_URL", db_settings.effective_database_url)
    monkeypatch.setenv("BACKCOACH_DATA_DIR", str(db_settings.data_dir))
    get_settings.cache_clear()
    with running_server(db_settings) as server:
        yield server
    get_settings.cache_clear()


@pytest.fixture
def client(live: LiveServer) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=live.url, timeout=10) as client:
        client.get("/")  # the user and the CSRF cookie
        yield client


def form_headers(live: LiveServer, client: httpx.Client) -> dict[str, str]:
    return {
        "Origin": live.url,
        "Sec-Fetch-Site": "same-origin",
        "X-CSRF-Token": client.cookies["backcoach_csrf"],
    }


def test_every_writer_shows_on_the_next_request(
    live: LiveServer, client: httpx.Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    def refusal() -> object:
        return client.get("/api/v1/plan").json()["refusal"]

    def rows_shown() -> int:
        page = client.get("/history").text
        return page.count('<span class="result-') + page.count(">in progress: resume</a>")

    assert refusal() == "no-screening" and refusal() == "no-screening"  # the second is kept

    # a CLI command (its own store session, as from another process)
    said = runner.invoke(app, ["screening"], input="n\n" * len(QUESTIONS))
    assert said.exit_code == 0, said.output
    assert refusal() is None

    # the web form: a red flag, then clear again
    red_flag = {**dict.fromkeys(CLEAR, "no"), QUESTIONS[0].id: "yes"}
    sent = client.post("/screening", data=red_flag, headers=form_headers(live, client),
                       follow_redirects=False)  # fmt: skip
    assert sent.status_code == 303
    assert refusal() == "red-flag"
    sent = client.post("/screening", data=dict.fromkeys(CLEAR, "no"),
                       headers=form_headers(live, client), follow_redirects=False)  # fmt: skip
    assert sent.status_code == 303
    assert refusal() is None

    # the API: a session started shows in the history at once, then finished
    assert "in progress" not in client.get("/history").text
    started = client.post("/api/v1/sessions", json={"pain_before": 2})
    assert started.status_code == 201, started.text
    session_id = started.json()["session_id"]
    assert "in progress" in client.get("/history").text
    finished = client.post(f"/api/v1/sessions/{session_id}/finish",
                           json={"pain_after": 2, "effort": 3})  # fmt: skip
    assert finished.status_code == 200, finished.text
    assert "in progress" not in client.get("/history").text
    shown = rows_shown()

    # an import (Core bulk inserts) through the API: the same sessions, a year before
    document = client.get("/api/v1/export").json()
    for row in document["tables"]["sessions"]:
        row["started_at"] = f"{int(row['started_at'][:4]) - 1}{row['started_at'][4:]}"
    imported = client.post(
        "/api/v1/import", files={"file": ("earlier.json", json.dumps(document).encode())}
    )
    assert imported.status_code == 200, imported.text
    assert imported.json()["sessions"] == 1
    assert rows_shown() == shown + 1

    # over midnight: tomorrow's plan and history are worked out for tomorrow
    tomorrow = date.today() + timedelta(days=1)
    monkeypatch.setattr("backcoach.services.session_start.local_today", lambda: tomorrow)
    monkeypatch.setattr("backcoach.web.pages.history.local_today", lambda: tomorrow)
    assert client.get("/api/v1/plan").status_code == 200
    assert tomorrow.strftime("%Y") in client.get("/history").text
