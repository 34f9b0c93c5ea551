"""Preferences have one owner: every surface shows the same values, fresh and after a change."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from datetime import datetime, time
from pathlib import Path

import httpx
import pytest
from rich.console import Console
from sqlalchemy.orm import Session

from backcoach.cli.desk_breaks import run_breaks
from backcoach.coach.safety import QUESTIONS
from backcoach.config import Settings
from backcoach.content import default_catalog
from backcoach.services.desk_runtime import DeskRuntime
from backcoach.services.preferences import (
    Preferences,
    PreferencesUpdate,
    load_preferences,
    save_preferences,
)
from backcoach.store import local_user, open_database, set_setting
from tests.e2e.live_server import LiveServer, running_server


class FrozenClock:
    """A desk clock that does not move (the screen is read before any time passes)."""

    def __init__(self) -> None:
        self.start = datetime(2026, 11, 25, 9, 0).astimezone()

    def now(self) -> datetime:
        return self.start

    def real(self) -> float:
        return 0.0


class QuitAtOnce:
    def read(self, timeout: float) -> str:
        return "q"


@pytest.fixture
def live(tmp_path: Path) -> Iterator[LiveServer]:
    with running_server(Settings(data_dir=tmp_path / "data")) as server:
        yield server


def terminal_countdown(settings: Settings) -> str:
    """What ``backcoach breaks`` shows first on this database."""
    out = Console(record=True, width=100)
    with open_database(settings) as db:
        user = local_user(db)
        db.commit()
        run_breaks(
            db,
            DeskRuntime(FrozenClock(), source="terminal"),
            default_catalog(),
            user_id=user.id,
            out=out,
            keys=QuitAtOnce(),
            notify=lambda *_: None,
            screen=False,
        )
    found = re.search(r"Micro-break in (\d+):00", out.export_text())
    assert found, out.export_text()
    return found.group(1)


def surfaces(live: LiveServer) -> dict[str, object]:
    with httpx.Client(base_url=live.url, timeout=10) as client:
        answers = {q.id: False for q in QUESTIONS}  # Today shows habits after the screening
        client.post("/api/v1/screening", json={"answers": answers}).raise_for_status()
        settings_page = client.get("/settings").text
        today = client.get("/").text
        desk = client.get("/desk").text
        state = client.get("/api/v1/desk/state").json()
        prefs = client.get("/api/v1/preferences").json()
    desk_json = re.search(r'<script type="application/json" id="desk-state">(.*?)</script>', desk)
    assert desk_json
    field = re.search(r'id="break_minutes"[^>]*value="(\d+)"', settings_page)
    interval = re.search(r"Break reminders every (\d+) minutes", today)
    assert field and interval
    return {
        "settings page": int(field.group(1)),
        "today": int(interval.group(1)),
        "desk page": json.loads(desk_json.group(1))["next_in_s"] / 60,
        "desk api": state["next_in_s"] / 60,
        "preferences api": prefs["break_minutes"],
        "terminal": int(terminal_countdown(live.settings)),
    }


def test_a_fresh_install_shows_one_break_interval_everywhere(live: LiveServer) -> None:
    default = Preferences().break_minutes
    assert set(surfaces(live).values()) == {default}


def test_a_changed_interval_is_shown_everywhere(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path / "data")
    with open_database(settings) as db:
        user = local_user(db)
        save_preferences(db, user_id=user.id, update=PreferencesUpdate(break_minutes=25))
    with running_server(settings) as live:
        assert set(surfaces(live).values()) == {25}


def test_quiet_hours_cross_midnight() -> None:
    prefs = Preferences(quiet_from=time(22, 0), quiet_until=time(7, 0))
    assert prefs.quiet_at(time(23, 30)) and prefs.quiet_at(time(6, 59))
    assert not prefs.quiet_at(time(7, 0)) and not prefs.quiet_at(time(12, 0))
    daytime = Preferences(quiet_from=time(12, 0), quiet_until=time(13, 0))
    assert daytime.quiet_at(time(12, 30)) and not daytime.quiet_at(time(13, 30))
    assert not Preferences().quiet_at(time(3, 0))


def test_quiet_hours_are_set_in_pairs_and_can_be_cleared(live: LiveServer) -> None:
    with httpx.Client(base_url=live.url, timeout=10) as client:
        half = client.patch("/api/v1/preferences", json={"quiet_from": "22:00"})
        assert half.status_code == 422
        both = client.patch(
            "/api/v1/preferences", json={"quiet_from": "22:00", "quiet_until": "07:00"}
        )
        assert both.json()["quiet_from"] == "22:00:00"
        cleared = client.patch(
            "/api/v1/preferences", json={"quiet_from": None, "quiet_until": None}
        )
        assert cleared.json()["quiet_from"] is None
        assert cleared.json()["break_minutes"] == Preferences().break_minutes


def test_quiet_hours_with_a_time_zone_are_refused_and_the_desk_keeps_answering(
    live: LiveServer,
) -> None:
    """Quiet hours are on the local clock: "06:00Z" is refused with a plain reason (it was
    once stored, and the desk then failed comparing it with the local time)."""
    with httpx.Client(base_url=live.url, timeout=10) as client:
        refused = client.patch(
            "/api/v1/preferences", json={"quiet_from": "22:00:00", "quiet_until": "06:00:00Z"}
        )
        assert refused.status_code == 422
        assert "without a time zone" in refused.text
        assert client.get("/api/v1/desk/state").status_code == 200
        assert client.get("/desk").status_code == 200


def test_a_stored_quiet_time_with_a_time_zone_reads_as_unset(db: Session) -> None:
    user_id = local_user(db).id
    set_setting(db, user_id=user_id, key="quiet_from", value="22:00:00")
    set_setting(db, user_id=user_id, key="quiet_until", value="06:00:00Z")
    db.commit()
    prefs = load_preferences(db, user_id=user_id)
    assert prefs.quiet_until is None
    assert not prefs.quiet_at(time(23, 0))  # half a pair: no quiet hours, and no error


def test_the_desk_stays_quiet_in_quiet_hours(live: LiveServer) -> None:
    now = datetime.now().astimezone()
    start = time((now.hour + 23) % 24, 0)  # an hour ago ...
    until = time((now.hour + 2) % 24, 0)  # ... until two hours on: now is quiet
    with httpx.Client(base_url=live.url, timeout=10) as client:
        assert client.get("/api/v1/desk/state").json()["reminders"] is True
        client.patch(
            "/api/v1/preferences",
            json={"quiet_from": start.isoformat(), "quiet_until": until.isoformat()},
        ).raise_for_status()
        assert client.get("/api/v1/desk/state").json()["reminders"] is False


def test_the_settings_form_saves_quiet_hours_and_explains_a_half_pair(live: LiveServer) -> None:
    with httpx.Client(base_url=live.url, timeout=10) as client:
        client.get("/settings")
        token = client.cookies["backcoach_csrf"]
        form = {"pain_limit": "5", "break_minutes": "45", "csrf_token": token}
        half = client.post("/settings", data={**form, "quiet_from": "22:00"})
        assert half.status_code == 422
        assert "Give both times" in half.text
        saved = client.post(
            "/settings",
            data={**form, "quiet_from": "22:00", "quiet_until": "07:00"},
            follow_redirects=True,
        )
        assert saved.status_code == 200  # followed the redirect back to /settings
        assert 'value="22:00"' in saved.text and 'value="07:00"' in saved.text
        assert client.get("/api/v1/preferences").json()["quiet_until"] == "07:00:00"
