"""Each user's ``revision``: bumped in the same transaction as every write the pages cache.

Today's plan, the history summary and the pages built on them change only when
a user's sessions, step events, check-ins, screenings, questionnaire answers,
settings or habit logs change. The
caches in ``services.page_cache`` are keyed by the user's revision, so every
such write must bump it, from any process (the web server, a second worker,
the CLI, the terminal workout).

So the store does it, not the callers: a listener on every ORM ``Session``
notes after each flush which users' tracked rows were added, changed or
deleted, and the commit bumps their revisions (``UPDATE users SET revision =
revision + 1``) just before it commits: the new rows and the new number
become visible together. A session row whose only change is its engine
snapshot or its ``version`` (a tick of the player) is not a change the pages
show and bumps nothing. Writes that bypass the ORM (the import's Core bulk
inserts, ``store.db.bulk_insert``) note their rows with ``note_rows``.

The bump is the transaction's last statement, so the ``users`` row is locked
(PostgreSQL) only for the moment of the commit, after any session lock
(``store.sessions.lock_session``) the transaction took: one order, no deadlock.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import event, inspect, select, update
from sqlalchemy.orm import Session, SessionTransaction, UOWTransaction
from sqlalchemy.orm.util import identity_key

from backcoach.store.models import (
    CheckIn,
    HabitLog,
    QuestionnaireResponse,
    Screening,
    StepEvent,
    User,
    UserSetting,
    WorkoutSession,
)

# session.info keys: users (ids) and sessions (ids) whose rows changed since the last commit
_USERS = "backcoach.revision.users"
_SESSIONS = "backcoach.revision.sessions"
# session.info keys for a session of one request (``for_one_request``): that mark, the
# revisions read in it since its last commit, and whether it committed (then a user row
# it loaded before is older than the bump)
_ONE_REQUEST = "backcoach.revision.one_request"
_KNOWN = "backcoach.revision.known"
_COMMITTED = "backcoach.revision.committed"

# Rows whose ``user_id`` says whose revision a change bumps.
_OWNED = (WorkoutSession, CheckIn, Screening, QuestionnaireResponse, UserSetting, HabitLog)
# Columns of a session a tick changes; the pages do not show them.
_TICK_ONLY = frozenset({"snapshot", "version"})


@dataclass(frozen=True)
class Revision:
    """What identifies a state of a user's data: the row (by creation) and its revision.

    ``created_at`` tells a user apart from a later one given the same id after
    "delete all my data" (SQLite reuses the highest id).
    """

    user_id: int
    created_at: datetime
    number: int


def _pending(db: Session, key: str) -> set[int]:
    found = db.info.get(key)
    if found is None:
        found = db.info[key] = set()
    assert isinstance(found, set)
    return found


def mark_changed(db: Session, *, user_id: int) -> None:
    """Bump ``user_id``'s revision when ``db`` commits (for writes that bypass the ORM)."""
    _pending(db, _USERS).add(user_id)


def note_rows(db: Session, model: type[object], rows: Iterable[Mapping[str, Any]]) -> None:
    """Bump the revisions of the owners of ``rows`` of ``model`` (Core inserts) at the commit."""
    if issubclass(model, _OWNED):
        _pending(db, _USERS).update(int(row["user_id"]) for row in rows)
    elif issubclass(model, StepEvent):
        _pending(db, _SESSIONS).update(int(row["session_id"]) for row in rows)


def has_pending_changes(db: Session) -> bool:
    """Whether ``db`` holds tracked writes not committed yet (flushed or not).

    The revision is bumped at the commit, so until then it does not say what
    this session already sees: a cache must not be used.
    """
    if db.info.get(_USERS) or db.info.get(_SESSIONS):
        return True
    return any(_tracked(obj) for obj in (*db.new, *db.dirty, *db.deleted))


def for_one_request(db: Session) -> None:
    """Mark ``db`` as short-lived (one web request): a revision read once holds until it commits.

    The first read of a user's revision in such a session (from the user's row
    when the session loaded it already, the request's ``current_user``, or else
    one query) is kept in the session until its next commit. It was read before
    anything the request reads next, so an answer cached under it is never older
    than its key (it may be newer, when a write came in between; the next request
    then sees the new revision and computes afresh). A long-lived session (the
    terminal's) is not marked and reads the revision every time.
    """
    db.info[_ONE_REQUEST] = True


def user_revision(db: Session, *, user_id: int) -> Revision | None:
    """The user's revision, read before anything cached under it (None: no such user)."""
    if not db.info.get(_ONE_REQUEST):
        return _read_revision(db, user_id)
    known: dict[int, Revision | None] = db.info.setdefault(_KNOWN, {})
    if user_id not in known:
        if db.info.get(_COMMITTED):  # a row loaded before the commit is older than the bump
            known[user_id] = _read_revision(db, user_id)
        else:
            user = db.get(User, user_id)  # no query when the row is loaded already
            known[user_id] = (
                None
                if user is None
                else Revision(user_id=user_id, created_at=user.created_at, number=user.revision)
            )
    return known[user_id]


def user_revisions(db: Session, *, user_ids: Iterable[int]) -> dict[int, Revision | None]:
    """``user_revision`` of many users (a clinician's patients), in one query at most."""
    one_request = bool(db.info.get(_ONE_REQUEST))
    known: dict[int, Revision | None] = db.info.setdefault(_KNOWN, {}) if one_request else {}
    loaded_rows_hold = one_request and not db.info.get(_COMMITTED)
    found: dict[int, Revision | None] = {}
    to_read: list[int] = []
    for user_id in user_ids:
        if user_id in known:
            found[user_id] = known[user_id]
            continue
        user = db.identity_map.get(identity_key(User, user_id)) if loaded_rows_hold else None
        if isinstance(user, User):
            found[user_id] = Revision(user_id, user.created_at, user.revision)
        else:
            to_read.append(user_id)
    if to_read:
        rows = db.execute(
            select(User.id, User.created_at, User.revision).where(User.id.in_(to_read))
        )
        read = {row.id: Revision(row.id, row.created_at, int(row.revision)) for row in rows}
        found.update((user_id, read.get(user_id)) for user_id in to_read)
    known.update(found)
    return found


def _read_revision(db: Session, user_id: int) -> Revision | None:
    row = db.execute(select(User.created_at, User.revision).where(User.id == user_id)).one_or_none()
    if row is None:
        return None
    return Revision(user_id=user_id, created_at=row.created_at, number=int(row.revision))


def _tracked(obj: object) -> bool:
    return isinstance(obj, (*_OWNED, StepEvent))


def _session_changed_beyond_a_tick(row: WorkoutSession) -> bool:
    state = inspect(row)
    return any(attr.key not in _TICK_ONLY and attr.history.has_changes() for attr in state.attrs)


def _note(db: Session, objects: Iterable[Any], *, dirty: bool) -> None:
    users, sessions = _pending(db, _USERS), _pending(db, _SESSIONS)
    for obj in objects:
        if isinstance(obj, WorkoutSession):
            if not dirty or _session_changed_beyond_a_tick(obj):
                users.add(obj.user_id)
        elif isinstance(obj, _OWNED):
            users.add(obj.user_id)
        elif isinstance(obj, StepEvent):
            sessions.add(obj.session_id)


@event.listens_for(Session, "after_flush")
def _after_flush(db: Session, _flush: UOWTransaction) -> None:
    # After the flush the foreign keys are set; new/dirty/deleted and the
    # attribute histories still show what this flush wrote.
    _note(db, db.new, dirty=False)
    _note(db, db.dirty, dirty=True)
    _note(db, db.deleted, dirty=False)


@event.listens_for(Session, "before_commit")
def _before_commit(db: Session) -> None:
    db.flush()  # the commit would flush after this hook: note those rows too
    users: set[int] = db.info.pop(_USERS, None) or set()
    sessions: set[int] = db.info.pop(_SESSIONS, None) or set()
    if not users and not sessions:
        return
    owners = select(WorkoutSession.user_id).where(WorkoutSession.id.in_(sorted(sessions)))
    db.connection().execute(  # Core, past the ORM: no flush, no identity map
        update(User)
        .where(User.id.in_(sorted(users)) | User.id.in_(owners))
        .values(revision=User.revision + 1)
    )


@event.listens_for(Session, "after_transaction_end")
def _after_transaction_end(db: Session, transaction: SessionTransaction) -> None:
    # A rolled-back (outermost) transaction bumps nothing; a savepoint's end keeps
    # what was noted (at worst one bump too many, never one too few).
    if transaction.parent is None:
        db.info.pop(_USERS, None)
        db.info.pop(_SESSIONS, None)


@event.listens_for(Session, "after_commit")
def _after_commit(db: Session) -> None:
    db.info[_COMMITTED] = True
    db.info.pop(_KNOWN, None)
