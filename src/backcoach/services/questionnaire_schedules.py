"""Questionnaires a clinician asks a patient to fill in on a schedule (clinic mode).

Rule: a schedule (questionnaire, every ``every_days`` days from ``first_due``)
falls due on ``first_due``, ``first_due + every_days``, ... The questionnaire is
*due* when the latest of those dates that is not after today has no answer
taken on or after it (in the patient's local dates). An answer taken before a
due date does not count for it: it belongs to the period before.

Clinicians set and remove schedules only for their own patients (``services.clinic``
scopes every call); each change is written to the audit log in the same
transaction and bumps the patient's revision, so their Today page shows it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta, tzinfo

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from backcoach.coach.questionnaires import get
from backcoach.errors import UsageError
from backcoach.i18n import _
from backcoach.services import audit, page_cache
from backcoach.services.clinic_scope import scoped_patient
from backcoach.store import QuestionnaireResponse, QuestionnaireSchedule
from backcoach.store.revision import mark_changed

MIN_EVERY_DAYS = 7
MAX_EVERY_DAYS = 90


@dataclass(frozen=True)
class ScheduleView:
    """A schedule as the clinician sees it."""

    name: str
    title: str
    every_days: int
    first_due: date
    next_due: date  # the next due date after today
    due_since: date | None  # the date it fell due and is still unanswered


@dataclass(frozen=True)
class DueQuestionnaire:
    """A scheduled questionnaire the patient should fill in now."""

    name: str
    title: str
    due_since: date


def latest_due_date(first_due: date, every_days: int, today: date) -> date | None:
    """The latest due date not after ``today`` (None before the first one)."""
    if today < first_due:
        return None
    periods = (today - first_due).days // every_days
    return first_due + timedelta(days=periods * every_days)


def next_due_date(first_due: date, every_days: int, today: date) -> date:
    """The first due date after ``today``."""
    latest = latest_due_date(first_due, every_days, today)
    return first_due if latest is None else latest + timedelta(days=every_days)


def unanswered_since(
    first_due: date, every_days: int, last_taken: date | None, today: date
) -> date | None:
    """The due date still waiting for an answer, or None when nothing is due."""
    due = latest_due_date(first_due, every_days, today)
    if due is None or (last_taken is not None and last_taken >= due):
        return None
    return due


def last_taken_dates(
    db: Session, *, patient_ids: Iterable[int], tz: tzinfo
) -> dict[tuple[int, str], date]:
    """(patient id, questionnaire name) -> local date of the latest answer (one query)."""
    ids = list(patient_ids)
    if not ids:
        return {}
    rows = db.execute(
        select(
            QuestionnaireResponse.user_id,
            QuestionnaireResponse.name,
            func.max(QuestionnaireResponse.taken_at),
        )
        .where(QuestionnaireResponse.user_id.in_(ids))
        .group_by(QuestionnaireResponse.user_id, QuestionnaireResponse.name)
    )
    return {(uid, name): taken.astimezone(tz).date() for uid, name, taken in rows}


def schedules_for(
    db: Session, *, patient_ids: Iterable[int]
) -> dict[int, list[QuestionnaireSchedule]]:
    """Patient id -> their schedules, by name (one query)."""
    ids = list(patient_ids)
    found: dict[int, list[QuestionnaireSchedule]] = {pid: [] for pid in ids}
    if not ids:
        return found
    rows = db.scalars(
        select(QuestionnaireSchedule)
        .where(QuestionnaireSchedule.patient_id.in_(ids))
        .order_by(QuestionnaireSchedule.patient_id, QuestionnaireSchedule.name)
    )
    for row in rows:
        found[row.patient_id].append(row)
    return found


def due_questionnaires(
    schedules: Iterable[QuestionnaireSchedule],
    last_taken: Mapping[str, date],
    today: date,
) -> list[DueQuestionnaire]:
    """Which of ``schedules`` are due, given the latest answer date per name."""
    due: list[DueQuestionnaire] = []
    for row in schedules:
        since = unanswered_since(row.first_due, row.every_days, last_taken.get(row.name), today)
        if since is not None:
            due.append(DueQuestionnaire(name=row.name, title=get(row.name).title, due_since=since))
    return due


def due_for(db: Session, patient_id: int, today: date, tz: tzinfo) -> list[DueQuestionnaire]:
    """The patient's scheduled questionnaires due today (their own view; cached per revision)."""

    def read() -> list[DueQuestionnaire]:
        schedules = schedules_for(db, patient_ids=[patient_id])[patient_id]
        if not schedules:
            return []
        taken = last_taken_dates(db, patient_ids=[patient_id], tz=tz)
        last = {name: day for (_, name), day in taken.items()}
        return due_questionnaires(schedules, last, today)

    return list(
        page_cache.cached(
            db,
            name="questionnaires-due",
            user_id=patient_id,
            key=(today, tz),
            compute=lambda: tuple(read()),
        )
    )


def views_of(
    schedules: Iterable[QuestionnaireSchedule], last_taken: Mapping[str, date], today: date
) -> list[ScheduleView]:
    return [
        ScheduleView(
            name=row.name,
            title=get(row.name).title,
            every_days=row.every_days,
            first_due=row.first_due,
            next_due=next_due_date(row.first_due, row.every_days, today),
            due_since=unanswered_since(
                row.first_due, row.every_days, last_taken.get(row.name), today
            ),
        )
        for row in schedules
    ]


def _check_every(every_days: int) -> None:
    if isinstance(every_days, bool) or not MIN_EVERY_DAYS <= every_days <= MAX_EVERY_DAYS:
        raise UsageError(
            _("A questionnaire can be asked every {low} to {high} days, not every {n}.").format(
                low=MIN_EVERY_DAYS, high=MAX_EVERY_DAYS, n=every_days
            )
        )


def set_schedule(
    db: Session,
    *,
    clinician_id: int,
    patient_id: int,
    name: str,
    every_days: int,
    now: datetime,
    tz: tzinfo,
    first_due: date | None = None,
) -> ScheduleView:
    """Ask the patient to fill in ``name`` every ``every_days`` days (from ``first_due``,
    default today); replaces an earlier schedule of the same questionnaire. Commits.

    Raises:
        LookupError: not this clinician's patient.
        UsageError: an unknown questionnaire or an interval out of range.
    """
    patient, clinician = scoped_patient(db, clinician_id=clinician_id, patient_id=patient_id)
    questionnaire = get(name)
    _check_every(every_days)
    today = now.astimezone(tz).date()
    start = today if first_due is None else first_due
    row = db.scalar(
        select(QuestionnaireSchedule).where(
            QuestionnaireSchedule.patient_id == patient.id,
            QuestionnaireSchedule.name == questionnaire.id,
        )
    )
    if row is None:
        row = QuestionnaireSchedule(
            patient_id=patient.id, name=questionnaire.id, created_by=clinician.id, created_at=now
        )
        db.add(row)
    row.every_days = every_days
    row.first_due = start
    taken = last_taken_dates(db, patient_ids=[patient.id], tz=tz)
    [view] = views_of([row], {n: d for (_patient, n), d in taken.items()}, today)
    audit.record(
        db,
        actor=clinician,
        patient=patient,
        action=audit.CHANGED,
        detail=f"scheduled {questionnaire.id} every {every_days} days from {start.isoformat()}",
        now=now,
    )
    mark_changed(db, user_id=patient.id)
    db.commit()
    return view


def remove_schedule(
    db: Session, *, clinician_id: int, patient_id: int, name: str, now: datetime
) -> bool:
    """Stop asking the patient for ``name``. Commits; False when there was no such schedule.

    Raises:
        LookupError: not this clinician's patient.
    """
    patient, clinician = scoped_patient(db, clinician_id=clinician_id, patient_id=patient_id)
    row = db.scalar(
        select(QuestionnaireSchedule).where(
            QuestionnaireSchedule.patient_id == patient.id, QuestionnaireSchedule.name == name
        )
    )
    if row is None:
        db.rollback()
        return False
    db.delete(row)
    audit.record(
        db,
        actor=clinician,
        patient=patient,
        action=audit.CHANGED,
        detail=f"removed the {name} schedule",
        now=now,
    )
    mark_changed(db, user_id=patient.id)
    db.commit()
    return True
