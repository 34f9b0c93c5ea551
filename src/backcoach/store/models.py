"""The tables. Every row belongs to a user; one implicit local user by default.

Timestamps are timezone-aware UTC (``UTCDateTime``). Enumerated columns are
stored as short strings with a CHECK constraint, so PostgreSQL and SQLite hold
the same values and exports read the same on both.
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import (
    CheckConstraint,
    Date,
    Enum,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from backcoach.store.types import JSONDocument, UTCDateTime

# Stable constraint names, so migrations can refer to them on both databases.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class ScreeningOutcome(StrEnum):
    CLEAR = "clear"
    RED_FLAG = "red_flag"
    CAUTION = "caution"


class SessionStatus(StrEnum):
    IN_PROGRESS = "in_progress"
    COMPLETED = "completed"
    QUIT = "quit"
    ABANDONED = "abandoned"


class StepStatus(StrEnum):
    COMPLETED = "completed"
    SKIPPED = "skipped"


class StepSource(StrEnum):
    MANUAL = "manual"
    CAMERA = "camera"


class CheckinPhase(StrEnum):
    BEFORE = "before"
    DURING = "during"
    AFTER = "after"


class PainLocation(StrEnum):
    LOW_BACK = "low-back"
    NECK = "neck"
    OTHER = "other"


def _enum(enum: type[StrEnum], name: str) -> Enum:
    return Enum(
        enum,
        name=name,
        native_enum=False,
        create_constraint=True,
        length=16,
        values_callable=lambda members: [m.value for m in members],
        validate_strings=True,
    )


class Role(StrEnum):
    """Who a user is. ``local``: the one user of a local install (no sign-in)."""

    LOCAL = "local"
    ADMIN = "admin"
    CLINICIAN = "clinician"
    PATIENT = "patient"


class User(Base):
    """A person. Locally the one implicit user; in clinic mode an account with a role."""

    __tablename__ = "users"
    __table_args__ = (
        Index("uq_users_email", "email", unique=True),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # Bumped by every write the planner or the history reads (store.revision);
    # the page caches are keyed by it.
    revision: Mapped[int] = mapped_column(Integer, server_default="0")
    email: Mapped[str | None] = mapped_column(String(254), nullable=True)
    role: Mapped[Role] = mapped_column(_enum(Role, "role"), server_default=Role.LOCAL.value)
    password_hash: Mapped[str | None] = mapped_column(String(255), nullable=True)
    disabled_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)


class Screening(Base):
    """A safety screening: the answers, the red flags found and the outcome."""

    __tablename__ = "screenings"
    __table_args__ = (Index("ix_screenings_user_taken", "user_id", "taken_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    taken_at: Mapped[datetime] = mapped_column(UTCDateTime)
    answers: Mapped[dict[str, Any]] = mapped_column(JSONDocument)
    red_flags: Mapped[list[str]] = mapped_column(JSONDocument)
    outcome: Mapped[ScreeningOutcome] = mapped_column(_enum(ScreeningOutcome, "outcome"))


class WorkoutSession(Base):
    """One guided session: its plan, the engine's latest snapshot, and its outcome."""

    __tablename__ = "sessions"
    __table_args__ = (
        Index("ix_sessions_user_started", "user_id", "started_at"),
        # Covers the streak query (completed sessions' start times) without reading
        # the rows, whose JSON plans make a full scan slow on SQLite.
        Index("ix_sessions_user_status_started", "user_id", "status", "started_at"),
        CheckConstraint("pain_before BETWEEN 0 AND 10", name="pain_before_range"),
        CheckConstraint("pain_after BETWEEN 0 AND 10", name="pain_after_range"),
        CheckConstraint("effort BETWEEN 0 AND 10", name="effort_range"),
    )
    # ``version`` is read when a change needs it, not fetched back after every insert.
    __mapper_args__ = {"eager_defaults": False}  # noqa: RUF012 (SQLAlchemy reads it once)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    program_id: Mapped[str] = mapped_column(String(64))
    length: Mapped[str] = mapped_column(String(16))
    plan: Mapped[dict[str, Any]] = mapped_column(JSONDocument)
    # Only needed to continue a session: not loaded with the row unless asked for.
    snapshot: Mapped[dict[str, Any] | None] = mapped_column(
        JSONDocument, nullable=True, deferred=True
    )
    status: Mapped[SessionStatus] = mapped_column(_enum(SessionStatus, "status"))
    started_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    # Bumped first by every change to the session, which locks it until the commit
    # (``store.sessions.lock_session``): one writer at a time, across processes.
    # Filled by the database on insert, so imports and old rows need not know it.
    version: Mapped[int] = mapped_column(Integer, server_default="1")
    pain_before: Mapped[int | None] = mapped_column(Integer, nullable=True)
    # Clinic mode: the version of the clinician's program this session followed (None:
    # a built-in program). No foreign key: a deleted template leaves the history as it was.
    program_version_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    pain_after: Mapped[int | None] = mapped_column(Integer, nullable=True)
    effort: Mapped[int | None] = mapped_column(Integer, nullable=True)

    steps: Mapped[list[StepEvent]] = relationship(
        back_populates="session",
        order_by="StepEvent.step_index",
        cascade="all, delete-orphan",
        passive_deletes=True,
    )


class StepEvent(Base):
    """A step of a session that was completed or skipped (one row per step)."""

    __tablename__ = "step_events"
    __table_args__ = (
        UniqueConstraint("session_id", "step_index", name="uq_step_events_session_step"),
        Index("ix_step_events_exercise_at", "exercise_id", "at"),
        CheckConstraint("pain BETWEEN 0 AND 10", name="pain_range"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    session_id: Mapped[int] = mapped_column(
        ForeignKey("sessions.id", ondelete="CASCADE"), nullable=False
    )
    step_index: Mapped[int] = mapped_column(Integer)
    exercise_id: Mapped[str] = mapped_column(String(64))
    variant: Mapped[str] = mapped_column(String(16))
    status: Mapped[StepStatus] = mapped_column(_enum(StepStatus, "status"))
    reps: Mapped[int | None] = mapped_column(Integer, nullable=True)
    hold_s: Mapped[float | None] = mapped_column(Float, nullable=True)
    duration_s: Mapped[float | None] = mapped_column(Float, nullable=True)
    source: Mapped[StepSource] = mapped_column(_enum(StepSource, "source"))
    pain: Mapped[int | None] = mapped_column(Integer, nullable=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    # The camera's form notes on this step: [{"code", "message", "count"}] (None: none kept).
    faults: Mapped[list[dict[str, Any]] | None] = mapped_column(JSONDocument, nullable=True)

    session: Mapped[WorkoutSession] = relationship(back_populates="steps")


class CheckIn(Base):
    """Pain now (0-10) and where; after a session also the effort (RPE 0-10)."""

    __tablename__ = "checkins"
    __table_args__ = (
        Index("ix_checkins_user_at", "user_id", "at"),
        Index("ix_checkins_session", "session_id"),
        CheckConstraint("pain BETWEEN 0 AND 10", name="pain_range"),
        CheckConstraint("effort BETWEEN 0 AND 10", name="effort_range"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    session_id: Mapped[int | None] = mapped_column(
        ForeignKey("sessions.id", ondelete="SET NULL"), nullable=True
    )
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    phase: Mapped[CheckinPhase] = mapped_column(_enum(CheckinPhase, "phase"))
    pain: Mapped[int] = mapped_column(Integer)
    location: Mapped[PainLocation] = mapped_column(_enum(PainLocation, "location"))
    effort: Mapped[int | None] = mapped_column(Integer, nullable=True)
    exercise_id: Mapped[str | None] = mapped_column(String(64), nullable=True)


class QuestionnaireResponse(Base):
    """A completed questionnaire (pain-function, PSFS, STarT Back ...) with its scores."""

    __tablename__ = "questionnaire_responses"
    __table_args__ = (
        Index("ix_questionnaire_responses_user_name_taken", "user_id", "name", "taken_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(64))
    taken_at: Mapped[datetime] = mapped_column(UTCDateTime)
    answers: Mapped[dict[str, Any]] = mapped_column(JSONDocument)
    scores: Mapped[dict[str, Any]] = mapped_column(JSONDocument)


class HabitLog(Base):
    """An everyday habit: a walk, a break, a posture alert, minutes of sitting ...

    ``amount`` is minutes for walks and sitting and a count for breaks and alerts.
    """

    __tablename__ = "habit_logs"
    __table_args__ = (Index("ix_habit_logs_user_day", "user_id", "day"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    day: Mapped[date] = mapped_column(Date)
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    kind: Mapped[str] = mapped_column(String(32))
    amount: Mapped[float] = mapped_column(Float)
    source: Mapped[str] = mapped_column(String(16))


class UserSetting(Base):
    """One preference of a user (pain limit, reminder interval ...), as JSON."""

    __tablename__ = "settings"

    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[Any] = mapped_column(JSONDocument, nullable=False)
