"""Initial tables: users, screenings, sessions, step events, check-ins,
questionnaire responses, habit logs, settings.

Revision ID: 0001
Revises:
Create Date: 2026-11-25
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Storage types written out here (not imported from the models) so this
# migration stays the same when the models change later.
UTC_DATETIME = sa.DateTime(timezone=True)
JSON = sa.JSON(none_as_null=True)


def _one_of(column: str, values: tuple[str, ...], name: str) -> sa.CheckConstraint:
    allowed = ", ".join(f"'{value}'" for value in values)
    return sa.CheckConstraint(f"{column} IN ({allowed})", name=op.f(name))


def _range_0_10(table: str, column: str) -> sa.CheckConstraint:
    return sa.CheckConstraint(f"{column} BETWEEN 0 AND 10", name=op.f(f"ck_{table}_{column}_range"))


def _id() -> sa.Column[int]:
    return sa.Column("id", sa.Integer(), nullable=False)


def _user_id(table: str) -> tuple[sa.Column[int], sa.ForeignKeyConstraint]:
    return (
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f(f"fk_{table}_user_id_users"), ondelete="CASCADE"
        ),
    )


def upgrade() -> None:
    op.create_table(
        "users",
        _id(),
        sa.Column("name", sa.String(100), nullable=False),
        sa.Column("created_at", UTC_DATETIME, nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_users")),
        sa.UniqueConstraint("name", name=op.f("uq_users_name")),
    )
    op.create_table(
        "screenings",
        _id(),
        *_user_id("screenings"),
        sa.Column("taken_at", UTC_DATETIME, nullable=False),
        sa.Column("answers", JSON, nullable=False),
        sa.Column("red_flags", JSON, nullable=False),
        sa.Column("outcome", sa.String(16), nullable=False),
        _one_of("outcome", ("clear", "red_flag", "caution"), "ck_screenings_outcome"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_screenings")),
    )
    op.create_index("ix_screenings_user_taken", "screenings", ["user_id", "taken_at"])
    op.create_table(
        "sessions",
        _id(),
        *_user_id("sessions"),
        sa.Column("program_id", sa.String(64), nullable=False),
        sa.Column("length", sa.String(16), nullable=False),
        sa.Column("plan", JSON, nullable=False),
        sa.Column("snapshot", JSON, nullable=True),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("started_at", UTC_DATETIME, nullable=False),
        sa.Column("ended_at", UTC_DATETIME, nullable=True),
        sa.Column("pain_before", sa.Integer(), nullable=True),
        sa.Column("pain_after", sa.Integer(), nullable=True),
        sa.Column("effort", sa.Integer(), nullable=True),
        _one_of("status", ("in_progress", "completed", "quit", "abandoned"), "ck_sessions_status"),
        _range_0_10("sessions", "pain_before"),
        _range_0_10("sessions", "pain_after"),
        _range_0_10("sessions", "effort"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sessions")),
    )
    op.create_index("ix_sessions_user_started", "sessions", ["user_id", "started_at"])
    op.create_index("ix_sessions_user_status", "sessions", ["user_id", "status"])
    op.create_table(
        "step_events",
        _id(),
        sa.Column("session_id", sa.Integer(), nullable=False),
        sa.Column("step_index", sa.Integer(), nullable=False),
        sa.Column("exercise_id", sa.String(64), nullable=False),
        sa.Column("variant", sa.String(16), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("reps", sa.Integer(), nullable=True),
        sa.Column("hold_s", sa.Float(), nullable=True),
        sa.Column("duration_s", sa.Float(), nullable=True),
        sa.Column("source", sa.String(16), nullable=False),
        sa.Column("pain", sa.Integer(), nullable=True),
        sa.Column("at", UTC_DATETIME, nullable=False),
        _one_of("status", ("completed", "skipped"), "ck_step_events_status"),
        _one_of("source", ("manual", "camera"), "ck_step_events_source"),
        _range_0_10("step_events", "pain"),
        sa.ForeignKeyConstraint(
            ["session_id"],
            ["sessions.id"],
            name=op.f("fk_step_events_session_id_sessions"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_step_events")),
        sa.UniqueConstraint("session_id", "step_index", name="uq_step_events_session_step"),
    )
    op.create_index("ix_step_events_exercise_at", "step_events", ["exercise_id", "at"])
    op.create_table(
        "checkins",
        _id(),
        *_user_id("checkins"),
        sa.Column("session_id", sa.Integer(), nullable=True),
        sa.Column("at", UTC_DATETIME, nullable=False),
        sa.Column("phase", sa.String(16), nullable=False),
        sa.Column("pain", sa.Integer(), nullable=False),
        sa.Column("location", sa.String(16), nullable=False),
        sa.Column("effort", sa.Integer(), nullable=True),
        sa.Column("exercise_id", sa.String(64), nullable=True),
        _one_of("phase", ("before", "during", "after"), "ck_checkins_phase"),
        _one_of("location", ("low-back", "neck", "other"), "ck_checkins_location"),
        _range_0_10("checkins", "pain"),
        _range_0_10("checkins", "effort"),
        sa.ForeignKeyConstraint(
            ["session_id"],
            ["sessions.id"],
            name=op.f("fk_checkins_session_id_sessions"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_checkins")),
    )
    op.create_index("ix_checkins_user_at", "checkins", ["user_id", "at"])
    op.create_index("ix_checkins_session", "checkins", ["session_id"])
    op.create_table(
        "questionnaire_responses",
        _id(),
        *_user_id("questionnaire_responses"),
        sa.Column("name", sa.String(64), nullable=False),
        sa.Column("taken_at", UTC_DATETIME, nullable=False),
        sa.Column("answers", JSON, nullable=False),
        sa.Column("scores", JSON, nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_questionnaire_responses")),
    )
    op.create_index(
        "ix_questionnaire_responses_user_name_taken",
        "questionnaire_responses",
        ["user_id", "name", "taken_at"],
    )
    op.create_table(
        "habit_logs",
        _id(),
        *_user_id("habit_logs"),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("at", UTC_DATETIME, nullable=False),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("amount", sa.Float(), nullable=False),
        sa.Column("source", sa.String(16), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_habit_logs")),
    )
    op.create_index("ix_habit_logs_user_day", "habit_logs", ["user_id", "day"])
    op.create_table(
        "settings",
        *_user_id("settings"),
        sa.Column("key", sa.String(64), nullable=False),
        sa.Column("value", JSON, nullable=False),
        sa.PrimaryKeyConstraint("user_id", "key", name=op.f("pk_settings")),
    )


def downgrade() -> None:
    for table in (
        "settings",
        "habit_logs",
        "questionnaire_responses",
        "checkins",
        "step_events",
        "sessions",
        "screenings",
        "users",
    ):
        op.drop_table(table)
