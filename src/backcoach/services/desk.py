"""Desk companion: daily break, sitting, walking and posture counters in the store.

Every counter is a row in the store's habit logs (``day``, ``kind``,
``amount``, ``source``), so a day's figures are sums over its rows and
nothing is ever overwritten:

- ``break`` (taken), ``break_snoozed``, ``break_skipped``, ``posture_alert``: one
  row per event, ``amount`` 1;
- ``sitting`` and ``walk``: minutes;
- ``posture_upright``, ``posture_slouched``, ``posture_forward-head``: minutes
  the posture monitor saw in that state.

``desk_statistics`` adds them up per day and per week for History and
``backcoach history``.

``DeskTimer`` joins the pure break scheduler (``coach/breaks.py``) to the
store for the surfaces that run it (``backcoach breaks`` and the ``/desk``
page): it applies the user's actions and writes each one as it happens, and
writes sitting time in slices of at least a minute. The functions here only
flush; the service entry points (``services.desk_runtime``) commit once per
action.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, tzinfo
from enum import StrEnum

from sqlalchemy.orm import Session

from backcoach.coach import breaks
from backcoach.coach.breaks import BreakConfig, BreakKind, BreakState, DueBreak
from backcoach.content import Catalog, Length
from backcoach.errors import UsageError
from backcoach.i18n import N_, _
from backcoach.services import page_cache
from backcoach.services.preferences import load_preferences
from backcoach.store import HabitLog, add_habit_log, list_habit_logs
from backcoach.store.habits import BREAK, POSTURE_ALERT, SITTING, WALK

BREAK_SNOOZED = "break_snoozed"
BREAK_SKIPPED = "break_skipped"
POSTURE_MINUTES = {
    "upright": "posture_upright",
    "slouched": "posture_slouched",
    "forward-head": "posture_forward-head",
}
DESK_PROGRAM = "desk-break"
MAX_MINUTES = 24 * 60


class BreakAction(StrEnum):
    TAKE = "take"
    SNOOZE = "snooze"
    SKIP = "skip"


_ACTION_KIND = {
    BreakAction.TAKE: BREAK,
    BreakAction.SNOOZE: BREAK_SNOOZED,
    BreakAction.SKIP: BREAK_SKIPPED,
}


@dataclass(frozen=True)
class DeskDay:
    """One day's desk figures (minutes are floats, counts whole numbers)."""

    day: date
    breaks_taken: int = 0
    breaks_snoozed: int = 0
    breaks_skipped: int = 0
    sitting_min: float = 0.0
    walking_min: float = 0.0
    posture_alerts: int = 0
    posture_min: Mapping[str, float] = field(default_factory=dict)

    @property
    def bad_posture_min(self) -> float:
        return self.posture_min.get("slouched", 0.0) + self.posture_min.get("forward-head", 0.0)

    def to_json(self) -> dict[str, object]:
        return {
            "day": self.day.isoformat(),
            "breaks_taken": self.breaks_taken,
            "breaks_snoozed": self.breaks_snoozed,
            "breaks_skipped": self.breaks_skipped,
            "sitting_min": round(self.sitting_min, 2),
            "walking_min": round(self.walking_min, 2),
            "posture_alerts": self.posture_alerts,
            "posture_min": {k: round(v, 2) for k, v in sorted(self.posture_min.items())},
        }


def local_day(now: datetime, tz: tzinfo | None = None) -> date:
    """The calendar day of ``now`` in ``tz`` (default: the computer's time zone)."""
    return now.astimezone(tz).date()


def _minutes(value: float, what: str) -> float:
    """``what``: the marked (``N_``) name of the value, translated in the message."""
    if not 0 < value <= MAX_MINUTES:
        raise UsageError(
            _("{what} must be more than 0 and at most {most} minutes.").format(
                what=_(what), most=MAX_MINUTES
            )
        )
    return value


def record_break(
    db: Session,
    *,
    user_id: int,
    action: BreakAction,
    now: datetime,
    tz: tzinfo | None = None,
    source: str = "manual",
) -> None:
    """Count one break taken, snoozed or skipped (flushes; the caller commits)."""
    add_habit_log(
        db, user_id=user_id, day=local_day(now, tz), at=now, kind=_ACTION_KIND[action],
        amount=1, source=source,
    )  # fmt: skip
    db.flush()


def _record_minutes(
    db: Session,
    *,
    user_id: int,
    kind: str,
    what: str,
    minutes: float,
    now: datetime,
    tz: tzinfo | None,
    source: str,
) -> None:
    """Store one row of ``minutes`` of ``kind`` on the local day of ``now`` (flushes)."""
    _minutes(minutes, what)
    add_habit_log(
        db, user_id=user_id, day=local_day(now, tz), at=now, kind=kind, amount=minutes,
        source=source,
    )  # fmt: skip
    db.flush()


def record_walk(
    db: Session,
    *,
    user_id: int,
    minutes: float,
    now: datetime,
    tz: tzinfo | None = None,
    source: str = "manual",
) -> None:
    """Log minutes of walking (by hand, or from a rest break); flushes, the caller commits.

    Raises:
        UsageError: minutes not in (0, 1440].
    """
    _record_minutes(
        db, user_id=user_id, kind=WALK, what=N_("Walking time"), minutes=minutes, now=now, tz=tz,
        source=source,
    )  # fmt: skip


def record_sitting(
    db: Session,
    *,
    user_id: int,
    minutes: float,
    now: datetime,
    tz: tzinfo | None = None,
    source: str = "manual",
) -> None:
    """Add minutes of sitting at the desk (flushes; the caller commits)."""
    _record_minutes(
        db, user_id=user_id, kind=SITTING, what=N_("Sitting time"), minutes=minutes, now=now, tz=tz,
        source=source,
    )  # fmt: skip


def record_posture(
    db: Session,
    *,
    user_id: int,
    now: datetime,
    alerts: int = 0,
    minutes_by_state: Mapping[str, float] | None = None,
    tz: tzinfo | None = None,
    source: str = "camera",
) -> None:
    """Store what the posture monitor saw: alerts and minutes per state (flushes).

    ``absent`` minutes are not stored (sitting time covers presence); states
    with less than a second are left out.

    Raises:
        UsageError: a negative alert count or an unknown state.
    """
    if alerts < 0:
        raise UsageError(_("The number of posture alerts cannot be negative."))
    day = local_day(now, tz)
    for _alert in range(alerts):
        add_habit_log(
            db, user_id=user_id, day=day, at=now, kind=POSTURE_ALERT, amount=1, source=source
        )
    for state, minutes in (minutes_by_state or {}).items():
        if state == "absent":
            continue
        if state not in POSTURE_MINUTES:
            raise UsageError(_("Unknown posture state '{state}'.").format(state=state))
        if minutes >= 1 / 60:
            add_habit_log(
                db, user_id=user_id, day=day, at=now, kind=POSTURE_MINUTES[state],
                amount=_minutes(minutes, N_("Posture time")), source=source,
            )  # fmt: skip
    db.flush()


def desk_days(db: Session, *, user_id: int, since: date, until: date) -> list[DeskDay]:
    """One ``DeskDay`` per day with ``since <= day < until``, oldest first (empty days too)."""
    logs = list_habit_logs(db, user_id=user_id, since=since, until=until)
    return desk_days_from_logs(logs, since=since, until=until)


def desk_days_from_logs(logs: Iterable[HabitLog], *, since: date, until: date) -> list[DeskDay]:
    """``desk_days`` from habit logs already read (logs outside the days are left out)."""
    counts: dict[date, dict[str, float]] = defaultdict(lambda: defaultdict(float))
    for log in logs:
        if since <= log.day < until:
            counts[log.day][log.kind] += log.amount
    days: list[DeskDay] = []
    day = since
    while day < until:
        c = counts.get(day, {})
        days.append(
            DeskDay(
                day=day,
                breaks_taken=round(c.get(BREAK, 0)),
                breaks_snoozed=round(c.get(BREAK_SNOOZED, 0)),
                breaks_skipped=round(c.get(BREAK_SKIPPED, 0)),
                sitting_min=c.get(SITTING, 0.0),
                walking_min=c.get(WALK, 0.0),
                posture_alerts=round(c.get(POSTURE_ALERT, 0)),
                posture_min={
                    state: c[kind] for state, kind in POSTURE_MINUTES.items() if c.get(kind)
                },
            )
        )
        day += timedelta(days=1)
    return days


def desk_day(db: Session, *, user_id: int, day: date) -> DeskDay:
    """The desk figures of one day (zeros when nothing was logged).

    Habit logs bump the user's revision, so the figures are kept under it
    (``services.page_cache``): the desk page and every desk tick ask.
    """
    return page_cache.cached(
        db,
        name="desk-day",
        user_id=user_id,
        key=day,
        compute=lambda: desk_days(db, user_id=user_id, since=day, until=day + timedelta(days=1))[0],
    )


def desk_moves(catalog: Catalog) -> tuple[str, ...]:
    """The exercise ids of the desk-break routine, in order (the scheduler's rotation)."""
    program = catalog.programs.get(DESK_PROGRAM)
    if program is None:
        return breaks.DEFAULT_MOVES
    steps = program.lengths.get(Length.SHORT) or next(iter(program.lengths.values()))
    moves = tuple(dict.fromkeys(step.exercise for step in steps))
    return moves or breaks.DEFAULT_MOVES


def break_config(db: Session, *, user_id: int, catalog: Catalog) -> BreakConfig:
    """The scheduler's settings: the desk-break moves and the user's minutes between breaks."""
    minutes = load_preferences(db, user_id=user_id).break_minutes
    return BreakConfig(micro_every_s=minutes * 60.0, moves=desk_moves(catalog))


@dataclass
class DeskTimer:
    """The scheduler's state for one running surface, writing what happens to the store.

    Sitting time is written when at least ``sitting_slice_s`` of it has gathered
    (and on ``flush``), so a long day makes a few dozen rows, not thousands.
    """

    config: BreakConfig
    state: BreakState
    user_id: int
    source: str
    tz: tzinfo | None = None
    sitting_slice_s: float = 5 * 60
    unsaved_sitting_s: float = 0.0

    @classmethod
    def begin(
        cls,
        *,
        config: BreakConfig,
        now: datetime,
        user_id: int,
        source: str,
        tz: tzinfo | None = None,
    ) -> DeskTimer:
        return cls(config=config, state=breaks.start(now), user_id=user_id, source=source, tz=tz)

    @property
    def due(self) -> DueBreak | None:
        return self.state.due

    def next_break(self) -> tuple[BreakKind, float]:
        return breaks.next_break_in(self.state, config=self.config)

    def tick(self, db: Session, now: datetime, *, active: bool) -> DueBreak | None:
        """Advance the scheduler; returns a break that became due on this tick."""
        before = self.state
        self.state = breaks.tick(before, now, active=active, config=self.config)
        same_day = self.state.counters.day == before.counters.day
        gained = self.state.counters.sitting_s - (before.counters.sitting_s if same_day else 0.0)
        self.unsaved_sitting_s += max(0.0, gained)
        if self.unsaved_sitting_s >= self.sitting_slice_s:
            self.flush(db, now)
        return self.state.due if before.due is None else None

    def flush(self, db: Session, now: datetime) -> None:
        """Write the sitting time gathered so far (whole seconds' worth)."""
        if self.unsaved_sitting_s >= 1:
            record_sitting(
                db, user_id=self.user_id, minutes=self.unsaved_sitting_s / 60, now=now,
                tz=self.tz, source=self.source,
            )  # fmt: skip
            self.unsaved_sitting_s = 0.0

    def act(self, db: Session, action: BreakAction, now: datetime) -> bool:
        """Take, snooze or skip the due break and store it; False when refused
        (nothing due, or no skips left today)."""
        due = self.state.due
        if due is None:
            return False
        walked = due.length_s / 60 if due.kind is BreakKind.REST else 0.0
        if action is BreakAction.TAKE:
            self.state = breaks.take(self.state, walked_min=walked)
        elif action is BreakAction.SNOOZE:
            self.state = breaks.snooze(self.state, config=self.config)
        else:
            if not breaks.can_skip(self.state, config=self.config):
                return False
            self.state = breaks.skip(self.state, config=self.config)
        record_break(
            db, user_id=self.user_id, action=action, now=now, tz=self.tz, source=self.source
        )
        if action is BreakAction.TAKE and walked > 0:
            record_walk(
                db, user_id=self.user_id, minutes=walked, now=now, tz=self.tz, source=self.source
            )
        return True


def totals(days: Iterable[DeskDay]) -> DeskDay:
    """The sum of several days (dated with the last day), e.g. for a week."""
    listed = list(days)
    if not listed:
        raise ValueError("no days to add up")
    posture: dict[str, float] = defaultdict(float)
    for d in listed:
        for state, minutes in d.posture_min.items():
            posture[state] += minutes
    return DeskDay(
        day=listed[-1].day,
        breaks_taken=sum(d.breaks_taken for d in listed),
        breaks_snoozed=sum(d.breaks_snoozed for d in listed),
        breaks_skipped=sum(d.breaks_skipped for d in listed),
        sitting_min=sum(d.sitting_min for d in listed),
        walking_min=sum(d.walking_min for d in listed),
        posture_alerts=sum(d.posture_alerts for d in listed),
        posture_min=dict(posture),
    )


@dataclass(frozen=True)
class DeskWeek:
    """One week's desk figures (``start`` a Monday; the current week up to today)."""

    start: date
    figures: DeskDay

    def to_json(self) -> dict[str, object]:
        figures = self.figures.to_json()
        del figures["day"]
        return {"week_start": self.start.isoformat(), **figures}


@dataclass(frozen=True)
class DeskStatistics:
    """Desk figures per day and per week, newest first."""

    days: tuple[DeskDay, ...]
    weeks: tuple[DeskWeek, ...]

    def to_json(self) -> dict[str, object]:
        return {
            "days": [d.to_json() for d in self.days],
            "weeks": [w.to_json() for w in self.weeks],
        }


def desk_statistics(
    db: Session, *, user_id: int, today: date, days: int = 7, weeks: int = 8
) -> DeskStatistics:
    """The last ``days`` days and the last ``weeks`` weeks (Monday to Sunday, this week
    included up to ``today``) of breaks taken, snoozed and skipped, sitting and walking
    minutes, posture alerts and posture minutes per state; newest first, empty ones too.

    Raises:
        ValueError: ``days`` or ``weeks`` less than 1.
    """
    if days < 1 or weeks < 1:
        raise ValueError("days and weeks must be 1 or more")
    first_week = today - timedelta(days=today.weekday(), weeks=weeks - 1)
    since = min(first_week, today - timedelta(days=days - 1))
    until = today + timedelta(days=1)
    every_day = desk_days(db, user_id=user_id, since=since, until=until)
    by_week: dict[date, list[DeskDay]] = defaultdict(list)
    for d in every_day:
        if d.day >= first_week:
            by_week[d.day - timedelta(days=d.day.weekday())].append(d)
    return DeskStatistics(
        days=tuple(reversed(every_day[-days:])),
        weeks=tuple(
            DeskWeek(start=monday, figures=totals(by_week[monday]))
            for monday in sorted(by_week, reverse=True)
        ),
    )
