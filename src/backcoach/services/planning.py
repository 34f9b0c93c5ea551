"""Today's plan from the store: history, check-ins, screening and pain limit.

``todays_plan`` reads the latest ``HISTORY_SESSIONS`` (60) sessions with their
steps and "this hurts" check-ins, turns them into ``coach.history`` records
and asks the planner (``coach/planner.py``). The dose of each exercise in a
past session is the dose that was *planned* for it (from the stored plan); a
step counts as completed when its step event says so. The latest STarT Back
response, when it is high risk (``coach/questionnaires.py``), tells the planner
the day the first-week ramp starts again.

Without a pain answer the decision depends only on the user's stored rows and
the day, so it is kept in ``services.page_cache`` until a write changes the
user's revision (Today and ``/api/v1/plan`` read it on every request).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, tzinfo
from typing import Any

from sqlalchemy import Row, select
from sqlalchemy.orm import Session

from backcoach.coach.history import ExerciseRecord, SessionRecord
from backcoach.coach.plan import VariantLevel
from backcoach.coach.planner import PlanDecision, Refusal, build_plan
from backcoach.coach.questionnaires import RiskGroup, startback_risk
from backcoach.content import Catalog, Length
from backcoach.services import page_cache
from backcoach.services.checkins import pain_limit
from backcoach.services.safety import latest_screening_record, screening_needed
from backcoach.store import (
    CheckinPhase,
    SessionStatus,
    StepEvent,
    StepStatus,
    WorkoutSession,
    latest_questionnaire_response,
    list_checkins,
    local_user,
)

HISTORY_SESSIONS = 60

#: Turns the stored history into the one the planner sees (a clinician's program
#: starts a step whose prescription changed afresh: ``services.clinic_programs``).
HistoryView = Callable[[Sequence[SessionRecord]], list[SessionRecord]]


def _variant(value: object) -> VariantLevel:
    try:
        return VariantLevel(str(value))
    except ValueError:
        return VariantLevel.STANDARD


def _optional_int(value: object) -> int | None:
    return int(value) if isinstance(value, int | float) and not isinstance(value, bool) else None


def _optional_float(value: object) -> float | None:
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else None


#: The columns of a session the planner reads (not its engine snapshot).
_SESSION_COLUMNS = (
    WorkoutSession.id,
    WorkoutSession.started_at,
    WorkoutSession.status,
    WorkoutSession.plan,
    WorkoutSession.pain_before,
    WorkoutSession.pain_after,
    WorkoutSession.effort,
    WorkoutSession.program_id,
    WorkoutSession.program_version_id,
)


@dataclass(frozen=True)
class _Step:
    """What the planner reads of a step event."""

    status: StepStatus
    pain: int | None


def session_record(
    row: Row[Any], events: dict[int, _Step], hurts: dict[str, int], tz: tzinfo = UTC
) -> SessionRecord:
    """One stored session as the planner's record.

    Args:
        row: the session's ``_SESSION_COLUMNS``.
        events: its step events by step index.
        hurts: exercise id -> highest "this hurts" pain in this session.
        tz: the time zone that turns the start time into a local date.
    """
    planned = row.plan.get("steps", []) if isinstance(row.plan, dict) else []
    records: list[ExerciseRecord] = []
    for index, step in enumerate(planned):
        if not isinstance(step, dict):
            continue
        exercise_id = str(step.get("exercise_id", ""))
        event = events.get(index)
        if event is None and exercise_id not in hurts:
            continue  # not reached
        pains = [
            p for p in (event.pain if event else None, hurts.get(exercise_id)) if p is not None
        ]
        records.append(
            ExerciseRecord(
                exercise_id=exercise_id,
                completed=event is not None and event.status is StepStatus.COMPLETED,
                variant=_variant(step.get("variant")),
                sets=_optional_int(step.get("sets")),
                reps=_optional_int(step.get("reps")),
                hold_s=_optional_float(step.get("hold_s")),
                duration_s=_optional_float(step.get("duration_s")),
                pain_during=max(pains) if pains else None,
                hurt=exercise_id in hurts,
            )
        )
    return SessionRecord(
        day=row.started_at.astimezone(tz).date(),
        completed=row.status is SessionStatus.COMPLETED,
        pain_before=row.pain_before,
        pain_after=row.pain_after,
        effort=row.effort,
        exercises=tuple(records),
        program_id=row.program_id,
        program_version_id=row.program_version_id,
    )


def load_history(
    db: Session, *, user_id: int, limit: int = HISTORY_SESSIONS, tz: tzinfo = UTC
) -> list[SessionRecord]:
    """The latest ``limit`` sessions as planner records, oldest first.

    Read as plain rows (a page computes this afresh after every write, and building
    ORM objects with their snapshots cost most of it).
    """
    newest_first = db.execute(
        select(*_SESSION_COLUMNS)
        .where(WorkoutSession.user_id == user_id)
        .order_by(WorkoutSession.started_at.desc(), WorkoutSession.id.desc())
        .limit(limit)
    ).all()
    rows = newest_first[::-1]
    if not rows:
        return []
    events: dict[int, dict[int, _Step]] = defaultdict(dict)
    for session_id, index, status, pain in db.execute(
        select(StepEvent.session_id, StepEvent.step_index, StepEvent.status, StepEvent.pain).where(
            StepEvent.session_id.in_([row.id for row in rows])
        )
    ):
        events[session_id][index] = _Step(status, pain)
    hurts: dict[int, dict[str, int]] = defaultdict(dict)
    for checkin in list_checkins(
        db, user_id=user_id, since=rows[0].started_at, phase=CheckinPhase.DURING
    ):
        if checkin.session_id is None or checkin.exercise_id is None:
            continue
        per_session = hurts[checkin.session_id]
        per_session[checkin.exercise_id] = max(
            checkin.pain, per_session.get(checkin.exercise_id, 0)
        )
    return [session_record(row, events[row.id], hurts.get(row.id, {}), tz) for row in rows]


def high_risk_since(db: Session, *, user_id: int, tz: tzinfo = UTC) -> date | None:
    """The day of the latest STarT Back when its risk group is high, else None.

    The group is worked out again from the stored total and psychosocial scores, so
    rows stored before the group was saved count too.
    """
    row = latest_questionnaire_response(db, user_id=user_id, name="startback")
    if row is None or not isinstance(row.scores, dict):
        return None
    subscales = row.scores.get("subscales")
    total = _optional_int(row.scores.get("total"))
    psychosocial = (
        _optional_int(subscales.get("psychosocial")) if isinstance(subscales, dict) else None
    )
    if total is None or psychosocial is None:
        return None
    if startback_risk(total, psychosocial) is not RiskGroup.HIGH:
        return None
    return row.taken_at.astimezone(tz).date()


def _earlier_pain(history: Sequence[SessionRecord], today: date) -> list[int]:
    return [s.pain_before for s in history if s.pain_before is not None and s.day < today]


def todays_plan(
    db: Session,
    catalog: Catalog,
    *,
    today: date,
    program_id: str,
    length: Length,
    pain_now: int | None = None,
    user_id: int | None = None,
    tz: tzinfo = UTC,
    history_view: HistoryView | None = None,
) -> PlanDecision:
    """Today's plan for the (local) user, or a refusal saying why and what to do.

    Args:
        db: a store session (read only here).
        catalog: the content.
        today: the local date of the session.
        program_id: the program to follow.
        length: short or full.
        pain_now: today's pain before the session (0-10), if already asked.
        user_id: the user; default the implicit local user.
        tz: the local time zone, for dates of stored sessions and screenings.
        history_view: what the planner sees of the history, when not all of it; the
            cached answer is kept under ``catalog``, so a view must come with its own
            catalog object (a clinician's program version has one).

    Raises:
        UsageError: unknown program or length, or pain out of range.
    """
    uid = user_id if user_id is not None else local_user(db).id

    def decide() -> PlanDecision:
        return _decide(db, catalog, uid, today, program_id, length, pain_now, tz, history_view)

    if pain_now is not None:  # asked just before a session starts: not worth keeping
        return decide()
    return page_cache.cached(
        db,
        name="plan",
        user_id=uid,
        key=(today, tz, program_id, length),
        anchor=catalog,
        compute=decide,
    )


def _decide(
    db: Session,
    catalog: Catalog,
    uid: int,
    today: date,
    program_id: str,
    length: Length,
    pain_now: int | None,
    tz: tzinfo,
    history_view: HistoryView | None,
) -> PlanDecision:
    history = load_history(db, user_id=uid, tz=tz)
    if history_view is not None:
        history = history_view(history)
    screening = latest_screening_record(db, user_id=uid, tz=tz)
    decision = build_plan(
        catalog,
        program_id,
        length,
        history,
        today=today,
        screening=screening,
        pain_limit=pain_limit(db, user_id=uid),
        pain_now=pain_now,
        high_risk_on=high_risk_since(db, user_id=uid, tz=tz),
    )
    if decision.refusal is Refusal.NO_SCREENING:
        # Say so when the stored screening no longer matches the questions.
        why = screening_needed(
            db, user_id=uid, today=today, pain_now=pain_now,
            earlier_pain=_earlier_pain(history, today), tz=tz,
        )  # fmt: skip
        if why:
            return PlanDecision(plan=None, refusal=decision.refusal, message=why)
    return decision
