"""Posture monitor on landmark sequences generated from sitting keyframes."""

from __future__ import annotations

import dataclasses

import pytest

from backcoach.content.models import Segments, View
from backcoach.vision.landmarks import LandmarkFrame
from backcoach.vision.posture import PostureConfig, PostureMonitor, PostureState
from tests.support import synthetic as syn

SITTING = Segments(
    trunk=90, head=90, upper_arm_l=290, forearm_l=0, upper_arm_r=290, forearm_r=0,
    thigh_l=0, shin_l=270, thigh_r=0, shin_r=270,
)  # fmt: skip
UPRIGHT = syn.Pose(SITTING)
SLUMPED_BACK = UPRIGHT.with_segments(trunk=108, head=95)
SLUMPED_FORWARD = UPRIGHT.with_segments(trunk=74, head=80)
HEAD_FORWARD = UPRIGHT.with_segments(head=65)
SHOULDERS_UP_CHIN_DOWN = syn.Pose(SITTING, shoulder_lift=0.03, head_pitch_deg=-10)
GLANCE_DOWN = syn.Pose(SITTING, head_pitch_deg=-30)

U, S, F, A = (
    PostureState.UPRIGHT,
    PostureState.SLOUCHED,
    PostureState.FORWARD_HEAD,
    PostureState.ABSENT,
)


def desk_render(view: View, **changes: object) -> syn.Render:
    """A laptop camera at a desk: upper body in view, hips near the bottom edge."""
    render = syn.Render(view=view, fps=5, camera_distance_m=1.6, offset=(0.0, 0.35), lead_in_s=0)
    return dataclasses.replace(render, **changes)  # type: ignore[arg-type]


def film(parts: list[tuple[syn.Pose, float, syn.Render]]) -> list[LandmarkFrame]:
    """Concatenate still segments (each may use its own camera set-up)."""
    frames: list[LandmarkFrame] = []
    t0 = 0.0
    for pose, seconds, render in parts:
        clip = syn.generate(syn.still(pose, seconds), render)
        frames.extend(dataclasses.replace(f, t_s=t0 + f.t_s) for f in clip.frames[:-1])
        t0 += clip.duration_s
    return frames


def run(frames: list[LandmarkFrame], config: PostureConfig | None = None) -> PostureMonitor:
    monitor = PostureMonitor(config or PostureConfig())
    for frame in frames:
        monitor.update(frame)
    return monitor


def states(monitor: PostureMonitor) -> list[PostureState]:
    return [span.state for span in monitor.spans]


@pytest.mark.parametrize("height_m", [1.55, 1.75, 1.95])
@pytest.mark.parametrize("bad", [SLUMPED_BACK, SLUMPED_FORWARD])
def test_side_view_slouch_is_detected_and_alerted_once(height_m: float, bad: syn.Pose) -> None:
    render = desk_render(View.SIDE, body_height_m=height_m, noise=0.002, seed=3)
    monitor = run(film([(UPRIGHT, 10, render), (bad, 70, render), (UPRIGHT, 15, render)]))
    assert states(monitor) == [U, S, U]
    slouch = monitor.spans[1]
    assert slouch.start_s == pytest.approx(10, abs=0.5)
    assert slouch.end_s == pytest.approx(80, abs=0.5)
    assert monitor.alerts == 1


def test_alert_suggests_a_desk_break_move() -> None:
    render = desk_render(View.SIDE)
    monitor = PostureMonitor()
    alerts = [
        r
        for f in film([(UPRIGHT, 6, render), (HEAD_FORWARD, 65, render)])
        if (r := monitor.update(f)).alert
    ]
    assert len(alerts) == 1
    assert alerts[0].state is F
    assert alerts[0].suggestion == "neck-nods"


def test_side_view_forward_head_without_alert_when_short() -> None:
    render = desk_render(View.SIDE, noise=0.002)
    monitor = run(film([(UPRIGHT, 8, render), (HEAD_FORWARD, 20, render), (UPRIGHT, 8, render)]))
    assert states(monitor) == [U, F, U]
    assert monitor.alerts == 0


def test_front_view_head_sinking_is_slouching() -> None:
    render = desk_render(View.FRONT, noise=0.001)
    monitor = run(film([(UPRIGHT, 8, render), (SHOULDERS_UP_CHIN_DOWN, 20, render)]))
    assert states(monitor) == [U, S]


FACE = range(11)  # BlazePose face landmarks: nose, eyes, ears, mouth


def head_nearer(frame: LandmarkFrame, factor: float) -> LandmarkFrame:
    """The same frame with the face enlarged about the nose, as perspective shows a
    head that leans in ahead of the shoulders (the synthetic camera is orthographic)."""
    assert frame.landmarks is not None
    nose = frame.landmarks[0]
    points = [
        lm._replace(x=nose.x + (lm.x - nose.x) * factor, y=nose.y + (lm.y - nose.y) * factor)
        if i in FACE
        else lm
        for i, lm in enumerate(frame.landmarks)
    ]
    return dataclasses.replace(frame, landmarks=tuple(points))


def test_front_view_head_leaning_in_ahead_of_the_shoulders_is_forward_head() -> None:
    render = desk_render(View.FRONT, noise=0.001)
    frames = film([(UPRIGHT, 36, render)])
    frames = [head_nearer(f, 1.3) if 8 <= f.t_s < 28 else f for f in frames]
    assert states(run(frames)) == [U, F, U]


def test_a_camera_moving_closer_is_not_leaning_in() -> None:
    far, near = desk_render(View.FRONT), desk_render(View.FRONT, camera_distance_m=1.1)
    monitor = run(film([(UPRIGHT, 8, far), (UPRIGHT, 20, near), (UPRIGHT, 8, far)]))
    assert states(monitor) == [U]


def test_a_glance_down_is_not_slouching() -> None:
    render = desk_render(View.FRONT)
    frames = film([(UPRIGHT, 8, render), (SHOULDERS_UP_CHIN_DOWN, 2, render), (UPRIGHT, 8, render)])
    frames += film([(GLANCE_DOWN, 2, render), (UPRIGHT, 5, render)])
    assert states(run(frames)) == [U]


def test_leaving_the_desk_is_absent() -> None:
    render = desk_render(View.SIDE)
    frames = film([(UPRIGHT, 8, render)])
    frames += [LandmarkFrame(t_s=8 + i / 5, landmarks=None) for i in range(50)]
    frames += [dataclasses.replace(f, t_s=f.t_s + 18) for f in film([(UPRIGHT, 5, render)])]
    monitor = run(frames)
    assert states(monitor) == [U, A, U]
    assert monitor.seconds_in(A) == pytest.approx(10, abs=0.5)


def test_nobody_ever_in_view_stays_absent_and_uncalibrated() -> None:
    monitor = run([LandmarkFrame(t_s=i / 5, landmarks=None) for i in range(100)])
    assert states(monitor) == [A]
    assert monitor.baseline is None


def test_calibration_learns_the_users_own_upright() -> None:
    # Someone who sits leaning forward a little is upright by their own baseline.
    render = desk_render(View.SIDE)
    monitor = run(film([(UPRIGHT.with_segments(trunk=84, head=84), 30, render)]))
    assert states(monitor) == [U]


def test_long_monitoring_keeps_a_bounded_timeline() -> None:
    render = desk_render(View.SIDE, noise=0.002)
    one_minute = film([(UPRIGHT, 60, render)])
    monitor = PostureMonitor()
    for minute in range(60):
        for frame in one_minute:
            monitor.update(dataclasses.replace(frame, t_s=frame.t_s + 60 * minute))
    assert len(monitor.spans) == 1
    assert monitor.frames == 60 * len(one_minute)
