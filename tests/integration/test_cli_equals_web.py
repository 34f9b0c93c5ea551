"""CLI = web: the same session, played in the terminal and in the browser, stores the same rows.

One script of what a person does, second by second: reps, a pause, "this
hurts" answered with each of its three choices, a skip, a step back, quitting,
and the check-ins before and after. It is played once through the terminal
workout (its key loop and ``StoredSession``, the gate and check-ins of
``cli/checkin.py``) and once through the JSON API of a live server, as the
player page sends it, each on a fresh SQLite database, on the same engine
clock. The sessions (without ids, times and the write counter), step events
and check-ins must come out identical.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from rich.console import Console
from sqlalchemy import select

from backcoach.cli import checkin as checkin_cli
from backcoach.cli.checkin import finish_workout, start_workout
from backcoach.cli.workout import StoredSession, run_session
from backcoach.coach.safety import QUESTIONS
from backcoach.config import Settings
from backcoach.content import Length, default_catalog
from backcoach.services.clock import SessionClock
from backcoach.services.safety import save_screening
from backcoach.store import CheckIn, StepEvent, WorkoutSession, local_user, open_database
from tests.e2e.live_server import running_server

T0 = 1_000_000.0  # engine seconds where both runs start
STEP_S = 0.5  # engine seconds per line of the script (exact in binary: sums stay exact)
PAIN_BEFORE, PAIN_AFTER, EFFORT = 4, 2, 5


@dataclass(frozen=True)
class Move:
    """What the person does in one moment: the terminal's keys, the page's requests."""

    keys: str
    web: tuple[tuple[str, Any], ...] = ()


def wait() -> Move:
    return Move("")


def press(key: str, event: str) -> Move:
    return Move(key, (("event", event),))


def hurts(pain: int, choice: str) -> Move:
    """ "This hurts": the page pauses, asks, stores; then the chosen button's events."""
    web: tuple[tuple[str, Any], ...] = (("event", "pause"), ("hurt", pain))
    web += {
        "c": (("event", "resume"),),  # carry on gently (then Resume)
        "s": (("event", "resume"), ("event", "skip")),  # skip this exercise
        "e": (("event", "hurt"),),  # end the session
    }[choice]
    return Move(f"h{pain}\r{choice}", web)


SCRIPT: list[Move] = [
    *[wait()] * 4,  # the breathing step paces itself
    *[press("r", "rep_done")] * 3,  # ... or counts a breath per press
    *[press("r", "rep_done")] * 2,  # neck nods
    hurts(3, "c"),  # mild: carry on gently
    *[press("r", "rep_done")] * 3,  # neck nods done
    wait(),
    press("r", "rep_done"),  # neck turns
    hurts(7, "s"),  # above the pain limit: skip this exercise
    # a new user's first session is the gentle start of the first-week ramp
    *[press("r", "rep_done")] * 2,  # glute bridge
    press("p", "pause"),
    *[wait()] * 3,
    press("p", "resume"),
    press("b", "back"),  # neck turns again
    *[press("r", "rep_done")] * 6,
    *[wait()] * 2,
    *[m for _ in range(8) for m in (*[wait()] * 8, press("r", "rep_done"))],  # bridge: 8 x 4 s
    *[press("r", "rep_done")] * 3,  # bird-dog
    Move("qy", (("event", "quit"),)),
]


@dataclass
class FakeTime:
    t: float = T0


@pytest.fixture
def fake(monkeypatch: pytest.MonkeyPatch) -> FakeTime:
    """One engine clock for the terminal, the server and the test: moved by the script only."""
    fake = FakeTime()
    monkeypatch.setattr(SessionClock, "now", lambda self: fake.t * self.time_scale)
    return fake


class ScriptKeys:
    """The script's keys, one move per read; each read is ``STEP_S`` of engine time."""

    def __init__(self, fake: FakeTime) -> None:
        self.fake = fake
        self.moves = [m.keys for m in SCRIPT]

    def read(self, timeout: float) -> str:
        if not self.moves:
            raise AssertionError("the script ended before the session did")
        self.fake.t += STEP_S
        return self.moves.pop(0)


def screened(settings: Settings) -> None:
    with open_database(settings) as db:
        user_id = local_user(db).id
        answers = {q.id: False for q in QUESTIONS}
        save_screening(db, user_id=user_id, answers=answers, now=SessionClock.wall())


def play_in_the_terminal(
    settings: Settings, fake: FakeTime, monkeypatch: pytest.MonkeyPatch
) -> None:
    answers = iter([PAIN_BEFORE, PAIN_AFTER, EFFORT])
    monkeypatch.setattr(checkin_cli, "ask_scale", lambda *_a, **_k: next(answers))
    catalog = default_catalog()
    clock = SessionClock(1.0)
    with open_database(settings) as db:
        user_id = local_user(db).id
        db.commit()
        active = start_workout(
            db, catalog, program_id="back-basics", length=Length.SHORT, user_id=user_id, clock=clock
        )
        driver = StoredSession(db, active, user_id=user_id, clock=clock, real=lambda: fake.t)
        quiet = Console(file=io.StringIO(), width=80, height=24, force_terminal=True)
        summary, hurt = run_session(driver, catalog, out=quiet, title="t", keys=ScriptKeys(fake))
        finish_workout(db, driver.active, summary, user_id=user_id, clock=clock, hurt=hurt)


def play_in_the_browser(settings: Settings, fake: FakeTime) -> None:
    with running_server(settings) as server, httpx.Client(base_url=server.url) as client:

        def post(path: str, body: dict[str, Any]) -> dict[str, Any]:
            response = client.post(path, json=body)
            assert response.status_code in (200, 201), response.text
            answer: dict[str, Any] = response.json()
            return answer

        sid = post("/api/v1/sessions", {"pain_before": PAIN_BEFORE})["session_id"]
        api = f"/api/v1/sessions/{sid}"
        state = post(f"{api}/events", {"type": "start"})["state"]
        for move in SCRIPT:
            fake.t += STEP_S
            for kind, value in move.web:
                if kind == "hurt":
                    post(f"{api}/hurt", {"pain": value})
                else:
                    state = post(f"{api}/events", {"type": value})["state"]
            if state["status"] != "finished":  # the page's heartbeat
                state = post(f"{api}/events", {"type": "tick"})["state"]
        assert state["status"] == "finished"
        post(f"{api}/finish", {"pain_after": PAIN_AFTER, "effort": EFFORT})


def stored_rows(settings: Settings) -> dict[str, list[dict[str, Any]]]:
    """Every stored row of the session, without ids, times and the write counter."""

    def rows(model: type[Any], leave_out: set[str]) -> list[dict[str, Any]]:
        columns = [c for c in model.__table__.columns if c.name not in leave_out]
        with open_database(settings) as db:
            result = db.execute(select(*columns).order_by(*model.__table__.primary_key))
            return [dict(row._mapping) for row in result]

    return {
        "sessions": rows(WorkoutSession, {"id", "started_at", "ended_at", "version"}),
        "step_events": rows(StepEvent, {"id", "session_id", "at"}),
        "checkins": rows(CheckIn, {"id", "session_id", "at"}),
    }


@pytest.fixture
def two_databases(tmp_path: Path) -> Iterator[tuple[Settings, Settings]]:
    pair = tuple(Settings(data_dir=tmp_path / name) for name in ("terminal", "browser"))
    for settings in pair:
        screened(settings)
    yield pair  # type: ignore[misc]


def test_a_session_in_the_terminal_stores_what_the_same_session_in_the_browser_stores(
    two_databases: tuple[Settings, Settings], fake: FakeTime, monkeypatch: pytest.MonkeyPatch
) -> None:
    terminal, browser = two_databases
    play_in_the_terminal(terminal, fake, monkeypatch)
    fake.t = T0
    play_in_the_browser(browser, fake)

    stored = stored_rows(terminal)
    assert stored == stored_rows(browser)
    # ... and the script did what it says, so the comparison covers every kind of row.
    (session,) = stored["sessions"]
    assert (session["status"], session["pain_before"], session["pain_after"]) == ("quit", 4, 2)
    assert session["snapshot"]["state"]["ended_by"] == "quit"
    assert [(e["step_index"], e["status"]) for e in stored["step_events"]] == [
        (0, "completed"),
        (1, "completed"),
        (2, "completed"),
        (3, "completed"),
    ]
    assert [(c["phase"], c["pain"], c["exercise_id"]) for c in stored["checkins"]] == [
        ("before", 4, None),
        ("during", 3, "neck-nods"),
        ("during", 7, "neck-turns"),
        ("after", 2, None),
    ]
