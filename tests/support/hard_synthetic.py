"""Harder synthetic recordings: any camera angle, a real lens, BlazePose-like noise, drifting tempo.

Built on ``tests.support.synthetic`` (its scripts and stick figure): a script
is rendered there without noise, seen from the side (the body's depth is
known), and then filmed again here:

- **camera**: turned about the vertical axis by ``azimuth_deg`` (0 = side
  view, 90 = front view) and raised by ``elevation_deg``, with perspective
  (``distance`` in image heights) and radial lens distortion (``distortion``:
  barrel below 0, pincushion above);
- **pose-model noise**: per-landmark jitter that is correlated from frame to
  frame (AR(1) with ``NOISE_CORRELATION``), three times larger on landmarks the
  model sees badly, a whole-body shake, short glitches where one limb jumps,
  and dropped frames in bursts. The default sizes are what BlazePose gives on
  the shared real clips (see ``NOISE_TYPICAL`` and ``NOISE_HARD``);
- **tempo**: the script is played faster or slower over time (``drift``: the
  speed at the end relative to the start, minus one; ``wobble``: a slow
  random change of speed), rep times follow;
- **per-frame normalisation** (``normalise``): x and y min-max normalised per
  frame over all 33 landmarks, as in the third-party recordings the generic
  counter is judged on.

The exercise library (:data:`EXERCISES`) scripts gym and floor exercises the
way people do them: squats, push-ups, alternating lunges, front raises, bench
presses, sit-ups, pull-ups, rope push-downs, a high-knee march and bird-dogs.
:func:`suite` draws a varied set of recordings from it (camera, noise, tempo,
reps, pauses, partial reps), the same for every call with the same seed.

Everything is pure: randomness comes only from the seeds.

Example:
    >>> clip = film(EXERCISES["squat"].script(10), Filming(camera=Camera(azimuth_deg=60)))
    >>> len(clip.reps)
    10
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Final

import numpy as np
import numpy.typing as npt

from backcoach.content.models import Segments, View
from backcoach.vision.landmarks import NUM_LANDMARKS, Landmark, LandmarkFrame
from tests.support.synthetic import (
    ExpectedRep,
    Pose,
    Render,
    Script,
    Step,
    Synthetic,
    alternating,
    generate,
    repetitions,
    still,
)

Array = npt.NDArray[np.float64]

#: Per-landmark pose-model jitter in body heights (white-noise equivalent, from second
#: differences), measured on the shared clips' BlazePose output: the median clip
#: (bridges, bird-dogs, side bend: 0.0001-0.0007) and the noisiest ones (the
#: WorkoutTracker push-ups and squats, the kaiakol squat: 0.0015-0.0043).
NOISE_TYPICAL: Final = 0.0007
NOISE_HARD: Final = 0.004
#: Lag-1 correlation of that jitter (median over all tracks of the clips: 0.49).
NOISE_CORRELATION: Final = 0.5
#: Landmarks seen badly (visibility below 0.5) jitter about this many times more.
LOW_VISIBILITY_FACTOR: Final = 3.0


@dataclass(frozen=True)
class Camera:
    """Where the camera stands and what lens it has (see the module docstring)."""

    azimuth_deg: float = 0.0
    elevation_deg: float = 0.0
    distance: float = 3.0
    distortion: float = 0.0


@dataclass(frozen=True)
class Noise:
    """How imperfect the pose model is; sizes in body heights, rates per frame."""

    jitter: float = NOISE_TYPICAL
    shake: float = 0.0
    glitch_rate: float = 0.0
    drop_rate: float = 0.0
    drop_run: float = 3.0


@dataclass(frozen=True)
class Tempo:
    """How the speed changes over the recording (0 and 0: as scripted)."""

    drift: float = 0.0
    wobble: float = 0.0


@dataclass(frozen=True)
class Filming:
    """All the ways a recording differs from the clean script."""

    camera: Camera = field(default_factory=Camera)
    noise: Noise = field(default_factory=Noise)
    tempo: Tempo = field(default_factory=Tempo)
    normalise: bool = False
    fps: float = 30.0
    aspect: float = 16 / 9
    lead_in_s: float = 1.0
    seed: int = 0


# --------------------------------------------------------------------------- exercises


def _segments(**angles: float) -> Segments:
    base = dict.fromkeys(Segments.model_fields, -90.0)
    base.update(trunk=90.0, head=90.0)
    base.update(angles)
    return Segments(**base)


STAND = Pose(_segments())
SQUAT_DOWN = Pose(
    _segments(trunk=55, head=70, upper_arm_l=0, forearm_l=0, upper_arm_r=0, forearm_r=0,
              thigh_l=-15, shin_l=-115, thigh_r=-15, shin_r=-115)
)  # fmt: skip
PUSH_TOP = Pose(
    _segments(trunk=12, head=15, upper_arm_l=-90, forearm_l=-90, upper_arm_r=-90,
              forearm_r=-90, thigh_l=192, shin_l=192, thigh_r=192, shin_r=192)
)  # fmt: skip
PUSH_DOWN = PUSH_TOP.with_segments(
    trunk=4, head=8, upper_arm_l=215, forearm_l=-70, upper_arm_r=215, forearm_r=-70,
    thigh_l=184, shin_l=184, thigh_r=184, shin_r=184,
)  # fmt: skip
LUNGE_LEFT = Pose(_segments(thigh_l=-5, shin_l=-95, thigh_r=-125, shin_r=185))
FRONT_RAISE = STAND.with_segments(upper_arm_l=-5, forearm_l=-5, upper_arm_r=-5, forearm_r=-5)
BENCH_TOP = Pose(
    _segments(trunk=180, head=175, upper_arm_l=90, forearm_l=90, upper_arm_r=90, forearm_r=90,
              thigh_l=0, shin_l=-90, thigh_r=0, shin_r=-90)
)  # fmt: skip
BENCH_DOWN = BENCH_TOP.with_segments(upper_arm_l=-70, forearm_l=95, upper_arm_r=-70, forearm_r=95)
SIT_DOWN = Pose(
    _segments(trunk=178, head=178, upper_arm_l=178, forearm_l=178, upper_arm_r=178,
              forearm_r=178, thigh_l=45, shin_l=-45, thigh_r=45, shin_r=-45)
)  # fmt: skip
SIT_UP = SIT_DOWN.with_segments(
    trunk=80, head=75, upper_arm_l=20, forearm_l=20, upper_arm_r=20, forearm_r=20
)
HANG = Pose(_segments(upper_arm_l=92, forearm_l=92, upper_arm_r=88, forearm_r=88))
PULL_TOP = HANG.with_segments(
    upper_arm_l=-40, forearm_l=95, upper_arm_r=-40, forearm_r=95, thigh_l=-80, thigh_r=-80
)
PUSHDOWN_TOP = STAND.with_segments(upper_arm_l=-80, forearm_l=40, upper_arm_r=-80, forearm_r=40)
PUSHDOWN_BOTTOM = STAND.with_segments(
    upper_arm_l=-85, forearm_l=-80, upper_arm_r=-85, forearm_r=-80
)
KNEE_UP = STAND.with_segments(thigh_l=-5, shin_l=-95)
FOURS = Pose(_segments(trunk=0, head=10, shin_l=180, shin_r=180))
BIRD_REACH = FOURS.with_segments(upper_arm_l=0, forearm_l=0, thigh_r=180, shin_r=180)


@dataclass(frozen=True)
class Exercise:
    """How to script ``n`` reps of one exercise (``n`` in all, sides alternating if so)."""

    name: str
    script: Callable[[int], Script]
    rest: Pose
    far: Pose
    alternating: bool = False


def _bilateral(name: str, rest: Pose, far: Pose, move_s: float, rest_s: float) -> Exercise:
    def script(n: int) -> Script:
        return repetitions(rest, far, n, move_s=move_s, rest_s=rest_s)

    return Exercise(name, script, rest, far)


def _alternate(name: str, rest: Pose, left: Pose, move_s: float, rest_s: float) -> Exercise:
    def script(n: int) -> Script:
        both = alternating(rest, left, (n + 1) // 2, move_s=move_s, rest_s=rest_s)
        if n % 2:  # an odd count ends after a left rep
            steps = both.steps[: len(both.steps) - 2]
            return Script(both.start, steps, both.marks[:n])
        return both

    return Exercise(name, script, rest, left, alternating=True)


#: Exercises by name; each rep is one out-and-back movement (one side's, when alternating).
EXERCISES: Final[dict[str, Exercise]] = {
    e.name: e
    for e in (
        _bilateral("squat", STAND, SQUAT_DOWN, 0.9, 0.3),
        _bilateral("push-up", PUSH_TOP, PUSH_DOWN, 0.7, 0.1),
        _alternate("lunge", STAND, LUNGE_LEFT, 0.9, 0.4),
        _bilateral("front-raise", STAND, FRONT_RAISE, 1.0, 0.2),
        _bilateral("bench-press", BENCH_TOP, BENCH_DOWN, 0.9, 0.2),
        _bilateral("sit-up", SIT_DOWN, SIT_UP, 1.0, 0.3),
        _bilateral("pull-up", HANG, PULL_TOP, 1.0, 0.3),
        _bilateral("rope-push-down", PUSHDOWN_TOP, PUSHDOWN_BOTTOM, 0.7, 0.2),
        _alternate("high-knee-march", STAND, KNEE_UP, 0.45, 0.05),
        _alternate("bird-dog", FOURS, BIRD_REACH, 1.0, 0.8),
    )
}


def with_pauses(exercise: Exercise, sets: int, reps: int, pause_s: float) -> Script:
    """``sets`` sets of ``reps`` with ``pause_s`` seconds still at rest between them."""
    script = exercise.script(reps)
    for _ in range(sets - 1):
        script = script + still(exercise.rest, pause_s) + exercise.script(reps)
    return script


def _blend(a: Pose, b: Pose, u: float) -> Pose:
    sa, sb = a.segments.model_dump(), b.segments.model_dump()
    return Pose(Segments(**{k: sa[k] + (sb[k] - sa[k]) * u for k in sa}))


def with_partial_reps(exercise: Exercise, reps: int, start: float, end: float) -> Script:
    """``reps`` full reps, after starting ``start`` of the way back from the far end
    and before going ``end`` of the way out again (neither partial rep is a rep)."""
    body = exercise.script(reps)
    opening = Script(_blend(exercise.rest, exercise.far, start))
    closing = Script(exercise.rest, (Step(_blend(exercise.rest, exercise.far, end), 0.6),))
    return opening + body + closing


# --------------------------------------------------------------------------- filming


def film(script: Script, filming: Filming | None = None) -> Synthetic:
    """Render ``script`` through ``filming``: camera, lens, noise, tempo, normalisation.

    Returns the frames and the expected reps (times follow the tempo).
    """
    filming = filming or Filming()
    base = generate(
        script,
        Render(
            view=View.SIDE,
            fps=filming.fps,
            aspect=1.0,
            lead_in_s=filming.lead_in_s,
            seed=filming.seed,
        ),
    )
    rng = np.random.default_rng(filming.seed + 1)
    source_t, output_t = _tempo_map(base.duration_s, filming.tempo, rng)
    points = np.array(
        [
            [(p.x, p.y, p.z, p.visibility) for p in f.landmarks]
            if f.landmarks
            else np.zeros((NUM_LANDMARKS, 4))
            for f in base.frames
        ]
    )
    n_out = math.floor(output_t[-1] * filming.fps) + 1
    times = np.arange(n_out) / filming.fps
    picks = np.clip(
        np.rint(np.interp(times, output_t, source_t) * base.fps).astype(int), 0, len(points) - 1
    )
    xy = _project(points[picks, :, :3], filming.camera)
    visibility = points[picks, :, 3]
    xy = xy + _model_noise(xy, visibility, filming.noise, rng)
    xy[:, :, 0] = 0.5 + xy[:, :, 0] / filming.aspect
    xy[:, :, 1] = 0.5 - xy[:, :, 1]
    dropped = _dropouts(n_out, filming.noise, rng)
    frames = []
    for i, t in enumerate(times.tolist()):
        if dropped[i]:
            frames.append(LandmarkFrame(t, None, filming.aspect))
            continue
        x, y = xy[i, :, 0], xy[i, :, 1]
        if filming.normalise:
            x = (x - x.min()) / max(float(np.ptp(x)), 1e-9)
            y = (y - y.min()) / max(float(np.ptp(y)), 1e-9)
        marks = tuple(
            Landmark(a, b, c, v)
            for a, b, c, v in zip(
                x.tolist(),
                y.tolist(),
                points[picks[i], :, 2].tolist(),
                visibility[i].tolist(),
                strict=True,
            )
        )
        aspect = 1.0 if filming.normalise else filming.aspect
        frames.append(LandmarkFrame(t, marks, aspect))

    def to_output(s: float) -> float:
        return float(np.interp(s, source_t, output_t))

    reps = tuple(
        ExpectedRep(r.index, r.side, to_output(r.start_s), to_output(r.end_s)) for r in base.reps
    )
    return Synthetic(frames, reps, (), filming.fps, float(times[-1]) + 1 / filming.fps)


def _tempo_map(duration: float, tempo: Tempo, rng: np.random.Generator) -> tuple[Array, Array]:
    """Matching source (script) and output (recording) times for the tempo's speed."""
    step = 0.01
    out = np.arange(0.0, 4 * duration + step, step)
    phase = rng.uniform(0, 2 * math.pi)
    progress = np.clip(out / max(duration, 1e-9), 0.0, 1.0)
    speed = 1.0 + tempo.drift * progress + tempo.wobble * np.sin(2 * math.pi * out / 9.0 + phase)
    source = np.concatenate(([0.0], np.cumsum(np.maximum(speed, 0.3))[:-1] * step))
    end = int(np.searchsorted(source, duration)) + 1
    return source[:end], out[:end]


def _project(points: Array, camera: Camera) -> Array:
    """Side-view landmarks (normalised, y down, z depth) seen through ``camera``.

    Returns x (right) and y (up) in image heights around the image centre.
    """
    x = points[:, :, 0] - 0.5
    y = 0.5 - points[:, :, 1]
    z = points[:, :, 2]
    centre_x, centre_y = float(x.mean()), float(y.mean())
    x, y = x - centre_x, y - centre_y
    a, e = math.radians(camera.azimuth_deg), math.radians(camera.elevation_deg)
    x, z = x * math.cos(a) + z * math.sin(a), -x * math.sin(a) + z * math.cos(a)
    y, z = y * math.cos(e) - z * math.sin(e), y * math.sin(e) + z * math.cos(e)
    depth = camera.distance / (camera.distance + z)
    x, y = x * depth, y * depth
    r2 = (x * x + y * y) / 0.25
    factor = 1.0 + camera.distortion * r2
    return np.stack([x * factor, y * factor], axis=2)


def _model_noise(xy: Array, visibility: Array, noise: Noise, rng: np.random.Generator) -> Array:
    """Correlated per-landmark jitter, body shake and limb glitches (image heights)."""
    frames = len(xy)
    height = float(np.median(np.ptp(xy[:, :, 1], axis=1))) or 1.0
    scale = np.where(visibility < 0.5, LOW_VISIBILITY_FACTOR, 1.0)[:, :, None]
    rho = NOISE_CORRELATION
    white = rng.normal(0.0, 1.0, xy.shape)
    jitter = np.empty_like(white)
    jitter[0] = white[0]
    for i in range(1, frames):
        jitter[i] = rho * jitter[i - 1] + math.sqrt(1 - rho * rho) * white[i]
    out = jitter * scale * noise.jitter * height
    if noise.shake > 0:
        out += rng.normal(0.0, noise.shake * height, (frames, 1, 2))
    if noise.glitch_rate > 0:
        for i in np.flatnonzero(rng.random(frames) < noise.glitch_rate).tolist():
            limb = int(rng.integers(11, 29))
            length = int(rng.integers(1, 4))
            out[i : i + length, limb] += rng.normal(0.0, 0.15 * height, 2)
    noisy: Array = out
    return noisy


def _dropouts(frames: int, noise: Noise, rng: np.random.Generator) -> npt.NDArray[np.bool_]:
    """Frames with no pose, in bursts of ``drop_run`` frames on average."""
    dropped = np.zeros(frames, dtype=bool)
    if noise.drop_rate <= 0:
        return dropped
    start = noise.drop_rate / noise.drop_run
    i = 0
    while i < frames:
        if rng.random() < start:
            length = int(rng.geometric(1 / noise.drop_run))
            dropped[i : i + length] = True
            i += length
        i += 1
    return dropped


# --------------------------------------------------------------------------- suites


@dataclass(frozen=True)
class Case:
    """One recording of a suite and its true count."""

    name: str
    exercise: str
    clip: Synthetic

    @property
    def reps(self) -> int:
        return len(self.clip.reps)


def suite(count: int, *, seed: int = 0, normalise: bool = True) -> list[Case]:
    """``count`` varied recordings: exercises in turn, everything else drawn at random.

    Cameras from side to front and 20 degrees below to 35 above, barrel or
    pincushion lenses, typical to hard noise with glitches and dropped bursts,
    3 to 30 reps at drifting tempo, sometimes two sets with a pause, sometimes
    partial reps at the ends; per-frame normalised unless ``normalise`` is False.
    """
    rng = np.random.default_rng(seed)
    names = sorted(EXERCISES)
    cases = []
    for i in range(count):
        exercise = EXERCISES[names[i % len(names)]]
        reps = int(rng.choice([3, 5, 8, 12, 20, 30]))
        shape = rng.choice(["plain", "pauses", "partial"])
        if shape == "pauses" and reps >= 6:
            script = with_pauses(exercise, 2, reps // 2, float(rng.uniform(3, 10)))
        elif shape == "partial":
            script = with_partial_reps(
                exercise, reps, float(rng.uniform(0.1, 0.45)), float(rng.uniform(0.1, 0.45))
            )
        else:
            script = exercise.script(reps)
        filming = Filming(
            camera=Camera(
                azimuth_deg=float(rng.uniform(-90, 90)),
                elevation_deg=float(rng.uniform(-20, 35)),
                distance=float(rng.uniform(2.0, 6.0)),
                distortion=float(rng.uniform(-0.15, 0.1)),
            ),
            noise=Noise(
                jitter=float(rng.uniform(NOISE_TYPICAL, NOISE_HARD)),
                shake=float(rng.uniform(0.0, 0.003)),
                glitch_rate=float(rng.uniform(0.0, 0.02)),
                drop_rate=float(rng.uniform(0.0, 0.08)),
            ),
            tempo=Tempo(drift=float(rng.uniform(-0.3, 0.4)), wobble=float(rng.uniform(0, 0.2))),
            normalise=normalise,
            fps=float(rng.choice([24.0, 30.0, 60.0])),
            lead_in_s=float(rng.uniform(0.3, 1.5)),
            seed=int(rng.integers(1_000_000)),
        )
        clip = film(replace(script), filming)
        cases.append(Case(f"{exercise.name}-{i}", exercise.name, clip))
    return cases


def normalised(frames: list[LandmarkFrame]) -> list[LandmarkFrame]:
    """Each frame min-max normalised per axis, as in the third-party recordings."""
    out = []
    for frame in frames:
        if frame.landmarks is None:
            out.append(frame)
            continue
        points = np.array(frame.landmarks)
        low, high = points[:, :2].min(axis=0), points[:, :2].max(axis=0)
        points[:, :2] = (points[:, :2] - low) / (high - low)
        out.append(LandmarkFrame(frame.t_s, tuple(map(Landmark._make, points.tolist()))))
    return out
