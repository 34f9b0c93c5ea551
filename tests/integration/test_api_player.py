"""The player's server side: a session left running is paused, not run on without the person."""

from __future__ import annotations

from dataclasses import dataclass

from backcoach.coach.engine import SessionEngine, Start, Status
from backcoach.coach.plan import plan_from_program
from backcoach.content import Length, default_catalog
from backcoach.services.clock import SessionClock
from backcoach.services.session_events import STALE_AFTER_S, EventType, make_event, pause_if_stale
from backcoach.services.sessions import ActiveSession


@dataclass(frozen=True)
class FixedClock(SessionClock):
    at: float = 0.0

    def now(self) -> float:
        return self.at


def running_session(started_at: float) -> ActiveSession:
    plan = plan_from_program(default_catalog(), "back-basics", Length.SHORT)
    engine = SessionEngine(plan)
    engine.apply(Start(started_at))
    return ActiveSession(id=1, plan=plan, engine=engine)


def test_a_session_seen_recently_keeps_running() -> None:
    active = running_session(1000.0)
    clock = FixedClock(time_scale=2.0, at=1000.0 + 2.0 * STALE_AFTER_S - 1)
    assert pause_if_stale(active, clock) == []
    assert active.engine.state.status is Status.RUNNING


def test_a_session_left_alone_is_paused_where_it_was() -> None:
    active = running_session(1000.0)
    before = active.engine.state
    clock = FixedClock(time_scale=2.0, at=1000.0 + 2.0 * STALE_AFTER_S + 1)
    notices = pause_if_stale(active, clock)
    state = active.engine.state
    assert [n.kind.value for n in notices] == ["paused"]
    assert state.status is Status.PAUSED
    assert (state.step_index, state.activity, state.remaining_s) == (
        before.step_index,
        before.activity,
        before.remaining_s,
    )
    # the time away is paused time, not exercise time
    active.engine.apply(make_event(EventType.RESUME, clock.now()))
    assert active.engine.state.active_s == before.active_s
    assert active.engine.state.paused_s == clock.now() - 1000.0
