"""Habit logs: walks, breaks, posture alerts, sitting time."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from backcoach.store.models import HabitLog

WALK = "walk"
BREAK = "break"
POSTURE_ALERT = "posture_alert"
SITTING = "sitting"


def add_habit_log(
    db: Session,
    *,
    user_id: int,
    day: date,
    at: datetime,
    kind: str,
    amount: float,
    source: str = "manual",
) -> HabitLog:
    log = HabitLog(user_id=user_id, day=day, at=at, kind=kind, amount=amount, source=source)
    db.add(log)
    db.flush()
    return log


def list_habit_logs(
    db: Session,
    *,
    user_id: int,
    since: date | None = None,
    until: date | None = None,
    kind: str | None = None,
) -> list[HabitLog]:
    """The user's habit logs with ``since <= day < until``, oldest first."""
    query = select(HabitLog).where(HabitLog.user_id == user_id)
    if since is not None:
        query = query.where(HabitLog.day >= since)
    if until is not None:
        query = query.where(HabitLog.day < until)
    if kind is not None:
        query = query.where(HabitLog.kind == kind)
    return list(db.scalars(query.order_by(HabitLog.day, HabitLog.at, HabitLog.id)))
