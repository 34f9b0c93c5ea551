"""The seed's floor exercises: the visit counter's rule and each analyzer on generated frames.

Real clips of the same exercises are in ``tests/integration/test_seed_clips.py``;
here the expected counts and sides are exact, so each rule of the counter
(``analyzers/_visits.py``) and of the side naming gets its own case: starting
in the held position, a sag during the hold, a brisk march that never fully
lowers the knee, alternating and same-side bird-dogs, an arm out of view.
"""

from __future__ import annotations

import math
import random

import pytest

from backcoach.content.models import Segments
from backcoach.vision.analyzers import get_analyzer
from backcoach.vision.analyzers._visits import VisitCounter
from backcoach.vision.analyzers.base import AnalysisResult, Feedback
from backcoach.vision.landmarks import LandmarkFrame
from tests.support.synthetic import (
    Occlusion,
    Pose,
    Render,
    Script,
    Step,
    Synthetic,
    alternating,
    generate,
    landmark_set,
    repetitions,
)

from .vision_factories import ARCH, BRIDGE_DOWN, BRIDGE_UP, PIKE, PLANK, frames

_ARMS = ("upper_arm_l", "forearm_l", "upper_arm_r", "forearm_r")
_LIMBS = (*_ARMS, "thigh_l", "shin_l", "thigh_r", "shin_r")
#: Standing: every limb hangs straight down (segment directions in degrees, 90 = up).
STAND = Pose(Segments(trunk=90.0, head=90.0, **dict.fromkeys(_LIMBS, -90.0)))
FOURS = STAND.with_segments(trunk=0, head=10, shin_l=180, shin_r=180)
PRONE = STAND.with_segments(
    trunk=0, head=0, upper_arm_l=0, forearm_l=0, upper_arm_r=0, forearm_r=0,
    thigh_l=180, shin_l=180, thigh_r=180, shin_r=180,
)  # fmt: skip
SUPERMAN_UP = PRONE.with_segments(
    trunk=8, head=10, upper_arm_l=16, forearm_l=16, upper_arm_r=16, forearm_r=16,
    thigh_l=168, shin_l=168, thigh_r=168, shin_r=168,
)  # fmt: skip
KNEE_UP = STAND.with_segments(thigh_l=-10)


def count(counter: VisitCounter, values: list[float], fps: float = 10.0) -> list[float]:
    """Feed ``values`` at ``fps``; the end times of the reps counted."""
    ends = []
    for i, value in enumerate(values):
        rep = counter.update(i / fps, value)
        if rep is not None:
            ends.append(rep.end_s)
    return ends


def run(
    exercise: str, stream: list[LandmarkFrame] | Synthetic
) -> tuple[AnalysisResult, list[Feedback]]:
    analyzer = get_analyzer(exercise)
    if isinstance(stream, Synthetic):
        stream = stream.frames
    feedback = [analyzer.update(frame) for frame in stream]
    return analyzer.result(), feedback


# --- the visit counter ------------------------------------------------------------------


def test_a_lift_counts_once_when_it_comes_back_down_after_the_hold() -> None:
    counter = VisitCounter(min_amplitude=20.0)
    ends = count(counter, [125.0] * 10 + [175.0] * 30 + [125.0] * 10)
    assert ends == [pytest.approx(4.0)]  # after the 3 s at the top, not on arrival


def test_a_recording_that_starts_in_the_held_position_counts_its_returns() -> None:
    top, bottom = [175.0] * 15, [125.0] * 15
    one = VisitCounter(min_amplitude=20.0)
    assert len(count(one, top + bottom + top)) == 1  # starts and ends at the top
    two = VisitCounter(min_amplitude=20.0)
    assert len(count(two, top + bottom + top + bottom + top + bottom)) == 2


def test_a_flicker_shorter_than_min_active_s_is_forgotten() -> None:
    # Noise pokes into the top zone for 0.2 s just before the real lift: one rep.
    counter = VisitCounter(min_amplitude=20.0, min_active_s=0.5)
    values = [125.0] * 10 + [150.0] * 2 + [135.0] * 2 + [175.0] * 20 + [125.0] * 10
    assert len(count(counter, values)) == 1
    assert counter.started_far is False


def test_a_spike_at_the_start_is_not_a_start_in_the_held_position() -> None:
    counter = VisitCounter(min_amplitude=20.0, min_active_s=0.5)
    count(counter, [150.0] * 2 + [125.0] * 10)
    assert counter.started_far is False
    held = VisitCounter(min_amplitude=20.0, min_active_s=0.5)
    count(held, [175.0] * 10 + [125.0] * 10)
    assert held.started_far is True


def test_a_sag_smaller_than_leave_does_not_end_the_visit() -> None:
    counter = VisitCounter(min_amplitude=20.0, leave=0.4)
    sag = [125.0] * 10 + [175.0] * 10 + [160.0] * 10 + [175.0] * 10 + [125.0] * 10
    assert len(count(counter, sag)) == 1


def test_jitter_below_the_minimum_range_never_counts() -> None:
    rng = random.Random(3)
    counter = VisitCounter(min_amplitude=20.0)
    assert count(counter, [130.0 + rng.uniform(-8.0, 8.0) for _ in range(600)]) == []


def test_a_long_gap_during_a_visit_cancels_it_and_the_next_starts_from_rest() -> None:
    counter = VisitCounter(min_amplitude=20.0, max_gap_s=1.0)
    for i, value in enumerate([125.0] * 10 + [175.0] * 10):
        counter.update(i / 10, value)
    assert counter.update(2.0, None) is None
    assert counter.update(3.5, None) is None  # 1.6 s unseen
    assert counter.phase == "unknown"
    assert [counter.update(3.6 + i / 10, 125.0) for i in range(5)] == [None] * 5
    assert counter.count == 0


def test_a_movement_made_while_getting_into_position_is_forgotten() -> None:
    # Knees pulled to the chest (90 degrees) before the set: once that is older than
    # the window, the bridge's own 125-175 range decides again.
    counter = VisitCounter(min_amplitude=20.0, window_s=5.0)
    setup = [175.0] * 10 + [90.0] * 10 + [125.0] * 60
    bridges = ([175.0] * 20 + [125.0] * 20) * 2
    assert len(count(counter, setup + bridges)) == 2


def test_a_hold_longer_than_the_window_stays_one_rep_and_keeps_its_phase() -> None:
    counter = VisitCounter(min_amplitude=20.0, window_s=5.0)
    phases = []
    for i, value in enumerate([125.0] * 10 + [175.0] * 120 + [125.0] * 10):
        counter.update(i / 10, value)
        phases.append(counter.phase)
    assert counter.count == 1
    assert set(phases[12:129]) == {"active"}  # 12 s at the top, all of it a hold


def test_a_closing_angle_counts_with_rising_false() -> None:
    counter = VisitCounter(min_amplitude=35.0, rising=False)
    reach = ([90.0] * 10 + [10.0] * 20) * 3 + [90.0] * 10
    assert len(count(counter, reach)) == 3
    assert counter.peak == pytest.approx(10.0)


def test_returns_that_stop_short_of_the_floor_still_count_each_cycle() -> None:
    # A brisk march: the knee comes down only to 30 % of its lift between steps.
    counter = VisitCounter(min_amplitude=0.25, near=0.4, leave=0.35, min_active_s=0.1)
    steps = [0.3 + 0.35 * (1.0 - math.cos(2 * math.pi * i / 8)) for i in range(8 * 10)]
    assert len(count(counter, [0.0] * 5 + steps, fps=16.0)) == 10


# --- glute bridge -----------------------------------------------------------------------


def test_bridge_reps_have_no_side() -> None:
    keys = [(0.0, BRIDGE_DOWN), (1.0, BRIDGE_DOWN)]
    for n in range(2):
        start = 1.0 + 5.0 * n
        keys += [(start + 0.7, BRIDGE_UP), (start + 3.7, BRIDGE_UP), (start + 4.4, BRIDGE_DOWN)]
        keys += [(start + 5.0, BRIDGE_DOWN)]
    result, feedback = run("glute-bridge", frames(keys, noise=0.002, seed=1))
    assert result.reps == 2
    assert [e.side for e in result.rep_events] == [None, None]
    assert {f.side for f in feedback} == {None}


def test_bridge_starting_at_the_top_counts_the_lift_back_up() -> None:
    keys = [
        (0.0, BRIDGE_UP),
        (1.5, BRIDGE_UP),
        (2.3, BRIDGE_DOWN),
        (3.5, BRIDGE_DOWN),
        (4.3, BRIDGE_UP),
        (6.0, BRIDGE_UP),
    ]
    result, feedback = run("glute-bridge", frames(keys, noise=0.002, seed=2))
    assert result.reps == 1
    assert result.rep_events[0].end_s < 6.0  # counted on arriving at the top, not at the end
    assert all(f.phase != "unknown" for f in feedback[15:])  # measurable from the start


def test_bridge_lift_that_never_straightens_is_not_a_rep() -> None:
    # Feet close to the buttocks (hip angle about 110), hips lifted by 40 degrees of hip
    # angle yet never near a line with shoulders and knees (about 148): not a bridge.
    def between(w: float) -> dict[str, float]:
        return {k: BRIDGE_DOWN[k] + w * (BRIDGE_UP[k] - BRIDGE_DOWN[k]) for k in BRIDGE_UP}

    deep, low = between(-0.55), between(0.3)
    keys = [(0.0, deep), (1.0, deep), (1.7, low), (4.0, low), (4.7, deep), (6.0, deep)]
    result, feedback = run("glute-bridge", frames(keys))
    assert result.reps == 0
    assert all(f.hold_s == 0.0 for f in feedback)


# --- bird-dog -----------------------------------------------------------------------------


def _reach(arm: str, leg: str) -> Pose:
    """On all fours with the ``arm`` ("l"/"r") reaching forward and the ``leg`` back."""
    return FOURS.with_segments(
        **{f"upper_arm_{arm}": 0, f"forearm_{arm}": 0, f"thigh_{leg}": 180, f"shin_{leg}": 180}
    )


def test_bird_dog_reps_carry_the_reaching_arm_side_as_the_sides_alternate() -> None:
    script = alternating(FOURS, _reach("l", "r"), 2, hold_s=1.5)  # then mirrored: right arm
    result, _ = run("bird-dog", generate(script, Render(noise=0.002, seed=5)))
    assert [e.side for e in result.rep_events] == ["left", "right", "left", "right"]


def test_bird_dog_same_side_variant_is_named_after_the_arm() -> None:
    script = repetitions(FOURS, _reach("l", "l"), 2, hold_s=1.5)
    result, _ = run("bird-dog", generate(script, Render(noise=0.002, seed=6)))
    assert [e.side for e in result.rep_events] == ["left", "left"]


def test_bird_dog_reach_with_the_arm_out_of_view_is_named_from_the_leg() -> None:
    # The right arm is never seen (it leaves the picture): the left leg reaching back
    # names the rep "right", the arm opposite it; the left arm on the floor is seen.
    script = repetitions(FOURS, _reach("r", "l"), 2, hold_s=1.5)
    hidden = Occlusion(landmark_set(("RIGHT_ELBOW", "RIGHT_WRIST", "RIGHT_PINKY", "RIGHT_INDEX")))
    clip = generate(script, Render(noise=0.002, seed=7, occlusions=(hidden,)))
    result, _ = run("bird-dog", clip)
    assert [e.side for e in result.rep_events] == ["right", "right"]
    assert result.faults == ()


def test_bird_dog_counts_a_leg_only_reach_and_per_side_totals() -> None:
    script = repetitions(FOURS, FOURS.with_segments(thigh_r=180, shin_r=180), 1, hold_s=1.5)
    script = script + repetitions(FOURS, _reach("r", "l"), 1, hold_s=1.5)
    _, feedback = run("bird-dog", generate(script, Render(noise=0.002, seed=8)))
    assert feedback[-1].reps == 2
    assert feedback[-1].reps_by_side == {"left": 1, "right": 1}


# --- superman, pike-to-arch, march ---------------------------------------------------------


def test_superman_starting_lifted_counts_each_return_to_the_top() -> None:
    script = Script(
        SUPERMAN_UP,
        (
            Step(SUPERMAN_UP, 0.0, 1.5),
            Step(PRONE, 1.0, 1.0),
            Step(SUPERMAN_UP, 1.0, 1.5),
            Step(PRONE, 1.0, 1.0),
            Step(SUPERMAN_UP, 1.0, 1.5),
        ),
    )
    result, _ = run("superman", generate(script, Render(noise=0.002, seed=9)))
    assert result.reps == 2
    assert {e.side for e in result.rep_events} == {None}


def test_pike_to_arch_counts_a_plank_to_upward_dog_and_a_start_in_the_arch() -> None:
    from_plank = [(0.0, PLANK), (1.0, PLANK), (2.0, ARCH), (4.0, ARCH)]
    assert run("pike-to-arch", frames(from_plank))[0].reps == 1
    from_arch = [(0.0, ARCH), (1.0, ARCH), (2.0, PIKE), (3.0, PIKE), (4.0, ARCH), (5.0, ARCH)]
    assert run("pike-to-arch", frames(from_arch))[0].reps == 1


def test_pike_to_arch_a_brief_wobble_out_of_the_arch_is_not_a_new_rep() -> None:
    mid = {k: (ARCH[k] + PLANK[k]) / 2 for k in ARCH}
    keys = [(0.0, PIKE), (1.0, PIKE), (2.0, ARCH), (3.0, ARCH), (3.15, mid), (3.3, ARCH)]
    keys += [(5.0, ARCH)]
    assert run("pike-to-arch", frames(keys))[0].reps == 1


def test_brisk_march_whose_knees_never_come_fully_down_counts_every_step() -> None:
    half_down = STAND.with_segments(thigh_l=-65, thigh_r=-65)  # 25 degrees of lift left
    left_up = half_down.with_segments(thigh_l=-5)
    right_up = half_down.with_segments(thigh_r=-5)
    steps = [Step(half_down, 0.4)]
    for _ in range(6):
        steps += [Step(left_up, 0.25), Step(half_down, 0.25), Step(right_up, 0.25)]
        steps += [Step(half_down, 0.25)]
    clip = generate(Script(STAND, tuple(steps)), Render(noise=0.002, seed=10))
    _, feedback = run("high-knee-march", clip)
    assert feedback[-1].reps_by_side == {"left": 6, "right": 6}


def test_march_with_one_knee_hidden_now_and_then_keeps_both_sides() -> None:
    script = alternating(STAND, KNEE_UP, 4, move_s=0.4, rest_s=0.1)
    blink = Occlusion(landmark_set(("knee",)), 3.0, 3.3)
    clip = generate(script, Render(noise=0.002, seed=11, occlusions=(blink,)))
    _, feedback = run("high-knee-march", clip)
    assert feedback[-1].reps_by_side == {"left": 4, "right": 4}
