"""Pain and effort check-ins, before, during and after sessions (or on their own)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from backcoach.store.models import CheckIn, CheckinPhase, PainLocation


def add_checkin(
    db: Session,
    *,
    user_id: int,
    at: datetime,
    phase: CheckinPhase,
    pain: int,
    location: PainLocation = PainLocation.LOW_BACK,
    session_id: int | None = None,
    effort: int | None = None,
    exercise_id: str | None = None,
) -> CheckIn:
    checkin = CheckIn(
        user_id=user_id,
        at=at,
        phase=phase,
        pain=pain,
        location=location,
        session_id=session_id,
        effort=effort,
        exercise_id=exercise_id,
    )
    db.add(checkin)
    db.flush()
    return checkin


def list_checkins(
    db: Session,
    *,
    user_id: int,
    since: datetime | None = None,
    session_id: int | None = None,
    phase: CheckinPhase | None = None,
) -> list[CheckIn]:
    """The user's check-ins, oldest first, optionally of one session or phase."""
    query = select(CheckIn).where(CheckIn.user_id == user_id)
    if since is not None:
        query = query.where(CheckIn.at >= since)
    if session_id is not None:
        query = query.where(CheckIn.session_id == session_id)
    if phase is not None:
        query = query.where(CheckIn.phase == phase)
    return list(db.scalars(query.order_by(CheckIn.at, CheckIn.id)))
