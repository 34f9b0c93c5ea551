"""The hands-free voice's script: every exercise, every kind of step, played through the engine."""

from __future__ import annotations

import re
from dataclasses import replace
from itertools import pairwise

import pytest
from pydantic import ValidationError

from backcoach.coach.cues import (
    KEY_CUE,
    SETUP,
    Cue,
    cue_script,
    dose_words,
    rest_over_say,
    seconds_words,
    set_done_say,
    side_say,
    spoken_name,
)
from backcoach.coach.engine import (
    Activity,
    Back,
    EndReason,
    NoticeKind,
    Quit,
    RepDone,
    SessionEngine,
    Side,
    Skip,
    Start,
    Tick,
)
from backcoach.coach.plan import PlannedStep, SessionPlan, VariantLevel, default_step
from backcoach.content import Exercise, Kind, Length, Voice, default_catalog

CATALOG = default_catalog()
EXERCISES = dict(CATALOG.exercises)
BRACKETS = re.compile(r"[()\[\]{}]")
COUNTS = {NoticeKind.COUNTDOWN.value, NoticeKind.REP_DONE.value, NoticeKind.BREATH.value}


# --- factories -------------------------------------------------------------


def step_kinds(exercise: Exercise) -> dict[str, PlannedStep]:
    """The exercise's default step and the other shapes a plan can give it."""
    base = default_step(exercise)
    shapes = {
        "default": base,
        "one set": replace(base, sets=1),
        "several sets with rests": replace(base, sets=3, rest_s=10.0),
        "several sets, no rest": replace(base, sets=2, rest_s=0.0),
        "per side": replace(base, per_side=True, sets=2, rest_s=5.0),
        "easier": replace(base, variant=VariantLevel.EASIER),
    }
    if exercise.kind is Kind.REPS:
        shapes["reps with a hold"] = replace(base, hold_s=3.0, sets=2, rest_s=5.0)
        shapes["reps at your pace"] = replace(base, hold_s=None)
    return shapes


def play(plan: SessionPlan, dt: float = 0.5) -> list[Cue]:
    """Run the plan to its end (a rep whenever the engine waits for one); the whole script."""
    engine = SessionEngine(plan)
    script = cue_script(engine.apply(Start(0.0)), plan, EXERCISES)
    t = 0.0
    while not engine.state.finished:
        t += dt
        assert t < 10_000, "the session never ended"
        waiting = engine.state.activity is Activity.COUNT_REPS
        script += cue_script(engine.apply(RepDone(t) if waiting else Tick(t)), plan, EXERCISES)
    return script


def check_script(script: list[Cue], plan: SessionPlan) -> None:
    """What every script keeps to, whatever the steps."""
    texts = [c.text for c in script]
    assert all(t and t == t.strip() for t in texts), texts
    repeats = [(a, b) for a, b in pairwise(texts) if a == b]
    assert not repeats, repeats
    assert not [t for t in texts if BRACKETS.search(t)]
    assert not [
        t for t in texts if re.search(r"Set \d+ of \d+ done", t)
    ]  # the old, mechanical words
    assert script[0] == Cue(NoticeKind.SESSION_STARTED.value, 0, "Let's begin.")
    assert script[-1].kind == NoticeKind.SESSION_FINISHED.value
    for index, step in enumerate(plan.steps):
        starts = [
            i for i, c in enumerate(script) if c.kind == "step_started" and c.step_index == index
        ]
        assert len(starts) == 1, f"step {index} started {len(starts)} times"
        at = starts[0]
        exercise = EXERCISES[step.exercise_id]
        # name and dose, then the set-up line, then the key cue: before any count of the step
        assert spoken_name(step.name) in script[at].text
        assert script[at + 1] == Cue(SETUP, index, exercise.voice.setup)
        assert script[at + 2] == Cue(KEY_CUE, index, exercise.voice.cue)
        before = [c for c in script[:at] if c.step_index == index]
        assert not [c for c in before if c.kind in COUNTS], before


# --- every exercise, every kind of step --------------------------------------

CASES = [
    pytest.param(exercise_id, shape, id=f"{exercise_id}-{shape.replace(' ', '-')}")
    for exercise_id in sorted(EXERCISES)
    for shape in step_kinds(EXERCISES[exercise_id])
]


@pytest.mark.parametrize(("exercise_id", "shape"), CASES)
def test_every_step_starts_with_its_set_up_line_and_cue(exercise_id: str, shape: str) -> None:
    step = step_kinds(EXERCISES[exercise_id])[shape]
    neighbour = default_step(EXERCISES["neck-nods" if exercise_id != "neck-nods" else "squat"])
    for steps in ((step,), (neighbour, step, neighbour)):
        plan = SessionPlan("test", Length.SHORT, steps)
        script = play(plan)
        check_script(script, plan)
        texts = [c.text for c in script if c.step_index == steps.index(step)]
        if step.per_side:
            assert "Left side first." in texts and "Now the right side." in texts
        if step.sets > 1:
            assert "That's set 1, " + ("two" if step.sets == 3 else "one") + " more to go." in texts
            assert "That was the last set. Well done." in texts or steps[-1] is step
            if step.rest_s > 0:
                assert f"Rest for {seconds_words(step.rest_s)}." in texts
                assert "Rest over. Last set, get ready." in texts


def test_the_shipped_program_reads_naturally_from_start_to_end() -> None:
    for length in Length:
        steps = CATALOG.program("back-basics").lengths.get(length)
        if steps is None:
            continue
        plan = SessionPlan(
            "back-basics",
            length,
            tuple(default_step(CATALOG.exercise(s.exercise), s) for s in steps),
        )
        script = play(plan)
        check_script(script, plan)
        assert script[1].text.startswith("First: ")
        last = len(plan.steps) - 1
        assert [c.text for c in script if c.kind == "step_started"][-1].startswith("Last one: ")
        assert script[-1].text == "Session complete. Well done."
        # no "Well done." just before the end words: the end says it
        assert script[-2].text != "Well done." or script[-2].step_index != last


def test_timed_work_says_go_after_the_countdown() -> None:
    march = default_step(EXERCISES["high-knee-march"])
    plan = SessionPlan("test", Length.SHORT, (march,))
    texts = [c.text for c in play(plan)]
    assert texts[texts.index("Go.") - 3 : texts.index("Go.")] == ["3", "2", "1"]


def test_a_step_reopened_or_skipped_says_so_and_starts_with_its_set_up_again() -> None:
    plan = SessionPlan(
        "test",
        Length.SHORT,
        (default_step(EXERCISES["neck-nods"]), default_step(EXERCISES["superman"])),
    )
    engine = SessionEngine(plan)
    engine.apply(Start(0.0))
    skipped = cue_script(engine.apply(Skip(1.0)), plan, EXERCISES)
    assert [c.kind for c in skipped] == ["step_skipped", "step_started", SETUP, KEY_CUE]
    assert (
        skipped[1].text
        == "Last one: Superman, prone lift. 2 sets of 6, holding each for 2 seconds."
    )
    back = cue_script(engine.apply(Back(2.0)), plan, EXERCISES)
    assert [c.kind for c in back] == ["step_reopened", "step_started", SETUP, KEY_CUE]
    assert back[0].text == "Going back."


def test_an_exercise_missing_from_the_content_still_gets_a_set_up_line() -> None:
    plan = SessionPlan(
        "test", Length.SHORT, (PlannedStep("own-move", "Own move", Kind.REPS, 1, 2),)
    )
    engine = SessionEngine(plan)
    script = cue_script(engine.apply(Start(0.0)), plan, {})
    assert [c.kind for c in script] == ["session_started", "step_started", SETUP]
    assert script[2].text


def test_the_end_words_follow_the_ending() -> None:
    plan = SessionPlan("test", Length.SHORT, (default_step(EXERCISES["neck-nods"]),))
    engine = SessionEngine(plan)
    engine.apply(Start(0.0))
    (end,) = cue_script(engine.apply(Quit(1.0)), plan, EXERCISES)
    assert end.kind == "session_finished" and "ended early" in end.text
    assert engine.state.ended_by is EndReason.QUIT


# --- the words ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "said"),
    [
        ("Superman (prone lift)", "Superman, prone lift"),
        ("Pike to arch (downward to upward dog)", "Pike to arch, downward to upward dog"),
        ("Bird-dog", "Bird-dog"),
        ("Plank [easier]", "Plank, easier"),
    ],
)
def test_names_are_said_without_brackets(name: str, said: str) -> None:
    assert spoken_name(name) == said


def test_numbers_and_sets_in_words() -> None:
    assert [seconds_words(s) for s in (1, 2.5, 20, 60, 90, 120)] == [
        "1 second",
        "2.5 seconds",
        "20 seconds",
        "1 minute",
        "90 seconds",
        "2 minutes",
    ]
    assert set_done_say(0, 3, last_step=False) == "That's set 1, two more to go."
    assert set_done_say(1, 2, last_step=False) == "That was the last set. Well done."
    assert set_done_say(0, 1, last_step=False) == "Well done."
    assert set_done_say(0, 1, last_step=True) is None
    assert rest_over_say(1, 3) == "Rest over. Set 2 of 3, get ready."
    assert rest_over_say(2, 3) == "Rest over. Last set, get ready."
    assert [side_say(Side.LEFT, 0), side_say(Side.LEFT, 1), side_say(Side.RIGHT, 0)] == [
        "Left side first.",
        "Left side.",
        "Now the right side.",
    ]


@pytest.mark.parametrize(
    ("step", "said"),
    [
        (PlannedStep("a", "A", Kind.BREATHING, 1, 3), "3 slow breaths"),
        (PlannedStep("a", "A", Kind.REPS, 2, 8, 4.0), "2 sets of 8, holding each for 4 seconds"),
        (PlannedStep("a", "A", Kind.REPS, 1, 6, per_side=True), "6 reps on each side"),
        (
            PlannedStep("a", "A", Kind.HOLD, 1, hold_s=20.0, per_side=True),
            "Hold for 20 seconds on each side",
        ),
        (PlannedStep("a", "A", Kind.TIMED, 1, duration_s=120.0), "Keep going for 2 minutes"),
    ],
)
def test_dose_words(step: PlannedStep, said: str) -> None:
    assert dose_words(step) == said


# --- the content -------------------------------------------------------------


@pytest.mark.parametrize("exercise_id", sorted(EXERCISES))
def test_every_exercise_has_its_own_speakable_set_up_line_and_cue(exercise_id: str) -> None:
    voice = EXERCISES[exercise_id].voice
    assert 8 <= len(voice.setup.split()) <= 20
    assert voice.setup.endswith(".")
    assert not BRACKETS.search(voice.setup + voice.cue)
    others = [e.voice for e in EXERCISES.values() if e.id != exercise_id]
    assert voice.setup not in [v.setup for v in others]
    assert voice.cue not in [v.cue for v in others]


@pytest.mark.parametrize(
    ("setup", "cue", "problem"),
    [
        ("Lie face down (on a mat) with your arms forward.", "Lift a little.", "brackets"),
        ("Lie face down. Put your arms forward past your head.", "Lift a little.", "one sentence"),
        ("Lie down.", "Lift a little.", "a few words"),
        (" ".join(["word"] * 30) + ".", "Lift a little.", "22 words"),
        ("Lie face down with your arms stretched forward.", "Lift [a little].", "brackets"),
        ("Lie face down with your arms stretched forward.", "", "at least 1 character"),
    ],
)
def test_a_voice_line_that_would_read_badly_is_refused(setup: str, cue: str, problem: str) -> None:
    with pytest.raises(ValidationError, match=re.escape(problem)):
        Voice(setup=setup, cue=cue)


def test_the_voice_is_required_for_every_exercise() -> None:
    raw = EXERCISES["squat"].model_dump(mode="json")
    del raw["voice"]
    with pytest.raises(ValidationError, match="voice"):
        Exercise.model_validate(raw)
