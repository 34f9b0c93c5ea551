"""``/api/v1/desk`` and ``/desk`` with a fake clock (real server, SQLite and PostgreSQL)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta

import httpx
import pytest

from backcoach.config import Settings
from backcoach.content import View
from backcoach.services.desk_runtime import GAP_S, DeskRuntime
from backcoach.vision.landmarks import LandmarkFrame, frame_to_json
from backcoach.web.state import app_state
from tests.e2e.live_server import running_server
from tests.unit.test_posture import SLUMPED_BACK, UPRIGHT, desk_render, film


class FakeDeskClock:
    def __init__(self) -> None:
        self.real_s = 0.0
        self.start = datetime(2026, 11, 25, 9, 0).astimezone()

    def real(self) -> float:
        return self.real_s

    def now(self) -> datetime:
        return self.start + timedelta(seconds=self.real_s)

    def advance(self, minutes: float) -> None:
        self.real_s += minutes * 60


@pytest.fixture
def clock() -> FakeDeskClock:
    return FakeDeskClock()


@pytest.fixture
def client(db_settings: Settings, clock: FakeDeskClock) -> Iterator[httpx.Client]:
    """The real app (SQLite and PostgreSQL) whose desk timer runs on ``clock``."""
    with running_server(db_settings) as live:
        app_state(live.server.config.app).desk = DeskRuntime(clock, source="web")
        with httpx.Client(base_url=live.url, timeout=10) as client:
            # breaks every 20 minutes (the timings below); the default 45 has its own test
            client.patch("/api/v1/preferences", json={"break_minutes": 20}).raise_for_status()
            client.post("/api/v1/desk/tick")  # the page opens: the timer starts
            yield client


def walk_minutes(client: httpx.Client, minutes: float, clock: FakeDeskClock) -> dict[str, object]:
    """Tick every 30 s (the page ticks every second; the scheduler only sees elapsed time)."""
    state: dict[str, object] = {}
    for _ in range(round(minutes * 2)):
        clock.advance(0.5)
        state = client.post("/api/v1/desk/tick").json()
    return state


def test_a_break_comes_due_and_taking_it_is_stored(
    client: httpx.Client, clock: FakeDeskClock
) -> None:
    state = client.get("/api/v1/desk/state").json()
    assert state["due"] is None
    assert state["next_kind"] == "micro" and state["next_in_s"] == 20 * 60
    assert client.post("/api/v1/desk/take").status_code == 409
    state = walk_minutes(client, 20, clock)
    assert state["due"] == {
        "kind": "micro", "move": "neck-turns", "name": "Neck turns", "length_s": 20.0
    }  # fmt: skip
    taken = client.post("/api/v1/desk/take").json()
    assert taken["due"] is None and taken["today"]["breaks_taken"] == 1
    assert taken["today"]["sitting_min"] == pytest.approx(20)
    page = client.get("/desk")
    assert page.status_code == 200
    assert 'id="count-taken">1<' in page.text
    days = client.get("/api/v1/desk/days", params={"count": 1}).json()
    assert days[0]["breaks_taken"] == 1


def test_skips_run_out_and_snooze_postpones(client: httpx.Client, clock: FakeDeskClock) -> None:
    for _ in range(3):
        walk_minutes(client, 20, clock)
        assert client.post("/api/v1/desk/skip").status_code == 200
    state = walk_minutes(client, 20, clock)
    assert state["due"] is not None and not state["can_skip"] and state["skips_left"] == 0
    refused = client.post("/api/v1/desk/skip")
    assert refused.status_code == 409 and "No skips are left" in refused.json()["detail"]
    state = client.post("/api/v1/desk/snooze").json()
    assert state["due"] is None and state["next_in_s"] == pytest.approx(5 * 60)
    assert state["today"]["breaks_skipped"] == 3 and state["today"]["breaks_snoozed"] == 1


def test_away_and_a_closed_page_are_not_sitting(client: httpx.Client, clock: FakeDeskClock) -> None:
    walk_minutes(client, 10, clock)
    assert client.post("/api/v1/desk/away").json()["away"] is True
    clock.advance(30)
    state = client.post("/api/v1/desk/back").json()
    assert state["away"] is False
    assert state["today"]["sitting_min"] == pytest.approx(10)
    assert state["next_in_s"] == 20 * 60  # half an hour away was a break
    clock.advance(GAP_S / 60 + 60)  # the page was closed for an hour: no ticks
    state = client.post("/api/v1/desk/tick").json()
    assert state["today"]["sitting_min"] == pytest.approx(10)
    assert state["due"] is None


def test_walks_are_logged_and_bad_input_refused(client: httpx.Client) -> None:
    day = client.post("/api/v1/desk/walk", json={"minutes": 12.5}).json()
    assert day["walking_min"] == 12.5
    for bad in ({"minutes": 0}, {"minutes": 601}, {"minutes": "far"}, {}):
        assert client.post("/api/v1/desk/walk", json=bad).status_code == 422
    assert client.get("/api/v1/desk/days", params={"count": 0}).status_code == 422


def send_frames(
    client: httpx.Client, frames: list[LandmarkFrame], restart: bool = False
) -> dict[str, object]:
    answer: dict[str, object] = {}
    for start in range(0, len(frames), 25):
        batch = [frame_to_json(f) for f in frames[start : start + 25]]
        response = client.post(
            "/api/v1/desk/posture", json={"frames": batch, "restart": restart and start == 0}
        )
        assert response.status_code == 200, response.text
        answer = response.json()
    return answer


def test_landmarks_from_the_page_give_posture_alerts_and_presence(
    client: httpx.Client, clock: FakeDeskClock
) -> None:
    render = desk_render(View.SIDE, noise=0.002, seed=4)
    frames = film([(UPRIGHT, 10, render), (SLUMPED_BACK, 70, render)])
    answer = send_frames(client, frames, restart=True)
    assert answer["state"] == "slouched" and not answer["calibrating"]
    days = client.get("/api/v1/desk/days", params={"count": 1}).json()
    assert days[0]["posture_alerts"] == 1
    assert days[0]["posture_min"]["slouched"] == pytest.approx(1, abs=0.2)  # stored by the minute

    away = [LandmarkFrame(t_s=80 + i / 5, landmarks=None) for i in range(30)]
    assert send_frames(client, away)["state"] == "absent"
    walk_minutes(client, 10, clock)  # nobody in view: the break clock does not run
    state = client.get("/api/v1/desk/state").json()
    assert state["today"]["sitting_min"] == 0 and state["next_in_s"] == 20 * 60

    assert client.post("/api/v1/desk/posture/stop").status_code == 204
    walk_minutes(client, 1, clock)  # camera off: present again
    assert client.get("/api/v1/desk/state").json()["today"]["sitting_min"] == pytest.approx(1)
    days = client.get("/api/v1/desk/days", params={"count": 1}).json()
    assert days[0]["posture_min"]["slouched"] == pytest.approx(70 / 60, abs=0.05)


@pytest.mark.parametrize(
    "frames",
    [
        [{"t_s": 0, "landmarks": [[0.5, 0.5, 0, 1]] * 32}],
        [{"t_s": 1, "landmarks": None}, {"t_s": 0, "landmarks": None}],
        [{"t_s": -1, "landmarks": None}],
    ],
)
def test_malformed_landmarks_are_refused(client: httpx.Client, frames: list[object]) -> None:
    response = client.post("/api/v1/desk/posture", json={"frames": frames})
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"][:2] == ["body", "frames"]  # FastAPI's format
