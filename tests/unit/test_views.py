"""Camera views: side, front and diagonal, and the analyzers counting in each.

The synthetic figure is rendered side-on in 3-D (``tests.support.synthetic``)
and turned about the vertical axis through the hips, so one movement is seen
side-on, diagonally and from the front. BlazePose reports the depth of the
shoulders and hips about three times too deep for their sideways spread (seen
on the shared clips); ``turned`` does the same, so the views are judged on
depth as the real model gives it.
"""

from __future__ import annotations

import itertools
import math

import pytest

from backcoach.content.models import Segments
from backcoach.vision.analyzers import AnalysisResult, Feedback, get_analyzer
from backcoach.vision.analyzers.form import BACK_NOT_JUDGED
from backcoach.vision.landmarks import Landmark, LandmarkFrame
from backcoach.vision.landmarks import PoseLandmark as P
from backcoach.vision.view import SetupCheck, ViewTracker, body_yaw, detect_view, view_hint
from tests.support.synthetic import Pose, Render, Script, generate, repetitions, still

#: How much deeper than true BlazePose reports the torso's depth (measured on the shared clips).
DEPTH_SCALE = 3.0


def _segments(**angles: float) -> Segments:
    base = dict.fromkeys(
        ("upper_arm_l", "forearm_l", "upper_arm_r", "forearm_r", "thigh_l", "shin_l",
         "thigh_r", "shin_r"),
        -90.0,
    )  # fmt: skip
    base.update(trunk=90.0, head=90.0)
    base.update(angles)
    return Segments(**base)


STAND = Pose(_segments())
SQUAT = STAND.with_segments(trunk=65, head=70, thigh_l=-15, thigh_r=-15, shin_l=-115, shin_r=-115)
PUSH_TOP = Pose(
    _segments(trunk=178, head=178, thigh_l=-2, shin_l=-2, thigh_r=-2, shin_r=-2)
)  # fmt: skip
# Chest near the floor: upper arms rising a little towards the feet, forearms upright.
PUSH_BOTTOM = PUSH_TOP.with_segments(upper_arm_l=20, forearm_l=-90, upper_arm_r=20, forearm_r=-90)
PLANK = PUSH_TOP.with_segments(upper_arm_l=-90, forearm_l=180, upper_arm_r=-90, forearm_r=180)
SUPINE = Pose(
    _segments(trunk=180, head=180, upper_arm_l=0, forearm_l=0, upper_arm_r=0, forearm_r=0,
              thigh_l=45, shin_l=-45, thigh_r=45, shin_r=-45)
)  # fmt: skip
CURLED = SUPINE.with_segments(trunk=164, head=158)


def turned(frame: LandmarkFrame, from_side_deg: float) -> LandmarkFrame:
    """The frame seen after the camera walks ``from_side_deg`` round towards the person's front.

    0 keeps the side view, 90 is the front view; depth is scaled as BlazePose reports it.
    """
    if frame.landmarks is None:
        return frame
    marks = frame.landmarks
    cx = (marks[P.LEFT_HIP].x + marks[P.RIGHT_HIP].x) / 2.0
    cz = (marks[P.LEFT_HIP].z + marks[P.RIGHT_HIP].z) / 2.0
    a = math.radians(from_side_deg)
    out = []
    for m in marks:
        dx, dz = m.x - cx, m.z - cz
        x = cx + dx * math.cos(a) + dz * math.sin(a)
        z = -dx * math.sin(a) + dz * math.cos(a)
        out.append(Landmark(x, m.y, z * DEPTH_SCALE, m.visibility))
    return LandmarkFrame(frame.t_s, tuple(out), frame.aspect)


FEET = ((P.LEFT_ANKLE, (P.LEFT_HEEL, P.LEFT_FOOT_INDEX)),
        (P.RIGHT_ANKLE, (P.RIGHT_HEEL, P.RIGHT_FOOT_INDEX)))  # fmt: skip


def flat_feet(frames: list[LandmarkFrame]) -> list[LandmarkFrame]:
    """Feet kept flat as in the first frame (the stick figure tilts them with the shins)."""
    first = frames[0].landmarks
    assert first is not None
    out = []
    for frame in frames:
        if frame.landmarks is None:
            out.append(frame)
            continue
        marks = list(frame.landmarks)
        for ankle, parts in FEET:
            for part in parts:
                dx, dy = first[part].x - first[ankle].x, first[part].y - first[ankle].y
                dz = first[part].z - first[ankle].z
                a = marks[ankle]
                marks[part] = Landmark(a.x + dx, a.y + dy, a.z + dz, marks[part].visibility)
        out.append(LandmarkFrame(frame.t_s, tuple(marks), frame.aspect))
    return out


def clip(script: Script, from_side_deg: float, seed: int = 0) -> list[LandmarkFrame]:
    frames = flat_feet(generate(script, Render(noise=0.002, seed=seed)).frames)
    return [turned(frame, from_side_deg) for frame in frames]


def run(exercise: str, frames: list[LandmarkFrame]) -> tuple[AnalysisResult, list[Feedback]]:
    analyzer = get_analyzer(exercise)
    feedback = [analyzer.update(frame) for frame in frames]
    return analyzer.result(), feedback


VIEWS = {"side": 0.0, "diagonal": 45.0, "front": 90.0}


# --- detection -----------------------------------------------------------------------------


@pytest.mark.parametrize(("view", "degrees"), VIEWS.items())
@pytest.mark.parametrize(
    "pose", [STAND, SQUAT, PUSH_TOP, SUPINE], ids=["stand", "squat", "push-up", "supine"]
)
def test_each_view_is_recognised_in_every_position(view: str, degrees: float, pose: Pose) -> None:
    frames = clip(still(pose, 1.0), degrees)
    assert {detect_view(frame) for frame in frames} == {view}


def test_yaw_grows_from_front_to_side() -> None:
    frame = generate(still(STAND, 0.1), Render()).frames[0]
    yaws = [body_yaw(turned(frame, degrees)) for degrees in (88, 70, 45, 20, 0)]
    assert all(y is not None for y in yaws)
    assert yaws == sorted(yaws)  # type: ignore[type-var]
    assert yaws[0] is not None and yaws[0] < 10
    assert yaws[-1] is not None and yaws[-1] > 85


def test_landmarks_without_depth_fall_back_to_the_shoulder_spread() -> None:
    frame = generate(still(STAND, 0.1), Render()).frames[0]
    for degrees, view in ((0.0, "side"), (90.0, "front")):
        seen = turned(frame, degrees)
        assert seen.landmarks is not None
        flat = tuple(m._replace(z=0.0) for m in seen.landmarks)
        assert body_yaw(LandmarkFrame(0.0, flat, seen.aspect)) is None
        assert detect_view(LandmarkFrame(0.0, flat, seen.aspect)) == view


def test_a_slow_turn_changes_the_view_once_per_border() -> None:
    frame = generate(still(STAND, 0.1), Render()).frames[0]
    tracker = ViewTracker()
    seen = [tracker.update(turned(frame, step / 2.0)) for step in range(181)]
    changes = [b for a, b in itertools.pairwise(seen) if a != b]
    assert seen[0] == "side"
    assert changes == ["diagonal", "front"]


def test_diagonal_passes_for_side_and_front_exercises() -> None:
    assert view_hint("side", "diagonal") is None
    assert view_hint("front", "diagonal") is None
    assert view_hint("side", "front") == "Turn sideways to the camera for this exercise."
    check = SetupCheck(required=("shoulders", "hips"), expected_view="side")
    frame = clip(still(STAND, 0.1), 90.0)[0]
    hint, view = check.check(frame)
    assert view == "front"
    assert hint == "Turn sideways to the camera for this exercise."


# --- counting in every view -----------------------------------------------------------------


@pytest.mark.parametrize("degrees", VIEWS.values(), ids=VIEWS.keys())
@pytest.mark.parametrize("seed", [0, 1])
def test_squats_count_the_same_in_every_view(degrees: float, seed: int) -> None:
    result, _ = run("squat", clip(repetitions(STAND, SQUAT, 4), degrees, seed))
    assert result.reps == 4
    assert [f.code for f in result.faults] == []


@pytest.mark.parametrize("degrees", VIEWS.values(), ids=VIEWS.keys())
def test_push_ups_count_in_every_view_and_say_when_the_back_is_not_judged(
    degrees: float,
) -> None:
    script = repetitions(PUSH_TOP, PUSH_BOTTOM, 4, move_s=0.6, rest_s=0.4)
    result, feedback = run("push-up", clip(script, degrees))
    assert result.reps == 4
    assert [f.code for f in result.faults] == []
    hints = {f.hint for f in feedback}
    if degrees == VIEWS["side"]:
        assert BACK_NOT_JUDGED not in hints
    else:
        assert BACK_NOT_JUDGED in hints


def test_plank_held_diagonally_counts_but_says_the_back_is_not_judged() -> None:
    result, feedback = run("plank", clip(still(PLANK, 4.0), VIEWS["diagonal"]))
    assert sum(hold.duration_s for hold in result.holds) >= 3.5
    assert result.faults == ()
    assert BACK_NOT_JUDGED in {f.hint for f in feedback}


def test_plank_from_the_front_asks_to_turn_side_on() -> None:
    result, feedback = run("plank", clip(still(PLANK, 3.0), VIEWS["front"]))
    assert result.faults == ()
    assert "Turn sideways to the camera for this exercise." in {f.hint for f in feedback}


@pytest.mark.parametrize(("degrees", "reps"), [(0.0, 3), (45.0, 3), (90.0, 0)])
def test_curl_ups_count_side_on_and_diagonally_not_from_the_front(
    degrees: float, reps: int
) -> None:
    script = repetitions(SUPINE, CURLED, 3, hold_s=2.0, rest_s=1.0)
    result, feedback = run("curl-up", clip(script, degrees))
    assert result.reps == reps
    if reps == 0:
        assert "Turn sideways to the camera for this exercise." in {f.hint for f in feedback}


@pytest.mark.parametrize("degrees", [15.0, 30.0, 60.0, 75.0])
def test_squats_and_push_ups_count_at_every_angle_between(degrees: float) -> None:
    squats, _ = run("squat", clip(repetitions(STAND, SQUAT, 3), degrees, seed=2))
    assert squats.reps == 3
    script = repetitions(PUSH_TOP, PUSH_BOTTOM, 3, move_s=0.6, rest_s=0.4)
    push_ups, _ = run("push-up", clip(script, degrees, seed=2))
    assert push_ups.reps == 3
    assert push_ups.faults == squats.faults == ()
