"""The desk companion's running state, one row per user and surface, and the desk clock.

A desk timer's state (the countdown, the away flag, the day's skips and
snoozes, the posture monitor) outlives the request that changed it, so it lives
here, not in a server process: any worker, and the next request, picks it up.
``lock_desk_state`` takes the row's write lock before reading it (an ``UPDATE``
of its ``version``: a row lock on PostgreSQL, the write lock on SQLite), so two
workers ticking the same desk run one after the other and neither overwrites
the other's change. The lock is held until the caller commits.

``desk_clock_origin``: the one real moment at which every process's sped-up
desk clock (``Settings.time_scale``) agrees with real time, so several workers
tell the same desk time.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Float, ForeignKey, Integer, String, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Mapped, Session, mapped_column

from backcoach.store.models import Base
from backcoach.store.types import JSONDocument


class DeskState(Base):
    """One desk timer (``source``: "web", "terminal"), as a JSON document."""

    __tablename__ = "desk_state"

    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    source: Mapped[str] = mapped_column(String(16), primary_key=True)
    version: Mapped[int] = mapped_column(Integer, default=1, server_default="1")
    state: Mapped[dict[str, Any] | None] = mapped_column(JSONDocument, nullable=True)


class DeskClock(Base):
    """One row: the real time (Unix seconds) at which sped-up desk clocks start."""

    __tablename__ = "desk_clock"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    origin_real: Mapped[float] = mapped_column(Float)


def _insert_missing(db: Session, table: type[Base], values: dict[str, Any]) -> None:
    """Insert a row unless one with its key is there (a concurrent insert is no error)."""
    dialect = db.get_bind().dialect.name
    insert = pg_insert if dialect == "postgresql" else sqlite_insert
    db.execute(insert(table).values(**values).on_conflict_do_nothing())


def lock_desk_state(db: Session, *, user_id: int, source: str) -> dict[str, Any] | None:
    """Take the desk row's write lock (creating the row) and read its state (None: new).

    The lock is held until the caller's transaction ends.
    """
    where = (DeskState.user_id == user_id, DeskState.source == source)
    bumped = db.execute(update(DeskState).where(*where).values(version=DeskState.version + 1))
    if not getattr(bumped, "rowcount", 0):
        _insert_missing(db, DeskState, {"user_id": user_id, "source": source, "version": 1})
        db.execute(update(DeskState).where(*where).values(version=DeskState.version + 1))
    state = db.execute(select(DeskState.state).where(*where)).scalar_one()
    return None if state is None else dict(state)


def read_desk_state(db: Session, *, user_id: int, source: str) -> dict[str, Any] | None:
    """The desk row's state as last committed, without a lock (None: no row yet)."""
    state = db.execute(
        select(DeskState.state).where(DeskState.user_id == user_id, DeskState.source == source)
    ).scalar_one_or_none()
    return None if state is None else dict(state)


def save_desk_state(db: Session, *, user_id: int, source: str, state: dict[str, Any]) -> None:
    """Write the state of a desk row locked by ``lock_desk_state`` (flushes; caller commits)."""
    db.execute(
        update(DeskState)
        .where(DeskState.user_id == user_id, DeskState.source == source)
        .values(state=state)
    )


def desk_clock_origin(db: Session, *, default: float | None = None) -> float | None:
    """The stored origin of the desk clock; a first caller with a ``default`` stores it.

    Without a default nothing is written (None: no origin stored yet).
    """
    if default is not None:
        _insert_missing(db, DeskClock, {"id": 1, "origin_real": default})
    origin: float | None = db.execute(
        select(DeskClock.origin_real).where(DeskClock.id == 1)
    ).scalar_one_or_none()
    return origin
