"""Hostile input on the live coaching WebSockets: each is refused and nothing is left behind.

Numbers JSON allows but no camera gives (``1e400``, ``10**400`` written out,
coordinates far off the picture), thousands of nested brackets, path ids that
cannot be a session or an exercise, a handler that fails half-way, and a 15 MiB
message sent to a real uvicorn server: every one gets a plain ``error`` message
(the connection goes on) or a clean close, and the live-coach registry keeps no
entry it should not.
"""

from __future__ import annotations

import json
import time
import warnings
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import websockets.exceptions
from fastapi import FastAPI
from sqlalchemy.orm import Session, sessionmaker
from starlette.websockets import WebSocketDisconnect
from websockets.sync.client import connect

from backcoach.coach.engine import Quit, Start
from backcoach.coach.plan import PlannedStep, SessionPlan
from backcoach.config import Settings
from backcoach.content import Kind, Length
from backcoach.services import live_protocol
from backcoach.services.clock import SessionClock
from backcoach.services.live_coach import (
    MAX_MESSAGE_BYTES,
    SERVER_MAX_MESSAGE_BYTES,
    LiveCoaches,
    ProtocolError,
    SessionCoach,
    parse_message,
)
from backcoach.services.sessions import apply_event, load_session, start_session
from backcoach.store import local_user
from backcoach.web.app import create_app
from backcoach.web.state import app_state
from backcoach.web.ws.coach import MAX_SESSION_ID
from tests.e2e.live_server import running_server
from tests.support.ws_frames import announce_huge_message

with warnings.catch_warnings():
    # This Starlette wants the httpx2 fork for its test client; plain httpx still works.
    warnings.filterwarnings("ignore", message=".*httpx2.*")
    from starlette.testclient import TestClient, WebSocketTestSession

POINT = "[0.5,0.5,0.0,0.9]"


@pytest.fixture
def app(tmp_path: Path) -> FastAPI:
    return create_app(Settings(data_dir=tmp_path / "data"))


@pytest.fixture
def client(app: FastAPI) -> Iterator[TestClient]:
    # The app answers only to its own address (the Host allow-list).
    with TestClient(app, base_url="http://127.0.0.1:8000") as client:
        yield client


def open_ws(client: TestClient, path: str) -> WebSocketTestSession:
    # The test client ignores base_url for WebSockets: name the app's own address in full.
    return client.websocket_connect(f"ws://127.0.0.1:8000{path}")


def frame_text(*, t_s: str = "0.1", points: list[str] | None = None, extra: str = "") -> str:
    """A frame message written by hand, so it can hold numbers ``json.dumps`` cannot write."""
    landmarks = ",".join(points if points is not None else [POINT] * 33)
    return f'{{"type":"frame","t_s":{t_s},"landmarks":[{landmarks}]{extra}}}'


def with_point(point: str) -> str:
    return frame_text(points=[point] + [POINT] * 32)


def good_frame(t_s: float) -> dict[str, Any]:
    return {"type": "frame", "t_s": t_s, "landmarks": [[0.5, 0.5, 0.0, 0.9]] * 33}


HUGE = "1" + "0" * 400  # 10**400: JSON allows it, a float cannot hold it
NESTED = "[" * 5000 + "]" * 5000


@pytest.mark.parametrize(
    ("message", "code"),
    [
        (with_point(f"[{HUGE},0.5,0,1]"), "bad-frame"),
        (with_point(f"[0.5,-{HUGE},0,1]"), "bad-frame"),
        (with_point(f"[0.5,0.5,0,{HUGE}]"), "bad-frame"),
        (with_point("[1e400,0.5,0,1]"), "bad-frame"),
        (with_point("[0.5,-1e400,0,1]"), "bad-frame"),
        (with_point("[0.5,0.5,1e400,1]"), "bad-frame"),
        (with_point("[NaN,0.5,0,1]"), "not-json"),
        (with_point("[0.5,Infinity,0,1]"), "not-json"),
        (with_point("[0.5,0.5,-Infinity,1]"), "not-json"),
        (with_point("[1000,0.5,0,1]"), "bad-frame"),  # far off the picture
        (with_point("[0.5,0.5,0,1.5]"), "bad-frame"),  # visibility is 0..1
        (with_point("[0.5,0.5,0,-0.1]"), "bad-frame"),
        (frame_text(t_s=HUGE), "bad-frame"),
        (frame_text(t_s="1e400"), "bad-frame"),
        (frame_text(t_s="1e300"), "bad-frame"),
        (frame_text(t_s="9" * 5000), "not-json"),  # over Python's digit limit for int()
        (frame_text(extra=f',"aspect":{HUGE}'), "bad-frame"),
        (frame_text(extra=',"aspect":1e400'), "bad-frame"),
        (frame_text(extra=f',"pad":{HUGE}'), None),  # unknown fields are not read
        (frame_text(points=[NESTED]), "too-nested"),
        ('{"type":"frame","t_s":0,"landmarks":' + NESTED + "}", "too-nested"),
        (NESTED, "too-nested"),
        ("{" * 5000, "too-nested"),
        ('{"type":' + "[" * 5000, "too-nested"),
    ],
)
def test_numbers_no_camera_gives_and_deep_nesting_get_an_error_and_the_connection_goes_on(
    client: TestClient, message: str, code: str | None
) -> None:
    assert len(message) <= MAX_MESSAGE_BYTES
    with open_ws(client, "/ws/practice/glute-bridge") as ws:
        ws.receive_json()
        ws.send_text(message)
        reply = ws.receive_json()
        if code is None:  # an unknown extra field, however big its number, is ignored
            assert reply["type"] == "feedback"
        else:
            assert (reply["type"], reply["code"]) == ("error", code), reply
            assert reply["message"] and len(reply["message"]) < 300
        ws.send_json(good_frame(0.2))
        assert ws.receive_json()["type"] == "feedback"


def test_the_parser_survives_nesting_past_its_own_stack(monkeypatch: pytest.MonkeyPatch) -> None:
    """The bracket count stops deep nesting first; if it did not, RecursionError is caught."""
    monkeypatch.setattr(live_protocol, "MAX_CONTAINERS", 10**6)
    with pytest.raises(ProtocolError) as refused:
        parse_message('{"type":"frame","t_s":0,"landmarks":' + NESTED + "}")
    assert refused.value.code == "too-nested"


def test_values_at_the_edges_of_their_range_are_accepted() -> None:
    frame = parse_message(
        frame_text(
            t_s="10000000",
            points=["[-100,100,-100,0]", "[100,-100,100,1]"] + [POINT] * 31,
            extra=',"aspect":9.99',
        )
    )
    assert frame is not None and frame.landmarks is not None
    assert frame.t_s == 10_000_000.0
    assert frame.landmarks[0] == (-100.0, 100.0, -100.0, 0.0)
    assert frame.landmarks[1] == (100.0, -100.0, 100.0, 1.0)


def coaches(app: FastAPI) -> LiveCoaches:
    return app_state(app).live_coaches


@pytest.mark.parametrize(
    "session_id",
    [
        "0",
        "-1",
        str(MAX_SESSION_ID),  # in range, but there is no such session
        str(MAX_SESSION_ID + 1),
        str(2**64),
        "9" * 40,
        "1e3",
        "abc",
        "\uff11\uff12",  # full-width digits: decimal to Python, not to a URL
        "\u00b2",
    ],
)
def test_session_ids_out_of_range_are_refused_and_leave_no_entry(
    client: TestClient, app: FastAPI, session_id: str
) -> None:
    with open_ws(client, f"/ws/coach/{session_id}") as ws:
        error = ws.receive_json()
        assert (error["type"], error["code"]) == ("error", "unknown-session")
        with pytest.raises(WebSocketDisconnect) as closed:
            ws.receive_json()
        assert closed.value.code == 1008
    assert len(coaches(app)) == 0


@pytest.mark.parametrize(
    "exercise_id",
    ["x" * 65, "glute-bridge" + "-x" * 40, "Glute-Bridge", "glute_bridge", "a--b", "-a", "é"],
)
def test_exercise_ids_that_are_not_slugs_are_refused(client: TestClient, exercise_id: str) -> None:
    with open_ws(client, f"/ws/practice/{exercise_id}") as ws:
        assert ws.receive_json()["code"] == "unknown-exercise"
        with pytest.raises(WebSocketDisconnect) as closed:
            ws.receive_json()
        assert closed.value.code == 1008


def started_session(app: FastAPI, steps: tuple[PlannedStep, ...] | None = None) -> int:
    squat = PlannedStep("squat", "Squat", Kind.REPS, sets=1, reps=5)
    plan = SessionPlan(program_id="test", length=Length.SHORT, steps=steps or (squat,))
    now = datetime.now(UTC)
    with app_state(app).sessions() as db:
        user = local_user(db)
        db.commit()
        active = start_session(db, user_id=user.id, plan=plan, now=now)
        apply_event(db, active=active, event=Start(SessionClock(1.0).now()), now=now)
        return active.id


def local_user_id(app: FastAPI) -> int:
    with app_state(app).sessions() as db:
        user_id: int = local_user(db).id
        return user_id


def test_a_session_going_on_keeps_its_coach_for_a_reconnect(
    client: TestClient, app: FastAPI
) -> None:
    session_id = started_session(app)
    with open_ws(client, f"/ws/coach/{session_id}") as first:
        first.receive_json()
        with open_ws(client, f"/ws/coach/{session_id}") as second:
            second.receive_json()
        first.send_json(good_frame(0.1))
        assert first.receive_json()["type"] == "feedback"  # still served after the other left
    key = (local_user_id(app), session_id)
    assert key in coaches(app) and len(coaches(app)) == 1


def test_a_handler_that_fails_half_way_leaves_no_entry(
    client: TestClient, app: FastAPI, monkeypatch: pytest.MonkeyPatch
) -> None:
    session_id = started_session(app)

    def broken(self: SessionCoach, *args: object) -> None:
        raise RuntimeError("the database went away")

    monkeypatch.setattr(SessionCoach, "update_session", broken)
    with (
        pytest.raises(RuntimeError, match="went away"),
        open_ws(client, f"/ws/coach/{session_id}") as ws,
    ):
        ws.receive_json()
        ws.send_json(good_frame(0.1))  # the first frame re-reads the session
        ws.receive_json()
    assert len(coaches(app)) == 0


def test_a_finished_session_leaves_no_entry(client: TestClient, app: FastAPI) -> None:
    session_id = started_session(app)
    with app_state(app).sessions() as db:
        active = load_session(db, session_id=session_id)
        now = datetime.now(UTC)
        apply_event(db, active=active, event=Quit(SessionClock(1.0).now()), now=now)
    with open_ws(client, f"/ws/coach/{session_id}") as ws:
        assert ws.receive_json()["type"] == "hello"
    assert len(coaches(app)) == 0


def test_the_registry_keeps_few_idle_coaches_and_one_per_user_and_session() -> None:
    registry = LiveCoaches(max_idle=2)

    unused: sessionmaker[Session] = sessionmaker()  # the registry never opens the database

    def take(session_id: int, user_id: int = 1) -> SessionCoach:
        return registry.connect(session_id, user_id=user_id, factory=unused, clock=time.monotonic)

    first, again = take(1), take(1)
    assert first is again and first.connections == 2
    other_user = take(1, user_id=2)
    assert other_user is not first
    registry.release(other_user, keep=False)
    registry.release(again, keep=True)
    assert (1, 1) in registry  # one connection still uses it
    registry.release(first, keep=True)
    assert (1, 1) in registry and first.connections == 0  # idle, kept for a reconnect
    for session_id in (2, 3):
        registry.release(take(session_id), keep=True)
    assert (1, 1) not in registry and len(registry) == 2  # the oldest idle one went
    assert take(3).connections == 1  # taken again: no longer idle
    registry.release(take(4), keep=False)
    assert (1, 4) not in registry and (2, 1) not in registry


# --- the real server's bound (uvicorn's ws_max_size, as `backcoach serve` sets it) -----


@pytest.fixture
def live_ws_url(tmp_path: Path) -> Iterator[str]:
    with running_server(Settings(data_dir=tmp_path / "live")) as live:
        yield live.url.replace("http://", "ws://", 1)


def test_the_server_refuses_a_huge_message_and_goes_on_serving(live_ws_url: str) -> None:
    host, port = live_ws_url.removeprefix("ws://").split(":")
    assert announce_huge_message(host, int(port), "/ws/practice/glute-bridge", 15 * 2**20) == 1009
    with connect(f"{live_ws_url}/ws/practice/glute-bridge") as ws:
        ws.recv(timeout=5)
        ws.send(json.dumps(good_frame(0.1)))
        assert json.loads(ws.recv(timeout=5))["type"] == "feedback"


def test_a_message_a_bit_too_big_reaches_the_app_which_closes(live_ws_url: str) -> None:
    size = MAX_MESSAGE_BYTES + 1000
    assert size < SERVER_MAX_MESSAGE_BYTES
    with connect(f"{live_ws_url}/ws/practice/glute-bridge") as ws:
        ws.recv(timeout=5)
        ws.send(json.dumps({**good_frame(0.1), "pad": "x" * size}))
        with pytest.raises(websockets.exceptions.ConnectionClosed) as closed:
            ws.recv(timeout=5)
    assert closed.value.rcvd is not None
    assert (closed.value.rcvd.code, closed.value.rcvd.reason) == (1009, "message too big")
