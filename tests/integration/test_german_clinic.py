"""The clinic in German: the clinician's pages, the accounts page and the API docs asked for
with ``Accept-Language: de`` are German (``<html lang="de">``, no English marker words in
their main content), refusals (a failed sign-in, a form with mistakes) answer in German,
and the same pages asked for in English are as before.

The clinic is filled first so that every part of a page shows: a patient with a red
flag, rising pain, a high STarT Back score and no exercise for days, sessions with
camera-counted reps and a form note, a check-in and a scheduled questionnaire; a
program template with two versions; a clinician's own exercise.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import closing
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest

from backcoach.coach.questionnaires import get
from backcoach.config import Settings
from backcoach.content import Amount, Dosage, default_catalog
from backcoach.i18n import use_language
from backcoach.services import clinic_exercises, clinic_programs
from backcoach.services.clinic_exercises import ClinicExerciseIn
from backcoach.store import User, open_database
from backcoach.web.security.csrf import COOKIE as CSRF_COOKIE
from tests.e2e.live_server import LiveServer, running_server
from tests.integration.test_clinic_programs_pages import form_of
from tests.support import clinic_people as make
from tests.support.clinic import add_account, form_headers, signed_in_client
from tests.support.german import english_leftovers, main_text, page_leftovers

GERMAN = {"Accept-Language": "de-DE,de;q=0.9"}
ENGLISH = {"Accept-Language": "en-GB,en;q=0.9"}
DOCTOR = "aerztin@praxis.example"
ADMIN = "verwaltung@praxis.example"
FLAGGED = "flagged@praxis.example"
#: A form note the camera saw, stored in English as the camera coach says it.
HIPS_LOW = "Lift your hips a little higher, until shoulders, hips and knees are in line."


@dataclass
class Clinic:
    live: LiveServer
    ids: dict[str, str]
    definition: dict[str, Any]  # the template's newest version


def _german_exercise() -> ClinicExerciseIn:
    """A clinician's own exercise written in German (what a German clinician writes)."""
    return ClinicExerciseIn(
        name="Beckenkippen im Stehen",
        purpose="Lockert den unteren Rücken und übt die Bewegung des Beckens.",
        muscles=["tiefe Bauchmuskeln", "Gesäßmuskeln"],
        start_position="Stellen Sie sich aufrecht hin, die Hände an den Hüften.",
        steps=["Kippen Sie das Becken langsam nach hinten.", "Kippen Sie es wieder nach vorn."],
        breathing="Atmen Sie beim Kippen nach hinten aus.",
        safety=["Hören Sie auf, wenn es schmerzt."],
        avoid_if=["Starke Schmerzen beim Stehen."],
        dosage=Dosage(sets=Amount(default=2, min=1, max=3), reps=Amount(default=8, min=5, max=12)),
        count_with_camera=True,
    )


@pytest.fixture(scope="module")
def clinic(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Clinic]:
    data_dir: Path = tmp_path_factory.mktemp("german-clinic") / "data"
    settings = Settings(data_dir=data_dir, mode="clinic")
    now = datetime.now(UTC)
    doctor_id = add_account(settings, email=DOCTOR, role="clinician")
    add_account(settings, email=ADMIN, role="admin")
    catalog = default_catalog("de")
    with open_database(settings) as db:
        doctor = db.get(User, doctor_id)
        assert doctor is not None
        flagged = make.patient_of(db, doctor, FLAGGED, linked=now - timedelta(days=30))
        make.workout(
            db, flagged, now - timedelta(days=9), before=3, after=6, camera_reps=10,
            form_notes=[{"code": "hips-low", "message": HIPS_LOW, "count": 2}],
        )  # fmt: skip
        make.workout(db, flagged, now - timedelta(days=8), before=3, after=5)
        make.screening(db, flagged, now - timedelta(days=2), red_flags=["saddle-numbness"])
        make.checkin(db, flagged, now - timedelta(days=1), pain=4)
        make.answer(db, flagged, "startback", make.STARTBACK_HIGH, now - timedelta(days=2))
        make.schedule(
            db, flagged, "pain-function", every_days=14, first_due=date(2020, 1, 6), at=now
        )
        db.commit()
        template = clinic_programs.create_template(
            db, clinician_id=doctor_id, catalog=catalog, now=now
        )
        newest = template.newest.definition.model_dump(mode="json")
        saved = clinic_programs.save_version(
            db,
            clinician_id=doctor_id,
            template_id=template.id,
            catalog=catalog,
            now=now,
            definition={**newest, "sessions_per_week": 3},
            note="",
        )
        with use_language("de"):  # as a German clinician writes it on the German page
            made = clinic_exercises.create_exercise(
                db, catalog, user_id=doctor_id, data=_german_exercise(), now=now
            )
        ids = {
            "patient": str(flagged.id),
            "template": str(template.id),
            "exercise": made.exercise.id,
        }
    with running_server(settings) as live:
        yield Clinic(live, ids, saved.definition.model_dump(mode="json"))


@pytest.fixture(scope="module")
def doctor(clinic: Clinic) -> Iterator[httpx.Client]:
    with closing(signed_in_client(clinic.live.url, DOCTOR)) as client:
        yield client


def _german_page(client: httpx.Client, path: str) -> str:
    page = client.get(path, headers=GERMAN)
    assert page.status_code == 200, page.text[:400]
    assert '<html lang="de">' in page.text
    assert page_leftovers(page.text) == [], main_text(page.text)[:2000]
    return page.text


def test_the_patient_list_with_a_flagged_patient_is_german(doctor: httpx.Client) -> None:
    html = _german_page(doctor, "/clinic")
    text = main_text(html)
    assert FLAGGED in text
    assert "Warnzeichen seit" in text  # the red flag's badge and its date
    assert "Schmerzen steigen" in text
    assert "Seit 8 Tagen keine Übung gemacht." in text  # worked out for the page, in German


def test_a_patient_page_is_german(clinic: Clinic, doctor: httpx.Client) -> None:
    page = doctor.get(f"/clinic/patients/{clinic.ids['patient']}", headers=GERMAN)
    assert page.status_code == 200, page.text[:400]
    assert '<html lang="de">' in page.text
    # STarT Back is offered under its English name in every language (its licence allows
    # only validated translations): the one English name the page may hold.
    text = main_text(page.text)
    assert english_leftovers(text.replace(get("startback").title, "")) == [], text[:3000]
    assert "Taubheit im Reithosenbereich" in text  # the red flag's screening answer
    assert "10 Wiederholungen mit Kamera" in text
    assert "Hüften etwas höher, bis Schultern, Hüften und Knie eine Linie bilden. (2-mal)" in text
    assert "Bitte nehmen Sie Kontakt mit der Person auf." in text
    assert "STarT-Back-Fragebogen: hohes Risiko (Summe 9 von 9)" in text  # the flag
    assert "hohes Risiko" in text.split("Fragebogen-Ergebnisse")[1]  # the score's risk group


@pytest.mark.parametrize("page", ["/clinic/programs", "/clinic/programs/{template}"])
def test_the_program_pages_are_german(clinic: Clinic, doctor: httpx.Client, page: str) -> None:
    _german_page(doctor, page.format(**clinic.ids))


def test_the_template_editor_says_its_changes_in_german(
    clinic: Clinic, doctor: httpx.Client
) -> None:
    path = f"/clinic/programs/{clinic.ids['template']}"
    html = _german_page(doctor, path)
    assert "Änderungen von Version 1 zu 2" in html
    assert "Aus dem eingebauten Programm „Rücken-Grundprogramm“ begonnen." in html
    moved = doctor.post(
        path,
        data=form_of(clinic.definition, action="down short 0"),
        headers={**GERMAN, **form_headers(doctor)},
    )
    assert moved.status_code == 200, moved.text[:400]
    assert "nach unten verschoben, jetzt Schritt 2. Noch nicht gespeichert" in moved.text
    assert page_leftovers(moved.text) == []


@pytest.mark.parametrize("page", ["/clinic/exercises", "/clinic/exercises/new",
                                  "/clinic/exercises/{exercise}",
                                  "/clinic/exercises/{exercise}/preview"])  # fmt: skip
def test_the_clinicians_exercise_pages_are_german(
    clinic: Clinic, doctor: httpx.Client, page: str
) -> None:
    _german_page(doctor, page.format(**clinic.ids))


def test_an_exercise_form_with_mistakes_answers_in_german(doctor: httpx.Client) -> None:
    answer = doctor.post(
        "/clinic/exercises/new",
        data={"name": "Nur ein Name", "kind": "hold", "csrf_token": doctor.cookies[CSRF_COOKIE]},
        headers={**GERMAN, **form_headers(doctor)},
    )
    assert answer.status_code == 422
    assert "Die Übung wurde nicht gespeichert." in answer.text
    assert "Bitte ausfüllen." in answer.text
    assert page_leftovers(answer.text) == []


def test_the_patient_pages_forms_refuse_in_german(clinic: Clinic, doctor: httpx.Client) -> None:
    patient = f"/clinic/patients/{clinic.ids['patient']}"
    headers = {**GERMAN, **form_headers(doctor)}
    note = doctor.post(f"{patient}/notes", data={"text": "  "}, headers=headers)
    schedule = doctor.post(
        f"{patient}/schedules",
        data={"name": "pain-function", "every_days": "3", "first_due": "bald"},
        headers=headers,
    )
    assert note.status_code == schedule.status_code == 422
    assert "Die Notiz ist leer: Schreiben Sie zuerst etwas." in note.text
    assert "Wählen Sie eine ganze Zahl von Tagen zwischen 7 und 90." in schedule.text
    assert "Wählen Sie ein Datum oder lassen Sie das Feld für heute leer." in schedule.text
    missing = doctor.get("/clinic/patients/999999", headers=GERMAN)
    assert missing.status_code == 404
    assert "Diese Person ist nicht unter Ihren Patientinnen und Patienten." in missing.text


def test_the_accounts_page_is_german(clinic: Clinic) -> None:
    with closing(signed_in_client(clinic.live.url, ADMIN)) as admin:
        text = main_text(_german_page(admin, "/clinic/accounts"))
        assert "Therapeut/in" in text  # a role as the page names it
        refused = admin.post(
            "/clinic/accounts",
            data={"email": "kein-name", "role": "clinician", "password": "kurz"},
            headers={**GERMAN, **form_headers(admin)},
        )
    assert refused.status_code == 400, refused.text[:400]
    assert "„kein-name“ ist keine E-Mail-Adresse." in refused.text
    assert page_leftovers(refused.text) == []


def test_the_api_docs_page_is_german(doctor: httpx.Client) -> None:
    page = doctor.get("/docs", headers=GERMAN)
    assert page.status_code == 200
    assert '<html lang="de">' in page.text and "<title>backcoach-API</title>" in page.text
    assert page_leftovers(page.text) == []


def test_a_failed_sign_in_answers_in_german(clinic: Clinic) -> None:
    with httpx.Client(base_url=clinic.live.url, timeout=15) as client:
        page = client.post(
            "/login",
            data={"email": DOCTOR, "password": "falsch und lang genug"},
            headers={**GERMAN, **form_headers(client)},
        )
        api = client.post(
            "/api/v1/auth/login",
            json={"email": DOCTOR, "password": "falsch und lang genug"},
            headers=GERMAN,
        )
    assert page.status_code == 401, page.text[:400]
    assert "E-Mail-Adresse oder Passwort ist falsch." in page.text
    assert api.json() == {"detail": "E-Mail-Adresse oder Passwort ist falsch."}


def test_german_then_english_each_in_its_own_language(doctor: httpx.Client) -> None:
    """The dashboard keeps each patient's row per language: German first, then English."""
    german = doctor.get("/clinic", headers=GERMAN).text
    english = doctor.get("/clinic", headers=ENGLISH).text
    again = doctor.get("/clinic", headers=GERMAN).text
    assert "Seit 8 Tagen keine Übung gemacht." in german
    assert "No exercise done" not in german
    assert '<html lang="en">' in english
    assert "No exercise done for 8 days." in english and "Red flag since" in english
    assert "Übung" not in english
    assert main_text(again) == main_text(german)


def test_english_stays_as_it_was(clinic: Clinic, doctor: httpx.Client) -> None:
    patient = doctor.get(f"/clinic/patients/{clinic.ids['patient']}", headers=ENGLISH).text
    assert "Please contact your patient." in patient
    assert "10 camera reps" in patient and f"{HIPS_LOW} (2 times)" in patient
    template = doctor.get(f"/clinic/programs/{clinic.ids['template']}", headers=ENGLISH).text
    assert "Started from the built-in program “Rücken-Grundprogramm”." in template
    assert "Changes from version 1 to 2" in template
    exercises = doctor.get("/clinic/exercises", headers=ENGLISH).text
    assert "Write a new exercise" in exercises and "camera counts" in exercises
