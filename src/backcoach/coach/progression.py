"""Progression rules: when and how one exercise's dose moves up or down.

The rules, in plain words (the planner, ``planner.py``, applies them to every
exercise of today's program):

- **Progress slowly, only when it is going well.** An exercise's dose moves one
  step up only after ``SESSIONS_TO_PROGRESS`` (3) completed sessions in a row at
  its current dose in which pain after the session was not higher than before
  and effort was moderate or less (``MAX_EFFORT``, 6 out of 10). One step up
  means, in this order: a few more repetitions (about 10 %, at least 1) until
  the content's maximum, then longer holds (about 10 %, at least 1 s) until
  the maximum, then the harder variant at the program's own dose. Timed
  exercises get about 10 % longer (at least 5 s). Only main workout
  exercises progress; warm-up, cool-down and breathing stay as written.
- **Never progress when pain rose.** A session with pain after higher than
  before (or with no pain or effort check-in, or left unfinished) ends the
  run of good sessions; the dose stays where it is. When pain after the last
  session was ``PAIN_RISE_STOP`` (2) or more points higher than before it,
  the main workout exercises done in it step one dose step down.
- **Back off when an exercise hurts.** If pain during an exercise reached the
  user's pain limit (``DEFAULT_PAIN_LIMIT``, 5 out of 10, adjustable) or rose
  by ``PAIN_RISE_STOP`` (2) or more above the pain before the session, or the
  user pressed "this hurts", the exercise goes back to its easier variant next
  time (if it is already easier, one dose step down). During the session the
  UI suggests stopping that exercise (``should_stop_exercise``); backcoach
  never suggests pushing through pain.
- **Step back after a break.** After ``BREAK_DAYS`` (7) days or more without a
  completed session, each exercise steps one dose step down (a harder variant
  goes back to the standard one); after ``LONG_BREAK_DAYS`` (28) days or more
  it restarts at the program's own dose (or stays lower if it was lower, and a
  harder variant goes back to the standard one).
- **Stay in the safe range.** Every dose stays within the content's safe
  minimum and maximum (``Amount.min`` and ``Amount.max``).

This module is pure: it takes steps, exercises and records and returns steps.
"""

from __future__ import annotations

import math
from dataclasses import replace

from backcoach.coach.history import ExerciseRecord, SessionRecord
from backcoach.coach.plan import PlannedStep, VariantLevel
from backcoach.coach.wording import plain_number
from backcoach.content import Amount, Exercise, Kind, Stage
from backcoach.i18n import N_, _

SESSIONS_TO_PROGRESS = 3
MAX_EFFORT = 6
DEFAULT_PAIN_LIMIT = 5
PAIN_RISE_STOP = 2
BREAK_DAYS = 7
LONG_BREAK_DAYS = 28

VARIANT_ORDER = (VariantLevel.EASIER, VariantLevel.STANDARD, VariantLevel.HARDER)

STOP_MESSAGE = N_(
    "Let's stop this exercise for today: your pain has gone up. Rest in a comfortable "
    "position, then move on to the next exercise or end the session. Never push through pain. "
    "If the pain stays high or you are worried, see a doctor or physiotherapist."
)


def variant_rank(variant: VariantLevel) -> int:
    """0 for easier, 1 for standard, 2 for harder."""
    return VARIANT_ORDER.index(variant)


def should_stop_exercise(
    pain_before: int | None, pain_now: int, limit: int = DEFAULT_PAIN_LIMIT
) -> bool:
    """True when the UI should suggest stopping the current exercise now.

    Args:
        pain_before: pain before the session (0-10), if recorded.
        pain_now: pain reported during the exercise (0-10).
        limit: the user's pain limit (default 5/10).

    Example:
        >>> should_stop_exercise(2, 4)
        True
    """
    if pain_now >= limit:
        return True
    return pain_before is not None and pain_now - pain_before >= PAIN_RISE_STOP


def exercise_hurt(record: ExerciseRecord, pain_before: int | None, limit: int) -> bool:
    """True when an exercise hurt last time (the "back off" rule)."""
    if record.hurt:
        return True
    return record.pain_during is not None and should_stop_exercise(
        pain_before, record.pain_during, limit
    )


def is_good_session(session: SessionRecord) -> bool:
    """Completed, with pain after not higher than before and effort moderate or less."""
    return (
        session.completed
        and session.pain_before is not None
        and session.pain_after is not None
        and session.effort is not None
        and session.pain_after <= session.pain_before
        and session.effort <= MAX_EFFORT
    )


def can_progress(exercise: Exercise) -> bool:
    """Only main workout exercises with a dose to grow progress."""
    return exercise.stage is Stage.WORKOUT and exercise.kind is not Kind.BREATHING


def _fit(value: float, amount: Amount) -> float:
    return min(max(value, amount.min), amount.max)


def _fit_int(value: float, amount: Amount) -> int:
    """A whole number within the range (rounded inwards when the bounds are fractional)."""
    whole = round(_fit(value, amount))
    if whole < amount.min:
        return math.ceil(amount.min)
    if whole > amount.max:
        return math.floor(amount.max)
    return whole


def clamp(step: PlannedStep, exercise: Exercise) -> PlannedStep:
    """The step with every dose field moved into the exercise's safe range.

    A field the exercise has no range for (such as reps on a hold) is dropped.
    """
    dose = exercise.dosage
    reps, hold_s, duration_s = step.reps, step.hold_s, step.duration_s
    return replace(
        step,
        sets=max(1, _fit_int(step.sets, dose.sets)),
        reps=_fit_int(reps, dose.reps) if reps is not None and dose.reps else None,
        hold_s=_fit(hold_s, dose.hold_s) if hold_s is not None and dose.hold_s else None,
        duration_s=_fit(duration_s, dose.duration_s)
        if duration_s is not None and dose.duration_s
        else None,
    )


def _rep_step(reps: int) -> int:
    return max(1, round(reps * 0.1))


def _hold_step(hold_s: float) -> float:
    return float(max(1, round(hold_s * 0.1)))


def _duration_step(duration_s: float) -> float:
    return float(max(5, round(duration_s * 0.1)))


def _up(value: float, step: float, amount: Amount | None) -> float | None:
    """``value`` one step up, or None when it is already at the maximum."""
    if amount is None or value >= amount.max:
        return None
    return min(value + step, amount.max)


def _down(value: float, step: float, amount: Amount | None) -> float | None:
    """``value`` one step down, or None when it is already at the minimum."""
    if amount is None or value <= amount.min:
        return None
    return max(value - step, amount.min)


def progress(step: PlannedStep, exercise: Exercise, base: PlannedStep) -> tuple[PlannedStep, str]:
    """One step up the ladder: reps, then holds, then the next variant.

    Args:
        step: the current dose (within the safe range).
        exercise: the exercise's content (for the safe range and variant names).
        base: the program's own dose, used when moving to the next variant.

    Returns:
        The new step and a note saying what changed (empty when at the top).
    """
    dose = exercise.dosage
    if step.variant is VariantLevel.EASIER:
        back = replace(
            step,
            variant=VariantLevel.STANDARD,
            reps=_lower_int(step.reps, base.reps),
            hold_s=_lower(step.hold_s, base.hold_s),
            duration_s=_lower(step.duration_s, base.duration_s),
        )
        return clamp(back, exercise), _(
            "Back to the standard version: the last sessions went well."
        )
    if exercise.kind is Kind.REPS and step.reps is not None:
        reps = _up(step.reps, _rep_step(step.reps), dose.reps)
        if reps is not None:
            return replace(step, reps=int(reps)), _(
                "{more} more rep(s): your last {sessions} sessions went well."
            ).format(more=int(reps) - step.reps, sessions=SESSIONS_TO_PROGRESS)
    if exercise.kind in (Kind.REPS, Kind.HOLD) and step.hold_s is not None:
        hold = _up(step.hold_s, _hold_step(step.hold_s), dose.hold_s)
        if hold is not None:
            return replace(step, hold_s=hold), _(
                "Holds {seconds} s longer: your last {sessions} sessions went well."
            ).format(seconds=plain_number(hold - step.hold_s), sessions=SESSIONS_TO_PROGRESS)
    if exercise.kind is Kind.TIMED and step.duration_s is not None:
        duration = _up(step.duration_s, _duration_step(step.duration_s), dose.duration_s)
        if duration is not None:
            return replace(step, duration_s=duration), _(
                "{seconds} s longer: your last {sessions} sessions went well."
            ).format(
                seconds=plain_number(duration - step.duration_s), sessions=SESSIONS_TO_PROGRESS
            )
    if step.variant is VariantLevel.STANDARD:
        harder = replace(base, variant=VariantLevel.HARDER, notes=step.notes)
        return clamp(harder, exercise), _(
            "Harder version ({name}) at the program's dose: you reached the "
            "top of the standard one."
        ).format(name=exercise.harder.name)
    return step, ""


def _lower(value: float | None, other: float | None) -> float | None:
    if value is None or other is None:
        return value if other is None else other
    return min(value, other)


def _lower_int(value: int | None, other: int | None) -> int | None:
    if value is None or other is None:
        return value if other is None else other
    return min(value, other)


def step_back(step: PlannedStep, exercise: Exercise) -> PlannedStep:
    """One step down: a harder variant goes back to standard, else a smaller dose.

    At the minimum dose of the standard variant, the easier variant is used.
    """
    if step.variant is VariantLevel.HARDER:
        return replace(step, variant=VariantLevel.STANDARD)
    dose = exercise.dosage
    reps = _down(step.reps, _rep_step(step.reps), dose.reps) if step.reps is not None else None
    hold = (
        _down(step.hold_s, _hold_step(step.hold_s), dose.hold_s)
        if step.hold_s is not None
        else None
    )
    duration = (
        _down(step.duration_s, _duration_step(step.duration_s), dose.duration_s)
        if step.duration_s is not None
        else None
    )
    if reps is None and hold is None and duration is None:
        return replace(step, variant=VariantLevel.EASIER)
    return replace(
        step,
        reps=int(reps) if reps is not None else step.reps,
        hold_s=hold if hold is not None else step.hold_s,
        duration_s=duration if duration is not None else step.duration_s,
    )


def back_off_for_pain(step: PlannedStep, exercise: Exercise) -> PlannedStep:
    """The easier variant; when already easier, also one dose step down."""
    if step.variant is not VariantLevel.EASIER:
        return replace(step, variant=VariantLevel.EASIER)
    return replace(step_back(step, exercise), variant=VariantLevel.EASIER)


def cap_at(step: PlannedStep, base: PlannedStep) -> PlannedStep:
    """The step with no field above the program's own dose and no harder variant."""
    variant = step.variant if step.variant is not VariantLevel.HARDER else VariantLevel.STANDARD
    return replace(
        step,
        variant=variant,
        reps=_lower_int(step.reps, base.reps) if step.reps is not None else None,
        hold_s=_lower(step.hold_s, base.hold_s) if step.hold_s is not None else None,
        duration_s=_lower(step.duration_s, base.duration_s)
        if step.duration_s is not None
        else None,
    )
