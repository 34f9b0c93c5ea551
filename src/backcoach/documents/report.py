"""The PDF progress report: one person's period in figures, for them or their clinician.

``report_data`` gathers what the report shows (a ``ProgressReport``: tests check
its figures without reading the PDF) and ``progress_report`` lays it out through
``documents/templates/report.html``. What each figure means:

- *Sessions done*: sessions started in the period (local dates, both ends
  included) that count as complete (``services.history``: run to the end with
  at least half the steps done). *Planned*: the dashboard's rule
  (``services.clinic_dashboard``): the sessions a week of the person's assigned
  program (5 without one), over the period's days since they started (their
  registration or first session, whichever is earlier), rounded.
- *Active minutes*: the recorded steps' time (rests between sets included).
- *Streaks*: the current one as it stood on the period's last day, and the
  longest run of days with a completed session within the period.
- *Dose changes*: each exercise's planned dose and variant, compared from one
  session's plan to the next within the period; why it changed is what the
  planner wrote on the step, or else whether it went up ("progressed") or down
  ("eased").
- *Desk*: breaks taken, snoozed and skipped, sitting and walking minutes of the
  period's days (``services.desk``).
- *Camera*: repetitions the camera counted and the form notes it made.

``patient_report`` is the clinician's way in: scoped to their own patients and
written to the audit log.

The report is in the language in use (``i18n``): its words, dates (German
``2.3.2026``) and numbers (decimal comma). What is stored in English is worded
where it is shown: questionnaire scores (``summary_text``, from their figures),
the camera's form notes (``vision.wording.shown``) and the planner's reasons.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, tzinfo
from typing import Any, Literal

from sqlalchemy import select
from sqlalchemy.orm import Session

from backcoach.coach.cues import dose_words
from backcoach.coach.plan import PlannedStep, VariantLevel
from backcoach.coach.progression import VARIANT_ORDER
from backcoach.coach.questionnaires import QUESTIONNAIRES, summary_text
from backcoach.content import Catalog
from backcoach.documents.charts import PainPair, pain_chart
from backcoach.documents.pdf import render_pdf
from backcoach.errors import UsageError
from backcoach.i18n import (
    DEFAULT_LANGUAGE,
    N_,
    _,
    current_language,
    format_date,
    format_number,
)
from backcoach.services import audit
from backcoach.services.clinic_dashboard import FormNote, prescribed, sessions_per_week
from backcoach.services.clinic_scope import scoped_patient
from backcoach.services.desk import DeskDay, desk_days, totals
from backcoach.services.history import (
    SESSION_LINE_COLUMNS,
    history_summary,
    session_line,
    streaks,
)
from backcoach.services.sessions import plan_from_json
from backcoach.store import (
    QuestionnaireResponse,
    StepEvent,
    StepSource,
    StepStatus,
    User,
    WorkoutSession,
)
from backcoach.vision.wording import shown

#: The default period: the last 4 weeks, today included.
DEFAULT_DAYS = 28
#: The longest period a report covers (about 10 years): a longer one is refused.
MAX_DAYS = 3660
TEMPLATE = "report.html"
#: What a questionnaire's score means, in words, beside the score.
SCALE_MEANINGS = {
    "pain-function": N_(
        "Each part from 0 (no pain, no interference) to 10 (the worst); lower is better."
    ),
    "psfs": N_(
        "Each activity from 0 (unable to do it) to 10 (able to do it as well as before); "
        "higher is better, and a change of about 2 points is usually noticeable."
    ),
    "startback": N_(
        "Total from 0 to 9 and the psychosocial part from 0 to 5; the risk group says "
        "how likely the back pain is to be slow to get better."
    ),
}
#: Why a dose changed when the planner wrote no reason: which way it moved.
DIRECTION_REASONS = {
    "progressed": N_("Progressed: the planned dose changed."),
    "eased": N_("Eased: the planned dose changed."),
    "adjusted": N_("Adjusted: the planned dose changed."),
}
#: A dose at an easier or harder variant of the exercise.
VARIANT_DOSES = {
    VariantLevel.EASIER: N_("{dose} (easier version)"),
    VariantLevel.HARDER: N_("{dose} (harder version)"),
}


@dataclass(frozen=True)
class DoseChange:
    """One change of an exercise's planned dose or variant between two sessions."""

    exercise_id: str
    name: str
    day: date  # the session that first had the new dose
    before: str
    after: str
    why: tuple[str, ...]


@dataclass(frozen=True)
class ScoreLine:
    """One questionnaire answered in the period, with what its score means."""

    name: str
    title: str
    day: date
    total: float | None
    risk_group: str | None
    summary: str
    meaning: str
    activities: tuple[tuple[str, float], ...] = ()  # PSFS: each activity and its rating
    #: Why the title is in English outside English (STarT Back's original wording); else empty.
    language_note: str = ""


@dataclass(frozen=True)
class CameraLine:
    """Repetitions the camera counted on one exercise, and the form notes it made."""

    exercise_id: str
    name: str
    reps: int
    steps: int
    notes: tuple[FormNote, ...]  # the most frequent first


@dataclass(frozen=True)
class ProgressReport:
    start: date
    end: date
    person: str | None  # the patient's e-mail in clinic mode; None for the local user
    sessions_started: int
    sessions_done: int
    sessions_planned: int
    sessions_per_week: int
    active_minutes: float
    current_streak: int
    best_streak: int
    pain: tuple[PainPair, ...]  # sessions with pain logged, oldest first
    questionnaires: tuple[ScoreLine, ...]  # oldest first
    dose_changes: tuple[DoseChange, ...]  # oldest first
    desk: DeskDay  # the period's desk figures added up
    desk_days: int  # days with anything logged at the desk
    camera: tuple[CameraLine, ...]

    @property
    def sessions_not_done(self) -> int:
        """Sessions started but quit or ended early."""
        return self.sessions_started - self.sessions_done

    @property
    def camera_reps(self) -> int:
        return sum(line.reps for line in self.camera)

    @property
    def pain_average(self) -> tuple[float, float] | None:
        """Average pain (before, after) over sessions with both logged, one decimal."""
        pairs = [(p.before, p.after) for p in self.pain if p.before is not None]
        both = [(b, a) for b, a in pairs if a is not None]
        if not both:
            return None
        count = len(both)
        return (
            round(sum(b for b, _ in both) / count, 1),
            round(sum(a for _, a in both) / count, 1),
        )


def day_text(day: date) -> str:
    """A date written plainly in the language in use: ``2 March 2026`` (German ``2.3.2026``).

    English keeps the day-first order of backcoach's English documents (CLDR's
    ``en`` would write ``March 2, 2026``).
    """
    if current_language() == DEFAULT_LANGUAGE:
        return f"{day.day} {day:%B %Y}"
    return format_date(day, "yMd")


def figure(value: float) -> str:
    """A score or an average as written: ``4``, ``3.2`` (German ``3,2``), one decimal at most."""
    return format_number(value, digits=0 if value == round(value) else 1)


def report_filename(start: date, end: date) -> str:
    """The file name a downloaded report is saved under."""
    return f"backcoach-report-{start.isoformat()}-to-{end.isoformat()}.pdf"


def report_period(start: str | None, end: str | None, *, today: date) -> tuple[date, date]:
    """The period asked for (``YYYY-MM-DD`` each; default: the 4 weeks up to today).

    Raises:
        UsageError: a date that is not one, or a start after the end.
    """
    last = _parse_day(end, "end") if end else today
    first = _parse_day(start, "start") if start else last - timedelta(days=DEFAULT_DAYS - 1)
    if (last - first).days >= MAX_DAYS:
        raise UsageError(
            _("A report covers at most {years} years: choose a later start date.").format(
                years=MAX_DAYS // 366
            )
        )
    if first > last:
        raise UsageError(
            _(
                "The period starts on {start}, after it ends on {end}: give the earlier date first."
            ).format(start=day_text(first), end=day_text(last))
        )
    return first, last


_NOT_A_DATE = {
    "start": N_(
        "The start date '{text}' is not a date: write it as YYYY-MM-DD, for example 2026-03-02."
    ),
    "end": N_(
        "The end date '{text}' is not a date: write it as YYYY-MM-DD, for example 2026-03-02."
    ),
}


def _parse_day(text: str, which: str) -> date:
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise UsageError(_(_NOT_A_DATE[which]).format(text=text)) from None


def progress_report(
    db: Session, *, user_id: int, start: date, end: date, tz: tzinfo, catalog: Catalog
) -> bytes:
    """The progress report of ``user_id`` from ``start`` to ``end`` (local dates) as a PDF.

    Read only: the transaction ends before the layout, which takes a moment, so the
    database connection is free again meanwhile.
    """
    report = report_data(db, user_id=user_id, start=start, end=end, tz=tz, catalog=catalog)
    db.rollback()
    return render_report(report)


def patient_report(
    db: Session,
    *,
    clinician_id: int,
    patient_id: int,
    start: date,
    end: date,
    tz: tzinfo,
    catalog: Catalog,
    now: datetime,
) -> bytes:
    """A patient's progress report for their clinician; the view is audited. Commits
    before the layout.

    Raises:
        NotAllowed: ``clinician_id`` is not a clinician or admin.
        LookupError: not this clinician's patient, or no such patient.
    """
    patient, clinician = scoped_patient(db, clinician_id=clinician_id, patient_id=patient_id)
    report = report_data(db, user_id=patient.id, start=start, end=end, tz=tz, catalog=catalog)
    audit.record(
        db, actor=clinician, patient=patient, action=audit.VIEWED, detail="progress report", now=now
    )
    db.commit()
    return render_report(report)


def render_report(report: ProgressReport) -> bytes:
    """Lay ``report`` out as a tagged PDF."""
    title = _("Progress report, {start} to {end}").format(
        start=day_text(report.start), end=day_text(report.end)
    )
    context = {
        "report": report,
        "chart": pain_chart(report.pain) if report.pain else None,
        "day_text": day_text,
        "figure": figure,
    }
    return render_pdf(TEMPLATE, context, title=title)


def report_data(
    db: Session, *, user_id: int, start: date, end: date, tz: tzinfo, catalog: Catalog
) -> ProgressReport:
    """Everything the report shows, for ``user_id`` from ``start`` to ``end`` (local dates).

    Raises:
        LookupError: no such user.
    """
    user = db.get(User, user_id)
    if user is None:
        raise LookupError(f"no user {user_id}")
    since = datetime.combine(start, time(), tz)
    until = datetime.combine(end + timedelta(days=1), time(), tz)
    sessions = db.execute(
        select(*SESSION_LINE_COLUMNS)
        .where(
            WorkoutSession.user_id == user_id,
            WorkoutSession.started_at >= since,
            WorkoutSession.started_at < until,
        )
        .order_by(WorkoutSession.started_at, WorkoutSession.id)
    ).all()
    events = list(
        db.scalars(
            select(StepEvent)
            .where(StepEvent.session_id.in_([s.id for s in sessions]))
            .order_by(StepEvent.session_id, StepEvent.step_index)
        )
    )
    done: dict[int, int] = defaultdict(int)
    seconds: dict[int, float] = defaultdict(float)
    for event in events:
        done[event.session_id] += event.status is StepStatus.COMPLETED
        seconds[event.session_id] += event.duration_s or 0.0
    lines = [session_line(s, done[s.id], seconds[s.id]) for s in sessions]
    complete_days = [line.started_at.astimezone(tz).date() for line in lines if line.complete]
    per_week = sessions_per_week(db, user_id=user_id)
    desk = desk_days(db, user_id=user_id, since=start, until=end + timedelta(days=1))
    history = history_summary(db, today=end, user_id=user_id, tz=tz)
    return ProgressReport(
        start=start,
        end=end,
        person=None if user.email is None else str(user.email),
        sessions_started=len(lines),
        sessions_done=len(complete_days),
        sessions_planned=prescribed(per_week, _days_since_started(db, user, start, end, tz)),
        sessions_per_week=per_week,
        active_minutes=round(sum(line.minutes for line in lines), 1),
        current_streak=history.current_streak,
        best_streak=streaks(complete_days, end)[1],
        pain=tuple(
            PainPair(
                day=s.started_at.astimezone(tz).date(), before=s.pain_before, after=s.pain_after
            )
            for s in sessions
            if s.pain_before is not None or s.pain_after is not None
        ),
        questionnaires=_scores(db, user_id=user_id, since=since, until=until, tz=tz),
        dose_changes=_dose_changes(
            ((s.started_at.astimezone(tz).date(), s.plan) for s in sessions), catalog
        ),
        desk=totals(desk),
        desk_days=sum(1 for d in desk if d != DeskDay(day=d.day)),
        camera=_camera(events, catalog),
    )


def _days_since_started(db: Session, user: User, start: date, end: date, tz: tzinfo) -> int:
    """The period's days from the day the person started: registered or first session."""
    first_day = user.created_at.astimezone(tz).date()
    earliest = db.scalar(
        select(WorkoutSession.started_at)
        .where(WorkoutSession.user_id == user.id)
        .order_by(WorkoutSession.started_at)
        .limit(1)
    )
    if earliest is not None:
        first_day = min(first_day, earliest.astimezone(tz).date())
    return max((end - max(start, first_day)).days + 1, 0)


def _scores(
    db: Session, *, user_id: int, since: datetime, until: datetime, tz: tzinfo
) -> tuple[ScoreLine, ...]:
    qr = QuestionnaireResponse
    rows = db.scalars(
        select(qr)
        .where(qr.user_id == user_id, qr.taken_at >= since, qr.taken_at < until)
        .order_by(qr.taken_at, qr.id)
    )
    lines: list[ScoreLine] = []
    for row in rows:
        scores: dict[str, Any] = row.scores or {}
        total = scores.get("total")
        risk = scores.get("risk_group")
        known = QUESTIONNAIRES[row.name].localized() if row.name in QUESTIONNAIRES else None
        subscales = scores.get("subscales") or {}
        activities = (
            tuple((str(name), float(rating)) for name, rating in subscales.items())
            if row.name == "psfs"
            else ()
        )
        lines.append(
            ScoreLine(
                name=row.name,
                title=known.title if known else row.name,
                day=row.taken_at.astimezone(tz).date(),
                total=float(total) if isinstance(total, int | float) else None,
                risk_group=risk,
                summary=summary_text(row.name, scores) or str(scores.get("summary") or ""),
                meaning=_(SCALE_MEANINGS[row.name]) if row.name in SCALE_MEANINGS else "",
                activities=activities,
                language_note=known.language_note if known else "",
            )
        )
    return tuple(lines)


def _dose(step: PlannedStep) -> str:
    words = dose_words(step)
    if step.variant is VariantLevel.STANDARD:
        return words
    return _(VARIANT_DOSES[step.variant]).format(dose=words)


def _direction(old: PlannedStep, new: PlannedStep) -> Literal["progressed", "eased", "adjusted"]:
    """ "progressed", "eased" or "adjusted": which way the dose moved."""
    if old.variant != new.variant:
        harder = VARIANT_ORDER.index(new.variant) > VARIANT_ORDER.index(old.variant)
        return "progressed" if harder else "eased"
    before = (old.sets, old.reps or 0, old.hold_s or 0, old.duration_s or 0)
    after = (new.sets, new.reps or 0, new.hold_s or 0, new.duration_s or 0)
    if all(a >= b for a, b in zip(after, before, strict=True)):
        return "progressed"
    if all(a <= b for a, b in zip(after, before, strict=True)):
        return "eased"
    return "adjusted"


def _dose_changes(
    plans: Iterable[tuple[date, dict[str, Any]]], catalog: Catalog
) -> tuple[DoseChange, ...]:
    """Each exercise's planned dose compared from one session's plan to the next; the
    planner's reasons (stored in English) and the exercises' names in the language in use."""
    last: dict[str, PlannedStep] = {}
    changes: list[DoseChange] = []
    for day, plan in plans:
        seen: set[str] = set()
        for step in plan_from_json(plan).steps:
            if step.exercise_id in seen:  # an exercise twice in a plan: its first place counts
                continue
            seen.add(step.exercise_id)
            before = last.get(step.exercise_id)
            last[step.exercise_id] = step
            if before is None or _dose(before) == _dose(step):
                continue
            why = step.notes or (DIRECTION_REASONS[_direction(before, step)],)
            known = catalog.exercises.get(step.exercise_id)
            changes.append(
                DoseChange(
                    exercise_id=step.exercise_id,
                    name=known.name if known else step.name,
                    day=day,
                    before=_dose(before),
                    after=_dose(step),
                    why=tuple(_(reason) for reason in why),
                )
            )
    return tuple(changes)


def _camera(events: Sequence[StepEvent], catalog: Catalog) -> tuple[CameraLine, ...]:
    reps: dict[str, int] = defaultdict(int)
    steps: dict[str, int] = defaultdict(int)
    notes: dict[str, dict[tuple[str, str], int]] = defaultdict(lambda: defaultdict(int))
    for event in events:
        if event.source is not StepSource.CAMERA:
            continue
        reps[event.exercise_id] += event.reps or 0
        steps[event.exercise_id] += 1
        for note in event.faults or ():
            notes[event.exercise_id][(str(note["code"]), str(note["message"]))] += int(
                note["count"]
            )
    lines = []
    for exercise_id in sorted(reps):
        known = catalog.exercises.get(exercise_id)
        ranked = sorted(notes[exercise_id].items(), key=lambda item: (-item[1], item[0]))
        lines.append(
            CameraLine(
                exercise_id=exercise_id,
                name=known.name if known else exercise_id,
                reps=reps[exercise_id],
                steps=steps[exercise_id],
                notes=tuple(
                    FormNote(code, shown(message) or message, count)
                    for (code, message), count in ranked
                ),
            )
        )
    return tuple(lines)
