"""Landmark files, geometry, smoothing, counting machinery and camera-view hints."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from backcoach.vision.counting import HoldTimer, RepCounter, RollingExtreme
from backcoach.vision.geometry import (
    angle_at,
    angle_to_horizontal,
    angle_to_vertical,
    elevation,
    joint_angle,
    normalised_distance,
    point,
    torso_length,
)
from backcoach.vision.landmarks import (
    Landmark,
    LandmarkFormatError,
    LandmarkFrame,
    PoseLandmark,
    frame_from_json,
    frame_to_json,
    iter_jsonl_lines,
    read_jsonl,
    write_jsonl,
)
from backcoach.vision.smoothing import LandmarkSmoother, OneEuroFilter
from backcoach.vision.view import NO_PERSON_HINT, SetupCheck, ViewTracker, detect_view

from .vision_factories import BRIDGE_DOWN, STANDING, View, landmarks_of

P = PoseLandmark


def _frame(t: float = 0.0, **kwargs: object) -> LandmarkFrame:
    return LandmarkFrame(t, tuple(landmarks_of(STANDING, **kwargs)))  # type: ignore[arg-type]


# --- landmark files -------------------------------------------------------------------


def test_jsonl_round_trip_keeps_frames_and_empty_frames(tmp_path: Path) -> None:
    frames = [_frame(0.0), LandmarkFrame(1 / 30, None), _frame(2 / 30)]
    path = tmp_path / "clip.jsonl"
    assert write_jsonl(path, frames) == 3
    lines = path.read_text().splitlines()
    assert json.loads(lines[1]) == {"t_s": 0.0333, "landmarks": None}
    assert len(json.loads(lines[0])["landmarks"]) == 33
    back = list(read_jsonl(path))
    assert [f.landmarks is None for f in back] == [False, True, False]
    assert back[0].landmarks is not None and frames[0].landmarks is not None
    assert back[0].landmarks[P.NOSE].x == pytest.approx(frames[0].landmarks[P.NOSE].x, abs=1e-4)


def test_aspect_is_written_only_when_not_square() -> None:
    square = frame_to_json(LandmarkFrame(0.0, None))
    wide = frame_to_json(LandmarkFrame(0.0, None, aspect=16 / 9))
    assert "aspect" not in square
    assert frame_from_json(wide).aspect == pytest.approx(16 / 9, abs=1e-4)


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("not json", "line 2: not valid JSON"),
        ("[1, 2]", "line 2: expected a JSON object"),
        ('{"t_s": 1}', "line 2: a frame needs the keys"),
        ('{"t_s": "x", "landmarks": null}', "line 2: 't_s' must be a number"),
        ('{"t_s": 1, "landmarks": [[0, 0, 0, 1]]}', "line 2: 'landmarks' must be a list of 33"),
        ('{"t_s": 1, "landmarks": 5}', "line 2: 'landmarks' must be a list of 33"),
        ('{"t_s": -1, "landmarks": null}', "line 2: t_s -1.0 goes back in time"),
        ('{"t_s": 1, "landmarks": null, "aspect": 0}', "line 2: 'aspect' must be positive"),
    ],
)
def test_bad_landmark_lines_name_the_line(line: str, message: str) -> None:
    text = ['{"t_s": 0, "landmarks": null}', line]
    with pytest.raises(LandmarkFormatError, match=message):
        list(iter_jsonl_lines(text))


def test_bad_point_inside_landmarks_is_reported() -> None:
    points = [[0.5, 0.5, 0.0, 1.0]] * 33
    points[7] = [0.5, "x", 0.0, 1.0]
    with pytest.raises(LandmarkFormatError, match="line 1: landmark 7 must be a number"):
        list(iter_jsonl_lines([json.dumps({"t_s": 0, "landmarks": points})]))


def test_missing_and_binary_landmark_files(tmp_path: Path) -> None:
    with pytest.raises(LandmarkFormatError, match="not found"):
        list(read_jsonl(tmp_path / "nope.jsonl"))
    binary = tmp_path / "x.jsonl"
    binary.write_bytes(b"\xff\xfe\x00\x81" * 10)
    with pytest.raises(LandmarkFormatError):
        list(read_jsonl(binary))


# --- geometry -------------------------------------------------------------------------


def test_angles_on_simple_points() -> None:
    assert angle_at((1, 0), (0, 0), (0, 1)) == pytest.approx(90)
    assert angle_at((1, 0), (0, 0), (-1, 0)) == pytest.approx(180)
    assert angle_at((0, 0), (0, 0), (1, 1)) is None
    assert angle_to_vertical((0, 1), (0, 0)) == pytest.approx(0)  # y points down: b is above a
    assert angle_to_vertical((0, 0), (1, 0)) == pytest.approx(90)
    assert angle_to_horizontal((0, 0), (-1, -1)) == pytest.approx(45)
    assert elevation((0, 1), (1, 0)) == pytest.approx(45)
    assert elevation((0, 0), (1, 1)) == pytest.approx(-45)


def test_invisible_joint_is_unknown_not_a_guess() -> None:
    frame = _frame(hidden=[P.LEFT_KNEE])
    assert point(frame, P.LEFT_KNEE) is None
    assert joint_angle(frame, P.LEFT_HIP, P.LEFT_KNEE, P.LEFT_ANKLE) is None
    assert joint_angle(frame, P.RIGHT_HIP, P.RIGHT_KNEE, P.RIGHT_ANKLE) == pytest.approx(180)
    assert joint_angle(LandmarkFrame(0, None), 1, 2, 3) is None


def test_aspect_ratio_makes_angles_true_on_wide_video() -> None:
    # A 45-degree line on a 16:9 picture has normalised dx smaller than dy.
    marks = [Landmark(0.5, 0.5, 0, 1)] * 33
    marks[0] = Landmark(0.5, 0.5, 0, 1)
    marks[1] = Landmark(0.5 + 0.1 * 9 / 16, 0.4, 0, 1)
    frame = LandmarkFrame(0, tuple(marks), aspect=16 / 9)
    assert angle_to_horizontal(point(frame, 0), point(frame, 1)) == pytest.approx(45)


@given(scale=st.floats(0.2, 0.9))
def test_torso_normalised_distances_do_not_depend_on_camera_distance(scale: float) -> None:
    frame = LandmarkFrame(0, tuple(landmarks_of(STANDING, scale=scale)))
    assert torso_length(frame) == pytest.approx(0.3 * scale)
    ratio = normalised_distance(frame, P.LEFT_HIP, P.LEFT_ANKLE, 0.5)
    assert ratio == pytest.approx((0.245 + 0.25) / 0.3)


# --- smoothing --------------------------------------------------------------------------


def test_one_euro_removes_jitter_but_follows_a_step() -> None:
    jitter = OneEuroFilter(min_cutoff=1.0, beta=0.0)
    out = [jitter(i / 30, 10.0 + (0.5 if i % 2 else -0.5)) for i in range(60)]
    assert max(out[30:]) - min(out[30:]) < 0.3
    step = OneEuroFilter(min_cutoff=1.0, beta=0.5)
    values = [step(i / 30, 0.0 if i < 10 else 100.0) for i in range(40)]
    assert values[-1] == pytest.approx(100.0, abs=2.0)


def test_one_euro_ignores_repeated_timestamps() -> None:
    f = OneEuroFilter()
    f(0.0, 1.0)
    assert f(0.0, 50.0) == 1.0


def test_landmark_smoother_keeps_visibility_and_resets_on_no_person() -> None:
    smooth = LandmarkSmoother()
    first = smooth(_frame(0.0))
    assert first.landmarks is not None
    assert smooth(LandmarkFrame(0.1, None)).landmarks is None
    moved = smooth(_frame(0.2, origin=(0.3, 0.9)))  # re-entering: no slide from the old spot
    assert moved.landmarks is not None and first.landmarks is not None
    assert moved.landmarks[0].x == pytest.approx(first.landmarks[0].x - 0.2, abs=1e-9)
    assert moved.landmarks[0].visibility == first.landmarks[0].visibility


# --- counting ---------------------------------------------------------------------------


def _feed(counter: RepCounter, values: list[float | None], fps: float = 30.0) -> int:
    for i, value in enumerate(values):
        counter.update(i / fps, value)
    return counter.count


def _wave(reps: int, low: float = 0.0, high: float = 1.0, frames_per_rep: int = 60) -> list[float]:
    rest = [low] * 15
    values = list(rest)
    for _ in range(reps):
        values += [
            low + (high - low) * (1 - math.cos(2 * math.pi * i / frames_per_rep)) / 2
            for i in range(frames_per_rep)
        ]
        values += rest
    return values


def test_counts_rising_and_falling_movements() -> None:
    assert _feed(RepCounter(enter=0.6, exit=0.3), _wave(4)) == 4
    falling = [1.0 - v for v in _wave(3)]
    assert _feed(RepCounter(enter=0.4, exit=0.7), falling) == 3


def test_thresholds_must_differ() -> None:
    with pytest.raises(ValueError, match="hysteresis"):
        RepCounter(enter=0.5, exit=0.5)


def test_a_one_frame_spike_is_not_a_rep() -> None:
    values = [0.0] * 20 + [1.0, 1.0] + [0.0] * 20
    assert _feed(RepCounter(enter=0.6, exit=0.3, min_active_s=0.2), values) == 0


def test_starting_mid_rep_does_not_count_half_a_rep() -> None:
    values = [1.0] * 20 + [0.0] * 20 + _wave(1)
    assert _feed(RepCounter(enter=0.6, exit=0.3), values) == 1


def test_short_gap_is_bridged_long_gap_cancels_the_rep() -> None:
    short: list[float | None] = [0.0] * 10 + [1.0] * 10 + [None] * 10 + [1.0] * 5 + [0.0] * 10
    assert _feed(RepCounter(enter=0.6, exit=0.3), short) == 1
    long: list[float | None] = [0.0] * 10 + [1.0] * 10 + [None] * 60 + [1.0] * 5 + [0.0] * 10
    assert _feed(RepCounter(enter=0.6, exit=0.3), long) == 0


def test_count_on_entry_counts_when_the_end_position_is_held() -> None:
    counter = RepCounter(enter=0.6, exit=0.3, min_active_s=0.2, count_on_entry=True)
    values = [0.0] * 10 + [1.0] * 10
    assert _feed(counter, values) == 1
    assert counter.pending() is None


def test_pending_reports_a_rep_cut_off_by_the_end_of_the_video() -> None:
    counter = RepCounter(enter=0.6, exit=0.3, min_active_s=0.2)
    _feed(counter, [0.0] * 10 + [1.0] * 10)
    pending = counter.pending()
    assert counter.count == 0
    assert pending is not None and pending.peak == 1.0


@settings(max_examples=40, deadline=None)
@given(
    reps=st.integers(0, 5),
    amplitude=st.floats(0.0, 0.14),
    seed=st.integers(0, 10_000),
)
def test_jitter_inside_the_hysteresis_band_never_changes_the_count(
    reps: int, amplitude: float, seed: int
) -> None:
    import random

    rng = random.Random(seed)
    clean = _wave(reps)
    noisy = [v + rng.uniform(-amplitude, amplitude) for v in clean]
    assert _feed(RepCounter(enter=0.65, exit=0.35), noisy) == reps


@settings(max_examples=30, deadline=None)
@given(level=st.floats(-1, 2), amplitude=st.floats(0, 0.14), seed=st.integers(0, 1000))
def test_standing_still_never_counts(level: float, amplitude: float, seed: int) -> None:
    import random

    rng = random.Random(seed)
    values = [level + rng.uniform(-amplitude, amplitude) for _ in range(300)]
    assert _feed(RepCounter(enter=0.65, exit=0.35), values) <= (1 if 0.35 < level < 0.65 else 0)


def test_hold_timer_bridges_short_dropouts_and_drops_short_holds() -> None:
    timer = HoldTimer(min_hold_s=1.0, max_gap_s=0.5)
    pattern: list[bool | None] = [True] * 30 + [None] * 10 + [False] * 5 + [True] * 30
    pattern += [False] * 30 + [True] * 15 + [False] * 30
    for i, value in enumerate(pattern):
        timer.update(i / 30, value)
    assert len(timer.holds) == 1
    assert timer.holds[0].duration_s == pytest.approx(74 / 30)
    assert timer.finish() is None


def test_hold_in_progress_is_visible_and_finished_at_the_end() -> None:
    timer = HoldTimer(min_hold_s=1.0)
    for i in range(45):
        timer.update(i / 30, True)
    assert timer.current_s == pytest.approx(44 / 30)
    assert timer.open_span() is not None
    span = timer.finish()
    assert span is not None and span.duration_s == pytest.approx(44 / 30)
    assert timer.current_s == 0.0


def test_rolling_extreme_forgets_old_values() -> None:
    low = RollingExtreme(window_s=1.0, maximum=False)
    assert [low.update(t, v) for t, v in [(0, 5), (0.5, 3), (1.4, 4), (2.0, 6)]] == [5, 3, 3, 4]


# --- camera view and hints ---------------------------------------------------------------


def test_view_detection_side_and_front() -> None:
    assert detect_view(_frame()) == "side"
    assert detect_view(_frame(view=View.FRONT)) == "front"
    assert detect_view(LandmarkFrame(0, None)) is None


def test_view_tracker_needs_several_frames_to_switch() -> None:
    tracker = ViewTracker(frames_to_switch=3)
    assert tracker.update(_frame()) == "side"
    front = _frame(view=View.FRONT)
    assert [tracker.update(front) for _ in range(3)] == ["side", "side", "front"]


def test_hints_for_no_person_missing_feet_and_wrong_view() -> None:
    check = SetupCheck(required=("shoulders", "hips", "feet"), expected_view="front")
    assert check.check(LandmarkFrame(0, None))[0] == NO_PERSON_HINT
    feet_hidden = _frame(hidden=[P.LEFT_ANKLE, P.RIGHT_ANKLE])
    assert check.check(feet_hidden)[0] == "Move back so your feet are in the picture."
    hint, view = check.check(_frame())
    assert view == "side"
    assert hint == "Face the camera for this exercise."


def test_parts_outside_the_picture_count_as_not_seen() -> None:
    lying = LandmarkFrame(0, tuple(landmarks_of(BRIDGE_DOWN, origin=(0.9, 0.9))))
    hint, _ = SetupCheck(required=("knees", "feet")).check(lying)
    assert hint is not None and "picture" in hint
