"""The player state names the figure's pose, and it follows the session's events."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from backcoach.content import default_catalog


@pytest.fixture
def client(real_time_client: httpx.Client) -> httpx.Client:
    return real_time_client


def send(client: httpx.Client, session_id: int, kind: str) -> dict[str, Any]:
    response = client.post(f"/api/v1/sessions/{session_id}/events", json={"type": kind})
    assert response.status_code == 200, response.text
    state: dict[str, Any] = response.json()["state"]
    return state


def skip_to(client: httpx.Client, sid: int, state: dict[str, Any], exercise_id: str) -> Any:
    while state["step"]["exercise_id"] != exercise_id:
        state = send(client, sid, "skip")
        assert state["status"] == "running", f"no {exercise_id} step in the plan"
    return state


def keyframe_names(exercise_id: str) -> list[str]:
    return [k.name for k in default_catalog().exercise(exercise_id).keyframes]


def test_the_pose_is_in_the_state_and_follows_the_events(client: httpx.Client) -> None:
    created = client.post("/api/v1/sessions", json={"length": "short", "pain_before": 2})
    assert created.status_code == 201, created.text
    state = created.json()
    sid = state["session_id"]
    first = state["step"]["exercise_id"]
    assert state["pose"] == {
        "keyframe": 0,
        "name": keyframe_names(first)[0],
        "mirrored": False,
        "moving": False,
        "cycle": [],
    }

    state = skip_to(client, sid, send(client, sid, "start"), "glute-bridge")
    bridge = keyframe_names("glute-bridge")
    assert state["activity"] == "get-ready"  # time to hear the set-up: lying, still
    assert (state["pose"]["name"], state["pose"]["moving"]) == ("lying, knees bent", False)
    state = send(client, sid, "rep_done")  # "I'm ready"
    assert state["activity"] == "move"
    assert state["pose"]["keyframe"] == bridge.index("hips lifted")
    assert state["pose"]["moving"] is True
    state = send(client, sid, "rep_done")  # in position: the hold starts
    assert state["activity"] == "hold"
    assert (state["pose"]["name"], state["pose"]["moving"]) == ("hips lifted", False)
    assert client.get(f"/api/v1/sessions/{sid}").json()["pose"] == state["pose"]

    state = skip_to(client, sid, state, "bird-dog")
    state = send(client, sid, "rep_done")  # "I'm ready"
    assert state["side"] == "left"
    assert state["pose"]["name"] == "left arm and right leg reaching"
    while state["side"] == "left":
        state = send(client, sid, "rep_done")
    assert state["side"] == "right"
    assert state["pose"]["name"] == "right arm and left leg reaching"
    assert state["pose"]["keyframe"] == keyframe_names("bird-dog").index(state["pose"]["name"])

    for _ in range(state["steps_total"]):
        if state["status"] == "finished":
            break
        state = send(client, sid, "skip")
    assert state["status"] == "finished"
    assert state["pose"] is None
