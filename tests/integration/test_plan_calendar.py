"""The plan's session days as an iCalendar file: the service (SQLite and PostgreSQL), read
back with icalendar (days, local times across a change of summer time, UIDs, alarms), and
``GET /api/v1/plan/calendar.ics`` with its link on Settings."""

from __future__ import annotations

import os
import time as clock
import warnings
from collections.abc import Iterator
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from fastapi import FastAPI
from icalendar import Calendar, Event
from sqlalchemy.orm import Session

from backcoach.coach.safety import QUESTIONS
from backcoach.config import Settings
from backcoach.content import default_catalog
from backcoach.errors import UsageError
from backcoach.services import clinic_programs
from backcoach.services.accounts import create_user
from backcoach.services.calendar_export import event_uid, plan_calendar
from backcoach.services.preferences import PreferencesUpdate, save_preferences
from backcoach.services.program_definition import SetDetails
from backcoach.services.safety import save_screening
from backcoach.store import CareLink, local_user
from backcoach.web.app import create_app
from tests.integration.test_red_flag_block import answers

with warnings.catch_warnings():
    warnings.filterwarnings("ignore", message=".*httpx2.*")
    from starlette.testclient import TestClient

BERLIN = ZoneInfo("Europe/Berlin")
#: Two weeks over the end of summer time in Berlin (Sunday 25 October 2026).
NOW = datetime(2026, 10, 19, 10, 0, tzinfo=UTC)


@pytest.fixture
def berlin() -> Iterator[None]:
    """The computer's time zone is Berlin's for the test."""
    before = os.environ.get("TZ")
    os.environ["TZ"] = "Europe/Berlin"
    clock.tzset()
    yield
    if before is None:
        del os.environ["TZ"]
    else:
        os.environ["TZ"] = before
    clock.tzset()


def events(data: bytes) -> list[Event]:
    calendar = Calendar.from_ical(data)
    return list(calendar.walk("VEVENT"))


def start_of(event: Event) -> datetime:
    start = event.decoded("dtstart")
    assert isinstance(start, datetime) and start.tzinfo is not None  # a time with its zone
    return start


@pytest.fixture
def user_id(db: Session) -> int:
    uid = local_user(db).id
    save_screening(db, user_id=uid, answers=answers(), now=datetime.now(UTC))
    return uid


def test_one_event_a_day_at_the_reminder_time_on_the_local_clock(
    db: Session, user_id: int, berlin: None
) -> None:
    save_preferences(db, user_id=user_id, update=PreferencesUpdate(session_reminder=time(7, 30)))
    found = events(plan_calendar(db, user_id=user_id, catalog=default_catalog(), now=NOW, weeks=2))
    days = [date(2026, 10, 19) + timedelta(days=i) for i in range(14)]
    assert [start_of(e).astimezone(BERLIN).date() for e in found] == days
    assert {start_of(e).astimezone(BERLIN).time() for e in found} == {time(7, 30)}
    # the same local time in summer time (UTC+2) and after it (UTC+1)
    assert start_of(found[0]).astimezone(UTC).time() == time(5, 30)
    assert start_of(found[-1]).astimezone(UTC).time() == time(6, 30)
    assert [str(e["uid"]) for e in found] == [event_uid(user_id, d) for d in days]
    for event in found:
        end = event.decoded("dtend")
        assert timedelta(minutes=10) <= end - start_of(event) <= timedelta(minutes=60)
        assert event.decoded("dtstamp") == NOW
        assert str(event["summary"]) == "Back session: Back basics"
        description = str(event["description"])
        assert "Deep breathing" in description and "Glute bridge" in description
        (alarm,) = event.walk("VALARM")
        assert str(alarm["action"]) == "DISPLAY"
        assert alarm.decoded("trigger") == timedelta(0)


def test_uids_stay_the_same_in_a_later_export(db: Session, user_id: int) -> None:
    catalog = default_catalog()
    first = events(plan_calendar(db, user_id=user_id, catalog=catalog, now=NOW, weeks=1))
    later = events(
        plan_calendar(db, user_id=user_id, catalog=catalog, now=NOW + timedelta(days=3), weeks=1)
    )
    by_uid = {str(e["uid"]): e for e in first}
    shared = [e for e in later if str(e["uid"]) in by_uid]
    assert len(shared) == 4 and len({str(e["uid"]) for e in first + later}) == 10
    for event in shared:
        assert start_of(event) == start_of(by_uid[str(event["uid"])])


def test_without_a_reminder_at_six_in_the_evening_and_no_alarm(
    db: Session, user_id: int, berlin: None
) -> None:
    found = events(plan_calendar(db, user_id=user_id, catalog=default_catalog(), now=NOW))
    assert len(found) == 28  # four weeks by default, a session every day
    assert {start_of(e).astimezone(BERLIN).time() for e in found} == {time(18, 0)}
    assert all(not e.walk("VALARM") for e in found)


def test_no_sessions_while_a_red_flag_blocks_exercise(db: Session, user_id: int) -> None:
    save_screening(db, user_id=user_id, answers=answers("bladder-bowel"), now=datetime.now(UTC))
    data = plan_calendar(db, user_id=user_id, catalog=default_catalog(), now=NOW)
    assert Calendar.from_ical(data)["prodid"] and events(data) == []


def test_without_a_screening_it_says_so_and_lists_the_program(db: Session) -> None:
    uid = local_user(db).id
    db.commit()
    (event, *_rest) = events(plan_calendar(db, user_id=uid, catalog=default_catalog(), now=NOW))
    description = str(event["description"])
    assert "Exercises of the program:" in description and "Superman" in description


def test_a_clinicians_program_plans_its_sessions_per_week(db: Session, berlin: None) -> None:
    doctor, anna, ben = (
        create_user(db, email=email, password="a long enough secret 1", role=role, now=NOW).id
        for email, role in (
            ("doctor@clinic.example", "clinician"),
            ("anna@clinic.example", "patient"),
            ("ben@clinic.example", "patient"),
        )
    )
    db.add(CareLink(patient_id=anna, clinician_id=doctor, linked_at=NOW))
    db.commit()
    for patient in (anna, ben):
        save_screening(db, user_id=patient, answers=answers(), now=datetime.now(UTC))
    catalog = default_catalog()
    template = clinic_programs.create_template(
        db, clinician_id=doctor, catalog=catalog, now=NOW, name="Anna's back"
    )
    clinic_programs.save_version(
        db, clinician_id=doctor, template_id=template.id, catalog=catalog, now=NOW,
        edits=[SetDetails(op="details", sessions_per_week=3)],
    )  # fmt: skip
    clinic_programs.assign(
        db, clinician_id=doctor, patient_id=anna, template_id=template.id, now=NOW
    )

    found = events(plan_calendar(db, user_id=anna, catalog=catalog, now=NOW, weeks=2))
    days = [start_of(e).astimezone(BERLIN).date() for e in found]
    assert [d.weekday() for d in days] == [0, 2, 4] * 2  # Monday, Wednesday, Friday
    assert {str(e["summary"]) for e in found} == {"Back session: Anna's back"}
    assert all(str(e["uid"]).startswith(f"session-{anna}-") for e in found)
    # another patient without a program: their own plan, every day
    others = events(plan_calendar(db, user_id=ben, catalog=catalog, now=NOW, weeks=2))
    assert len(others) == 14 and {str(e["summary"]) for e in others} == {
        "Back session: Back basics"
    }


@pytest.mark.parametrize("weeks", [0, -1, 27])
def test_impossible_weeks_are_refused(db: Session, user_id: int, weeks: int) -> None:
    with pytest.raises(UsageError, match="from 1 to 26"):
        plan_calendar(db, user_id=user_id, catalog=default_catalog(), now=NOW, weeks=weeks)


# --- the web app ---------------------------------------------------------------------------


@pytest.fixture
def app(tmp_path: Path) -> FastAPI:
    return create_app(Settings(data_dir=tmp_path / "data"))


@pytest.fixture
def client(app: FastAPI) -> Iterator[TestClient]:
    with TestClient(app, base_url="http://127.0.0.1:8000", follow_redirects=False) as client:
        client.get("/")
        token = {"X-CSRF-Token": client.cookies["backcoach_csrf"]}
        screened = client.post("/screening", data={q.id: "no" for q in QUESTIONS}, headers=token)
        assert screened.status_code == 303
        yield client


def token(client: TestClient) -> dict[str, str]:
    return {"X-CSRF-Token": client.cookies["backcoach_csrf"]}


def test_the_calendar_file_is_served_to_save(client: TestClient) -> None:
    answer = client.get("/api/v1/plan/calendar.ics", params={"weeks": 1})
    assert answer.status_code == 200, answer.text
    assert answer.headers["content-type"] == "text/calendar; charset=utf-8"
    assert answer.headers["content-disposition"] == 'attachment; filename="backcoach-plan.ics"'
    assert len(events(answer.content)) == 7
    german = client.get("/api/v1/plan/calendar.ics", headers={"Accept-Language": "de"})
    (first, *_rest) = events(german.content)
    assert str(first["summary"]) == "Rückeneinheit: Rücken-Grundprogramm"
    assert str(first["description"]).startswith("Übungen (wie heute geplant;")


@pytest.mark.parametrize("weeks", ["0", "27", "four", "1.5"])
def test_bad_weeks_get_a_422(client: TestClient, weeks: str) -> None:
    answer = client.get("/api/v1/plan/calendar.ics", params={"weeks": weeks})
    assert answer.status_code == 422, answer.text
    assert answer.json()["detail"][0]["loc"] == ["query", "weeks"]


def test_the_reminder_time_through_the_api_and_settings(client: TestClient) -> None:
    patched = client.patch(
        "/api/v1/preferences", json={"session_reminder": "19:15"}, headers=token(client)
    )
    assert patched.status_code == 200 and patched.json()["session_reminder"] == "19:15:00"
    page = client.get("/settings").text
    assert 'id="session_reminder" name="session_reminder" type="time" value="19:15"' in page
    assert 'href="/api/v1/plan/calendar.ics?weeks=4"' in page
    found = events(client.get("/api/v1/plan/calendar.ics").content)
    assert {start_of(e).astimezone().time() for e in found} == {time(19, 15)}

    bad = client.patch(
        "/api/v1/preferences", json={"session_reminder": "25:00"}, headers=token(client)
    )
    assert bad.status_code == 422
    off = client.patch(
        "/api/v1/preferences", json={"session_reminder": "off"}, headers=token(client)
    )
    assert off.status_code == 200 and off.json()["session_reminder"] is None


def test_the_settings_form_sets_and_clears_the_reminder(client: TestClient) -> None:
    form = {"pain_limit": "5", "break_minutes": "45", "session_length": "short"}
    saved = client.post(
        "/settings", data={**form, "session_reminder": "07:45"}, headers=token(client)
    )
    assert saved.status_code == 303
    assert client.get("/api/v1/preferences").json()["session_reminder"] == "07:45:00"
    refused = client.post(
        "/settings", data={**form, "session_reminder": "soon"}, headers=token(client)
    )
    assert refused.status_code == 422
    assert "Enter a time such as 18:00, or leave it empty for no reminder." in refused.text
    assert client.get("/api/v1/preferences").json()["session_reminder"] == "07:45:00"
    client.post("/settings", data=form, headers=token(client))  # the field left empty: off
    assert client.get("/api/v1/preferences").json()["session_reminder"] is None
