"""The clinician's dashboard, notes and questionnaire schedules, on SQLite and PostgreSQL.

Each flag has a test that makes it appear and one where it does not; adherence,
the pain trend and last activity are checked with exact numbers; a clinician
never sees another clinician's patient; views and changes are in the audit log.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import Engine, event, select
from sqlalchemy.orm import Session

from backcoach.coach.questionnaires import AnswerError
from backcoach.errors import NotAllowed, UsageError
from backcoach.services import audit, clinician_notes, questionnaire_schedules
from backcoach.services.clinic_dashboard import PatientRow, dashboard, patient_detail
from backcoach.store import AuditEntry, Role, SessionStatus, User
from tests.support import clinic_people as make

NOW = datetime(2026, 11, 20, 15, 0, tzinfo=UTC)
TODAY = NOW.date()
LONG_AGO = NOW - timedelta(days=90)


def days_ago(n: float) -> datetime:
    return NOW - timedelta(days=n)


@pytest.fixture
def clinician(db: Session) -> User:
    user = make.account(db, "doc@clinic.example", Role.CLINICIAN, created=LONG_AGO)
    db.commit()
    return user


def new_patient(db: Session, clinician: User, email: str = "pat@example.org", **kw: float) -> User:
    patient = make.patient_of(db, clinician, email, linked=days_ago(kw.get("linked", 60)))
    return patient


def row_of(db: Session, clinician: User, patient: User) -> PatientRow:
    db.commit()
    rows = dashboard(db, clinician_id=clinician.id, now=NOW, tz=UTC)
    return next(r for r in rows if r.id == patient.id)


def codes(row: PatientRow) -> list[str]:
    return [f.code for f in row.flags]


# --- adherence, pain trend, last activity ---------------------------------------------


def test_adherence_counts_completed_sessions_against_five_a_week(
    db: Session, clinician: User
) -> None:
    patient = new_patient(db, clinician)
    for n in (0.2, 3, 6.6, 6.7, 10, 20, 27.5, 27.7, 40):
        make.workout(db, patient, days_ago(n))
    make.workout(db, patient, days_ago(2), status=SessionStatus.QUIT)
    make.workout(db, patient, days_ago(1), status=SessionStatus.IN_PROGRESS)
    row = row_of(db, clinician, patient)
    # 7 local days: today and the 6 before it, from 14 Nov 00:00 (6.625 days ago);
    # 28 days from 24 Oct 00:00 (27.625 days ago)
    assert (row.days_7.done, row.days_7.prescribed) == (3, 5)
    assert (row.days_28.done, row.days_28.prescribed) == (7, 20)
    assert row.sessions_per_week == 5


def test_adherence_counts_only_the_days_since_registering(db: Session, clinician: User) -> None:
    patient = new_patient(db, clinician, linked=2)  # 18 Nov: 3 days with today
    make.workout(db, patient, days_ago(1))
    row = row_of(db, clinician, patient)
    assert (row.days_7.done, row.days_7.prescribed) == (1, 2)  # 5 * 3/7 = 2.1
    assert (row.days_28.done, row.days_28.prescribed) == (1, 2)


def test_adherence_follows_the_newest_version_of_the_assigned_program(
    db: Session, clinician: User
) -> None:
    patient = new_patient(db, clinician)
    other = new_patient(db, clinician, "other@example.org")
    make.program(db, clinician, [patient], per_week=[5, 3], at=days_ago(30))
    row = row_of(db, clinician, patient)
    assert row.sessions_per_week == 3
    assert (row.days_7.prescribed, row.days_28.prescribed) == (3, 12)
    assert row_of(db, clinician, other).sessions_per_week == 5


def test_pain_trend_lists_the_latest_sessions_and_the_average_change(
    db: Session, clinician: User
) -> None:
    patient = new_patient(db, clinician)
    pains = [(6, 5), (5, 5), (4, 3), (4, 2), (3, 3), (3, 2)]  # oldest first
    for n, (before, after) in zip((12, 10, 8, 6, 4, 2), pains, strict=True):
        make.workout(db, patient, days_ago(n), before=before, after=after)
    make.workout(db, patient, days_ago(1), before=7)  # no pain after: not in the trend
    make.workout(db, patient, days_ago(1), status=SessionStatus.QUIT, before=2, after=9)
    row = row_of(db, clinician, patient)
    assert [(p.before, p.after) for p in row.pain.sessions] == pains[1:]  # the latest 5
    assert row.pain.average_change == -0.8  # (0 - 1 - 2 + 0 - 1) / 5
    assert row.pain.sessions[-1].day == days_ago(2).date()


def test_no_pain_logged_means_no_trend(db: Session, clinician: User) -> None:
    patient = new_patient(db, clinician)
    row = row_of(db, clinician, patient)
    assert row.pain.sessions == ()
    assert row.pain.average_change is None


def test_last_activity_is_the_latest_of_sessions_checkins_answers_and_habits(
    db: Session, clinician: User
) -> None:
    patient = new_patient(db, clinician)
    assert row_of(db, clinician, patient).last_activity is None
    make.workout(db, patient, days_ago(4))
    make.checkin(db, patient, days_ago(3), pain=2)
    assert row_of(db, clinician, patient).last_activity == days_ago(3)
    make.answer(db, patient, "startback", make.STARTBACK_LOW, days_ago(2))
    assert row_of(db, clinician, patient).last_activity == days_ago(2)
    make.habit(db, patient, days_ago(1))
    assert row_of(db, clinician, patient).last_activity == days_ago(1)


# --- flags ----------------------------------------------------------------------------


def test_red_flag_screening_raises_a_red_flag_shown_first_with_its_date(
    db: Session, clinician: User
) -> None:
    calm = new_patient(db, clinician, "a-calm@example.org")
    make.workout(db, calm, days_ago(1))
    flagged = new_patient(db, clinician, "z-flagged@example.org")
    make.workout(db, flagged, days_ago(1))
    make.screening(db, flagged, days_ago(20), red_flags=[])
    make.screening(db, flagged, days_ago(3), red_flags=["saddle-numbness"])
    db.commit()
    rows = dashboard(db, clinician_id=clinician.id, now=NOW, tz=UTC)
    assert [r.email for r in rows] == ["z-flagged@example.org", "a-calm@example.org"]
    flag = rows[0].flags[0]
    assert flag.code == "red-flag"
    assert flag.since == days_ago(3).date()
    assert "saddle numbness" in flag.message
    assert rows[0].red_flag == flag
    assert rows[1].flags == ()


def test_a_clear_screening_after_a_red_flag_ends_the_flag(db: Session, clinician: User) -> None:
    patient = new_patient(db, clinician)
    make.workout(db, patient, days_ago(1))
    make.screening(db, patient, days_ago(10), red_flags=["fever-unwell"])
    make.screening(db, patient, days_ago(2), red_flags=[])
    row = row_of(db, clinician, patient)
    assert "red-flag" not in codes(row)
    assert row.red_flag is None


def test_pain_rising_by_two_twice_in_a_row_is_flagged(db: Session, clinician: User) -> None:
    patient = new_patient(db, clinician)
    make.workout(db, patient, days_ago(5), before=3, after=3)
    make.workout(db, patient, days_ago(3), before=3, after=5)
    make.workout(db, patient, days_ago(2), before=4, after=7)
    make.workout(db, patient, days_ago(1), before=4)  # no pain after: skipped by the rule
    row = row_of(db, clinician, patient)
    assert codes(row) == ["pain-rising"]
    assert row.flags[0].since == days_ago(3).date()
    assert "+2, then +3" in row.flags[0].message


@pytest.mark.parametrize(
    "pains",
    [
        [(3, 6), (3, 4)],  # the latest rose by 1
        [(3, 4), (3, 6)],  # the one before rose by 1
        [(3, 6)],  # only one session with both values
        [(3, 6), (3, 6), (5, 5)],  # rose twice, but not in the latest two
    ],
)
def test_pain_rising_needs_the_latest_two_sessions_to_rise_by_two(
    db: Session, clinician: User, pains: list[tuple[int, int]]
) -> None:
    patient = new_patient(db, clinician)
    for n, (before, after) in enumerate(pains):
        make.workout(db, patient, days_ago(4 - n), before=before, after=after)
    assert "pain-rising" not in codes(row_of(db, clinician, patient))


def test_no_session_for_five_days_is_flagged(db: Session, clinician: User) -> None:
    patient = new_patient(db, clinician)
    make.workout(db, patient, days_ago(5))
    row = row_of(db, clinician, patient)
    assert codes(row) == ["inactive"]
    assert row.flags[0].since == days_ago(5).date()
    assert row.flags[0].message == "No exercise done for 5 days."


def test_a_session_in_the_last_four_days_is_not_inactive(db: Session, clinician: User) -> None:
    patient = new_patient(db, clinician)
    make.workout(db, patient, days_ago(10))
    make.workout(db, patient, days_ago(4), status=SessionStatus.QUIT, camera_reps=8)
    assert codes(row_of(db, clinician, patient)) == []


def test_a_session_quit_before_any_exercise_is_not_activity(db: Session, clinician: User) -> None:
    patient = new_patient(db, clinician)
    make.workout(db, patient, days_ago(6))
    make.workout(db, patient, days_ago(1), status=SessionStatus.QUIT)
    make.workout(db, patient, days_ago(0.5), status=SessionStatus.ABANDONED)
    row = row_of(db, clinician, patient)
    assert codes(row) == ["inactive"]
    assert row.flags[0].since == days_ago(6).date()
    assert row.last_activity == days_ago(0.5)  # opening a session is still activity


def test_inactive_counts_from_registering_when_there_was_no_session(
    db: Session, clinician: User
) -> None:
    new = new_patient(db, clinician, "new@example.org", linked=4)
    idle = new_patient(db, clinician, "idle@example.org", linked=6)
    assert codes(row_of(db, clinician, new)) == []
    row = row_of(db, clinician, idle)
    assert codes(row) == ["inactive"]
    assert row.flags[0].message == "No exercise done since registering 6 days ago."


def test_a_scheduled_questionnaire_past_its_due_date_is_flagged(
    db: Session, clinician: User
) -> None:
    patient = new_patient(db, clinician)
    make.workout(db, patient, days_ago(1))
    make.schedule(db, patient, "psfs", every_days=14, first_due=TODAY - timedelta(days=16), at=NOW)
    make.answer(db, patient, "psfs", {"activity-1": "sitting", "rating-1": 4}, days_ago(15))
    row = row_of(db, clinician, patient)  # due on 4 Nov (answered 5 Nov) and on 18 Nov
    assert codes(row) == ["questionnaire-due"]
    assert row.flags[0].since == TODAY - timedelta(days=2)
    assert row.flags[0].message.startswith("Patient-Specific Functional Scale due since")


def test_a_scheduled_questionnaire_answered_since_its_due_date_is_not_flagged(
    db: Session, clinician: User
) -> None:
    patient = new_patient(db, clinician)
    make.workout(db, patient, days_ago(1))
    make.schedule(db, patient, "psfs", every_days=14, first_due=TODAY - timedelta(days=2), at=NOW)
    make.schedule(db, patient, "startback", every_days=30, first_due=TODAY + timedelta(1), at=NOW)
    make.answer(db, patient, "psfs", {"activity-1": "sitting", "rating-1": 4}, days_ago(2))
    assert codes(row_of(db, clinician, patient)) == []


def test_start_back_high_risk_is_flagged(db: Session, clinician: User) -> None:
    patient = new_patient(db, clinician)
    make.workout(db, patient, days_ago(1))
    make.answer(db, patient, "startback", make.STARTBACK_LOW, days_ago(20))
    make.answer(db, patient, "startback", make.STARTBACK_HIGH, days_ago(6))
    row = row_of(db, clinician, patient)
    assert codes(row) == ["start-back-high"]
    assert row.flags[0].since == days_ago(6).date()
    assert "total 9 of 9" in row.flags[0].message


def test_start_back_low_risk_after_a_high_one_is_not_flagged(db: Session, clinician: User) -> None:
    patient = new_patient(db, clinician)
    make.workout(db, patient, days_ago(1))
    make.answer(db, patient, "startback", make.STARTBACK_HIGH, days_ago(20))
    make.answer(db, patient, "startback", make.STARTBACK_LOW, days_ago(6))
    assert codes(row_of(db, clinician, patient)) == []


def test_flags_come_most_severe_first(db: Session, clinician: User) -> None:
    patient = new_patient(db, clinician)
    make.workout(db, patient, days_ago(9), before=2, after=4)
    make.workout(db, patient, days_ago(8), before=2, after=5)
    make.answer(db, patient, "startback", make.STARTBACK_HIGH, days_ago(7))
    make.schedule(db, patient, "pain-function", every_days=7, first_due=TODAY, at=NOW)
    make.screening(db, patient, days_ago(1), red_flags=["both-legs"])
    assert codes(row_of(db, clinician, patient)) == [
        "red-flag",
        "pain-rising",
        "start-back-high",
        "inactive",
        "questionnaire-due",
    ]


# --- scope and audit ------------------------------------------------------------------


def test_a_clinician_sees_only_their_own_patients(db: Session, clinician: User) -> None:
    mine = new_patient(db, clinician, "mine@example.org")
    other_doc = make.account(db, "other-doc@clinic.example", Role.CLINICIAN, created=LONG_AGO)
    theirs = make.patient_of(db, other_doc, "theirs@example.org", linked=days_ago(30))
    admin = make.account(db, "admin@clinic.example", Role.ADMIN, created=LONG_AGO)
    db.commit()
    assert [r.id for r in dashboard(db, clinician_id=clinician.id, now=NOW, tz=UTC)] == [mine.id]
    assert [r.id for r in dashboard(db, clinician_id=other_doc.id, now=NOW, tz=UTC)] == [theirs.id]
    everyone = dashboard(db, clinician_id=admin.id, now=NOW, tz=UTC)
    assert sorted(r.id for r in everyone) == sorted([mine.id, theirs.id])
    for patient_id in (theirs.id, 999_999):
        with pytest.raises(LookupError):
            patient_detail(
                db, clinician_id=clinician.id, patient_id=patient_id, now=NOW, tz=UTC, what="x"
            )
        with pytest.raises(LookupError):
            clinician_notes.add_note(
                db, clinician_id=clinician.id, patient_id=patient_id, text="hi", now=NOW
            )
        with pytest.raises(LookupError):
            questionnaire_schedules.set_schedule(
                db,
                clinician_id=clinician.id,
                patient_id=patient_id,
                name="psfs",
                every_days=14,
                now=NOW,
                tz=UTC,
            )
    with pytest.raises(NotAllowed):
        dashboard(db, clinician_id=mine.id, now=NOW, tz=UTC)
    assert db.scalars(select(AuditEntry)).all() == []


def audit_lines(db: Session) -> list[tuple[str, str, str]]:
    return [
        (a.actor_email or "", a.action, a.detail)
        for a in db.scalars(select(AuditEntry).order_by(AuditEntry.id))
    ]


def test_views_and_changes_are_in_the_audit_log_and_the_list_is_not(
    db: Session, clinician: User
) -> None:
    patient = new_patient(db, clinician)
    make.workout(db, patient, days_ago(1), before=3, after=2, camera_reps=9)
    make.checkin(db, patient, days_ago(1), pain=3)
    db.commit()
    dashboard(db, clinician_id=clinician.id, now=NOW, tz=UTC)
    assert audit_lines(db) == []
    detail = patient_detail(
        db, clinician_id=clinician.id, patient_id=patient.id, now=NOW, tz=UTC, what="patient page"
    )
    clinician_notes.add_note(
        db, clinician_id=clinician.id, patient_id=patient.id, text="Well done", now=NOW
    )
    questionnaire_schedules.set_schedule(
        db,
        clinician_id=clinician.id,
        patient_id=patient.id,
        name="startback",
        every_days=28,
        now=NOW,
        tz=UTC,
    )
    assert questionnaire_schedules.remove_schedule(
        db, clinician_id=clinician.id, patient_id=patient.id, name="startback", now=NOW
    )
    doc = "doc@clinic.example"
    assert audit_lines(db) == [
        (doc, audit.VIEWED, "patient page"),
        (doc, audit.CHANGED, "added a note (9 characters)"),
        (doc, audit.CHANGED, f"scheduled startback every 28 days from {TODAY.isoformat()}"),
        (doc, audit.CHANGED, "removed the startback schedule"),
    ]
    entries = audit.entries_for(db, patient_email="pat@example.org")
    assert {e.patient for e in entries} == {"pat@example.org"}
    [session] = detail.sessions
    assert session.camera_reps == 9
    assert [(s.exercise_id, s.reps, s.source) for s in session.steps] == [
        ("glute-bridge", 9, "camera")
    ]
    assert [c.pain for c in detail.checkins] == [3]


def test_the_patient_detail_has_scores_notes_and_schedules(db: Session, clinician: User) -> None:
    patient = new_patient(db, clinician)
    make.answer(db, patient, "startback", make.STARTBACK_HIGH, days_ago(3))
    db.commit()
    clinician_notes.add_note(
        db, clinician_id=clinician.id, patient_id=patient.id, text="  First note  ", now=days_ago(2)
    )
    clinician_notes.add_note(
        db, clinician_id=clinician.id, patient_id=patient.id, text="Second note", now=days_ago(1)
    )
    questionnaire_schedules.set_schedule(
        db,
        clinician_id=clinician.id,
        patient_id=patient.id,
        name="psfs",
        every_days=14,
        now=NOW,
        tz=UTC,
        first_due=TODAY - timedelta(days=3),
    )
    detail = patient_detail(
        db, clinician_id=clinician.id, patient_id=patient.id, now=NOW, tz=UTC, what="api"
    )
    [score] = detail.questionnaires
    assert (score.name, score.total, score.risk_group) == ("startback", 9.0, "high")
    assert "high risk" in score.summary
    assert [n.text for n in detail.notes] == ["Second note", "First note"]
    assert detail.notes[0].author == "doc@clinic.example"
    [plan] = detail.schedules
    assert (plan.name, plan.every_days, plan.due_since) == ("psfs", 14, TODAY - timedelta(days=3))
    assert plan.next_due == TODAY + timedelta(days=11)


# --- notes and schedules --------------------------------------------------------------


def test_notes_are_checked_and_the_patient_reads_the_newest(db: Session, clinician: User) -> None:
    patient = new_patient(db, clinician)
    db.commit()
    for bad in ("", "   ", "x" * (clinician_notes.MAX_NOTE_LENGTH + 1)):
        with pytest.raises(UsageError):
            clinician_notes.add_note(
                db, clinician_id=clinician.id, patient_id=patient.id, text=bad, now=NOW
            )
        db.rollback()
    assert clinician_notes.notes_for_patient(db, patient_id=patient.id) == []
    for n in range(4):
        clinician_notes.add_note(
            db,
            clinician_id=clinician.id,
            patient_id=patient.id,
            text=f"note {n}",
            now=NOW + timedelta(minutes=n),
        )
        seen = clinician_notes.notes_for_patient(db, patient_id=patient.id)
        assert seen[0].text == f"note {n}"  # a new note shows at once (the revision moved)
    assert [n.text for n in seen] == ["note 3", "note 2", "note 1"]


def test_schedules_are_checked_replaced_and_removed(db: Session, clinician: User) -> None:
    patient = new_patient(db, clinician)
    db.commit()
    kwargs = {"clinician_id": clinician.id, "patient_id": patient.id, "now": NOW, "tz": UTC}
    for every in (6, 91):
        with pytest.raises(UsageError, match="every 7 to 90 days"):
            questionnaire_schedules.set_schedule(db, name="psfs", every_days=every, **kwargs)
        db.rollback()
    with pytest.raises(AnswerError, match="unknown questionnaire"):
        questionnaire_schedules.set_schedule(db, name="sf-36", every_days=14, **kwargs)
    db.rollback()
    questionnaire_schedules.set_schedule(db, name="psfs", every_days=14, **kwargs)
    assert [d.name for d in questionnaire_schedules.due_for(db, patient.id, TODAY, UTC)] == ["psfs"]
    questionnaire_schedules.set_schedule(
        db, name="psfs", every_days=30, first_due=TODAY + timedelta(days=1), **kwargs
    )
    assert questionnaire_schedules.due_for(db, patient.id, TODAY, UTC) == []
    assert questionnaire_schedules.due_for(db, patient.id, TODAY + timedelta(days=1), UTC)
    assert not questionnaire_schedules.remove_schedule(
        db, clinician_id=clinician.id, patient_id=patient.id, name="startback", now=NOW
    )
    assert questionnaire_schedules.remove_schedule(
        db, clinician_id=clinician.id, patient_id=patient.id, name="psfs", now=NOW
    )
    assert questionnaire_schedules.due_for(db, patient.id, TODAY + timedelta(days=1), UTC) == []


def test_the_patient_sees_a_due_questionnaire_until_they_answer_it(
    db: Session, clinician: User
) -> None:
    patient = new_patient(db, clinician)
    db.commit()
    questionnaire_schedules.set_schedule(
        db,
        clinician_id=clinician.id,
        patient_id=patient.id,
        name="pain-function",
        every_days=7,
        now=NOW,
        tz=UTC,
    )
    [due] = questionnaire_schedules.due_for(db, patient.id, TODAY, UTC)
    assert (due.title, due.due_since) == ("Pain and function check", TODAY)
    answers = {"pain": 3, "interference-activity": 2, "interference-sleep": 1}
    make.answer(db, patient, "pain-function", answers | {"interference-mood": 1}, NOW)
    db.commit()
    assert questionnaire_schedules.due_for(db, patient.id, TODAY, UTC) == []
    assert [
        d.due_since
        for d in questionnaire_schedules.due_for(db, patient.id, date(2026, 11, 27), UTC)
    ] == [date(2026, 11, 27)]


# --- efficiency -----------------------------------------------------------------------


def count_statements(engine: Engine, run: object) -> int:
    statements: list[str] = []

    def note(*args: object) -> None:
        statements.append(str(args[2]))

    event.listen(engine, "before_cursor_execute", note)
    try:
        assert callable(run)
        run()
    finally:
        event.remove(engine, "before_cursor_execute", note)
    return len(statements)


def fill(db: Session, clinician: User, first: int, count: int) -> None:
    for i in range(first, first + count):
        patient = make.patient_of(db, clinician, f"p{i:03}@example.org", linked=days_ago(40))
        make.workout(db, patient, days_ago(i % 9), before=3, after=4)
        make.checkin(db, patient, days_ago(i % 4), pain=3)
        make.answer(db, patient, "startback", make.STARTBACK_LOW, days_ago(i % 11))
        make.screening(db, patient, days_ago(30), red_flags=[])
        make.schedule(db, patient, "psfs", every_days=14, first_due=TODAY, at=NOW)
    db.commit()


def test_the_list_reads_all_patients_with_a_fixed_number_of_queries(
    db: Session, engine: Engine, clinician: User
) -> None:
    fill(db, clinician, 0, 3)
    few = count_statements(
        engine, lambda: dashboard(db, clinician_id=clinician.id, now=NOW, tz=UTC)
    )
    fill(db, clinician, 3, 40)
    rows: list[PatientRow] = []
    many = count_statements(
        engine, lambda: rows.extend(dashboard(db, clinician_id=clinician.id, now=NOW, tz=UTC))
    )
    assert len(rows) == 43
    assert many == few <= 14


def test_each_patients_row_is_kept_until_their_data_or_the_day_changes(
    db: Session, engine: Engine, clinician: User
) -> None:
    fill(db, clinician, 0, 6)
    first = dashboard(db, clinician_id=clinician.id, now=NOW, tz=UTC)
    again: list[PatientRow] = []
    kept = count_statements(
        engine, lambda: again.extend(dashboard(db, clinician_id=clinician.id, now=NOW, tz=UTC))
    )
    assert again == first
    assert kept == 3  # the clinician, their patients, the revisions: no figure worked out

    changed = next(r for r in first if r.email == "p002@example.org")
    patient = db.get(User, changed.id)
    assert patient is not None and changed.red_flag is None
    make.screening(db, patient, days_ago(0.1), red_flags=["bladder-bowel"])
    db.commit()
    after = {r.id: r for r in dashboard(db, clinician_id=clinician.id, now=NOW, tz=UTC)}
    assert codes(after[changed.id])[0] == "red-flag"
    assert {i: r for i, r in after.items() if i != changed.id} == {
        r.id: r for r in first if r.id != changed.id
    }

    later = NOW + timedelta(days=9)  # the next days: every patient is inactive by then
    rows = dashboard(db, clinician_id=clinician.id, now=later, tz=UTC)
    assert all("inactive" in codes(r) for r in rows)
