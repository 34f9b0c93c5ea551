"""Break scheduler rules with a fake clock: table-driven and property-based."""

from __future__ import annotations

from datetime import datetime, time, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from backcoach.coach import breaks
from backcoach.coach.breaks import BreakConfig, BreakKind, BreakState

T0 = datetime(2026, 11, 25, 9, 0)
CONFIG = BreakConfig()


def run(
    state: BreakState, minutes: float, *, active: bool = True, step_s: float = 10
) -> BreakState:
    """Tick every ``step_s`` seconds for ``minutes``."""
    for _ in range(round(minutes * 60 / step_s)):
        state = breaks.tick(
            state, state.now + timedelta(seconds=step_s), active=active, config=CONFIG
        )
    return state


def test_micro_break_is_due_after_twenty_active_minutes() -> None:
    state = run(breaks.start(T0), 19.5)
    assert state.due is None
    state = run(state, 0.5)
    assert state.due is not None
    assert state.due.kind is BreakKind.MICRO
    assert state.due.move in CONFIG.moves
    assert state.due.length_s == 20


def test_moves_rotate_through_the_desk_break_routine() -> None:
    state = breaks.start(T0)
    seen = []
    for _ in range(2):  # the third break, at 60 min, is a rest break
        state = run(state, 20)
        assert state.due is not None
        seen.append(state.due.move)
        state = breaks.take(state)
    assert seen == list(CONFIG.moves[:2])


def test_rest_break_after_an_hour_wins_over_micro() -> None:
    state = breaks.start(T0)
    for _ in range(2):
        state = breaks.take(run(state, 20))
    state = run(state, 20)
    assert state.due is not None
    assert state.due.kind is BreakKind.REST
    state = breaks.take(state, walked_min=5)
    assert state.counters.walking_min == 5
    assert state.since_rest_s == 0
    assert state.counters.taken == 3


def test_no_break_fires_while_away_and_absence_counts_as_a_break() -> None:
    state = run(breaks.start(T0), 19)
    state = run(state, 30, active=False)
    assert state.due is None
    assert state.since_micro_s == 0
    assert state.since_rest_s == 0
    assert state.counters.sitting_s == pytest.approx(19 * 60)


def test_short_absence_does_not_reset_the_clock() -> None:
    state = run(breaks.start(T0), 19)
    state = run(state, 10 / 60, active=False)
    state = run(state, 1)
    assert state.due is not None


def test_away_while_a_break_is_due_clears_it() -> None:
    state = run(breaks.start(T0), 20)
    assert state.due is not None
    state = run(state, 1, active=False)
    assert state.due is None


def test_snooze_postpones_by_snooze_time() -> None:
    state = breaks.snooze(run(breaks.start(T0), 20), config=CONFIG)
    assert state.due is None
    assert state.counters.snoozed == 1
    state = run(state, 4.5)
    assert state.due is None
    state = run(state, 0.5)
    assert state.due is not None


def test_skips_are_capped_per_day() -> None:
    state = breaks.start(T0)
    for _ in range(CONFIG.max_skips_per_day):
        state = run(state, 20)
        assert breaks.can_skip(state, config=CONFIG)
        state = breaks.skip(state, config=CONFIG)
    state = run(state, 20)
    assert not breaks.can_skip(state, config=CONFIG)
    refused = breaks.skip(state, config=CONFIG)
    assert refused == state
    assert refused.due is not None
    assert refused.counters.skipped == CONFIG.max_skips_per_day


@pytest.mark.parametrize(
    ("window", "moment", "quiet"),
    [
        ((time(12), time(13)), time(12, 30), True),
        ((time(12), time(13)), time(13), False),
        ((time(22), time(7)), time(23, 30), True),
        ((time(22), time(7)), time(6, 59), True),
        ((time(22), time(7)), time(7, 1), False),
    ],
)
def test_quiet_hours(window: tuple[time, time], moment: time, quiet: bool) -> None:
    assert BreakConfig(quiet_hours=(window,)).is_quiet(moment) is quiet


def test_no_break_during_quiet_hours_then_fires_after() -> None:
    config = BreakConfig(quiet_hours=((time(9, 10), time(9, 40)),))
    state = breaks.start(T0)
    for _ in range(35 * 6):
        state = breaks.tick(state, state.now + timedelta(seconds=10), active=True, config=config)
        assert state.due is None
    for _ in range(6 * 6):
        state = breaks.tick(state, state.now + timedelta(seconds=10), active=True, config=config)
    assert state.due is not None


def test_day_rollover_starts_fresh_counters_and_keeps_yesterday() -> None:
    state = breaks.take(run(breaks.start(datetime(2026, 11, 25, 23, 30)), 20))
    state = run(state, 20)
    assert state.counters.day.isoformat() == "2026-11-26"
    assert state.counters.taken == 0
    assert [d.taken for d in breaks.all_days(state)] == [1, 0]


def test_time_going_backwards_is_an_error() -> None:
    with pytest.raises(ValueError, match="backwards"):
        breaks.tick(breaks.start(T0), T0 - timedelta(seconds=1), active=True, config=CONFIG)


actions = st.lists(
    st.tuples(
        st.sampled_from(["tick", "take", "snooze", "skip"]),
        st.floats(min_value=0, max_value=900),
        st.booleans(),
    ),
    max_size=80,
)


@settings(max_examples=200, deadline=None)
@given(actions)
def test_invariants_under_any_sequence(steps: list[tuple[str, float, bool]]) -> None:
    state = breaks.start(T0)
    active_total = 0.0
    for action, seconds, active in steps:
        before = state
        if action == "tick":
            state = breaks.tick(
                state, state.now + timedelta(seconds=seconds), active=active, config=CONFIG
            )
            if active and state.counters.day == before.counters.day:
                active_total += seconds
            if not active:
                assert state.due is None or before.due is not None  # nothing new fires while away
        elif action == "take":
            state = breaks.take(state)
        elif action == "snooze":
            state = breaks.snooze(state, config=CONFIG)
        else:
            state = breaks.skip(state, config=CONFIG)
        assert state.counters.skipped <= CONFIG.max_skips_per_day
        assert state.since_micro_s >= 0
        assert state.since_rest_s >= 0
        assert state.counters.sitting_s >= 0
        if state.due is not None and state.due.kind is BreakKind.MICRO:
            assert state.since_micro_s >= CONFIG.micro_every_s
    if not state.history:
        # timedelta keeps whole microseconds, so each step may round by up to 0.5 us
        assert state.counters.sitting_s == pytest.approx(active_total, abs=1e-6 * len(steps))
