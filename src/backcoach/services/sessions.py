"""The session service: run a guided session and never lose a completed step.

Used by the terminal workout and the web app alike. A session row holds the
plan and the engine's latest snapshot; every completed or skipped step is
written as a step event *in the same transaction* as the snapshot, committed
the moment the engine reports it. After a crash, the session is still
``in_progress``: ``find_resumable`` finds it and ``resume_session`` continues
from the step after the last recorded one.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy.orm import Session

from backcoach.coach.engine import (
    EndReason,
    Event,
    Notice,
    NoticeKind,
    SessionEngine,
    StepRecord,
)
from backcoach.coach.engine import (
    StepStatus as EngineStepStatus,
)
from backcoach.coach.plan import PlannedStep, SessionPlan, VariantLevel
from backcoach.content import Kind, Length
from backcoach.errors import UsageError
from backcoach.store import (
    SessionStatus,
    StepEvent,
    StepSource,
    StepStatus,
    WorkoutSession,
    add_session,
    delete_step_event,
    get_session,
    latest_in_progress,
    list_step_events,
    put_step_event,
)

# Notices after which the stored snapshot is brought up to date (ticks and reps
# in between are not worth a write: a crash resumes at the step anyway).
_CHECKPOINT_NOTICES = frozenset(
    {
        NoticeKind.SESSION_STARTED,
        NoticeKind.STEP_STARTED,
        NoticeKind.STEP_REOPENED,
        NoticeKind.STEP_COMPLETED,
        NoticeKind.STEP_SKIPPED,
        NoticeKind.PAUSED,
        NoticeKind.RESUMED,
        NoticeKind.SESSION_FINISHED,
    }
)


@dataclass
class ActiveSession:
    """A stored session and the engine running it."""

    id: int
    plan: SessionPlan
    engine: SessionEngine


@dataclass(frozen=True)
class ResumeOffer:
    """An interrupted session that can be continued at ``resume_index`` (0-based)."""

    session_id: int
    program_id: str
    length: str
    started_at: datetime
    resume_index: int
    steps_total: int
    step_name: str
    steps_done: int


@dataclass(frozen=True)
class SessionSummary:
    session_id: int
    status: SessionStatus
    started_at: datetime
    ended_at: datetime | None
    steps_total: int
    steps_completed: int
    steps_skipped: int
    reps: int
    hold_s: float
    active_s: float
    pain_before: int | None
    pain_after: int | None
    effort: int | None


# --- plans as JSON ----------------------------------------------------------


def plan_to_json(plan: SessionPlan) -> dict[str, Any]:
    """The plan as JSON data (``plan_from_json`` reads it back unchanged)."""
    return {
        "program_id": plan.program_id,
        "length": str(plan.length),
        "steps": [
            {
                **asdict(step),
                "kind": str(step.kind),
                "variant": str(step.variant),
                "notes": list(step.notes),
            }
            for step in plan.steps
        ],
    }


def plan_from_json(data: dict[str, Any]) -> SessionPlan:
    steps = tuple(
        PlannedStep(
            **{
                **raw,
                "kind": Kind(raw["kind"]),
                "variant": VariantLevel(raw["variant"]),
                "notes": tuple(raw.get("notes", ())),
            }
        )
        for raw in data["steps"]
    )
    return SessionPlan(program_id=data["program_id"], length=Length(data["length"]), steps=steps)


# --- starting, loading, recording ---------------------------------------------


def start_session(
    db: Session,
    *,
    user_id: int,
    plan: SessionPlan,
    now: datetime,
    pain_before: int | None = None,
) -> ActiveSession:
    """Store a new session for ``plan`` (not yet started: apply ``Start`` next). Commits."""
    engine = SessionEngine(plan)
    row = add_session(
        db,
        user_id=user_id,
        program_id=plan.program_id,
        length=str(plan.length),
        plan=plan_to_json(plan),
        snapshot=engine.snapshot(),
        started_at=now,
        pain_before=pain_before,
    )
    db.commit()
    return ActiveSession(id=row.id, plan=plan, engine=engine)


def _row(db: Session, session_id: int, user_id: int | None) -> WorkoutSession:
    row = get_session(db, session_id=session_id, user_id=user_id)
    if row is None:
        raise UsageError(f"There is no session {session_id}.")
    return row


def load_session(db: Session, *, session_id: int, user_id: int | None = None) -> ActiveSession:
    """The session with its engine exactly as last stored (for the web app's requests)."""
    row = _row(db, session_id, user_id)
    plan = plan_from_json(row.plan)
    engine = (
        SessionEngine.restore(plan, row.snapshot)
        if row.snapshot is not None
        else SessionEngine(plan)
    )
    return ActiveSession(id=row.id, plan=plan, engine=engine)


def record_notices(
    db: Session,
    *,
    active: ActiveSession,
    notices: list[Notice],
    now: datetime,
    source: StepSource = StepSource.MANUAL,
    checkpoint: bool = False,
) -> bool:
    """Store what ``notices`` report, with the engine's snapshot; commits if anything changed.

    A completed or skipped step becomes a step event, a reopened step loses
    its event, a finished session gets its status and end time. With
    ``checkpoint`` the snapshot is saved even when nothing else happened.
    Returns True when something was committed.
    """
    kinds = {notice.kind for notice in notices}
    if not checkpoint and not kinds & _CHECKPOINT_NOTICES:
        return False
    row = _row(db, active.id, None)
    for notice in notices:
        if notice.kind in (NoticeKind.STEP_COMPLETED, NoticeKind.STEP_SKIPPED):
            assert notice.record is not None
            _put_record(db, active, notice.record, now=now, source=source)
        elif notice.kind is NoticeKind.STEP_REOPENED:
            delete_step_event(db, session_id=active.id, step_index=notice.step_index)
    state = active.engine.state
    if state.finished and row.status is SessionStatus.IN_PROGRESS:
        row.status = (
            SessionStatus.COMPLETED if state.ended_by is EndReason.COMPLETED else SessionStatus.QUIT
        )
        row.ended_at = now
    row.snapshot = active.engine.snapshot()
    db.commit()
    return True


def _put_record(
    db: Session, active: ActiveSession, record: StepRecord, *, now: datetime, source: StepSource
) -> None:
    step = active.plan.steps[record.index]
    put_step_event(
        db,
        session_id=active.id,
        step_index=record.index,
        exercise_id=record.exercise_id,
        variant=str(step.variant),
        status=StepStatus(str(record.status)),
        reps=record.reps if step.kind in (Kind.REPS, Kind.BREATHING) else None,
        hold_s=record.hold_s if record.hold_s > 0 else None,
        duration_s=record.duration_s,
        source=source,
        at=now,
    )


def apply_event(
    db: Session,
    *,
    active: ActiveSession,
    event: Event,
    now: datetime,
    source: StepSource = StepSource.MANUAL,
) -> list[Notice]:
    """Apply ``event`` to the session's engine and store the result (always checkpointed)."""
    notices = active.engine.apply(event)
    record_notices(db, active=active, notices=notices, now=now, source=source, checkpoint=True)
    return notices


# --- interrupted sessions ---------------------------------------------------------


def _after_last_recorded(events: Sequence[StepEvent]) -> int:
    """The step after the last completed (or skipped) one: where a session resumes."""
    return max((e.step_index for e in events), default=-1) + 1


def find_resumable(db: Session, *, user_id: int) -> ResumeOffer | None:
    """The latest interrupted session, if there are steps left to do in it."""
    row = latest_in_progress(db, user_id=user_id)
    if row is None:
        return None
    plan = plan_from_json(row.plan)
    events = list_step_events(db, session_id=row.id)
    resume_index = _after_last_recorded(events)
    if resume_index >= len(plan.steps):
        return None
    return ResumeOffer(
        session_id=row.id,
        program_id=row.program_id,
        length=row.length,
        started_at=row.started_at,
        resume_index=resume_index,
        steps_total=len(plan.steps),
        step_name=plan.steps[resume_index].name,
        steps_done=len(events),
    )


def resume_session(db: Session, *, session_id: int, user_id: int | None = None) -> ActiveSession:
    """A fresh engine for an interrupted session, starting after its last recorded step.

    The steps already recorded are handed to the engine so its summary
    counts them. Apply ``Start`` to begin. Commits the new snapshot.
    """
    row = _row(db, session_id, user_id)
    if row.status is not SessionStatus.IN_PROGRESS:
        raise UsageError(f"Session {session_id} is {row.status.value}; it cannot be resumed.")
    plan = plan_from_json(row.plan)
    events = list_step_events(db, session_id=row.id)
    resume_index = _after_last_recorded(events)
    if resume_index >= len(plan.steps):
        raise UsageError(f"Every step of session {session_id} is already done.")
    sets_done = _sets_done_in_snapshot(row.snapshot)
    records = [
        StepRecord(
            index=e.step_index,
            exercise_id=e.exercise_id,
            status=EngineStepStatus(e.status.value),
            reps=e.reps or 0,
            hold_s=e.hold_s or 0.0,
            duration_s=e.duration_s or 0.0,
            sets_done=sets_done.get(
                e.step_index,
                plan.steps[e.step_index].sets if e.status is StepStatus.COMPLETED else 0,
            ),
        )
        for e in events
    ]
    engine = SessionEngine.resume_at(plan, resume_index, records)
    row.snapshot = engine.snapshot()
    db.commit()
    return ActiveSession(id=row.id, plan=plan, engine=engine)


def _sets_done_in_snapshot(snapshot: dict[str, Any] | None) -> dict[int, int]:
    try:
        records = (snapshot or {})["state"]["records"]
        return {int(r["index"]): int(r["sets_done"]) for r in records}
    except (KeyError, TypeError, ValueError):
        return {}


def begin_session(
    db: Session,
    *,
    user_id: int,
    plan: SessionPlan,
    now: datetime,
    resume: Callable[[ResumeOffer], bool] | None = None,
    pain_before: int | None = None,
) -> ActiveSession:
    """Today's session: the interrupted one if ``resume(offer)`` says yes, else a new one.

    An interrupted session that is not resumed is marked abandoned, so it is
    offered only once. Commits.
    """
    offer = find_resumable(db, user_id=user_id)
    if offer is not None:
        if resume is not None and resume(offer):
            return resume_session(db, session_id=offer.session_id, user_id=user_id)
        abandon_session(db, session_id=offer.session_id, now=now)
    return start_session(db, user_id=user_id, plan=plan, now=now, pain_before=pain_before)


class NoticeRecorder:
    """An ``on_notice(engine, notices)`` callback that stores a running session's progress.

    Every completed or skipped step is committed the moment the engine reports it.
    """

    def __init__(
        self,
        db: Session,
        active: ActiveSession,
        *,
        source: StepSource = StepSource.MANUAL,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self.db = db
        self.active = active
        self.source = source
        self.clock = clock

    def __call__(self, engine: SessionEngine, notices: Sequence[Notice]) -> None:
        if engine is not self.active.engine:
            raise ValueError("this recorder belongs to another session's engine")
        record_notices(
            self.db, active=self.active, notices=list(notices), now=self.clock(), source=self.source
        )


def abandon_session(db: Session, *, session_id: int, now: datetime) -> None:
    """Mark an interrupted session as abandoned (the user chose not to resume it). Commits."""
    row = _row(db, session_id, None)
    if row.status is SessionStatus.IN_PROGRESS:
        row.status = SessionStatus.ABANDONED
        row.ended_at = now
        db.commit()


# --- finishing ------------------------------------------------------------------


def finish_session(
    db: Session,
    *,
    session_id: int,
    now: datetime,
    pain_after: int | None = None,
    effort: int | None = None,
) -> SessionSummary:
    """Close the session (quit if the engine had not finished it), store the after
    check-in values and return the summary. Commits."""
    row = _row(db, session_id, None)
    if row.status is SessionStatus.IN_PROGRESS:
        row.status = SessionStatus.QUIT
        row.ended_at = now
    if pain_after is not None:
        row.pain_after = pain_after
    if effort is not None:
        row.effort = effort
    db.commit()
    return summarize(db, session_id=session_id)


def summarize(db: Session, *, session_id: int) -> SessionSummary:
    row = _row(db, session_id, None)
    events = list_step_events(db, session_id=session_id)
    return SessionSummary(
        session_id=row.id,
        status=row.status,
        started_at=row.started_at,
        ended_at=row.ended_at,
        steps_total=len(row.plan["steps"]),
        steps_completed=sum(e.status is StepStatus.COMPLETED for e in events),
        steps_skipped=sum(e.status is StepStatus.SKIPPED for e in events),
        reps=sum(e.reps or 0 for e in events),
        hold_s=sum(e.hold_s or 0.0 for e in events),
        active_s=sum(e.duration_s or 0.0 for e in events),
        pain_before=row.pain_before,
        pain_after=row.pain_after,
        effort=row.effort,
    )
