"""The JSON API against a real uvicorn server, on SQLite and on a real PostgreSQL."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from sqlalchemy import func, select

from backcoach.config import Settings
from backcoach.content import default_catalog
from backcoach.store import User, make_engine
from tests.e2e.live_server import LiveServer, running_server

TIME_SCALE = 50.0


@pytest.fixture
def api_settings(db_settings: Settings) -> Settings:
    return db_settings.model_copy(update={"time_scale": TIME_SCALE})


@pytest.fixture
def live(api_settings: Settings) -> Iterator[LiveServer]:
    with running_server(api_settings) as server:
        yield server


def screen_clear(client: httpx.Client) -> None:
    questions = client.get("/api/v1/screening/questions").json()
    answers = {q["id"]: False for q in questions}
    result = client.post("/api/v1/screening", json={"answers": answers})
    assert result.json()["outcome"] == "clear"


@pytest.fixture
def client(live: LiveServer) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=live.url, timeout=10) as client:
        screen_clear(client)
        yield client


def new_session(client: httpx.Client, **body: object) -> dict[str, object]:
    response = client.post("/api/v1/sessions", json=body)
    assert response.status_code == 201, response.text
    state: dict[str, object] = response.json()
    return state


def send(client: httpx.Client, session_id: object, kind: str) -> dict[str, object]:
    response = client.post(f"/api/v1/sessions/{session_id}/events", json={"type": kind})
    assert response.status_code == 200, response.text
    out: dict[str, object] = response.json()
    return out


def test_exercises_are_listed_filtered_and_shown(client: httpx.Client) -> None:
    everything = client.get("/api/v1/exercises").json()
    assert {e["id"] for e in everything} == set(default_catalog().exercises)
    workout = client.get("/api/v1/exercises", params={"stage": "workout"}).json()
    assert workout and all(e["stage"] == "workout" for e in workout)
    found = client.get("/api/v1/exercises", params={"q": "bird"}).json()
    assert [e["id"] for e in found] == ["bird-dog"]
    detail = client.get("/api/v1/exercises/bird-dog").json()
    assert detail["steps"] and detail["keyframes"] and detail["easier"]["how"]


def test_unknown_ids_are_404_and_bad_values_422_with_the_field(client: httpx.Client) -> None:
    missing = client.get("/api/v1/exercises/no-such-thing")
    assert missing.status_code == 404
    assert "no-such-thing" in missing.json()["detail"]
    assert client.get("/api/v1/programs/nope").status_code == 404
    assert client.get("/api/v1/sessions/424242").status_code == 404
    bad_stage = client.get("/api/v1/exercises", params={"stage": "nap"})
    assert bad_stage.status_code == 422
    assert bad_stage.json()["detail"][0]["loc"] == ["query", "stage"]
    bad_pain = client.post("/api/v1/sessions", json={"pain_before": 11})
    assert bad_pain.status_code == 422
    assert bad_pain.json()["detail"][0]["loc"] == ["body", "pain_before"]
    state = new_session(client)
    bad_event = client.post(f"/api/v1/sessions/{state['session_id']}/events", json={"type": "fly"})
    assert bad_event.status_code == 422
    assert bad_event.json()["detail"][0]["loc"] == ["body", "type"]
    not_json = client.post(
        "/api/v1/sessions", content=b"{not json", headers={"Content-Type": "application/json"}
    )
    assert not_json.status_code == 422


def test_a_session_runs_on_the_server_from_start_to_summary(client: httpx.Client) -> None:
    state = new_session(client, length="short", pain_before=4)
    sid = state["session_id"]
    assert state["status"] == "not-started"
    steps_total = state["steps_total"]
    assert isinstance(steps_total, int) and steps_total > 3
    started = send(client, sid, "start")
    assert started["state"]["status"] == "running"  # type: ignore[index]
    assert any(n["kind"] == "step_started" for n in started["notices"])  # type: ignore[union-attr]
    send(client, sid, "skip")
    back = send(client, sid, "back")["state"]
    assert back["step_index"] == 0  # type: ignore[index]
    assert back["steps_done"] == 0  # type: ignore[index]
    paused = send(client, sid, "pause")["state"]
    assert paused["status"] == "paused"  # type: ignore[index]
    assert client.get(f"/api/v1/sessions/{sid}").json() == paused
    send(client, sid, "resume")
    for _ in range(steps_total):
        send(client, sid, "skip")
    final = client.get(f"/api/v1/sessions/{sid}").json()
    assert final["status"] == "finished"
    assert final["steps_done"] == steps_total
    summary = client.post(f"/api/v1/sessions/{sid}/finish", json={"pain_after": 2, "effort": 3})
    assert summary.status_code == 200
    assert summary.json()["steps_skipped"] == steps_total
    assert (summary.json()["pain_before"], summary.json()["pain_after"]) == (4, 2)
    history = client.get("/api/v1/history").json()
    assert history["sessions"][0]["id"] == sid
    assert history["pain_trend"][-1]["after"] == 2


def test_reps_are_counted_by_the_engine(client: httpx.Client) -> None:
    sid = new_session(client)["session_id"]
    send(client, sid, "start")
    # neck-nods (second step) counts reps the person reports, without a hold
    state = send(client, sid, "skip")["state"]
    assert state["activity"] == "count-reps"  # type: ignore[index]
    target = state["reps_target"]  # type: ignore[index]
    state = send(client, sid, "rep_done")["state"]
    assert state["reps_done"] == 1  # type: ignore[index]
    for _ in range(target - 1):  # type: ignore[operator]
        state = send(client, sid, "rep_done")["state"]
    assert state["step_index"] == 2  # type: ignore[index]
    assert state["steps_done"] == 2  # type: ignore[index]


def test_a_server_restart_resumes_at_the_same_step(api_settings: Settings) -> None:
    with running_server(api_settings) as first, httpx.Client(base_url=first.url) as client:
        screen_clear(client)
        sid = new_session(client)["session_id"]
        send(client, sid, "start")
        send(client, sid, "skip")
        before = send(client, sid, "rep_done")["state"]
        send(client, sid, "pause")
    with running_server(api_settings) as second, httpx.Client(base_url=second.url) as client:
        after = client.get(f"/api/v1/sessions/{sid}").json()
        assert after["status"] == "paused"
        for key in ("step_index", "reps_done", "set_number", "activity", "steps_done"):
            assert after[key] == before[key]  # type: ignore[index]
        assert send(client, sid, "resume")["state"]["status"] == "running"  # type: ignore[index]


def test_preferences_are_validated_and_remembered(client: httpx.Client) -> None:
    assert client.get("/api/v1/preferences").json()["pain_limit"] == 5
    bad = client.patch("/api/v1/preferences", json={"pain_limit": 0})
    assert bad.status_code == 422
    assert bad.json()["detail"][0]["loc"] == ["body", "pain_limit"]
    changed = client.patch("/api/v1/preferences", json={"voice": False, "pain_limit": 6})
    assert changed.json()["voice"] is False
    assert client.get("/api/v1/preferences").json() == changed.json()


def test_export_round_trips_and_a_broken_import_writes_nothing(
    client: httpx.Client, tmp_path: Path
) -> None:
    sid = new_session(client, pain_before=1)["session_id"]
    send(client, sid, "start")
    send(client, sid, "skip")
    exported = client.get("/api/v1/export")
    assert exported.headers["content-type"].startswith("application/json")
    assert "attachment" in exported.headers["content-disposition"]
    document = json.loads(exported.text)
    assert len(document["tables"]["sessions"]) == 1
    csv_zip = client.get("/api/v1/export", params={"format": "csv"})
    assert csv_zip.content[:2] == b"PK"

    broken = exported.text.replace('"pain_before": 1', '"pain_before": 99')
    rejected = client.post(
        "/api/v1/import", files={"file": ("broken.json", broken.encode(), "application/json")}
    )
    assert rejected.status_code == 400
    assert "pain_before" in rejected.json()["detail"]
    assert len(client.get("/api/v1/history").json()["sessions"]) == 1

    imported = client.post(
        "/api/v1/import", files={"file": ("ok.json", exported.content, "application/json")}
    )
    assert imported.status_code == 200
    assert imported.json()["sessions"] == 0
    assert imported.json()["already_stored"]["sessions"] == 1
    assert imported.json()["message"].startswith("Nothing new to import")
    assert len(client.get("/api/v1/history").json()["sessions"]) == 1


def test_pages_answer_html_and_friendly_errors(client: httpx.Client) -> None:
    for path in ("/", "/exercises", "/exercises/bird-dog", "/history", "/settings", "/disclaimer"):
        page = client.get(path)
        assert page.status_code == 200, path
        assert "Not medical advice" in page.text
    missing = client.get("/exercises/nope")
    assert missing.status_code == 404
    assert "text/html" in missing.headers["content-type"]
    assert "could not find" in missing.text or "no exercise" in missing.text.lower()
    fragment = client.get("/exercises", params={"q": "bridge"}, headers={"HX-Request": "true"})
    assert "<html" not in fragment.text
    assert "Glute bridge" in fragment.text
    assert client.get("/docs").status_code == 200
    assert client.get("/openapi.json").json()["info"]["title"] == "backcoach"


def test_no_session_without_a_clear_screening(live: LiveServer) -> None:
    with httpx.Client(base_url=live.url) as client:
        plan = client.get("/api/v1/plan").json()
        assert (plan["refusal"], plan["steps"]) == ("no-screening", [])
        assert client.post("/api/v1/sessions", json={}).status_code == 409
        questions = client.get("/api/v1/screening/questions").json()
        answers = {q["id"]: q["id"] == "fever-unwell" for q in questions}
        flagged = client.post("/api/v1/screening", json={"answers": answers}).json()
        assert flagged["outcome"] == "red_flag"
        assert "doctor" in flagged["message"]
        plan = client.get("/api/v1/plan").json()
        assert (plan["refusal"], plan["steps"]) == ("red-flag", [])
        assert client.post("/api/v1/sessions", json={}).status_code == 409
        incomplete = client.post("/api/v1/screening", json={"answers": {"fever-unwell": False}})
        assert incomplete.status_code == 400


def test_this_hurts_is_recorded_and_advises_stopping_at_the_limit(client: httpx.Client) -> None:
    sid = new_session(client, pain_before=1)["session_id"]
    send(client, sid, "start")
    mild = client.post(f"/api/v1/sessions/{sid}/hurt", json={"pain": 2}).json()
    assert mild["stop"] is False
    strong = client.post(f"/api/v1/sessions/{sid}/hurt", json={"pain": 6}).json()
    assert strong["stop"] is True
    assert "Never push through pain" in strong["message"]
    during = [c for c in client.get("/api/v1/checkins").json() if c["phase"] == "during"]
    assert [c["pain"] for c in during] == [2, 6]
    assert {c["exercise_id"] for c in during} == {strong["exercise_id"]}
    ended = send(client, sid, "hurt")["state"]
    assert (ended["status"], ended["ended_by"]) == ("finished", "hurt")  # type: ignore[index]
    plan = client.get("/api/v1/plan").json()
    step = next(s for s in plan["steps"] if s["exercise_id"] == strong["exercise_id"])
    assert step["variant"] == "easier" and step["notes"]


def test_read_only_requests_keep_one_local_user(live: LiveServer, api_settings: Settings) -> None:
    with httpx.Client(base_url=live.url, timeout=10) as fresh:
        for _ in range(3):
            assert fresh.get("/api/v1/history").status_code == 200
    engine = make_engine(api_settings)
    try:
        with engine.connect() as connection:
            assert connection.scalar(select(func.count()).select_from(User)) == 1
    finally:
        engine.dispose()
