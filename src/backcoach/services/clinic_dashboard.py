"""The clinician's dashboard: adherence, pain trend, last activity and flags per patient.

Every answer is scoped to the signed-in clinician's own patients (an admin's:
all) through ``services.clinic``. The figures of all listed patients are read
with a fixed number of grouped queries (about a dozen, however many patients),
then the rules of ``services.clinic_flags`` turn them into flags. Each
patient's row is kept in ``services.page_cache`` until their data or the day
changes, so a dashboard seen again works out only the rows of patients who did
something since.

Definitions:
- *Adherence*: completed sessions started in the last 7 and 28 local days (today
  included) against the sessions prescribed in that time: ``sessions_per_week``
  of the patient's assigned program's newest version (``DEFAULT_PER_WEEK``, 5,
  without one) per 7 days, counting only the days since the patient registered
  (so a patient who joined 3 days ago is asked for 3/7 of a week, rounded).
- *Pain trend*: the latest ``PAIN_SESSIONS`` completed sessions with pain logged
  before and after, and the average change (after minus before; below 0: better).
- *Last activity*: the latest session start, check-in, questionnaire answer or habit log.

Viewing one patient's page or detail (``patient_detail``) is written to the
audit log in the same transaction; the list is not (it shows no patient's details).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, tzinfo
from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from backcoach.coach.questionnaires import QUESTIONNAIRES, summary_text
from backcoach.i18n import _
from backcoach.services import audit, page_cache
from backcoach.services.clinic import PatientSummary, patients_of
from backcoach.services.clinic_flags import (
    Flag,
    PainPair,
    Severity,
    by_severity,
    inactive,
    pain_rising,
    questionnaire_due,
    red_flag,
    start_back_high,
)
from backcoach.services.clinic_scope import scoped_patient
from backcoach.services.clinician_notes import Note, notes_of
from backcoach.services.history import HistorySummary, SessionLine, history_summary
from backcoach.services.questionnaire_schedules import (
    ScheduleView,
    due_questionnaires,
    schedules_for,
    views_of,
)
from backcoach.store import (
    CareLink,
    CheckIn,
    HabitLog,
    ProgramAssignment,
    ProgramTemplate,
    ProgramVersion,
    QuestionnaireResponse,
    Screening,
    ScreeningOutcome,
    SessionStatus,
    StepEvent,
    StepStatus,
    WorkoutSession,
)

DEFAULT_PER_WEEK = 5
PAIN_SESSIONS = 5
STARTBACK = "startback"
#: What the patient page lists.
DETAIL_SESSIONS = 30
DETAIL_CHECKINS = 50


@dataclass(frozen=True)
class Adherence:
    done: int
    prescribed: int


@dataclass(frozen=True)
class PainTrend:
    sessions: tuple[PainPair, ...]  # oldest first
    average_change: float | None  # after minus before, one decimal; None without sessions


@dataclass(frozen=True)
class PatientRow:
    id: int
    email: str
    linked_at: datetime
    disabled: bool
    last_activity: datetime | None
    sessions_per_week: int
    days_7: Adherence
    days_28: Adherence
    pain: PainTrend
    flags: tuple[Flag, ...]  # most severe first

    @property
    def red_flag(self) -> Flag | None:
        return next((f for f in self.flags if f.severity is Severity.RED_FLAG), None)


@dataclass(frozen=True)
class StepLine:
    step_index: int
    exercise_id: str
    variant: str
    status: str
    reps: int | None
    hold_s: float | None
    duration_s: float | None
    source: str  # "camera": counted by the camera coach; "manual": ticked off by the patient
    pain: int | None  # pain reported during the step ("this hurts")
    form_notes: tuple[FormNote, ...] = ()  # what the camera saw of the form


@dataclass(frozen=True)
class FormNote:
    """One kind of form fault the camera saw on a step, and how often."""

    code: str
    message: str
    count: int


@dataclass(frozen=True)
class SessionDetail:
    line: SessionLine
    steps: tuple[StepLine, ...]
    #: The clinician's program version it followed ("Name, version 3"), None: a built-in one.
    program: str | None = None

    @property
    def camera_reps(self) -> int:
        return sum(s.reps or 0 for s in self.steps if s.source == "camera")


@dataclass(frozen=True)
class ProgramLine:
    """The clinician's program the patient follows now."""

    template_id: int
    name: str
    version: int


@dataclass(frozen=True)
class CheckinLine:
    at: datetime
    phase: str
    pain: int
    location: str
    effort: int | None
    exercise_id: str | None
    session_id: int | None


@dataclass(frozen=True)
class ScoreLine:
    name: str
    title: str
    taken_at: datetime
    total: float | None
    risk_group: str | None
    summary: str  # the score and what it means, in words, in the language in use


@dataclass(frozen=True)
class PatientDetail:
    row: PatientRow
    history: HistorySummary
    sessions: tuple[SessionDetail, ...]  # newest first
    checkins: tuple[CheckinLine, ...]  # newest first
    questionnaires: tuple[ScoreLine, ...]  # newest first
    notes: tuple[Note, ...]  # newest first
    schedules: tuple[ScheduleView, ...]
    program: ProgramLine | None = None


def dashboard(db: Session, *, clinician_id: int, now: datetime, tz: tzinfo) -> list[PatientRow]:
    """The clinician's patients with their figures and flags: flagged patients first
    (the most severe flag first), then by e-mail.

    Raises:
        NotAllowed: ``clinician_id`` is not a clinician or admin.
    """
    rows = patient_rows(db, patients_of(db, clinician_id=clinician_id), now=now, tz=tz)
    db.rollback()  # read only: end the transaction
    return sorted(rows, key=lambda r: (r.flags[0].severity if r.flags else 99, r.email))


def patient_detail(
    db: Session, *, clinician_id: int, patient_id: int, now: datetime, tz: tzinfo, what: str
) -> PatientDetail:
    """One patient's page: figures, flags, history, check-ins, scores, notes, schedules.

    The view is written to the audit log (``what``: which view, e.g. "patient page"). Commits.

    Raises:
        LookupError: not this clinician's patient, or no such patient.
    """
    patient, clinician = scoped_patient(db, clinician_id=clinician_id, patient_id=patient_id)
    linked_at = db.scalar(select(CareLink.linked_at).where(CareLink.patient_id == patient.id))
    summary = PatientSummary(
        id=patient.id,
        email=str(patient.email),
        linked_at=linked_at or patient.created_at,
        disabled=patient.disabled_at is not None,
    )
    today = now.astimezone(tz).date()
    [row] = patient_rows(db, [summary], now=now, tz=tz)
    history = history_summary(db, today=today, user_id=patient.id, tz=tz, recent=DETAIL_SESSIONS)
    schedules = schedules_for(db, patient_ids=[patient.id])[patient.id]
    last_taken = {
        name: taken.astimezone(tz).date()
        for (_patient, name), taken in _latest_answers(db, [patient.id]).items()
    }
    detail = PatientDetail(
        row=row,
        history=history,
        sessions=_session_details(db, history.sessions),
        checkins=_checkins(db, patient.id),
        questionnaires=_scores(db, patient.id),
        notes=tuple(notes_of(db, patient_ids=[patient.id])),
        schedules=tuple(views_of(schedules, last_taken, today)),
        program=_program_of(db, patient.id),
    )
    audit.record(db, actor=clinician, patient=patient, action=audit.VIEWED, detail=what, now=now)
    db.commit()
    return detail


def patient_rows(
    db: Session, patients: Sequence[PatientSummary], *, now: datetime, tz: tzinfo
) -> list[PatientRow]:
    """The dashboard figures of ``patients`` (already scoped by the caller), in their order.

    Each patient's row is kept in ``services.page_cache`` under their revision and
    the local day (every figure and flag changes only with their data or the day);
    the rows not kept are worked out together, a few queries for all of them.
    """
    today = now.astimezone(tz).date()
    by_id = {p.id: p for p in patients}
    rows = page_cache.cached_each(
        db,
        name="clinic-row",
        keys={p.id: (today, tz, p) for p in patients},
        compute=lambda ids: _patient_rows(db, [by_id[i] for i in ids], today=today, tz=tz),
    )
    return [rows[p.id] for p in patients]


def _patient_rows(
    db: Session, patients: Sequence[PatientSummary], *, today: date, tz: tzinfo
) -> dict[int, PatientRow]:
    ids = [p.id for p in patients]
    if not ids:
        return {}
    start_7 = _local_midnight(today - timedelta(days=6), tz)
    start_28 = _local_midnight(today - timedelta(days=27), tz)

    last_session = _max_by_user(db, WorkoutSession.user_id, WorkoutSession.started_at, ids)
    last_exercised = _last_exercised(db, ids)
    done_7, done_28 = _completed_counts(db, ids, start_7, start_28)
    pain = _pain_pairs(db, ids, tz)
    last_checkin = _max_by_user(db, CheckIn.user_id, CheckIn.at, ids)
    last_habit = _max_by_user(db, HabitLog.user_id, HabitLog.at, ids)
    answers = _latest_answers(db, ids)
    screenings = _latest_red_flags(db, ids)
    startback = _latest_startback(db, ids)
    schedules = schedules_for(db, patient_ids=ids)
    per_week = _sessions_per_week(db, ids)

    last_answer: dict[int, datetime] = {}
    answered_on: dict[int, dict[str, date]] = defaultdict(dict)
    for (uid, name), taken in answers.items():
        last_answer[uid] = max(taken, last_answer.get(uid, taken))
        answered_on[uid][name] = taken.astimezone(tz).date()

    rows: dict[int, PatientRow] = {}
    for p in patients:
        days_since = (today - p.linked_at.astimezone(tz).date()).days + 1
        weekly = per_week.get(p.id, DEFAULT_PER_WEEK)
        pairs = pain.get(p.id, [])  # newest first
        session = last_session.get(p.id)
        exercised = last_exercised.get(p.id)
        screening = screenings.get(p.id)
        sb = startback.get(p.id)
        flags = [
            red_flag(screening[0].astimezone(tz).date(), screening[1]) if screening else None,
            pain_rising(pairs),
            start_back_high(sb[0].astimezone(tz).date(), sb[1]) if sb else None,
            inactive(
                None if exercised is None else exercised.astimezone(tz).date(),
                p.linked_at.astimezone(tz).date(),
                today,
            ),
            *(
                questionnaire_due(due.title, due.due_since)
                for due in due_questionnaires(schedules[p.id], answered_on[p.id], today)
            ),
        ]
        moments = [session, last_checkin.get(p.id), last_answer.get(p.id), last_habit.get(p.id)]
        rows[p.id] = PatientRow(
            id=p.id,
            email=p.email,
            linked_at=p.linked_at,
            disabled=p.disabled,
            last_activity=max((m for m in moments if m is not None), default=None),
            sessions_per_week=weekly,
            days_7=Adherence(done_7.get(p.id, 0), prescribed(weekly, min(7, days_since))),
            days_28=Adherence(done_28.get(p.id, 0), prescribed(weekly, min(28, days_since))),
            pain=_trend(pairs),
            flags=by_severity(flags),
        )
    return rows


def sessions_per_week(db: Session, *, user_id: int) -> int:
    """The sessions a week ``user_id`` is asked for: their assigned program's, else 5."""
    return _sessions_per_week(db, [user_id]).get(user_id, DEFAULT_PER_WEEK)


def prescribed(per_week: int, days: int) -> int:
    """Sessions prescribed over ``days`` days at ``per_week``, rounded half up."""
    return (2 * per_week * max(days, 0) + 7) // 14


def _trend(latest_first: Sequence[PainPair]) -> PainTrend:
    if not latest_first:
        return PainTrend(sessions=(), average_change=None)
    average = sum(p.change for p in latest_first) / len(latest_first)
    return PainTrend(sessions=tuple(reversed(latest_first)), average_change=round(average, 1))


def _local_midnight(day: date, tz: tzinfo) -> datetime:
    return datetime.combine(day, time(), tz)


def _max_by_user(db: Session, user_col: Any, at_col: Any, ids: list[int]) -> dict[int, datetime]:
    query = select(user_col, func.max(at_col)).where(user_col.in_(ids)).group_by(user_col)
    rows = db.execute(query)
    return {uid: at for uid, at in rows if at is not None}


def _last_exercised(db: Session, ids: list[int]) -> dict[int, datetime]:
    """Per patient: the start of the latest session that completed or had a step done."""
    step_done = (
        select(StepEvent.id)
        .where(StepEvent.session_id == WorkoutSession.id, StepEvent.status == StepStatus.COMPLETED)
        .exists()
    )
    rows = db.execute(
        select(WorkoutSession.user_id, func.max(WorkoutSession.started_at))
        .where(
            WorkoutSession.user_id.in_(ids),
            or_(WorkoutSession.status == SessionStatus.COMPLETED, step_done),
        )
        .group_by(WorkoutSession.user_id)
    )
    return {uid: at for uid, at in rows if at is not None}


def _completed_counts(
    db: Session, ids: list[int], start_7: datetime, start_28: datetime
) -> tuple[dict[int, int], dict[int, int]]:
    """Completed sessions per patient since ``start_7`` and since ``start_28``."""
    rows = db.execute(
        select(WorkoutSession.user_id, WorkoutSession.started_at).where(
            WorkoutSession.user_id.in_(ids),
            WorkoutSession.status == SessionStatus.COMPLETED,
            WorkoutSession.started_at >= start_28,
        )
    )
    week: dict[int, int] = defaultdict(int)
    month: dict[int, int] = defaultdict(int)
    for uid, started in rows:
        month[uid] += 1
        if started >= start_7:
            week[uid] += 1
    return week, month


def _newest_first(partition: Any, *order: Any) -> Any:
    return func.row_number().over(partition_by=partition, order_by=order).label("rank")


def _pain_pairs(db: Session, ids: list[int], tz: tzinfo) -> dict[int, list[PainPair]]:
    """Per patient: the latest ``PAIN_SESSIONS`` completed sessions with both pains.

    Newest first; one query (the sessions are ranked per patient by a window function).
    """
    ws = WorkoutSession
    ranked = (
        select(
            ws.user_id,
            ws.started_at,
            ws.pain_before,
            ws.pain_after,
            _newest_first(ws.user_id, ws.started_at.desc(), ws.id.desc()),
        )
        .where(
            ws.user_id.in_(ids),
            ws.status == SessionStatus.COMPLETED,
            ws.pain_before.is_not(None),
            ws.pain_after.is_not(None),
        )
        .subquery()
    )
    rows = db.execute(
        select(ranked.c.user_id, ranked.c.started_at, ranked.c.pain_before, ranked.c.pain_after)
        .where(ranked.c.rank <= PAIN_SESSIONS)
        .order_by(ranked.c.user_id, ranked.c.rank)
    )
    found: dict[int, list[PainPair]] = defaultdict(list)
    for uid, started, before, after in rows:
        found[uid].append(PainPair(day=started.astimezone(tz).date(), before=before, after=after))
    return found


def _latest_answers(db: Session, ids: list[int]) -> dict[tuple[int, str], datetime]:
    """(patient, questionnaire) -> when it was last answered."""
    qr = QuestionnaireResponse
    rows = db.execute(
        select(qr.user_id, qr.name, func.max(qr.taken_at))
        .where(qr.user_id.in_(ids))
        .group_by(qr.user_id, qr.name)
    )
    return {(uid, name): taken for uid, name, taken in rows}


def _latest_red_flags(db: Session, ids: list[int]) -> dict[int, tuple[datetime, list[str]]]:
    """Patients whose latest screening has a red flag: when, and which flags."""
    ranked = (
        select(
            Screening.user_id,
            Screening.taken_at,
            Screening.outcome,
            Screening.red_flags,
            _newest_first(Screening.user_id, Screening.taken_at.desc(), Screening.id.desc()),
        )
        .where(Screening.user_id.in_(ids))
        .subquery()
    )
    rows = db.execute(
        select(ranked.c.user_id, ranked.c.taken_at, ranked.c.red_flags).where(
            ranked.c.rank == 1, ranked.c.outcome == ScreeningOutcome.RED_FLAG
        )
    )
    return {uid: (taken, list(flags or [])) for uid, taken, flags in rows}


def _latest_startback(db: Session, ids: list[int]) -> dict[int, tuple[datetime, dict[str, Any]]]:
    """Each patient's latest STarT Back answer: when, and its scores."""
    qr = QuestionnaireResponse
    ranked = (
        select(
            qr.user_id,
            qr.taken_at,
            qr.scores,
            _newest_first(qr.user_id, qr.taken_at.desc(), qr.id.desc()),
        )
        .where(qr.user_id.in_(ids), qr.name == STARTBACK)
        .subquery()
    )
    rows = db.execute(
        select(ranked.c.user_id, ranked.c.taken_at, ranked.c.scores).where(ranked.c.rank == 1)
    )
    return {uid: (taken, dict(scores or {})) for uid, taken, scores in rows}


def _sessions_per_week(db: Session, ids: list[int]) -> dict[int, int]:
    """Sessions per week of each assigned program's newest version (when it says, 1-7)."""
    newest = (
        select(ProgramVersion.template_id, func.max(ProgramVersion.number).label("number"))
        .where(
            ProgramVersion.template_id.in_(
                select(ProgramAssignment.template_id).where(ProgramAssignment.patient_id.in_(ids))
            )
        )
        .group_by(ProgramVersion.template_id)
        .subquery()
    )
    rows = db.execute(
        select(ProgramAssignment.patient_id, ProgramVersion.definition)
        .join(newest, newest.c.template_id == ProgramAssignment.template_id)
        .join(
            ProgramVersion,
            (ProgramVersion.template_id == newest.c.template_id)
            & (ProgramVersion.number == newest.c.number),
        )
        .where(ProgramAssignment.patient_id.in_(ids))
    )
    found: dict[int, int] = {}
    for uid, definition in rows:
        value = (definition or {}).get("sessions_per_week")
        if isinstance(value, int) and not isinstance(value, bool) and 1 <= value <= 7:
            found[uid] = value
    return found


def _session_details(db: Session, lines: Iterable[SessionLine]) -> tuple[SessionDetail, ...]:
    sessions = list(lines)
    steps: dict[int, list[StepLine]] = defaultdict(list)
    if sessions:
        rows = db.scalars(
            select(StepEvent)
            .where(StepEvent.session_id.in_([s.id for s in sessions]))
            .order_by(StepEvent.session_id, StepEvent.step_index)
        )
        for e in rows:
            steps[e.session_id].append(
                StepLine(
                    step_index=e.step_index,
                    exercise_id=e.exercise_id,
                    variant=e.variant,
                    status=e.status.value,
                    reps=e.reps,
                    hold_s=e.hold_s,
                    duration_s=e.duration_s,
                    source=e.source.value,
                    pain=e.pain,
                    form_notes=tuple(
                        FormNote(str(n["code"]), str(n["message"]), int(n["count"]))
                        for n in e.faults or ()
                    ),
                )
            )
    followed: dict[int, str] = {}
    if sessions:
        versions = db.execute(
            select(WorkoutSession.id, ProgramTemplate.name, ProgramVersion.number)
            .join(ProgramVersion, ProgramVersion.id == WorkoutSession.program_version_id)
            .join(ProgramTemplate, ProgramTemplate.id == ProgramVersion.template_id)
            .where(WorkoutSession.id.in_([s.id for s in sessions]))
        )
        followed = {
            sid: _("{name}, version {number}").format(name=name, number=number)
            for sid, name, number in versions
        }
    return tuple(
        SessionDetail(line=s, steps=tuple(steps[s.id]), program=followed.get(s.id))
        for s in sessions
    )


def _program_of(db: Session, patient_id: int) -> ProgramLine | None:
    """The template the patient follows and its newest version (None: none assigned)."""
    row = db.execute(
        select(ProgramTemplate.id, ProgramTemplate.name, func.max(ProgramVersion.number))
        .join(ProgramAssignment, ProgramAssignment.template_id == ProgramTemplate.id)
        .join(ProgramVersion, ProgramVersion.template_id == ProgramTemplate.id)
        .where(ProgramAssignment.patient_id == patient_id)
        .group_by(ProgramTemplate.id, ProgramTemplate.name)
    ).one_or_none()
    if row is None:
        return None
    template_id, name, number = row
    return ProgramLine(template_id=template_id, name=str(name), version=int(number))


def _checkins(db: Session, patient_id: int) -> tuple[CheckinLine, ...]:
    rows = db.scalars(
        select(CheckIn)
        .where(CheckIn.user_id == patient_id)
        .order_by(CheckIn.at.desc(), CheckIn.id.desc())
        .limit(DETAIL_CHECKINS)
    )
    return tuple(
        CheckinLine(
            at=c.at,
            phase=c.phase.value,
            pain=c.pain,
            location=c.location.value,
            effort=c.effort,
            exercise_id=c.exercise_id,
            session_id=c.session_id,
        )
        for c in rows
    )


def _scores(db: Session, patient_id: int) -> tuple[ScoreLine, ...]:
    qr = QuestionnaireResponse
    rows = db.scalars(
        select(qr).where(qr.user_id == patient_id).order_by(qr.taken_at.desc(), qr.id.desc())
    )
    lines: list[ScoreLine] = []
    for r in rows:
        scores = r.scores or {}
        total = scores.get("total")
        known = QUESTIONNAIRES.get(r.name)
        lines.append(
            ScoreLine(
                name=r.name,
                title=known.title if known else r.name,
                taken_at=r.taken_at,
                total=float(total) if isinstance(total, int | float) else None,
                risk_group=scores.get("risk_group"),
                summary=summary_text(r.name, scores) or str(scores.get("summary") or ""),
            )
        )
    return tuple(lines)
