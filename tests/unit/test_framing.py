"""Body in frame, steady hints and the one-person track lock (``vision.framing``)."""

from __future__ import annotations

import itertools

from backcoach.vision.analyzers import get_analyzer
from backcoach.vision.analyzers.base import Guided
from backcoach.vision.framing import (
    LOST_HINT,
    SteadyHint,
    TrackLock,
    framing_hint,
    missing_joints,
)
from backcoach.vision.landmarks import Landmark, LandmarkFrame
from backcoach.vision.landmarks import PoseLandmark as P

from .vision_factories import SQUAT_BOTTOM, STANDING, cycle, frames, landmarks_of

LEGS = (P.LEFT_KNEE, P.RIGHT_KNEE, P.LEFT_ANKLE, P.RIGHT_ANKLE)


def standing(t_s: float = 0.0) -> LandmarkFrame:
    return LandmarkFrame(t_s, tuple(landmarks_of(STANDING)))


def shifted(frame: LandmarkFrame, dx: float, scale: float = 1.0) -> LandmarkFrame:
    """The same body moved ``dx`` across the picture and scaled about the image centre."""
    assert frame.landmarks is not None
    marks = tuple(
        m._replace(x=0.5 + (m.x - 0.5) * scale + dx, y=0.5 + (m.y - 0.5) * scale)
        for m in frame.landmarks
    )
    return LandmarkFrame(frame.t_s, marks, frame.aspect)


def with_marks(frame: LandmarkFrame, change: dict[int, Landmark]) -> LandmarkFrame:
    assert frame.landmarks is not None
    marks = list(frame.landmarks)
    for index, mark in change.items():
        marks[index] = mark
    return LandmarkFrame(frame.t_s, tuple(marks), frame.aspect)


def test_the_hint_names_the_joints_out_of_view_and_says_what_to_do() -> None:
    frame = standing()
    assert missing_joints(frame, ("shoulders", "hips", "knees", "feet")) == {}
    assert framing_hint({}) is None
    assert frame.landmarks is not None
    below = with_marks(frame, {i: frame.landmarks[i]._replace(y=1.1) for i in LEGS})
    missing = missing_joints(below, ("shoulders", "hips", "knees", "feet"))
    assert missing == {"knee": "edge-y", "ankle": "edge-y"}
    assert framing_hint(missing) == "I can't see your knees and ankles: move back."
    aside = with_marks(
        frame, {i: frame.landmarks[i]._replace(x=-0.2) for i in (P.LEFT_WRIST, P.RIGHT_WRIST)}
    )
    assert framing_hint(missing_joints(aside, ("arms",))) == (
        "I can't see your hands: move towards the middle of the picture."
    )
    hidden = with_marks(
        frame, {i: frame.landmarks[i]._replace(visibility=0.1) for i in (P.LEFT_HIP, P.RIGHT_HIP)}
    )
    assert framing_hint(missing_joints(hidden, ("hips", "knees"))) == (
        "I can't see your hips: turn or move so the camera sees them."
    )


def test_one_side_seen_is_enough() -> None:
    frame = standing()
    assert frame.landmarks is not None
    one_knee = with_marks(frame, {P.LEFT_KNEE: frame.landmarks[P.LEFT_KNEE]._replace(visibility=0)})
    assert missing_joints(one_knee, ("knees",)) == {}


def test_a_hint_that_blinks_every_other_frame_does_not_flicker() -> None:
    steady = SteadyHint(dwell_s=0.5, min_show_s=1.0)
    shown = [steady.update(i / 30, "Move back." if i % 2 else None) for i in range(91)]
    assert set(shown) == {None}
    # A problem that lasts is shown after the dwell, and stays up at least min_show_s.
    shown = [steady.update(4 + i / 30, "Move back.") for i in range(30)]
    assert shown[0] is None and shown[-1] == "Move back."
    first_shown = 4 + shown.index("Move back.") / 30
    assert first_shown - 4 >= 0.5 - 1e-9
    after = [steady.update(5 + i / 30, None) for i in range(60)]
    cleared = 5 + after.index(None) / 30
    assert cleared - first_shown >= 1.0 - 1e-9


def test_guided_hints_do_not_flicker_when_a_knee_blinks_out_of_view() -> None:
    stream = frames(cycle(STANDING, SQUAT_BOTTOM, reps=3))
    blinking = []
    for i, frame in enumerate(stream):
        if i % 3 == 0:
            assert frame.landmarks is not None
            hidden: dict[int, Landmark] = {
                j: frame.landmarks[j]._replace(visibility=0.1) for j in LEGS[:2]
            }
            blinking.append(with_marks(frame, hidden))
        else:
            blinking.append(frame)
    guided = Guided(get_analyzer("squat"))
    hints = [guided.update(frame).hint for frame in blinking]
    changes = sum(a != b for a, b in itertools.pairwise(hints))
    assert changes <= 3  # get ready -> ready -> cleared, not a change every few frames
    assert guided.result().reps == 3


def test_a_body_that_jumps_is_someone_else_and_the_track_comes_back() -> None:
    lock = TrackLock()
    me = [standing(i / 30) for i in range(30)]
    for frame in me:
        assert lock.update(frame) is frame
    # Someone else, smaller and to the side, for half a second.
    for i in range(15):
        seen = lock.update(shifted(standing(1 + i / 30), 0.4, scale=0.5))
        assert seen.landmarks is None and lock.lost
    back = standing(1.5)
    assert lock.update(back) is back and not lock.lost and not lock.adopted


def test_a_stranger_who_stays_is_taken_on_as_the_person() -> None:
    lock = TrackLock(adopt_s=3.0)
    lock.update(standing(0.0))
    lock.update(standing(0.5))
    seen = [lock.update(shifted(standing(1 + i / 10), 0.4, 0.6)) for i in range(31)]
    assert all(frame.landmarks is None for frame in seen[:30])
    assert seen[-1].landmarks is not None and lock.adopted


def test_after_an_empty_picture_whoever_comes_in_is_the_person() -> None:
    lock = TrackLock(absent_s=1.5)
    lock.update(standing(0.0))
    for i in range(30):
        lock.update(LandmarkFrame(0.1 + i / 30, None))
    elsewhere = shifted(standing(1.1), 0.4, 0.5)
    assert lock.update(elsewhere).landmarks is None and lock.lost  # a second away: not yet
    for i in range(30):
        lock.update(LandmarkFrame(1.2 + i / 30, None))
    elsewhere = shifted(standing(2.8), 0.4, 0.5)
    assert lock.update(elsewhere) is elsewhere and lock.adopted


def test_moving_fast_and_rough_first_frames_are_not_a_jump() -> None:
    lock = TrackLock()
    # The model's first frames of a person: a tiny torso, then the real one.
    tiny = shifted(standing(0.0), 0.0, 0.2)
    assert lock.update(tiny) is tiny
    for i, frame in enumerate(frames(cycle(STANDING, SQUAT_BOTTOM, reps=3, move_s=0.3))):
        moved = LandmarkFrame(0.1 + frame.t_s, frame.landmarks)
        assert lock.update(moved).landmarks is not None, i
    assert not lock.lost


def test_guided_says_when_it_lost_the_person_and_counts_none_of_the_strangers_reps() -> None:
    mine = frames(cycle(STANDING, SQUAT_BOTTOM, reps=2))
    end = mine[-1].t_s
    stranger = [
        shifted(LandmarkFrame(end + f.t_s + 1 / 30, f.landmarks), 0.4, 0.5)
        for f in frames(cycle(STANDING, SQUAT_BOTTOM, reps=1, rest_s=0.3))
    ]
    end = stranger[-1].t_s
    again = [LandmarkFrame(end + f.t_s + 1 / 30, f.landmarks) for f in mine]
    guided = Guided(get_analyzer("squat"))
    hints = [guided.update(frame).hint for frame in [*mine, *stranger, *again]]
    assert LOST_HINT in hints[len(mine) : len(mine) + len(stranger)]
    assert guided.result().reps == 4
