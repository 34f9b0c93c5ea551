"""Every page in German: each GET page of the app (read from the app, so pages added
later are covered), in local mode and in clinic mode, asked for with
``Accept-Language: de``, is German: ``<html lang="de">``, no English marker words
in its main content, its title or its navigation.

The data stored first fills every page (a started session, check-ins, a
clinician's own exercise with German texts, a flagged patient), so the texts that
only show with data are read too.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest

from backcoach.coach.safety import QUESTION_IDS
from backcoach.config import Settings
from backcoach.content import Amount, Dosage, default_catalog
from backcoach.i18n import use_language
from backcoach.services import accounts, clinic_exercises, clinic_programs, invites
from backcoach.services.clinic_exercises import ClinicExerciseIn
from backcoach.services.safety import save_screening
from backcoach.store import open_database
from tests.e2e.live_server import LiveServer, running_server
from tests.e2e.test_web_csp import NOT_PAGES
from tests.support.clinic import PASSWORD, signed_in_client
from tests.support.german import english_leftovers, main_text
from tests.support.routes import app_endpoints, clinic_only, fill_path

GERMAN = {"Accept-Language": "de-DE,de;q=0.9,en;q=0.5"}
LOCAL_PAGES = sorted(
    e.path
    for e in app_endpoints()
    if e.method == "GET" and not NOT_PAGES.search(e.path) and not clinic_only(e.path)
)
CLINIC_PAGES = sorted(
    e.path
    for e in app_endpoints(Settings(mode="clinic"))
    if e.method == "GET" and clinic_only(e.path) and not NOT_PAGES.search(e.path)
)
SIGNED_OUT = re.compile(r"^/(login|register|reset/)")
ADMIN = "admin@praxis.example"
_TITLE = re.compile(r"<title>(.*?)</title>", re.S)
_NAV = re.compile(r"<nav\b.*?</nav>", re.S)


def _german_problems(page: httpx.Response) -> list[str]:
    """What is not German in a page: its language, English words in main, title or navigation."""
    html = page.text
    problems = []
    if '<html lang="de">' not in html:
        problems.append("<html lang> is not de")
    if page.headers.get("content-language") != "de":
        problems.append(f"Content-Language: {page.headers.get('content-language')}")
    title = _TITLE.search(html)
    texts = {
        "main": main_text(html),
        "title": title.group(1) if title else "",
        "nav": re.sub(r"<[^>]+>", " ", " ".join(_NAV.findall(html))),
    }
    for where, text in texts.items():
        found = english_leftovers(text)
        if found:
            problems.append(f"English in {where}: {found} in {text[:600]!r}")
    return problems


@pytest.fixture(scope="module")
def local(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[LiveServer, dict[str, str]]]:
    settings = Settings(data_dir=tmp_path_factory.mktemp("german-local") / "data")
    with running_server(settings) as live, httpx.Client(base_url=live.url, timeout=15) as client:
        answers = dict.fromkeys(QUESTION_IDS, False)
        assert client.post("/api/v1/screening", json={"answers": answers}).is_success
        for pain in (4, 3):
            client.post("/api/v1/checkins", json={"phase": "before", "pain": pain})
        started = client.post("/api/v1/sessions", json={})
        assert started.status_code == 201, started.text
        ids = {
            "session_id": str(started.json()["session_id"]),
            "exercise_id": "glute-bridge",
            "name": "pain-function",
            "program_id": "back-basics",
        }
        yield live, ids


def _german_exercise() -> ClinicExerciseIn:
    return ClinicExerciseIn(
        name="Wandrutschen",
        purpose="Öffnet die Brust und weckt den oberen Rücken.",
        muscles=["unterer Trapezmuskel"],
        start_position="Stellen Sie sich mit dem Rücken an eine Wand, die Arme wie ein Torpfosten.",
        steps=["Schieben Sie die Arme an der Wand nach oben.", "Langsam wieder nach unten."],
        breathing="Beim Hochschieben ausatmen.",
        safety=["Hören Sie auf, wenn die Schulter zwickt."],
        avoid_if=["Eine frische Schulterverletzung."],
        dosage=Dosage(sets=Amount(default=1, min=1, max=2), reps=Amount(default=8, min=5, max=10)),
    )


@pytest.fixture(scope="module")
def clinic(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[LiveServer, dict[str, str]]]:
    data_dir: Path = tmp_path_factory.mktemp("german-clinic") / "data"
    settings = Settings(data_dir=data_dir, mode="clinic")
    now = datetime.now(UTC)
    with open_database(settings) as db:
        admin = accounts.create_user(db, email=ADMIN, password=PASSWORD, role="admin", now=now).id
        code = invites.create_invite(db, clinician_id=admin, now=now).code
        patient, _ = invites.register(
            db, code=code, email="patientin@praxis.example", password=PASSWORD,
            address="127.0.0.1", now=now,
        )  # fmt: skip
        save_screening(db, user_id=patient.id, answers=dict.fromkeys(QUESTION_IDS, False), now=now)
        catalog = default_catalog("de")
        template = clinic_programs.create_template(db, clinician_id=admin, catalog=catalog, now=now)
        with use_language("de"):  # as a German clinician's request makes it
            made = clinic_exercises.create_exercise(
                db, catalog, user_id=admin, data=_german_exercise(), now=now
            )
        ids = {
            "patient_id": str(patient.id),
            "template_id": str(template.id),
            "exercise_id": made.exercise.id,
            "secret": accounts.issue_reset_link(db, email=ADMIN, issued_by=admin, now=now),
            "code": invites.create_invite(db, clinician_id=admin, now=now).code,
        }
    with running_server(settings) as live:
        yield live, ids


def test_the_page_lists_are_complete() -> None:
    for path in ("/", "/history", "/desk", "/settings", "/session/{session_id}"):
        assert path in LOCAL_PAGES
    for path in ("/clinic", "/clinic/patients/{patient_id}", "/login"):
        assert path in CLINIC_PAGES


@pytest.mark.parametrize("path", LOCAL_PAGES)
def test_every_page_is_german(local: tuple[LiveServer, dict[str, str]], path: str) -> None:
    live, ids = local
    with httpx.Client(base_url=live.url, timeout=15, headers=GERMAN) as client:
        page = client.get(fill_path(path, ids), follow_redirects=True)
    assert page.status_code == 200, page.text[:300]
    assert _german_problems(page) == []


@pytest.mark.parametrize("path", CLINIC_PAGES)
def test_every_clinic_page_is_german(clinic: tuple[LiveServer, dict[str, str]], path: str) -> None:
    live, ids = clinic
    url = fill_path(path, ids) + (f"?code={ids['code']}" if path == "/register" else "")
    if SIGNED_OUT.search(path):
        client = httpx.Client(base_url=live.url, timeout=15)
    else:
        client = signed_in_client(live.url, ADMIN)
    try:
        page = client.get(url, headers=GERMAN)
    finally:
        client.close()
    assert page.status_code == 200, page.text[:300]
    assert _german_problems(page) == []


def test_a_missing_page_is_german(local: tuple[LiveServer, dict[str, str]]) -> None:
    live, _ = local
    with httpx.Client(base_url=live.url, timeout=15, headers=GERMAN) as client:
        page = client.get("/there-is-no-such-page")
    assert page.status_code == 404
    assert _german_problems(page) == []


def test_english_stays_english(local: tuple[LiveServer, dict[str, str]]) -> None:
    live, _ = local
    with httpx.Client(base_url=live.url, timeout=15) as client:
        page = client.get("/", headers={"Accept-Language": "en-GB,en;q=0.9"})
    assert '<html lang="en">' in page.text
    assert page.headers["content-language"] == "en"
    assert "Today" in page.text


def test_an_interrupted_session_is_offered_by_its_german_name(
    local: tuple[LiveServer, dict[str, str]],
) -> None:
    """The plan keeps the names it was made with (English here); Today names the step
    to resume from the content in the reader's language."""
    live, _ = local
    with httpx.Client(base_url=live.url, timeout=15, headers=GERMAN) as client:
        page = client.get("/")
    assert "Tiefes Atmen" in main_text(page.text)
    assert "Deep breathing" not in page.text


def test_the_fhir_record_is_english_whatever_the_page_language(
    local: tuple[LiveServer, dict[str, str]],
) -> None:
    """A clinic's records system reads the Bundle: its texts are in English, as its codes'
    displays are, and it says so (Resource.language)."""
    live, _ = local
    with httpx.Client(base_url=live.url, timeout=15, headers=GERMAN) as client:
        bundle = client.get("/api/v1/export", params={"format": "fhir"}).json()
    assert bundle["language"] == "en"
    texts = json.dumps(bundle, ensure_ascii=False)
    assert "Deep breathing" in texts and "Tiefes Atmen" not in texts
    assert "Rücken-Grundprogramm" not in texts
