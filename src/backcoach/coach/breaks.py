"""Break scheduler for desk work: micro-breaks, rest breaks, idle awareness.

The rules, in plain words:

- Only *active* desk time counts towards a break. Time while the user is away
  (idle: no input and, with the posture monitor, nobody in view) never makes a
  break fire, and a break never fires while the user is away.
- A micro-break (default 20 s) is due after 20 min of active time since the
  last break of any kind; it suggests one move from the ``desk-break`` routine,
  in rotation. A rest break (default 5 min: stand up and walk) is due after
  60 min of active time since the last rest break; when both are due, the rest
  break wins.
- Being away for at least a break's length counts as that break taken (an
  absence of 5 min resets both clocks; one of 20 s resets the micro clock).
- Snooze postpones a due break (default 5 min of active time). Skip drops it
  and restarts its clock, but only a few skips per day are allowed (default 3);
  after that, skip is refused and the break stays due.
- No break fires during quiet hours (e.g. a lunch hour or after work).
- Counters (taken, snoozed, skipped, active sitting seconds, walking minutes)
  are per calendar day and start from zero on a new day.

Pure: the caller passes the current time and whether the user is active.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time
from enum import StrEnum

DEFAULT_MOVES = (
    "neck-turns",
    "shoulder-circles",
    "overhead-side-bend",
    "neck-nods",
    "deep-breathing",
)


class BreakKind(StrEnum):
    MICRO = "micro"
    REST = "rest"


@dataclass(frozen=True)
class BreakConfig:
    micro_every_s: float = 20 * 60
    micro_length_s: float = 20
    rest_every_s: float = 60 * 60
    rest_length_s: float = 5 * 60
    snooze_s: float = 5 * 60
    max_skips_per_day: int = 3
    quiet_hours: tuple[tuple[time, time], ...] = ()
    moves: tuple[str, ...] = DEFAULT_MOVES

    def __post_init__(self) -> None:
        if min(self.micro_every_s, self.micro_length_s, self.rest_every_s, self.rest_length_s) <= 0:
            raise ValueError("break intervals and lengths must be positive")
        if self.snooze_s <= 0 or self.max_skips_per_day < 0 or not self.moves:
            raise ValueError("snooze must be positive, skips non-negative, and moves non-empty")

    def is_quiet(self, moment: time) -> bool:
        """True inside any quiet-hours window (windows may wrap past midnight)."""
        for start, end in self.quiet_hours:
            inside = start <= moment < end if start <= end else (moment >= start or moment < end)
            if inside:
                return True
        return False


@dataclass(frozen=True)
class DayCounters:
    day: date
    taken: int = 0
    snoozed: int = 0
    skipped: int = 0
    sitting_s: float = 0.0
    walking_min: float = 0.0


@dataclass(frozen=True)
class DueBreak:
    kind: BreakKind
    move: str  # exercise id suggested for a micro-break; "walk" for a rest break
    length_s: float


@dataclass(frozen=True)
class BreakState:
    """Everything the scheduler remembers; replace it with each call's result."""

    now: datetime
    counters: DayCounters
    since_micro_s: float = 0.0  # active seconds since the last break of any kind
    since_rest_s: float = 0.0  # active seconds since the last rest break
    snoozed_until_s: float = 0.0  # since_micro_s value before which nothing fires
    away_s: float = 0.0  # length of the current absence
    move_index: int = 0
    due: DueBreak | None = None
    history: tuple[DayCounters, ...] = field(default=())  # finished days, oldest first


def start(now: datetime) -> BreakState:
    """A fresh scheduler state at ``now``."""
    return BreakState(now=now, counters=DayCounters(day=now.date()))


def _roll_day(state: BreakState, now: datetime) -> BreakState:
    if now.date() == state.counters.day:
        return state
    return replace(
        state,
        counters=DayCounters(day=now.date()),
        history=(*state.history, state.counters),
    )


def tick(state: BreakState, now: datetime, *, active: bool, config: BreakConfig) -> BreakState:
    """Advance to ``now``; ``active`` says whether the user was at the desk since the last tick.

    Example:
        >>> state = tick(state, now, active=True, config=BreakConfig())
        >>> state.due  # a DueBreak when one should be shown, else None
    """
    if now < state.now:
        raise ValueError("time went backwards")
    elapsed = (now - state.now).total_seconds()
    state = _roll_day(replace(state, now=now), now)
    if not active:
        away = state.away_s + elapsed
        since_micro = 0.0 if away >= config.micro_length_s else state.since_micro_s
        since_rest = 0.0 if away >= config.rest_length_s else state.since_rest_s
        if away >= config.micro_length_s:
            # the absence was the break; whatever was due is no longer
            return replace(
                state,
                away_s=away,
                since_micro_s=since_micro,
                since_rest_s=since_rest,
                snoozed_until_s=0.0,
                due=None,
            )
        return replace(state, away_s=away)
    state = replace(
        state,
        away_s=0.0,
        since_micro_s=state.since_micro_s + elapsed,
        since_rest_s=state.since_rest_s + elapsed,
        counters=replace(state.counters, sitting_s=state.counters.sitting_s + elapsed),
    )
    if state.due is not None or config.is_quiet(now.time()):
        return state
    if state.since_micro_s < state.snoozed_until_s:
        return state
    if state.since_rest_s >= config.rest_every_s:
        return replace(state, due=DueBreak(BreakKind.REST, "walk", config.rest_length_s))
    if state.since_micro_s >= config.micro_every_s:
        move = config.moves[state.move_index % len(config.moves)]
        return replace(state, due=DueBreak(BreakKind.MICRO, move, config.micro_length_s))
    return state


def take(state: BreakState, *, walked_min: float = 0.0) -> BreakState:
    """The user did the due break (a rest break may log walking minutes)."""
    if state.due is None:
        return state
    rest = state.due.kind is BreakKind.REST
    counters = replace(
        state.counters,
        taken=state.counters.taken + 1,
        walking_min=state.counters.walking_min + max(0.0, walked_min),
    )
    return replace(
        state,
        due=None,
        counters=counters,
        since_micro_s=0.0,
        since_rest_s=0.0 if rest else state.since_rest_s,
        snoozed_until_s=0.0,
        move_index=state.move_index + (0 if rest else 1),
    )


def snooze(state: BreakState, *, config: BreakConfig) -> BreakState:
    """Postpone the due break by ``config.snooze_s`` of active time."""
    if state.due is None:
        return state
    return replace(
        state,
        due=None,
        snoozed_until_s=state.since_micro_s + config.snooze_s,
        counters=replace(state.counters, snoozed=state.counters.snoozed + 1),
    )


def can_skip(state: BreakState, *, config: BreakConfig) -> bool:
    return state.due is not None and state.counters.skipped < config.max_skips_per_day


def skip(state: BreakState, *, config: BreakConfig) -> BreakState:
    """Drop the due break; refused (state unchanged) once the day's skips are used up."""
    if not can_skip(state, config=config):
        return state
    assert state.due is not None
    rest = state.due.kind is BreakKind.REST
    return replace(
        state,
        due=None,
        since_micro_s=0.0,
        since_rest_s=0.0 if rest else state.since_rest_s,
        snoozed_until_s=0.0,
        move_index=state.move_index + (0 if rest else 1),
        counters=replace(state.counters, skipped=state.counters.skipped + 1),
    )


def log_walk(state: BreakState, minutes: float) -> BreakState:
    """Walking logged by hand."""
    if minutes <= 0:
        raise ValueError("walking minutes must be positive")
    counters = replace(state.counters, walking_min=state.counters.walking_min + minutes)
    return replace(state, counters=counters)


def all_days(state: BreakState) -> Sequence[DayCounters]:
    """Finished days and today, oldest first."""
    return (*state.history, state.counters)


def next_break_in(state: BreakState, *, config: BreakConfig) -> tuple[BreakKind, float]:
    """The next break and the active seconds until it is due (0 when one is due now).

    Quiet hours are not counted in: a break that falls inside them waits for their end.

    Example:
        >>> kind, seconds = next_break_in(start(now), config=BreakConfig())  # doctest: +SKIP
        >>> kind, seconds
        (<BreakKind.MICRO: 'micro'>, 1200.0)
    """
    if state.due is not None:
        return state.due.kind, 0.0
    rest_in = max(0.0, config.rest_every_s - state.since_rest_s)
    micro_at = max(config.micro_every_s, state.snoozed_until_s)
    micro_in = max(0.0, micro_at - state.since_micro_s)
    rest_at = max(rest_in, state.snoozed_until_s - state.since_micro_s)
    if rest_at <= micro_in:
        return BreakKind.REST, rest_at
    return BreakKind.MICRO, micro_in
