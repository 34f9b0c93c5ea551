"""Desk state: the desk companion's running timer per user and surface, and the desk clock.

The break countdown, the away flag, the day's skips and snoozes and the posture
monitor of a desk timer were kept in the server's memory; they move to the
database (``store.desk_state``) so several server workers run one desk. The
desk clock's origin makes sped-up clocks (``time_scale``) agree between workers.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-09
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "desk_state",
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("source", sa.String(length=16), nullable=False),
        sa.Column("version", sa.Integer(), server_default="1", nullable=False),
        sa.Column("state", sa.JSON(none_as_null=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name="fk_desk_state_user_id_users", ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("user_id", "source", name="pk_desk_state"),
    )
    op.create_table(
        "desk_clock",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("origin_real", sa.Float(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_desk_clock"),
    )


def downgrade() -> None:
    op.drop_table("desk_clock")
    op.drop_table("desk_state")
