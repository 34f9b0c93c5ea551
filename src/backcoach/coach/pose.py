"""Which position the figure shows at a moment of a session.

The rule, in plain words. An exercise's first keyframe is its *start*
position. Its *end* keyframe is the first later one that looks different from
the start (the bridge's "hips lifted", not its "lowered again"); its *held*
keyframe is the first later one with a hold time, else the end keyframe.

* Before the start, while getting ready for a hold or timed work, and at a
  rest: the start keyframe, still.
* Moving into a held rep: towards the held keyframe (moving); holding: the
  held keyframe, still.
* Counting reps at one's own pace: the end keyframe, moving through the whole
  movement (``cycle``); keeping moving (timed work): the start keyframe,
  moving through all of them.
* Breathing: in, towards the held-breath keyframe; hold, still there; out,
  towards the keyframe after it.
* Paused: the same keyframe, still. Finished: no pose.

Sides. A keyframe belongs to the side of the first "left" or "right" in its
name ("left arm and right leg reaching" is the left side's; in German content
the first "links", "linke", "rechts", "rechte", ... with any ending). A per-side
exercise drawn for both sides shows the keyframes of the set's side. One
drawn for a single side (the side plank, "propped on the right forearm") is
mirrored for the other side, and the name the figure shows says the other
side's limbs. So the set's side, the caption and the figure name the same
limbs. Before the start and at a rest the figure shows the side coming next:
the engine begins every set on the left.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from backcoach.coach.session_state import Activity, SessionState, Side, Status
from backcoach.content.models import Exercise

__all__ = ["Pose", "choose_pose", "keyframe_side", "mirrored_name"]

# English "left"/"right" and the German forms (links/rechts, linke/rechte with their endings).
_SIDE_WORD = re.compile(r"\b(left|right|(?:link|recht)(?:s|e[mnrs]?))\b", re.IGNORECASE)
_SWAP = {"left": "right", "right": "left", "link": "recht", "recht": "link"}


def _side_of(word: str) -> Side:
    return Side.LEFT if word[0].lower() == "l" else Side.RIGHT


def _swapped(word: str) -> str:
    """``word`` naming the other side, keeping its German ending and capital letter."""
    lower = word.lower()
    stem = next(s for s in ("left", "right", "link", "recht") if lower.startswith(s))
    other = _SWAP[stem] + lower[len(stem) :]
    return other.capitalize() if word[0].isupper() else other


@dataclass(frozen=True)
class Pose:
    """The keyframe the figure shows now.

    ``keyframe`` indexes the exercise's keyframes; ``name`` is what the
    caption says (the keyframe's name, its sides swapped when ``mirrored``).
    ``moving`` says the figure is on its way: towards ``keyframe`` over the
    activity's time, or, when ``cycle`` is not empty, round those keyframes
    again and again.
    """

    keyframe: int
    name: str
    mirrored: bool
    moving: bool
    cycle: tuple[int, ...] = ()


def keyframe_side(name: str) -> Side | None:
    """The side a keyframe belongs to: the first "left" or "right" in its name (or German word).

    Example:
        >>> keyframe_side("left arm and right leg reaching")
        <Side.LEFT: 'left'>
        >>> keyframe_side("rechter Arm und linkes Bein gestreckt")
        <Side.RIGHT: 'right'>
    """
    match = _SIDE_WORD.search(name)
    return _side_of(match.group(1)) if match else None


def mirrored_name(name: str) -> str:
    """``name`` with left and right swapped, for a figure drawn mirrored.

    Example:
        >>> mirrored_name("lying on the side, propped on the right forearm")
        'lying on the side, propped on the left forearm'
        >>> mirrored_name("in Seitenlage, auf den rechten Unterarm gestützt")
        'in Seitenlage, auf den linken Unterarm gestützt'
    """
    return _SIDE_WORD.sub(lambda m: _swapped(m.group(1)), name)


def _frames(exercise: Exercise, side: Side | None) -> tuple[list[int], bool]:
    """The keyframes that show ``side`` and whether they are drawn mirrored."""
    every = list(range(len(exercise.keyframes)))
    if side is None:
        return every, False
    sides = [keyframe_side(k.name) for k in exercise.keyframes]
    named = {s for s in sides if s is not None}
    if named >= {Side.LEFT, Side.RIGHT}:
        return [i for i in every if sides[i] in (None, side)], False
    # drawn for one side only (or for none: taken as the first side the engine runs)
    drawn = next(iter(named), Side.LEFT)
    return every, side is not drawn


def _end(exercise: Exercise, frames: list[int]) -> int:
    start = exercise.keyframes[frames[0]].segments
    later = frames[1:]
    for i in later:
        if exercise.keyframes[i].segments != start:
            return i
    return later[0] if later else frames[0]


def _held(exercise: Exercise, frames: list[int]) -> int:
    for i in frames[1:]:
        if exercise.keyframes[i].hold_s > 0:
            return i
    return _end(exercise, frames)


def _after(frames: list[int], index: int) -> int:
    at = frames.index(index)
    return frames[at + 1] if at + 1 < len(frames) else frames[0]


def choose_pose(state: SessionState, exercise: Exercise) -> Pose | None:
    """The position the figure of ``exercise`` shows in ``state``.

    Args:
        state: the engine's state; its current step must be of ``exercise``.
        exercise: the current step's exercise, with its keyframes.

    Returns:
        The pose, or None once the session is finished.

    Example:
        >>> choose_pose(engine.state, catalog.exercise("glute-bridge"))
        Pose(keyframe=1, name='hips lifted', mirrored=False, moving=False, cycle=())
    """
    if state.status is Status.FINISHED:
        return None
    side = state.side
    if side is None and exercise.dosage.per_side:
        side = Side.LEFT  # before the start and at a rest: every set begins on the left
    frames, mirrored = _frames(exercise, side)
    start = frames[0]
    keyframe, moving = start, False
    cycle: tuple[int, ...] = ()
    match state.activity:
        case Activity.MOVE:
            keyframe, moving = _held(exercise, frames), True
        case Activity.HOLD:
            keyframe = _held(exercise, frames)
        case Activity.COUNT_REPS:
            keyframe, moving, cycle = _end(exercise, frames), True, tuple(frames)
        case Activity.KEEP_MOVING:
            moving, cycle = True, tuple(frames)
        case Activity.BREATHE_IN:
            keyframe, moving = _held(exercise, frames), True
        case Activity.BREATHE_HOLD:
            keyframe = _held(exercise, frames)
        case Activity.BREATHE_OUT:
            keyframe, moving = _after(frames, _held(exercise, frames)), True
        case _:  # not started, getting ready, resting
            pass
    if state.status is not Status.RUNNING:
        moving, cycle = False, ()
    name = exercise.keyframes[keyframe].name
    return Pose(
        keyframe=keyframe,
        name=mirrored_name(name) if mirrored else name,
        mirrored=mirrored,
        moving=moving,
        cycle=cycle,
    )
