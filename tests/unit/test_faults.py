"""Form faults of the squat, push-up, plank and curl-up on synthetic movements.

Each fault is shown once done wrong and once done right, and where a view
cannot show it, that it stays quiet there. The figures and the camera turn
come from ``test_views``.
"""

from __future__ import annotations

from backcoach.vision.analyzers.form import BACK_NOT_JUDGED, head_drop
from backcoach.vision.geometry import torso_length
from backcoach.vision.landmarks import Landmark, LandmarkFrame
from backcoach.vision.landmarks import PoseLandmark as P
from tests.support.synthetic import Render, generate, repetitions, still
from tests.unit.test_views import (
    CURLED,
    PLANK,
    PUSH_BOTTOM,
    PUSH_TOP,
    SQUAT,
    STAND,
    SUPINE,
    VIEWS,
    clip,
    run,
)

HEELS = (P.LEFT_HEEL, P.RIGHT_HEEL)


def codes(exercise: str, frames: list[LandmarkFrame]) -> set[str]:
    result, _ = run(exercise, frames)
    return {fault.code for fault in result.faults}


# --- head in line ---------------------------------------------------------------------------


def test_head_drop_reads_the_ear_against_the_trunk_line() -> None:
    def drop(head: float) -> float | None:
        frame = generate(still(PUSH_TOP.with_segments(head=head), 0.1), Render()).frames[0]
        return head_drop(frame, "right")

    level, dropped, lifted = drop(178.0), drop(230.0), drop(140.0)
    assert level is not None and abs(level) < 15
    assert dropped is not None and dropped > 40
    assert lifted is not None and lifted < -25


def test_push_ups_with_the_head_dropped_get_a_fault_side_on_only() -> None:
    head_down = {"head": 235.0}
    script = repetitions(
        PUSH_TOP.with_segments(**head_down), PUSH_BOTTOM.with_segments(**head_down), 3
    )
    assert "head-dropped" in codes("push-up", clip(script, VIEWS["side"]))
    _, feedback = run("push-up", clip(script, VIEWS["front"]))
    assert all("head-dropped" not in f.faults for f in feedback)
    assert BACK_NOT_JUDGED in {f.hint for f in feedback}


def test_push_ups_with_the_head_in_line_get_no_fault() -> None:
    assert codes("push-up", clip(repetitions(PUSH_TOP, PUSH_BOTTOM, 3), VIEWS["side"])) == set()


def test_plank_with_the_head_dropped_gets_a_fault() -> None:
    assert "head-dropped" in codes("plank", clip(still(PLANK.with_segments(head=235), 4.0), 0.0))
    assert codes("plank", clip(still(PLANK, 4.0), 0.0)) == set()


# --- push-up depth --------------------------------------------------------------------------


# Elbows at 105 degrees, forearms upright: the shoulders stay at 0.63 of their top height.
HALF = PUSH_TOP.with_segments(upper_arm_l=-15, forearm_l=-90, upper_arm_r=-15, forearm_r=-90)


def test_half_push_ups_are_not_low_enough_in_every_view() -> None:
    half = HALF
    for degrees in VIEWS.values():
        result, _ = run("push-up", clip(repetitions(PUSH_TOP, half, 3), degrees))
        assert result.reps == 3, degrees
        assert {f.code for f in result.faults} == {"not-low-enough"}, degrees


def _hands_below_the_picture(frames: list[LandmarkFrame]) -> list[LandmarkFrame]:
    """The person lower in the picture, so the hands are just below its edge."""
    lowest = max(f.landmarks[P.LEFT_WRIST].y for f in frames if f.landmarks is not None)
    shift = 1.05 - lowest
    return [
        LandmarkFrame(f.t_s, tuple(m._replace(y=m.y + shift) for m in f.landmarks), f.aspect)
        for f in frames
        if f.landmarks is not None
    ]


def test_push_up_depth_is_not_judged_with_the_hands_outside_the_picture() -> None:
    frames = _hands_below_the_picture(clip(repetitions(PUSH_TOP, HALF, 3), 0.0))
    result, _ = run("push-up", frames)
    assert result.reps == 3
    assert "not-low-enough" not in {f.code for f in result.faults}


# --- squat heels ----------------------------------------------------------------------------


def _heels_raised(
    frames: list[LandmarkFrame], torsos: float, visibility: float = 0.99
) -> list[LandmarkFrame]:
    """Heels raised by ``torsos`` torso lengths whenever the hips are low (the squat's bottom)."""
    standing = frames[0]
    assert standing.landmarks is not None
    hip_y = standing.landmarks[P.LEFT_HIP].y
    ruler = torso_length(standing)
    assert ruler is not None
    out: list[LandmarkFrame] = []
    for frame in frames:
        assert frame.landmarks is not None
        marks = list(frame.landmarks)
        low = marks[P.LEFT_HIP].y - hip_y > 0.5 * ruler
        for heel in HEELS:
            lift = torsos * ruler if low else 0.0
            m = marks[heel]
            marks[heel] = Landmark(m.x, m.y - lift, m.z, visibility)
        out.append(LandmarkFrame(frame.t_s, tuple(marks), frame.aspect))
    return out


def test_squats_on_the_toes_get_heels_up_in_every_view() -> None:
    for degrees in VIEWS.values():
        frames = _heels_raised(clip(repetitions(STAND, SQUAT, 3), degrees), 0.2)
        assert "heels-up" in codes("squat", frames), degrees


def test_a_small_heel_shift_or_an_unclear_foot_is_no_fault() -> None:
    frames = clip(repetitions(STAND, SQUAT, 3), VIEWS["side"])
    assert "heels-up" not in codes("squat", _heels_raised(frames, 0.04))
    assert "heels-up" not in codes("squat", _heels_raised(frames, 0.2, visibility=0.6))


# --- curl-up neck ---------------------------------------------------------------------------


def test_curl_ups_with_the_chin_pulled_in_get_a_fault() -> None:
    tucked = CURLED.with_segments(head=115)
    script = repetitions(SUPINE, tucked, 2, hold_s=2.0, rest_s=1.0)
    assert "neck-flexed" in codes("curl-up", clip(script, 0.0))
    neutral = repetitions(SUPINE, CURLED, 2, hold_s=2.0, rest_s=1.0)
    assert "neck-flexed" not in codes("curl-up", clip(neutral, 0.0))
