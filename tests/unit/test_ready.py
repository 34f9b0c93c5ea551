"""Ready gating: nothing counts until the start position was held (every analyzer, both paths)."""

from __future__ import annotations

import pytest

from backcoach.content import default_catalog
from backcoach.services.live_coach import LiveCoach
from backcoach.vision.analyzers import available, get_analyzer
from backcoach.vision.analyzers.base import Guided
from backcoach.vision.framing import GET_READY_HINT, READY_HINT
from backcoach.vision.landmarks import LandmarkFrame
from backcoach.vision.pipeline import run_analyzer
from backcoach.vision.view import NO_PERSON_HINT
from tests.support.synthetic import Render, generate, keyframe_script

from .vision_factories import SQUAT_BOTTOM, STANDING, cycle, frames


def walking_in_then_squats(squats: int) -> list[LandmarkFrame]:
    """A person who dips while walking into place, stands a moment, then squats."""
    walk = frames([(0.0, STANDING), (0.5, SQUAT_BOTTOM), (1.0, STANDING), (1.2, STANDING)])
    walking = []
    for frame in walk:
        assert frame.landmarks is not None
        dx = 0.3 * (frame.t_s / 1.2 - 1.0)  # arrives at its place at 1.2 s
        walking.append(
            LandmarkFrame(frame.t_s, tuple(m._replace(x=m.x + dx) for m in frame.landmarks))
        )
    start = walking[-1].t_s + 1 / 30
    set_ = frames(cycle(STANDING, SQUAT_BOTTOM, reps=squats))
    return [*walking, *(LandmarkFrame(start + f.t_s, f.landmarks) for f in set_)]


def test_a_dip_while_getting_into_position_does_not_count() -> None:
    stream = walking_in_then_squats(2)
    assert run_analyzer(stream, get_analyzer("squat")).reps == 2
    bare = get_analyzer("squat")
    for frame in stream:
        bare.update(frame)
    assert bare.result().reps == 3  # the analyzer alone counts the dip


def test_the_person_hears_get_into_position_then_ready() -> None:
    guided = Guided(get_analyzer("squat"))
    replies = [guided.update(frame) for frame in walking_in_then_squats(1)]
    waiting = [r for r in replies if not r.ready]
    assert waiting and all(r.reps == 0 for r in waiting)
    assert GET_READY_HINT in {r.hint for r in waiting}
    first_ready = next(i for i, r in enumerate(replies) if r.ready)
    assert replies[first_ready].hint == READY_HINT
    assert replies[first_ready].to_message()["ready"] is True
    assert replies[-1].reps == 1 and replies[-1].hint is None


@pytest.mark.parametrize("exercise", available())
def test_every_analyzer_waits_for_the_person(exercise: str) -> None:
    guided = Guided(get_analyzer(exercise))
    replies = [guided.update(LandmarkFrame(i / 30, None)) for i in range(60)]
    assert not any(r.ready for r in replies)
    assert replies[-1].hint == NO_PERSON_HINT
    assert guided.result().reps == 0


def _keyframe_cases() -> list[str]:
    catalog = default_catalog()
    return [e for e in available() if e in catalog.exercises]


@pytest.mark.parametrize("exercise", _keyframe_cases())
def test_starting_from_rest_the_gate_costs_no_rep(exercise: str) -> None:
    """Reps from the exercise's own keyframes after a second at rest count as without the gate."""
    info = default_catalog().exercise(exercise)
    clip = generate(keyframe_script(info, 3), Render(view=info.camera.view, noise=0.002, seed=5))
    bare = get_analyzer(exercise)
    for frame in clip.frames:
        bare.update(frame)
    guided = run_analyzer(clip.frames, get_analyzer(exercise))
    assert guided.reps == bare.result().reps


def test_the_live_coach_applies_the_same_gate() -> None:
    coach = LiveCoach.for_exercise("squat")
    replies = [coach.feed(frame) for frame in walking_in_then_squats(2)]
    assert replies[-1].reps == 2
    assert any(coach.message(r)["hint"] == GET_READY_HINT for r in replies)


def test_an_analyzer_that_recounts_its_recording_keeps_its_count() -> None:
    """The generic counter counts the whole recording again at the end: those reps stand."""
    info = default_catalog().exercise("squat")
    clip = generate(keyframe_script(info, 6), Render(view=info.camera.view, noise=0.002, seed=7))
    bare = get_analyzer("generic")
    for frame in clip.frames:
        bare.update(frame)
    expected = bare.result()
    guided = run_analyzer(clip.frames, get_analyzer("generic"))
    assert expected.reps >= 5
    assert guided.reps == expected.reps
    assert guided.to_json()["counting"] == expected.to_json()["counting"]  # its own fields kept
