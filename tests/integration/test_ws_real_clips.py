"""Every shared real clip through the live coaching WebSocket, as the browser sends it.

Each clip runs through the real pose model once per test session (cached
landmarks), then frame by frame through ``/ws/practice/{exercise}``, which
coaches with the exercise's default dose (a glute bridge: each lift held
4 s). What the page must get: "get into position" before the person is
ready, then ready; the same count as ``backcoach analyze`` under the same
rules; on the bridges (held about 2 s) the countdown "Hold... N more
seconds" and no rep counted for a hold short of the dose. A guided
session's step dose reaches ``/ws/coach/{session}`` the same way.
"""

from __future__ import annotations

import json
import warnings
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, cast

import pytest
from starlette.applications import Starlette

from backcoach.coach.engine import Start
from backcoach.coach.plan import PlannedStep, SessionPlan
from backcoach.config import Settings
from backcoach.content import Kind, Length, default_catalog
from backcoach.services.clock import SessionClock
from backcoach.services.live_coach import exercise_dose
from backcoach.services.sessions import apply_event, start_session
from backcoach.store import local_user
from backcoach.vision.analyzers import get_analyzer
from backcoach.vision.analyzers.base import hold_cue
from backcoach.vision.counting import Dose
from backcoach.vision.framing import LOST_HINT, READY_HINT
from backcoach.vision.landmarks import LandmarkFrame, frame_to_json
from backcoach.vision.pipeline import run_analyzer
from backcoach.web.app import create_app
from backcoach.web.state import app_state
from tests.support.clip_labels import ClipLabel, all_clips
from tests.support.clip_landmarks import video_landmarks

with warnings.catch_warnings():
    # This Starlette wants the httpx2 fork for its test client; plain httpx still works.
    warnings.filterwarnings("ignore", message=".*httpx2.*")
    from starlette.testclient import TestClient

pytest.importorskip("mediapipe")

pytestmark = pytest.mark.vision

Landmarks = Callable[[ClipLabel], list[LandmarkFrame]]
VIDEOS = [clip for clip in all_clips() if clip.is_video]


@pytest.fixture(scope="session")
def clip_frames(shared_data: Path) -> Landmarks:
    """A clip's landmarks through the real pose model, computed once per test session."""
    return lambda clip: video_landmarks(clip.file(shared_data))


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    data = tmp_path_factory.mktemp("ws-real") / "data"
    app = create_app(Settings(data_dir=data, allowed_hosts=["testserver"]))
    with TestClient(app) as client:
        app_state(app).live_max_frames_per_s = 10_000  # replay faster than real time
        yield client


def practise(
    client: TestClient, exercise: str, frames: list[LandmarkFrame]
) -> list[dict[str, Any]]:
    """The feedback the page gets for each frame of a practice of ``exercise``."""
    replies = []
    with client.websocket_connect(f"/ws/practice/{exercise}") as ws:
        assert ws.receive_json()["camera_checks"] is True
        for frame in frames:
            ws.send_text(json.dumps({"type": "frame", **frame_to_json(frame)}))
            reply = ws.receive_json()
            assert reply["type"] == "feedback", reply
            replies.append(reply)
    return replies


@pytest.mark.parametrize("clip", VIDEOS, ids=lambda clip: clip.name)
def test_clip_over_the_websocket(
    client: TestClient, clip_frames: Landmarks, clip: ClipLabel
) -> None:
    frames = clip_frames(clip)
    replies = practise(client, clip.exercise, frames)
    assert len(replies) == len(frames)

    # Nothing counts before the person is ready, and the page says what to do meanwhile.
    first_ready = next(i for i, r in enumerate(replies) if r["ready"])
    waiting = replies[:first_ready]
    assert waiting, "ready on the very first frame"
    assert all(r["reps"] == 0 and not r["rep_done"] for r in waiting)
    assert all(r["hint"] for r in waiting)
    assert replies[first_ready]["hint"] == READY_HINT
    assert all(r["ready"] for r in replies[first_ready:])
    assert LOST_HINT not in {r["hint"] for r in replies}  # one person in every clip

    # The live count is the offline count under the same rules and dose.
    dose = exercise_dose(default_catalog().exercise(clip.exercise))
    offline = run_analyzer(frames, get_analyzer(clip.exercise), dose=dose)
    assert replies[-1]["reps"] == sum(r["rep_done"] for r in replies)
    assert replies[-1]["reps"] == offline.reps
    if dose is None or not dose.rep_hold:
        bare = get_analyzer(clip.exercise)
        for frame in frames:
            bare.update(frame)
        assert offline.reps == bare.result().reps  # the gate cost no rep of the clip


@pytest.mark.parametrize(
    "clip",
    [clip for clip in VIDEOS if clip.exercise == "glute-bridge"],
    ids=lambda clip: clip.name,
)
def test_bridges_get_the_hold_countdown(
    client: TestClient, clip_frames: Landmarks, clip: ClipLabel
) -> None:
    replies = practise(client, clip.exercise, clip_frames(clip))
    held = [r for r in replies if r["hold_s"] > 0]
    assert held, "the bridge's hold is seen"
    longest = max(r["hold_s"] for r in held)
    assert longest < 3.5  # these clips hold about 2 s: short of the 4 s dose
    countdown = [r for r in held if r["cue"] and r["cue"].startswith("Hold... ")]
    assert countdown, "no countdown during the hold"
    for reply in countdown:  # the seconds said are the seconds left of the 4 s dose
        assert reply["cue"] == hold_cue(Dose(hold_s=4.0), reply["hold_s"])
    assert replies[-1]["reps"] == 0


def test_a_session_step_dose_reaches_the_camera(client: TestClient, clip_frames: Landmarks) -> None:
    """A guided bridge step dosed 5 s a hold: the coach WebSocket counts down from that dose."""
    bridge = next(clip for clip in VIDEOS if clip.name == "bridging")
    step = PlannedStep("glute-bridge", "Glute bridge", Kind.REPS, sets=1, reps=2, hold_s=5.0)
    now = datetime.now(UTC)
    with app_state(cast(Starlette, client.app)).sessions() as db:
        user = local_user(db)
        db.commit()
        active = start_session(
            db, user_id=user.id, plan=SessionPlan("t", Length.SHORT, (step,)), now=now
        )
        apply_event(db, active=active, event=Start(SessionClock(1.0).now()), now=now)
        session_id = active.id
    replies = []
    with client.websocket_connect(f"/ws/coach/{session_id}") as ws:
        assert ws.receive_json()["exercise"] == "glute-bridge"
        for frame in clip_frames(bridge):
            ws.send_text(json.dumps({"type": "frame", **frame_to_json(frame)}))
            replies.append(ws.receive_json())
    assert not replies[0]["ready"] and replies[0]["hint"]
    held = [r for r in replies if r["hold_s"] > 0 and (r["cue"] or "").startswith("Hold... ")]
    assert held, [r["cue"] for r in replies if r["cue"]]
    for reply in held:
        assert reply["cue"] == hold_cue(Dose(hold_s=5.0), reply["hold_s"])
