"""Landmark frames built from stick-figure poses, for the vision unit tests.

A pose is a set of segment directions (``content.models.Segments``: degrees,
0 = screen right, 90 = up). ``frames()`` interpolates between timed poses and
turns the figure's joints into 33 BlazePose landmarks, with optional noise,
dropped frames and hidden joints.
"""

from __future__ import annotations

import itertools
import random
from collections.abc import Iterable, Sequence

from backcoach.content.figure import joint_positions
from backcoach.content.models import Segments, View
from backcoach.vision.landmarks import Landmark, LandmarkFrame
from backcoach.vision.landmarks import PoseLandmark as P

Pose = dict[str, float]


def pose(
    trunk: float, head: float, upper_arm: float, forearm: float, thigh: float, shin: float
) -> Pose:
    """Segment directions in degrees (both sides the same)."""
    return {
        "trunk": trunk,
        "head": head,
        "upper_arm": upper_arm,
        "forearm": forearm,
        "thigh": thigh,
        "shin": shin,
    }


# --- poses (side view, facing right): trunk, head, upper arm, forearm, thigh, shin ---

STANDING = pose(90, 90, -90, -90, -90, -90)
SQUAT_BOTTOM = pose(60, 70, 0, 0, -10, -110)
BRIDGE_DOWN = pose(180, 180, 0, 0, 45, -60)
BRIDGE_UP = pose(200, 190, 0, 0, 20, -80)
PUSH_UP_TOP = pose(175, 175, -90, -90, -5, -5)
PUSH_UP_BOTTOM = pose(178, 178, -150, -30, -2, -2)
PLANK = pose(178, 178, -90, 0, -2, -2)
PLANK_SAGGING = pose(165, 170, -80, 0, 15, 0)
PRONE = pose(180, 180, 0, 0, 0, 0)
PIKE = pose(225, 230, -120, -120, -45, -45)
ARCH = pose(140, 120, -90, -90, 0, 0)


def segments(pose: Pose) -> Segments:
    return Segments(
        trunk=pose["trunk"],
        head=pose["head"],
        upper_arm_l=pose["upper_arm"],
        forearm_l=pose["forearm"],
        upper_arm_r=pose["upper_arm"],
        forearm_r=pose["forearm"],
        thigh_l=pose["thigh"],
        shin_l=pose["shin"],
        thigh_r=pose["thigh"],
        shin_r=pose["shin"],
    )


def landmarks_of(
    pose: Pose,
    *,
    view: View = View.SIDE,
    scale: float = 0.7,
    origin: tuple[float, float] = (0.5, 0.9),
    hidden: Iterable[int] = (),
) -> list[Landmark]:
    """33 landmarks for one pose; ``scale`` is body height as a fraction of the image."""
    joints = joint_positions(segments(pose), view, height=1.0)

    def at(name: str, dx: float = 0.0, dy: float = 0.0) -> tuple[float, float]:
        x, y = joints[name]
        return origin[0] + (x + dx) * scale, origin[1] - (y + dy) * scale

    head = at("head")
    face = dict.fromkeys(range(11), head)
    face[P.LEFT_EAR] = at("head", -0.02)
    face[P.RIGHT_EAR] = at("head", -0.02)
    points: dict[int, tuple[float, float]] = dict(face)
    for side, suffix in (("LEFT", "l"), ("RIGHT", "r")):
        for part in ("SHOULDER", "ELBOW", "WRIST", "HIP", "KNEE", "ANKLE"):
            points[P[f"{side}_{part}"]] = at(f"{part.lower()}_{suffix}")
        for hand in ("PINKY", "INDEX", "THUMB"):
            points[P[f"{side}_{hand}"]] = at(f"wrist_{suffix}")
        points[P[f"{side}_HEEL"]] = at(f"ankle_{suffix}", -0.02, -0.02)
        points[P[f"{side}_FOOT_INDEX"]] = at(f"ankle_{suffix}", 0.06, -0.03)
    hide = set(hidden)
    return [
        Landmark(points[i][0], points[i][1], 0.0, 0.05 if i in hide else 0.99) for i in range(33)
    ]


def _blend(a: Pose, b: Pose, w: float) -> Pose:
    return {key: a[key] + (b[key] - a[key]) * w for key in a}


def frames(
    keys: Sequence[tuple[float, Pose]],
    *,
    fps: float = 30.0,
    noise: float = 0.0,
    seed: int = 0,
    drop_every: int = 0,
    hidden: Iterable[int] = (),
    view: View = View.SIDE,
    scale: float = 0.7,
) -> list[LandmarkFrame]:
    """Frames at ``fps`` from timed key poses (linear blend between consecutive keys).

    Args:
        keys: ``(time_s, pose)`` in time order; the pose holds after the last key.
        noise: standard deviation of position noise, in image fractions.
        drop_every: every n-th frame has no pose (0: none dropped).
        hidden: landmark indices reported with low visibility in every frame.
    """
    rng = random.Random(seed)
    end = keys[-1][0]
    result = []
    for index in range(int(end * fps) + 1):
        t = index / fps
        if drop_every and index % drop_every == drop_every - 1:
            result.append(LandmarkFrame(t, None))
            continue
        for (t0, p0), (t1, p1) in itertools.pairwise(keys):
            if t0 <= t <= t1:
                pose = _blend(p0, p1, (t - t0) / (t1 - t0) if t1 > t0 else 1.0)
                break
        else:
            pose = keys[-1][1]
        marks = landmarks_of(pose, view=view, scale=scale, hidden=hidden)
        if noise:
            marks = [
                m._replace(x=m.x + rng.gauss(0, noise), y=m.y + rng.gauss(0, noise)) for m in marks
            ]
        result.append(LandmarkFrame(t, tuple(marks)))
    return result


def cycle(
    rest: Pose,
    active: Pose,
    *,
    reps: int,
    move_s: float = 0.6,
    hold_s: float = 0.5,
    rest_s: float = 1.0,
) -> list[tuple[float, Pose]]:
    """Key poses for ``reps`` repetitions rest -> active (held) -> rest."""
    keys = [(0.0, rest)]
    t = rest_s
    keys.append((t, rest))
    for _ in range(reps):
        keys += [(t + move_s, active), (t + move_s + hold_s, active)]
        t += 2 * move_s + hold_s
        keys += [(t, rest), (t + rest_s, rest)]
        t += rest_s
    return keys
