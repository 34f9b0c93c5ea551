"""Users: a ``revision`` number, bumped by every write the planner or history reads.

The pages that show today's plan and the history cache what they computed,
keyed by the user's revision (see ``services.page_cache``). Every write to a
user's sessions, step events, check-ins, screenings, questionnaires, settings
or habits bumps the number in the same transaction (``store.revision``), so a
write from any process (the web server, the CLI, a second worker) makes the
next page compute afresh. Existing rows start at 0, as new rows do.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-09
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("users") as batch:
        batch.add_column(sa.Column("revision", sa.Integer(), server_default="0", nullable=False))


def downgrade() -> None:
    with op.batch_alter_table("users") as batch:
        batch.drop_column("revision")
