"""The figure follows the moment: the pose chosen for every exercise at every activity.

Each exercise is run through the real engine at its default dose (two sets, so
there is a rest) and the pose is checked at every state the session passes
through, against the keyframe names read from the YAML by hand.
"""

from __future__ import annotations

import re
from dataclasses import replace
from functools import cache

import pytest

from backcoach.coach.engine import (
    Activity,
    RepDone,
    SessionEngine,
    SessionState,
    Side,
    Start,
    Status,
    Tick,
)
from backcoach.coach.plan import SessionPlan, default_step
from backcoach.coach.pose import Pose, choose_pose, keyframe_side, mirrored_name
from backcoach.content import Catalog, Exercise, Length, default_catalog


@cache
def catalog() -> Catalog:
    return default_catalog()


ALL_IDS = sorted(catalog().exercises)

# What the figure shows, by exercise: "start" (before the start, getting ready,
# resting), "work" (moving into a held rep, holding, counting reps at one's own
# pace, breathing in and holding the breath), "out" (breathing out). A dict
# gives the name per side of a per-side exercise.
START, WORK = "start", "work"
EXPECTED: dict[str, dict[str, str | dict[Side, str]]] = {
    "arm-circles": {START: "arms out at shoulder height", WORK: "top of the circle"},
    "bird-dog": {
        START: "all fours",
        WORK: {
            Side.LEFT: "left arm and right leg reaching",
            Side.RIGHT: "right arm and left leg reaching",
        },
    },
    "curl-up": {
        START: "lying, one knee bent, hands under the lower back",
        WORK: "head and shoulders lifted",
    },
    "deep-breathing": {
        START: "standing tall, hands on belly",
        WORK: "breath in, belly widens, short pause",
        "out": "slow breath out, belly softens",
    },
    "glute-bridge": {START: "lying, knees bent", WORK: "hips lifted"},
    "high-knee-march": {START: "standing tall", WORK: "standing tall"},
    "jog-to-walk": {START: "light jog", WORK: "light jog"},
    "neck-nods": {START: "looking ahead", WORK: "chin toward chest"},
    "neck-turns": {START: "looking ahead", WORK: "turned to the left"},
    "overhead-side-bend": {
        START: "upright, hands clasped overhead",
        WORK: {Side.LEFT: "bend to the left", Side.RIGHT: "bend to the right"},
    },
    "pike-to-arch": {START: "inverted V, hips high", WORK: "arched back, chest lifted"},
    "plank": {START: "on forearms and knees", WORK: "full plank on forearms and toes"},
    "push-up": {START: "top, arms straight", WORK: "bottom, chest near the floor"},
    "relaxation": {
        START: "lying, knees bent, hands on belly",
        WORK: "lying, knees bent, hands on belly",
    },
    "shoulder-circles": {START: "elbows down", WORK: "elbows forward"},
    "side-plank": {
        START: {
            Side.LEFT: "lying on the side, propped on the left forearm",
            Side.RIGHT: "lying on the side, propped on the right forearm",
        },
        WORK: "hips lifted, body straight",
    },
    "squat": {START: "standing tall", WORK: "bottom, hips back, arms forward"},
    "standing-forward-bend": {START: "standing tall", WORK: "bent forward, hands at shin level"},
    "superman": {START: "lying face down, arms forward", WORK: "arms, chest and legs lifted"},
}

GROUP = {
    None: START,
    Activity.GET_READY: START,
    Activity.REST: START,
    Activity.MOVE: WORK,
    Activity.HOLD: WORK,
    Activity.COUNT_REPS: WORK,
    Activity.BREATHE_IN: WORK,
    Activity.BREATHE_HOLD: WORK,
    Activity.KEEP_MOVING: WORK,
    Activity.BREATHE_OUT: "out",
}


def _walk(exercise: Exercise) -> list[SessionState]:
    """Every state one step of ``exercise`` passes through, two sets with a rest."""
    step = replace(default_step(exercise), sets=2, rest_s=10.0)
    engine = SessionEngine(SessionPlan("test", Length.SHORT, (step,)))
    states = [engine.state]
    engine.apply(Start(0.0))
    t = 0.0
    while not engine.state.finished:
        states.append(engine.state)
        if engine.state.activity is Activity.COUNT_REPS:
            engine.apply(RepDone(t))
        else:
            t += 0.5
            engine.apply(Tick(t))
        assert t < 2000, "the session never ended"
    return states


def _expected(exercise_id: str, state: SessionState) -> str:
    want = EXPECTED[exercise_id][GROUP[state.activity]]
    if isinstance(want, dict):
        # before the start and at a rest: the side coming next, and every set starts left
        return want[state.side or Side.LEFT]
    return want


def _pose(exercise: Exercise, state: SessionState) -> Pose:
    pose = choose_pose(state, exercise)
    assert pose is not None
    return pose


def test_the_table_covers_the_whole_catalog() -> None:
    assert sorted(EXPECTED) == ALL_IDS


@pytest.mark.parametrize("exercise_id", ALL_IDS)
def test_each_activity_shows_the_keyframe_named_for_it(exercise_id: str) -> None:
    exercise = catalog().exercise(exercise_id)
    seen: set[Activity | None] = set()
    for state in _walk(exercise):
        pose = _pose(exercise, state)
        assert pose.name == _expected(exercise_id, state), (state.activity, state.side)
        drawn = exercise.keyframes[pose.keyframe].name
        assert pose.name == (mirrored_name(drawn) if pose.mirrored else drawn)
        seen.add(state.activity)
    assert None in seen  # before the start
    assert seen & {Activity.HOLD, Activity.COUNT_REPS, Activity.KEEP_MOVING, Activity.BREATHE_HOLD}
    if exercise.dosage.hold_s is not None and exercise.kind.value in ("reps", "hold"):
        assert Activity.HOLD in seen


@pytest.mark.parametrize("exercise_id", ALL_IDS)
def test_the_figure_moves_only_while_the_person_does(exercise_id: str) -> None:
    exercise = catalog().exercise(exercise_id)
    for state in _walk(exercise):
        pose = _pose(exercise, state)
        still = state.activity in (None, Activity.GET_READY, Activity.REST, Activity.HOLD)
        still = still or state.activity is Activity.BREATHE_HOLD
        assert pose.moving is not still, state.activity
        if pose.cycle:
            assert pose.moving
            assert pose.keyframe in pose.cycle
            assert all(0 <= i < len(exercise.keyframes) for i in pose.cycle)


def test_during_a_glute_bridge_hold_the_hips_are_lifted_not_lowered() -> None:
    exercise = catalog().exercise("glute-bridge")
    holds = [s for s in _walk(exercise) if s.activity is Activity.HOLD]
    assert holds
    for state in holds:
        assert _pose(exercise, state) == Pose(1, "hips lifted", mirrored=False, moving=False)


PER_SIDE = [i for i in ALL_IDS if catalog().exercise(i).dosage.per_side]


def test_the_catalog_has_per_side_exercises_of_both_kinds() -> None:
    assert {"bird-dog", "overhead-side-bend", "side-plank"} <= set(PER_SIDE)


@pytest.mark.parametrize("exercise_id", PER_SIDE)
def test_a_per_side_figure_names_the_sets_side(exercise_id: str) -> None:
    """The set's side, the caption and the figure agree, and the two sides differ."""
    exercise = catalog().exercise(exercise_id)
    by_side: dict[Side, set[tuple[int, bool]]] = {Side.LEFT: set(), Side.RIGHT: set()}
    for state in _walk(exercise):
        if state.side is None:
            continue
        pose = _pose(exercise, state)
        assert keyframe_side(pose.name) in (None, state.side), (pose, state.side)
        by_side[state.side].add((pose.keyframe, pose.mirrored))
    assert by_side[Side.LEFT] and by_side[Side.RIGHT]
    assert by_side[Side.LEFT].isdisjoint(by_side[Side.RIGHT])


def test_a_figure_drawn_for_one_side_is_mirrored_for_the_other() -> None:
    exercise = catalog().exercise("side-plank")
    sides = set()
    for state in _walk(exercise):
        pose = _pose(exercise, state)
        # drawn propped on the right forearm; the left side (and what leads to it) is mirrored
        assert pose.mirrored is (state.side is not Side.RIGHT), (state.activity, state.side)
        sides.add(state.side)
    assert sides == {None, Side.LEFT, Side.RIGHT}


@pytest.mark.parametrize("exercise_id", PER_SIDE)
def test_the_text_starts_with_the_side_the_session_starts_with(exercise_id: str) -> None:
    exercise = catalog().exercise(exercise_id)
    first_side_word = None
    for text in exercise.steps:
        match = re.search(r"\b(left|right)\b", text)
        if match:
            first_side_word = match.group(1)
            break
    engine = SessionEngine(SessionPlan("test", Length.SHORT, (default_step(exercise),)))
    engine.apply(Start(0.0))
    assert engine.state.side is Side.LEFT
    assert first_side_word in (None, "left")


def test_a_paused_figure_stands_still_and_a_finished_session_has_none() -> None:
    exercise = catalog().exercise("squat")
    state = SessionState(steps_total=1, status=Status.PAUSED, activity=Activity.COUNT_REPS)
    assert _pose(exercise, state) == Pose(1, "bottom, hips back, arms forward", False, False)
    assert choose_pose(SessionState(steps_total=1, status=Status.FINISHED), exercise) is None


def test_keyframe_sides_and_mirrored_names() -> None:
    assert keyframe_side("left arm and right leg reaching") is Side.LEFT
    assert keyframe_side("Right knee up") is Side.RIGHT
    assert keyframe_side("all fours") is None
    assert mirrored_name("left arm and right leg reaching") == "right arm and left leg reaching"
    assert mirrored_name("Left side, brightly") == "Right side, brightly"


@pytest.mark.parametrize("exercise_id", PER_SIDE)
def test_a_side_named_in_the_text_reaches_with_the_figures_limbs(exercise_id: str) -> None:
    """Text such as "Left side: ... your left arm ... your right leg" names the caption's limbs."""
    exercise = catalog().exercise(exercise_id)
    for side in Side:
        state = SessionState(
            steps_total=1, status=Status.RUNNING, side=side, activity=Activity.HOLD
        )
        limbs = re.findall(r"\b(left|right) (arm|leg|forearm)\b", _pose(exercise, state).name)
        for text in exercise.steps:
            if text.lower().startswith(f"{side.value} side:"):
                for word, limb in limbs:
                    assert re.search(rf"\b{word} {limb}\b", text), (text, limbs)


def test_bird_dog_text_names_each_side() -> None:
    steps = catalog().exercise("bird-dog").steps
    assert any(s.startswith("Left side:") and "left arm" in s for s in steps)
    assert any(s.startswith("Right side:") and "right arm" in s for s in steps)
