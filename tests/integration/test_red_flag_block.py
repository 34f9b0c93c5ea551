"""A red flag in the safety screening stops every path to exercise, until a new one is clear.

Every path is walked on a real SQLite file (the service also on PostgreSQL): the
exercise pages, the plan and session API, both live coaching WebSockets (a running
server, the ``websockets`` client), the desk page and its API, and the terminal's
``show``, ``exercises``, ``breaks`` and ``workout``. Each is blocked with the reason
after a red-flag screening and works again after a clear one.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pexpect
import pytest
from rich.console import Console
from sqlalchemy.orm import Session
from typer.testing import CliRunner
from websockets.exceptions import ConnectionClosed
from websockets.sync.client import ClientConnection, connect

from backcoach.cli import app
from backcoach.cli.desk_breaks import run_breaks
from backcoach.coach.breaks import BreakConfig
from backcoach.coach.safety import QUESTIONS, Severity
from backcoach.config import Settings
from backcoach.content import View, default_catalog
from backcoach.services.desk import DeskTimer
from backcoach.services.desk_runtime import DeskRuntime
from backcoach.services.safety import BlockReason, exercise_block, save_screening
from backcoach.store import ScreeningOutcome, add_screening, local_user, open_database
from backcoach.vision.landmarks import LandmarkFrame, frame_to_json
from backcoach.web.state import app_state
from tests.e2e.live_server import LiveServer, running_server
from tests.integration.workout_pty import TIMEOUT, screening, spawn_workout, workout_env
from tests.unit.test_posture import SLUMPED_BACK, UPRIGHT, desk_render, film

RESCREEN_LINK = 'href="/?screening=again"'
EMERGENCY = "emergency department"
NOW = datetime(2026, 11, 25, 9, 0, tzinfo=UTC)


def answers(*yes: str) -> dict[str, bool]:
    return {q.id: q.id in yes for q in QUESTIONS}


def flat(text: str) -> str:
    return " ".join(text.split())


# --- the one service ------------------------------------------------------------------


def test_the_block_follows_the_latest_screening(db: Session) -> None:
    user_id = local_user(db).id
    db.commit()
    assert exercise_block(db, user_id=user_id) is None  # no screening yet: the plan asks for one

    save_screening(db, user_id=user_id, answers=answers("bladder-bowel"), now=NOW)
    block = exercise_block(db, user_id=user_id)
    assert block is not None
    assert (block.reason, block.severity, block.red_flags) == (
        BlockReason.RED_FLAG, Severity.EMERGENCY, ("bladder-bowel",)
    )  # fmt: skip
    assert EMERGENCY in block.advice
    assert block.web_message.startswith(block.advice)
    assert "backcoach screening" not in block.web_message and "Today" in block.web_message
    assert "`backcoach screening`" in block.cli_message

    later = [NOW + timedelta(minutes=m) for m in (1, 2, 3)]
    save_screening(db, user_id=user_id, answers=answers("pregnancy"), now=later[0])  # a caution
    assert exercise_block(db, user_id=user_id) is None
    save_screening(db, user_id=user_id, answers=answers("cancer-history"), now=later[1])
    block = exercise_block(db, user_id=user_id)
    assert block is not None and block.severity is Severity.SOON
    save_screening(db, user_id=user_id, answers=answers(), now=later[2])
    assert exercise_block(db, user_id=user_id) is None


def test_a_red_flag_stored_before_the_questions_changed_still_blocks(db: Session) -> None:
    user_id = local_user(db).id
    add_screening(
        db, user_id=user_id, taken_at=NOW, answers={"an-old-question": True},
        red_flags=["an-old-question"], outcome=ScreeningOutcome.RED_FLAG,
    )  # fmt: skip
    db.commit()
    block = exercise_block(db, user_id=user_id)
    assert block is not None and block.reason is BlockReason.RED_FLAG
    assert block.red_flags == ("an-old-question",)


# --- the web app: pages, API, WebSockets, desk ----------------------------------------------


class FakeDeskClock:
    """The desk companion's clock, moved on by hand."""

    def __init__(self) -> None:
        self.real_s = 0.0

    def real(self) -> float:
        return self.real_s

    def now(self) -> datetime:
        return datetime(2026, 11, 25, 9, 0).astimezone() + timedelta(seconds=self.real_s)

    def advance(self, minutes: float) -> None:
        self.real_s += minutes * 60


@dataclass
class Served:
    live: LiveServer
    client: httpx.Client
    clock: FakeDeskClock

    def screen(self, *yes: str) -> None:
        response = self.client.post("/api/v1/screening", json={"answers": answers(*yes)})
        assert response.status_code == 200, response.text

    def ws(self, path: str) -> ClientConnection:
        url = self.live.url.replace("http://", "ws://") + path
        return connect(url, additional_headers={"Origin": self.live.url}, open_timeout=10)


@pytest.fixture
def served(tmp_path: Path) -> Iterator[Served]:
    clock = FakeDeskClock()
    with running_server(Settings(data_dir=tmp_path / "data")) as live:
        app_state(live.server.config.app).desk = DeskRuntime(clock, source="web")
        with httpx.Client(base_url=live.url, timeout=10) as client:
            yield Served(live, client, clock)


def page(served: Served, path: str) -> str:
    response = served.client.get(path)
    assert response.status_code == 200, response.text
    return response.text


def test_exercise_pages_show_the_block_instead_of_doses_and_practice(served: Served) -> None:
    served.screen()
    detail = page(served, "/exercises/glute-bridge")
    assert "<h2>Dose</h2>" in detail and "Practice with camera" in detail
    assert "/ws/practice/glute-bridge" in detail and 'id="exercise-block"' not in detail

    served.screen("bladder-bowel")
    for path in ("/exercises", "/exercises/glute-bridge", "/exercises/bird-dog"):
        text = page(served, path)
        notice = re.search(r'<section[^>]*id="exercise-block".*?</section>', text, re.DOTALL)
        assert notice is not None, path
        assert 'role="alert"' in notice.group(0) and RESCREEN_LINK in notice.group(0)
        assert EMERGENCY in flat(notice.group(0)) and "backcoach screening" not in text
    detail = page(served, "/exercises/glute-bridge")
    assert "<h2>Dose</h2>" not in detail and "Safe range" not in detail
    assert "Practice with camera" not in detail and "/ws/practice/" not in detail
    assert "Starting position" in detail  # reading about it is fine
    partial = served.client.get("/exercises?q=bridge", headers={"HX-Request": "true"}).text
    assert "Glute bridge" in partial and " reps" not in partial  # names, no doses

    # the plan and a new session refuse as well; the reference data stays readable
    assert served.client.get("/api/v1/plan").json()["refusal"] == "red-flag"
    assert served.client.post("/api/v1/sessions", json={}).status_code == 409
    assert served.client.get("/api/v1/exercises/glute-bridge").status_code == 200

    served.screen()
    detail = page(served, "/exercises/glute-bridge")
    assert "<h2>Dose</h2>" in detail and "Practice with camera" in detail
    assert 'id="exercise-block"' not in page(served, "/exercises")
    assert served.client.get("/api/v1/plan").json()["refusal"] is None


def refused(ws: ClientConnection) -> tuple[dict[str, object], int]:
    """The one message before the server closed, and the close code."""
    message = json.loads(ws.recv(timeout=10))
    with pytest.raises(ConnectionClosed) as closed:
        ws.recv(timeout=10)
    assert closed.value.rcvd is not None
    return message, closed.value.rcvd.code


def test_live_coaching_sockets_refuse_with_the_reason(served: Served) -> None:
    served.screen()
    created = served.client.post("/api/v1/sessions", json={})
    assert created.status_code == 201, created.text
    session_id = created.json()["session_id"]
    coaches = app_state(served.live.server.config.app).live_coaches

    served.screen("both-legs")
    for path in ("/ws/practice/glute-bridge", f"/ws/coach/{session_id}"):
        with served.ws(path) as ws:
            message, code = refused(ws)
        assert (message["type"], message["code"], code) == ("error", "red-flag", 1008), path
        assert "doctor today" in str(message["message"]), path
        assert "backcoach screening" not in str(message["message"])
    assert session_id not in coaches  # nothing was kept for the refused session

    served.screen()
    with served.ws("/ws/practice/glute-bridge") as ws:
        assert json.loads(ws.recv(timeout=10))["type"] == "hello"
        ws.send(json.dumps({"type": "frame", "t_s": 0, "landmarks": None}))
        assert json.loads(ws.recv(timeout=10))["type"] == "feedback"
    with served.ws(f"/ws/coach/{session_id}") as ws:
        hello = json.loads(ws.recv(timeout=10))
        assert (hello["type"], hello["session_id"]) == ("hello", session_id)


def tick_minutes(served: Served, minutes: float) -> dict[str, object]:
    state: dict[str, object] = {}
    for _ in range(round(minutes * 2)):
        served.clock.advance(0.5)
        state = served.client.post("/api/v1/desk/tick").json()
    return state


def posture_alert(served: Served, frames: list[LandmarkFrame]) -> dict[str, object]:
    """Send the frames as the page does (in batches); the one answer with an alert."""
    alerts: list[dict[str, object]] = []
    for start in range(0, len(frames), 25):
        batch = [frame_to_json(f) for f in frames[start : start + 25]]
        body = {"frames": batch, "restart": start == 0}
        response = served.client.post("/api/v1/desk/posture", json=body)
        assert response.status_code == 200, response.text
        if response.json()["alert"]:
            alerts.append(response.json())
    assert len(alerts) == 1
    return alerts[0]


def test_desk_breaks_remain_but_suggest_walking_only(served: Served) -> None:
    catalog = default_catalog()
    served.client.patch("/api/v1/preferences", json={"break_minutes": 20}).raise_for_status()
    served.screen("fever-unwell")
    desk = page(served, "/desk")
    assert 'id="desk-block"' in desk and RESCREEN_LINK in desk and "doctor today" in flat(desk)
    assert 'data-move="walk"' in desk
    assert not re.search(r'data-move="(?!walk)', desk)  # no move cards
    assert "/exercises/" not in desk
    served.client.post("/api/v1/desk/tick")
    state = tick_minutes(served, 21)
    assert state["due"] == {
        "kind": "micro", "move": "walk", "name": "Stand up and walk", "length_s": 20.0
    }  # fmt: skip
    assert "doctor today" in str(state["blocked"])
    assert served.client.post("/api/v1/desk/take").status_code == 200  # breaks still count

    render = desk_render(View.SIDE, noise=0.002, seed=4)
    alert = posture_alert(served, film([(UPRIGHT, 10, render), (SLUMPED_BACK, 70, render)]))
    assert (alert["suggestion"], alert["suggestion_name"]) == ("walk", "Stand up and walk")

    served.screen()
    desk = page(served, "/desk")
    assert 'id="desk-block"' not in desk
    assert all(f'data-move="{move}"' in desk for move in ("neck-turns", "shoulder-circles"))
    state = tick_minutes(served, 21)
    due = state["due"]
    assert isinstance(due, dict) and due["move"] in catalog.exercises
    assert state["blocked"] is None
    alert = posture_alert(served, film([(UPRIGHT, 10, render), (SLUMPED_BACK, 70, render)]))
    assert alert["suggestion"] in catalog.exercises


# --- the terminal ----------------------------------------------------------------------------

runner = CliRunner()


def screen_locally(settings: Settings, *yes: str) -> None:
    with open_database(settings) as db:
        user_id = local_user(db).id
        save_screening(db, user_id=user_id, answers=answers(*yes), now=datetime.now(UTC))


def test_show_and_exercises_put_the_notice_first_and_no_dose(settings: Settings) -> None:
    dose_line = "repetitions: 8 reps"
    clear = runner.invoke(app, ["show", "glute-bridge"])  # no user, no screening yet
    assert clear.exit_code == 0, clear.output
    assert dose_line in clear.output

    screen_locally(settings, "saddle-numbness")
    blocked = runner.invoke(app, ["show", "glute-bridge"])
    assert blocked.exit_code == 0, blocked.output
    text = flat(blocked.output)
    assert text.index("Please do not start the exercises") < text.index("Glute bridge")
    assert EMERGENCY in text and "`backcoach screening`" in text
    assert dose_line not in blocked.output and "Steps" in blocked.output
    listing = runner.invoke(app, ["exercises"])
    assert listing.exit_code == 0, listing.output
    assert EMERGENCY in flat(listing.output) and "glute-bridge" in listing.output
    assert " x " not in listing.output and "dose" not in listing.output

    screen_locally(settings)
    again = runner.invoke(app, ["show", "glute-bridge"])
    assert dose_line in again.output and "Please do not start" not in again.output
    assert " x " in runner.invoke(app, ["exercises"]).output


class FakeClock:
    def __init__(self, scale: float) -> None:
        self.scale, self.elapsed_s = scale, 0.0

    def advance(self, real_s: float) -> None:
        self.elapsed_s += real_s * self.scale

    def now(self) -> datetime:
        return NOW + timedelta(seconds=self.elapsed_s)

    def real(self) -> float:
        return self.elapsed_s / self.scale


class QuitAt:
    """No keys until ``at`` seconds of desk time, then ``q``; each read moves the clock on."""

    def __init__(self, clock: FakeClock, at: float) -> None:
        self.clock, self.at = clock, at

    def read(self, timeout: float) -> str:
        self.clock.advance(timeout)
        return "q" if self.clock.elapsed_s >= self.at else ""


def run_breaks_until_due(settings: Settings) -> tuple[str, list[str]]:
    """``backcoach breaks``' loop until a micro-break is due: the screen and the reminders."""
    clock = FakeClock(scale=60)
    notes: list[str] = []
    out = Console(record=True, width=100, force_terminal=False)
    with open_database(settings) as db:
        user = local_user(db)
        timer = DeskTimer.begin(
            config=BreakConfig(moves=("neck-turns",)), now=NOW, user_id=user.id,
            source="terminal", tz=UTC,
        )  # fmt: skip
        run_breaks(
            db, DeskRuntime(clock, source="terminal", timer=timer), default_catalog(),
            user_id=user.id, out=out, keys=QuitAt(clock, 21 * 60),
            notify=lambda _title, body: notes.append(body), screen=False,
        )  # fmt: skip
        assert timer.due is not None  # the break is due, whatever it suggests
    return flat(out.export_text()), notes


def test_breaks_in_the_terminal_suggest_walking_only(settings: Settings) -> None:
    screen_locally(settings, "major-trauma")
    screen, notes = run_breaks_until_due(settings)
    assert "stand up and walk" in screen and "Neck turns" not in screen
    assert "doctor today" in screen and "`backcoach screening`" in screen
    assert len(notes) == 1 and "stand up and walk" in notes[0] and "Neck" not in notes[0]

    screen_locally(settings)
    screen, notes = run_breaks_until_due(settings)
    assert "Neck turns" in screen and "doctor today" not in screen
    assert len(notes) == 1 and "Neck turns" in notes[0]


def test_workout_in_the_terminal_refuses_until_a_clear_screening(tmp_path: Path) -> None:
    env = workout_env(tmp_path / "data")
    screening(env, 1)  # yes to bladder or bowel problems
    child = spawn_workout(env)
    try:
        child.expect("Please see a doctor")
        child.expect("emergency")
        child.expect(pexpect.EOF)
        child.wait()
        assert child.exitstatus == 1
        assert "your pain now" not in (child.before or "")
    finally:
        child.close(force=True)

    screening(env)
    child = spawn_workout(env)
    try:
        child.expect("your pain now", timeout=TIMEOUT)
    finally:
        child.close(force=True)


def test_a_session_begun_before_the_red_flag_cannot_go_on(served: Served) -> None:
    """The player and its events stop too; pausing and ending stay possible."""
    served.screen()
    started = served.client.post("/api/v1/sessions", json={})
    assert started.status_code == 201, started.text
    session_id = started.json()["session_id"]
    events = f"/api/v1/sessions/{session_id}/events"
    assert served.client.post(events, json={"type": "start"}).status_code == 200
    served.screen("bladder-bowel")
    for kind in ("rep_done", "skip", "resume", "start"):
        refused = served.client.post(events, json={"type": kind})
        assert refused.status_code == 409, (kind, refused.text)
        assert EMERGENCY in refused.json()["detail"]
    assert served.client.post(events, json={"type": "pause"}).status_code == 200
    player = page(served, f"/session/{session_id}")  # a page, with the calm notice
    assert 'id="exercise-block"' in player and RESCREEN_LINK in player
    assert 'id="player-main"' not in player
    served.screen()  # a clear screening: the session goes on where it was
    assert served.client.post(events, json={"type": "resume"}).status_code == 200
    assert 'id="player-main"' in page(served, f"/session/{session_id}")
    ended = served.client.post(f"/api/v1/sessions/{session_id}/finish", json={})
    assert ended.status_code == 200
