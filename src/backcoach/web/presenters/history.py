"""The history page's charts and calendar, built from ``services.history``'s summary."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from backcoach.coach.questionnaires import QUESTIONNAIRES, RISK_MEANINGS, RiskGroup
from backcoach.services.clock import local_tz
from backcoach.services.history import HistorySummary

CALENDAR_WEEKS = 6

#: Fixed y axes, so that one point does not fill a chart: what Chart.js's ``y`` scale gets.
PAIN_AXIS = {"min": 0, "max": 10, "step": 1, "title": "pain 0-10"}
MINUTES_AXIS = {"min": 0, "suggested_max": 30, "title": "minutes"}
SCORE_AXES: dict[str, dict[str, Any]] = {
    "pain-function": {"min": 0, "max": 10, "step": 1, "title": "0-10, lower is better"},
    "psfs": {"min": 0, "max": 10, "step": 1, "title": "0-10, higher is better"},
    "startback": {"min": 0, "max": 9, "step": 1, "title": "total 0-9, psychosocial 0-5"},
}
#: Subscales charted beside the total (PSFS's are activity names: only its mean is charted).
CHARTED_SUBSCALES = {"pain-function": ("pain", "interference"), "startback": ("psychosocial",)}


@dataclass(frozen=True)
class CalendarDay:
    day: date
    active: bool
    is_today: bool
    in_future: bool


def calendar(summary: HistorySummary, weeks: int = CALENDAR_WEEKS) -> list[CalendarDay]:
    """The last ``weeks`` weeks, Monday first, with the days a session was completed."""
    tz = local_tz()
    active = {line.started_at.astimezone(tz).date() for line in summary.sessions if line.complete}
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
            "axis": MINUTES_AXIS,
        },
        "pain": {
            "labels": [p.day.strftime("%d %b") for p in summary.pain_trend],
            "before": [p.before for p in summary.pain_trend],
            "after": [p.after for p in summary.pain_trend],
            "axis": PAIN_AXIS,
        },
        "questionnaires": {
            name: {
                "title": QUESTIONNAIRES[name].title if name in QUESTIONNAIRES else name,
                "labels": [p.taken_at.strftime("%d %b %Y") for p in points],
                "series": _numeric_series(
                    [p.scores for p in points], CHARTED_SUBSCALES.get(name, ())
                ),
                "risk": [_risk(p.scores) for p in points] if name == "startback" else None,
                "latest_risk": _risk_line(points[-1].scores) if points else None,
                "axis": SCORE_AXES.get(name, {"min": 0, "title": "score"}),
            }
            for name, points in summary.questionnaires.items()
        },
    }


def _numeric_series(
    rows: list[dict[str, Any]], subscales: tuple[str, ...]
) -> dict[str, list[float | None]]:
    """Top-level numbers (the total) and the named subscales, one list per key."""
    flat = [
        {**row, **{k: v for k, v in (row.get("subscales") or {}).items() if k in subscales}}
        for row in rows
    ]
    numeric = {k for row in flat for k, v in row.items() if _is_number(v)}
    keys = sorted(numeric, key=lambda k: (k != "total", k))  # the total first
    return {k: [row.get(k) if _is_number(row.get(k)) else None for row in flat] for k in keys}


def _risk(scores: dict[str, Any]) -> str | None:
    group = scores.get("risk_group")
    return group if group in {g.value for g in RiskGroup} else None


def _risk_line(scores: dict[str, Any]) -> dict[str, str] | None:
    """The latest STarT Back risk group with its one-line meaning, or None."""
    group = _risk(scores)
    if group is None:
        return None
    return {"group": group, "meaning": RISK_MEANINGS[RiskGroup(group)]}


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)
