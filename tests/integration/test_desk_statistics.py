"""Desk statistics per day and per week: the service (SQLite and PostgreSQL), the History
page's Desk tables (English and German) and ``backcoach history`` (tables, ``--json``), and
``backcoach export --format ics``."""

from __future__ import annotations

import json
import re
import warnings
from collections.abc import Iterator
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path

import pytest
from fastapi import FastAPI
from icalendar import Calendar
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from backcoach.cli import app as cli
from backcoach.config import Settings, get_settings
from backcoach.services.clock import local_today
from backcoach.services.desk import (
    BreakAction,
    desk_statistics,
    record_break,
    record_posture,
    record_sitting,
    record_walk,
)
from backcoach.store import local_user, open_database
from backcoach.web.app import create_app
from tests.integration.test_german_cli import leftovers, run
from tests.integration.test_german_tracking import section
from tests.support.german import page_leftovers

with warnings.catch_warnings():
    warnings.filterwarnings("ignore", message=".*httpx2.*")
    from starlette.testclient import TestClient

WEDNESDAY = date(2026, 11, 25)


def noon(day: date) -> datetime:
    return datetime.combine(day, time(12, 0), UTC)


def log_desk(db: Session, user_id: int, today: date) -> None:
    """Today: 2 breaks taken, 1 snoozed, 1 skipped, 95 min sitting, 10 min walking,
    30 min upright, 12 slouched, 3 head forward, 2 alerts; the day before: one break and
    60 min sitting; 9 days before: 20 min upright."""
    now = noon(today)
    for action in (BreakAction.TAKE, BreakAction.TAKE, BreakAction.SNOOZE, BreakAction.SKIP):
        record_break(db, user_id=user_id, action=action, now=now, tz=UTC)
    record_sitting(db, user_id=user_id, minutes=60, now=now, tz=UTC)
    record_sitting(db, user_id=user_id, minutes=35, now=now, tz=UTC)
    record_walk(db, user_id=user_id, minutes=10, now=now, tz=UTC)
    record_posture(
        db, user_id=user_id, now=now, tz=UTC, alerts=2,
        minutes_by_state={"upright": 30, "slouched": 12, "forward-head": 3, "absent": 5},
    )  # fmt: skip
    yesterday = now - timedelta(days=1)
    record_break(db, user_id=user_id, action=BreakAction.TAKE, now=yesterday, tz=UTC)
    record_sitting(db, user_id=user_id, minutes=60, now=yesterday, tz=UTC)
    record_posture(
        db, user_id=user_id, now=now - timedelta(days=9), tz=UTC, minutes_by_state={"upright": 20}
    )
    db.commit()


def this_week(today: date) -> tuple[int, int]:
    """Breaks taken and minutes sitting this week by ``log_desk`` (on a Monday the day
    before belongs to last week)."""
    return (3, 155) if today.weekday() else (2, 95)


def test_per_day_and_per_week_newest_first(db: Session) -> None:
    user_id = local_user(db).id
    log_desk(db, user_id, WEDNESDAY)
    stats = desk_statistics(db, user_id=user_id, today=WEDNESDAY, days=7, weeks=4)

    assert [d.day for d in stats.days] == [WEDNESDAY - timedelta(days=i) for i in range(7)]
    today, yesterday = stats.days[0], stats.days[1]
    assert (today.breaks_taken, today.breaks_snoozed, today.breaks_skipped) == (2, 1, 1)
    assert (today.sitting_min, today.walking_min, today.posture_alerts) == (95, 10, 2)
    assert today.posture_min == {"upright": 30, "slouched": 12, "forward-head": 3}
    assert (yesterday.breaks_taken, yesterday.sitting_min) == (1, 60)
    assert all(d.breaks_taken == 0 and not d.posture_min for d in stats.days[2:])

    mondays = [date(2026, 11, 23) - timedelta(weeks=i) for i in range(4)]
    assert [w.start for w in stats.weeks] == mondays
    this_week, last_week, week_before = (w.figures for w in stats.weeks[:3])
    assert (this_week.breaks_taken, this_week.sitting_min) == (3, 155)
    assert this_week.posture_min == {"upright": 30, "slouched": 12, "forward-head": 3}
    assert last_week.breaks_taken == 0 and last_week.posture_min == {"upright": 20}  # 16 Nov
    assert week_before.breaks_taken == 0 and not week_before.posture_min

    data = stats.to_json()
    assert data["days"][0] == {  # type: ignore[index]
        "day": "2026-11-25", "breaks_taken": 2, "breaks_snoozed": 1, "breaks_skipped": 1,
        "sitting_min": 95.0, "walking_min": 10.0, "posture_alerts": 2,
        "posture_min": {"forward-head": 3.0, "slouched": 12.0, "upright": 30.0},
    }  # fmt: skip
    assert data["weeks"][0]["week_start"] == "2026-11-23"  # type: ignore[index]
    assert "day" not in data["weeks"][0]  # type: ignore[index]


def test_a_week_starts_on_monday_even_on_a_monday(db: Session) -> None:
    user_id = local_user(db).id
    monday = date(2026, 11, 23)
    record_break(db, user_id=user_id, action=BreakAction.TAKE, now=noon(monday), tz=UTC)
    db.commit()
    stats = desk_statistics(db, user_id=user_id, today=monday, days=1, weeks=1)
    assert [d.day for d in stats.days] == [monday]
    ((week),) = stats.weeks
    assert (week.start, week.figures.breaks_taken) == (monday, 1)


# --- History -------------------------------------------------------------------------------


@pytest.fixture
def web(tmp_path: Path) -> Iterator[TestClient]:
    app: FastAPI = create_app(Settings(data_dir=tmp_path / "data"))
    with TestClient(app, base_url="http://127.0.0.1:8000", follow_redirects=False) as client:
        with open_database(Settings(data_dir=tmp_path / "data")) as db:
            log_desk(db, local_user(db).id, local_today())
        yield client


def test_history_shows_the_desk_per_day_and_per_week(web: TestClient) -> None:
    html = web.get("/history").text
    days = section(html, "desk-days")
    assert days.startswith(
        "Day Breaks taken Snoozed Skipped Sitting Walking Posture alerts Upright Slouched "
        "Head forward"
    )
    today = re.search(r"<tbody>\s*<tr>(.*?)</tr>", html.split('id="desk-days"')[1], re.S)
    assert today is not None
    cells = re.findall(r"<td>(.*?)</td>", today.group(1))
    assert cells == ["2", "1", "1", "95 min", "10 min", "2", "30 min", "12 min", "3 min"]
    weeks = section(html, "desk-weeks-table")
    assert "Week of" in weeks and f"{this_week(local_today())[1]} min" in weeks
    assert "At the desk, last 7 days" in html and "At the desk, last 8 weeks" in html


def test_history_desk_tables_are_german(web: TestClient) -> None:
    html = web.get("/history", headers={"Accept-Language": "de"}).text
    assert page_leftovers(html) == []
    days = section(html, "desk-days")
    assert "Aufrecht Zusammengesunken Kopf vorgeschoben" in days
    assert "95 Min." in days and "30 Min." in days
    assert "Am Schreibtisch, letzte 8 Wochen" in html and "Woche ab" in html


# --- backcoach history / export --------------------------------------------------------------


@pytest.fixture
def logged() -> None:
    with open_database(get_settings()) as db:
        user = local_user(db)
        log_desk(db, user.id, datetime.now().astimezone().date())


def test_history_prints_the_desk_tables(logged: None) -> None:
    result = CliRunner().invoke(cli, ["history"], env={"COLUMNS": "80"})
    assert result.exit_code == 0, result.output
    out = result.output
    for title in ("Desk breaks, per day", "Posture, per day", "Desk breaks, per week"):
        assert title in out
    assert max(len(line) for line in out.splitlines()) <= 80
    assert re.search(r"│\s+2 │\s+1 │\s+1 │\s+95 │\s+10 │", out), out  # today's breaks
    assert re.search(r"│\s+2 │\s+30 │\s+12 │\s+3 │", out), out  # today's posture
    taken, sitting = this_week(local_today())
    assert re.search(rf"│\s+{taken} │\s+1 │\s+1 │\s+{sitting} │\s+10 │", out), out


def test_history_json_has_the_desk_figures(logged: None) -> None:
    result = CliRunner().invoke(cli, ["history", "--json", "--desk-weeks", "3"])
    assert result.exit_code == 0, result.output
    desk = json.loads(result.stdout)["desk"]
    assert len(desk["days"]) == 7 and len(desk["weeks"]) == 3
    assert desk["days"][0]["posture_min"] == {
        "forward-head": 3.0,
        "slouched": 12.0,
        "upright": 30.0,
    }
    assert desk["weeks"][0]["sitting_min"] == this_week(local_today())[1]


def test_history_desk_tables_in_german(logged: None, tmp_path: Path) -> None:
    result = run(tmp_path / "data", "history")  # the real executable, in German
    assert result.returncode == 0, result.stderr
    desk = result.stdout[result.stdout.index("Schreibtischpausen, pro Tag") :]
    assert "Haltung, pro Woche" in desk and "Kopf vorgeschoben" in desk
    assert leftovers(desk) == [], desk


def test_export_ics_writes_the_plan_days(tmp_path: Path) -> None:
    target = tmp_path / "plan.ics"
    result = CliRunner().invoke(
        cli, ["export", "--format", "ics", "--weeks", "2", "-o", str(target)]
    )
    assert result.exit_code == 0, result.output
    calendar = Calendar.from_ical(target.read_bytes())
    starts = [e.decoded("dtstart") for e in calendar.walk("VEVENT")]
    assert len(starts) == 14 and all(s.astimezone().time() == time(18, 0) for s in starts)
    refused = CliRunner().invoke(cli, ["export", "--format", "ics", "--weeks", "27"])
    assert refused.exit_code == 2 and "--weeks" in refused.output
