"""The desk runtime's state as a JSON document, for ``store.desk_state``.

What is stored is everything a desk timer needs to carry on in another process:
the break scheduler's state (without the finished days' counters, which the
habit logs hold), the away flag, the last tick's real time, the sitting seconds
not written yet, and the posture monitor with the posture seconds written so far.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import date, datetime
from typing import Any

from backcoach.coach.breaks import BreakKind, BreakState, DayCounters, DueBreak
from backcoach.vision.posture import (
    Baseline,
    Features,
    PostureConfig,
    PostureMonitor,
    PostureState,
    Span,
)


@dataclass
class DeskSnapshot:
    """A desk timer's state between two requests."""

    state: BreakState
    away: bool = False
    last_tick_real: float | None = None
    unsaved_sitting_s: float = 0.0
    posture: PostureMonitor | None = None
    posture_last_t: float = -1.0
    posture_stored_s: dict[PostureState, float] = field(default_factory=dict)


def _counters_to_json(counters: DayCounters) -> dict[str, Any]:
    return {**asdict(counters), "day": counters.day.isoformat()}


def _counters_from_json(data: dict[str, Any]) -> DayCounters:
    return DayCounters(**{**data, "day": date.fromisoformat(data["day"])})


def state_to_json(state: BreakState) -> dict[str, Any]:
    due = state.due
    return {
        "now": state.now.isoformat(),
        "counters": _counters_to_json(state.counters),
        "since_micro_s": state.since_micro_s,
        "since_rest_s": state.since_rest_s,
        "snoozed_until_s": state.snoozed_until_s,
        "away_s": state.away_s,
        "move_index": state.move_index,
        "due": None if due is None else {"kind": due.kind.value, "move": due.move,
                                         "length_s": due.length_s},
    }  # fmt: skip


def state_from_json(data: dict[str, Any]) -> BreakState:
    due = data["due"]
    return BreakState(
        now=datetime.fromisoformat(data["now"]),
        counters=_counters_from_json(data["counters"]),
        since_micro_s=data["since_micro_s"],
        since_rest_s=data["since_rest_s"],
        snoozed_until_s=data["snoozed_until_s"],
        away_s=data["away_s"],
        move_index=data["move_index"],
        due=None if due is None else DueBreak(BreakKind(due["kind"]), due["move"], due["length_s"]),
    )


def monitor_to_json(monitor: PostureMonitor) -> dict[str, Any]:
    data = asdict(monitor)
    data["spans"] = [[s.start_s, s.end_s, s.state.value] for s in monitor.spans]
    for name in ("_state", "_candidate"):
        data[name] = getattr(monitor, name).value
    return data


def monitor_from_json(data: dict[str, Any]) -> PostureMonitor:
    baseline = data["baseline"]
    return PostureMonitor(
        config=PostureConfig(**data["config"]),
        baseline=None if baseline is None else Baseline(**baseline),
        spans=[Span(start, end, PostureState(state)) for start, end, state in data["spans"]],
        frames=data["frames"],
        alerts=data["alerts"],
        _samples=[Features(**f) for f in data["_samples"]],
        _calibration_start=data["_calibration_start"],
        _state=PostureState(data["_state"]),
        _candidate=PostureState(data["_candidate"]),
        _candidate_since=data["_candidate_since"],
        _bad_since=data["_bad_since"],
        _last_alert=data["_last_alert"],
    )


def snapshot_to_json(snapshot: DeskSnapshot) -> dict[str, Any]:
    posture = snapshot.posture
    return {
        "state": state_to_json(snapshot.state),
        "away": snapshot.away,
        "last_tick_real": snapshot.last_tick_real,
        "unsaved_sitting_s": snapshot.unsaved_sitting_s,
        "posture": None if posture is None else monitor_to_json(posture),
        "posture_last_t": snapshot.posture_last_t,
        "posture_stored_s": {s.value: v for s, v in snapshot.posture_stored_s.items()},
    }


def snapshot_from_json(data: dict[str, Any]) -> DeskSnapshot:
    posture = data["posture"]
    return DeskSnapshot(
        state=state_from_json(data["state"]),
        away=data["away"],
        last_tick_real=data["last_tick_real"],
        unsaved_sitting_s=data["unsaved_sitting_s"],
        posture=None if posture is None else monitor_from_json(posture),
        posture_last_t=data["posture_last_t"],
        posture_stored_s={PostureState(s): v for s, v in data["posture_stored_s"].items()},
    )
