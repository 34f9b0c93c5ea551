"""The history view as plain data: recent sessions, streaks, minutes per week,
the pain trend and questionnaire scores. The CLI prints it, the web app charts it.

Definitions:
- A day *counts* for a streak when a session was completed on it (local date).
  Complete means what ``coach/outcome.py`` says: run to its end with at least
  half its steps done. A session skipped through is stored as ended early;
  one stored as completed before that rule existed but short of it is not
  counted either.
- The current streak is the run of counting days ending today, or ending
  yesterday when there is no session yet today (the day is not over).
- Minutes are the active time of the recorded steps (rests between sets included).

The summary depends only on the user's stored rows and the day, so it is kept
in ``services.page_cache`` until a write changes the user's revision.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from typing import Any

from sqlalchemy import Row, case, func, select
from sqlalchemy.orm import Session

from backcoach.coach.outcome import counts_as_complete
from backcoach.i18n import N_
from backcoach.services import page_cache
from backcoach.store import (
    QuestionnaireResponse,
    SessionStatus,
    StepEvent,
    StepStatus,
    WorkoutSession,
    get_user,
    session_start_times,
)


@dataclass(frozen=True)
class SessionLine:
    """One session in the history table."""

    id: int
    started_at: datetime
    program_id: str
    length: str
    status: SessionStatus
    steps_done: int
    steps_total: int
    minutes: float
    pain_before: int | None
    pain_after: int | None
    effort: int | None

    @property
    def complete(self) -> bool:
        """Counts as a completed session (and its day towards a streak)."""
        return self.status is SessionStatus.COMPLETED and counts_as_complete(
            self.steps_done, self.steps_total
        )

    @property
    def result(self) -> str:
        """The outcome in words, for the history table: English (the API's value), marked so
        that a page translates it with ``_()``."""
        if self.status is SessionStatus.IN_PROGRESS:
            return N_("in progress")
        if self.status is SessionStatus.ABANDONED:
            return N_("not finished")
        return N_("completed") if self.complete else N_("ended early")


@dataclass(frozen=True)
class WeekMinutes:
    week_start: date  # a Monday
    minutes: float
    sessions: int


@dataclass(frozen=True)
class PainPoint:
    day: date
    session_id: int
    before: int | None
    after: int | None


@dataclass(frozen=True)
class ScorePoint:
    taken_at: datetime
    scores: dict[str, Any]


@dataclass(frozen=True)
class HistorySummary:
    today: date
    completed_sessions: int
    current_streak: int
    best_streak: int
    sessions: tuple[SessionLine, ...] = ()  # newest first
    minutes_per_week: tuple[WeekMinutes, ...] = ()  # oldest first, empty weeks included
    pain_trend: tuple[PainPoint, ...] = ()  # oldest first
    questionnaires: dict[str, tuple[ScorePoint, ...]] = field(default_factory=dict)


def streaks(days: Iterable[date], today: date) -> tuple[int, int]:
    """(current, best) runs of consecutive days in ``days``."""
    unique = sorted(set(days))
    best = run = 0
    previous: date | None = None
    for day in unique:
        run = run + 1 if previous is not None and day - previous == timedelta(days=1) else 1
        best = max(best, run)
        previous = day
    done = set(unique)
    end = today if today in done else today - timedelta(days=1)
    current = 0
    while end - timedelta(days=current) in done:
        current += 1
    return current, best


def _local_day(moment: datetime, tz: tzinfo) -> date:
    return moment.astimezone(tz).date()


def _step_totals(db: Session, session_ids: Sequence[int]) -> dict[int, tuple[int, float]]:
    """Per session: (completed steps, active seconds)."""
    if not session_ids:
        return {}
    completed = func.sum(case((StepEvent.status == StepStatus.COMPLETED, 1), else_=0))
    rows = db.execute(
        select(StepEvent.session_id, completed, func.sum(StepEvent.duration_s))
        .where(StepEvent.session_id.in_(session_ids))
        .group_by(StepEvent.session_id)
    )
    return {sid: (int(done or 0), float(seconds or 0.0)) for sid, done, seconds in rows}


def _short_completed_days(db: Session, *, user_id: int, tz: tzinfo) -> Counter[date]:
    """Days of sessions stored as completed that fall short of the rule, one per session.

    A session that ran to its end has a step event for every step (done or
    skipped), so its events say both how many steps it had and how many were done.
    """
    done = func.sum(case((StepEvent.status == StepStatus.COMPLETED, 1), else_=0))
    rows = db.execute(
        select(StepEvent.session_id, done, func.count(StepEvent.id))
        .join(WorkoutSession, WorkoutSession.id == StepEvent.session_id)
        .where(WorkoutSession.user_id == user_id, WorkoutSession.status == SessionStatus.COMPLETED)
        .group_by(StepEvent.session_id)
    )
    short = [sid for sid, n_done, n_total in rows if not counts_as_complete(int(n_done), n_total)]
    if not short:
        return Counter()
    starts = db.scalars(select(WorkoutSession.started_at).where(WorkoutSession.id.in_(short)))
    return Counter(_local_day(started, tz) for started in starts)


#: A session's columns a ``SessionLine`` shows, read as plain rows (ORM objects would
#: load every engine snapshot).
SESSION_LINE_COLUMNS = (
    WorkoutSession.id,
    WorkoutSession.started_at,
    WorkoutSession.program_id,
    WorkoutSession.length,
    WorkoutSession.status,
    WorkoutSession.plan,
    WorkoutSession.pain_before,
    WorkoutSession.pain_after,
    WorkoutSession.effort,
)


def session_line(row: Row[Any], steps_done: int, active_seconds: float) -> SessionLine:
    """A row of ``SESSION_LINE_COLUMNS`` with its steps done and active time, as a line."""
    return SessionLine(
        id=row.id,
        started_at=row.started_at,
        program_id=row.program_id,
        length=row.length,
        status=row.status,
        steps_done=steps_done,
        steps_total=len(row.plan.get("steps", ())),
        minutes=active_seconds / 60,
        pain_before=row.pain_before,
        pain_after=row.pain_after,
        effort=row.effort,
    )


def history_summary(
    db: Session,
    *,
    today: date,
    user_id: int | None = None,
    tz: tzinfo = UTC,
    recent: int = 20,
    weeks: int = 12,
    pain_points: int = 30,
) -> HistorySummary:
    """Everything the history view shows, for ``user_id`` (default: the local user).

    Args:
        today: the local date to count streaks and weeks up to.
        tz: the time zone that turns session times into local dates.
        recent: how many sessions the table lists.
        weeks: how many weeks of minutes, this week included.
        pain_points: how many sessions the pain trend covers.
    """
    if user_id is None:
        user = get_user(db)
        if user is None:
            return HistorySummary(
                today=today, completed_sessions=0, current_streak=0, best_streak=0
            )
        user_id = user.id
    uid = user_id
    return page_cache.cached(
        db,
        name="history",
        user_id=uid,
        key=(today, tz, recent, weeks, pain_points),
        compute=lambda: _history_summary(
            db, today=today, user_id=uid, tz=tz, recent=recent, weeks=weeks, pain_points=pain_points
        ),
    )


def _history_summary(
    db: Session, *, today: date, user_id: int, tz: tzinfo, recent: int, weeks: int, pain_points: int
) -> HistorySummary:
    mine = WorkoutSession.user_id == user_id

    completed_days = Counter(
        _local_day(started, tz)
        for started in session_start_times(db, user_id=user_id, status=SessionStatus.COMPLETED)
    ) - _short_completed_days(db, user_id=user_id, tz=tz)
    current, best = streaks(completed_days, today)

    recent_rows = db.execute(
        select(*SESSION_LINE_COLUMNS)
        .where(mine)
        .order_by(WorkoutSession.started_at.desc(), WorkoutSession.id.desc())
        .limit(recent)
    ).all()
    first_week = today - timedelta(days=today.weekday(), weeks=weeks - 1)
    window_start = datetime.combine(first_week - timedelta(days=1), time(), UTC)
    week_rows = db.execute(
        select(WorkoutSession.id, WorkoutSession.started_at).where(
            mine, WorkoutSession.started_at >= window_start
        )
    ).all()
    totals = _step_totals(db, sorted({r.id for r in recent_rows} | {r.id for r in week_rows}))

    sessions = tuple(session_line(row, *totals.get(row.id, (0, 0.0))) for row in recent_rows)

    minutes: dict[date, float] = defaultdict(float)
    counts: dict[date, int] = defaultdict(int)
    for session_id, started in week_rows:
        day = _local_day(started, tz)
        monday = day - timedelta(days=day.weekday())
        if monday >= first_week:
            minutes[monday] += totals.get(session_id, (0, 0.0))[1] / 60
            counts[monday] += 1
    per_week = tuple(
        WeekMinutes(week_start=monday, minutes=minutes[monday], sessions=counts[monday])
        for monday in (first_week + timedelta(weeks=i) for i in range(weeks))
    )

    pain_rows = db.execute(
        select(
            WorkoutSession.id,
            WorkoutSession.started_at,
            WorkoutSession.pain_before,
            WorkoutSession.pain_after,
        )
        .where(
            mine,
            (WorkoutSession.pain_before.is_not(None)) | (WorkoutSession.pain_after.is_not(None)),
        )
        .order_by(WorkoutSession.started_at.desc(), WorkoutSession.id.desc())
        .limit(pain_points)
    ).all()
    pain_trend = tuple(
        PainPoint(day=_local_day(started, tz), session_id=sid, before=before, after=after)
        for sid, started, before, after in reversed(pain_rows)
    )

    scores: dict[str, list[ScorePoint]] = defaultdict(list)
    for response in db.scalars(
        select(QuestionnaireResponse)
        .where(QuestionnaireResponse.user_id == user_id)
        .order_by(QuestionnaireResponse.taken_at, QuestionnaireResponse.id)
    ):
        scores[response.name].append(ScorePoint(taken_at=response.taken_at, scores=response.scores))

    return HistorySummary(
        today=today,
        completed_sessions=completed_days.total(),
        current_streak=current,
        best_streak=best,
        sessions=sessions,
        minutes_per_week=per_week,
        pain_trend=pain_trend,
        questionnaires={name: tuple(points) for name, points in sorted(scores.items())},
    )
