"""Sessions: index (user_id, status, started_at) replaces (user_id, status).

The history view reads the start times of all completed sessions for streaks;
with the start time in the index it never reads the rows themselves.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-25
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.drop_index("ix_sessions_user_status", table_name="sessions")
    op.create_index(
        "ix_sessions_user_status_started", "sessions", ["user_id", "status", "started_at"]
    )


def downgrade() -> None:
    op.drop_index("ix_sessions_user_status_started", table_name="sessions")
    op.create_index("ix_sessions_user_status", "sessions", ["user_id", "status"])
