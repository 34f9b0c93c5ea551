"""Safety screenings."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from backcoach.store.models import Screening, ScreeningOutcome


def add_screening(
    db: Session,
    *,
    user_id: int,
    taken_at: datetime,
    answers: dict[str, Any],
    red_flags: list[str],
    outcome: ScreeningOutcome,
) -> Screening:
    screening = Screening(
        user_id=user_id, taken_at=taken_at, answers=answers, red_flags=red_flags, outcome=outcome
    )
    db.add(screening)
    db.flush()
    return screening


def latest_screening(db: Session, *, user_id: int) -> Screening | None:
    return db.scalars(
        select(Screening)
        .where(Screening.user_id == user_id)
        .order_by(Screening.taken_at.desc(), Screening.id.desc())
        .limit(1)
    ).one_or_none()


def list_screenings(db: Session, *, user_id: int) -> list[Screening]:
    return list(
        db.scalars(
            select(Screening)
            .where(Screening.user_id == user_id)
            .order_by(Screening.taken_at, Screening.id)
        )
    )
