"""History, export, import, delete and the `backcoach db` commands, on SQLite and PostgreSQL."""

from __future__ import annotations

import csv
import io
import json
import os
import socket
import zipfile
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from backcoach.cli import app
from backcoach.coach.engine import Hurt, RepDone, Skip, Start
from backcoach.config import Settings, get_settings
from backcoach.errors import BackcoachError
from backcoach.services import sessions as service
from backcoach.services.export import (
    TABLES,
    dump_json,
    export_tables,
    import_document,
    parse_export,
)
from backcoach.services.history import history_summary, streaks
from backcoach.store import (
    CheckinPhase,
    PainLocation,
    ScreeningOutcome,
    StepEvent,
    WorkoutSession,
    add_checkin,
    add_habit_log,
    add_questionnaire_response,
    add_screening,
    head_revision,
    local_user,
    make_engine,
    session_factory,
    set_setting,
    upgrade_engine,
)
from tests.integration.postgres import PostgresServer
from tests.integration.test_store import make_plan

MONDAY = datetime(2026, 3, 2, 7, 0, tzinfo=UTC)
runner = CliRunner()


@pytest.fixture
def other_db_url(request: pytest.FixtureRequest, db_url: str, tmp_path: Path) -> str:
    """A second empty database of the same kind as ``db_url``."""
    if db_url.startswith("sqlite"):
        return f"sqlite:///{tmp_path / 'other.db'}"
    server: PostgresServer = request.getfixturevalue("postgres_server")
    name = server.new_database()
    request.addfinalizer(lambda: server.drop_database(name))
    return server.url(name)


def flat(text: str) -> str:
    """The text without line breaks and runs of spaces (Rich wraps long lines)."""
    return " ".join(text.split())


def cli(url: str, *args: str, input: str | None = None) -> str:
    get_settings.cache_clear()
    os.environ["BACKCOACH_DATABASE_URL"] = url
    try:
        result = runner.invoke(app, list(args), input=input)
    finally:
        del os.environ["BACKCOACH_DATABASE_URL"]
        get_settings.cache_clear()
    assert result.exit_code == 0, result.output
    return flat(result.output)


def run_session(
    db: Session, user_id: int, start: datetime, *, steps_done: int, pain: tuple[int, int]
) -> int:
    """A 3-step session with ``steps_done`` steps completed in a row, then finished."""
    active = service.start_session(
        db, user_id=user_id, plan=make_plan(3), now=start, pain_before=pain[0]
    )
    service.apply_event(db, active=active, event=Start(0.0), now=start)
    t = 0.0
    for _ in range(steps_done):
        for _ in range(2):
            t += 45.0  # each step takes 90 s
            service.apply_event(
                db, active=active, event=RepDone(t), now=start + timedelta(seconds=t)
            )
    service.finish_session(
        db, session_id=active.id, now=start + timedelta(seconds=t), pain_after=pain[1], effort=4
    )
    return active.id


def populate(engine: Engine) -> None:
    """A varied history: every table, unicode, floats, a hurt session, a skipped step."""
    with session_factory(engine)() as db:
        user = local_user(db, now=MONDAY)
        run_session(db, user.id, MONDAY, steps_done=3, pain=(4, 3))
        run_session(db, user.id, MONDAY + timedelta(days=1), steps_done=3, pain=(3, 3))
        hurt = service.start_session(db, user_id=user.id, plan=make_plan(3), now=MONDAY)
        service.apply_event(db, active=hurt, event=Start(0.0), now=MONDAY + timedelta(days=3))
        service.apply_event(db, active=hurt, event=Skip(1.5), now=MONDAY + timedelta(days=3))
        service.apply_event(db, active=hurt, event=Hurt(2.25), now=MONDAY + timedelta(days=3))
        add_checkin(db, user_id=user.id, at=MONDAY + timedelta(days=3), phase=CheckinPhase.DURING,
                    pain=6, exercise_id="bird-dog", session_id=hurt.id)  # fmt: skip
        add_checkin(db, user_id=user.id, at=MONDAY + timedelta(days=4), phase=CheckinPhase.BEFORE,
                    pain=2, location=PainLocation.NECK)  # fmt: skip
        add_screening(db, user_id=user.id, taken_at=MONDAY, answers={"fever": False},
                      red_flags=[], outcome=ScreeningOutcome.CLEAR)  # fmt: skip
        add_questionnaire_response(
            db,
            user_id=user.id,
            name="psfs",
            taken_at=MONDAY + timedelta(microseconds=123456),
            answers={"activities": [{"name": "Schuhe binden, bücken", "score": 6}]},
            scores={"mean": 6.333333333333333},
        )
        add_habit_log(db, user_id=user.id, day=date(2026, 3, 2), at=MONDAY, kind="walk",
                      amount=0.1 + 0.2)  # fmt: skip
        set_setting(db, user_id=user.id, key="pain_limit", value=5)
        db.commit()


# --- history ----------------------------------------------------------------------


def test_streaks_count_runs_of_days() -> None:
    days = [date(2026, 3, d) for d in (1, 2, 3, 5, 6, 9, 10)]
    assert streaks(days, today=date(2026, 3, 10)) == (2, 3)
    assert streaks(days, today=date(2026, 3, 11)) == (2, 3)  # today not over yet
    assert streaks(days, today=date(2026, 3, 12)) == (0, 3)
    assert streaks([], today=date(2026, 3, 12)) == (0, 0)


def test_history_summary(engine: Engine) -> None:
    populate(engine)
    with session_factory(engine)() as db:
        user = local_user(db)
        later = MONDAY + timedelta(days=14)
        add_questionnaire_response(
            db, user_id=user.id, name="psfs", taken_at=later, answers={}, scores={"mean": 7.0}
        )
        db.commit()
        summary = history_summary(db, today=date(2026, 3, 10), weeks=3, recent=2)
    assert (summary.completed_sessions, summary.current_streak, summary.best_streak) == (2, 0, 2)
    assert [s.started_at for s in summary.sessions] == [MONDAY + timedelta(days=1), MONDAY]
    newest = summary.sessions[0]
    assert (newest.steps_done, newest.steps_total, newest.minutes) == (3, 3, 4.5)
    assert (newest.pain_before, newest.pain_after, newest.effort) == (3, 3, 4)
    assert [(w.week_start, w.minutes, w.sessions) for w in summary.minutes_per_week] == [
        (date(2026, 2, 23), 0.0, 0),
        (date(2026, 3, 2), 9.0 + 1.5 / 60, 3),  # the hurt session: 1.5 s
        (date(2026, 3, 9), 0.0, 0),
    ]
    assert [(p.before, p.after) for p in summary.pain_trend] == [(4, 3), (3, 3)]
    assert [p.scores["mean"] for p in summary.questionnaires["psfs"]] == [6.333333333333333, 7.0]


def test_history_of_an_empty_database(engine: Engine) -> None:
    with session_factory(engine)() as db:
        summary = history_summary(db, today=date(2026, 3, 10))
    assert summary.sessions == () and summary.completed_sessions == 0


def test_history_command(engine: Engine, db_url: str) -> None:
    populate(engine)
    output = cli(db_url, "history", "--weeks", "4")
    assert "Recent sessions" in output
    assert "Minutes per week" in output
    assert "home-back" in output and "6.33" in output
    assert "Pain trend" in output and "before" in output
    assert "Questionnaire: psfs" in output


# --- export and import --------------------------------------------------------------------


def test_json_export_round_trips_losslessly(
    engine: Engine, db_url: str, other_db_url: str, tmp_path: Path
) -> None:
    populate(engine)
    first = tmp_path / "first.json"
    cli(db_url, "export", "--format", "json", "-o", str(first))
    document = json.loads(first.read_text())
    assert {k: len(v) for k, v in document["tables"].items()} == {
        "screenings": 1,
        "sessions": 3,
        "step_events": 7,
        "checkins": 2,
        "questionnaire_responses": 1,
        "habit_logs": 1,
        "settings": 1,
    }
    cli(other_db_url, "import", str(first))
    second = tmp_path / "second.json"
    cli(other_db_url, "export", "-o", str(second))
    assert second.read_text() == first.read_text()


@pytest.mark.postgres
def test_an_export_moves_between_sqlite_and_postgresql_unchanged(
    postgres_url: str, tmp_path: Path
) -> None:
    sqlite_url = f"sqlite:///{tmp_path / 'from.db'}"
    engine = make_engine(Settings(data_dir=tmp_path, database_url=sqlite_url))
    upgrade_engine(engine)
    populate(engine)
    engine.dispose()
    exported = tmp_path / "from-sqlite.json"
    cli(sqlite_url, "export", "-o", str(exported))
    cli(postgres_url, "import", str(exported))
    again = tmp_path / "from-postgres.json"
    cli(postgres_url, "export", "-o", str(again))
    assert again.read_text() == exported.read_text()


def test_import_adds_only_what_is_not_stored_yet(engine: Engine) -> None:
    populate(engine)
    with session_factory(engine)() as db:
        user = local_user(db)
        text = dump_json(export_tables(db, user_id=user.id))
        again = import_document(db, user_id=user.id, document=parse_export(text, source="x"))
        db.commit()
        assert again.nothing_new and again.already_stored.sessions == 3
        assert db.scalar(select(func.count()).select_from(WorkoutSession)) == 3
        moved = json.loads(text)
        for row in moved["tables"]["sessions"]:
            for key in ("started_at", "ended_at"):
                row[key] = row[key] and row[key].replace("2026-03", "2026-04")
        added = import_document(
            db, user_id=user.id, document=parse_export(json.dumps(moved), source="x")
        )
        db.commit()
        assert (added.added.sessions, added.added.step_events, added.added.checkins) == (3, 7, 0)
        assert db.scalar(select(func.count()).select_from(WorkoutSession)) == 6
        assert db.scalar(select(func.count()).select_from(StepEvent)) == 14


def _valid_export(engine: Engine) -> str:
    populate(engine)
    with session_factory(engine)() as db:
        return dump_json(export_tables(db, user_id=local_user(db).id))


def _break(text: str, table: str, index: int, field: str, value: object) -> str:
    document = json.loads(text)
    document["tables"][table][index][field] = value
    return json.dumps(document)


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (lambda t: t.replace('"version": 1,', '"version": 1,,'), "line 3"),
        (
            lambda t: _break(t, "sessions", 1, "started_at", "yesterday"),
            "field 'tables.sessions[1].started_at'",
        ),
        (
            lambda t: _break(t, "sessions", 0, "started_at", "2026-03-02T07:00:00"),
            "field 'tables.sessions[0].started_at': Input should have timezone info",
        ),
        (lambda t: _break(t, "checkins", 0, "pain", 11), "field 'tables.checkins[0].pain'"),
        (
            lambda t: _break(t, "step_events", 6, "session_id", 42),
            "step_events[6].session_id: no session with id 42",
        ),
        (lambda t: _break(t, "step_events", 0, "colour", "red"), "step_events[0].colour"),
        (lambda t: t.replace('"version": 1', '"version": 7'), "field 'version'"),
    ],
    ids=[
        "json-syntax",
        "bad-datetime",
        "naive-datetime",
        "pain-range",
        "dangling",
        "extra",
        "version",
    ],
)
def test_a_malformed_import_writes_nothing_and_names_the_problem(
    engine: Engine, db_url: str, other_db_url: str, tmp_path: Path, change, expected: str
) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text(change(_valid_export(engine)))
    get_settings.cache_clear()
    os.environ["BACKCOACH_DATABASE_URL"] = other_db_url
    try:
        result = runner.invoke(app, ["import", str(bad)])
    finally:
        del os.environ["BACKCOACH_DATABASE_URL"]
    assert result.exit_code == 1
    output = flat(result.output)
    assert expected in output
    assert str(bad) in output and "nothing was imported" in output
    assert "Traceback" not in result.output
    assert json.loads(cli(other_db_url, "export"))["tables"]["sessions"] == []


def test_parse_export_rejects_duplicates(engine: Engine) -> None:
    document = json.loads(_valid_export(engine))
    document["tables"]["settings"].append({"key": "pain_limit", "value": 3})
    with pytest.raises(BackcoachError, match="setting 'pain_limit' appears twice"):
        parse_export(json.dumps(document), source="f.json")


def test_csv_export_is_a_zip_with_one_file_per_table(
    engine: Engine, db_url: str, tmp_path: Path
) -> None:
    populate(engine)
    target = tmp_path / "out.zip"
    cli(db_url, "export", "--format", "csv", "-o", str(target))
    with zipfile.ZipFile(target) as archive:
        names = sorted(archive.namelist())
        sessions = archive.read("sessions.csv").decode()
        steps = archive.read("step_events.csv").decode()
        habits = archive.read("habit_logs.csv").decode()
    assert names == sorted(f"{t}.csv" for t in TABLES)

    refused = runner.invoke(app, ["import", str(target)])
    assert refused.exit_code == 2 and "only JSON exports" in flat(refused.output)
    rows = list(csv.DictReader(io.StringIO(sessions)))
    assert [r["status"] for r in rows] == ["completed", "quit", "completed"]
    assert json.loads(rows[0]["plan"])["program_id"] == "home-back"
    assert len(list(csv.DictReader(io.StringIO(steps)))) == 7
    assert next(csv.DictReader(io.StringIO(habits)))["amount"] == str(0.1 + 0.2)


def test_data_delete_asks_first_and_then_removes_everything(engine: Engine, db_url: str) -> None:
    populate(engine)
    get_settings.cache_clear()
    os.environ["BACKCOACH_DATABASE_URL"] = db_url
    try:
        refused = runner.invoke(app, ["data", "delete"], input="n\n")
    finally:
        del os.environ["BACKCOACH_DATABASE_URL"]
    assert refused.exit_code == 1 and "Nothing was deleted" in flat(refused.output)
    assert len(json.loads(cli(db_url, "export"))["tables"]["sessions"]) == 3
    cli(db_url, "data", "delete", "--yes")
    tables = json.loads(cli(db_url, "export"))["tables"]
    assert all(rows == [] for rows in tables.values())


# --- db commands ------------------------------------------------------------------------


def test_db_upgrade_and_current(db_url: str) -> None:
    assert "is empty" in cli(db_url, "db", "current")
    head = head_revision()
    assert f"up to date (revision {head})" in cli(db_url, "db", "upgrade")
    assert f"revision {head} (the newest)" in cli(db_url, "db", "current")


def test_a_damaged_database_gives_a_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "data" / "backcoach.db"
    path.parent.mkdir()
    garbage = os.urandom(4096)
    path.write_bytes(garbage)
    result = runner.invoke(app, ["history"])
    assert result.exit_code == 1
    assert str(path) in "".join(result.output.split())
    assert "Traceback" not in result.output
    assert path.read_bytes() == garbage


def test_damage_inside_a_valid_database_file_gives_a_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "data" / "backcoach.db"
    engine = make_engine(Settings(data_dir=tmp_path / "data"))
    upgrade_engine(engine)
    populate(engine)
    engine.dispose()  # the last connection checkpoints the WAL into the file
    page = 4096
    data = bytearray(path.read_bytes())
    data[page:] = os.urandom(len(data) - page)  # keep page 1 (header and schema) only
    path.write_bytes(bytes(data))
    result = runner.invoke(app, ["history"])
    assert result.exit_code == 1, result.output
    assert "is damaged" in flat(result.output)
    assert str(path) in "".join(result.output.split())
    assert "Traceback" not in result.output
    assert path.read_bytes() == bytes(data)


def test_an_unreachable_database_gives_a_clear_error_without_the_password(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    with socket.socket() as sock:  # a port nobody listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    url = f"postgresql+psycopg://someone:s3cret@127.0.0.1:{port}/backcoach"
    monkeypatch.setenv("BACKCOACH_DATABASE_URL", url)
    result = runner.invoke(app, ["db", "upgrade"])
    assert result.exit_code == 1
    output = flat(result.output)
    assert f"Cannot open the database postgresql+psycopg://someone:***@127.0.0.1:{port}" in output
    assert "s3cret" not in output and "Traceback" not in output


def test_db_backup_command(settings: Settings, tmp_path: Path) -> None:
    assert "is empty" not in runner.invoke(app, ["db", "upgrade"]).output
    result = runner.invoke(app, ["db", "backup", str(tmp_path / "copy.db")])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "copy.db").is_file()
    again = runner.invoke(app, ["db", "backup", str(tmp_path / "copy.db")])
    assert again.exit_code == 2 and "already exists" in flat(again.output)
