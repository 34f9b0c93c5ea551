"""Posture cues on synthetic landmark trajectories: sinking, leaning in, looking down,
shoulders out of frame, a camera moved closer, sensitivity, and how fast the state follows."""

from __future__ import annotations

import dataclasses
import itertools
import json

import pytest

from backcoach.content.models import View
from backcoach.vision.landmarks import LandmarkFrame, PoseLandmark
from backcoach.vision.posture import (
    CUE_FACE_ONLY,
    CUE_LOOKING_DOWN,
    PostureConfig,
    PostureMonitor,
    PostureState,
    Sensitivity,
    measure,
)
from tests.support import synthetic as syn
from tests.unit.test_posture import SITTING, UPRIGHT, desk_render, film, head_nearer, run, states

U, S, F, A = (
    PostureState.UPRIGHT,
    PostureState.SLOUCHED,
    PostureState.FORWARD_HEAD,
    PostureState.ABSENT,
)
LOOKING_DOWN = syn.Pose(SITTING, head_pitch_deg=-35)
BELOW_THE_FACE = frozenset(range(11, 33))  # shoulders, arms, hips, legs


def lowered(frame: LandmarkFrame, dy: float, *, parts: range | None = None) -> LandmarkFrame:
    """The frame with landmarks (all, or ``parts``) moved ``dy`` down the picture."""
    assert frame.landmarks is not None
    points = tuple(
        lm._replace(y=lm.y + dy) if parts is None or i in parts else lm
        for i, lm in enumerate(frame.landmarks)
    )
    return dataclasses.replace(frame, landmarks=points)


def sinking(frames: list[LandmarkFrame], start_s: float, end_s: float, dy: float) -> None:
    """From ``start_s`` to ``end_s`` the person sinks into the chair: the whole upper body
    ``dy`` lower, the head a further half of that (towards the shoulders)."""
    for i, frame in enumerate(frames):
        if start_s <= frame.t_s < end_s:
            body = lowered(frame, dy)
            frames[i] = lowered(body, dy / 2, parts=range(11))


def face_size(frame: LandmarkFrame) -> float:
    features = measure(frame)
    assert features is not None
    return features.face_size


def test_sinking_into_the_chair_from_the_front_is_slouching() -> None:
    render = desk_render(View.FRONT, noise=0.001, seed=2)
    frames = film([(UPRIGHT, 30, render)])
    sinking(frames, 10, 22, dy=0.3 * face_size(frames[0]))
    monitor = run(frames)
    assert states(monitor) == [U, S, U]
    assert monitor.spans[1].start_s == pytest.approx(10, abs=0.3)
    assert monitor.spans[1].end_s == pytest.approx(22, abs=0.3)
    assert monitor.spans[1].confidence == "high"
    assert "head-lower" in monitor.spans[1].cues


@pytest.mark.parametrize("view", [View.FRONT, View.SIDE])
def test_looking_down_at_a_phone_is_not_slouching(view: View) -> None:
    render = desk_render(view, noise=0.001, seed=4)
    monitor = run(film([(UPRIGHT, 8, render), (LOOKING_DOWN, 20, render), (UPRIGHT, 8, render)]))
    assert states(monitor) == [U]
    assert CUE_LOOKING_DOWN in monitor.spans[0].cues


def test_looking_down_while_sinking_is_still_a_slouch() -> None:
    render = desk_render(View.FRONT, noise=0.001, seed=5)
    frames = film([(UPRIGHT, 8, render), (LOOKING_DOWN, 20, render)])
    sinking(frames, 8, 30, dy=0.4 * face_size(frames[0]))
    assert states(run(frames)) == [U, S]


def test_leaning_in_from_the_front_is_forward_head() -> None:
    render = desk_render(View.FRONT, noise=0.001)
    frames = film([(UPRIGHT, 30, render)])
    frames = [head_nearer(f, 1.3) if 8 <= f.t_s < 22 else f for f in frames]
    monitor = run(frames)
    assert states(monitor) == [U, F, U]
    assert "leaning-in" in monitor.spans[1].cues


def test_shoulders_out_of_frame_read_the_face_alone_with_low_confidence() -> None:
    hidden = syn.Occlusion(BELOW_THE_FACE, start_s=0.0)
    render = desk_render(View.FRONT, noise=0.001, occlusions=(hidden,))
    frames = film([(UPRIGHT, 30, render)])
    sinking(frames, 10, 22, dy=0.4 * face_size(frames[0]))
    monitor = run(frames)
    assert states(monitor) == [U, S, U]
    assert all(span.confidence == "low" for span in monitor.spans)
    assert all(CUE_FACE_ONLY in span.cues for span in monitor.spans)
    assert monitor.spans[1].to_json()["confidence"] == "low"


def test_a_face_alone_coming_nearer_is_forward_head_with_low_confidence() -> None:
    hidden = syn.Occlusion(BELOW_THE_FACE, start_s=0.0)
    render = desk_render(View.FRONT, noise=0.001, occlusions=(hidden,))
    frames = film([(UPRIGHT, 30, render)])
    frames = [head_nearer(f, 1.4) if 8 <= f.t_s < 22 else f for f in frames]
    monitor = run(frames)
    assert states(monitor) == [U, F, U]
    assert monitor.spans[1].confidence == "low"


def test_a_camera_moved_closer_with_shoulders_in_view_stays_upright() -> None:
    far = desk_render(View.FRONT, noise=0.001)
    near = desk_render(View.FRONT, noise=0.001, camera_distance_m=1.2)
    monitor = run(film([(UPRIGHT, 8, far), (UPRIGHT, 20, near), (UPRIGHT, 8, far)]))
    assert states(monitor) == [U]


@pytest.mark.parametrize(
    ("sensitivity", "expected"),
    [(Sensitivity.LOW, [U]), (Sensitivity.NORMAL, [U, S]), (Sensitivity.HIGH, [U, S])],
)
def test_sensitivity_scales_the_thresholds(
    sensitivity: Sensitivity, expected: list[object]
) -> None:
    render = desk_render(View.FRONT, noise=0.0005, seed=6)
    frames = film([(UPRIGHT, 25, render)])
    sinking(frames, 8, 25, dy=0.25 * face_size(frames[0]))  # head 0.375 face sizes lower
    assert states(run(frames, PostureConfig(sensitivity=sensitivity))) == expected


def test_a_slight_sink_only_counts_at_high_sensitivity() -> None:
    render = desk_render(View.FRONT, noise=0.0005, seed=6)
    frames = film([(UPRIGHT, 25, render)])
    sinking(frames, 8, 25, dy=0.17 * face_size(frames[0]))  # 0.25 face sizes lower
    assert states(run(frames)) == [U]
    assert states(run(frames, PostureConfig(sensitivity=Sensitivity.HIGH))) == [U, S]


@pytest.mark.parametrize("fps", [2, 5])
def test_the_state_follows_within_a_few_seconds_and_starts_where_the_change_did(fps: int) -> None:
    render = desk_render(View.FRONT, noise=0.001, fps=fps, seed=8)
    frames = film([(UPRIGHT, 30, render)])
    sinking(frames, 10, 30, dy=0.4 * face_size(frames[0]))
    monitor = PostureMonitor()
    seen_at = None
    for frame in frames:
        if monitor.update(frame).state is S and seen_at is None:
            seen_at = frame.t_s
    assert seen_at is not None and seen_at - 10 <= 2.5
    assert monitor.spans[1].start_s == pytest.approx(10, abs=0.01)


def test_one_odd_frame_does_not_hold_a_change_back() -> None:
    render = desk_render(View.FRONT, noise=0.001, fps=2, seed=9)
    frames = film([(UPRIGHT, 30, render)])
    sinking(frames, 10, 30, dy=0.4 * face_size(frames[0]))
    upright = film([(UPRIGHT, 30, render)])
    frames = [upright[i] if f.t_s in (11.0, 13.0) else f for i, f in enumerate(frames)]
    monitor = run(frames)
    assert states(monitor) == [U, S]
    assert monitor.spans[1].start_s == pytest.approx(10, abs=0.01)


def test_a_tiny_far_figure_is_nobody_at_the_desk() -> None:
    render = desk_render(View.FRONT, noise=0.001)
    frames = film([(UPRIGHT, 20, render)])
    tiny = desk_render(View.FRONT, camera_distance_m=12.0)
    frames += [dataclasses.replace(f, t_s=f.t_s + 20) for f in film([(UPRIGHT, 10, tiny)])]
    assert states(run(frames)) == [U, A]


def test_a_saved_baseline_skips_the_calibration() -> None:
    render = desk_render(View.FRONT, noise=0.001, seed=10)
    frames = film([(UPRIGHT, 10, render)])
    sinking(frames, 0, 10, dy=0.4 * face_size(frames[0]))
    learned = run(film([(UPRIGHT, 6, render)])).baseline
    assert learned is not None
    monitor = PostureMonitor(baseline=learned)
    for frame in frames:
        monitor.update(frame)
    assert states(monitor) == [S]


def test_calibration_starts_again_after_a_gap() -> None:
    render = desk_render(View.FRONT)
    frames = film([(UPRIGHT, 3, render)])
    frames += [LandmarkFrame(t_s=3 + i / 5, landmarks=None) for i in range(15)]
    frames += [dataclasses.replace(f, t_s=f.t_s + 6) for f in film([(UPRIGHT, 4, render)])]
    monitor = run(frames)
    assert monitor.baseline is None  # 3 s, a gap, then 4 s: never 5 s in one go
    assert states(monitor) == [U, A, U]
    assert all(b.start_s >= a.end_s - 1e-9 for a, b in itertools.pairwise(monitor.spans))


def test_nose_landmark_index_is_the_face_reference() -> None:
    assert PoseLandmark.NOSE == 0


def test_face_only_looking_down_stays_upright_but_sinking_with_the_chin_down_is_a_slouch() -> None:
    hidden = syn.Occlusion(BELOW_THE_FACE, start_s=0.0)
    render = desk_render(View.FRONT, noise=0.001, occlusions=(hidden,))
    nod = film([(UPRIGHT, 8, render), (LOOKING_DOWN, 20, render)])
    assert states(run(nod)) == [U]
    sunk = film([(UPRIGHT, 8, render), (LOOKING_DOWN, 20, render)])
    sinking(sunk, 8, 28, dy=0.6 * face_size(sunk[0]))  # the head 0.9 face sizes lower
    assert states(run(sunk)) == [U, S]


@pytest.mark.parametrize("fps", [2, 5])
def test_a_monitor_stored_between_small_batches_follows_the_same_way(fps: int) -> None:
    """The desk page sends a few frames a request; the monitor is stored in between
    (services/desk_codec.py keeps its fields but not its vote window)."""
    from backcoach.services.desk_codec import monitor_from_json, monitor_to_json

    render = desk_render(View.FRONT, noise=0.001, fps=fps, seed=11)
    frames = film([(UPRIGHT, 40, render)])
    sinking(frames, 10, 25, dy=0.4 * face_size(frames[0]))
    upright = film([(UPRIGHT, 40, render)])
    frames = [upright[i] if f.t_s in (12.0, 15.0) else f for i, f in enumerate(frames)]
    monitor = PostureMonitor()
    for start in range(0, len(frames), 3):
        for frame in frames[start : start + 3]:
            monitor.update(frame)
        monitor = monitor_from_json(json.loads(json.dumps(monitor_to_json(monitor))))
    assert states(monitor) == [U, S, U]
    assert monitor.spans[1].start_s == pytest.approx(10, abs=1.0)
    assert monitor.spans[2].start_s == pytest.approx(25, abs=1.0)
