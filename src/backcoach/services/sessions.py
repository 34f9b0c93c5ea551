"""The session service: run a guided session and never lose a completed step or a rep.

Used by the terminal workout, the web player and the camera alike. A session
row holds the plan and the engine's snapshot; every completed or skipped step
is written as a step event *in the same transaction* as the snapshot. After a
crash, the session is still ``in_progress``: ``find_resumable`` finds it and
``resume_session`` continues from the step after the last recorded one.

One writer per session, enforced by the database: every change to a session
(an event from the page or the terminal, a rep the camera counted, "this
hurts", finishing) goes through ``change_session``. It first takes the row's
write lock by bumping its ``version`` (a row lock on PostgreSQL, the write lock
on SQLite), then reads the row, applies the change to the engine restored from
it, and writes the new snapshot, the step events and the change's own rows in
one transaction. A second writer waits for that commit (up to the lock
timeout) and then reads what it wrote. So the stored snapshot is the truth
after every change, and two processes or server workers never overwrite each
other's reps.

The lock comes before the read on purpose: reading first and then
compare-and-setting the version starves a writer whose read keeps landing
while another one commits (the two-writer test saw a camera lose a dozen such
races in a row against a page ticking as fast as SQLite commits).

One shortcut, for the player's tick (every second, and it only moves the
engine's clock): ``change_from_written`` works it out from the session as this
process last committed it and stores it with one compare-and-set of the
version. It never waits its turn in a race: when the version moved (another
writer came first) it writes nothing and the tick goes through
``change_session`` like any change, so no writer is starved and nothing is
overwritten.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field, replace
from datetime import datetime
from typing import Any, Generic, TypeVar
from weakref import WeakKeyDictionary

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
from backcoach.coach.outcome import done_text, title
from backcoach.coach.plan import PlannedStep, SessionPlan, VariantLevel
from backcoach.content import Catalog, Kind, Length
from backcoach.errors import BackcoachError, UsageError
from backcoach.i18n import N_, _
from backcoach.services.checkins import record_checkin
from backcoach.services.clock import wall
from backcoach.store import (
    CheckIn,
    CheckinPhase,
    PainLocation,
    SessionStatus,
    StepEvent,
    StepSource,
    StepStatus,
    WorkoutSession,
    add_session,
    delete_step_event,
    latest_in_progress,
    list_step_events,
    put_step_event,
)
from backcoach.store.sessions import (
    Owner,
    SessionLocked,
    compare_and_write_snapshot,
    lock_session,
    read_session,
    write_snapshot,
)

R = TypeVar("R")

#: Why a session that is over cannot be resumed, by its status (marked; ``{id}``: the session).
_NOT_RESUMABLE: dict[SessionStatus, str] = {
    SessionStatus.COMPLETED: N_("Session {id} is completed; it cannot be resumed."),
    SessionStatus.QUIT: N_("Session {id} is quit; it cannot be resumed."),
    SessionStatus.ABANDONED: N_("Session {id} is abandoned; it cannot be resumed."),
}


class SessionBusy(BackcoachError):
    """Another change held the session too long; nothing was changed. Try again."""


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
    ended_by: EndReason | None = None  # how the engine ended it; None if it never did

    @property
    def title(self) -> str:
        """The end screen's heading: complete, ended early, or stop and rest."""
        return title(self.ended_by)

    @property
    def done_text(self) -> str:
        """What was done, e.g. "You did 3 of 14 steps."."""
        return done_text(self.steps_completed, self.steps_total)


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


# --- the one way to change a session ------------------------------------------------------


@dataclass
class SessionChange:
    """What a change sees and does, inside the transaction that holds the session.

    ``apply`` events to the engine (their notices are stored: step events, the
    finished status); set plain fields on ``row`` (``status``, ``effort``); put
    writes that belong to the same request but are not the session's own (a
    check-in) in ``after``: they run last, once the session's rows are written,
    and may end with the commit themselves.
    """

    db: Session
    row: WorkoutSession
    active: ActiveSession
    now: datetime
    source: StepSource
    #: The camera's form notes on one step (its index and the notes), kept with its record.
    form_notes: tuple[int, list[dict[str, Any]]] | None = None
    notices: list[Notice] = field(default_factory=list)
    writes: list[Callable[[Session], object]] = field(default_factory=list)

    @property
    def engine(self) -> SessionEngine:
        return self.active.engine

    def apply(self, event: Event) -> list[Notice]:
        notices = self.active.engine.apply(event)
        self.notices.extend(notices)
        return notices

    def replace_engine(self, engine: SessionEngine) -> None:
        """Run the session on another engine from now on (resuming after a crash)."""
        self.active.engine = engine

    def after(self, write: Callable[[Session], object]) -> None:
        """Run ``write(db)`` once the session's own rows are written, before the commit."""
        self.writes.append(write)


@dataclass(frozen=True)
class Changed(Generic[R]):
    """A committed change: the session as stored now, what the change returned, what happened."""

    active: ActiveSession
    value: R
    notices: list[Notice]
    stored: bool


def change_session(
    db: Session,
    *,
    session_id: int,
    user_id: Owner,
    now: datetime,
    change: Callable[[SessionChange], R],
    source: StepSource = StepSource.MANUAL,
    form_notes: tuple[int, list[dict[str, Any]]] | None = None,
) -> Changed[R]:
    """Apply ``change`` to the session as stored, and store the result. Commits once.

    The session's write lock is taken first (``store.lock_session``: the bump of
    its ``version``), then the row is read: ``change`` runs exactly once, on the
    latest state, while every other writer waits for the commit. A change that
    alters nothing writes nothing (the bump is rolled back). Start it with no
    writes of your own pending: the change ends the transaction.

    Args:
        db: the store session; the change ends its transaction.
        session_id: the session.
        user_id: its owner (``LocalOwner.LOCAL``: the local user; None: any user, for
            the local terminal and tests).
        now: the wall-clock time written on step events and the end time.
        change: what to do (see ``SessionChange``); its return value is passed on.
        source: ``camera`` when the camera counted it.
        form_notes: the camera's form notes on a step (index, notes), stored with the
            step's record if this change completes it.

    Raises:
        UsageError: no such session (for this user).
        SessionBusy: another writer held the session longer than the lock timeout.
    """
    try:
        row = lock_session(db, session_id=session_id, user_id=user_id)
    except SessionLocked:
        db.rollback()
        raise SessionBusy(
            _("Session {id} is busy with another change; try again.").format(id=session_id)
        ) from None
    if row is None:
        db.rollback()
        raise UsageError(_("There is no session {id}.").format(id=session_id))
    try:
        tx = SessionChange(
            db=db, row=row, active=_active(row), now=now, source=source, form_notes=form_notes
        )
        value = change(tx)
        stored = _store(tx)
        for write in tx.writes:
            write(db)
        stored = stored or bool(tx.writes)
        if stored:
            db.commit()
            _WRITTEN.remember(db, row, tx.active.plan)
        else:
            db.rollback()  # nothing changed: give the version back
    except BaseException:
        db.rollback()
        raise
    return Changed(active=tx.active, value=value, notices=tx.notices, stored=stored)


# --- a tick from the session as this process last wrote it -------------------------------

#: Notices whose change writes more than the snapshot (a step's record, the end).
_RECORDED = frozenset(
    {
        NoticeKind.STEP_COMPLETED,
        NoticeKind.STEP_SKIPPED,
        NoticeKind.STEP_REOPENED,
        NoticeKind.SESSION_FINISHED,
    }
)


@dataclass(frozen=True)
class _Written:
    """A session in progress as this process last committed it; ``version`` says whether
    the database still holds exactly this."""

    version: int
    user_id: int
    started_at: datetime
    plan: SessionPlan
    snapshot: dict[str, Any]


class _WrittenSessions:
    """The sessions in progress this process wrote last, per database (bounded, least
    recently used out; safe across threads)."""

    SIZE = 1024

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._per_database: WeakKeyDictionary[object, OrderedDict[int, _Written]] = (
            WeakKeyDictionary()
        )

    def _entries(self, db: Session) -> OrderedDict[int, _Written]:
        bind = db.get_bind()
        found = self._per_database.get(bind)
        if found is None:
            found = self._per_database[bind] = OrderedDict()
        return found

    def get(self, db: Session, session_id: int) -> _Written | None:
        with self._lock:
            return self._entries(db).get(session_id)

    def put(self, db: Session, session_id: int, written: _Written | None) -> None:
        with self._lock:
            entries = self._entries(db)
            entries.pop(session_id, None)
            if written is not None:
                entries[session_id] = written
                while len(entries) > self.SIZE:
                    entries.popitem(last=False)

    def remember(self, db: Session, row: WorkoutSession, plan: SessionPlan) -> None:
        """Keep a session just committed (forget it once it ended)."""
        if row.status is SessionStatus.IN_PROGRESS and row.snapshot is not None:
            written = _Written(row.version, row.user_id, row.started_at, plan, row.snapshot)
            self.put(db, row.id, written)
        else:
            self.put(db, row.id, None)


_WRITTEN = _WrittenSessions()


def change_from_written(
    db: Session,
    *,
    session_id: int,
    user_id: Owner,
    change: Callable[[ActiveSession, list[Notice]], R],
) -> Changed[R] | None:
    """``change`` applied to the session as this process last wrote it, stored with one
    compare-and-set of its version (``store.sessions.compare_and_write_snapshot``).
    ``change`` adds what happened to the list it is given, and its return value is passed on.

    For a change that moves only the engine (the player's tick, every second): it
    saves the lock's round trip and reading the row. None, with nothing written,
    when it does not apply: this process has not written the session (or it ended),
    it is not ``user_id``'s, the change would record a step or end the session,
    changes nothing, or another writer came first (the version moved). The caller
    then makes the change the usual way (``change_session``), which takes the lock
    and reads the latest state, so nothing another writer did is ever overwritten.

    Raises:
        SessionBusy: another writer held the session longer than the lock timeout.
    """
    written = _WRITTEN.get(db, session_id)
    if written is None or (isinstance(user_id, int) and user_id != written.user_id):
        return None
    engine = SessionEngine.restore(written.plan, written.snapshot)
    active = ActiveSession(id=session_id, plan=written.plan, engine=engine)
    notices: list[Notice] = []
    value = change(active, notices)  # it adds every notice to ``notices``
    if engine.state.finished or any(n.kind in _RECORDED for n in notices):
        return None
    snapshot = engine.snapshot()
    if snapshot == written.snapshot:
        return None
    if not db.in_transaction():  # one statement is its own transaction: no BEGIN, no COMMIT
        db.connection(execution_options={"isolation_level": "AUTOCOMMIT"})
    try:
        version = compare_and_write_snapshot(
            db,
            session_id=session_id,
            started_at=written.started_at,
            version=written.version,
            snapshot=snapshot,
            user_id=user_id,
        )
    except SessionLocked:
        db.rollback()
        raise SessionBusy(
            _("Session {id} is busy with another change; try again.").format(id=session_id)
        ) from None
    if version is None:
        db.rollback()
        _WRITTEN.put(db, session_id, None)
        return None
    try:
        db.commit()
    except BaseException:
        db.rollback()
        _WRITTEN.put(db, session_id, None)
        raise
    _WRITTEN.put(db, session_id, replace(written, version=version, snapshot=snapshot))
    return Changed(active=active, value=value, notices=notices, stored=True)


def _store(tx: SessionChange) -> bool:
    """Write what the change did to the session's own rows; True if anything changed."""
    row, active, db = tx.row, tx.active, tx.db
    events = 0
    for notice in tx.notices:
        if notice.kind in (NoticeKind.STEP_COMPLETED, NoticeKind.STEP_SKIPPED):
            assert notice.record is not None
            notes = tx.form_notes
            faults = notes[1] if notes and notes[0] == notice.record.index else None
            _put_record(db, active, notice.record, now=tx.now, source=tx.source, faults=faults)
            events += 1
        elif notice.kind is NoticeKind.STEP_REOPENED:
            events += delete_step_event(db, session_id=active.id, step_index=notice.step_index)
    state = active.engine.state
    if state.finished and row.status is SessionStatus.IN_PROGRESS:
        # Ended early (skipped through), quit and hurt are all "quit" in the store:
        # only a complete session counts as completed and towards a streak.
        row.status = (
            SessionStatus.COMPLETED if state.ended_by is EndReason.COMPLETED else SessionStatus.QUIT
        )
        row.ended_at = tx.now
    snapshot = active.engine.snapshot()
    if snapshot == row.snapshot:
        return events > 0 or db.is_modified(row)
    if events == 0 and not db.is_modified(row):  # a tick: only the snapshot moves
        write_snapshot(db, row, snapshot)
        return True
    row.snapshot = snapshot
    return True


def _row(db: Session, session_id: int, user_id: int | None) -> WorkoutSession:
    """The session as stored now (read afresh, not from the store session's cache)."""
    row = read_session(db, session_id=session_id, user_id=user_id)
    if row is None:
        raise UsageError(_("There is no session {id}.").format(id=session_id))
    return row


def _active(row: WorkoutSession) -> ActiveSession:
    plan = plan_from_json(row.plan)
    engine = (
        SessionEngine.restore(plan, row.snapshot)
        if row.snapshot is not None
        else SessionEngine(plan)
    )
    return ActiveSession(id=row.id, plan=plan, engine=engine)


def _put_record(
    db: Session,
    active: ActiveSession,
    record: StepRecord,
    *,
    now: datetime,
    source: StepSource,
    faults: list[dict[str, Any]] | None = None,
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
        faults=faults or None,
    )


# --- starting, loading, applying events ---------------------------------------------------


def start_session(
    db: Session,
    *,
    user_id: int,
    plan: SessionPlan,
    now: datetime,
    pain_before: int | None = None,
    location: PainLocation = PainLocation.LOW_BACK,
    checkin: bool = False,
    program_version_id: int | None = None,
) -> ActiveSession:
    """Store a new session for ``plan`` (not yet started: apply ``Start`` next). Commits once.

    With ``checkin`` the pain before is also stored as the session's before
    check-in (as the player and the terminal do), in the same transaction.
    ``program_version_id``: the clinician's program version the plan follows (clinic mode).
    """
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
        program_version_id=program_version_id,
    )
    if checkin and pain_before is not None:
        record_checkin(
            db,
            user_id=user_id,
            phase=CheckinPhase.BEFORE,
            pain=pain_before,
            location=location,
            now=now,
            session_id=row.id,
        )
    db.commit()
    return ActiveSession(id=row.id, plan=plan, engine=engine)


def load_session(db: Session, *, session_id: int, user_id: int | None = None) -> ActiveSession:
    """The session with its engine exactly as stored now (read only)."""
    return _active(_row(db, session_id, user_id))


def apply_event(
    db: Session,
    *,
    active: ActiveSession,
    event: Event,
    now: datetime,
    source: StepSource = StepSource.MANUAL,
) -> list[Notice]:
    """Apply ``event`` to the stored session (``change_session``); ``active`` follows it."""
    changed = change_session(
        db,
        session_id=active.id,
        user_id=None,
        now=now,
        source=source,
        change=lambda tx: tx.apply(event),
    )
    active.engine = changed.active.engine
    return changed.value


# --- interrupted sessions ---------------------------------------------------------


def _after_last_recorded(events: Sequence[StepEvent]) -> int:
    """The step after the last completed (or skipped) one: where a session resumes."""
    return max((e.step_index for e in events), default=-1) + 1


def find_resumable(
    db: Session, *, user_id: int, catalog: Catalog | None = None
) -> ResumeOffer | None:
    """The latest interrupted session, if there are steps left to do in it.

    The next step is named from ``catalog`` (the content in the reader's language)
    when given and it has the exercise; else by the name the plan was stored with.
    """
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
        step_name=_step_name(plan.steps[resume_index], catalog),
        steps_done=len(events),
    )


def _step_name(step: PlannedStep, catalog: Catalog | None) -> str:
    exercise = catalog.exercises.get(step.exercise_id) if catalog is not None else None
    return exercise.name if exercise is not None else step.name


def resume_session(
    db: Session, *, session_id: int, user_id: int | None = None, now: datetime | None = None
) -> ActiveSession:
    """A fresh engine for an interrupted session, starting after its last recorded step.

    The steps already recorded are handed to the engine so its summary
    counts them. Apply ``Start`` to begin. Commits the new snapshot.
    """

    def resume(tx: SessionChange) -> None:
        row = tx.row
        if row.status is not SessionStatus.IN_PROGRESS:
            raise UsageError(_(_NOT_RESUMABLE[row.status]).format(id=session_id))
        plan = tx.active.plan
        events = list_step_events(tx.db, session_id=row.id)
        resume_index = _after_last_recorded(events)
        if resume_index >= len(plan.steps):
            raise UsageError(_("Every step of session {id} is already done.").format(id=session_id))
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
        tx.replace_engine(SessionEngine.resume_at(plan, resume_index, records))

    changed = change_session(
        db,
        session_id=session_id,
        user_id=user_id,
        now=now if now is not None else wall(),
        change=resume,
    )
    return changed.active


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
            return resume_session(db, session_id=offer.session_id, user_id=user_id, now=now)
        abandon_session(db, session_id=offer.session_id, now=now, user_id=user_id)
    return start_session(db, user_id=user_id, plan=plan, now=now, pain_before=pain_before)


def abandon_session(
    db: Session, *, session_id: int, now: datetime, user_id: int | None = None
) -> None:
    """Mark an interrupted session as abandoned (the user chose not to resume it). Commits."""

    def abandon(tx: SessionChange) -> None:
        if tx.row.status is SessionStatus.IN_PROGRESS:
            tx.row.status = SessionStatus.ABANDONED
            tx.row.ended_at = now

    change_session(db, session_id=session_id, user_id=user_id, now=now, change=abandon)


# --- finishing ------------------------------------------------------------------


def close_session(
    tx: SessionChange,
    *,
    pain_after: int | None = None,
    effort: int | None = None,
    location: PainLocation = PainLocation.LOW_BACK,
    checkin: bool = False,
) -> None:
    """The change that closes a session: quit if still in progress, the after values stored.

    With ``checkin`` the pain after (and effort) is stored as an after check-in on
    the session, as the player and the terminal do; without, only on the row.
    """
    row = tx.row
    if row.status is SessionStatus.IN_PROGRESS:
        row.status = SessionStatus.QUIT
        row.ended_at = tx.now
    if checkin and pain_after is not None:
        tx.after(
            lambda db: record_checkin(
                db,
                user_id=row.user_id,
                phase=CheckinPhase.AFTER,
                pain=pain_after,
                effort=effort,
                location=location,
                now=tx.now,
                session_id=row.id,
            )
        )
        return
    if pain_after is not None:
        row.pain_after = pain_after
    if effort is not None:
        row.effort = effort


def save_checkin(
    db: Session,
    *,
    user_id: int,
    phase: CheckinPhase,
    pain: int,
    now: datetime,
    location: PainLocation = PainLocation.LOW_BACK,
    effort: int | None = None,
    session_id: int | None = None,
    exercise_id: str | None = None,
) -> CheckIn:
    """Store one check-in in its own transaction. Commits once.

    A check-in on a session also sets the session's pain fields, so it goes through
    ``change_session`` like every other change to a session.

    Raises:
        UsageError: see ``record_checkin``; nothing is stored.
    """

    def write(target: Session) -> CheckIn:
        return record_checkin(
            target, user_id=user_id, phase=phase, pain=pain, now=now, location=location,
            effort=effort, session_id=session_id, exercise_id=exercise_id,
        )  # fmt: skip

    if session_id is None:
        try:
            checkin = write(db)
            db.commit()
        except BaseException:
            db.rollback()
            raise
        return checkin
    stored: list[CheckIn] = []
    change_session(
        db,
        session_id=session_id,
        user_id=user_id,
        now=now,
        change=lambda tx: tx.after(lambda target: stored.append(write(target))),
    )
    return stored[0]


def finish_session(
    db: Session,
    *,
    session_id: int,
    now: datetime,
    user_id: int | None = None,
    pain_after: int | None = None,
    effort: int | None = None,
) -> SessionSummary:
    """Close the session (quit if the engine had not finished it), store the after
    values on it and return the summary. Commits once.

    The player and the terminal use ``session_events.finish``, which also ends
    the engine and stores the after check-in.
    """
    change_session(
        db,
        session_id=session_id,
        user_id=user_id,
        now=now,
        change=lambda tx: close_session(tx, pain_after=pain_after, effort=effort),
    )
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
        ended_by=_ended_by(row),
    )


def _ended_by(row: WorkoutSession) -> EndReason | None:
    """How the engine ended the session, from its snapshot (None if it has not, or unreadable)."""
    state = (row.snapshot or {}).get("state")
    value = state.get("ended_by") if isinstance(state, dict) else None
    try:
        return None if value is None else EndReason(value)
    except ValueError:
        return None
