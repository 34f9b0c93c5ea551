"""Sessions and their step events."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from enum import Enum
from typing import Any, TypeVar

from sqlalchemy import String, Table, bindparam, select, type_coerce, update
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session, selectinload, undefer
from sqlalchemy.orm.attributes import set_committed_value

from backcoach.store.models import (
    SessionStatus,
    StepEvent,
    StepSource,
    StepStatus,
    User,
    WorkoutSession,
)
from backcoach.store.users import LOCAL_USER_NAME


def add_session(
    db: Session,
    *,
    user_id: int,
    program_id: str,
    length: str,
    plan: dict[str, Any],
    started_at: datetime,
    snapshot: dict[str, Any] | None = None,
    pain_before: int | None = None,
    status: SessionStatus = SessionStatus.IN_PROGRESS,
    program_version_id: int | None = None,
) -> WorkoutSession:
    session = WorkoutSession(
        user_id=user_id,
        program_id=program_id,
        program_version_id=program_version_id,
        length=length,
        plan=plan,
        snapshot=snapshot,
        status=status,
        started_at=started_at,
        pain_before=pain_before,
    )
    db.add(session)
    db.flush()
    return session


def get_session(
    db: Session, *, session_id: int, user_id: int | None = None
) -> WorkoutSession | None:
    """The session with ``session_id`` (only if it belongs to ``user_id``, when given)."""
    session = db.get(WorkoutSession, session_id)
    if session is None or (user_id is not None and session.user_id != user_id):
        return None
    return session


def read_session(
    db: Session, *, session_id: int, user_id: int | None = None
) -> WorkoutSession | None:
    """The session as the database holds it now, snapshot included (cached copies refreshed)."""
    session = db.get(
        WorkoutSession,
        session_id,
        options=[undefer(WorkoutSession.snapshot)],
        populate_existing=True,
    )
    if session is None or (user_id is not None and session.user_id != user_id):
        return None
    return session


class SessionLocked(Exception):
    """Another writer held the session for longer than the database's lock timeout."""


# The lock of ``lock_session``, built once (a tick of the player takes it every second).
_LOCK = (
    update(WorkoutSession)
    .where(WorkoutSession.id == bindparam("locked_id"))
    .values(version=WorkoutSession.version + 1)
    .returning(WorkoutSession)
    .options(undefer(WorkoutSession.snapshot))
)
_LOCK_OWN = _LOCK.where(WorkoutSession.user_id == bindparam("owner_id"))
# The local user's session: whose it is checked inside the lock, not by a query of its own.
_LOCK_LOCAL = _LOCK.where(
    WorkoutSession.user_id == select(User.id).where(User.name == LOCAL_USER_NAME).scalar_subquery()
)


class LocalOwner(Enum):
    """The owner of a session in local mode: the local user, named in the lock's statement."""

    LOCAL = "local"


#: Whose session a change may touch: a user's id, the local user, or (None) anyone's.
Owner = int | LocalOwner | None
S = TypeVar("S")


def _for_owner(statements: tuple[S, S, S], user_id: Owner, params: dict[str, Any]) -> S:
    """Of a statement for anyone's session, for one user's (``owner_id`` is put in
    ``params``) and for the local user's: the one for ``user_id``."""
    anyone, own, local = statements
    if user_id is None:
        return anyone
    if isinstance(user_id, LocalOwner):
        return local
    params["owner_id"] = user_id
    return own


def lock_session(db: Session, *, session_id: int, user_id: Owner = None) -> WorkoutSession | None:
    """Take the session's write lock until the transaction ends, and read it as it is now.

    The lock is the bump of ``version``, the transaction's first statement:
    PostgreSQL locks the row (like ``SELECT ... FOR UPDATE``), SQLite the
    database (like ``BEGIN IMMEDIATE``). Its ``RETURNING`` reads the row in the
    same round trip. A second writer waits until the first one commits, then
    reads what it wrote; it waits ``BUSY_TIMEOUT_MS`` at most.
    ``None`` (and no lock) when there is no such session for ``user_id``
    (``LocalOwner.LOCAL``: the local user, found in the same statement).

    Raises:
        SessionLocked: the wait timed out.
    """
    params: dict[str, Any] = {"locked_id": session_id}
    locked = _for_owner((_LOCK, _LOCK_OWN, _LOCK_LOCAL), user_id, params)
    try:
        return db.scalars(
            locked,
            params,
            execution_options={"synchronize_session": False, "populate_existing": True},
        ).one_or_none()
    except OperationalError as exc:
        if _lock_timed_out(exc):
            raise SessionLocked(f"session {session_id} is locked by another writer") from exc
        raise


def _lock_timed_out(exc: OperationalError) -> bool:
    """PostgreSQL's lock_not_available (``lock_timeout``, set per connection by
    ``store.db.make_engine``), or SQLite's busy timeout."""
    return getattr(exc.orig, "sqlstate", None) == "55P03" or "locked" in str(exc.orig)


# The snapshot's own UPDATE, built once: a tick of the player writes only the snapshot.
_SESSIONS = WorkoutSession.__table__
assert isinstance(_SESSIONS, Table)
_WRITE_SNAPSHOT = (
    update(_SESSIONS)
    .where(_SESSIONS.c.id == bindparam("written_id"))
    .values(snapshot=bindparam("snapshot", type_=_SESSIONS.c.snapshot.type))
)


def write_snapshot(db: Session, row: WorkoutSession, snapshot: dict[str, Any]) -> None:
    """Store ``row``'s new engine snapshot with one statement of its own.

    For a change that moves nothing else (a tick): the unit of work's flush of one
    column cost about a tenth of a tick. The row keeps the value as if flushed. A
    snapshot alone is no change the pages show: it bumps no revision.
    """
    db.connection().execute(_WRITE_SNAPSHOT, {"written_id": row.id, "snapshot": snapshot})
    set_committed_value(row, "snapshot", snapshot)


_CAS = (
    update(_SESSIONS)
    .where(
        _SESSIONS.c.id == bindparam("written_id"),
        _SESSIONS.c.version == bindparam("seen"),
        # a row given the same id after "delete all my data" is another session
        _SESSIONS.c.started_at == bindparam("seen_started", type_=_SESSIONS.c.started_at.type),
    )
    .values(
        snapshot=bindparam("snapshot", type_=_SESSIONS.c.snapshot.type),
        version=_SESSIONS.c.version + 1,
    )
    .returning(_SESSIONS.c.version)
)
_CAS_OWN = _CAS.where(_SESSIONS.c.user_id == bindparam("owner_id"))
_CAS_LOCAL = _CAS.where(
    _SESSIONS.c.user_id == select(User.id).where(User.name == LOCAL_USER_NAME).scalar_subquery()
)


def compare_and_write_snapshot(
    db: Session,
    *,
    session_id: int,
    started_at: datetime,
    version: int,
    snapshot: dict[str, Any],
    user_id: Owner = None,
) -> int | None:
    """Store a new snapshot if the session (started at ``started_at``) is still at
    ``version``; its new version, else None.

    One statement for a change worked out from the session as this process last
    wrote it (``services.sessions.change_from_written``): it bumps ``version`` like
    the lock, so it takes the same row lock (PostgreSQL) or write lock (SQLite) and
    waits for a writer holding it; a writer that came first has moved the version,
    and nothing is written. The caller commits.

    Raises:
        SessionLocked: the wait timed out.
    """
    params: dict[str, Any] = {
        "written_id": session_id,
        "seen_started": started_at,
        "seen": version,
        "snapshot": snapshot,
    }
    statement = _for_owner((_CAS, _CAS_OWN, _CAS_LOCAL), user_id, params)
    try:
        written = db.connection().execute(statement, params).scalar_one_or_none()
    except OperationalError as exc:
        if _lock_timed_out(exc):
            raise SessionLocked(f"session {session_id} is locked by another writer") from exc
        raise
    return None if written is None else int(written)


def latest_in_progress(db: Session, *, user_id: int) -> WorkoutSession | None:
    """The most recently started session still marked in progress."""
    return db.scalars(
        select(WorkoutSession)
        .where(
            WorkoutSession.user_id == user_id,
            WorkoutSession.status == SessionStatus.IN_PROGRESS,
        )
        .order_by(WorkoutSession.started_at.desc(), WorkoutSession.id.desc())
        .limit(1)
    ).one_or_none()


def list_sessions(
    db: Session,
    *,
    user_id: int,
    since: datetime | None = None,
    until: datetime | None = None,
    statuses: Sequence[SessionStatus] | None = None,
    with_steps: bool = False,
    newest_first: bool = False,
    limit: int | None = None,
) -> list[WorkoutSession]:
    """The user's sessions by start time (oldest first unless ``newest_first``)."""
    query = select(WorkoutSession).where(WorkoutSession.user_id == user_id)
    if since is not None:
        query = query.where(WorkoutSession.started_at >= since)
    if until is not None:
        query = query.where(WorkoutSession.started_at < until)
    if statuses is not None:
        query = query.where(WorkoutSession.status.in_(list(statuses)))
    if with_steps:
        query = query.options(selectinload(WorkoutSession.steps))
    order = (WorkoutSession.started_at, WorkoutSession.id)
    query = query.order_by(*(c.desc() for c in order) if newest_first else order)
    if limit is not None:
        query = query.limit(limit)
    return list(db.scalars(query))


def put_step_event(
    db: Session,
    *,
    session_id: int,
    step_index: int,
    exercise_id: str,
    variant: str,
    status: StepStatus,
    at: datetime,
    reps: int | None = None,
    hold_s: float | None = None,
    duration_s: float | None = None,
    source: StepSource = StepSource.MANUAL,
    pain: int | None = None,
    faults: list[dict[str, Any]] | None = None,
) -> StepEvent:
    """Record a completed or skipped step; a step done again replaces its earlier record."""
    event = db.scalars(
        select(StepEvent).where(
            StepEvent.session_id == session_id, StepEvent.step_index == step_index
        )
    ).one_or_none()
    if event is None:
        event = StepEvent(session_id=session_id, step_index=step_index)
        db.add(event)
    event.exercise_id = exercise_id
    event.variant = variant
    event.status = status
    event.reps = reps
    event.hold_s = hold_s
    event.duration_s = duration_s
    event.source = source
    event.faults = faults
    if pain is not None or event.pain is None:
        event.pain = pain
    event.at = at
    db.flush()
    return event


def delete_step_event(db: Session, *, session_id: int, step_index: int) -> bool:
    """Forget a step's record (the step was reopened); True if there was one."""
    event = db.scalars(
        select(StepEvent).where(
            StepEvent.session_id == session_id, StepEvent.step_index == step_index
        )
    ).one_or_none()
    if event is None:
        return False
    db.delete(event)
    db.flush()
    return True


def list_step_events(db: Session, *, session_id: int) -> list[StepEvent]:
    return list(
        db.scalars(
            select(StepEvent)
            .where(StepEvent.session_id == session_id)
            .order_by(StepEvent.step_index)
        )
    )


def session_start_times(
    db: Session, *, user_id: int, status: SessionStatus | None = None
) -> list[datetime]:
    """Start times (aware UTC) of all the user's sessions (with ``status``), oldest first.

    Reads thousands of rows for streaks, so on SQLite the stored text is parsed
    directly (``datetime.fromisoformat``), several times faster than the generic
    column type.
    """
    column = WorkoutSession.started_at
    sqlite = db.get_bind().dialect.name == "sqlite"
    query = select(type_coerce(column, String) if sqlite else column).where(
        WorkoutSession.user_id == user_id
    )
    if status is not None:
        query = query.where(WorkoutSession.status == status)
    values: Sequence[Any] = db.scalars(query.order_by(column)).all()
    if sqlite:
        return [datetime.fromisoformat(v).replace(tzinfo=UTC) for v in values]
    return [v.astimezone(UTC) for v in values]
