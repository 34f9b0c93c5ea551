"""A session plan: the concrete, dosed steps of one session.

The planner (progression rules) and the default program both produce a
``SessionPlan``; the session engine runs one.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from backcoach.content import Catalog, Exercise, Kind, Length, ProgramStep

SECONDS_PER_REP = 3.0
SECONDS_PER_BREATH = 10.0


class VariantLevel(StrEnum):
    EASIER = "easier"
    STANDARD = "standard"
    HARDER = "harder"


@dataclass(frozen=True)
class PlannedStep:
    """One exercise with its dose for this session."""

    exercise_id: str
    name: str
    kind: Kind
    sets: int
    reps: int | None = None
    hold_s: float | None = None
    duration_s: float | None = None
    per_side: bool = False
    rest_s: float = 0.0
    variant: VariantLevel = VariantLevel.STANDARD
    notes: tuple[str, ...] = field(default=())  # why the dose differs from last time

    @property
    def sides(self) -> int:
        return 2 if self.per_side else 1

    def estimated_seconds(self) -> float:
        """Rough time for this step, rests between sets included."""
        if self.kind is Kind.BREATHING:
            work = (self.reps or 0) * SECONDS_PER_BREATH
        elif self.kind is Kind.REPS:
            work = (self.reps or 0) * (SECONDS_PER_REP + (self.hold_s or 0))
        elif self.kind is Kind.HOLD:
            work = self.hold_s or 0
        else:
            work = self.duration_s or 0
        return self.sets * self.sides * work + (self.sets - 1) * self.rest_s


@dataclass(frozen=True)
class SessionPlan:
    program_id: str
    length: Length
    steps: tuple[PlannedStep, ...]

    def estimated_minutes(self) -> float:
        return sum(step.estimated_seconds() for step in self.steps) / 60


def default_step(exercise: Exercise, step: ProgramStep | None = None) -> PlannedStep:
    """The exercise at its default dose, with a program step's overrides applied."""
    dose = exercise.dosage
    override = step.dose if step is not None else None

    def pick(own: float | None, default: float | None) -> float | None:
        return own if own is not None else default

    reps = pick(override.reps if override else None, dose.reps.default if dose.reps else None)
    return PlannedStep(
        exercise_id=exercise.id,
        name=exercise.name,
        kind=exercise.kind,
        sets=int(pick(override.sets if override else None, dose.sets.default) or 1),
        reps=int(reps) if reps is not None else None,
        hold_s=pick(
            override.hold_s if override else None, dose.hold_s.default if dose.hold_s else None
        ),
        duration_s=pick(
            override.duration_s if override else None,
            dose.duration_s.default if dose.duration_s else None,
        ),
        per_side=dose.per_side,
        rest_s=float(dose.rest_s),
        variant=VariantLevel(step.variant) if step is not None else VariantLevel.STANDARD,
    )


def plan_from_program(catalog: Catalog, program_id: str, length: Length) -> SessionPlan:
    """The program as written, every exercise at its default (or program) dose.

    Raises:
        KeyError: unknown program id or a length the program does not have.
    """
    program = catalog.program(program_id)
    steps = program.lengths[length]
    return SessionPlan(
        program_id=program_id,
        length=length,
        steps=tuple(default_step(catalog.exercise(s.exercise), s) for s in steps),
    )
