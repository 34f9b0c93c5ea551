"""``/history``: streaks, calendar, minutes per week, pain before and after, questionnaires."""

from __future__ import annotations

from datetime import timedelta

from fastapi import APIRouter, Request
from starlette.responses import Response

from backcoach.services.clock import local_today, local_tz
from backcoach.services.desk import desk_days
from backcoach.services.history import history_summary
from backcoach.web.deps import DbDep, UserDep
from backcoach.web.presenters.history import calendar, chart_data
from backcoach.web.templating import render

router = APIRouter(prefix="/history", tags=["pages"], include_in_schema=False)


@router.get("")
def history(request: Request, db: DbDep, user: UserDep) -> Response:
    summary = history_summary(db, today=local_today(), user_id=user.id, tz=local_tz(), recent=60)
    today, tomorrow = local_today(), local_today() + timedelta(days=1)
    context = {
        "summary": summary,
        "recent": summary.sessions[:20],
        "calendar": calendar(summary),
        "charts": chart_data(summary),
        "desk_days": desk_days(
            db, user_id=user.id, since=today - timedelta(days=6), until=tomorrow
        ),
    }
    return render(request, "history/index.html", context)
