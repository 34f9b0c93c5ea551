"""The exercise-agnostic counter on hard synthetic recordings with exactly known reps.

Recordings come from ``tests.support.hard_synthetic``: cameras at odd angles,
lens distortion, BlazePose-like correlated jitter, glitches and dropped frames,
drifting tempo, and per-frame min-max normalisation.
"""

from __future__ import annotations

import functools
from dataclasses import replace

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from backcoach.content.models import View
from backcoach.vision.analyzers import Feedback, get_analyzer
from backcoach.vision.generic import GenericAnalyzer, GenericResult
from backcoach.vision.generic_signal import periodicity, pose_features
from backcoach.vision.landmarks import Landmark, LandmarkFrame
from tests.support.hard_synthetic import (
    EXERCISES,
    NOISE_HARD,
    NOISE_TYPICAL,
    Camera,
    Filming,
    Noise,
    Tempo,
    film,
    normalised,
    with_partial_reps,
    with_pauses,
)
from tests.support.synthetic import Render, Script, Synthetic, generate, still
from tests.unit.test_analyzers_synthetic import BENT, CASES, standard_clip

#: A realistic, awkward filming: three-quarter view from above, barrel lens, a pose model
#: as noisy as on the noisiest shared clip, with glitches and dropped frames, tempo drifting.
AWKWARD = Filming(
    camera=Camera(azimuth_deg=50, elevation_deg=20, distance=2.5, distortion=-0.1),
    noise=Noise(jitter=NOISE_HARD, shake=0.002, glitch_rate=0.01, drop_rate=0.03),
    tempo=Tempo(drift=0.3, wobble=0.1),
    seed=3,
)
#: The same camera with the shared clips' typical pose-model noise.
TYPICAL = replace(AWKWARD, noise=Noise(jitter=NOISE_TYPICAL, glitch_rate=0.005, drop_rate=0.01))


def run(clip: Synthetic) -> tuple[GenericResult, list[Feedback]]:
    analyzer = GenericAnalyzer()
    feedback = [analyzer.update(frame) for frame in clip.frames]
    return analyzer.result(), feedback


@functools.cache
def long_push_up_set() -> Synthetic:
    return film(EXERCISES["push-up"].script(30), AWKWARD)


def test_a_long_continuous_set_of_30_push_ups_counts_30() -> None:
    clip = long_push_up_set()
    result, feedback = run(clip)
    assert len(clip.reps) == 30
    assert result.reps == 30
    # Live, the last rep shows at the next analysis; the result also recounts the end.
    assert feedback[-1].reps >= 29
    assert result.to_json()["counting"]["per_side"] is False


def test_the_live_count_never_goes_back_and_ends_at_the_result() -> None:
    result, feedback = run(long_push_up_set())
    counts = [f.reps for f in feedback]
    assert counts == sorted(counts)
    assert result.reps - 1 <= counts[-1] <= result.reps
    assert sum(f.rep_done for f in feedback) == counts[-1]


def test_each_rep_is_counted_live_within_a_second_of_its_end() -> None:
    clip = long_push_up_set()
    _, feedback = run(clip)
    for expected in clip.reps[:-1]:  # the last one may need the result's recount
        by_then = [f.reps for f in feedback if f.t_s <= expected.end_s + 1.0]
        assert by_then[-1] >= expected.index + 1


def test_pauses_between_sets_neither_add_nor_lose_reps() -> None:
    script = with_pauses(EXERCISES["squat"], sets=3, reps=5, pause_s=8.0)
    clip = film(script, replace(TYPICAL, camera=Camera(azimuth_deg=80, elevation_deg=10)))
    result, _ = run(clip)
    assert len(clip.reps) == 15
    assert result.reps == 15


def test_alternating_lunges_count_each_side_and_say_so() -> None:
    clip = film(EXERCISES["lunge"].script(10), replace(TYPICAL, lead_in_s=1.5))
    result, _ = run(clip)
    counting = result.to_json()["counting"]
    assert result.reps == 10
    assert counting["per_side"] is True
    assert set(counting["reps_by_side"]) <= {"left", "right"}


@pytest.mark.parametrize("exercise", ["squat", "front-raise", "sit-up"])
def test_per_frame_normalised_landmarks_count_the_same(exercise: str) -> None:
    clip = film(EXERCISES[exercise].script(12), TYPICAL)
    raw, _ = run(clip)
    analyzer = GenericAnalyzer()
    for frame in normalised(clip.frames):
        analyzer.update(frame)
    assert raw.reps == analyzer.result().reps == 12


def test_hard_synthetic_normalisation_is_the_per_frame_min_max() -> None:
    clip = film(EXERCISES["squat"].script(3), replace(AWKWARD, normalise=True))
    frame = next(f for f in clip.frames if f.landmarks is not None)
    assert frame.landmarks is not None
    xs = [p.x for p in frame.landmarks]
    ys = [p.y for p in frame.landmarks]
    assert (min(xs), max(xs), min(ys), max(ys)) == pytest.approx((0, 1, 0, 1))


@pytest.mark.parametrize("exercise", ["squat", "rope-push-down"])
def test_partial_reps_at_the_start_and_end_do_not_count(exercise: str) -> None:
    script = with_partial_reps(EXERCISES[exercise], 6, start=0.4, end=0.45)
    clip = film(script, replace(TYPICAL, lead_in_s=0.0))
    result, _ = run(clip)
    assert len(clip.reps) == 6
    assert result.reps == 6


def test_standing_still_with_a_noisy_model_counts_nothing() -> None:
    clip = film(still(EXERCISES["squat"].rest, 40.0), AWKWARD)
    result, _ = run(clip)
    assert result.reps == 0


@settings(max_examples=15, deadline=None)
@given(
    shift=st.tuples(st.floats(-0.4, 0.4), st.floats(-0.4, 0.4)),
    scale=st.tuples(st.floats(0.3, 3.0), st.floats(0.3, 3.0)),
)
def test_features_do_not_change_with_translation_scale_or_stretch(
    shift: tuple[float, float], scale: tuple[float, float]
) -> None:
    frame = long_push_up_set().frames[40]
    assert frame.landmarks is not None
    moved = tuple(
        Landmark(p.x * scale[0] + shift[0], p.y * scale[1] + shift[1], p.z, p.visibility)
        for p in frame.landmarks
    )
    before = pose_features(frame)
    after = pose_features(LandmarkFrame(frame.t_s, moved, frame.aspect))
    assert before is not None and after is not None
    np.testing.assert_allclose(before, after, atol=1e-9)


def test_the_period_follows_a_drifting_tempo() -> None:
    rate = 15.0
    t = np.arange(0, 20, 1 / rate)
    # 2.0 s per cycle at the start, 1.6 s at the end (the frequency rises linearly).
    phase = 2 * np.pi * (t / 2.0 + (1 / 1.6 - 1 / 2.0) / 40 * t * t)
    period, score = periodicity(np.sin(phase) + np.sin(2 * phase) / 3, rate)
    assert 1.6 <= period <= 2.0
    assert score > 0.6


def test_noise_alone_has_no_trusted_period() -> None:
    noise = np.random.default_rng(1).normal(size=300)
    _, score = periodicity(noise, 15.0)
    assert score < 0.3


def test_the_json_says_how_it_counted() -> None:
    analyzer = get_analyzer("generic")
    for frame in film(EXERCISES["squat"].script(4), AWKWARD).frames:
        analyzer.update(frame)
    data = analyzer.result().to_json()
    assert data["reps"] == 4
    assert data["counting"]["signal"] in {"pose-1", "pose-2", "pose-3", "symmetric", "alternating"}
    assert data["counting"]["per_side"] is False
    assert data["counting"]["period_s"] == pytest.approx(2.0, rel=0.4)


# --------------------------------------------------------------------------- floor exercises

#: The seed's exercises (keyframe poses of ``test_analyzers_synthetic``) the generic counter
#: counts exactly in every filming condition there.
FLOOR = ["superman", "standing-forward-bend", "side-plank", "curl-up"]


@pytest.mark.parametrize("condition", ["clean", "noisy", "small-far", "dropped-low-fps"])
@pytest.mark.parametrize("exercise", FLOOR)
def test_floor_exercises_count_exactly(exercise: str, condition: str) -> None:
    clip = standard_clip(exercise, condition)
    result, feedback = run(clip)
    assert result.reps == len(clip.reps)
    assert feedback[-1].reps >= len(clip.reps) - 1


@pytest.mark.parametrize(
    ("exercise", "condition"),
    [("arm-circles", "clean"), ("arm-circles", "small-far"), ("neck-nods", "clean")],
)
def test_circles_and_nods_count_from_the_pose_they_start_in(exercise: str, condition: str) -> None:
    clip = standard_clip(exercise, condition)
    result, _ = run(clip)
    assert result.reps == len(clip.reps)


def test_a_recording_that_starts_at_the_far_end_does_not_count_that_half() -> None:
    # The recording starts bent forward, with no rest first: it straightens, then two reps.
    script = Script(BENT) + CASES["standing-forward-bend"].script(2)
    clip = generate(script, Render(view=View.SIDE, noise=0.002, lead_in_s=0.0, seed=1))
    result, _ = run(clip)
    assert result.reps == 2
