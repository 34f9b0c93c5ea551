"""Desk, History and the camera check in German (``Accept-Language: de``), in-process on the
real app: no English marker words in the main content, ``<html lang="de">``, German dates
and decimal commas where dates and numbers are shown; English as before; German and English
History one after the other (History is cached per user, day and language) each in its own
language."""

from __future__ import annotations

import json
import re
import warnings
from collections.abc import Iterator
from datetime import date, timedelta

import pytest

from backcoach.coach.questionnaires import get
from backcoach.coach.safety import QUESTIONS
from backcoach.config import Settings
from backcoach.i18n import format_date, use_language
from backcoach.services.clock import local_today
from backcoach.store import open_database
from backcoach.web.app import create_app
from tests.integration.test_progress_report import (
    PAIN_FUNCTION,
    STARTBACK_MEDIUM,
    at,
    desk,
    local_person,
    plans,
    session,
)
from tests.support import clinic_people as make
from tests.support.german import english_leftovers, main_text, page_leftovers

with warnings.catch_warnings():
    # This Starlette wants the httpx2 fork for its test client; plain httpx still works.
    warnings.filterwarnings("ignore", message=".*httpx2.*")
    from starlette.testclient import TestClient

GERMAN = {"Accept-Language": "de"}
STARTBACK = get("startback").title
ENGLISH = {"Accept-Language": "en"}
GERMAN_DAY = re.compile(r"\b(Mo|Di|Mi|Do|Fr|Sa|So)\., \d{1,2}\. (Jan|Feb|März|Apr|Mai|Juni|Juli"
                        r"|Aug|Sept|Okt|Nov|Dez)\.?")  # fmt: skip


def fill_recent(settings: Settings, today: date) -> None:
    """Three sessions in the last days (two done, one quit after 30 s: 0.5 minutes), a
    STarT Back (medium risk) and a pain and function check (total 3.5), and desk breaks
    yesterday and today."""
    base, _more, _easier = plans()
    with open_database(settings) as db:
        user = local_person(db)
        session(db, user, today - timedelta(days=3), base, before=5, after=4)
        session(db, user, today - timedelta(days=2), base, before=4, after=None, done=False)
        session(db, user, today - timedelta(days=1), base, before=3, after=2)
        make.answer(db, user, "startback", STARTBACK_MEDIUM, at(today - timedelta(days=2)))
        make.answer(db, user, "pain-function", PAIN_FUNCTION, at(today - timedelta(days=1)))
        desk(db, user, today - timedelta(days=1), **{"break": 3, "break_skipped": 1,
                                                    "sitting": 180, "walk": 15})  # fmt: skip
        desk(db, user, today, **{"break": 2, "break_snoozed": 1, "sitting": 95})
        db.commit()


def client_for(settings: Settings) -> Iterator[TestClient]:
    app = create_app(settings)
    with TestClient(app, base_url="http://127.0.0.1:8000", follow_redirects=False) as client:
        assert client.get("/").status_code == 200  # the user and the CSRF cookie
        headers = {"X-CSRF-Token": client.cookies["backcoach_csrf"]}
        answers = {q.id: "no" for q in QUESTIONS}
        assert client.post("/screening", data=answers, headers=headers).status_code == 303
        yield client


@pytest.fixture
def empty_client(settings: Settings) -> Iterator[TestClient]:
    yield from client_for(settings)


@pytest.fixture
def client(settings: Settings) -> Iterator[TestClient]:
    fill_recent(settings, local_today())
    yield from client_for(settings)


def german_page(client: TestClient, path: str, **headers: str) -> str:
    """The page in German, with no English marker words in its main content but STarT
    Back's name (shown under its English name in every language: its licence allows
    only validated translations; the heading says so with lang="en", the chart's and the
    table's labels name it in a German sentence)."""
    answer = client.get(path, headers={**GERMAN, **headers})
    assert answer.status_code == 200, answer.text
    assert '<html lang="de">' in answer.text
    text = main_text(answer.text)
    assert english_leftovers(text.replace(STARTBACK, "")) == [], (path, text)
    return answer.text


def english_text(html: str) -> str:
    """What a person reads in an English page's ``<main>`` (``main_text`` reads only what
    is not declared another language than German, so not ``<html lang="en">``)."""
    return main_text(html.replace('<html lang="en">', "<html>", 1))


def section(html: str, element_id: str) -> str:
    """The text of the element with ``element_id`` (one that holds no element of its kind)."""
    found = re.search(rf'<(\w+)[^>]*\bid="{element_id}"[^>]*>(.*?)</\1>', html, re.S)
    assert found is not None, element_id
    return main_text(f"<main>{found.group(2)}</main>")


@pytest.mark.parametrize("path", ["/desk", "/history", "/camera-check"])
def test_the_empty_pages_are_german(empty_client: TestClient, path: str) -> None:
    german_page(empty_client, path)


def test_the_empty_history_says_so_in_german(empty_client: TestClient) -> None:
    text = main_text(german_page(empty_client, "/history"))
    assert "Noch keine Einheiten." in text and "Noch keine Schmerzangaben." in text
    assert "Noch keine Fragebögen beantwortet." in text
    assert "Mo Di Mi Do Fr Sa So" in text  # the calendar's weekdays


def test_history_with_sessions_check_ins_and_desk_breaks_is_german(client: TestClient) -> None:
    html = german_page(client, "/history")
    today = local_today()
    text = main_text(html)
    assert "Verlauf" in text and "Letzte Einheiten" in text
    assert "Rücken-Grundprogramm (kurz)" in text  # the program's German name and length
    sessions = section(html, "sessions-table")
    assert re.search(r"\b0,5\b", sessions), sessions  # the quit session's half minute
    assert not re.search(r"\b\d+\.\d\b", sessions), sessions  # no decimal point
    assert GERMAN_DAY.search(main_text(html)), "no German day in the calendar"
    with use_language("de"):
        yesterday = format_date(today - timedelta(days=1), "MMMEd")
    assert GERMAN_DAY.fullmatch(yesterday), yesterday
    desk_week = section(html, "desk-history")
    assert "Am Schreibtisch, letzte 7 Tage" in desk_week
    assert yesterday in desk_week
    assert "180 Min." in desk_week and "15 Min." in desk_week
    risk = section(html, "startback-risk")
    assert risk.startswith("Zuletzt: mittleres Risiko.")
    assert "Gesamt 4 von 9, psychosoziale Teilskala 0 von 5." in risk
    assert "im englischen Original" in text  # why STarT Back keeps its English name
    assert f'<h3 lang="en">{STARTBACK}</h3>' in html
    assert "3,5" in text  # the pain and function check's total
    found = re.search(r'<script type="application/json" id="chart-data">(.*?)</script>', html)
    assert found is not None
    charts = json.loads(found.group(1))  # what the page hands Chart.js
    assert charts["pain"]["axis"]["title"] == "Schmerz 0\N{EN DASH}10"
    assert charts["weeks"]["axis"]["title"] == "Minuten"
    assert all(re.fullmatch(r"\d{1,2}\. \w+\.?", label) for label in charts["pain"]["labels"])
    assert charts["questionnaires"]["startback"]["risk"] == ["mittel"]
    assert "Fortschrittsbericht (PDF)" in text


def test_desk_and_camera_check_with_data_are_german(client: TestClient) -> None:
    desk_html = german_page(client, "/desk")
    counters = section(desk_html, "desk-counters")
    assert "Pausen gemacht 2" in counters and "Verschoben 1" in counters
    assert "Sitzen 95 Min." in counters
    camera = main_text(german_page(client, "/camera-check"))
    assert "Wo der Laptop stehen sollte" in camera and "Übungen am Boden" in camera
    assert "Kopf: nicht erkannt" in camera


def test_todays_desk_line_is_german(client: TestClient) -> None:
    html = client.get("/", headers=GERMAN).text
    line = section(html, "desk-today")
    assert line == (
        "Heute am Schreibtisch: 2 Pausen gemacht, 95 Min. gesessen, unter 1 Min. gegangen. "
        "Schreibtischpausen"
    ), line


def test_the_desk_api_refuses_in_german(client: TestClient) -> None:
    headers = {**GERMAN, "X-CSRF-Token": client.cookies["backcoach_csrf"]}
    refused = client.post("/api/v1/desk/take", headers=headers)
    assert refused.status_code == 409
    assert refused.json()["detail"] == "Gerade ist keine Pause fällig."


def test_english_is_as_before(client: TestClient) -> None:
    history = client.get("/history", headers=ENGLISH).text
    assert '<html lang="en">' in history
    text = english_text(history)
    assert "Recent sessions" in text and "Back basics (short)" in text
    assert re.search(r"\b0\.5\b", section(history, "sessions-table"))
    assert section(history, "startback-risk").startswith("Latest: medium risk.")
    assert "Total 4 of 9, psychosocial subscale 0 of 5." in section(history, "startback-risk")
    assert f"<h3>{STARTBACK}</h3>" in history and "licence" not in text  # no note in English
    assert "At the desk, last 7 days" in text and "Breaks taken" in text
    desk_text = english_text(client.get("/desk", headers=ENGLISH).text)
    assert "Desk breaks" in desk_text and "Breaks taken 2" in desk_text
    camera = english_text(client.get("/camera-check", headers=ENGLISH).text)
    assert "Floor exercises: side view" in camera and "Head: not seen" in camera
    line = section(client.get("/", headers=ENGLISH).text, "desk-today")
    assert line.startswith("At the desk today: 2 breaks taken, 95 min sitting,")


def test_german_and_english_history_each_keep_their_language(client: TestClient) -> None:
    """History is cached per user revision, day and language: one after the other, each
    language gets its own page (and an HTMX request for the page too)."""
    for _ in range(2):
        assert "Recent sessions" in client.get("/history", headers=ENGLISH).text
        german = german_page(client, "/history")
        assert "Recent sessions" not in german and "Letzte Einheiten" in german
    htmx = german_page(client, "/history", **{"HX-Request": "true"})
    assert "Letzte Einheiten" in htmx
    assert "Recent sessions" in client.get("/history", headers={"HX-Request": "true"}).text


def test_the_camera_panel_of_an_exercise_is_german(client: TestClient) -> None:
    html = client.get("/exercises/glute-bridge", headers=GERMAN).text
    found = re.search(r'<section class="card camera-panel".*?</section>', html, re.S)
    assert found is not None
    panel = f"<main>{found.group(0)}</main>"
    assert page_leftovers(panel) == [], main_text(panel)
    text = main_text(panel)
    assert "Das Video bleibt auf diesem Gerät" in text and "Kameracheck" in text
    assert "Zählung zurücksetzen" in text and "Wdh." in text


def test_the_desk_while_exercise_is_blocked_is_german(client: TestClient) -> None:
    headers = {"X-CSRF-Token": client.cookies["backcoach_csrf"]}
    answers = {q.id: "yes" if q.id == "fever-unwell" else "no" for q in QUESTIONS}
    assert client.post("/screening", data=answers, headers=headers).status_code == 303
    html = german_page(client, "/desk")
    block = section(html, "desk-block")
    assert block.startswith("Vorerst Pausen ohne Übungen")
    assert "Sicherheitsfragen erneut beantworten" in block
    assert "Lassen Sie diese Seite beim Arbeiten geöffnet" in main_text(html)
