"""The PDF progress report: its figures from a stored month (SQLite and PostgreSQL), the PDF
read back with poppler, ``backcoach report``, the History download on a real server, and
the clinician's per-patient report (scoped, audited; another clinician's patient is 404)."""

from __future__ import annotations

import stat
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from backcoach.coach.plan import SessionPlan, VariantLevel, plan_from_program
from backcoach.coach.questionnaires import RISK_MEANINGS, RiskGroup
from backcoach.coach.safety import DISCLAIMER
from backcoach.config import Settings
from backcoach.content import Length, default_catalog
from backcoach.documents.charts import PainPair
from backcoach.documents.report import progress_report, report_data
from backcoach.services import accounts
from backcoach.services.clinic_dashboard import FormNote
from backcoach.services.sessions import plan_to_json
from backcoach.store import (
    AuditEntry,
    CareLink,
    SessionStatus,
    StepSource,
    StepStatus,
    User,
    add_habit_log,
    add_session,
    local_user,
    open_database,
    put_step_event,
)
from backcoach.store.db import session_factory
from tests.e2e.live_server import running_server
from tests.integration import cli_setup
from tests.support import clinic_people as make
from tests.support.pdf import first_page_png, pdf_info, pdf_language, pdf_text

invoke = cli_setup.invoke

START, END = date(2026, 3, 2), date(2026, 3, 29)
PERIOD = {"from": START.isoformat(), "to": END.isoformat()}
BRIDGE_NOTE = "One step up: 9 repetitions (was 8) after 3 good sessions in a row."
HIPS = {"code": "hips-low", "message": "Lift your hips higher.", "count": 3}
KNEES = {"code": "knees-out", "message": "Keep your knees hip-width apart.", "count": 1}
PSFS = {"activity-1": "Sitting through a film", "rating-1": 4}
PSFS |= {"activity-2": "Lifting my daughter", "rating-2": 6}
STARTBACK_MEDIUM = {str(i): 1 if i <= 4 else 0 for i in range(1, 9)} | {"9": 0}
PAIN_FUNCTION = {
    "pain": 4,
    "interference-activity": 3,
    "interference-sleep": 2,
    "interference-mood": 5,
}
PASSWORD = "clinic test password 1"


def at(day: date, hour: int = 12) -> datetime:
    """Noon UTC: the same local date in any time zone the tests run in."""
    return datetime.combine(day, time(hour), UTC)


def plans() -> tuple[SessionPlan, SessionPlan, SessionPlan]:
    """The program's plan; then the bridge one rep up (the planner's note); then the
    bird-dog at its easier variant (no note: a changed program)."""
    base = plan_from_program(default_catalog(), "back-basics", Length.SHORT)

    def changed(plan: SessionPlan, exercise_id: str, **change: Any) -> SessionPlan:
        steps = tuple(
            replace(s, **change) if s.exercise_id == exercise_id else replace(s, notes=())
            for s in plan.steps
        )
        return replace(plan, steps=steps)

    more = changed(base, "glute-bridge", reps=9, notes=(BRIDGE_NOTE,))
    easier = changed(more, "bird-dog", variant=VariantLevel.EASIER)
    return base, more, easier


def session(
    db: Session,
    user: User,
    day: date,
    plan: SessionPlan,
    *,
    before: int | None,
    after: int | None,
    done: bool = True,
    camera: tuple[int, list[dict[str, Any]]] | None = None,
) -> None:
    """A session: done (every step, 60 s each) or quit after its first step (30 s)."""
    row = add_session(
        db,
        user_id=user.id,
        program_id="back-basics",
        length="short",
        plan=plan_to_json(plan),
        started_at=at(day),
        pain_before=before,
        status=SessionStatus.COMPLETED if done else SessionStatus.ABANDONED,
    )
    row.pain_after = after
    row.ended_at = at(day) + timedelta(minutes=20)
    for index, step in enumerate(plan.steps if done else plan.steps[:1]):
        on_camera = camera is not None and step.exercise_id == "glute-bridge"
        put_step_event(
            db,
            session_id=row.id,
            step_index=index,
            exercise_id=step.exercise_id,
            variant=str(step.variant),
            status=StepStatus.COMPLETED,
            at=at(day) + timedelta(minutes=index),
            reps=camera[0] if camera is not None and on_camera else step.reps,
            duration_s=60.0 if done else 30.0,
            source=StepSource.CAMERA if on_camera else StepSource.MANUAL,
            faults=camera[1] if camera is not None and on_camera else None,
        )
    db.flush()


def desk(db: Session, user: User, day: date, **amounts: float) -> None:
    for kind, amount in amounts.items():
        for _ in range(int(amount) if kind.startswith("break") else 1):
            add_habit_log(
                db,
                user_id=user.id,
                day=day,
                at=at(day),
                kind=kind,
                amount=1.0 if kind.startswith("break") else amount,
            )


def fill(db: Session, user: User) -> None:
    """A month: 5 sessions done and 1 quit in the period (and one on each side of it),
    pain, a dose change with the planner's note and one without, 3 questionnaires,
    2 desk days and 22 camera-counted reps with form notes. Commits."""
    base, more, easier = plans()
    session(db, user, START - timedelta(days=2), base, before=5, after=4)  # before the period
    session(db, user, date(2026, 3, 3), base, before=4, after=3)
    session(db, user, date(2026, 3, 4), base, before=4, after=2)
    session(db, user, date(2026, 3, 5), more, before=3, after=3)
    session(db, user, date(2026, 3, 10), more, before=5, after=None, done=False)
    session(db, user, date(2026, 3, 28), easier, before=3, after=2, camera=(12, [HIPS]))
    session(
        db,
        user,
        END,
        easier,
        before=2,
        after=1,
        camera=(10, [HIPS | {"count": 2}, KNEES]),
    )
    session(db, user, END + timedelta(days=1), easier, before=1, after=1)  # after it
    make.answer(db, user, "startback", STARTBACK_MEDIUM, at(date(2026, 3, 6)))
    make.answer(db, user, "psfs", PSFS, at(date(2026, 3, 7)))
    make.answer(db, user, "pain-function", PAIN_FUNCTION, at(date(2026, 3, 8)))
    make.answer(db, user, "psfs", PSFS, at(START - timedelta(days=10)))  # before the period
    desk(db, user, date(2026, 3, 9), **{"break": 3, "break_skipped": 1, "sitting": 180})
    desk(
        db,
        user,
        date(2026, 3, 12),
        **{"break": 2, "break_skipped": 2, "break_snoozed": 1, "sitting": 240, "walk": 15},
    )
    desk(db, user, END + timedelta(days=1), **{"break": 4, "sitting": 300})  # after it
    db.commit()


def local_person(db: Session) -> User:
    user = local_user(db, now=at(date(2026, 1, 5)))
    db.flush()
    return user


def test_the_report_has_the_periods_exact_figures(db: Session) -> None:
    user = local_person(db)
    fill(db, user)
    report = report_data(
        db, user_id=user.id, start=START, end=END, tz=UTC, catalog=default_catalog()
    )

    assert report.person is None  # the local user has no e-mail address
    assert (report.sessions_started, report.sessions_done, report.sessions_not_done) == (6, 5, 1)
    assert (report.sessions_per_week, report.sessions_planned) == (5, 20)  # 28 days at 5 a week
    assert report.active_minutes == 70.5  # 5 x 14 steps x 60 s, and the quit session's 30 s
    assert (report.current_streak, report.best_streak) == (2, 3)
    assert report.pain == (
        PainPair(date(2026, 3, 3), 4, 3),
        PainPair(date(2026, 3, 4), 4, 2),
        PainPair(date(2026, 3, 5), 3, 3),
        PainPair(date(2026, 3, 10), 5, None),
        PainPair(date(2026, 3, 28), 3, 2),
        PainPair(END, 2, 1),
    )
    assert report.pain_average == (3.2, 2.2)

    bridge, bird = report.dose_changes
    assert (bridge.name, bridge.day, bridge.why) == (
        "Glute bridge",
        date(2026, 3, 5),
        (BRIDGE_NOTE,),
    )
    assert bridge.before == "8 reps, holding each for 4 seconds"
    assert bridge.after == "9 reps, holding each for 4 seconds"
    assert (bird.exercise_id, bird.day) == ("bird-dog", date(2026, 3, 28))
    assert bird.after.endswith("(easier version)") and bird.why == (
        "Eased: the planned dose changed.",
    )

    startback, psfs, pain_function = report.questionnaires
    assert (startback.day, startback.total, startback.risk_group) == (
        date(2026, 3, 6),
        4.0,
        "medium",
    )
    assert RISK_MEANINGS[RiskGroup.MEDIUM] in startback.summary + startback.meaning
    assert psfs.activities == (("Sitting through a film", 4.0), ("Lifting my daughter", 6.0))
    assert psfs.total == 5.0 and "higher is better" in psfs.meaning
    assert pain_function.total == 3.5 and "lower is better" in pain_function.meaning

    assert report.desk_days == 2
    assert (report.desk.breaks_taken, report.desk.breaks_skipped, report.desk.breaks_snoozed) == (
        5,
        3,
        1,
    )
    assert (report.desk.sitting_min, report.desk.walking_min) == (420.0, 15.0)

    [camera] = report.camera
    assert (camera.name, camera.reps, camera.steps, report.camera_reps) == (
        "Glute bridge",
        22,
        2,
        22,
    )
    assert camera.notes == (
        FormNote("hips-low", "Lift your hips higher.", 5),
        FormNote("knees-out", "Keep your knees hip-width apart.", 1),
    )


def test_the_pdf_is_tagged_titled_english_and_shows_the_figures(
    db: Session, tmp_path: Path
) -> None:
    user = local_person(db)
    fill(db, user)
    pdf = progress_report(
        db, user_id=user.id, start=START, end=END, tz=UTC, catalog=default_catalog()
    )

    info = pdf_info(pdf)
    assert info["Title"] == "Progress report, 2 March 2026 to 29 March 2026"
    assert info["Tagged"] == "yes"
    assert pdf_language(pdf) == "en"
    text = pdf_text(pdf)
    lines = [" ".join(line.split()) for line in text.splitlines()]
    for expected in (  # each on one line of the laid-out pages (table cells wrap)
        "5 of 20 70 min 2 days",
        "6 sessions started; 1 quit or ended early. A session counts as done when it ran to its",
        "On average, pain was 3.2 out of 10 before a session and 2.2 after it.",
        "Pain (0-10)",
        "Session date",
        "6 March 2026 Keele STarT Back Total 4/9, psychosocial 0/5: medium risk. Physical factors",
        "Sitting through a film: 4/10; Lifting my daughter: 6/10",
        "8 March 2026 Pain and function Pain 4/10, interference 3.3/10, overall 3.5/10 (lower is",
        "5 March 2026 Glute 8 reps, holding 9 reps, holding each One step up: 9",
        "28 March 2026 Bird-dog 5 reps, holding 5 reps, holding each Eased: the planned",
        "side (easier version)",
        "Breaks taken 5",
        "Breaks snoozed 1",
        "Breaks skipped 3",
        "Sitting 420 min",
        "Walking 15 min",
        "22 repetitions counted by the camera.",
        "Glute bridge 22 Lift your hips higher. (5 times)",
        "Keep your knees hip-width apart. (1 time)",
    ):
        assert any(expected in line for line in lines), expected
    assert " ".join(DISCLAIMER.split()) in " ".join(text.split())
    assert "Page 1 of 3" in text
    assert first_page_png(pdf, tmp_path).stat().st_size > 10_000


def test_an_empty_period_says_so_in_words(db: Session) -> None:
    user = local_person(db)
    db.commit()
    pdf = progress_report(
        db, user_id=user.id, start=START, end=END, tz=UTC, catalog=default_catalog()
    )
    text = " ".join(pdf_text(pdf).split())
    assert "0 of 20" in text  # planned from the start of the period: registered before it
    for empty in (
        "No pain was logged",
        "No questionnaire was answered",
        "No exercise's dose or version changed",
        "Nothing was logged at the desk",
        "No exercise was counted by the camera",
    ):
        assert empty in text


# --- backcoach report ----------------------------------------------------------------------


def test_the_cli_writes_the_report_readable_by_the_owner_only(
    invoke: cli_setup.Invoke, engine: Engine, tmp_path: Path
) -> None:
    with session_factory(engine)() as db:
        fill(db, local_person(db))
    folder = tmp_path / "out"
    folder.mkdir()
    out = folder / "report.pdf"
    result = invoke("report", "--from", "2026-03-02", "--to", "2026-03-29", "-o", str(out))
    assert result.exit_code == 0, result.output
    assert f"Wrote your progress report to {out}" in cli_setup.flat(result.stderr)
    pdf = out.read_bytes()
    assert pdf_info(pdf)["Title"] == "Progress report, 2 March 2026 to 29 March 2026"
    assert "22 repetitions counted by the camera." in pdf_text(pdf)
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    assert [p.name for p in folder.iterdir()] == ["report.pdf"]  # no partial file left

    again = invoke("report", "--from", "2026-03-28", "-o", str(out), "--force")
    assert again.exit_code == 0, again.output
    assert "Progress report, 28 March 2026 to" in pdf_info(out.read_bytes())["Title"]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["--from", "2026-13-01"],
            "The start date '2026-13-01' is not a date: write it as YYYY-MM-DD, "
            "for example 2026-03-02.",
        ),
        (["--to", "yesterday"], "The end date 'yesterday' is not a date"),
        (
            ["--from", "2026-03-29", "--to", "2026-03-02"],
            "The period starts on 29 March 2026, after it ends on 2 March 2026: "
            "give the earlier date first.",
        ),
        (
            ["--from", "2000-01-01", "--to", "2026-03-29"],
            "A report covers at most 10 years: choose a later start date.",
        ),
        (["-o", "{tmp}/missing/report.pdf"], "The folder {tmp}/missing does not exist"),
        (["-o", "{tmp}"], "{tmp} is a folder; give a file name"),
        (
            ["-o", "{tmp}/existing.pdf"],
            "{tmp}/existing.pdf already exists; choose another name or add --force to "
            "replace it (nothing was written).",
        ),
    ],
)
def test_the_cli_refuses_bad_input_in_plain_words(
    invoke: cli_setup.Invoke, tmp_path: Path, args: list[str], message: str
) -> None:
    folder = tmp_path / "out"
    folder.mkdir()
    (folder / "existing.pdf").write_bytes(b"mine")
    if "-o" not in args:
        args = [*args, "-o", "{tmp}/report.pdf"]
    result = invoke("report", *(a.format(tmp=folder) for a in args))
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    assert message.format(tmp=folder) in cli_setup.flat(result.stderr)
    assert sorted(p.name for p in folder.iterdir()) == ["existing.pdf"]
    assert (folder / "existing.pdf").read_bytes() == b"mine"


def test_the_cli_says_when_nothing_is_stored(invoke: cli_setup.Invoke, tmp_path: Path) -> None:
    result = invoke("report", "-o", str(tmp_path / "report.pdf"))
    assert result.exit_code == 2, result.output
    assert "Nothing is stored yet" in cli_setup.flat(result.stderr)
    assert not (tmp_path / "report.pdf").exists()


# --- the History download and the clinician's report, on a real server --------------------


def test_history_offers_the_report_and_downloads_it(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path / "data")
    with open_database(settings) as db:
        fill(db, local_person(db))
    with running_server(settings) as live, httpx.Client(base_url=live.url, timeout=60) as client:
        page = client.get("/history")
        answer = client.get("/history/report.pdf", params=PERIOD)
        bad = client.get("/history/report.pdf", params={"from": "2026-02-30"})
        backwards = client.get(
            "/history/report.pdf", params={"from": "2026-03-29", "to": "2026-03-02"}
        )
        default = client.get("/history/report.pdf")
    assert page.status_code == 200
    assert 'action="/history/report.pdf"' in page.text and 'name="from"' in page.text
    assert answer.status_code == 200, answer.text
    assert answer.headers["content-type"] == "application/pdf"
    assert answer.headers["content-disposition"] == (
        'attachment; filename="backcoach-report-2026-03-02-to-2026-03-29.pdf"'
    )
    assert pdf_info(answer.content)["Tagged"] == "yes"
    assert "22 repetitions counted by the camera." in pdf_text(answer.content)
    assert bad.status_code == 400
    assert "The start date &#39;2026-02-30&#39; is not a date" in bad.text
    assert backwards.status_code == 400 and "give the earlier date first" in backwards.text
    assert default.status_code == 200 and pdf_info(default.content)["Pages"] != "0"


def add_login(settings: Settings, email: str, role: str) -> int:
    with open_database(settings) as db:
        user = accounts.create_user(
            db, email=email, password=PASSWORD, role=role, now=at(date(2026, 1, 5))
        )
        return user.id


@contextmanager
def signed_in(base_url: str, email: str) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=base_url, timeout=60) as client:
        answer = client.post("/api/v1/auth/login", json={"email": email, "password": PASSWORD})
        assert answer.status_code == 200, answer.text
        yield client


def test_the_clinician_gets_their_patients_report_and_it_is_audited(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path / "data", mode="clinic")
    doc = add_login(settings, "doc@clinic.example", "clinician")
    add_login(settings, "other@clinic.example", "clinician")
    pid = add_login(settings, "walker@example.org", "patient")
    with open_database(settings) as db:
        db.add(CareLink(patient_id=pid, clinician_id=doc, linked_at=at(date(2026, 1, 5))))
        patient = db.get(User, pid)
        assert patient is not None
        fill(db, patient)
    path = f"/clinic/patients/{pid}/report.pdf"
    with running_server(settings) as live:
        with signed_in(live.url, "doc@clinic.example") as client:
            page = client.get(f"/clinic/patients/{pid}")
            answer = client.get(path, params=PERIOD)
            bad = client.get(path, params={"to": "29/03/2026"})
        with signed_in(live.url, "other@clinic.example") as client:
            theirs = client.get(path, params=PERIOD)
        with signed_in(live.url, "walker@example.org") as client:
            own_clinic_route = client.get(path, params=PERIOD)
            own_history = client.get("/history/report.pdf", params=PERIOD)
    assert f'href="{path}"' in page.text
    assert answer.status_code == 200, answer.text
    assert answer.headers["content-disposition"].startswith("attachment;")
    text = pdf_text(answer.content)
    assert "For walker@example.org, from 2 March 2026 to 29 March 2026." in text
    assert "22 repetitions counted by the camera." in text
    assert bad.status_code == 400 and "is not a date" in bad.text
    assert theirs.status_code == 404 and b"%PDF" not in theirs.content
    assert own_clinic_route.status_code == 403
    assert own_history.status_code == 200 and own_history.content.startswith(b"%PDF")
    with open_database(settings) as db:
        audited = [
            (e.patient_email, e.action, e.detail)
            for e in db.scalars(select(AuditEntry).order_by(AuditEntry.id))
        ]
    assert audited.count(("walker@example.org", "viewed", "progress report")) == 1
