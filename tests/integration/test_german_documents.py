"""The printed documents in German: the progress report (sessions, pain, questionnaires,
dose changes, desk and camera), an exercise handout and a program handout made while
German is in use declare ``de``, hold no English (the exercises' texts come from the German
catalog), write dates and numbers the German way and stay valid, laid-out PDFs; the web
serves them in the browser's language. English is checked by the documents' own tests."""

from __future__ import annotations

import re
import subprocess
import tempfile
import warnings
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, date
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.orm import Session

from backcoach.coach.plan import SessionPlan, VariantLevel, plan_from_program
from backcoach.coach.questionnaires import (
    QUESTIONNAIRES,
    RISK_MEANINGS,
    RiskGroup,
    risk_meaning,
)
from backcoach.coach.safety import DISCLAIMER
from backcoach.config import Settings
from backcoach.content import Length, default_catalog
from backcoach.documents.handout import exercise_handout, program_handout, weekdays
from backcoach.documents.report import progress_report, report_data, report_period
from backcoach.errors import UsageError
from backcoach.i18n import _, use_language
from backcoach.store import User, open_database
from backcoach.vision.analyzers import glute_bridge
from backcoach.vision.wording import shown
from backcoach.web.app import create_app
from tests.integration.test_progress_report import (
    END,
    PAIN_FUNCTION,
    PERIOD,
    START,
    STARTBACK_MEDIUM,
    at,
    desk,
    local_person,
    session,
)
from tests.support import clinic_people as make
from tests.support.german import english_leftovers
from tests.support.pdf import first_page_png, pdf_info, pdf_language, pdf_text

with warnings.catch_warnings():
    # This Starlette wants the httpx2 fork for its test client; plain httpx still works.
    warnings.filterwarnings("ignore", message=".*httpx2.*")
    from starlette.testclient import TestClient

GERMAN_CATALOG = default_catalog("de")
#: The bridge's form notes as the camera stores them: in English, translated where shown.
HIPS_LOW = glute_bridge._MESSAGES[glute_bridge.LOW_HIPS]
SAGGING = glute_bridge._MESSAGES[glute_bridge.SAGGING]
#: A reason the planner writes on a step (stored in English when the plan was made in English).
SAFE_RANGE_NOTE = "Adjusted to stay within this exercise's safe range."
PSFS_GERMAN = {"activity-1": "Einen Film im Sitzen schauen", "rating-1": 4}
PSFS_GERMAN |= {"activity-2": "Meine Tochter hochheben", "rating-2": 6}


def reading_text(pdf: bytes) -> str:
    """The text in reading order, on one line (``pdftotext`` without ``-layout``)."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "document.pdf"
        path.write_bytes(pdf)
        done = subprocess.run(
            ["pdftotext", str(path), "-"], capture_output=True, check=True, timeout=60
        )
    return " ".join(done.stdout.decode().split())


def joined(text: str) -> str:
    return " ".join(text.split())


def unhyphenated(text: str) -> str:
    """Without hyphens (``pdftotext`` joins a word broken after its hyphen without it)."""
    return re.sub(r"-\s*", "", text)


def without_startback_name(text: str) -> str:
    """``text`` without the STarT Back tool's name, which keeps its English original
    wording in German (its licence); every other word is German."""
    name = joined(QUESTIONNAIRES["startback"].localized().title)
    return text.replace(name, "")


def plans() -> tuple[SessionPlan, SessionPlan, SessionPlan]:
    """Plans as an English session stored them (English step names): the program's; then
    the bridge one rep up with the planner's reason; then the bird-dog at its easier
    variant (no reason: the report says which way the dose moved)."""
    base = plan_from_program(default_catalog("en"), "back-basics", Length.SHORT)
    plain = replace(base, steps=tuple(replace(s, notes=()) for s in base.steps))

    def changed(plan: SessionPlan, exercise_id: str, **change: Any) -> SessionPlan:
        steps = tuple(
            replace(s, **change) if s.exercise_id == exercise_id else replace(s, notes=())
            for s in plan.steps
        )
        return replace(plan, steps=steps)

    more = changed(plain, "glute-bridge", reps=9, notes=(SAFE_RANGE_NOTE,))
    easier = changed(more, "bird-dog", variant=VariantLevel.EASIER)
    return plain, more, easier


def fill(db: Session, user: User) -> None:
    """The English report's month: 6 sessions in the period (one quit), pain, two dose
    changes, three questionnaires (the PSFS activities named in German), two desk days and
    camera-counted bridges with the analyzer's own form notes. Commits."""
    base, more, easier = plans()
    session(db, user, date(2026, 3, 3), base, before=4, after=3)
    session(db, user, date(2026, 3, 4), base, before=4, after=2)
    session(db, user, date(2026, 3, 5), more, before=3, after=3)
    session(db, user, date(2026, 3, 10), more, before=5, after=None, done=False)
    hips = {"code": glute_bridge.LOW_HIPS, "message": HIPS_LOW, "count": 3}
    sagging = {"code": glute_bridge.SAGGING, "message": SAGGING, "count": 1}
    session(db, user, date(2026, 3, 28), easier, before=3, after=2, camera=(12, [hips]))
    session(db, user, END, easier, before=2, after=1, camera=(10, [hips, sagging]))
    make.answer(db, user, "startback", STARTBACK_MEDIUM, at(date(2026, 3, 6)))
    make.answer(db, user, "psfs", PSFS_GERMAN, at(date(2026, 3, 7)))
    make.answer(db, user, "pain-function", PAIN_FUNCTION, at(date(2026, 3, 8)))
    desk(db, user, date(2026, 3, 9), **{"break": 3, "break_skipped": 1, "sitting": 180})
    desk(db, user, date(2026, 3, 12), **{"break": 2, "break_snoozed": 1, "walk": 15})
    db.commit()


def test_the_progress_report_in_german(db: Session, tmp_path: Path) -> None:
    user = local_person(db)
    fill(db, user)
    with use_language("de"):
        pdf = progress_report(
            db, user_id=user.id, start=START, end=END, tz=UTC, catalog=GERMAN_CATALOG
        )
        data = report_data(
            db, user_id=user.id, start=START, end=END, tz=UTC, catalog=GERMAN_CATALOG
        )
        medium = joined(risk_meaning(RiskGroup.MEDIUM))
        notes = [joined(shown(HIPS_LOW) or ""), joined(shown(SAGGING) or ""), _(SAFE_RANGE_NOTE)]
        disclaimer = joined(_(DISCLAIMER))
        startback_note = joined(QUESTIONNAIRES["startback"].localized().language_note)

    info = pdf_info(pdf)
    assert info["Title"] == "Fortschrittsbericht, 2.3.2026 bis 29.3.2026"
    assert (info["Tagged"], info["Pages"]) == ("yes", "3")
    assert pdf_language(pdf) == "de"
    text = reading_text(pdf)
    assert english_leftovers(without_startback_name(text)) == []
    for expected in (
        "Vom 2.3.2026 bis 29.3.2026.",
        "5 von 20",  # 5 a week over the 28 days, as in English
        "70 Min.",
        "aktuelle Serie (beste im Zeitraum: 3 Tage)",
        "6 Einheiten begonnen; 1 abgebrochen oder vorzeitig beendet.",
        # the chart: title, axes and German day labels
        "Schmerz (0\N{EN DASH}10)",
        "Datum der Einheit",
        "3. März",
        "Im Durchschnitt lag der Schmerz vor einer Einheit bei 3,2 von 10 und danach bei 2,2.",
        # questionnaires: German dates and decimal commas; STarT Back's group in German
        "6.3.2026",
        "Gesamt 4/9, psychosozial 0/5: mittleres Risiko.",
        medium,
        "Einen Film im Sitzen schauen: 4/10; Meine Tochter hochheben:",  # the rating may wrap
        "Schmerz 4/10, Beeinträchtigung 3,3/10, insgesamt 3,5/10 (niedriger ist besser).",
        "Übungen mit geänderter Dosis",  # its table's cells: report_data, below
        # desk and camera
        "Pausen gemacht 5",
        "An 2 Tagen mit Einträgen am Schreibtisch.",
        "22 Wiederholungen von der Kamera gezählt.",
        "(6-mal)",
        "(1-mal)",
        "Seite 1 von 3",
        "backcoach: keine ärztliche Beratung",
    ):
        assert expected in text, expected
    for translated in (medium, notes[0], notes[1], disclaimer, startback_note):
        assert unhyphenated(translated) in unhyphenated(text), translated
    assert medium != RISK_MEANINGS[RiskGroup.MEDIUM] and disclaimer != joined(DISCLAIMER)
    assert notes[0] != HIPS_LOW and notes[2] != SAFE_RANGE_NOTE and startback_note
    assert first_page_png(pdf, tmp_path).stat().st_size > 10_000

    # the dose changes' table (its cells interleave in the PDF's text): German names and
    # reasons, the planner's English reason translated, the variant said in German
    bridge, bird_dog = data.dose_changes
    assert (bridge.name, bridge.why) == (GERMAN_CATALOG.exercise("glute-bridge").name, (notes[2],))
    assert (bird_dog.name, bird_dog.why) == (
        GERMAN_CATALOG.exercise("bird-dog").name,
        ("Erleichtert: Die geplante Dosis hat sich geändert.",),
    )
    assert bird_dog.after.endswith("(leichtere Variante)")
    for change in data.dose_changes:
        assert english_leftovers(" ".join((change.before, change.after, *change.why))) == []


def test_an_empty_german_report_says_so_in_german(db: Session) -> None:
    user = local_person(db)
    db.commit()
    with use_language("de"):
        pdf = progress_report(
            db, user_id=user.id, start=START, end=END, tz=UTC, catalog=GERMAN_CATALOG
        )
    text = reading_text(pdf)
    assert english_leftovers(text) == []
    assert "In diesem Zeitraum wurde kein Fragebogen beantwortet." in text
    assert "In diesem Zeitraum hat die Kamera keine Übung gezählt." in text


@pytest.mark.parametrize(
    ("start", "end", "says"),
    [
        ("2026-13-01", None, "Das Anfangsdatum „2026-13-01“ ist kein Datum"),
        (None, "gestern", "Das Enddatum „gestern“ ist kein Datum"),
        ("2026-03-29", "2026-03-02", "Der Zeitraum beginnt am 29.3.2026, also nach seinem Ende"),
        ("2000-01-01", "2026-03-29", "Ein Bericht umfasst höchstens 10 Jahre"),
    ],
)
def test_a_bad_period_is_refused_in_german(start: str | None, end: str | None, says: str) -> None:
    with use_language("de"), pytest.raises(UsageError) as refused:
        report_period(start, end, today=date(2026, 3, 29))
    assert says in str(refused.value) and english_leftovers(str(refused.value)) == []


def test_an_exercise_handout_in_german(tmp_path: Path) -> None:
    bird_dog = GERMAN_CATALOG.exercise("bird-dog")
    with use_language("de"):
        pdf = exercise_handout(bird_dog)
        days = weekdays()
        disclaimer = joined(_(DISCLAIMER))
    info = pdf_info(pdf)
    assert info["Title"] == f"{bird_dog.name}: Übungsblatt"
    assert (info["Tagged"], info["Pages"]) == ("yes", "1")
    assert pdf_language(pdf) == "de"
    text = reading_text(pdf)
    assert english_leftovers(text) == []
    assert days == ("Mo", "Di", "Mi", "Do", "Fr", "Sa", "So")
    for expected in (
        "Dosis",
        "Sätze: 2",
        "Wiederholungen: 5",
        "Seiten: jede Seite",
        "Ein Kreuz für jeden Übungstag",
        "Ausgangsposition",
        "Schritte",
        "Atmung",
        "Häufige Fehler",
        "Vorsicht",
        "Nicht üben, wenn",
        " ".join(days),
        "Seite 1 von 1",
    ):
        assert expected in text, expected
    loose = unhyphenated(text)
    for part in (bird_dog.start_position, *bird_dog.steps, *bird_dog.avoid_if, disclaimer):
        assert unhyphenated(joined(part)) in loose, part
    assert first_page_png(pdf, tmp_path).stat().st_size > 20_000


@pytest.mark.parametrize("exercise_id", list(GERMAN_CATALOG.exercises))
def test_every_german_exercise_handout_fits_one_page(exercise_id: str) -> None:
    exercise = GERMAN_CATALOG.exercise(exercise_id)
    with use_language("de"):
        pdf = exercise_handout(exercise)
    assert pdf_info(pdf)["Pages"] == "1", "the handout fits one page, disclaimer included"
    assert english_leftovers(reading_text(pdf)) == []


def test_a_program_handout_in_german(tmp_path: Path) -> None:
    plan = plan_from_program(GERMAN_CATALOG, "back-basics", Length.SHORT)
    with use_language("de"):
        pdf = program_handout(GERMAN_CATALOG, "back-basics", "short")
    info = pdf_info(pdf)
    assert info["Title"] == "Rücken-Grundprogramm: kurze Einheit"
    assert int(info["Pages"]) == 1 + len(plan.steps)
    assert pdf_language(pdf) == "de"
    text = reading_text(pdf)
    assert english_leftovers(text) == []
    contents = joined(pdf_text(pdf).split("\f")[0])
    assert f"{len(plan.steps)} Übungen, insgesamt etwa" in contents
    assert "Machen Sie sie in dieser Reihenfolge:" in contents
    assert f"{plan.steps[0].name} (Seite 2)" in contents
    assert first_page_png(pdf, tmp_path).stat().st_size > 5_000


def test_an_unknown_program_is_refused_in_german() -> None:
    with use_language("de"), pytest.raises(UsageError) as refused:
        program_handout(GERMAN_CATALOG, "back-basics", "long")
    assert "Das Programm „back-basics“ hat keine Länge „long“" in str(refused.value)


# --- the web: the browser's language -----------------------------------------------------


@pytest.fixture
def german_client(tmp_path: Path) -> Iterator[TestClient]:
    settings = Settings(data_dir=tmp_path / "data")
    with open_database(settings) as db:
        fill(db, local_person(db))
    app = create_app(settings)
    with TestClient(app, base_url="http://127.0.0.1:8000", follow_redirects=False) as client:
        client.headers["Accept-Language"] = "de"
        yield client


def test_the_web_serves_the_documents_in_the_browsers_language(german_client: TestClient) -> None:
    questions = german_client.get("/api/v1/screening/questions").json()
    answers = {q["id"]: False for q in questions}
    assert german_client.post("/api/v1/screening", json={"answers": answers}).status_code == 200

    handout = german_client.get("/exercises/bird-dog/handout.pdf")
    assert handout.status_code == 200, handout.text
    assert pdf_language(handout.content) == "de"
    name = GERMAN_CATALOG.exercise("bird-dog").name
    assert pdf_info(handout.content)["Title"] == f"{name}: Übungsblatt"

    report = german_client.get("/history/report.pdf", params=PERIOD)
    assert report.status_code == 200, report.text
    assert pdf_language(report.content) == "de"
    assert "22 Wiederholungen von der Kamera gezählt." in reading_text(report.content)

    english = german_client.get(
        "/history/report.pdf", params=PERIOD, headers={"Accept-Language": "en"}
    )
    assert pdf_language(english.content) == "en"
    assert "22 repetitions counted by the camera." in reading_text(english.content)
