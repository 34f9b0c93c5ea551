"""Counting against a demonstration (``vision.reference``) on stick-figure trajectories.

The demonstration is two squats at one tempo; the recordings vary what a
camera and a person vary: tempo, pauses, distance, facing, noise, dropped
frames, depth, and a rep cut off by the end of the recording.
"""

from __future__ import annotations

import pytest

from backcoach.vision.landmarks import LandmarkFrame
from backcoach.vision.reference import EXERCISE, DemonstrationError, Template, count, learn
from tests.unit.vision_factories import (
    SQUAT_BOTTOM,
    STANDING,
    Pose,
    _blend,
    cycle,
    frames,
    pose,
)

ARMS_UP = pose(90, 90, 90, 90, -90, -90)


def _reps(keys: list[tuple[float, Pose]], t: float, depth: Pose, move_s: float) -> float:
    keys += [(t + move_s, depth), (t + move_s + 0.3, depth), (t + 2 * move_s + 0.3, STANDING)]
    keys.append((t + 2 * move_s + 1.0, STANDING))
    return t + 2 * move_s + 1.0


def _session(
    moves: list[float], *, pause_after: int = -1, depth: float = 1.0
) -> list[tuple[float, Pose]]:
    """Standing, then one squat per ``moves`` entry (seconds down), a 4 s pause after one."""
    bottom = _blend(STANDING, SQUAT_BOTTOM, depth)
    keys: list[tuple[float, Pose]] = [(0.0, STANDING), (1.0, STANDING)]
    t = 1.0
    for number, move_s in enumerate(moves):
        t = _reps(keys, t, bottom, move_s)
        if number == pause_after:
            t += 4.0
            keys.append((t, STANDING))
    return keys


@pytest.fixture(scope="module")
def template() -> Template:
    demo = frames(cycle(STANDING, SQUAT_BOTTOM, reps=2), noise=0.002, seed=1)
    return learn(demo)


def test_the_demonstration_is_learnt(template: Template) -> None:
    assert template.demo_reps == 2
    assert 1.0 < template.duration_s < 3.5
    assert any(("knee" in name or "hip" in name) for name in template.signals)


def test_counts_reps_at_other_tempos_with_a_pause_far_from_the_camera(template: Template) -> None:
    keys = _session([0.45, 0.6, 0.9, 0.7, 1.0], pause_after=1)
    recording = frames(keys, noise=0.004, seed=2, drop_every=17, scale=0.45)
    result = count(template, recording)
    assert result.analysis.reps == 5
    assert result.analysis.exercise == EXERCISE
    similarities = [event.quality for event in result.analysis.rep_events]
    assert all(0.7 <= s <= 1.0 for s in similarities)
    # Reps are found where they are: one per squat, in time order, none in the pause.
    starts = [event.start_s for event in result.analysis.rep_events]
    assert starts == sorted(starts)
    assert not any(4.5 < s < 8.0 for s in starts[2:])


def test_facing_the_other_way_counts_the_same(template: Template) -> None:
    recording = frames(_session([0.6, 0.6, 0.6]), noise=0.003, seed=3)
    mirrored = [
        LandmarkFrame(
            f.t_s,
            None if f.landmarks is None else tuple(p._replace(x=1 - p.x) for p in f.landmarks),
        )
        for f in recording
    ]
    assert count(template, recording).analysis.reps == 3
    assert count(template, mirrored).analysis.reps == 3


def test_shallower_reps_score_lower_and_twitches_do_not_count(template: Template) -> None:
    full = count(template, frames(_session([0.6, 0.6]), noise=0.002, seed=4))
    shallow = count(template, frames(_session([0.6, 0.6], depth=0.75), noise=0.002, seed=4))
    twitch = count(template, frames(_session([0.3, 0.3], depth=0.2), noise=0.002, seed=4))
    assert full.analysis.reps == shallow.analysis.reps == 2
    assert max(e.quality for e in shallow.analysis.rep_events) < min(
        e.quality for e in full.analysis.rep_events
    )
    assert twitch.analysis.reps == 0


def test_another_movement_and_a_rep_cut_off_at_the_end_do_not_count(template: Template) -> None:
    arms = frames(cycle(STANDING, ARMS_UP, reps=4), noise=0.002, seed=5)
    assert count(template, arms).analysis.reps == 0
    keys = _session([0.6, 0.6])
    end = keys[-1][0]
    keys += [(end + 0.6, SQUAT_BOTTOM), (end + 1.0, SQUAT_BOTTOM)]  # down, and the video ends
    assert count(template, frames(keys, noise=0.002, seed=6)).analysis.reps == 2


def test_json_has_a_similarity_per_rep(template: Template) -> None:
    data = count(template, frames(_session([0.6]), noise=0.002, seed=7)).to_json()
    assert data["reps"] == 1
    assert 0.0 <= data["rep_events"][0]["similarity"] <= 1.0
    assert data["reference"]["signals"] == list(template.signals)
    assert data["reference"]["demo_reps"] == 2


def test_a_demonstration_without_a_rep_is_refused() -> None:
    still = frames([(0.0, STANDING), (3.0, STANDING)], noise=0.002)
    with pytest.raises(DemonstrationError, match="No complete repetition"):
        learn(still)
    nobody = [LandmarkFrame(i / 30, None) for i in range(60)]
    with pytest.raises(DemonstrationError, match="Nobody"):
        learn(nobody)
    half = frames([(0.0, STANDING), (1.0, STANDING), (1.6, SQUAT_BOTTOM), (2.5, SQUAT_BOTTOM)])
    with pytest.raises(DemonstrationError, match="start and end in the same position"):
        learn(half)


RIGHT_ARM = (12, 14, 16, 18, 20, 22)  # the right arm's landmarks
LEFT_ARM = (11, 13, 15, 17, 19, 21)


def _one_arm_raises(sides: list[str], seed: int) -> list[LandmarkFrame]:
    """Standing, raising one arm at a time (the other stays down)."""
    keys: list[tuple[float, Pose]] = [(0.0, STANDING), (1.0, STANDING)]
    t = 1.0
    raised_at = []
    for _ in sides:
        end = _reps(keys, t, ARMS_UP, 0.7)
        raised_at.append((t, end))
        t = end
    down = frames([(0.0, STANDING), (t, STANDING)], noise=0.002, seed=seed)
    up = frames(keys, noise=0.002, seed=seed + 1)
    result = []
    for low, high in zip(down, up, strict=True):
        moving = next(
            (s for s, (a, b) in zip(sides, raised_at, strict=True) if a <= high.t_s < b), None
        )
        arm = RIGHT_ARM if moving == "right" else LEFT_ARM if moving == "left" else ()
        assert low.landmarks is not None and high.landmarks is not None
        marks = tuple(high.landmarks[i] if i in arm else low.landmarks[i] for i in range(33))
        result.append(LandmarkFrame(high.t_s, marks))
    return result


def test_a_one_sided_demonstration_counts_both_sides_and_names_them() -> None:
    template = learn(_one_arm_raises(["right"], seed=8))
    assert any(name.startswith("right ") for name in template.signals)
    result = count(template, _one_arm_raises(["right", "left", "right", "left"], seed=9))
    assert [event.side for event in result.analysis.rep_events] == ["right", "left"] * 2


def test_a_two_sided_movement_names_no_side(template: Template) -> None:
    result = count(template, frames(_session([0.6, 0.6]), noise=0.002, seed=10))
    assert [event.side for event in result.analysis.rep_events] == [None, None]
