"""``/api/v1/history``: the same summary the history page shows."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from backcoach.services.clock import local_today, local_tz
from backcoach.services.history import HistorySummary, history_summary
from backcoach.web.deps import DbDep, UserDep

router = APIRouter(prefix="/history", tags=["history"])


@router.get("")
def get_history(
    db: DbDep,
    user: UserDep,
    recent: Annotated[int, Query(ge=1, le=500, description="Sessions to list")] = 20,
    weeks: Annotated[int, Query(ge=1, le=520, description="Weeks of minutes")] = 12,
) -> HistorySummary:
    """Streaks, recent sessions, minutes per week, pain trend and questionnaire scores."""
    return history_summary(
        db, today=local_today(), user_id=user.id, tz=local_tz(), recent=recent, weeks=weeks
    )
