from __future__ import annotations

from collections.abc import Sequence

import pytest

from backcoach.coach.history import ExerciseRecord, SessionRecord
from backcoach.coach.plan import PlannedStep, VariantLevel
from backcoach.coach.planner import PlanDecision, build_plan
from backcoach.coach.progression import should_stop_exercise
from backcoach.coach.safety import ScreeningRecord
from backcoach.content import Catalog, Exercise, Kind, Length, Stage
from backcoach.errors import UsageError
from tests.unit.progression_factories import (
    TODAY,
    amount,
    catalog,
    exercise,
    good_run,
    record,
    screening,
    session,
)

STD = VariantLevel.STANDARD
EASY = VariantLevel.EASIER
HARD = VariantLevel.HARDER


def plan(
    history: Sequence[SessionRecord],
    content: Catalog | None = None,
    *,
    pain_now: int | None = None,
    pain_limit: int = 5,
    screened: ScreeningRecord | None = None,
) -> PlanDecision:
    return build_plan(
        content or catalog(),
        "test",
        Length.FULL,
        history,
        today=TODAY,
        screening=screened or screening(),
        pain_limit=pain_limit,
        pain_now=pain_now,
    )


def only_step(decision: PlanDecision) -> PlannedStep:
    assert decision.plan is not None, decision.message
    (step,) = decision.plan.steps
    return step


# --- progression ---------------------------------------------------------------------------


def test_first_session_uses_the_program_dose() -> None:
    step = only_step(plan([]))
    assert (step.variant, step.sets, step.reps, step.notes) == (STD, 2, 8, ())


@pytest.mark.parametrize(
    ("history", "reps", "note"),
    [
        (good_run(3), 9, "1 more rep(s)"),
        (good_run(2), 8, None),
        (good_run(5), 9, "1 more rep(s)"),
        # the newest session had pain rise: hold, with a note
        ([session(1, pain_before=2, pain_after=3), *good_run(3, start_days_ago=2)], 8, "higher"),
        # pain rose by 2 or more: one step down
        ([session(1, pain_before=2, pain_after=4), *good_run(3, start_days_ago=2)], 7, "2 points"),
        ([session(1, pain_before=0, pain_after=9), *good_run(3, start_days_ago=2)], 7, "9 points"),
        # ... only for exercises done in that session
        (
            [
                session(1, record("other"), pain_before=2, pain_after=5),
                *good_run(3, start_days_ago=2),
            ],
            8,
            "higher",
        ),
        # an older pain rise only resets the count
        ([*good_run(3), session(4, pain_before=2, pain_after=4)], 9, "more rep"),
        ([*good_run(2), session(3, pain_before=2, pain_after=4)], 8, None),
        ([session(1, effort=7), *good_run(3, start_days_ago=2)], 8, None),  # effort above 6
        ([session(1, effort=6), *good_run(2, start_days_ago=2)], 9, "more rep"),  # 6 is fine
        ([session(1, pain_after=None), *good_run(3, start_days_ago=2)], 8, None),
        ([session(1, effort=None), *good_run(3, start_days_ago=2)], 8, None),
        ([session(1, completed=False), *good_run(3, start_days_ago=2)], 8, None),
        ([session(1, pain_before=4, pain_after=1), *good_run(2, start_days_ago=2)], 9, "more"),
        # the dose changed two sessions ago: only 2 sessions at the current dose
        ([*good_run(2, record(reps=9)), *good_run(2, record(reps=8), start_days_ago=3)], 9, None),
        ([*good_run(3, record(reps=9)), *good_run(2, record(reps=8), start_days_ago=4)], 10, "1"),
    ],
)
def test_progress_only_after_three_good_sessions_at_the_same_dose(
    history: list[SessionRecord], reps: int, note: str | None
) -> None:
    step = only_step(plan(history))
    assert step.reps == reps
    assert step.variant is STD
    if note is None:
        assert step.notes == ()
    else:
        assert any(note in n for n in step.notes), step.notes


def test_sessions_without_the_exercise_do_not_break_or_count() -> None:
    other = record("other")
    history = [
        session(1, other),
        *good_run(3, start_days_ago=2),
    ]
    content = catalog(exercise("bridge"), exercise("other"))
    decision = plan(history, content)
    assert decision.plan is not None
    bridge, other_step = decision.plan.steps
    assert bridge.reps == 9
    assert other_step.reps == 8  # one good session at its dose


@pytest.mark.parametrize(
    ("start", "expected", "note"),
    [
        # reps first
        (record(reps=10, hold_s=3), (STD, 11, 3.0), "more rep"),
        # reps at max: holds next
        (record(reps=12, hold_s=3), (STD, 12, 4.0), "Holds 1 s longer"),
        # holds grow by about 10 %, not past the max
        (record(reps=12, hold_s=9.5), (STD, 12, 10.0), "Holds 0.5 s"),
        # both at max: harder variant at the program dose
        (record(reps=12, hold_s=10), (HARD, 8, 3.0), "Harder version (One leg)"),
        # harder variant climbs again
        (record(reps=8, hold_s=3, variant=HARD), (HARD, 9, 3.0), "more rep"),
        # top of everything: stays
        (record(reps=12, hold_s=10, variant=HARD), (HARD, 12, 10.0), None),
        # easier variant: back to standard, no higher than the program dose
        (record(reps=11, hold_s=5, variant=EASY), (STD, 8, 3.0), "standard version"),
    ],
)
def test_the_progression_ladder(
    start: ExerciseRecord, expected: tuple[VariantLevel, int, float], note: str | None
) -> None:
    content = catalog(exercise(reps=amount(8, 5, 12), hold_s=amount(3, 2, 10)))
    step = only_step(plan(good_run(3, start), content))
    assert (step.variant, step.reps, step.hold_s) == expected
    if note is None:
        assert step.notes == ()
    else:
        assert any(note in n for n in step.notes), step.notes


@pytest.mark.parametrize(
    ("ex", "rec", "field", "value"),
    [
        (
            exercise(kind=Kind.HOLD, hold_s=amount(20, 10, 40)),
            record(reps=None, hold_s=20),
            "hold_s",
            22.0,
        ),
        (
            exercise(kind=Kind.HOLD, hold_s=amount(20, 10, 40)),
            record(reps=None, hold_s=39),
            "hold_s",
            40.0,
        ),
        (
            exercise(kind=Kind.TIMED, duration_s=amount(60, 30, 120)),
            record(reps=None, duration_s=60),
            "duration_s",
            66.0,
        ),
        (
            exercise(kind=Kind.TIMED, duration_s=amount(30, 20, 120)),
            record(reps=None, duration_s=30),
            "duration_s",
            35.0,
        ),
        (exercise(stage=Stage.WARM_UP), record(reps=8), "reps", 8),
        (exercise(stage=Stage.COOL_DOWN), record(reps=8), "reps", 8),
        (exercise(kind=Kind.BREATHING), record(reps=8), "reps", 8),
    ],
)
def test_hold_and_timed_exercises_progress_and_warm_ups_do_not(
    ex: Exercise, rec: ExerciseRecord, field: str, value: float
) -> None:
    step = only_step(plan(good_run(3, rec), catalog(ex)))
    assert getattr(step, field) == value


# --- pain during an exercise -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("pain_before", "pain_during", "hurt", "limit", "variant", "backs_off"),
    [
        (2, 5, False, 5, EASY, True),  # reached the limit
        (2, 4, False, 5, EASY, True),  # rose by 2
        (3, 4, False, 5, STD, False),  # rose by 1, below the limit
        (1, 1, True, 5, EASY, True),  # "this hurts"
        (4, 5, False, 7, STD, False),  # custom limit 7
        (4, 7, False, 7, EASY, True),
        (None, 4, False, 5, STD, False),  # no pain before: only the limit counts
        (None, 6, False, 5, EASY, True),
    ],
)
def test_an_exercise_that_hurt_goes_to_its_easier_variant(
    pain_before: int | None,
    pain_during: int,
    hurt: bool,
    limit: int,
    variant: VariantLevel,
    backs_off: bool,
) -> None:
    rec = record(reps=10, pain_during=pain_during, hurt=hurt)
    history = [
        session(1, rec, pain_before=pain_before),
        *good_run(3, record(reps=10), start_days_ago=2),
    ]
    step = only_step(plan(history, pain_limit=limit))
    assert step.variant is variant
    if backs_off:
        # never a progression on top of a pain back-off
        assert step.reps == 10
        assert "Easier version (Small range)" in step.notes[0]
    else:
        assert not any("Easier" in n for n in step.notes)


def test_easier_and_hurting_again_steps_the_dose_down() -> None:
    rec = record(reps=10, variant=EASY, pain_during=6)
    step = only_step(plan([session(1, rec)]))
    assert (step.variant, step.reps) == (EASY, 9)


def test_pain_back_off_stays_until_three_good_sessions() -> None:
    easy = record(reps=10, variant=EASY)
    assert only_step(plan(good_run(2, easy))).variant is EASY
    back = only_step(plan(good_run(3, easy)))
    assert (back.variant, back.reps) == (STD, 8)


@pytest.mark.parametrize(
    ("before", "now", "limit", "stop"),
    [
        (0, 4, 5, True),
        (2, 3, 5, False),
        (2, 4, 5, True),
        (None, 4, 5, False),
        (None, 5, 5, True),
        (6, 6, 5, True),  # at the limit already: suggest stopping
        (5, 6, 8, False),
        (5, 7, 8, True),
    ],
)
def test_should_stop_exercise(before: int | None, now: int, limit: int, stop: bool) -> None:
    assert should_stop_exercise(before, now, limit) is stop


# --- breaks ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("days_ago", "rec", "expected", "note"),
    [
        (6, record(reps=10), (STD, 11), "more rep"),  # no break yet: 3 good sessions progress
        (7, record(reps=10), (STD, 9), "7-day break"),
        (20, record(reps=10), (STD, 9), "20-day break"),
        (7, record(reps=10, variant=HARD), (STD, 10), "break"),
        (7, record(reps=5), (EASY, 5), "break"),  # at the minimum: easier variant
        (28, record(reps=11, variant=HARD), (STD, 8), "28 days away"),
        (60, record(reps=6), (STD, 6), "60 days away"),  # lower than the program stays lower
        (40, record(reps=6, variant=EASY), (EASY, 6), "days away"),
    ],
)
def test_step_back_after_a_break(
    days_ago: int, rec: ExerciseRecord, expected: tuple[VariantLevel, int], note: str | None
) -> None:
    history = good_run(3, rec, start_days_ago=days_ago)
    step = only_step(plan(history, screened=screening(TODAY)))
    assert (step.variant, step.reps) == expected
    if note is None:
        assert step.notes == ()
    else:
        assert any(note in n for n in step.notes), step.notes


# --- today, cautions, safe range -------------------------------------------------------------


def test_no_progression_when_pain_today_is_at_the_limit() -> None:
    step = only_step(plan(good_run(3), pain_now=5, screened=screening(TODAY)))
    assert step.reps == 8
    assert "at or above your limit" in step.notes[0]
    assert only_step(plan(good_run(3), pain_now=4)).reps == 9


@pytest.mark.parametrize("caution", ["recent_surgery", "pregnancy"])
def test_surgery_and_pregnancy_cap_the_dose_at_the_program(caution: str) -> None:
    screened = screening(**{caution: True})
    capped = only_step(plan(good_run(3, record(reps=11, variant=HARD)), screened=screened))
    assert (capped.variant, capped.reps) == (STD, 8)
    assert any("screening caution" in n for n in capped.notes)
    decision = plan(good_run(3), screened=screened)
    assert only_step(decision).reps == 8  # no progression
    assert decision.cautions and "exercises" in decision.cautions[0]


def test_pregnancy_leaves_out_exercises_on_the_belly() -> None:
    content = catalog(exercise("bridge"), exercise("superman"))
    decision = plan([], content, screened=screening(pregnancy=True))
    assert decision.plan is not None
    assert [s.exercise_id for s in decision.plan.steps] == ["bridge"]
    assert any("Left out Superman" in c for c in decision.cautions)
    clear = plan([], content)
    assert clear.plan is not None and len(clear.plan.steps) == 2
    assert clear.cautions == ()


def test_a_stored_dose_outside_the_safe_range_is_brought_back_into_it() -> None:
    step = only_step(plan([session(1, record(reps=40))]))
    assert step.reps == 12
    assert step.notes == ("Adjusted to stay within this exercise's safe range.",)


def test_bad_arguments_are_usage_errors() -> None:
    with pytest.raises(UsageError, match="unknown program 'nope'"):
        build_plan(catalog(), "nope", Length.FULL, [], today=TODAY, screening=screening())
    with pytest.raises(UsageError, match="pain now"):
        plan([], pain_now=11)
    with pytest.raises(UsageError, match="pain limit"):
        plan([], pain_limit=0)


def test_future_sessions_are_ignored() -> None:
    assert only_step(plan(good_run(3, start_days_ago=-5))).reps == 8
