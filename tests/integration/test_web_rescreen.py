"""Re-screening and honest results on a running server (httpx): "My symptoms changed"
on Today and Settings, web wording for the screening messages, ended-early sessions
and STarT Back results on History."""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from backcoach.coach.questionnaires import RISK_MEANINGS, RiskGroup
from backcoach.coach.safety import QUESTIONS, Kind
from backcoach.config import Settings
from tests.e2e.live_server import running_server

LINK_TEXT = "My symptoms changed — answer the safety questions again"
# The bladder and bowel question: a red flag (emergency).
RED_FLAG = next(q.id for q in QUESTIONS if q.kind is Kind.RED_FLAG)


@pytest.fixture
def client(tmp_path: Path) -> Iterator[httpx.Client]:
    settings = Settings(data_dir=tmp_path / "data", time_scale=50.0)
    with (
        running_server(settings) as live,
        httpx.Client(base_url=live.url, timeout=10) as client,
    ):
        client.get("/").raise_for_status()  # the CSRF cookie
        yield client


def post_form(client: httpx.Client, path: str, data: dict[str, str]) -> httpx.Response:
    token = client.cookies["backcoach_csrf"]
    return client.post(path, data=data, headers={"X-CSRF-Token": token})


def screen(client: httpx.Client, *, yes: str | None = None) -> None:
    answers = {q.id: "yes" if q.id == yes else "no" for q in QUESTIONS}
    response = post_form(client, "/screening", answers)
    assert response.status_code == 303, response.text


def text_of(page: str) -> str:
    """The page's text without tags, entities decoded, spaces folded."""
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", page)).split())


def symptoms_link(page: str) -> str | None:
    """The href of the "My symptoms changed" link, if the page has it."""
    match = re.search(r'<a [^>]*href="([^"]+)"[^>]*>\s*' + re.escape(LINK_TEXT) + r"\s*</a>", page)
    return html.unescape(match.group(1)) if match else None


def test_today_and_settings_link_to_the_screening_again(client: httpx.Client) -> None:
    screen(client)
    today = client.get("/")
    assert 'id="plan"' in today.text
    assert symptoms_link(today.text) == "/?screening=again"
    assert symptoms_link(client.get("/settings").text) == "/?screening=again"
    again = client.get("/?screening=again")
    assert 'id="screening-form"' in again.text and 'id="plan"' not in again.text
    assert 'href="/">Cancel' in again.text  # a clear screening stays until answered again
    redirect = client.get("/screening")
    assert (redirect.status_code, redirect.headers["location"]) == (303, "/?screening=again")


def test_answering_again_with_a_red_flag_stops_the_plan(client: httpx.Client) -> None:
    screen(client)
    screen(client, yes=RED_FLAG)
    today = client.get("/")
    assert 'id="stop-message"' in today.text and 'id="plan"' not in today.text
    assert symptoms_link(today.text) is None  # no plan: the stop message has its own button


def test_red_flag_messages_are_worded_for_the_web(client: httpx.Client) -> None:
    screen(client, yes=RED_FLAG)
    stop = text_of(client.get("/").text)
    assert "Please do not start the exercises for now" in stop
    assert "you can answer the safety questions again here." in stop
    assert "backcoach screening" not in stop and "`" not in stop
    assert "Answer the screening again" in stop
    again = client.get("/?screening=again").text
    reason = re.search(r'<p class="warning card" id="screening-reason">(.*?)</p>', again, re.S)
    assert reason is not None, again
    words = text_of(reason.group(1))
    assert "emergency" in words and "answer the safety questions again here." in words
    assert "backcoach screening" not in text_of(again) and "terminal" not in words
    # Clear answers bring the plan back.
    screen(client)
    assert 'id="plan"' in client.get("/").text


def test_the_first_screening_names_no_command(client: httpx.Client) -> None:
    first = text_of(client.get("/").text)
    assert "Safety screening" in first
    assert "backcoach screening" not in first


def test_skipping_every_step_is_ended_early_on_history(client: httpx.Client) -> None:
    screen(client)
    started = client.post("/api/v1/sessions", json={"pain_before": 2})
    assert started.status_code == 201, started.text
    session_id, total = started.json()["session_id"], started.json()["steps_total"]
    events = f"/api/v1/sessions/{session_id}/events"
    client.post(events, json={"type": "start"}).raise_for_status()
    for _ in range(total):
        state = client.post(events, json={"type": "skip"}).json()["state"]
    assert (state["status"], state["ended_by"]) == ("finished", "ended-early")
    assert state["end_title"] == "Session ended early"
    assert state["end_text"] == f"You did 0 of {total} steps."
    player = text_of(client.get(f"/session/{session_id}").text)
    assert "Session ended early" in player and f"You did 0 of {total} steps." in player
    assert "Well done!" not in player
    history = client.get("/history").text
    assert re.search(r'id="current-streak">0<', history)
    assert re.search(r'id="completed-count">0<', history)
    assert "ended early" in text_of(history)
    assert 'class="day active' not in history


def test_startback_shows_its_risk_group_meaning_and_subscale(client: httpx.Client) -> None:
    # Agree with items 1, 2, 5 and 6: total 4, psychosocial 2 of 5: medium risk.
    answers = {str(i): "1" if i in (1, 2, 5, 6) else "0" for i in range(1, 9)} | {"9": "0"}
    response = post_form(client, "/questionnaires/startback", answers)
    assert response.status_code == 303, response.text
    page = client.get("/history").text
    risk = re.search(r'<p class="risk-line" id="startback-risk">(.*?)</p>', page, re.S)
    assert risk is not None, page
    line = text_of(risk.group(1))
    assert line.startswith("Latest: medium risk.")
    assert RISK_MEANINGS[RiskGroup.MEDIUM] in line
    assert "Total 4 of 9, psychosocial subscale 2 of 5." in line
