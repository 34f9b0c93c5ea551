"""Synthetic BlazePose trajectories generated from exercise keyframes.

Used to test the analyzers for exercises that have no labelled real clip.
A :class:`Script` is a start pose and a list of steps (move to a pose over
some seconds, then hold it); the builders :func:`repetitions`,
:func:`alternating`, :func:`cycles` and :func:`still` also record the ground
truth (which steps make one rep, which step is a hold). :func:`generate`
renders the script as :class:`LandmarkFrame` objects the way BlazePose would
report a person of a given size at a given camera distance, with optional
noise, camera shake, dropped frames and occluded joints, and returns the
exact expected reps and holds next to the frames.

The 2-D stick figure (``content/figure.py``) gives the body joints; the face
(nose, eyes, ears, mouth) sits on a small 3-D head around the figure's head
point, turned by ``head_yaw_deg`` and nodded by ``head_pitch_deg``; hands and
feet are short offsets from the wrists and ankles. Image coordinates are
normalised, ``y`` points down, ``z`` is depth (smaller = nearer the camera)
relative to the hips, in the same units as ``x``.

Everything is pure: randomness comes only from ``Render.seed``.

Example:
    >>> start, top = Pose(stand), Pose(bent)                  # doctest: +SKIP
    >>> script = repetitions(start, top, reps=5, hold_s=2.0)  # doctest: +SKIP
    >>> clip = generate(script, Render(view=View.SIDE, noise=0.003, seed=1))  # doctest: +SKIP
    >>> len(clip.reps), clip.holds[0].duration_s             # doctest: +SKIP
    (5, 2.0)
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Final, Literal

import numpy as np
import numpy.typing as npt

from backcoach.content.figure import (
    HEAD_RADIUS,
    HIP_HALF_WIDTH,
    SHOULDER_HALF_WIDTH,
    joint_positions,
)
from backcoach.content.models import Exercise, Segments, View
from backcoach.vision.landmarks import NUM_LANDMARKS, Landmark, LandmarkFrame, PoseLandmark

Side = Literal["left", "right"]
Vec3 = npt.NDArray[np.float64]

_P = PoseLandmark

#: Body landmarks taken straight from the stick figure's joints.
_FIGURE_JOINT: Final[dict[PoseLandmark, str]] = {
    _P.LEFT_SHOULDER: "shoulder_l",
    _P.RIGHT_SHOULDER: "shoulder_r",
    _P.LEFT_ELBOW: "elbow_l",
    _P.RIGHT_ELBOW: "elbow_r",
    _P.LEFT_WRIST: "wrist_l",
    _P.RIGHT_WRIST: "wrist_r",
    _P.LEFT_HIP: "hip_l",
    _P.RIGHT_HIP: "hip_r",
    _P.LEFT_KNEE: "knee_l",
    _P.RIGHT_KNEE: "knee_r",
    _P.LEFT_ANKLE: "ankle_l",
    _P.RIGHT_ANKLE: "ankle_r",
}

#: Parent of each figure joint, for rescaling limbs (body proportions).
_PARENT: Final[dict[str, tuple[str, str]]] = {
    "neck": ("hip", "trunk"),
    "head": ("neck", "head"),
    "shoulder_l": ("neck", ""),
    "shoulder_r": ("neck", ""),
    "elbow_l": ("shoulder_l", "upper_arm"),
    "elbow_r": ("shoulder_r", "upper_arm"),
    "wrist_l": ("elbow_l", "forearm"),
    "wrist_r": ("elbow_r", "forearm"),
    "hip_l": ("hip", ""),
    "hip_r": ("hip", ""),
    "knee_l": ("hip_l", "thigh"),
    "knee_r": ("hip_r", "thigh"),
    "ankle_l": ("knee_l", "shin"),
    "ankle_r": ("knee_r", "shin"),
}
_ARM_L: Final = ("shoulder_l", "elbow_l", "wrist_l")
_ARM_R: Final = ("shoulder_r", "elbow_r", "wrist_r")
_LEG_L: Final = ("hip_l", "knee_l", "ankle_l")
_LEG_R: Final = ("hip_r", "knee_r", "ankle_r")

#: Face landmarks on a unit head: (forward, up, towards the person's left) in head radii.
_FACE: Final[dict[PoseLandmark, tuple[float, float, float]]] = {
    _P.NOSE: (1.05, -0.10, 0.0),
    _P.LEFT_EYE_INNER: (0.85, 0.22, 0.14),
    _P.LEFT_EYE: (0.80, 0.24, 0.30),
    _P.LEFT_EYE_OUTER: (0.72, 0.24, 0.44),
    _P.RIGHT_EYE_INNER: (0.85, 0.22, -0.14),
    _P.RIGHT_EYE: (0.80, 0.24, -0.30),
    _P.RIGHT_EYE_OUTER: (0.72, 0.24, -0.44),
    _P.LEFT_EAR: (-0.05, 0.05, 0.95),
    _P.RIGHT_EAR: (-0.05, 0.05, -0.95),
    _P.MOUTH_LEFT: (0.85, -0.45, 0.22),
    _P.MOUTH_RIGHT: (0.85, -0.45, -0.22),
}


# --------------------------------------------------------------------------- script


@dataclass(frozen=True)
class Pose:
    """One body position: the figure's segments plus what a 2-D figure cannot show.

    Args:
        segments: segment directions of the stick figure (as in a keyframe).
        head_yaw_deg: head turned towards the person's left (positive) or right.
        head_pitch_deg: chin up (positive) or down (negative), on top of ``segments.head``.
        shoulder_lift: shrug, in body heights along the trunk (0.03 is a clear shrug).
        shoulder_forward: shoulders drawn forward, in body heights.
        pelvis_roll_deg: pelvis rotated about the trunk axis; the person's left hip
            rises for positive values (a bird-dog fault).
    """

    segments: Segments
    head_yaw_deg: float = 0.0
    head_pitch_deg: float = 0.0
    shoulder_lift: float = 0.0
    shoulder_forward: float = 0.0
    pelvis_roll_deg: float = 0.0

    def mirrored(self, view: View = View.SIDE) -> Pose:
        """The same position done with the other side.

        From the side the left and right limbs swap; from the front the whole
        figure is also reflected, so a lean to the left becomes a lean to the right.
        """
        s = self.segments

        def turn(angle: float) -> float:
            return 180.0 - angle if view is View.FRONT else angle

        swapped = Segments(
            trunk=turn(s.trunk),
            head=turn(s.head),
            upper_arm_l=turn(s.upper_arm_r),
            forearm_l=turn(s.forearm_r),
            upper_arm_r=turn(s.upper_arm_l),
            forearm_r=turn(s.forearm_l),
            thigh_l=turn(s.thigh_r),
            shin_l=turn(s.shin_r),
            thigh_r=turn(s.thigh_l),
            shin_r=turn(s.shin_l),
        )
        return replace(
            self,
            segments=swapped,
            head_yaw_deg=-self.head_yaw_deg,
            pelvis_roll_deg=-self.pelvis_roll_deg,
        )

    def with_segments(self, **angles: float) -> Pose:
        """A copy with some segment angles changed: ``pose.with_segments(trunk=60)``."""
        return replace(self, segments=self.segments.model_copy(update=angles))


@dataclass(frozen=True)
class Step:
    """Move from the previous pose to ``pose`` in ``move_s`` seconds, then hold it."""

    pose: Pose
    move_s: float
    hold_s: float = 0.0


@dataclass(frozen=True)
class _RepMark:
    first: int  # index of the step that leaves the rest pose
    last: int  # index of the step that arrives back at rest
    side: Side | None
    hold: int | None  # index of the step whose hold is the rep's hold


@dataclass(frozen=True)
class Script:
    """A start pose, the steps that follow, and which steps are reps and holds."""

    start: Pose
    steps: tuple[Step, ...] = ()
    marks: tuple[_RepMark, ...] = ()

    def __add__(self, other: Script) -> Script:
        """Play ``other`` after this script (moving to its start pose in 1 s if needed)."""
        last = self.steps[-1].pose if self.steps else self.start
        bridge = () if other.start == last else (Step(other.start, 1.0),)
        offset = len(self.steps) + len(bridge)
        shifted = tuple(
            _RepMark(
                m.first + offset,
                m.last + offset,
                m.side,
                None if m.hold is None else m.hold + offset,
            )
            for m in other.marks
        )
        return Script(self.start, self.steps + bridge + other.steps, self.marks + shifted)


def still(pose: Pose, seconds: float) -> Script:
    """Stand (or lie) still: no reps, no holds."""
    return Script(pose, (Step(pose, 0.0, seconds),))


def repetitions(
    rest: Pose,
    top: Pose | Sequence[Pose],
    reps: int,
    *,
    move_s: float = 1.0,
    hold_s: float = 0.0,
    rest_s: float = 0.6,
    side: Side | None = None,
) -> Script:
    """``reps`` times: rest -> top (held ``hold_s``) -> rest (rested ``rest_s``).

    ``top`` may be a sequence of poses passed through in order; the hold is
    on the last one.
    """
    tops = (top,) if isinstance(top, Pose) else tuple(top)
    steps: list[Step] = []
    marks: list[_RepMark] = []
    for _ in range(reps):
        first = len(steps)
        for i, pose in enumerate(tops):
            steps.append(Step(pose, move_s, hold_s if i == len(tops) - 1 else 0.0))
        hold = len(steps) - 1 if hold_s > 0 else None
        steps.append(Step(rest, move_s, rest_s))
        marks.append(_RepMark(first, len(steps) - 1, side, hold))
    return Script(rest, tuple(steps), tuple(marks))


def alternating(
    rest: Pose,
    left: Pose,
    reps_per_side: int,
    *,
    right: Pose | None = None,
    move_s: float = 1.0,
    hold_s: float = 0.0,
    rest_s: float = 0.6,
    alternate: bool = True,
    view: View = View.SIDE,
) -> Script:
    """Reps on each side: left, right, left, right ... (or all left, then all right).

    ``right`` defaults to ``left.mirrored(view)``.
    """
    right_pose = left.mirrored(view) if right is None else right
    one_left = repetitions(rest, left, 1, move_s=move_s, hold_s=hold_s, rest_s=rest_s, side="left")
    one_right = repetitions(
        rest, right_pose, 1, move_s=move_s, hold_s=hold_s, rest_s=rest_s, side="right"
    )
    script = Script(rest)
    if alternate:
        for _ in range(reps_per_side):
            script = script + one_left + one_right
    else:
        for _ in range(reps_per_side):
            script = script + one_left
        for _ in range(reps_per_side):
            script = script + one_right
    return script


def cycles(
    rest: Pose,
    via: Sequence[Pose],
    count: int,
    *,
    period_s: float = 2.0,
    side: Side | None = None,
) -> Script:
    """``count`` continuous cycles rest -> via[0] -> ... -> via[-1] -> rest (circles)."""
    step_s = period_s / (len(via) + 1)
    steps: list[Step] = []
    marks: list[_RepMark] = []
    for _ in range(count):
        first = len(steps)
        steps.extend(Step(pose, step_s) for pose in via)
        steps.append(Step(rest, step_s))
        marks.append(_RepMark(first, len(steps) - 1, side, None))
    return Script(rest, tuple(steps), tuple(marks))


def keyframe_poses(
    exercise: Exercise, extras: Mapping[str, Mapping[str, float]] | None = None
) -> list[Pose]:
    """The exercise's keyframes as poses (in file order).

    Args:
        exercise: the exercise with its keyframes.
        extras: per keyframe name, what a 2-D figure cannot show, as ``Pose``
            fields: ``{"turned to the left": {"head_yaw_deg": 60}}``.
    """
    extras = extras or {}
    return [Pose(k.segments, **extras.get(k.name, {})) for k in exercise.keyframes]


def _side_of(name: str) -> Side | None:
    words = name.lower().replace(",", " ").split()
    # The first side named is the one that works ("left arm and right leg reaching").
    for word in words:
        if word in ("left", "right"):
            return "left" if word == "left" else "right"
    return None


def keyframe_script(
    exercise: Exercise,
    reps: int,
    *,
    move_s: float = 1.0,
    rest_s: float = 0.6,
    extras: Mapping[str, Mapping[str, float]] | None = None,
    side: Side | None = None,
) -> Script:
    """Reps through the exercise's keyframes: the first is rest, the others in order.

    Rules, from how the content draws its exercises:

    - keyframes equal to the rest pose ("lowered again") are skipped;
    - when the other keyframes each name one side ("left knee up", "right knee
      up"), each is its own rep from rest, sides alternating (``reps`` per side);
    - otherwise one rep passes through all of them in order, and a ``per_side``
      exercise alternates it with its mirror image (``reps`` per side; the
      side named by the rest keyframe, or left, comes first; pass ``side`` to
      script one side only, e.g. when the rest pose itself differs per side);
    - each keyframe's own ``hold_s`` is used; a rep's hold is its longest one.
    """
    frames = [k for k in exercise.keyframes[1:] if k.segments != exercise.keyframes[0].segments]
    poses = keyframe_poses(exercise, extras)
    by_name = {k.name: pose for k, pose in zip(exercise.keyframes, poses, strict=True)}
    rest = poses[0]
    view = exercise.camera.view
    pause = max(rest_s, exercise.keyframes[0].hold_s)

    def one(items: Sequence[tuple[Pose, float]], side: Side | None, base: Pose = rest) -> Script:
        steps = [Step(pose, move_s, hold) for pose, hold in items]
        holds = [hold for _, hold in items]
        longest = max(range(len(holds)), key=lambda i: holds[i])
        steps.append(Step(base, move_s, pause))
        mark = _RepMark(0, len(steps) - 1, side, longest if holds[longest] > 0 else None)
        return Script(base, tuple(steps), (mark,))

    sides = [_side_of(k.name) for k in frames]
    first: Side = _side_of(exercise.keyframes[0].name) or "left"
    other: Side = "right" if first == "left" else "left"
    script = Script(rest if side in (None, first) else rest.mirrored(view))
    if len(frames) == 2 and set(sides) == {"left", "right"}:
        for _ in range(reps):
            for k, side in zip(frames, sides, strict=True):
                script = script + one([(by_name[k.name], k.hold_s)], side)
        return script
    items = [(by_name[k.name], k.hold_s) for k in frames]
    for _ in range(reps):
        if exercise.dosage.per_side:
            mirrored = [(pose.mirrored(view), hold) for pose, hold in items]
            mirrored_rest = rest.mirrored(view)
            if side in (None, first):
                script = script + one(items, first)
            if side in (None, other):
                script = script + one(mirrored, other, mirrored_rest)
        else:
            script = script + one(items, None)
    return script


# --------------------------------------------------------------------------- rendering


@dataclass(frozen=True)
class Occlusion:
    """Landmarks the model cannot see during ``[start_s, end_s)`` (low visibility)."""

    landmarks: frozenset[int]
    start_s: float = 0.0
    end_s: float = math.inf
    visibility: float = 0.05


@dataclass(frozen=True)
class Render:
    """How the script is filmed and how imperfect the pose model is.

    Args:
        view: side (the figure faces right, its left side away from the camera) or front.
        fps: frames per second.
        body_height_m: the person's height.
        camera_distance_m: distance from the camera; with ``vfov_deg`` sets the scale.
        vfov_deg: vertical field of view of the camera.
        aspect: image width / height (written into every frame).
        offset: shift of the body centre from the image centre (normalised x, y).
        speed: movements are this many times faster (holds keep their length).
        noise: standard deviation of independent per-landmark noise (normalised units).
        jitter: standard deviation of a whole-body shake per frame (normalised units).
        drop_rate: probability that a frame has no pose at all.
        occlusions: landmarks reported with low visibility (their positions drift).
        proportions: segment length multipliers, e.g. ``{"thigh": 1.1, "trunk": 0.9}``.
        lead_in_s: still time at the start pose before the script, and after it.
        seed: seed of the random generator.
    """

    view: View = View.SIDE
    fps: float = 30.0
    body_height_m: float = 1.75
    camera_distance_m: float = 3.5
    vfov_deg: float = 55.0
    aspect: float = 4.0 / 3.0
    offset: tuple[float, float] = (0.0, 0.0)
    speed: float = 1.0
    noise: float = 0.0
    jitter: float = 0.0
    drop_rate: float = 0.0
    occlusions: tuple[Occlusion, ...] = ()
    proportions: Mapping[str, float] = field(default_factory=dict)
    lead_in_s: float = 1.0
    seed: int = 0

    @property
    def scale(self) -> float:
        """Body height as a fraction of the image height."""
        span = 2.0 * self.camera_distance_m * math.tan(math.radians(self.vfov_deg) / 2.0)
        return self.body_height_m / span


@dataclass(frozen=True)
class ExpectedRep:
    index: int
    side: Side | None
    start_s: float
    end_s: float


@dataclass(frozen=True)
class ExpectedHold:
    side: Side | None
    start_s: float
    end_s: float

    @property
    def duration_s(self) -> float:
        return self.end_s - self.start_s


@dataclass(frozen=True)
class Synthetic:
    """Generated frames and the ground truth they were generated from."""

    frames: list[LandmarkFrame]
    reps: tuple[ExpectedRep, ...]
    holds: tuple[ExpectedHold, ...]
    fps: float
    duration_s: float

    def reps_per_side(self) -> dict[Side | None, int]:
        counts: dict[Side | None, int] = {}
        for rep in self.reps:
            counts[rep.side] = counts.get(rep.side, 0) + 1
        return counts


def generate(script: Script, render: Render | None = None) -> Synthetic:
    """Render ``script`` as landmark frames, with the exact expected reps and holds.

    Args:
        script: poses over time (see :func:`repetitions` and friends).
        render: camera, body and model-imperfection settings.

    Example:
        >>> clip = generate(still(Pose(standing), 3.0), Render(noise=0.002))  # doctest: +SKIP
        >>> clip.reps
        ()
    """
    render = render or Render()
    rng = np.random.default_rng(render.seed)
    times, reps, holds = _timeline(script, render)
    duration = times[-1][1] + render.lead_in_s if times else render.lead_in_s

    # One bounding box over all poses keeps the camera still while the person moves.
    poses = [script.start, *(step.pose for step in script.steps)]
    bodies = [_body(p, render) for p in poses]
    stacked = np.concatenate(bodies)
    centre = (stacked[:, :2].min(axis=0) + stacked[:, :2].max(axis=0)) / 2.0

    n_frames = math.floor(duration * render.fps) + 1
    cache: dict[Pose, npt.NDArray[np.float64]] = dict(zip(poses, bodies, strict=True))
    drift = np.zeros((NUM_LANDMARKS, 2))
    frames: list[LandmarkFrame] = []
    for i in range(n_frames):
        t = i / render.fps
        pose = _pose_at(script, times, t - render.lead_in_s)
        body = cache.get(pose)
        if body is None:
            body = _body(pose, render)
        x = (body[:, 0] - centre[0]) * render.scale / render.aspect + 0.5 + render.offset[0]
        y = 0.5 + render.offset[1] - (body[:, 1] - centre[1]) * render.scale
        z = (
            (body[:, 2] - body[[_P.LEFT_HIP, _P.RIGHT_HIP], 2].mean())
            * render.scale
            / render.aspect
        )
        if render.jitter > 0:
            x = x + rng.normal(0.0, render.jitter)
            y = y + rng.normal(0.0, render.jitter)
        if render.noise > 0:
            x = x + rng.normal(0.0, render.noise, NUM_LANDMARKS)
            y = y + rng.normal(0.0, render.noise, NUM_LANDMARKS)
            z = z + rng.normal(0.0, render.noise, NUM_LANDMARKS)
        vis = rng.uniform(0.9, 1.0, NUM_LANDMARKS)
        outside = (x < 0.0) | (x > 1.0) | (y < 0.0) | (y > 1.0)
        vis[outside] = rng.uniform(0.02, 0.2, int(outside.sum()))
        drift += rng.normal(0.0, 0.004, drift.shape)
        for occlusion in render.occlusions:
            if occlusion.start_s <= t < occlusion.end_s:
                idx = sorted(occlusion.landmarks)
                vis[idx] = occlusion.visibility
                # The model still guesses a position for a hidden joint, and guesses badly.
                x[idx] += drift[idx, 0]
                y[idx] += drift[idx, 1]
        if render.drop_rate > 0 and rng.random() < render.drop_rate:
            frames.append(LandmarkFrame(t_s=t, landmarks=None, aspect=render.aspect))
            continue
        marks = tuple(map(Landmark._make, np.stack([x, y, z, vis], axis=1).tolist()))
        frames.append(LandmarkFrame(t_s=t, landmarks=marks, aspect=render.aspect))
    return Synthetic(frames, reps, holds, render.fps, duration)


def _timeline(
    script: Script, render: Render
) -> tuple[list[tuple[float, float]], tuple[ExpectedRep, ...], tuple[ExpectedHold, ...]]:
    """Per step: (time it arrives at its pose, time its hold ends), relative to the lead-in."""
    times: list[tuple[float, float]] = []
    t = 0.0
    for step in script.steps:
        arrive = t + step.move_s / render.speed
        t = arrive + step.hold_s
        times.append((arrive, t))
    lead = render.lead_in_s
    reps: list[ExpectedRep] = []
    holds: list[ExpectedHold] = []
    for index, mark in enumerate(script.marks):
        start = times[mark.first - 1][1] if mark.first > 0 else 0.0
        reps.append(ExpectedRep(index, mark.side, start + lead, times[mark.last][0] + lead))
        if mark.hold is not None:
            arrive, end = times[mark.hold]
            holds.append(ExpectedHold(mark.side, arrive + lead, end + lead))
    return times, tuple(reps), tuple(holds)


def _ease(u: float) -> float:
    return 0.5 - 0.5 * math.cos(math.pi * min(1.0, max(0.0, u)))


def _turn(a: float, b: float, u: float) -> float:
    """Interpolate an angle the short way round."""
    diff = (b - a + 180.0) % 360.0 - 180.0
    return a + diff * u


def _pose_at(script: Script, times: Sequence[tuple[float, float]], t: float) -> Pose:
    previous = script.start
    start = 0.0
    for step, (arrive, end) in zip(script.steps, times, strict=True):
        if t < arrive:
            u = _ease((t - start) / (arrive - start)) if arrive > start else 1.0
            return _blend(previous, step.pose, u)
        if t < end:
            return step.pose
        previous, start = step.pose, end
    return previous


def _blend(a: Pose, b: Pose, u: float) -> Pose:
    sa, sb = a.segments.model_dump(), b.segments.model_dump()
    segments = Segments(**{name: _turn(sa[name], sb[name], u) for name in sa})

    def lerp(p: float, q: float) -> float:
        return p + (q - p) * u

    return Pose(
        segments,
        head_yaw_deg=lerp(a.head_yaw_deg, b.head_yaw_deg),
        head_pitch_deg=lerp(a.head_pitch_deg, b.head_pitch_deg),
        shoulder_lift=lerp(a.shoulder_lift, b.shoulder_lift),
        shoulder_forward=lerp(a.shoulder_forward, b.shoulder_forward),
        pelvis_roll_deg=lerp(a.pelvis_roll_deg, b.pelvis_roll_deg),
    )


def _figure(pose: Pose, render: Render) -> dict[str, Vec3]:
    """Figure joints in body heights as 3-D points (x right, y up, depth away from camera)."""
    flat = joint_positions(pose.segments, render.view, 1.0)
    if render.proportions:
        flat = _rescale(flat, render.proportions)
    side = render.view is View.SIDE
    depth = {"l": 1.0, "r": -1.0}  # side view: the person's left is the far side
    points: dict[str, Vec3] = {}
    for name, (px, py) in flat.items():
        d = 0.0
        if side and name[-2:] in ("_l", "_r"):
            half = SHOULDER_HALF_WIDTH if name in (*_ARM_L, *_ARM_R) else HIP_HALF_WIDTH
            d = depth[name[-1]] * half
        points[name] = np.array([px, py, d])

    trunk = math.radians(pose.segments.trunk)
    along = np.array([math.cos(trunk), math.sin(trunk), 0.0])
    forward = _forward(pose.segments.trunk, render.view)
    shift = pose.shoulder_lift * along + pose.shoulder_forward * forward
    for name in (*_ARM_L, *_ARM_R):
        points[name] = points[name] + shift
    if pose.pelvis_roll_deg:
        # Rolling the pelvis about the trunk lifts one hip towards "up from the back".
        normal = np.array([-math.sin(trunk), math.cos(trunk), 0.0])
        if normal[1] < 0:
            normal = -normal
        rise = HIP_HALF_WIDTH * math.sin(math.radians(pose.pelvis_roll_deg)) * normal
        for name in _LEG_L:
            points[name] = points[name] + rise
        for name in _LEG_R:
            points[name] = points[name] - rise
    return points


def _rescale(
    flat: dict[str, tuple[float, float]], proportions: Mapping[str, float]
) -> dict[str, tuple[float, float]]:
    out: dict[str, tuple[float, float]] = {"hip": flat["hip"]}
    for name in ("neck", "head", *_ARM_L, *_ARM_R, *_LEG_L, *_LEG_R):
        parent, segment = _PARENT[name]
        factor = proportions.get(segment, 1.0) if segment else 1.0
        dx, dy = flat[name][0] - flat[parent][0], flat[name][1] - flat[parent][1]
        out[name] = (out[parent][0] + dx * factor, out[parent][1] + dy * factor)
    return out


def _forward(trunk_deg: float, view: View) -> Vec3:
    """The direction the chest faces."""
    if view is View.FRONT:
        return np.array([0.0, 0.0, -1.0])
    rad = math.radians(trunk_deg - 90.0)
    return np.array([math.cos(rad), math.sin(rad), 0.0])


def _body(pose: Pose, render: Render) -> npt.NDArray[np.float64]:
    """All 33 landmarks in body heights: x right, y up, depth away from the camera."""
    joints = _figure(pose, render)
    out = np.zeros((NUM_LANDMARKS, 3))
    for landmark, name in _FIGURE_JOINT.items():
        out[landmark] = joints[name]
    _place_face(out, joints, pose, render.view)
    _place_hands(out, joints, render.view)
    _place_feet(out, joints, render.view)
    return out


def _rotate(v: Vec3, axis: Vec3, deg: float) -> Vec3:
    """Rodrigues rotation of ``v`` about the unit ``axis``."""
    if deg == 0.0:
        return v
    rad = math.radians(deg)
    c, s = math.cos(rad), math.sin(rad)
    ax, ay, az = axis.tolist()
    vx, vy, vz = v.tolist()
    cross = np.array([ay * vz - az * vy, az * vx - ax * vz, ax * vy - ay * vx])
    rotated: Vec3 = v * c + cross * s + axis * ((ax * vx + ay * vy + az * vz) * (1.0 - c))
    return rotated


def _place_face(
    out: npt.NDArray[np.float64], joints: Mapping[str, Vec3], pose: Pose, view: View
) -> None:
    centre = joints["head"]
    up = centre - joints["neck"]
    up = up / (np.linalg.norm(up) or 1.0)
    in_plane = np.array([up[1], -up[0], 0.0])  # up turned 90 degrees clockwise on screen
    if view is View.FRONT:
        forward, left = np.array([0.0, 0.0, -1.0]), in_plane
    else:
        forward, left = in_plane, np.array([0.0, 0.0, 1.0])
    # Turn (about the neck's axis), then nod (about the ear-to-ear axis).
    # Signs: both views share handedness (left x up = backwards), so one rule fits both.
    forward = _rotate(forward, up, -pose.head_yaw_deg)
    left = _rotate(left, up, -pose.head_yaw_deg)
    forward_n = _rotate(forward, left, pose.head_pitch_deg)
    up_n = _rotate(up, left, pose.head_pitch_deg)
    for landmark, (f, u, s) in _FACE.items():
        out[landmark] = centre + HEAD_RADIUS * (f * forward_n + u * up_n + s * left)


def _place_hands(out: npt.NDArray[np.float64], joints: Mapping[str, Vec3], view: View) -> None:
    for side, sign in (("l", 1.0), ("r", -1.0)):
        wrist, elbow = joints[f"wrist_{side}"], joints[f"elbow_{side}"]
        along = wrist - elbow
        along = along / (np.linalg.norm(along) or 1.0)
        across = np.array([-along[1], along[0], 0.0]) * sign
        left = side == "l"
        out[_P.LEFT_INDEX if left else _P.RIGHT_INDEX] = wrist + 0.075 * along + 0.01 * across
        out[_P.LEFT_PINKY if left else _P.RIGHT_PINKY] = wrist + 0.065 * along - 0.02 * across
        out[_P.LEFT_THUMB if left else _P.RIGHT_THUMB] = wrist + 0.04 * along + 0.03 * across
    del view  # hands look alike from both views at this level of detail


def _place_feet(out: npt.NDArray[np.float64], joints: Mapping[str, Vec3], view: View) -> None:
    for side in ("l", "r"):
        ankle, knee = joints[f"ankle_{side}"], joints[f"knee_{side}"]
        shin = ankle - knee
        shin = shin / (np.linalg.norm(shin) or 1.0)
        if view is View.FRONT:
            forward = np.array([0.0, 0.0, -1.0])
        else:
            forward = np.array([-shin[1], shin[0], 0.0])  # the shin turned 90 degrees anticlockwise
        left = side == "l"
        out[_P.LEFT_HEEL if left else _P.RIGHT_HEEL] = ankle + 0.03 * shin - 0.035 * forward
        out[_P.LEFT_FOOT_INDEX if left else _P.RIGHT_FOOT_INDEX] = (
            ankle + 0.04 * shin + 0.11 * forward
        )


def landmark_set(names: Iterable[str]) -> frozenset[int]:
    """Landmark indices by body part: ``landmark_set(["knee", "ankle"])`` gives both sides.

    Parts: face, shoulder, elbow, wrist, hand, hip, knee, ankle, foot, or any
    ``PoseLandmark`` name such as ``LEFT_KNEE``.
    """
    groups: dict[str, tuple[int, ...]] = {
        "face": tuple(range(0, 11)),
        "shoulder": (_P.LEFT_SHOULDER, _P.RIGHT_SHOULDER),
        "elbow": (_P.LEFT_ELBOW, _P.RIGHT_ELBOW),
        "wrist": (_P.LEFT_WRIST, _P.RIGHT_WRIST),
        "hand": tuple(range(15, 23)),
        "hip": (_P.LEFT_HIP, _P.RIGHT_HIP),
        "knee": (_P.LEFT_KNEE, _P.RIGHT_KNEE),
        "ankle": (_P.LEFT_ANKLE, _P.RIGHT_ANKLE),
        "foot": tuple(range(27, 33)),
    }
    out: set[int] = set()
    for name in names:
        if name in groups:
            out.update(groups[name])
        else:
            out.add(int(PoseLandmark[name.upper()]))
    return frozenset(out)
