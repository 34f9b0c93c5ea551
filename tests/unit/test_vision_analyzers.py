"""Analyzers for glute-bridge, push-up, squat, plank and pike-to-arch on generated landmark frames.

Frames come from stick-figure key poses (``vision_factories``), so the expected
counts and hold times are exact. Real-clip checks live in
``tests/integration/test_vision_real.py``.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from backcoach.errors import UsageError
from backcoach.vision.analyzers import Analyzer, available, get_analyzer, register
from backcoach.vision.analyzers.base import UNFINISHED, AnalysisLog, Feedback
from backcoach.vision.landmarks import LandmarkFrame, read_jsonl, write_jsonl
from backcoach.vision.landmarks import PoseLandmark as P

from .vision_factories import (
    ARCH,
    BRIDGE_DOWN,
    BRIDGE_UP,
    PIKE,
    PLANK,
    PLANK_SAGGING,
    PRONE,
    PUSH_UP_BOTTOM,
    PUSH_UP_TOP,
    SQUAT_BOTTOM,
    STANDING,
    View,
    cycle,
    frames,
)

MINE = ("glute-bridge", "plank", "pike-to-arch", "push-up", "squat")


def run(exercise: str, stream: list[LandmarkFrame], **params: float) -> dict[str, object]:
    analyzer = get_analyzer(exercise, **params)
    for frame in stream:
        feedback = analyzer.update(frame)
        assert isinstance(feedback, Feedback)
    return analyzer.result().to_json()


# --- registry and protocol ---------------------------------------------------------------


def test_registry_lists_my_analyzers_and_builds_fresh_ones() -> None:
    assert set(MINE) <= set(available())
    first, second = get_analyzer("squat"), get_analyzer("squat")
    assert first is not second
    assert isinstance(first, Analyzer)


def test_every_registered_analyzer_follows_the_protocol_on_an_empty_stream() -> None:
    for exercise in available():
        analyzer = get_analyzer(exercise)
        assert analyzer.exercise_id == exercise
        feedback = analyzer.update(LandmarkFrame(0.0, None))
        assert feedback.pose_detected is False
        assert feedback.hint
        result = analyzer.result().to_json()
        assert result["exercise"] == exercise and result["reps"] == 0


def test_unknown_exercise_and_bad_parameters_are_usage_errors() -> None:
    with pytest.raises(UsageError, match="No camera analyzer for exercise 'juggling'"):
        get_analyzer("juggling")
    with pytest.raises(UsageError, match="Bad parameters"):
        get_analyzer("squat", wobble=3)


def test_register_refuses_a_class_without_id_and_a_clash() -> None:
    class NoId:
        pass

    with pytest.raises(TypeError):
        register(NoId)

    class Clash:
        exercise_id = "squat"

    with pytest.raises(ValueError, match="two analyzers"):
        register(Clash)


def test_result_json_has_exactly_the_documented_keys() -> None:
    result = run("glute-bridge", frames(cycle(BRIDGE_DOWN, BRIDGE_UP, reps=1, hold_s=2.0)))
    assert list(result) == [
        "exercise",
        "frames",
        "fps",
        "duration_s",
        "pose_detected_ratio",
        "reps",
        "rep_events",
        "holds",
        "faults",
    ]
    assert set(result["rep_events"][0]) == {  # type: ignore[index]
        "index",
        "start_s",
        "end_s",
        "side",
        "quality",
        "faults",
    }
    assert set(result["holds"][0]) == {"start_s", "end_s", "duration_s"}  # type: ignore[index]
    json.dumps(result)


def test_feedback_message_matches_the_websocket_contract() -> None:
    message = Feedback(exercise="squat", t_s=1.0, reps=2, hold_s=0.0).to_message()
    assert message["type"] == "feedback"
    for key, kind in {"exercise": str, "reps": int, "hold_s": float}.items():
        assert isinstance(message[key], kind)
    assert message["cue"] is None and message["hint"] is None


def test_analysis_log_reports_a_fault_once_per_cooldown() -> None:
    log = AnalysisLog("x", fault_cooldown_s=3.0)
    assert [log.fault("a", t, "m") for t in (0.0, 1.0, 2.0, 2.5)] == [True, False, False, False]
    assert log.fault("a", 6.0, "m") is True


# --- glute bridge -------------------------------------------------------------------------


@pytest.mark.parametrize("reps", [1, 3])
@pytest.mark.parametrize("scale", [0.5, 0.8])
def test_glute_bridge_counts_reps_and_times_each_hold(reps: int, scale: float) -> None:
    keys = cycle(BRIDGE_DOWN, BRIDGE_UP, reps=reps, hold_s=3.0, move_s=0.5)
    result = run("glute-bridge", frames(keys, scale=scale))
    assert result["reps"] == reps
    holds = result["holds"]
    assert isinstance(holds, list) and len(holds) == reps
    for hold in holds:  # the held 3 s plus the part of each 0.5 s move above 155 degrees
        assert 3.0 <= hold["duration_s"] <= 3.0 + 2 * 0.5
    assert result["faults"] == []


def test_glute_bridge_half_lift_is_flagged_not_high_enough() -> None:
    half = {k: (BRIDGE_DOWN[k] + BRIDGE_UP[k]) / 2 for k in BRIDGE_UP}
    result = run("glute-bridge", frames(cycle(BRIDGE_DOWN, half, reps=2, hold_s=2.0)))
    assert result["reps"] == 2
    assert [f["code"] for f in result["faults"]][:1] == ["hips-not-high"]  # type: ignore[union-attr]
    assert all("hips-not-high" in e["faults"] for e in result["rep_events"])  # type: ignore[union-attr]


def test_glute_bridge_sag_during_the_hold_is_a_cue() -> None:
    sag = {k: (BRIDGE_DOWN[k] + 2 * BRIDGE_UP[k]) / 3 for k in BRIDGE_UP}
    keys = [
        (0.0, BRIDGE_DOWN),
        (1.0, BRIDGE_DOWN),
        (1.5, BRIDGE_UP),
        (2.5, BRIDGE_UP),
        (2.8, sag),
        (4.0, sag),
        (4.5, BRIDGE_DOWN),
        (5.5, BRIDGE_DOWN),
    ]
    analyzer = get_analyzer("glute-bridge")
    cues = [analyzer.update(f).cue for f in frames(keys)]
    assert any(cue and "hips up" in cue for cue in cues)
    assert analyzer.result().reps == 1


def test_glute_bridge_standing_up_is_not_a_rep() -> None:
    result = run("glute-bridge", frames(cycle(STANDING, STANDING, reps=3)))
    assert result["reps"] == 0


# --- push-up --------------------------------------------------------------------------------


@pytest.mark.parametrize("view", [View.SIDE, View.FRONT])
def test_push_up_counts_from_side_and_front(view: View) -> None:
    keys = cycle(PUSH_UP_TOP, PUSH_UP_BOTTOM, reps=4, hold_s=0.2, move_s=0.5, rest_s=0.3)
    result = run("push-up", frames(keys, view=view))
    assert result["reps"] == 4
    assert result["faults"] == []


def test_push_up_shallow_reps_get_a_fault() -> None:
    shallow = {k: (PUSH_UP_TOP[k] + 2 * PUSH_UP_BOTTOM[k]) / 3 for k in PUSH_UP_TOP}
    result = run("push-up", frames(cycle(PUSH_UP_TOP, shallow, reps=2)))
    assert result["reps"] == 2
    assert result["faults"][0]["code"] == "not-low-enough"  # type: ignore[index]


def test_push_up_arm_bends_while_standing_do_not_count() -> None:
    curl = dict(STANDING, upper_arm=-90, forearm=90)
    result = run("push-up", frames(cycle(STANDING, curl, reps=3)))
    assert result["reps"] == 0


def test_push_up_video_ending_at_the_bottom_does_not_count_the_unfinished_rep() -> None:
    keys = [*cycle(PUSH_UP_TOP, PUSH_UP_BOTTOM, reps=1), (4.0, PUSH_UP_TOP), (4.5, PUSH_UP_BOTTOM)]
    keys.append((5.5, PUSH_UP_BOTTOM))
    result = run("push-up", frames(keys))
    assert result["reps"] == 1
    assert result["faults"][-1]["code"] == UNFINISHED  # type: ignore[index]


# --- squat ----------------------------------------------------------------------------------


@pytest.mark.parametrize(("view", "scale", "fps"), [(View.SIDE, 0.7, 30), (View.FRONT, 0.4, 15)])
def test_squat_counts_whatever_the_distance_view_and_frame_rate(
    view: View, scale: float, fps: float
) -> None:
    keys = cycle(STANDING, SQUAT_BOTTOM, reps=3, move_s=0.8, hold_s=0.3)
    result = run("squat", frames(keys, view=view, scale=scale, fps=fps))
    assert result["reps"] == 3


def test_squat_with_dropped_frames_and_noise() -> None:
    keys = cycle(STANDING, SQUAT_BOTTOM, reps=4, move_s=0.8, hold_s=0.3)
    result = run("squat", frames(keys, noise=0.004, drop_every=7, seed=3))
    assert result["reps"] == 4
    assert result["pose_detected_ratio"] == pytest.approx(6 / 7, abs=0.02)


def test_squat_feet_out_of_view_gives_a_hint_and_still_counts() -> None:
    keys = cycle(STANDING, SQUAT_BOTTOM, reps=2, move_s=0.8)
    hidden = [P.LEFT_KNEE, P.RIGHT_KNEE, P.LEFT_ANKLE, P.RIGHT_ANKLE]
    analyzer = get_analyzer("squat")
    hints = {analyzer.update(f).hint for f in frames(keys, hidden=hidden)}
    assert "Move back so your knees are in the picture." in hints
    assert analyzer.result().reps == 2


@settings(max_examples=15, deadline=None)
@given(seed=st.integers(0, 10_000), noise=st.floats(0.0, 0.006))
def test_squat_small_jitter_never_changes_the_count(seed: int, noise: float) -> None:
    keys = cycle(STANDING, SQUAT_BOTTOM, reps=2, move_s=0.8, hold_s=0.3)
    assert run("squat", frames(keys, noise=noise, seed=seed))["reps"] == 2


@settings(max_examples=15, deadline=None)
@given(seed=st.integers(0, 10_000), noise=st.floats(0.0, 0.006))
def test_no_reps_when_the_person_stands_still(seed: int, noise: float) -> None:
    still = frames([(0.0, STANDING), (8.0, STANDING)], noise=noise, seed=seed)
    for exercise in ("squat", "push-up", "glute-bridge", "pike-to-arch"):
        assert run(exercise, still)["reps"] == 0


# --- plank ----------------------------------------------------------------------------------


def test_plank_hold_is_timed_across_dropped_frames() -> None:
    keys = [(0.0, PRONE), (1.0, PRONE), (1.5, PLANK), (6.5, PLANK), (7.0, PRONE), (8.0, PRONE)]
    result = run("plank", frames(keys, drop_every=10))
    holds = result["holds"]
    assert isinstance(holds, list) and len(holds) == 1
    assert holds[0]["duration_s"] == pytest.approx(5.4, abs=0.5)
    assert result["reps"] == 0


def test_plank_sagging_hips_are_reported_after_a_second() -> None:
    keys = [(0.0, PLANK), (1.0, PLANK), (1.3, PLANK_SAGGING), (4.0, PLANK_SAGGING)]
    result = run("plank", frames(keys))
    assert [f["code"] for f in result["faults"]] == ["hips-sagging"]  # type: ignore[union-attr]
    assert result["faults"][0]["t_s"] >= 2.3  # type: ignore[index]


def test_lying_flat_or_standing_is_not_a_plank() -> None:
    for pose in (PRONE, STANDING):
        assert run("plank", frames([(0.0, pose), (4.0, pose)]))["holds"] == []


# --- pike-to-arch ---------------------------------------------------------------------------


def test_pike_to_arch_counts_each_arrival_in_the_arch() -> None:
    keys = [(0.0, PRONE), (1.0, PRONE), (2.0, PIKE), (3.0, PIKE)]
    for n in range(3):
        start = 3.0 + 4 * n
        keys += [(start + 1, ARCH), (start + 2, ARCH), (start + 3, PIKE), (start + 4, PIKE)]
    analyzer = get_analyzer("pike-to-arch")
    phases = [analyzer.update(f).phase for f in frames(keys)]
    assert analyzer.result().reps == 3
    assert {"pike", "arch"} <= set(phases)


def test_pike_to_arch_bent_knees_in_the_pike_get_a_cue() -> None:
    bent = dict(PIKE, thigh=-80, shin=-10)
    keys = [(0.0, PRONE), (1.0, bent), (3.0, bent), (4.0, ARCH), (5.0, ARCH)]
    result = run("pike-to-arch", frames(keys))
    assert "knees-bent" in [f["code"] for f in result["faults"]]  # type: ignore[union-attr]


# --- replay from a landmark file -------------------------------------------------------------


def test_analysis_from_a_written_landmark_file_matches_the_live_feed(tmp_path: Path) -> None:
    stream = frames(cycle(STANDING, SQUAT_BOTTOM, reps=2, move_s=0.8), noise=0.002)
    path = tmp_path / "squat.jsonl"
    write_jsonl(path, stream)
    assert run("squat", list(read_jsonl(path))) == run("squat", stream)
