"""Small factories for clinic-mode data: accounts, care links, sessions, answers.

Rows are written straight through the store (no password hashing), so a test or
a benchmark can make hundreds of patients quickly. Each function flushes; the
caller commits.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy.orm import Session

from backcoach.coach.questionnaires import score
from backcoach.coach.safety import QUESTIONS
from backcoach.store import (
    CareLink,
    ProgramAssignment,
    ProgramTemplate,
    ProgramVersion,
    QuestionnaireSchedule,
    Role,
    ScreeningOutcome,
    SessionStatus,
    StepSource,
    StepStatus,
    User,
    WorkoutSession,
    add_checkin,
    add_habit_log,
    add_questionnaire_response,
    add_screening,
    add_session,
    put_step_event,
)
from backcoach.store.models import CheckinPhase

STARTBACK_HIGH = {str(i): 1 for i in range(1, 9)} | {"9": 4}
STARTBACK_LOW = {str(i): 0 for i in range(1, 9)} | {"9": 0}


def account(db: Session, email: str, role: Role, *, created: datetime) -> User:
    user = User(name=email, email=email, role=role, created_at=created)
    db.add(user)
    db.flush()
    return user


def patient_of(db: Session, clinician: User, email: str, *, linked: datetime) -> User:
    """A patient registered at ``linked`` with ``clinician``'s invite."""
    patient = account(db, email, Role.PATIENT, created=linked)
    db.add(CareLink(patient_id=patient.id, clinician_id=clinician.id, linked_at=linked))
    db.flush()
    return patient


def workout(
    db: Session,
    patient: User,
    started: datetime,
    *,
    status: SessionStatus = SessionStatus.COMPLETED,
    before: int | None = None,
    after: int | None = None,
    camera_reps: int | None = None,
    form_notes: list[dict[str, Any]] | None = None,
) -> WorkoutSession:
    """A session; with ``camera_reps``, one bridge step counted by the camera (and its
    ``form_notes``: ``{"code", "message", "count"}`` each)."""
    row = add_session(
        db,
        user_id=patient.id,
        program_id="back-basics",
        length="short",
        plan={"steps": [{"exercise_id": "glute-bridge"}]},
        started_at=started,
        pain_before=before,
        status=status,
    )
    row.pain_after = after
    row.ended_at = None if status is SessionStatus.IN_PROGRESS else started + timedelta(minutes=12)
    if camera_reps is not None:
        put_step_event(
            db,
            session_id=row.id,
            step_index=0,
            exercise_id="glute-bridge",
            variant="standard",
            status=StepStatus.COMPLETED,
            at=started + timedelta(minutes=5),
            reps=camera_reps,
            duration_s=90.0,
            source=StepSource.CAMERA,
            faults=form_notes,
        )
    db.flush()
    return row


def answer(db: Session, patient: User, name: str, answers: dict[str, Any], at: datetime) -> None:
    """A questionnaire answered at ``at``, scored as the app scores it."""
    result = score(name, answers)
    add_questionnaire_response(
        db,
        user_id=patient.id,
        name=name,
        taken_at=at,
        answers=answers,
        scores={
            "total": result.total,
            "subscales": dict(result.subscales),
            "risk_group": None if result.risk_group is None else str(result.risk_group),
            "summary": result.summary,
        },
    )


def screening(
    db: Session, patient: User, at: datetime, *, red_flags: list[str], complete: bool = False
) -> None:
    """A safety screening; ``complete``: every question of today's screening answered
    (else only the red flags are, and the planner asks for the screening again)."""
    outcome = ScreeningOutcome.RED_FLAG if red_flags else ScreeningOutcome.CLEAR
    answers = {q.id: q.id in red_flags for q in QUESTIONS} if complete else {}
    add_screening(
        db,
        user_id=patient.id,
        taken_at=at,
        answers=answers | dict.fromkeys(red_flags, True),
        red_flags=red_flags,
        outcome=outcome,
    )


def checkin(db: Session, patient: User, at: datetime, pain: int) -> None:
    add_checkin(db, user_id=patient.id, at=at, phase=CheckinPhase.BEFORE, pain=pain)


def habit(db: Session, patient: User, at: datetime) -> None:
    add_habit_log(db, user_id=patient.id, day=at.date(), at=at, kind="walk", amount=20.0)


def schedule(
    db: Session, patient: User, name: str, *, every_days: int, first_due: date, at: datetime
) -> None:
    db.add(
        QuestionnaireSchedule(
            patient_id=patient.id,
            name=name,
            every_days=every_days,
            first_due=first_due,
            created_at=at,
        )
    )
    db.flush()


def program(
    db: Session, clinician: User, patients: list[User], *, per_week: list[int], at: datetime
) -> None:
    """A template with one version per ``per_week`` value (the last is the newest), assigned."""
    template = ProgramTemplate(
        owner_id=clinician.id,
        name="Back basics, adapted",
        base_program_id="back-basics",
        created_at=at,
    )
    db.add(template)
    db.flush()
    for number, sessions in enumerate(per_week, start=1):
        db.add(
            ProgramVersion(
                template_id=template.id,
                number=number,
                created_at=at,
                author_id=clinician.id,
                definition={"sessions_per_week": sessions, "steps": []},
            )
        )
    for patient in patients:
        db.add(ProgramAssignment(patient_id=patient.id, template_id=template.id, assigned_at=at))
    db.flush()
