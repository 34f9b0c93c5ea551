"""Past sessions as plain data, the planner's view of the history.

The store turns its rows into these records (``services/planning.py``); the
planner (``planner.py``) reads them. Values are as the user reported them:
pain and effort on 0-10 scales, ``None`` when not asked or not answered.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date

from backcoach.coach.plan import VariantLevel


@dataclass(frozen=True)
class ExerciseRecord:
    """One exercise of a past session, at the dose that was planned and done.

    ``pain_during`` is the highest pain reported during this exercise;
    ``hurt`` is True when the user pressed "this hurts" on it.
    """

    exercise_id: str
    completed: bool = True
    variant: VariantLevel = VariantLevel.STANDARD
    sets: int | None = None
    reps: int | None = None
    hold_s: float | None = None
    duration_s: float | None = None
    pain_during: int | None = None
    hurt: bool = False

    def same_dose(self, other: ExerciseRecord) -> bool:
        """True when both records were done at the same variant and dose."""
        return (self.variant, self.reps, self.hold_s, self.duration_s) == (
            other.variant,
            other.reps,
            other.hold_s,
            other.duration_s,
        )


@dataclass(frozen=True)
class SessionRecord:
    """One past session with its check-ins."""

    day: date
    completed: bool
    pain_before: int | None = None
    pain_after: int | None = None
    effort: int | None = None
    exercises: tuple[ExerciseRecord, ...] = ()
    program_id: str | None = None
    program_version_id: int | None = None  # clinic mode: the clinician's program version

    def exercise(self, exercise_id: str) -> ExerciseRecord | None:
        """This session's record of an exercise (the last one if it appears twice)."""
        found = None
        for record in self.exercises:
            if record.exercise_id == exercise_id:
                found = record
        return found

    @property
    def pain_rose(self) -> bool:
        """True when pain after the session was higher than before it."""
        return (
            self.pain_before is not None
            and self.pain_after is not None
            and self.pain_after > self.pain_before
        )


def chronological(history: Iterable[SessionRecord]) -> list[SessionRecord]:
    """The sessions oldest first (stable for sessions on the same day)."""
    return sorted(history, key=lambda s: s.day)


def pain_before_values(history: Sequence[SessionRecord]) -> list[int]:
    """Every recorded pain-before value, oldest first."""
    return [s.pain_before for s in chronological(history) if s.pain_before is not None]
