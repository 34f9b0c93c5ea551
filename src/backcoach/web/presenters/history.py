"""The history page's charts and calendar, built from ``services.history``'s summary."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from backcoach.coach.questionnaires import QUESTIONNAIRES, RiskGroup, risk_label, risk_meaning
from backcoach.content import Catalog, Length
from backcoach.i18n import N_, _, format_date
from backcoach.services.clock import local_tz
from backcoach.services.history import HistorySummary, SessionLine

CALENDAR_WEEKS = 6

#: Fixed y axes, so that one point does not fill a chart: what Chart.js's ``y`` scale gets
#: (the titles are msgids, translated in ``chart_data``).
PAIN_AXIS = {"min": 0, "max": 10, "step": 1, "title": N_("pain 0-10")}
MINUTES_AXIS = {"min": 0, "suggested_max": 30, "title": N_("minutes")}
SCORE_AXES: dict[str, dict[str, Any]] = {
    "pain-function": {"min": 0, "max": 10, "step": 1, "title": N_("0-10, lower is better")},
    "psfs": {"min": 0, "max": 10, "step": 1, "title": N_("0-10, higher is better")},
    "startback": {"min": 0, "max": 9, "step": 1, "title": N_("total 0-9, psychosocial 0-5")},
}
SCORE_AXIS = {"min": 0, "title": N_("score")}
#: Subscales charted beside the total (PSFS's are activity names: only its mean is charted).
CHARTED_SUBSCALES = {"pain-function": ("pain", "interference"), "startback": ("psychosocial",)}
#: What a charted score is called in the tables (msgids; keys not here are shown as they are).
SERIES_LABELS = {
    "total": N_("total"),
    "pain": N_("pain"),
    "interference": N_("interference"),
    "psychosocial": N_("psychosocial"),
}
#: STarT Back's risk groups in a table cell (msgids).
RISK_NAMES = {RiskGroup.LOW: N_("low"), RiskGroup.MEDIUM: N_("medium"), RiskGroup.HIGH: N_("high")}

#: A session's length in words (msgids).
LENGTH_NAMES = {Length.SHORT.value: N_("short"), Length.FULL.value: N_("full")}


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


def session_program(line: SessionLine, catalog: Catalog) -> str:
    """A history line's program in words: its name (the id of a program the catalog does
    not have) and its length."""
    program = catalog.programs.get(line.program_id)
    name = program.name if program is not None else line.program_id
    length = _(LENGTH_NAMES[line.length]) if line.length in LENGTH_NAMES else line.length
    return f"{name} ({length})"


def chart_data(summary: HistorySummary) -> dict[str, Any]:
    """The series Chart.js draws (also shown as tables for screen readers), its labels,
    dates and axis titles in the language in use (a questionnaire shown only in its
    original wording, STarT Back, keeps its title and comes with a note saying why)."""
    questionnaires = {}
    for name, points in summary.questionnaires.items():
        series = _numeric_series([p.scores for p in points], CHARTED_SUBSCALES.get(name, ()))
        shown = QUESTIONNAIRES[name].localized() if name in QUESTIONNAIRES else None
        questionnaires[name] = {
            "title": shown.title if shown is not None else name,
            "note": shown.language_note if shown is not None else "",
            "labels": [format_date(p.taken_at, "yMMMd") for p in points],
            "series": series,
            "series_labels": {key: _(SERIES_LABELS.get(key, key)) for key in series},
            "risk": [_risk_name(p.scores) for p in points] if name == "startback" else None,
            "latest_risk": _risk_line(points[-1].scores) if points else None,
            "axis": _axis(SCORE_AXES.get(name, SCORE_AXIS)),
        }
    return {
        "weeks": {
            "labels": [format_date(w.week_start, "MMMd") for w in summary.minutes_per_week],
            "minutes": [round(w.minutes, 1) for w in summary.minutes_per_week],
            "axis": _axis(MINUTES_AXIS),
        },
        "pain": {
            "labels": [format_date(p.day, "MMMd") for p in summary.pain_trend],
            "before": [p.before for p in summary.pain_trend],
            "after": [p.after for p in summary.pain_trend],
            "axis": _axis(PAIN_AXIS),
        },
        "questionnaires": questionnaires,
    }


def _axis(axis: dict[str, Any]) -> dict[str, Any]:
    """``axis`` with its title in the language in use."""
    return {**axis, "title": _(axis["title"])}


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


def _risk(scores: dict[str, Any]) -> RiskGroup | None:
    group = scores.get("risk_group")
    return RiskGroup(group) if group in {g.value for g in RiskGroup} else None


def _risk_name(scores: dict[str, Any]) -> str | None:
    """The risk group in words, for a table cell; None when the scores have none."""
    group = _risk(scores)
    return _(RISK_NAMES[group]) if group is not None else None


def _risk_line(scores: dict[str, Any]) -> dict[str, str] | None:
    """The latest STarT Back risk group as a headline with its one-line meaning, or None."""
    group = _risk(scores)
    if group is None:
        return None
    headline = _("Latest: {risk}.").format(risk=risk_label(group))
    return {"headline": headline, "meaning": risk_meaning(group)}


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)
