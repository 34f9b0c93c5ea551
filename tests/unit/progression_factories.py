"""Small factories for the safety, progression and planner tests (not a test module)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, timedelta
from typing import Any

from backcoach.coach.history import ExerciseRecord, SessionRecord
from backcoach.coach.plan import VariantLevel
from backcoach.coach.safety import QUESTION_IDS, ScreeningRecord, evaluate
from backcoach.content import (
    Amount,
    Camera,
    Catalog,
    Dosage,
    DoseOverride,
    Exercise,
    Keyframe,
    Kind,
    Length,
    Program,
    ProgramStep,
    Segments,
    Stage,
    Variant,
    View,
    Voice,
)

TODAY = date(2026, 3, 2)

_POSE = Segments(
    trunk=90,
    head=90,
    upper_arm_l=-90,
    forearm_l=-90,
    upper_arm_r=-90,
    forearm_r=-90,
    thigh_l=-90,
    shin_l=-90,
    thigh_r=-90,
    shin_r=-90,
)


def amount(default: float, low: float, high: float) -> Amount:
    return Amount(default=default, min=low, max=high)


def exercise(
    exercise_id: str = "bridge",
    *,
    kind: Kind = Kind.REPS,
    stage: Stage = Stage.WORKOUT,
    sets: Amount | None = None,
    reps: Amount | None = None,
    hold_s: Amount | None = None,
    duration_s: Amount | None = None,
) -> Exercise:
    if kind in (Kind.REPS, Kind.BREATHING) and reps is None:
        reps = amount(8, 5, 12)
    if kind is Kind.HOLD and hold_s is None:
        hold_s = amount(20, 10, 40)
    if kind is Kind.TIMED and duration_s is None:
        duration_s = amount(60, 30, 120)
    return Exercise(
        id=exercise_id,
        name=exercise_id.replace("-", " ").title(),
        stage=stage,
        kind=kind,
        core=True,
        purpose="Test exercise.",
        muscles=["back"],
        start_position="Lie down.",
        steps=["Move.", "Return."],
        breathing="Breathe out on effort.",
        mistakes=["Rushing."],
        safety=["Stop if it hurts."],
        avoid_if=["Acute pain."],
        dosage=Dosage(
            sets=sets or amount(2, 1, 3),
            reps=reps,
            hold_s=hold_s,
            duration_s=duration_s,
        ),
        easier=Variant(name="Small range", how="Move less."),
        harder=Variant(name="One leg", how="Use one leg."),
        camera=Camera(supported=False, view=View.SIDE),
        keyframes=[Keyframe(name="a", segments=_POSE), Keyframe(name="b", segments=_POSE)],
        voice=Voice(setup="Lie down on your back on a mat.", cue="Move slowly."),
    )


def catalog(
    *exercises: Exercise,
    program_id: str = "test",
    overrides: Mapping[str, DoseOverride] | None = None,
) -> Catalog:
    items = exercises or (exercise(),)
    own = overrides or {}
    steps = [ProgramStep(exercise=e.id, dose=own.get(e.id, DoseOverride())) for e in items]
    program = Program(
        id=program_id,
        name="Test program",
        description="For tests.",
        lengths={Length.FULL: steps, Length.SHORT: steps[:1]},
    )
    return Catalog(exercises={e.id: e for e in items}, programs={program.id: program}, tips=())


def screening(taken_on: date = TODAY, **yes: bool) -> ScreeningRecord:
    answers = dict.fromkeys(QUESTION_IDS, False)
    answers.update({k.replace("_", "-"): v for k, v in yes.items()})
    return ScreeningRecord(taken_on=taken_on, result=evaluate(answers))


def record(
    exercise_id: str = "bridge",
    *,
    variant: VariantLevel = VariantLevel.STANDARD,
    reps: int | None = 8,
    hold_s: float | None = None,
    duration_s: float | None = None,
    **kwargs: Any,
) -> ExerciseRecord:
    return ExerciseRecord(
        exercise_id=exercise_id,
        variant=variant,
        reps=reps,
        hold_s=hold_s,
        duration_s=duration_s,
        **kwargs,
    )


def session(
    days_ago: int,
    *records: ExerciseRecord,
    pain_before: int | None = 2,
    pain_after: int | None = 2,
    effort: int | None = 5,
    completed: bool = True,
) -> SessionRecord:
    return SessionRecord(
        day=TODAY - timedelta(days=days_ago),
        completed=completed,
        pain_before=pain_before,
        pain_after=pain_after,
        effort=effort,
        exercises=records or (record(),),
    )


def good_run(count: int, *records: ExerciseRecord, start_days_ago: int = 1) -> list[SessionRecord]:
    """``count`` good sessions, one per day, the newest ``start_days_ago`` days ago."""
    return [session(start_days_ago + i, *records) for i in range(count)]
