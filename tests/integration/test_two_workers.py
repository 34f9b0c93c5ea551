"""Two real ``backcoach serve`` processes on one PostgreSQL database behave as one server.

Requests of one session and one desk alternate between worker A and worker B;
a camera WebSocket on A counts reps while B takes the page's rep taps, and the
camera reconnects to B. Nothing is lost and both workers tell the same state.
``backcoach serve --workers 2`` runs on PostgreSQL and is refused on SQLite.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
from typer.testing import CliRunner
from websockets.sync.client import ClientConnection, connect

from backcoach.cli import app
from backcoach.coach.engine import Start
from backcoach.coach.plan import PlannedStep, SessionPlan
from backcoach.config import Settings
from backcoach.content import Kind, Length, default_catalog
from backcoach.services.clock import SessionClock
from backcoach.services.sessions import apply_event, start_session
from backcoach.store import local_user, open_database
from backcoach.vision.landmarks import LandmarkFrame, frame_to_json
from tests.support.serve import Served, backcoach_serve
from tests.support.synthetic import Render, generate, keyframe_poses, repetitions

pytestmark = pytest.mark.postgres

TIME_SCALE = 600.0  # a 15-minute break interval passes in 1.5 real seconds


@pytest.fixture
def env(postgres_url: str, tmp_path: Path) -> dict[str, str]:
    return {
        "BACKCOACH_DATABASE_URL": postgres_url,
        "BACKCOACH_DATA_DIR": str(tmp_path / "data"),
        "BACKCOACH_TIME_SCALE": str(TIME_SCALE),
    }


@pytest.fixture
def workers(env: dict[str, str]) -> Iterator[tuple[str, str]]:
    """Worker A and worker B: two server processes on the same database."""
    with backcoach_serve(env=env) as a, backcoach_serve(env=env) as b:
        yield a.url, b.url


def settings_of(env: dict[str, str]) -> Settings:
    return Settings(
        database_url=env["BACKCOACH_DATABASE_URL"],
        data_dir=Path(env["BACKCOACH_DATA_DIR"]),
        time_scale=TIME_SCALE,
    )


def squat_session(env: dict[str, str], reps: int = 40) -> int:
    """A started session of one long set of squats, made in the shared database."""
    plan = SessionPlan(
        program_id="test",
        length=Length.SHORT,
        steps=(PlannedStep("squat", "Squat", Kind.REPS, sets=1, reps=reps),),
    )
    now = datetime.now(UTC)
    with open_database(settings_of(env)) as db:
        user = local_user(db)
        db.commit()
        active = start_session(db, user_id=user.id, plan=plan, now=now)
        apply_event(db, active=active, event=Start(SessionClock(TIME_SCALE).now()), now=now)
        return active.id


def reps_of(url: str, session_id: int) -> int:
    response = httpx.get(f"{url}/api/v1/sessions/{session_id}", timeout=10)
    response.raise_for_status()
    reps: int = response.json()["reps_done"]
    return reps


def tap_rep(url: str, session_id: int) -> int:
    response = httpx.post(
        f"{url}/api/v1/sessions/{session_id}/events", json={"type": "rep_done"}, timeout=10
    )
    response.raise_for_status()
    reps: int = response.json()["state"]["reps_done"]
    return reps


def test_one_session_alternating_between_workers_loses_nothing(
    workers: tuple[str, str], env: dict[str, str]
) -> None:
    a, b = workers
    session_id = squat_session(env)
    for n in range(1, 9):
        writer, reader = (a, b) if n % 2 else (b, a)
        assert tap_rep(writer, session_id) == n
        assert reps_of(reader, session_id) == n


def squat_frames(reps: int) -> list[LandmarkFrame]:
    stand, down = keyframe_poses(default_catalog().exercise("squat"))[:2]
    return generate(repetitions(stand, down, reps), Render()).frames


def camera(url: str, session_id: int) -> ClientConnection:
    ws_url = url.replace("http://", "ws://") + f"/ws/coach/{session_id}"
    own = {"Origin": url, "Sec-Fetch-Site": "same-origin"}
    return connect(ws_url, additional_headers=own, open_timeout=10)


def film(ws: ClientConnection, frames: list[LandmarkFrame], tap: Any) -> list[dict[str, Any]]:
    """Send ``frames`` at their own pace; ``tap`` runs every 60 frames (on the other worker)."""
    replies: list[dict[str, Any]] = []
    start = time.monotonic()
    for i, frame in enumerate(frames):
        time.sleep(max(0.0, frame.t_s - (time.monotonic() - start)))
        ws.send(json.dumps({"type": "frame", **frame_to_json(frame)}))
        replies.append(json.loads(ws.recv(timeout=10)))
        if i % 60 == 30:
            tap()
    return replies


def test_camera_on_one_worker_and_taps_on_the_other_add_up_and_survive_a_reconnect(
    workers: tuple[str, str], env: dict[str, str]
) -> None:
    a, b = workers
    session_id = squat_session(env)
    taps: list[int] = []
    with camera(a, session_id) as ws:
        hello = json.loads(ws.recv(timeout=10))
        assert (hello["type"], hello["exercise"]) == ("hello", "squat")
        replies = film(ws, squat_frames(3), lambda: taps.append(tap_rep(b, session_id)))
    assert sum(r["rep_done"] for r in replies) == 3
    assert len(taps) >= 4
    assert reps_of(a, session_id) == reps_of(b, session_id) == 3 + len(taps)

    # The camera comes back on the other worker; its clock starts from zero again.
    with camera(b, session_id) as ws:
        assert json.loads(ws.recv(timeout=10))["exercise"] == "squat"
        film(ws, squat_frames(2), lambda: taps.append(tap_rep(a, session_id)))
    assert reps_of(a, session_id) == reps_of(b, session_id) == 5 + len(taps)


def desk(url: str, action: str) -> dict[str, Any]:
    if action == "state":
        response = httpx.get(f"{url}/api/v1/desk/state", timeout=10)
    else:
        response = httpx.post(f"{url}/api/v1/desk/{action}", timeout=10)
    assert response.status_code in (200, 409), response.text
    answer: dict[str, Any] = response.json()
    return answer


def until_due(first: str, second: str) -> dict[str, Any]:
    """Tick on the two workers in turn until a break is due (a few real seconds)."""
    deadline = time.monotonic() + 30
    turn = 0
    while time.monotonic() < deadline:
        state = desk((first, second)[turn % 2], "tick")
        if state["due"] is not None:
            return state
        turn += 1
        time.sleep(0.1)
    raise AssertionError("no break came due")


def test_one_desk_ticked_on_both_workers_keeps_one_countdown_skip_cap_and_snooze(
    workers: tuple[str, str],
) -> None:
    a, b = workers
    httpx.patch(f"{a}/api/v1/preferences", json={"break_minutes": 15}, timeout=10)
    started = desk(a, "tick")
    assert started["next_in_s"] == pytest.approx(15 * 60, abs=120)
    other = desk(b, "state")  # B tells the countdown A started, on the same desk clock
    assert other["next_in_s"] == pytest.approx(started["next_in_s"], abs=120)
    assert other["next_in_s"] <= started["next_in_s"]

    for n, (first, second) in enumerate([(a, b), (b, a), (a, b)], start=1):
        due = until_due(first, second)
        assert due["skips_left"] == 4 - n
        skipped = desk(second, "skip")
        assert skipped["due"] is None and skipped["skips_left"] == 3 - n
        assert desk(first, "state")["today"]["breaks_skipped"] == n

    until_due(b, a)
    refused = httpx.post(f"{a}/api/v1/desk/skip", timeout=10)
    assert refused.status_code == 409 and "No skips are left" in refused.json()["detail"]
    snoozed = desk(b, "snooze")
    assert snoozed["due"] is None
    seen = desk(a, "state")
    assert seen["due"] is None and seen["next_in_s"] == pytest.approx(5 * 60, abs=120)
    assert seen["today"]["breaks_snoozed"] == 1 and seen["today"]["breaks_skipped"] == 3

    assert desk(a, "away")["away"] is True
    assert desk(b, "state")["away"] is True
    assert desk(b, "back")["away"] is False


def test_serve_with_two_workers_on_postgresql(env: dict[str, str]) -> None:
    with backcoach_serve("--workers", "2", env=env) as served:
        answers = [httpx.post(f"{served.url}/api/v1/desk/tick", timeout=10) for _ in range(6)]
        assert all(r.status_code == 200 for r in answers)
        assert httpx.get(f"{served.url}/api/v1/desk/state", timeout=10).json()["away"] is False
    assert "with 2 workers" in served_output(served)


def served_output(served: Served) -> str:
    return served.output + served.errors


runner = CliRunner()


@pytest.mark.parametrize("count", ["2", "4"])
def test_several_workers_are_refused_on_sqlite(tmp_path: Path, count: str) -> None:
    result = runner.invoke(
        app, ["serve", "--workers", count], env={"BACKCOACH_DATA_DIR": str(tmp_path / "data")}
    )
    assert result.exit_code == 2, result.output
    text = " ".join(result.stderr.split())
    assert f"Refusing --workers {count} on SQLite" in text and "PostgreSQL" in text
