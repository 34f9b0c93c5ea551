"""The patient's pages in German: every page, in each of its states, has no English left.

A browser asking for German (``Accept-Language: de``) gets each page with
``<html lang="de">`` and German text in its ``<main>`` (``tests.support.german``).
The language chosen in Settings (a cookie) wins over the browser's; "Automatic"
forgets it. A browser asking for English still gets the English pages.
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from fastapi import FastAPI
from markupsafe import escape

from backcoach.coach.questionnaires import QUESTIONNAIRES
from backcoach.coach.safety import QUESTIONS
from backcoach.config import Settings
from backcoach.services import accounts, invites
from backcoach.store import Role
from backcoach.web.app import create_app
from backcoach.web.language import LANGUAGE_COOKIE
from backcoach.web.state import app_state
from tests.support.german import main_text, page_leftovers

with warnings.catch_warnings():
    # This Starlette wants the httpx2 fork for its test client; plain httpx still works.
    warnings.filterwarnings("ignore", message=".*httpx2.*")
    from starlette.testclient import TestClient

GERMAN = {"Accept-Language": "de"}
ENGLISH = {"Accept-Language": "en"}
RED_FLAG = "both-legs"
PASSWORD = "a long enough secret 1"


def client_of(app: FastAPI) -> TestClient:
    # The app answers only to its own address (the Host allow-list).
    return TestClient(app, base_url="http://127.0.0.1:8000", follow_redirects=False)


@pytest.fixture
def client(tmp_path: Path) -> Iterator[TestClient]:
    with client_of(create_app(Settings(data_dir=tmp_path / "data"))) as client:
        yield client


def form_headers(
    client: TestClient, language: dict[str, str], page: str = "/settings"
) -> dict[str, str]:
    """What a page's form sends: the CSRF token (after a GET of ``page`` set its cookie)."""
    client.get(page, headers=language)
    return {"X-CSRF-Token": client.cookies["backcoach_csrf"], **language}


def screen(client: TestClient, *yes: str) -> None:
    answers = {q.id: "yes" if q.id in yes else "no" for q in QUESTIONS}
    answer = client.post("/screening", data=answers, headers=form_headers(client, GERMAN))
    assert answer.status_code == 303, answer.text


def start_session(client: TestClient) -> str:
    """Start today's session from the Today page's form; the player's path."""
    form = {"length": "short", "pain_before": "3", "location": "low-back"}
    answer = client.post("/session", data=form, headers=form_headers(client, GERMAN))
    assert answer.status_code == 303, answer.text
    location: str = answer.headers["location"]
    return location


def german_page(client: TestClient, path: str, status: int = 200) -> str:
    answer = client.get(path, headers=GERMAN)
    html: str = answer.text
    assert answer.status_code == status, f"{path}: {answer.status_code} {html[:300]}"
    assert '<html lang="de">' in html, path
    assert page_leftovers(html) == [], f"{path}: {page_leftovers(html)} in {main_text(html)}"
    return html


def test_the_first_visit_asks_the_safety_questions_in_german(client: TestClient) -> None:
    html = german_page(client, "/")
    assert "Willkommen bei backcoach" in html
    assert "Sicherheitsfragen" in html


def test_todays_plan_and_its_pages_are_german(client: TestClient) -> None:
    screen(client)
    html = german_page(client, "/")
    assert "Plan für heute" in html
    german_page(client, "/?screening=again")
    german_page(client, "/exercises")
    german_page(client, "/exercises?q=atmen")  # the result count with the search words
    german_page(client, "/exercises?stage=warm-up")
    german_page(client, "/exercises/glute-bridge")
    german_page(client, "/exercises/side-plank")  # hold and per-side doses
    german_page(client, "/settings")
    german_page(client, "/questionnaires")
    german_page(client, "/questionnaires/pain-function")
    german_page(client, "/questionnaires/psfs")
    german_page(client, "/disclaimer")


def test_a_questionnaire_kept_in_its_original_says_so_and_is_marked_english(
    client: TestClient,
) -> None:
    html = client.get("/questionnaires/startback", headers=GERMAN).text
    assert 'id="language-note"' in html  # why the questions are in English
    startback = QUESTIONNAIRES["startback"]
    assert f'<h1 id="q-title" lang="en">{startback.title}</h1>' in html
    for item in startback.items:  # each question marked as English for screen readers
        assert f'<legend lang="en">{escape(item.text)}</legend>' in html
    assert '<span lang="en">Agree</span>' in html
    html = client.get("/questionnaires/startback", headers=ENGLISH).text
    assert 'lang="en">' not in html.split("<main", 1)[1]  # an English page needs no marks


def test_the_red_flag_stop_message_is_german(client: TestClient) -> None:
    screen(client, RED_FLAG)
    html = german_page(client, "/")
    assert 'id="stop-message"' in html
    german_page(client, "/exercises")  # with the block notice
    german_page(client, "/exercises/glute-bridge")


def test_the_player_of_a_started_session_is_german(client: TestClient) -> None:
    screen(client)
    player = start_session(client)
    html = german_page(client, player)
    assert "Einheit beenden" in html
    html = german_page(client, "/")  # Today offers to carry on
    assert 'id="resume-button"' in html
    fragment = client.get(f"{player}/step/1", headers=GERMAN)
    assert fragment.status_code == 200
    assert page_leftovers(f"<main>{fragment.text}</main>") == []


def test_form_mistakes_are_explained_in_german(client: TestClient) -> None:
    screen(client)
    headers = form_headers(client, GERMAN)
    answer = client.post("/session", data={"pain_before": "eleven"}, headers=headers)
    assert answer.status_code == 422
    assert "Bitte prüfen Sie die unten markierte Angabe" in answer.text
    assert page_leftovers(answer.text) == []
    answer = client.post("/questionnaires/pain-function", data={}, headers=headers)
    assert answer.status_code == 422
    assert page_leftovers(answer.text) == []
    answer = client.post("/settings", data={"pain_limit": "99"}, headers=headers)
    assert answer.status_code == 422
    assert "Geben Sie eine ganze Zahl von 1 bis 10 ein." in answer.text
    assert page_leftovers(answer.text) == []


def test_htmx_fragments_are_german(client: TestClient) -> None:
    htmx = {**GERMAN, "HX-Request": "true"}
    fragment = client.get("/exercises?stage=cool-down", headers=htmx).text
    assert "2 Übungen" in fragment
    assert page_leftovers(f"<main>{fragment}</main>") == []
    headers = {**form_headers(client, GERMAN, page="/"), "HX-Request": "true"}
    answer = client.post("/habits", data={"kind": "walk"}, headers=headers)
    assert answer.status_code == 200
    assert "heute erledigt" in answer.text
    assert page_leftovers(f"<main>{answer.text}</main>") == []
    answer = client.post("/habits", data={"kind": "juggling"}, headers=headers)
    assert answer.status_code == 422
    assert page_leftovers(f"<main>{answer.text}</main>") == []


def test_an_unknown_page_says_so_in_german(client: TestClient) -> None:
    html = german_page(client, "/no-such-page", status=404)
    assert "Seite nicht gefunden" in html
    german_page(client, "/questionnaires/no-such-questionnaire", status=404)
    german_page(client, "/session/999", status=404)


def test_the_settings_choice_wins_over_the_browser(client: TestClient) -> None:
    html = client.get("/settings", headers=ENGLISH).text
    assert re.search(r'<input type="radio" name="language" value="auto"[^>]*checked', html)
    assert '<label class="check" lang="de">' in html  # each language named in itself
    answer = client.post(
        "/settings", data={"language": "de"}, headers=form_headers(client, ENGLISH)
    )
    assert (answer.status_code, answer.headers["location"]) == (303, "/settings?done=language")
    assert client.cookies[LANGUAGE_COOKIE] == "de"

    html = client.get("/settings?done=language", headers=ENGLISH).text
    assert '<html lang="de">' in html
    assert "Sprache gespeichert." in html
    assert re.search(r'<input type="radio" name="language" value="de"[^>]*checked', html)
    assert page_leftovers(client.get("/exercises", headers=ENGLISH).text) == []

    answer = client.post(
        "/settings", data={"language": "auto"}, headers=form_headers(client, ENGLISH)
    )
    assert answer.status_code == 303
    assert LANGUAGE_COOKIE not in client.cookies
    assert '<html lang="en">' in client.get("/settings", headers=ENGLISH).text


def test_a_language_the_form_does_not_offer_is_refused(client: TestClient) -> None:
    for value in ("fr", "DE", "auto ", "x" * 16):
        answer = client.post(
            "/settings", data={"language": value}, headers=form_headers(client, GERMAN)
        )
        assert answer.status_code == 422, value
        assert "Wählen Sie Automatisch, English oder Deutsch." in answer.text
        assert LANGUAGE_COOKIE not in client.cookies


def test_english_pages_stay_english(client: TestClient) -> None:
    html = client.get("/", headers=ENGLISH).text
    assert '<html lang="en">' in html
    assert "Welcome to backcoach" in html
    screen(client)
    html = client.get("/", headers=ENGLISH).text
    assert "Today&#39;s plan" in html or "Today's plan" in html
    assert "Break reminders every 45 minutes." in html
    html = client.get("/exercises/glute-bridge", headers=ENGLISH).text
    assert "2 sets \u00d7 8 reps, hold 4 s; rest 20 s between sets" in html
    html = client.get("/settings", headers=ENGLISH).text
    assert "Automatic (the browser decides)" in html
    assert "Save settings" in html


def test_an_import_error_is_told_in_german_with_its_details_apart(client: TestClient) -> None:
    headers = form_headers(client, GERMAN)
    token = client.cookies["backcoach_csrf"]
    answer = client.post(
        f"/settings/import?csrf_token={token}",
        files={"file": ("backup.json", b'{"format": "something else"}', "application/json")},
        headers=headers,
    )
    assert answer.status_code == 422
    summary = re.search(r'<p class="field-error" id="import-error">(.*?)</p>', answer.text)
    assert summary is not None
    assert summary.group(1).endswith("es wurde nichts importiert.")
    assert 'id="import-error-details"' in answer.text  # the fields, in a closed <details>


def test_the_json_api_answers_in_german_too(client: TestClient) -> None:
    answer = client.get("/api/v1/exercises/no-such-exercise", headers=GERMAN)
    assert answer.status_code == 404
    assert answer.json() == {"detail": "Keine Übung mit der Kennung „no-such-exercise“."}
    answer = client.get("/api/v1/exercises/no-such-exercise", headers=ENGLISH)
    assert answer.json() == {"detail": "No exercise with id 'no-such-exercise'."}


# --- clinic mode: the sign-in pages ---------------------------------------------------------


@pytest.fixture
def clinic(tmp_path: Path) -> Iterator[TestClient]:
    app = create_app(Settings(data_dir=tmp_path / "data", mode="clinic"))
    with client_of(app) as client:
        yield client


def test_the_sign_in_pages_are_german(clinic: TestClient) -> None:
    now = datetime.now(UTC)
    with app_state(clinic.app).sessions() as db:  # type: ignore[arg-type]
        doctor = accounts.add_account(
            db, email="doctor@clinic.example", password=PASSWORD, role=Role.CLINICIAN, now=now
        )
        code = invites.create_invite(db, clinician_id=doctor.id, now=now).code
        secret = accounts.issue_reset_link(
            db, email="doctor@clinic.example", issued_by=None, now=now
        )
    html = german_page(clinic, "/login")
    assert "Anmelden" in html
    german_page(clinic, f"/register?code={code}")
    german_page(clinic, "/register?code=used-or-wrong", status=410)
    german_page(clinic, f"/reset/{secret}")
    german_page(clinic, "/reset/used-or-wrong", status=410)
    answer = clinic.post(
        "/login",
        data={"email": "doctor@clinic.example", "password": "wrong password 1"},
        headers=form_headers(clinic, GERMAN, page="/login"),
    )
    assert answer.status_code == 401
    assert page_leftovers(answer.text) == []


def test_a_patients_today_shows_the_clinicians_asks_and_notes_in_german(
    clinic: TestClient,
) -> None:
    now = datetime.now(UTC)
    with app_state(clinic.app).sessions() as db:  # type: ignore[arg-type]
        doctor = accounts.add_account(
            db, email="doctor@clinic.example", password=PASSWORD, role=Role.CLINICIAN, now=now
        )
        code = invites.create_invite(db, clinician_id=doctor.id, now=now).code
    patient = {"email": "patient@example.org", "password": PASSWORD}
    assert clinic.post("/api/v1/auth/register", json={**patient, "code": code}).is_success
    patient_id = clinic.get("/api/v1/auth/me").json()["id"]
    clinic.cookies.clear()
    doctor_login = {"email": "doctor@clinic.example", "password": PASSWORD}
    assert clinic.post("/api/v1/auth/login", json=doctor_login).is_success
    api = f"/api/v1/clinic/patients/{patient_id}"
    assert clinic.post(f"{api}/notes", json={"text": "Gehen Sie täglich 10 Minuten."}).is_success
    for name in ("psfs", "startback"):
        assert clinic.put(f"{api}/schedules/{name}", json={"every_days": 14}).is_success
    clinic.cookies.clear()
    assert clinic.post("/api/v1/auth/login", json=patient).is_success

    html = german_page(clinic, "/")
    assert "Gehen Sie täglich 10 Minuten." in html
    assert "Patientenspezifische Funktionsskala" in html
    assert '<strong><span lang="en">Keele STarT Back Screening Tool</span></strong>' in html
    html = clinic.get("/", headers=ENGLISH).text
    assert "Your clinician asks you to fill in the <strong>Keele STarT Back" in html
