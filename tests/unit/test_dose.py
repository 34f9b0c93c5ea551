"""The dose: a rep with a hold counts only when held its time; partial reps at the end do not."""

from __future__ import annotations

import pytest

from backcoach.coach.plan import PlannedStep
from backcoach.content import Kind, default_catalog
from backcoach.services.live_coach import LiveCoach, exercise_dose, step_dose
from backcoach.vision.analyzers import get_analyzer
from backcoach.vision.analyzers.base import UNFINISHED, Guided, hold_cue
from backcoach.vision.counting import HOLD_TOLERANCE_S, Dose
from backcoach.vision.landmarks import LandmarkFrame
from backcoach.vision.pipeline import run_analyzer

from .vision_factories import (
    BRIDGE_DOWN,
    BRIDGE_UP,
    PLANK,
    PUSH_UP_BOTTOM,
    PUSH_UP_TOP,
    cycle,
    frames,
)

BRIDGE_DOSE = Dose(hold_s=4.0)


def bridges(reps: int, hold_s: float) -> list[LandmarkFrame]:
    return frames(cycle(BRIDGE_DOWN, BRIDGE_UP, reps=reps, hold_s=hold_s))


def test_the_dose_rule() -> None:
    assert BRIDGE_DOSE.met(4.0) and BRIDGE_DOSE.met(4.0 - HOLD_TOLERANCE_S)
    assert not BRIDGE_DOSE.met(3.5)
    assert BRIDGE_DOSE.left_s(1.5) == 2.5 and BRIDGE_DOSE.left_s(5.0) == 0.0
    assert BRIDGE_DOSE.rep_hold and not Dose(hold_s=20.0, each_rep=False).rep_hold
    assert Dose().met(0.0) and not Dose().rep_hold
    assert hold_cue(BRIDGE_DOSE, 0.0) is None
    assert hold_cue(BRIDGE_DOSE, 2.2) == "Hold... 2 more seconds."
    assert hold_cue(BRIDGE_DOSE, 3.2) == "Hold... 1 more second."
    assert hold_cue(BRIDGE_DOSE, 4.0) == "Well held: now lower slowly."


def test_a_two_second_bridge_does_not_meet_a_four_second_dose() -> None:
    stream = bridges(3, hold_s=2.0)
    assert run_analyzer(stream, get_analyzer("glute-bridge")).reps == 3  # no dose: counted
    guided = Guided(get_analyzer("glute-bridge"), dose=BRIDGE_DOSE)
    replies = [guided.update(frame) for frame in stream]
    cues = [r.cue for r in replies]
    assert "Hold... 2 more seconds." in cues
    too_short = "Hold each lift for 4 seconds: that one did not count."
    assert cues.count(too_short) >= 3 * 30  # said for a while after each of the 3 lifts
    assert not any(r.rep_done for r in replies)
    assert guided.result().reps == 0


def test_bridges_held_their_dose_count_with_a_countdown() -> None:
    guided = Guided(get_analyzer("glute-bridge"), dose=BRIDGE_DOSE)
    replies = [guided.update(frame) for frame in bridges(3, hold_s=4.6)]
    cues = [r.cue for r in replies if r.cue]
    countdown = [c for c in cues if c.startswith("Hold... ")]
    assert countdown.index("Hold... 3 more seconds.") < countdown.index("Hold... 1 more second.")
    assert "Well held: now lower slowly." in cues
    assert sum(r.rep_done for r in replies) == 3
    assert guided.result().reps == 3


@pytest.mark.parametrize(("held_s", "reps"), [(4.5, 2), (2.0, 1)])
def test_a_recording_that_ends_in_the_hold_counts_it_only_when_the_dose_was_held(
    held_s: float, reps: int
) -> None:
    keys = cycle(BRIDGE_DOWN, BRIDGE_UP, reps=1, hold_s=4.5)
    end = keys[-1][0]
    keys += [(end + 0.6, BRIDGE_UP), (end + 0.6 + held_s, BRIDGE_UP)]
    assert run_analyzer(frames(keys), get_analyzer("glute-bridge"), dose=BRIDGE_DOSE).reps == reps


def test_a_push_up_cut_off_half_way_up_does_not_count() -> None:
    keys = cycle(PUSH_UP_TOP, PUSH_UP_BOTTOM, reps=3)
    end = keys[-1][0]
    half_up = {k: (PUSH_UP_TOP[k] + PUSH_UP_BOTTOM[k]) / 2 for k in PUSH_UP_TOP}
    keys += [(end + 0.6, PUSH_UP_BOTTOM), (end + 0.9, PUSH_UP_BOTTOM), (end + 1.2, half_up)]
    result = run_analyzer(frames(keys), get_analyzer("push-up"))
    assert result.reps == 3
    assert result.faults[-1].code == UNFINISHED


def test_the_dose_reaches_the_camera_from_the_session_step_and_the_library() -> None:
    bridge = PlannedStep("glute-bridge", "Glute bridge", Kind.REPS, sets=2, reps=8, hold_s=5.0)
    assert step_dose(bridge) == Dose(hold_s=5.0, each_rep=True)
    plank = PlannedStep("plank", "Plank", Kind.HOLD, sets=2, hold_s=20.0)
    assert step_dose(plank) == Dose(hold_s=20.0, each_rep=False)
    squat = PlannedStep("squat", "Squat", Kind.REPS, sets=2, reps=8)
    assert step_dose(squat) is None
    catalog = default_catalog()
    assert exercise_dose(catalog.exercise("glute-bridge")) == Dose(hold_s=4.0)
    assert exercise_dose(catalog.exercise("plank")) == Dose(hold_s=15.0, each_rep=False)


def test_a_timed_hold_counts_down_to_its_dose_live() -> None:
    coach = LiveCoach.for_exercise("plank", Dose(hold_s=3.0, each_rep=False))
    replies = [coach.message(coach.feed(f)) for f in frames([(0.0, PLANK), (6.0, PLANK)])]
    cues = [r["cue"] for r in replies if r["cue"]]
    assert "Hold... 2 more seconds." in cues
    assert cues[-1] == "Well held: that is the dose."
    assert cues.index("Hold... 2 more seconds.") < cues.index("Well held: that is the dose.")
