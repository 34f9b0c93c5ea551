"""Sessions: a ``version`` number, bumped by every change to a session.

Every change to a session starts by bumping this number, which takes the
session's write lock until it commits (see ``services.sessions.change_session``),
so two writers (the page's ticks and the camera's reps, or two server workers)
never overwrite each other's work. Existing rows start at 1, as new rows do.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-02
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("sessions") as batch:
        batch.add_column(sa.Column("version", sa.Integer(), server_default="1", nullable=False))


def downgrade() -> None:
    with op.batch_alter_table("sessions") as batch:
        batch.drop_column("version")
