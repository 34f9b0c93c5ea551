"""The session engine: table tests of each kind of step, and properties over any events."""

from __future__ import annotations

import json
from collections.abc import Sequence

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from backcoach.coach.engine import (
    BREATHE_IN_S,
    BREATHE_OUT_S,
    MOVE_S,
    STEP_READY_S,
    Activity,
    Back,
    EndReason,
    Event,
    HoldDone,
    Hurt,
    Notice,
    NoticeKind,
    Pause,
    Phase,
    Quit,
    RepDone,
    Resume,
    SessionEngine,
    SessionState,
    Side,
    Skip,
    Start,
    Status,
    StepRecord,
    StepStatus,
    Tick,
)
from backcoach.coach.plan import PlannedStep, SessionPlan
from backcoach.content import Kind, Length

# --- factories -------------------------------------------------------------


def reps(name: str = "bird-dog", **kw: object) -> PlannedStep:
    args: dict[str, object] = {"sets": 1, "reps": 2}
    args.update(kw)
    return PlannedStep(name, name.replace("-", " ").title(), Kind.REPS, **args)  # type: ignore[arg-type]


def hold(name: str = "side-plank", **kw: object) -> PlannedStep:
    args: dict[str, object] = {"sets": 1, "hold_s": 10.0}
    args.update(kw)
    return PlannedStep(name, name.replace("-", " ").title(), Kind.HOLD, **args)  # type: ignore[arg-type]


def timed(name: str = "high-knee-march", **kw: object) -> PlannedStep:
    args: dict[str, object] = {"sets": 1, "duration_s": 20.0}
    args.update(kw)
    return PlannedStep(name, name.replace("-", " ").title(), Kind.TIMED, **args)  # type: ignore[arg-type]


def breathing(**kw: object) -> PlannedStep:
    args: dict[str, object] = {"sets": 1, "reps": 2, "hold_s": 3.0}
    args.update(kw)
    return PlannedStep("deep-breathing", "Deep breathing", Kind.BREATHING, **args)  # type: ignore[arg-type]


def plan_of(*steps: PlannedStep) -> SessionPlan:
    return SessionPlan("test", Length.SHORT, tuple(steps))


def run(engine: SessionEngine, events: Sequence[Event]) -> list[Notice]:
    out: list[Notice] = []
    for event in events:
        out += engine.apply(event)
    return out


def kinds(notices: Sequence[Notice]) -> list[NoticeKind]:
    return [n.kind for n in notices]


def started(*steps: PlannedStep) -> SessionEngine:
    engine = SessionEngine(plan_of(*steps))
    engine.apply(Start(0.0))
    return engine


# --- table tests -----------------------------------------------------------


def test_rep_step_counts_reps_then_moves_on() -> None:
    engine = started(reps(reps=3), timed())
    assert engine.state.activity is Activity.COUNT_REPS
    assert engine.state.reps_target == 3
    notices = run(engine, [RepDone(1.0), RepDone(2.0)])
    assert kinds(notices) == [NoticeKind.REP_DONE, NoticeKind.REP_DONE]
    assert engine.state.reps_done == 2
    notices = engine.apply(RepDone(3.5))
    assert kinds(notices)[:4] == [
        NoticeKind.REP_DONE,
        NoticeKind.SET_DONE,
        NoticeKind.STEP_COMPLETED,
        NoticeKind.STEP_STARTED,
    ]
    record = notices[2].record
    assert record == StepRecord(0, "bird-dog", StepStatus.COMPLETED, 3, 0.0, 3.5, 1)
    assert engine.state.step_index == 1
    assert engine.state.completed == (0,)


def test_per_side_sets_with_rest_between_sets_only() -> None:
    engine = started(reps(sets=2, reps=1, per_side=True, rest_s=10.0))
    assert engine.state.side is Side.LEFT
    engine.apply(RepDone(1.0))
    assert (engine.state.side, engine.state.set_index, engine.state.phase) == (
        Side.RIGHT,
        0,
        Phase.WORK,
    )
    notices = engine.apply(RepDone(2.0))
    assert NoticeKind.REST_STARTED in kinds(notices)
    assert engine.state.phase is Phase.REST
    assert engine.state.remaining_s == 10.0
    engine.apply(Tick(7.0))
    assert engine.state.remaining_s == 5.0
    notices = engine.apply(Tick(12.0))
    assert kinds(notices) == [
        NoticeKind.COUNTDOWN,
        NoticeKind.COUNTDOWN,
        NoticeKind.COUNTDOWN,
        NoticeKind.REST_DONE,
        NoticeKind.SIDE_STARTED,
    ]
    assert [n.say for n in notices[:3]] == ["3", "2", "1"]
    assert (engine.state.set_index, engine.state.side, engine.state.phase) == (
        1,
        Side.LEFT,
        Phase.WORK,
    )
    run(engine, [RepDone(13.0), RepDone(14.0)])
    assert engine.state.finished
    assert engine.state.ended_by is EndReason.COMPLETED
    summary = engine.summary()
    assert (summary.steps_completed, summary.reps, summary.active_s) == (1, 4, 14.0)
    assert summary.records[0].sets_done == 2


def test_rep_done_during_rest_ends_it() -> None:
    engine = started(reps(sets=2, reps=1, rest_s=30.0))
    engine.apply(RepDone(1.0))
    assert engine.state.phase is Phase.REST
    notices = engine.apply(RepDone(2.0))
    assert NoticeKind.REST_DONE in kinds(notices)
    assert (engine.state.phase, engine.state.set_index) == (Phase.WORK, 1)


def test_hold_step_gets_ready_then_counts_down() -> None:
    engine = started(hold(hold_s=10.0, sets=1), reps())
    assert (engine.state.activity, engine.state.remaining_s) == (Activity.GET_READY, STEP_READY_S)
    notices = engine.apply(Tick(STEP_READY_S))
    assert [n.say for n in notices] == ["3", "2", "1", "Hold for 10 seconds."]
    assert (engine.state.activity, engine.state.remaining_s) == (Activity.HOLD, 10.0)
    engine.apply(Tick(STEP_READY_S + 4.0))
    assert engine.state.remaining_s == 6.0
    notices = engine.apply(Tick(STEP_READY_S + 10.0))
    assert NoticeKind.HOLD_DONE in kinds(notices)
    assert NoticeKind.STEP_COMPLETED in kinds(notices)
    record = engine.state.records[0]
    assert (record.hold_s, record.duration_s) == (10.0, STEP_READY_S + 10.0)


@pytest.mark.parametrize(
    ("step", "work"),
    [
        (breathing(reps=2), Activity.BREATHE_IN),
        (reps("glute-bridge", reps=2, hold_s=4.0), Activity.MOVE),
        (hold(hold_s=10.0), Activity.HOLD),
        (timed(duration_s=20.0), Activity.KEEP_MOVING),
    ],
)
def test_a_step_with_a_clock_begins_with_time_to_hear_its_set_up(
    step: PlannedStep, work: Activity
) -> None:
    engine = started(step, reps())
    assert (engine.state.activity, engine.state.remaining_s) == (Activity.GET_READY, STEP_READY_S)
    engine.apply(Tick(STEP_READY_S - 0.5))
    assert engine.state.activity is Activity.GET_READY
    engine.apply(RepDone(STEP_READY_S - 0.25))  # "I'm ready": in position sooner
    assert engine.state.activity is work


def test_reps_at_ones_own_pace_need_no_get_ready() -> None:
    assert started(reps(reps=3)).state.activity is Activity.COUNT_REPS


def test_later_sets_of_breaths_and_held_reps_start_without_the_long_wait() -> None:
    engine = started(breathing(reps=1, sets=2, rest_s=5.0), reps())
    engine.apply(RepDone(0.0))  # ready
    engine.apply(RepDone(1.0))  # the one breath of set 1: the rest begins
    assert engine.state.activity is Activity.REST
    engine.apply(RepDone(2.0))  # skip the rest
    assert engine.state.activity is Activity.BREATHE_IN


def test_hold_done_ends_a_hold_early_and_records_the_time_held() -> None:
    engine = started(hold(hold_s=30.0), reps())
    run(engine, [RepDone(1.0), Tick(5.0), HoldDone(8.0)])
    assert engine.state.step_index == 1
    assert engine.state.records[0].hold_s == 7.0


def test_timed_step_counts_down_and_finishes_session() -> None:
    engine = started(timed(duration_s=20.0))
    engine.apply(Tick(STEP_READY_S))
    assert engine.state.activity is Activity.KEEP_MOVING
    engine.apply(Tick(STEP_READY_S + 19.0))
    assert engine.state.remaining_s == 1.0
    engine.apply(Tick(100.0))
    assert engine.state.finished
    # The session ended when the work ended, not at the late tick.
    assert engine.state.ended_at == STEP_READY_S + 20.0
    assert engine.state.active_s == STEP_READY_S + 20.0


def test_reps_with_hold_move_then_hold_each_rep() -> None:
    engine = started(reps("glute-bridge", reps=2, hold_s=4.0))
    assert (engine.state.activity, engine.state.remaining_s) == (Activity.GET_READY, STEP_READY_S)
    r = STEP_READY_S
    engine.apply(Tick(r))
    assert engine.state.activity is Activity.MOVE
    engine.apply(Tick(r + MOVE_S))
    assert (engine.state.activity, engine.state.remaining_s) == (Activity.HOLD, 4.0)
    notices = engine.apply(Tick(r + MOVE_S + 4.0))
    assert kinds(notices)[-2:] == [NoticeKind.HOLD_DONE, NoticeKind.REP_DONE]
    assert engine.state.reps_done == 1
    assert engine.state.activity is Activity.MOVE
    # RepDone while moving: "in position" -> the hold starts now; again: the hold ends early.
    engine.apply(RepDone(r + MOVE_S + 5.0))
    assert engine.state.activity is Activity.HOLD
    engine.apply(RepDone(r + MOVE_S + 6.0))
    assert engine.state.finished
    record = engine.state.records[0]
    assert (record.reps, record.hold_s) == (2, 5.0)


def test_breath_pacer_phases() -> None:
    engine = started(breathing(reps=2, hold_s=3.0))
    seen: list[tuple[Activity | None, float | None]] = []
    t = 0.0
    while not engine.state.finished:
        seen.append((engine.state.activity, engine.state.activity_total_s))
        t = t + (engine.state.remaining_s or 1.0)
        engine.apply(Tick(t))
    one_breath = [
        (Activity.BREATHE_IN, BREATHE_IN_S),
        (Activity.BREATHE_HOLD, 3.0),
        (Activity.BREATHE_OUT, BREATHE_OUT_S),
    ]
    assert seen == [(Activity.GET_READY, STEP_READY_S)] + one_breath * 2
    assert engine.state.records[0].reps == 2
    assert t == STEP_READY_S + 2 * (BREATHE_IN_S + 3.0 + BREATHE_OUT_S)


def test_rep_done_during_breathing_counts_the_breath() -> None:
    engine = started(breathing(reps=3))
    engine.apply(RepDone(0.5))  # "I'm ready": the first breath begins
    assert engine.state.activity is Activity.BREATHE_IN
    notices = engine.apply(RepDone(1.0))
    assert kinds(notices) == [NoticeKind.REP_DONE, NoticeKind.BREATH]
    assert (engine.state.reps_done, engine.state.activity) == (1, Activity.BREATHE_IN)


def test_pause_freezes_countdowns_and_counts_paused_time() -> None:
    engine = started(hold(hold_s=10.0))
    engine.apply(Tick(2.0))
    engine.apply(Pause(2.0))
    assert engine.state.paused
    before = engine.state
    run(engine, [Tick(50.0), RepDone(51.0), HoldDone(52.0), Skip(53.0), Back(54.0)])
    after = engine.state
    assert (after.remaining_s, after.activity, after.step_index) == (
        before.remaining_s,
        before.activity,
        before.step_index,
    )
    assert (after.active_s, after.paused_s) == (2.0, 52.0)
    notices = engine.apply(Resume(60.0))
    assert kinds(notices) == [NoticeKind.RESUMED]
    engine.apply(Tick(61.0))
    assert engine.state.remaining_s == before.remaining_s - 1.0  # type: ignore[operator]
    assert (engine.state.active_s, engine.state.paused_s) == (3.0, 58.0)


def test_skip_records_partial_progress_and_back_reopens_previous_step() -> None:
    engine = started(reps(reps=3), reps("superman", reps=2), timed())
    engine.apply(RepDone(1.0))
    notices = engine.apply(Skip(2.0))
    assert kinds(notices)[0] is NoticeKind.STEP_SKIPPED
    assert notices[0].record is not None and notices[0].record.reps == 1
    assert engine.state.skipped == (0,)
    run(engine, [RepDone(3.0), RepDone(4.0)])
    assert engine.state.step_index == 2
    assert engine.state.completed == (1,)
    notices = engine.apply(Back(5.0))
    assert kinds(notices)[:2] == [NoticeKind.STEP_REOPENED, NoticeKind.STEP_STARTED]
    assert engine.state.step_index == 1
    assert engine.state.completed == ()
    assert engine.state.skipped == (0,)
    engine.apply(Back(6.0))
    assert engine.state.step_index == 0
    assert engine.state.records == ()
    engine.apply(Back(7.0))  # at the first step: restart it
    assert (engine.state.step_index, engine.state.reps_done) == (0, 0)


def test_skipping_the_last_step_finishes_the_session_ended_early() -> None:
    engine = started(reps(), hold())
    run(engine, [Skip(1.0), Skip(2.0)])
    assert engine.state.finished
    assert engine.state.ended_by is EndReason.ENDED_EARLY  # 0 of 2 steps done
    assert engine.summary().steps_skipped == 2


@pytest.mark.parametrize(
    ("event", "reason"), [(Quit(9.0), EndReason.QUIT), (Hurt(9.0), EndReason.HURT)]
)
def test_quit_and_hurt_end_the_session_and_nothing_moves_after(
    event: Event, reason: EndReason
) -> None:
    engine = started(reps(reps=5), reps("superman"))
    engine.apply(RepDone(1.0))
    notices = engine.apply(event)
    assert kinds(notices) == [NoticeKind.SESSION_FINISHED]
    assert engine.state.ended_by is reason
    assert engine.state.records == ()  # the step in progress is neither done nor skipped
    assert engine.state.active_s == 9.0
    frozen = engine.snapshot()
    for later in (Tick(20.0), RepDone(21.0), Start(22.0), Resume(23.0), Skip(24.0)):
        assert engine.apply(later) == []
    assert engine.snapshot() == frozen


def test_hurt_says_stop_and_see_a_clinician() -> None:
    engine = started(reps())
    (notice,) = engine.apply(Hurt(1.0))
    assert notice.say is not None
    assert "stop" in notice.say.lower() and "clinician" in notice.say


def test_events_before_start_are_ignored() -> None:
    engine = SessionEngine(plan_of(reps()))
    for event in (Tick(1.0), RepDone(2.0), Pause(3.0), Skip(4.0), Back(5.0)):
        assert engine.apply(event) == []
    assert engine.state == SessionState(steps_total=1)


def test_empty_plan_finishes_at_start() -> None:
    engine = SessionEngine(plan_of())
    notices = engine.apply(Start(0.0))
    assert kinds(notices) == [NoticeKind.SESSION_STARTED, NoticeKind.SESSION_FINISHED]
    assert engine.state.ended_by is EndReason.COMPLETED


def test_zero_dose_steps_pass_straight_through() -> None:
    engine = SessionEngine(plan_of(reps(reps=0), hold(hold_s=0.0), timed(duration_s=0.0), reps()))
    engine.apply(Start(0.0))
    engine.apply(Tick(STEP_READY_S * 2))
    assert engine.state.step_index == 3
    assert engine.state.completed == (0, 1, 2)


def test_resume_at_starts_at_the_step_and_keeps_earlier_records() -> None:
    plan = plan_of(reps(), reps("superman"), timed())
    done = StepRecord(0, "bird-dog", StepStatus.COMPLETED, 2, 0.0, 30.0, 1)
    engine = SessionEngine.resume_at(plan, 1, records=[done])
    engine.apply(Start(100.0))
    assert engine.state.step_index == 1
    run(engine, [RepDone(101.0), RepDone(102.0), Skip(103.0)])
    summary = engine.summary()
    assert (summary.steps_completed, summary.steps_skipped, summary.reps) == (2, 1, 4)
    assert summary.active_s == 3.0


@pytest.mark.parametrize("index", [-1, 3])
def test_resume_at_rejects_steps_outside_the_plan(index: int) -> None:
    with pytest.raises(ValueError, match="outside"):
        SessionEngine.resume_at(plan_of(reps(), reps(), reps()), index)


def test_restore_rejects_another_plan_or_version() -> None:
    engine = started(reps(), hold())
    snap = engine.snapshot()
    with pytest.raises(ValueError, match="different"):
        SessionEngine.restore(plan_of(hold(), reps()), snap)
    with pytest.raises(ValueError, match="version"):
        SessionEngine.restore(plan_of(reps(), hold()), {**snap, "version": 99})
    broken = {**snap, "state": {**snap["state"], "status": "dancing"}}
    with pytest.raises(ValueError, match="malformed"):
        SessionEngine.restore(plan_of(reps(), hold()), broken)


# --- properties ------------------------------------------------------------

# Times and doses are multiples of 0.25 s so float arithmetic is exact and
# "one long tick == many short ticks" can be checked with ==.
quarter = st.integers(min_value=0, max_value=40).map(lambda q: q * 0.25)


@st.composite
def planned_steps(draw: st.DrawFn) -> PlannedStep:
    kind = draw(st.sampled_from(list(Kind)))
    return PlannedStep(
        exercise_id=draw(st.sampled_from(["bird-dog", "side-plank", "deep-breathing", "superman"])),
        name="Step",
        kind=kind,
        sets=draw(st.integers(1, 3)),
        reps=draw(st.one_of(st.none(), st.integers(0, 3))),
        hold_s=draw(st.one_of(st.none(), quarter)),
        duration_s=draw(st.one_of(st.none(), quarter)),
        per_side=draw(st.booleans()),
        rest_s=draw(st.sampled_from([0.0, 2.5, 5.0])),
    )


plans = st.lists(planned_steps(), min_size=0, max_size=4).map(lambda s: plan_of(*s))

EVENT_TYPES: list[type[Event]] = [Tick, Tick, Tick, RepDone, RepDone, HoldDone, Pause, Resume]
EVENT_TYPES += [Skip, Back, Quit, Hurt, Start]


@st.composite
def event_lists(draw: st.DrawFn, max_size: int = 40) -> list[Event]:
    """A Start, then any events; time mostly moves on, sometimes stands or goes back."""
    t = 0.0
    events: list[Event] = [Start(t)]
    for _ in range(draw(st.integers(0, max_size))):
        step = draw(st.one_of(quarter, st.just(-1.0)))
        t = max(0.0, t + step)
        events.append(draw(st.sampled_from(EVENT_TYPES))(t))
    return events


def check_invariants(engine: SessionEngine) -> None:
    s = engine.state
    n = s.steps_total
    assert n == len(engine.plan.steps)
    if s.status is Status.NOT_STARTED:
        assert s.activity is None and s.started_at is None
        return
    if s.finished:
        assert 0 <= s.step_index <= n
        assert s.activity is None and s.remaining_s is None and s.phase is Phase.IDLE
        assert s.ended_by is not None and s.ended_at is not None
    else:
        assert 0 <= s.step_index < n
        step = engine.plan.steps[s.step_index]
        assert 0 <= s.set_index < max(step.sets, 1)
        assert 0 <= s.side_index < step.sides
        assert (s.side is None) == (not step.per_side) or s.phase is Phase.REST
        assert s.activity is not None
        assert (s.phase is Phase.REST) == (s.activity is Activity.REST)
        if s.remaining_s is not None:
            assert s.activity_total_s is not None
            assert 0 < s.remaining_s <= s.activity_total_s
        if s.reps_target is not None:
            assert 0 <= s.reps_done < s.reps_target or s.phase is Phase.REST
    assert min(s.active_s, s.paused_s, s.step_active_s, s.step_hold_s, s.step_reps) >= 0
    indexes = [r.index for r in s.records]
    assert indexes == sorted(set(indexes))
    assert all(0 <= i < n for i in indexes)
    assert not set(s.completed) & set(s.skipped)
    assert s.started_at is not None and s.last_t is not None
    end = s.ended_at if s.ended_at is not None else s.last_t
    assert s.active_s + s.paused_s == pytest.approx(end - s.started_at, abs=1e-9)


@settings(max_examples=300, deadline=None)
@given(plan=plans, events=event_lists())
def test_any_events_leave_a_valid_state(plan: SessionPlan, events: list[Event]) -> None:
    engine = SessionEngine(plan)
    check_invariants(engine)
    for event in events:
        before = engine.snapshot()
        was = engine.state
        notices = engine.apply(event)
        check_invariants(engine)
        if was.finished:
            assert notices == [] and engine.snapshot() == before
        if was.paused and isinstance(event, Tick | RepDone | HoldDone | Skip | Back | Pause):
            assert engine.state.remaining_s == was.remaining_s
            assert engine.state.active_s == was.active_s
            assert (engine.state.step_index, engine.state.reps_done) == (
                was.step_index,
                was.reps_done,
            )


@settings(max_examples=200, deadline=None)
@given(plan=plans, events=event_lists())
def test_summary_matches_the_events_and_notices(plan: SessionPlan, events: list[Event]) -> None:
    engine = SessionEngine(plan)
    active = paused = 0.0
    last_t: float | None = None
    records: dict[int, StepRecord] = {}
    reps_in_step: dict[int, int] = {}
    for event in [*events, Quit(events[-1].t + 1.0)]:
        was = engine.state
        if last_t is not None and not was.finished:
            dt = max(0.0, event.t - last_t)
            if was.status is Status.RUNNING:
                active += dt
            elif was.status is Status.PAUSED:
                paused += dt
        if was.status is not Status.NOT_STARTED or isinstance(event, Start):
            last_t = max(event.t, last_t or event.t)
        for notice in engine.apply(event):
            if notice.kind is NoticeKind.STEP_STARTED:
                reps_in_step[notice.step_index] = 0
            elif notice.kind is NoticeKind.REP_DONE:
                reps_in_step[notice.step_index] += 1
            elif notice.kind is NoticeKind.STEP_REOPENED:
                records.pop(notice.step_index, None)
            elif notice.kind in (NoticeKind.STEP_COMPLETED, NoticeKind.STEP_SKIPPED):
                assert notice.record is not None
                assert notice.record.reps == reps_in_step[notice.step_index]
                assert notice.record.status is (
                    StepStatus.COMPLETED
                    if notice.kind is NoticeKind.STEP_COMPLETED
                    else StepStatus.SKIPPED
                )
                records[notice.step_index] = notice.record
    assert engine.state.finished
    summary = engine.summary()
    assert summary.records == tuple(records[i] for i in sorted(records))
    assert summary.steps_completed == sum(
        r.status is StepStatus.COMPLETED for r in records.values()
    )
    assert summary.steps_skipped == sum(r.status is StepStatus.SKIPPED for r in records.values())
    assert summary.reps == sum(r.reps for r in records.values())
    assert summary.paused_s == pytest.approx(paused)
    if summary.ended_by in (EndReason.COMPLETED, EndReason.ENDED_EARLY):
        # It may have ended part-way through the last tick: the rest is not session time.
        assert summary.active_s <= active + 1e-9
    else:
        assert summary.active_s == pytest.approx(active)


@settings(max_examples=200, deadline=None)
@given(plan=plans, events=event_lists(), data=st.data())
def test_snapshot_restore_round_trips_at_any_point(
    plan: SessionPlan, events: list[Event], data: st.DataObject
) -> None:
    cut = data.draw(st.integers(0, len(events)))
    straight = SessionEngine(plan)
    notices_straight = run(straight, events)

    first = SessionEngine(plan)
    notices = run(first, events[:cut])
    stored = json.loads(json.dumps(first.snapshot()))
    second = SessionEngine.restore(plan, stored)
    assert second.state == first.state
    assert second.snapshot() == first.snapshot()
    notices += run(second, events[cut:])
    assert notices == notices_straight
    assert second.state == straight.state


@settings(max_examples=200, deadline=None)
@given(plan=plans, ticks=st.lists(quarter, min_size=1, max_size=30))
def test_one_long_tick_equals_many_short_ones(plan: SessionPlan, ticks: list[float]) -> None:
    many = SessionEngine(plan)
    one = SessionEngine(plan)
    many.apply(Start(0.0))
    one.apply(Start(0.0))
    t = 0.0
    for dt in ticks:
        t += dt
        many.apply(Tick(t))
    one.apply(Tick(t))
    assert one.state == many.state


@settings(max_examples=100, deadline=None)
@given(plan=plans)
def test_rep_done_and_time_alone_finish_every_plan(plan: SessionPlan) -> None:
    engine = SessionEngine(plan)
    engine.apply(Start(0.0))
    t = 0.0
    for _ in range(2000):
        if engine.state.finished:
            break
        t += 1.0
        event = RepDone(t) if engine.state.activity is Activity.COUNT_REPS else Tick(t)
        engine.apply(event)
    assert engine.state.finished
    summary = engine.summary()
    assert summary.steps_completed == len(plan.steps)
    expected_reps = sum(
        max(s.sets, 1) * s.sides * (s.reps if s.reps is not None else 1)
        for s in plan.steps
        if s.kind in (Kind.REPS, Kind.BREATHING)
    )
    assert summary.reps == expected_reps
