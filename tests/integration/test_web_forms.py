"""Page forms with bad values: the page comes back with the message beside the field.

Every HTML form POST (``/screening``, ``/habits``, ``/session``,
``/questionnaires/{name}``) answers a wrong value with its own page again, a
4xx status and the message next to the field it is about, never a bare error
page or a 500, and stores nothing. Each post sends the CSRF token the way the
pages do (cookie plus ``X-CSRF-Token``), after a GET that sets the cookie.
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi import FastAPI

from backcoach.coach.questionnaires import QUESTIONNAIRES
from backcoach.coach.safety import QUESTIONS
from backcoach.config import Settings
from backcoach.store import (
    list_checkins,
    list_habit_logs,
    list_questionnaire_responses,
    list_screenings,
    list_sessions,
    local_user,
)
from backcoach.web.app import create_app
from backcoach.web.state import app_state

with warnings.catch_warnings():
    # This Starlette wants the httpx2 fork for its test client; plain httpx still works.
    warnings.filterwarnings("ignore", message=".*httpx2.*")
    from starlette.testclient import TestClient

ERROR_PAGE_TITLE = "Please check what you entered"  # the bare 422 page's heading


@pytest.fixture
def app(tmp_path: Path) -> FastAPI:
    return create_app(Settings(data_dir=tmp_path / "data"))


@pytest.fixture
def client(app: FastAPI) -> Iterator[TestClient]:
    # The app answers only to its own address (the Host allow-list).
    with TestClient(app, base_url="http://127.0.0.1:8000", follow_redirects=False) as client:
        yield client


def csrf_token(client: TestClient) -> dict[str, str]:
    """The header a page's form would send: the ``backcoach_csrf`` cookie's value.

    Call after a GET (which sets the cookie); no cookie means no token is needed.
    """
    token = client.cookies.get("backcoach_csrf")
    return {"X-CSRF-Token": token} if token else {}


def submit(
    client: TestClient, page: str, path: str, data: dict[str, str], *, htmx: bool = False
) -> tuple[int, str]:
    """GET ``page`` like a browser, then POST the form with its token; status and HTML."""
    assert client.get(page).status_code == 200
    headers = {**csrf_token(client), **({"HX-Request": "true"} if htmx else {})}
    response = client.post(path, data=data, headers=headers)
    return response.status_code, response.text


def stored(app: FastAPI) -> dict[str, int]:
    """How many rows of each kind the local user has."""
    with app_state(app).sessions() as db:
        user_id = local_user(db).id
        return {
            "screenings": len(list_screenings(db, user_id=user_id)),
            "sessions": len(list_sessions(db, user_id=user_id)),
            "checkins": len(list_checkins(db, user_id=user_id)),
            "questionnaires": len(list_questionnaire_responses(db, user_id=user_id)),
            "habits": len(list_habit_logs(db, user_id=user_id)),
        }


def field_error(html: str, element_id: str) -> str:
    """The text of the error paragraph ``element_id``, or '' when the page has none."""
    found = re.search(rf'<p class="field-error" id="{re.escape(element_id)}">(.*?)</p>', html)
    return found.group(1) if found else ""


def clear_screening(client: TestClient) -> None:
    status, _ = submit(client, "/", "/screening", {q.id: "no" for q in QUESTIONS})
    assert status == 303


# --- questionnaires ---------------------------------------------------------------------

PAIN_FUNCTION = {item.id: "3" for item in QUESTIONNAIRES["pain-function"].items}


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("\u00b2", "Choose a whole number from 0 to 10."),  # isdigit() but int() fails
        ("9" * 5000, "Choose a whole number from 0 to 10."),  # beyond int()'s digit limit
        ("\u0663", "Choose a whole number from 0 to 10."),  # Arabic-Indic three
        ("11", "Choose a whole number from 0 to 10."),
        ("-1", "Choose a whole number from 0 to 10."),
        ("1.5", "Choose a whole number from 0 to 10."),
        ("0010", "Choose a whole number from 0 to 10."),
        ("", "Please answer this question."),
        ("   ", "Please answer this question."),
    ],
)
def test_a_bad_questionnaire_answer_shows_the_form_with_the_error_beside_it(
    client: TestClient, app: FastAPI, value: str, message: str
) -> None:
    before = stored(app)
    status, html = submit(
        client,
        "/questionnaires/pain-function",
        "/questionnaires/pain-function",
        {**PAIN_FUNCTION, "pain": value, "interference-sleep": "7"},
    )
    assert status == 422
    assert 'id="questionnaire-form"' in html and ERROR_PAGE_TITLE not in html
    assert field_error(html, "error-pain") == message
    assert field_error(html, "error-interference-sleep") == ""
    assert 'name="interference-sleep" value="7" checked' in html  # the good answers are kept
    assert stored(app) == before


@pytest.mark.parametrize(
    ("name", "answers", "errors"),
    [
        (
            "psfs",
            {"activity-1": "x" * 201, "rating-1": "4"},
            {"activity-1": "Please use at most 200 characters."},
        ),
        (
            "psfs",
            {"activity-1": "sitting", "rating-1": "4", "activity-2": "lifting"},
            {"rating-2": "Activity 2 needs a rating too."},
        ),
        (
            "psfs",
            {"activity-1": "sitting", "rating-1": "4", "rating-3": "\u00b2"},
            {"rating-3": "Choose a whole number from 0 to 10."},
        ),
        (
            "startback",
            {**{str(n): "0" for n in range(1, 9)}, "9": "5"},
            {"9": "Choose one of the answers."},
        ),
        (
            "startback",
            {**{str(n): "0" for n in range(1, 9)}, "3": "2", "9": "1"},
            {"3": "Choose one of the answers."},
        ),
    ],
)
def test_every_questionnaire_checks_each_answer(
    client: TestClient, app: FastAPI, name: str, answers: dict[str, str], errors: dict[str, str]
) -> None:
    status, html = submit(client, f"/questionnaires/{name}", f"/questionnaires/{name}", answers)
    assert status == 422
    for item_id, message in errors.items():
        assert field_error(html, f"error-{item_id}") == message
    assert len(re.findall(r'<p class="field-error" id="error-', html)) == len(errors)
    assert stored(app)["questionnaires"] == 0


def test_good_questionnaire_answers_are_saved(client: TestClient, app: FastAPI) -> None:
    status, _ = submit(
        client,
        "/questionnaires/psfs",
        "/questionnaires/psfs",
        {"activity-1": "x" * 200, "rating-1": "07"},
    )
    assert status == 303
    assert stored(app)["questionnaires"] == 1


# --- safety screening --------------------------------------------------------------------


@pytest.mark.parametrize("value", ["maybe", "", "yes" * 1000, "\u00b2"])
def test_a_bad_screening_answer_shows_the_screening_with_the_error_beside_it(
    client: TestClient, app: FastAPI, value: str
) -> None:
    answers = {q.id: "no" for q in QUESTIONS}
    answers[QUESTIONS[2].id] = value
    status, html = submit(client, "/", "/screening", answers)
    assert status == 422
    assert 'id="screening-form"' in html and ERROR_PAGE_TITLE not in html
    assert field_error(html, f"{QUESTIONS[2].id}-error") == "Please answer yes or no."
    assert field_error(html, f"{QUESTIONS[0].id}-error") == ""
    assert stored(app)["screenings"] == 0


# --- habits ------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["", "swim", "walk" * 100])
def test_an_unknown_habit_shows_today_with_the_error_beside_the_habits(
    client: TestClient, app: FastAPI, kind: str
) -> None:
    clear_screening(client)
    status, html = submit(client, "/", "/habits", {"kind": kind})
    assert status == 422
    assert 'id="start-form"' in html and ERROR_PAGE_TITLE not in html
    assert "That habit is not on the list" in html and 'id="habit-error"' in html
    status, fragment = submit(client, "/", "/habits", {"kind": kind}, htmx=True)
    assert status == 422
    assert 'id="habit-error"' in fragment and "<html" not in fragment
    assert stored(app)["habits"] == 0


def test_a_habit_is_ticked(client: TestClient, app: FastAPI) -> None:
    clear_screening(client)
    status, fragment = submit(client, "/", "/habits", {"kind": "walk"}, htmx=True)
    assert status == 200 and "done today" in fragment
    assert stored(app)["habits"] == 1


# --- starting a session ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("pain_before", "\u00b2", "Choose how much pain you have now, from 0 to 10."),
        ("pain_before", "9" * 5000, "Choose how much pain you have now, from 0 to 10."),
        ("pain_before", "11", "Choose how much pain you have now, from 0 to 10."),
        ("pain_before", "-1", "Choose how much pain you have now, from 0 to 10."),
        ("pain_before", "two", "Choose how much pain you have now, from 0 to 10."),
        ("location", "moon", "Choose where the pain is from the list."),
        ("length", "forever", "Choose a session length: short or full."),
    ],
)
def test_a_bad_start_value_shows_today_with_the_error_beside_the_field(
    client: TestClient, app: FastAPI, field: str, value: str, message: str
) -> None:
    clear_screening(client)
    before = stored(app)
    form = {"length": "short", "pain_before": "2", "location": "neck", field: value}
    status, html = submit(client, "/", "/session", form)
    assert status == 422
    assert 'id="start-form"' in html and ERROR_PAGE_TITLE not in html
    assert field_error(html, f"{field}-error") == message
    assert 'id="start-form-error"' in html
    if field != "pain_before":  # a good pain answer stays checked
        assert 'name="pain_before" value="2" required checked' in html
    assert stored(app) == before


def test_good_start_values_start_a_session(client: TestClient, app: FastAPI) -> None:
    clear_screening(client)
    form = {"length": "short", "pain_before": "2", "location": "neck"}
    status, _ = submit(client, "/", "/session", form)
    assert status == 303
    counts = stored(app)
    assert (counts["sessions"], counts["checkins"]) == (1, 1)
