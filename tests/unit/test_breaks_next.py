"""``next_break_in``: the countdown the desk surfaces show agrees with when a break fires."""

from __future__ import annotations

from datetime import datetime, timedelta

from hypothesis import example, given, settings
from hypothesis import strategies as st

from backcoach.coach import breaks
from backcoach.coach.breaks import BreakConfig, BreakKind, BreakState

T0 = datetime(2026, 11, 25, 9, 0)
CONFIG = BreakConfig()

# what happens between two looks at the countdown: (seconds, active), or a user action
steps = st.one_of(
    st.tuples(st.floats(min_value=1, max_value=900), st.booleans()),
    st.sampled_from(["take", "snooze", "skip"]),
)


def advance(state: BreakState, seconds: float, active: bool = True) -> BreakState:
    return breaks.tick(state, state.now + timedelta(seconds=seconds), active=active, config=CONFIG)


def apply(state: BreakState, step: tuple[float, bool] | str) -> BreakState:
    if step == "take":
        return breaks.take(state)
    if step == "snooze":
        return breaks.snooze(state, config=CONFIG)
    if step == "skip":
        return breaks.skip(state, config=CONFIG)
    assert isinstance(step, tuple)
    return advance(state, *step)


def test_fresh_state_counts_down_to_the_micro_break() -> None:
    assert breaks.next_break_in(breaks.start(T0), config=CONFIG) == (BreakKind.MICRO, 1200)


def test_snooze_and_rest_breaks_show_in_the_countdown() -> None:
    state = advance(breaks.start(T0), 1200)
    assert breaks.next_break_in(state, config=CONFIG) == (BreakKind.MICRO, 0)
    state = breaks.snooze(state, config=CONFIG)
    assert breaks.next_break_in(state, config=CONFIG) == (BreakKind.MICRO, 300)
    state = breaks.take(advance(state, 300))
    state = breaks.take(advance(state, 1200))
    assert state.since_rest_s == 2700
    # micro and rest breaks both fall due in 15 minutes: the rest break wins, as when ticking
    assert breaks.next_break_in(state, config=CONFIG) == (BreakKind.REST, 900)
    state = advance(state, 400, active=False)  # away for a rest break's length: clocks restart
    assert breaks.next_break_in(state, config=CONFIG) == (BreakKind.MICRO, 1200)


@settings(max_examples=150, deadline=None)
@given(st.lists(steps, max_size=12))
# a micro break taken when the rest break is already overdue: the rest break is due at once
@example([(1.0, True), (899.0, True), (900.0, True), (900.0, True), (900.0, True), "take"])
def test_the_break_fires_exactly_when_the_countdown_ends(history: list[object]) -> None:
    state = breaks.start(T0)
    for step in history:
        state = apply(state, step)  # type: ignore[arg-type]
    if state.due is not None:
        return
    kind, seconds = breaks.next_break_in(state, config=CONFIG)
    assert seconds >= 0
    if seconds > 1:
        assert advance(state, seconds - 1).due is None
    fired = advance(state, seconds + 0.001)  # datetimes keep microseconds only
    assert fired.due is not None and fired.due.kind is kind
