"""The voice's words outside the engine: the player's event answers and `backcoach show`.

At every step start the event answer carries the step's name and dose, its
set-up line and its key cue, as notices the page shows and speaks.
"""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from typer.testing import CliRunner

from backcoach.cli import app
from backcoach.content import default_catalog


@pytest.fixture
def client(real_time_client: httpx.Client) -> httpx.Client:
    return real_time_client


def send(client: httpx.Client, session_id: int, kind: str) -> dict[str, Any]:
    response = client.post(f"/api/v1/sessions/{session_id}/events", json={"type": kind})
    assert response.status_code == 200, response.text
    answer: dict[str, Any] = response.json()
    return answer


def test_every_step_start_brings_its_set_up_line_and_key_cue(client: httpx.Client) -> None:
    created = client.post("/api/v1/sessions", json={"length": "short", "pain_before": 2})
    assert created.status_code == 201, created.text
    sid = created.json()["session_id"]
    exercises = default_catalog().exercises

    answer = send(client, sid, "start")
    seen = 0
    while answer["state"]["status"] != "finished":
        notices = answer["notices"]
        kinds = [n["kind"] for n in notices]
        step = answer["state"]["step"]
        at = kinds.index("step_started")
        voice = exercises[step["exercise_id"]].voice
        assert [(n["kind"], n["say"]) for n in notices[at + 1 : at + 3]] == [
            ("setup", voice.setup),
            ("key_cue", voice.cue),
        ]
        assert all(n["step_index"] == step["index"] for n in notices[at:])
        assert "(" not in notices[at]["say"]
        seen += 1
        answer = send(client, sid, "skip")
    assert seen == answer["state"]["steps_total"]
    assert answer["notices"][-1]["kind"] == "session_finished"
    # the last skip is said, then the end words
    first = answer["notices"][0]
    assert (first["kind"], first["say"]) == ("step_skipped", "Skipping this one.")


def test_show_prints_what_the_voice_says() -> None:
    result = CliRunner().invoke(app, ["show", "superman"], env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    voice = default_catalog().exercise("superman").voice
    assert "The voice says at the start" in result.stdout
    assert voice.setup in result.stdout and voice.cue in result.stdout
