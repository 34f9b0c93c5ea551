"""Every clinic-mode page in Chromium under the Content Security Policy, signed in as an
admin (who may open every clinician's page), with data that fills each one.

The local-mode walk (``test_web_csp``) leaves these pages out: there they answer 404.
The routes are read from the app, so a clinic page added later is covered too.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from playwright.sync_api import Page, expect

from backcoach.coach.safety import QUESTION_IDS
from backcoach.config import Settings
from backcoach.content import Amount, Dosage, default_catalog
from backcoach.services import accounts, clinic_exercises, clinic_programs, invites
from backcoach.services.clinic_exercises import ClinicExerciseIn
from backcoach.services.safety import save_screening
from backcoach.store import open_database
from tests.e2e.conftest import TIME_SCALE
from tests.e2e.live_server import LiveServer, running_server
from tests.e2e.test_web_csp import NOT_PAGES
from tests.support.routes import app_endpoints, clinic_only, fill_path

pytestmark = pytest.mark.browser

ADMIN = ("admin@clinic.example", "admin password 1")
CLINIC_PAGES = sorted(
    e.path
    for e in app_endpoints(Settings(mode="clinic"))
    if e.method == "GET" and clinic_only(e.path) and not NOT_PAGES.search(e.path)
)
#: Pages for whoever is not signed in (the rest need the admin's session).
SIGNED_OUT = re.compile(r"^/(login|register|reset/)")


def _exercise() -> ClinicExerciseIn:
    return ClinicExerciseIn(
        name="Wall slide",
        purpose="Opens the chest and wakes up the upper back.",
        muscles=["lower trapezius"],
        start_position="Stand with your back against a wall, arms bent like goal posts.",
        steps=["Slide your arms up the wall.", "Slide them back down slowly."],
        breathing="Breathe out as you slide up.",
        safety=["Stop if your shoulder pinches."],
        avoid_if=["A recent shoulder injury."],
        dosage=Dosage(sets=Amount(default=1, min=1, max=2), reps=Amount(default=8, min=5, max=10)),
    )


@pytest.fixture(scope="module")
def clinic(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[LiveServer, dict[str, str]]]:
    data_dir = tmp_path_factory.mktemp("clinic-csp") / "data"
    settings = Settings(data_dir=data_dir, time_scale=TIME_SCALE, mode="clinic")
    now = datetime.now(UTC)
    catalog = default_catalog()
    with open_database(settings) as db:
        admin = accounts.create_user(
            db, email=ADMIN[0], password=ADMIN[1], role="admin", now=now
        ).id
        code = invites.create_invite(db, clinician_id=admin, now=now).code
        patient, _ = invites.register(
            db, code=code, email="pat@patient.example", password="patient password",
            address="127.0.0.1", now=now,
        )  # fmt: skip
        save_screening(db, user_id=patient.id, answers=dict.fromkeys(QUESTION_IDS, False), now=now)
        template = clinic_programs.create_template(db, clinician_id=admin, catalog=catalog, now=now)
        made = clinic_exercises.create_exercise(
            db, catalog, user_id=admin, data=_exercise(), now=now
        )
        ids = {
            "patient_id": str(patient.id),
            "template_id": str(template.id),
            "exercise_id": made.exercise.id,
            "secret": accounts.issue_reset_link(db, email=ADMIN[0], issued_by=admin, now=now),
            "code": invites.create_invite(db, clinician_id=admin, now=now).code,
        }
    with running_server(settings) as live:
        yield live, ids


def test_the_clinic_page_list_is_complete() -> None:
    for path in ("/clinic", "/clinic/patients/{patient_id}", "/clinic/programs", "/login"):
        assert path in CLINIC_PAGES


@pytest.mark.parametrize("path", CLINIC_PAGES)
def test_every_clinic_page_runs_under_the_csp(
    page: Page, clinic: tuple[LiveServer, dict[str, str]], path: str
) -> None:
    live, ids = clinic
    url = fill_path(path, ids) + (f"?code={ids['code']}" if path == "/register" else "")
    if not SIGNED_OUT.search(path):
        page.goto(live.url + "/login")
        page.get_by_label("E-mail").fill(ADMIN[0])
        page.get_by_label("Password").fill(ADMIN[1])
        page.get_by_role("button", name="Sign in").click()
        expect(page).to_have_url(live.url + "/clinic")
    response = page.goto(live.url + url)
    assert response is not None and response.status == 200, url
    assert "default-src 'self'" in response.headers["content-security-policy"]
    expect(page.locator("main h1")).not_to_be_empty()
    page.wait_for_load_state("networkidle")  # deferred scripts (charts, copy buttons) run
