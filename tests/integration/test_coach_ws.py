"""The live coaching WebSockets, through Starlette's TestClient on a real SQLite file.

Landmarks come from the real glute-bridge clip (``backcoach landmarks``, run
once per test session): replaying them must count the labelled rep, record it
in the session with source ``camera``, survive a reconnect, and a client that
sends garbage or floods the server must not disturb another session. Played
in a loop into a step dosed with 4 s holds, the clip's 2 s lifts count a rep
only once the dosed time is held.
"""

from __future__ import annotations

import json
import math
import subprocess
import sys
import warnings
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from starlette.websockets import WebSocketDisconnect

from backcoach.coach.engine import Start
from backcoach.coach.plan import PlannedStep, SessionPlan
from backcoach.config import Settings
from backcoach.content import Kind, Length, default_catalog
from backcoach.services.clock import SessionClock
from backcoach.services.live_coach import BURST_FRAMES, MAX_MESSAGE_BYTES, RateLimiter
from backcoach.services.sessions import apply_event, load_session, start_session
from backcoach.store import StepSource, list_step_events, local_user
from backcoach.vision.landmarks import LandmarkFrame, frame_to_json, read_jsonl
from backcoach.web.app import create_app
from backcoach.web.state import app_state
from tests.support.camera_run import Run
from tests.support.synthetic import Render, generate, keyframe_poses, still

with warnings.catch_warnings():
    # This Starlette wants the httpx2 fork for its test client; plain httpx still works.
    warnings.filterwarnings("ignore", message=".*httpx2.*")
    from starlette.testclient import TestClient

BRIDGE_CLIP = "pankajmaurya__PhysioPlus/physiocore/tests/bridging.mp4"


@pytest.fixture(scope="session")
def bridge_frames(
    shared_data: Path, tmp_path_factory: pytest.TempPathFactory
) -> list[LandmarkFrame]:
    """The bridging clip's landmarks, made by the real ``backcoach landmarks`` command."""
    out = tmp_path_factory.mktemp("landmarks") / "bridging.jsonl"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "backcoach",
            "landmarks",
            str(shared_data / BRIDGE_CLIP),
            "-o",
            str(out),
        ],
        check=True,
        capture_output=True,
        timeout=300,
    )
    return list(read_jsonl(out))


@pytest.fixture
def client(tmp_path: Path) -> Iterator[TestClient]:
    # The test client's WebSockets always name the host "testserver": allow it, as
    # server mode allows a configured host name (the Host allow-list is tested elsewhere).
    app = create_app(Settings(data_dir=tmp_path / "data", allowed_hosts=["testserver"]))
    with TestClient(app) as client:
        yield client


def frame_message(frame: LandmarkFrame, shift_s: float = 0.0) -> str:
    obj = frame_to_json(LandmarkFrame(frame.t_s + shift_s, frame.landmarks, frame.aspect))
    return json.dumps({"type": "frame", **obj})


def replay(ws: Any, frames: list[LandmarkFrame], shift_s: float = 0.0) -> list[dict[str, Any]]:
    replies = []
    for frame in frames:
        ws.send_text(frame_message(frame, shift_s))
        replies.append(ws.receive_json())
    return replies


def bridge_plan() -> SessionPlan:
    """A glute bridge counted rep by rep (no dosed hold: the camera's rep is the step's rep)."""
    bridge = PlannedStep("glute-bridge", "Glute bridge", Kind.REPS, sets=1, reps=1)
    squat = PlannedStep("squat", "Squat", Kind.REPS, sets=1, reps=5)
    return SessionPlan(program_id="test", length=Length.SHORT, steps=(bridge, squat))


def started_session(client: TestClient, plan: SessionPlan | None = None) -> int:
    factory = app_state(client.app).sessions
    now = datetime.now(UTC)
    with factory() as db:
        user = local_user(db)
        db.commit()
        active = start_session(db, user_id=user.id, plan=plan or bridge_plan(), now=now)
        apply_event(db, active=active, event=Start(SessionClock(1.0).now()), now=now)
        return active.id


def session_state(client: TestClient, session_id: int) -> tuple[int, list[Any]]:
    factory = app_state(client.app).sessions
    with factory() as db:
        active = load_session(db, session_id=session_id)
        return active.engine.state.step_index, list(list_step_events(db, session_id=session_id))


def test_practice_replay_counts_the_rep_only_when_held_its_dose(
    client: TestClient, bridge_frames: list[LandmarkFrame]
) -> None:
    # The clip's bridge is held about 2 s; practice uses the exercise's default dose (4 s).
    with client.websocket_connect("/ws/practice/glute-bridge") as ws:
        hello = ws.receive_json()
        assert hello == {"type": "hello", "exercise": "glute-bridge", "camera_checks": True}
        replies = replay(ws, bridge_frames)
    assert all(r["type"] == "feedback" and r["exercise"] == "glute-bridge" for r in replies)
    for key in ("reps", "hold_s", "cue", "hint", "step_done"):
        assert key in replies[0]
    assert max(r["hold_s"] for r in replies) >= 1.0  # label: held at least 1 s
    assert any(r["cue"] and r["cue"].startswith("Hold... ") for r in replies)
    assert replies[-1]["reps"] == 0
    assert sum(r["rep_done"] for r in replies) == 0


def test_practice_of_unknown_or_unchecked_exercise(client: TestClient) -> None:
    with client.websocket_connect("/ws/practice/no-such-thing") as ws:
        assert ws.receive_json()["code"] == "unknown-exercise"
        with pytest.raises(WebSocketDisconnect) as closed:
            ws.receive_json()
        assert closed.value.code == 1008
    with client.websocket_connect("/ws/practice/relaxation") as ws:
        assert ws.receive_json()["camera_checks"] is False
        ws.send_text(json.dumps({"type": "frame", "t_s": 0.0, "landmarks": None}))
        reply = ws.receive_json()
        assert reply["type"] == "feedback" and reply["reps"] == 0 and reply["hint"]


def test_session_replay_records_the_rep_from_the_camera(
    client: TestClient, bridge_frames: list[LandmarkFrame]
) -> None:
    session_id = started_session(client)
    with client.websocket_connect(f"/ws/coach/{session_id}") as ws:
        hello = ws.receive_json()
        assert (hello["step_index"], hello["exercise"]) == (0, "glute-bridge")
        replies = replay(ws, bridge_frames)
    assert any(r["step_done"] for r in replies)
    assert replies[-1]["exercise"] == "squat" and replies[-1]["step_index"] == 1
    step_index, events = session_state(client, session_id)
    assert step_index == 1
    assert [(e.step_index, e.reps, e.source) for e in events] == [(0, 1, StepSource.CAMERA)]


def test_reconnect_resumes_the_step_with_its_count(
    client: TestClient, bridge_frames: list[LandmarkFrame]
) -> None:
    session_id = started_session(client)
    half = next(i for i, f in enumerate(bridge_frames) if f.t_s >= 1.5)  # mid-hold
    with client.websocket_connect(f"/ws/coach/{session_id}") as ws:
        ws.receive_json()
        first = replay(ws, bridge_frames[:half])
    assert first[-1]["hold_s"] > 0 and first[-1]["reps"] == 0
    with client.websocket_connect(f"/ws/coach/{session_id}") as ws:
        hello = ws.receive_json()
        assert (hello["step_index"], hello["exercise"]) == (0, "glute-bridge")
        # A reloaded page's clock starts at zero again: the server keeps time going on.
        restart = -bridge_frames[half].t_s
        second = replay(ws, bridge_frames[half:], shift_s=restart)
    assert all(r["type"] == "feedback" for r in second)
    assert any(r["step_done"] for r in second)
    _, events = session_state(client, session_id)
    assert [(e.reps, e.source) for e in events] == [(1, StepSource.CAMERA)]


def good_frame(t_s: float = 0.0) -> dict[str, Any]:
    return {"type": "frame", "t_s": t_s, "landmarks": [[0.5, 0.5, 0.0, 0.9]] * 33}


@pytest.mark.parametrize(
    ("message", "code"),
    [
        ("{not json", "not-json"),
        ("[1, 2, 3]", "not-object"),
        (json.dumps({"type": "video", "data": "AAAA"}), "unknown-type"),
        (json.dumps({"type": "frame", "landmarks": None}), "bad-frame"),
        (json.dumps({**good_frame(), "landmarks": [[0.5, 0.5, 0.0, 0.9]] * 32}), "bad-frame"),
        (json.dumps({**good_frame(), "landmarks": [[0.5, 0.5]] * 33}), "bad-frame"),
        (json.dumps({**good_frame(), "landmarks": [["x", 0.5, 0, 1]] * 33}), "bad-frame"),
        (json.dumps({**good_frame(), "landmarks": [[float("nan"), 0.5, 0, 1]] * 33}), "not-json"),
        (json.dumps({**good_frame(), "t_s": float("inf")}), "not-json"),
        (json.dumps({**good_frame(), "t_s": "soon"}), "bad-frame"),
        (json.dumps({**good_frame(), "t_s": -1}), "bad-frame"),
    ],
)
def test_bad_messages_get_an_error_and_the_connection_goes_on(
    client: TestClient, message: str, code: str
) -> None:
    with client.websocket_connect("/ws/practice/glute-bridge") as ws:
        ws.receive_json()
        ws.send_text(message)
        error = ws.receive_json()
        assert (error["type"], error["code"]) == ("error", code)
        assert error["message"]
        ws.send_json(good_frame(0.1))
        assert ws.receive_json()["type"] == "feedback"


def test_time_going_back_is_rejected(client: TestClient) -> None:
    with client.websocket_connect("/ws/practice/squat") as ws:
        ws.receive_json()
        ws.send_json(good_frame(1.0))
        assert ws.receive_json()["type"] == "feedback"
        ws.send_json(good_frame(0.5))
        assert ws.receive_json()["code"] == "time-back"
        ws.send_json(good_frame(1.1))
        assert ws.receive_json()["type"] == "feedback"


def test_huge_and_binary_messages(client: TestClient) -> None:
    with client.websocket_connect("/ws/practice/glute-bridge") as ws:
        ws.receive_json()
        ws.send_bytes(b"\x89PNG fake image bytes")
        assert ws.receive_json()["code"] == "binary"
        ws.send_text(json.dumps({**good_frame(), "pad": "x" * MAX_MESSAGE_BYTES}))
        with pytest.raises(WebSocketDisconnect) as closed:
            ws.receive_json()
        assert closed.value.code == 1009


def test_unknown_session_is_refused(client: TestClient) -> None:
    with client.websocket_connect("/ws/coach/9999") as ws:
        assert ws.receive_json()["code"] == "unknown-session"
        with pytest.raises(WebSocketDisconnect) as closed:
            ws.receive_json()
        assert closed.value.code == 1008


def test_rate_limiter_allows_bursts_then_the_rate() -> None:
    limiter = RateLimiter(rate=30.0, burst=5)
    assert [limiter.allow(0.0) for _ in range(7)] == [True] * 5 + [False] * 2
    assert limiter.allow(1 / 30 + 1e-9)
    assert not limiter.allow(1 / 30 + 1e-9)
    assert all(limiter.allow(10.0 + i / 30) for i in range(60))


def test_flooding_and_garbage_close_one_connection_only(
    client: TestClient, bridge_frames: list[LandmarkFrame]
) -> None:
    calm_id, noisy_id = started_session(client), started_session(client)
    with (
        client.websocket_connect(f"/ws/coach/{calm_id}") as calm,
        client.websocket_connect(f"/ws/coach/{noisy_id}") as noisy,
    ):
        calm.receive_json()
        noisy.receive_json()
        # Flood: far more frames at once than the burst allows.
        flood = BURST_FRAMES + 100
        for i in range(flood):
            noisy.send_json(good_frame(i / 1000))
        replies = [noisy.receive_json() for _ in range(flood)]
        too_frequent = [r for r in replies if r.get("code") == "too-frequent"]
        assert too_frequent, "a flood must be refused"
        assert sum(r["type"] == "feedback" for r in replies) < flood
        # Garbage on the same connection ends it with a policy violation.
        with pytest.raises(WebSocketDisconnect) as closed:
            for _ in range(1000):
                noisy.send_text("garbage")
                assert noisy.receive_json()["code"] in {"not-json", "too-frequent"}
        assert closed.value.code == 1008
        # The other session saw nothing of it and counts its rep.
        calm_replies = replay(calm, bridge_frames)
    assert all(r["type"] == "feedback" for r in calm_replies)
    assert any(r["step_done"] for r in calm_replies)
    _, calm_events = session_state(client, calm_id)
    _, noisy_events = session_state(client, noisy_id)
    assert [(e.reps, e.source) for e in calm_events] == [(1, StepSource.CAMERA)]
    assert noisy_events == []


def test_two_sessions_interleaved_count_independently(
    client: TestClient, bridge_frames: list[LandmarkFrame]
) -> None:
    first, second = started_session(client), started_session(client)
    with (
        client.websocket_connect(f"/ws/coach/{first}") as a,
        client.websocket_connect(f"/ws/coach/{second}") as b,
    ):
        a.receive_json()
        b.receive_json()
        replies_a, replies_b = [], []
        for frame in bridge_frames:
            a.send_text(frame_message(frame))
            b.send_text(frame_message(frame, shift_s=100.0))
            replies_a.append(a.receive_json())
            replies_b.append(b.receive_json())
    for replies in (replies_a, replies_b):
        assert sum(r["rep_done"] for r in replies) == 1
        assert any(r["step_done"] for r in replies)
    for session_id in (first, second):
        _, events = session_state(client, session_id)
        assert [(e.reps, e.source) for e in events] == [(1, StepSource.CAMERA)]


def test_a_broken_hold_pauses_the_hold_and_says_why(client: TestClient) -> None:
    """Plank: holding starts the hold; leaving the position pauses the session with the
    reason; getting back into it resumes. The camera's hold clock counts held time only."""
    catalog = default_catalog()
    plank = keyframe_poses(catalog.exercise("plank"))[1]
    lying = keyframe_poses(catalog.exercise("superman"))[0]
    frames = generate(still(plank, 3.0) + still(lying, 2.0) + still(plank, 3.0), Render()).frames
    broken_at = 6.0  # well inside the time spent lying down (from about 5 s to 7.4 s)
    app_state(client.app).live_max_frames_per_s = 10_000  # replay fast
    step = PlannedStep("plank", "Plank", Kind.HOLD, sets=1, hold_s=60.0)
    session_id = started_session(client, SessionPlan("test", Length.SHORT, (step,)))
    with client.websocket_connect(f"/ws/coach/{session_id}") as ws:
        ws.receive_json()
        first = replay(ws, [f for f in frames if f.t_s < broken_at])
        paused = session_status(client, session_id)
        second = replay(ws, [f for f in frames if f.t_s >= broken_at])
    assert first[-1]["hold_paused"] is True
    assert first[-1]["cue"] and first[-1]["cue"] == first[-1]["pause_reason"]
    held = first[-1]["hold_total_s"]
    assert 3.0 < held < 5.5  # the lead-in and the plank, not the lying down
    assert paused == ("paused", "hold")
    assert session_status(client, session_id) == ("running", "hold")
    assert second[-1]["hold_paused"] is False
    assert second[-1]["hold_total_s"] > held + 1.5


def session_status(client: TestClient, session_id: int) -> tuple[str, str | None]:
    factory = app_state(client.app).sessions
    with factory() as db:
        state = load_session(db, session_id=session_id).engine.state
        return state.status.value, state.activity.value if state.activity else None


def test_the_real_clip_counts_a_rep_only_when_the_dosed_hold_is_reached(
    client: TestClient, bridge_frames: list[LandmarkFrame]
) -> None:
    """The clip, looped, lifts the hips for about 2 s every 3 s; the dose is 2 reps of 4 s.

    Each first lift is paused when the hips come down (with the seconds left), the next
    lift finishes the hold, and only then does the rep count: 2 reps in 4 loops.
    """
    period = bridge_frames[1].t_s - bridge_frames[0].t_s
    loop = bridge_frames[-1].t_s + period
    frames = [
        LandmarkFrame(f.t_s + k * loop, f.landmarks, f.aspect)
        for k in range(4)
        for f in bridge_frames
    ]
    run = Run.start(app_state(client.app).sessions, reps=2, hold_s=4.0)

    run.play(frames, until=loop)
    state = run.state()
    assert (state.status, state.activity, state.reps_done) == ("paused", "hold", 0)
    assert state.remaining_s is not None
    cue = run.cues()[-1]
    assert cue == (
        f"Hips came down with {math.ceil(state.remaining_s)} s left: lift again to finish the hold."
    )

    run.play(frames, until=2 * loop)
    assert run.state().reps_done == 1

    run.play(frames)
    state = run.state()
    assert state.finished, run.coach.applied
    assert [r.reps for r in state.records] == [2]
    assert run.coach.applied.count("RepDone") == 2  # the camera started each rep's hold
    assert run.coach.applied.count("Pause") == run.coach.applied.count("Resume") == 2
