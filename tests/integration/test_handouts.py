"""Printable handouts: one exercise and a whole program as PDFs read back with poppler,
every built-in exercise, a clinician's exercise (scoped to who may see it), the
``/exercises/{id}/handout.pdf`` page on a real server and ``backcoach handout``."""

from __future__ import annotations

import re
import subprocess
import tempfile
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest
from sqlalchemy.orm import Session

from backcoach.coach.cues import dose_words
from backcoach.coach.plan import plan_from_program
from backcoach.coach.safety import DISCLAIMER
from backcoach.config import Settings
from backcoach.content import (
    Catalog,
    DoseOverride,
    Exercise,
    Length,
    Program,
    ProgramStep,
    default_catalog,
)
from backcoach.documents.handout import (
    LibraryExercise,
    exercise_handout,
    library_exercise,
    program_handout,
    weekdays,
)
from backcoach.errors import UsageError
from backcoach.services import clinic_exercises
from backcoach.store import Role, local_user
from tests.e2e.live_server import LiveServer, running_server
from tests.integration import cli_setup
from tests.integration.cli_setup import Invoke, flat
from tests.integration.test_api import screen_clear
from tests.support.clinic_people import account, patient_of, screening
from tests.support.pdf import first_page_png, pdf_info, pdf_language, pdf_text
from tests.unit.test_clinic_exercise_build import sample_input
from tests.unit.test_clinic_exercise_images import png_bytes

invoke = cli_setup.invoke  # the shared fixture, found by pytest under this name

CATALOG = default_catalog()
NOW = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)


def poppler(tool: str, *options: str, pdf: bytes, then: tuple[str, ...] = ("-",)) -> str:
    """What a poppler tool writes about ``pdf`` (``tool [options] file [then]``)."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "handout.pdf"
        path.write_bytes(pdf)
        done = subprocess.run(
            [tool, *options, str(path), *then], capture_output=True, check=True, timeout=60
        )
    return done.stdout.decode()


def reading_text(pdf: bytes) -> str:
    """The text in reading order (each column whole), on one line: ``pdftotext`` without
    ``-layout``, which would interleave the lines of side-by-side columns)."""
    return joined(poppler("pdftotext", pdf=pdf))


def joined(text: str) -> str:
    return " ".join(text.split())


def unhyphenated(text: str) -> str:
    """``text`` without hyphens: ``pdftotext`` joins a word broken after its hyphen at a
    line end without it (``light-`` ``headed``: ``lightheaded``)."""
    return re.sub(r"-\s*", "", text)


def pages(pdf: bytes) -> list[str]:
    """Each page's text (poppler ends every page with a form feed)."""
    return pdf_text(pdf).split("\f")[:-1]


def assert_shows_exercise(text: str, exercise: Exercise) -> None:
    """Everything the handout must say about ``exercise``, in ``reading_text`` form."""
    assert exercise.name in text
    loose = unhyphenated(text)
    for part in (
        exercise.start_position,
        *exercise.steps,
        exercise.breathing,
        *exercise.mistakes,
        *exercise.safety,
        *exercise.avoid_if,
    ):
        assert unhyphenated(joined(part)) in loose, part
    assert "Do not do it if" in text and "Take care" in text
    assert "Tick a box each day you do it" in text
    assert all(day in text for day in weekdays())
    for keyframe in exercise.keyframes:
        assert unhyphenated(keyframe.name) in loose  # the figures' captions


# --- one exercise -----------------------------------------------------------------------


def test_an_exercise_handout_has_figures_steps_dose_cautions_and_a_week(tmp_path: Path) -> None:
    bird_dog = CATALOG.exercise("bird-dog")
    pdf = exercise_handout(bird_dog)
    info = pdf_info(pdf)
    assert info["Title"] == "Bird-dog: exercise handout"
    assert (info["Tagged"], info["Pages"]) == ("yes", "1")
    assert pdf_language(pdf) == "en"
    text = reading_text(pdf)
    assert_shows_exercise(text, bird_dog)
    # bird-dog's default dose: 2 sets of 5 reps, each held 5 s, on each side, 20 s rest
    for figure in ("Sets: 2", "Reps: 5", "Hold: 5 seconds", "Sides: each side"):
        assert figure in text
    assert "Rest between sets: 20 seconds" in text
    assert "2 sets of 5, holding each for 5 seconds on each side." in text
    assert joined(DISCLAIMER) in text
    png = first_page_png(pdf, tmp_path)
    assert png.stat().st_size > 20_000  # figures, boxes and three columns of text


def test_a_timed_exercise_shows_its_time_and_a_one_sided_one_no_sides() -> None:
    text = reading_text(exercise_handout(CATALOG.exercise("jog-to-walk")))
    assert "Time: " in text and "Reps:" not in text and "Sides:" not in text


@pytest.mark.parametrize("exercise_id", list(CATALOG.exercises))
def test_every_built_in_exercise_has_a_one_page_handout(exercise_id: str) -> None:
    exercise = CATALOG.exercise(exercise_id)
    pdf = exercise_handout(exercise)
    info = pdf_info(pdf)
    assert info["Pages"] == "1", "an exercise's handout fits one page, disclaimer included"
    assert info["Title"] == f"{exercise.name}: exercise handout"
    assert_shows_exercise(reading_text(pdf), exercise)


def test_a_clinicians_exercise_shows_their_picture_and_says_who_wrote_it() -> None:
    mine = LibraryExercise(
        CATALOG.exercise("squat"), picture=(png_bytes(64, 48), "image/png"), from_clinician=True
    )
    pdf = exercise_handout(mine)
    text = reading_text(pdf)
    assert "Written by your clinician" in text
    assert "1 · " not in text  # their picture replaces the stick figures and captions
    images = poppler("pdfimages", "-list", pdf=pdf, then=()).splitlines()[2:]  # after the header
    assert [line.split()[3:5] for line in images] == [["64", "48"]]  # the picture, its size
    assert "Written by your clinician" not in reading_text(
        exercise_handout(CATALOG.exercise("squat"))
    )


# --- a program --------------------------------------------------------------------------


def test_a_program_handout_has_every_step_of_its_plan_in_order(tmp_path: Path) -> None:
    plan = plan_from_program(CATALOG, "back-basics", Length.SHORT)
    pdf = program_handout(CATALOG, "back-basics", "short")
    info = pdf_info(pdf)
    assert info["Title"] == "Back basics: short session"
    assert info["Tagged"] == "yes"
    assert pdf_language(pdf) == "en"
    # page 1: the order with each dose; then one page per exercise, in the plan's order
    each = pages(pdf)
    assert len(each) == 1 + len(plan.steps) == int(info["Pages"])
    contents = joined(each[0])
    assert "Back basics: short session" in contents
    at = -1
    for number, step in enumerate(plan.steps, 1):
        line = f"{step.name} (page {number + 1}): {dose_words(step)}"
        assert contents.find(line, at + 1) > at, line
        at = contents.find(line, at + 1)
        page = joined(each[number])
        assert page.lstrip().startswith(f"{number}. {step.name}"), page[:80]
        assert dose_words(step) in page and f"Sets: {step.sets}" in page
        assert "Do not do it if" in page and all(day in page for day in weekdays())
    text = reading_text(pdf)
    for step in plan.steps:
        assert_shows_exercise(text, CATALOG.exercise(step.exercise_id))
    assert joined(DISCLAIMER) in text
    assert first_page_png(pdf, tmp_path).stat().st_size > 5_000


def test_a_program_handout_shows_the_programs_own_dose_and_variant() -> None:
    own = Program(
        id="my-knees",
        name="Kind to knees",
        description="Two exercises, the bird-dog made easier.",
        lengths={
            Length.SHORT: [
                ProgramStep(exercise="bird-dog", dose=DoseOverride(reps=3), variant="easier"),
                ProgramStep(exercise="glute-bridge", dose=DoseOverride(sets=3)),
            ]
        },
    )
    catalog = Catalog(exercises=CATALOG.exercises, programs={own.id: own}, tips=())
    pdf = program_handout(catalog, "my-knees", "short")
    first, second = pages(pdf)[1:]
    bird_dog = CATALOG.exercise("bird-dog")
    assert "Reps: 3" in joined(first) and f"Variant: {bird_dog.easier.name}." in joined(first)
    assert unhyphenated(bird_dog.easier.how) in unhyphenated(reading_text(pdf))
    assert "Sets: 3" in joined(second) and "Variant:" not in joined(second)


@pytest.mark.parametrize(
    ("program", "length", "says"),
    [
        ("back-pain", "short", "no program called 'back-pain'; choose one of: back-basics, desk"),
        ("back-basics", "long", "no 'long' length; choose one of: short, full"),
        ("desk-break", "full", "no 'full' length; choose one of: short."),
    ],
)
def test_an_unknown_program_or_length_names_the_valid_ones(
    program: str, length: str, says: str
) -> None:
    with pytest.raises(UsageError, match=re.escape(says)):
        program_handout(CATALOG, program, length)


# --- a clinician's exercise: only for those who may see it -------------------------------


def test_a_clinicians_exercise_is_found_for_their_patients_only(db: Session) -> None:
    clinician = account(db, "a@clinic.test", Role.CLINICIAN, created=NOW)
    other = account(db, "b@clinic.test", Role.CLINICIAN, created=NOW)
    theirs = patient_of(db, clinician, "pa@clinic.test", linked=NOW)
    not_theirs = patient_of(db, other, "pb@clinic.test", linked=NOW)
    db.commit()
    info = clinic_exercises.create_exercise(
        db, CATALOG, user_id=clinician.id, data=sample_input(), now=NOW
    )
    exercise_id = info.exercise.id
    found = library_exercise(db, CATALOG, user_id=theirs.id, exercise_id=exercise_id)
    assert (found.exercise.id, found.picture, found.from_clinician) == (exercise_id, None, True)
    with pytest.raises(LookupError):
        library_exercise(db, CATALOG, user_id=not_theirs.id, exercise_id=exercise_id)
    clinic_exercises.set_image(
        db, user_id=clinician.id, exercise_id=exercise_id, data=png_bytes(), now=NOW
    )
    pictured = library_exercise(db, CATALOG, user_id=theirs.id, exercise_id=exercise_id)
    assert pictured.picture == (png_bytes(), "image/png")
    assert "Written by your clinician" in reading_text(exercise_handout(pictured))
    built_in = library_exercise(db, CATALOG, user_id=not_theirs.id, exercise_id="squat")
    assert built_in == LibraryExercise(CATALOG.exercise("squat"))


# --- the page ---------------------------------------------------------------------------


@pytest.fixture
def live(tmp_path: Path) -> Iterator[LiveServer]:
    with running_server(Settings(data_dir=tmp_path / "data")) as server:
        yield server


def test_the_handout_page_serves_the_pdf_and_none_while_exercise_is_blocked(
    live: LiveServer,
) -> None:
    with httpx.Client(base_url=live.url, timeout=30) as client:
        screen_clear(client)
        page = client.get("/exercises/bird-dog")
        assert (
            'href="/exercises/bird-dog/handout.pdf"' in page.text and "Print handout" in page.text
        )
        answer = client.get("/exercises/bird-dog/handout.pdf")
        assert answer.status_code == 200
        assert answer.headers["content-type"] == "application/pdf"
        assert answer.headers["content-disposition"] == 'inline; filename="bird-dog-handout.pdf"'
        assert pdf_info(answer.content)["Title"] == "Bird-dog: exercise handout"
        assert "Hold: 5 seconds" in reading_text(answer.content)

        unknown = client.get("/exercises/no-such-thing/handout.pdf")
        assert unknown.status_code == 404
        assert unknown.headers["content-type"].startswith("text/plain")
        assert unknown.text == "There is no exercise called 'no-such-thing'."

        questions = client.get("/api/v1/screening/questions").json()
        answers = {q["id"]: q["id"] == "fever-unwell" for q in questions}
        assert client.post("/api/v1/screening", json={"answers": answers}).status_code == 200
        blocked = client.get("/exercises/bird-dog/handout.pdf")
        assert blocked.status_code == 409
        assert blocked.text.startswith("Please do not start the exercises for now.")
        assert "handout.pdf" not in client.get("/exercises/bird-dog").text


# --- the command ------------------------------------------------------------------------


def test_the_command_writes_a_program_and_an_exercise_handout(
    invoke: Invoke, tmp_path: Path
) -> None:
    program = tmp_path / "program.pdf"
    result = invoke("handout", "--program", "back-basics", "--length", "short", "-o", str(program))
    assert result.exit_code == 0, result.output
    assert f"Handout written to {program}" in flat(result.output)
    assert pdf_info(program.read_bytes())["Title"] == "Back basics: short session"
    assert program.stat().st_mode & 0o077 == 0  # readable by you only, as exports

    one = tmp_path / "bird-dog.pdf"
    result = invoke("handout", "--exercise", "bird-dog", "-o", str(one))
    assert result.exit_code == 0, result.output
    assert pdf_info(one.read_bytes())["Title"] == "Bird-dog: exercise handout"

    result = invoke("handout", "--exercise", "squat", "-o", str(one))
    assert result.exit_code == 2
    assert "already exists; choose another name or add --force" in flat(result.output)
    assert pdf_info(one.read_bytes())["Title"] == "Bird-dog: exercise handout"
    result = invoke("handout", "--exercise", "squat", "-o", str(one), "--force")
    assert result.exit_code == 0, result.output
    assert (
        pdf_info(one.read_bytes())["Title"] == f"{CATALOG.exercise('squat').name}: exercise handout"
    )


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (["--program", "back-pain"], "no program called 'back-pain'; choose one of: back-basics"),
        (["--program", "back-basics", "--length", "long"], "choose one of: short, full"),
        (["--exercise", "bird-cat"], "no exercise called 'bird-cat'; choose one of: arm-circles"),
        (["--exercise", "squat", "--program", "back-basics"], "Give either --program ID or"),
        ([], "Give either --program ID or --exercise ID"),
    ],
)
def test_the_command_refuses_bad_input_and_writes_nothing(
    invoke: Invoke, tmp_path: Path, args: list[str], says: str
) -> None:
    folder = tmp_path / "out"
    folder.mkdir()
    result = invoke("handout", *args, "-o", str(folder / "handout.pdf"))
    assert result.exit_code == 2
    assert says in flat(result.output)
    assert list(folder.iterdir()) == []


def test_the_command_refuses_a_missing_folder_and_a_blocked_user(
    invoke: Invoke, tmp_path: Path, db: Session
) -> None:
    missing = tmp_path / "nowhere" / "handout.pdf"
    result = invoke("handout", "--exercise", "squat", "-o", str(missing))
    assert result.exit_code == 2
    assert "does not exist; create it first" in flat(result.output)

    screening(db, local_user(db), NOW, red_flags=["fever-unwell"], complete=True)
    db.commit()
    output = tmp_path / "handout.pdf"
    result = invoke("handout", "--exercise", "squat", "-o", str(output))
    assert result.exit_code == 2
    assert "Please do not start the exercises for now" in flat(result.output)
    assert not output.exists()
