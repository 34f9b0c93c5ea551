"""The honest-outcome rule: fewer than half the steps done is "ended early", not complete."""

from __future__ import annotations

import pytest

from backcoach.coach.engine import (
    EndReason,
    Event,
    Hurt,
    NoticeKind,
    Quit,
    RepDone,
    SessionEngine,
    Skip,
    Start,
)
from backcoach.coach.outcome import counts_as_complete, done_text, end_reason, title
from backcoach.coach.plan import PlannedStep, SessionPlan
from backcoach.content import Kind, Length


def one_rep_step(index: int) -> PlannedStep:
    return PlannedStep(
        exercise_id=f"exercise-{index}", name=f"Exercise {index}", kind=Kind.REPS, sets=1, reps=1
    )


def plan_of(total: int) -> SessionPlan:
    steps = tuple(one_rep_step(i) for i in range(total))
    return SessionPlan(program_id="test", length=Length.SHORT, steps=steps)


def played(total: int, done: int) -> SessionEngine:
    """A session of ``total`` one-rep steps: the first ``done`` done, the rest skipped."""
    engine = SessionEngine(plan_of(total))
    engine.apply(Start(0.0))
    for i in range(total):
        event: Event = RepDone(float(i + 1)) if i < done else Skip(float(i + 1))
        engine.apply(event)
    assert engine.state.finished
    return engine


@pytest.mark.parametrize(
    ("total", "done", "complete"),
    [
        (14, 0, False),  # skipped every step
        (14, 6, False),  # just under half
        (14, 7, True),  # exactly half
        (14, 14, True),  # every step
        (7, 3, False),  # just under half of an odd number
        (7, 4, True),
        (1, 0, False),
        (1, 1, True),
        (0, 0, True),  # nothing to do
    ],
)
def test_the_rule(total: int, done: int, complete: bool) -> None:
    assert counts_as_complete(done, total) is complete
    expected = EndReason.COMPLETED if complete else EndReason.ENDED_EARLY
    assert end_reason(done, total) is expected


@pytest.mark.parametrize(
    ("total", "done", "reason"),
    [
        (14, 0, EndReason.ENDED_EARLY),
        (14, 6, EndReason.ENDED_EARLY),
        (14, 7, EndReason.COMPLETED),
        (14, 14, EndReason.COMPLETED),
    ],
)
def test_the_engine_ends_a_session_by_the_rule(total: int, done: int, reason: EndReason) -> None:
    engine = played(total, done)
    assert engine.state.ended_by is reason
    summary = engine.summary()
    assert (summary.steps_completed, summary.steps_skipped) == (done, total - done)


def test_skipping_everything_does_not_say_well_done() -> None:
    engine = SessionEngine(plan_of(14))
    engine.apply(Start(0.0))
    finished = []
    for i in range(14):
        finished += [
            n for n in engine.apply(Skip(i + 1.0)) if n.kind is NoticeKind.SESSION_FINISHED
        ]
    (notice,) = finished
    assert notice.say is not None
    assert "ended early" in notice.say
    assert "You did 0 of 14 steps." in notice.say
    assert "complete" not in notice.say.lower()
    assert title(engine.state.ended_by) == "Session ended early"


def test_a_complete_session_is_praised() -> None:
    engine = played(4, 2)
    assert title(engine.state.ended_by) == "Session complete. Well done!"


@pytest.mark.parametrize("event", [Quit(1.0), Hurt(1.0)])
def test_quit_and_hurt_keep_their_reasons_whatever_was_done(event: Event) -> None:
    engine = SessionEngine(plan_of(2))
    engine.apply(Start(0.0))
    engine.apply(RepDone(0.5))
    engine.apply(event)
    reason = EndReason.QUIT if isinstance(event, Quit) else EndReason.HURT
    assert engine.state.ended_by is reason
    assert title(reason) == ("Session ended early" if reason is EndReason.QUIT else "Stop and rest")


def test_done_text_says_what_was_done() -> None:
    assert done_text(3, 14) == "You did 3 of 14 steps."
    assert done_text(0, 1) == "You did 0 of 1 step."


def test_hurt_never_suggests_pushing_through() -> None:
    hurt = SessionEngine(plan_of(2))
    hurt.apply(Start(0.0))
    (notice,) = hurt.apply(Hurt(1.0))
    assert notice.say is not None
    assert "not to push through" in notice.say and "Stop" in notice.say
