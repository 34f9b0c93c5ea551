"""The history page's charts and calendar, built from ``services.history``'s summary."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from backcoach.coach.questionnaires import QUESTIONNAIRES
from backcoach.services.clock import local_tz
from backcoach.services.history import HistorySummary
from backcoach.store import SessionStatus

CALENDAR_WEEKS = 6


@dataclass(frozen=True)
class CalendarDay:
    day: date
    active: bool
    is_today: bool
    in_future: bool


def calendar(summary: HistorySummary, weeks: int = CALENDAR_WEEKS) -> list[CalendarDay]:
    """The last ``weeks`` weeks, Monday first, with the days a session was completed."""
    tz = local_tz()
    active = {
        line.started_at.astimezone(tz).date()
        for line in summary.sessions
        if line.status is SessionStatus.COMPLETED
    }
    this_monday = summary.today - timedelta(days=summary.today.weekday())
    first = this_monday - timedelta(weeks=weeks - 1)
    days = (first + timedelta(days=i) for i in range(weeks * 7))
    return [
        CalendarDay(day, day in active, day == summary.today, day > summary.today) for day in days
    ]


def chart_data(summary: HistorySummary) -> dict[str, Any]:
    """The series Chart.js draws (also shown as tables for screen readers)."""
    return {
        "weeks": {
            "labels": [w.week_start.strftime("%d %b") for w in summary.minutes_per_week],
            "minutes": [round(w.minutes, 1) for w in summary.minutes_per_week],
        },
        "pain": {
            "labels": [p.day.strftime("%d %b") for p in summary.pain_trend],
            "before": [p.before for p in summary.pain_trend],
            "after": [p.after for p in summary.pain_trend],
        },
        "questionnaires": {
            name: {
                "title": QUESTIONNAIRES[name].title if name in QUESTIONNAIRES else name,
                "labels": [p.taken_at.strftime("%d %b %Y") for p in points],
                "series": _numeric_series(p.scores for p in points),
            }
            for name, points in summary.questionnaires.items()
        },
    }


def _numeric_series(scores: Any) -> dict[str, list[float | None]]:
    rows = list(scores)
    keys = sorted({k for row in rows for k, v in row.items() if _is_number(v)})
    return {k: [row.get(k) if _is_number(row.get(k)) else None for row in rows] for k in keys}


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)
