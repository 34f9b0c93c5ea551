"""Rows written as an old schema has them, for the migration tests."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import Engine, insert

from backcoach.store import LOCAL_USER_NAME, SessionStatus, User, WorkoutSession

T0 = datetime(2026, 3, 2, 8, 30, tzinfo=UTC)


def add_rows_at_0001(engine: Engine, program_id: str = "home-back") -> int:
    """A user and a completed session, written as revision 0001's tables have them.

    Plain inserts: today's store sessions read and bump ``users.revision`` (0004).
    """
    with engine.begin() as connection:
        user_id = connection.execute(
            insert(User).values(name=LOCAL_USER_NAME, created_at=T0).returning(User.id)
        ).scalar_one()
        connection.execute(
            insert(WorkoutSession).values(
                user_id=user_id, program_id=program_id, length="short", plan={"steps": []},
                started_at=T0, status=SessionStatus.COMPLETED,
            )
        )  # fmt: skip
    return int(user_id)
