"""A clinician's program: its definition, the safe-range check, edits, and the diff of two versions.

The definition (stored as JSON in ``ProgramVersion.definition``)::

    {"name": "Back basics for Anna",
     "description": "What the program is for, in a sentence or two.",
     "sessions_per_week": 3,                      # 1 to 7
     "lengths": {"short": [STEP, ...],            # both lengths, 1 to 30 steps each
                 "full":  [STEP, ...]}}

    STEP = {"exercise": "glute-bridge",
            "dose": {"sets": 2, "reps": 8, "hold_s": 4, "duration_s": null},
            "variant": "standard"}                # or "easier" or "harder"

**The safe-range rule.** Every exercise in the content states, for each way it
is dosed, a safe minimum and maximum (``dosage`` in ``content/data/exercises/
<id>.yaml``, e.g. the glute bridge: 1-3 sets, 5-12 reps, 3-5 s holds). A step's
dose may only set the fields its exercise is dosed by (a plank has no reps, a
march no holds), and each value must lie within that exercise's range; sets and
reps are whole numbers. A field left out (or ``null``) uses the exercise's
default. The planner still adapts the dose from day to day (progression, easing
back after pain or a break) and never leaves the same ranges.

This module is pure: it takes data and the catalog and returns data; the
database side is ``services.clinic_programs``.
"""

from __future__ import annotations

import difflib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, ValidationError

from backcoach.content import Catalog, DoseOverride, Exercise, Length, Program, ProgramStep
from backcoach.errors import BackcoachError

MAX_STEPS = 30
DOSE_FIELDS = ("sets", "reps", "hold_s", "duration_s")
#: How each dose field reads in messages and on the editor.
FIELD_WORDS = {
    "sets": "sets",
    "reps": "repetitions",
    "hold_s": "hold (seconds)",
    "duration_s": "duration (seconds)",
}
LENGTH_WORDS = {Length.SHORT: "Short session", Length.FULL: "Full session"}
Variant = Literal["easier", "standard", "harder"]
VARIANTS: tuple[Variant, ...] = ("easier", "standard", "harder")

Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)]
Description = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=1000)
]


class ProgramError(BackcoachError):
    """A program definition or edit that cannot be saved; the message says which step and field."""


class ProgramDefinition(BaseModel):
    """One version's content, as the clinician wrote it (see the module docstring)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: Name
    description: Description
    sessions_per_week: int = Field(ge=1, le=7)
    lengths: dict[Length, list[ProgramStep]]

    def steps(self, length: Length) -> list[ProgramStep]:
        return self.lengths.get(length, [])

    def to_program(self, program_id: str) -> Program:
        """The definition as a content ``Program`` the planner follows."""
        return Program(
            id=program_id, name=self.name, description=self.description, lengths=self.lengths
        )


# --- checking a definition ---------------------------------------------------------------


def _where(loc: Sequence[int | str]) -> str:
    """A pydantic error location in plain words: 'Short session, step 3, reps'."""
    parts: list[str] = []
    rest = list(loc)
    if rest[:1] == ["lengths"] and len(rest) > 1:
        length = str(rest[1])
        parts.append(next((w for k, w in LENGTH_WORDS.items() if k == length), length))
        rest = rest[2:]
        if rest and isinstance(rest[0], int):
            parts.append(f"step {rest[0] + 1}")
            rest = rest[1:]
    words = [FIELD_WORDS.get(str(p), str(p)) for p in rest if str(p) != "dose"]
    parts.extend(words)
    return ", ".join(parts) or "the program"


def _step_name(catalog: Catalog, step: ProgramStep) -> str:
    exercise = catalog.exercises.get(step.exercise)
    return exercise.name if exercise is not None else step.exercise


def _number(value: float) -> str:
    return f"{value:g}"


def dose_problems(exercise: Exercise, dose: DoseOverride) -> list[str]:
    """What is wrong with ``dose`` for ``exercise`` (empty when it is within the safe range)."""
    problems: list[str] = []
    for field in DOSE_FIELDS:
        value = getattr(dose, field)
        if value is None:
            continue
        amount = getattr(exercise.dosage, field)
        words = FIELD_WORDS[field]
        if amount is None:
            problems.append(f"{words} does not apply to this exercise")
        elif not amount.min <= value <= amount.max:
            problems.append(
                f"{words} {_number(value)} is outside this exercise's safe range "
                f"({_number(amount.min)} to {_number(amount.max)})"
            )
    return problems


def check_definition(raw: Mapping[str, Any], catalog: Catalog) -> ProgramDefinition:
    """The definition, validated: its shape, its exercises and every dose's safe range.

    Raises:
        ProgramError: naming each step and field that is wrong, in plain words.
    """
    try:
        definition = ProgramDefinition.model_validate(raw)
    except ValidationError as exc:
        problems = [f"{_where(err['loc'])}: {err['msg']}" for err in exc.errors()]
        raise ProgramError("The program was not saved. " + "; ".join(problems) + ".") from exc
    problems = []
    for length in Length:
        steps = definition.steps(length)
        words = LENGTH_WORDS[length]
        if not steps:
            problems.append(f"{words}: add at least one exercise")
        elif len(steps) > MAX_STEPS:
            problems.append(f"{words}: at most {MAX_STEPS} exercises, not {len(steps)}")
        for index, step in enumerate(steps):
            exercise = catalog.exercises.get(step.exercise)
            where = f"{words}, step {index + 1}"
            if exercise is None:
                problems.append(f"{where}: there is no exercise '{step.exercise}'")
                continue
            problems.extend(
                f"{where} ({exercise.name}): {problem}"
                for problem in dose_problems(exercise, step.dose)
            )
    if problems:
        raise ProgramError("The program was not saved. " + "; ".join(problems) + ".")
    return _written_out(definition, catalog)


def _written_out(definition: ProgramDefinition, catalog: Catalog) -> ProgramDefinition:
    """Every step's dose with each field its exercise is dosed by (defaults filled in)."""
    lengths = {
        length: [
            step.model_copy(update={"dose": full_dose(catalog.exercise(step.exercise), step.dose)})
            for step in steps
        ]
        for length, steps in definition.lengths.items()
    }
    return definition.model_copy(update={"lengths": lengths})


def full_dose(exercise: Exercise, dose: DoseOverride | None = None) -> DoseOverride:
    """Every field the exercise is dosed by, from ``dose`` or else the exercise's default."""
    values: dict[str, float | int | None] = {}
    for field in DOSE_FIELDS:
        amount = getattr(exercise.dosage, field)
        own = getattr(dose, field) if dose is not None else None
        if amount is None:
            values[field] = own  # kept, so the check names it
        elif own is not None:
            values[field] = own
        else:
            values[field] = int(amount.default) if field in ("sets", "reps") else amount.default
    return DoseOverride.model_validate(values)


def from_program(program: Program, catalog: Catalog, *, sessions_per_week: int) -> dict[str, Any]:
    """A built-in program as a definition, every dose written out in full."""
    lengths = {
        str(length): [
            ProgramStep(
                exercise=step.exercise,
                dose=full_dose(catalog.exercise(step.exercise), step.dose),
                variant=step.variant,
            ).model_dump(mode="json")
            for step in program.lengths.get(length, [])
        ]
        for length in Length
    }
    if not lengths[str(Length.FULL)]:
        lengths[str(Length.FULL)] = lengths[str(Length.SHORT)]
    if not lengths[str(Length.SHORT)]:
        lengths[str(Length.SHORT)] = lengths[str(Length.FULL)]
    return {
        "name": program.name,
        "description": program.description,
        "sessions_per_week": sessions_per_week,
        "lengths": lengths,
    }


# --- edits ---------------------------------------------------------------------------------


class _Edit(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class AddStep(_Edit):
    """Add an exercise at ``at`` (a step number, 1 = first; default: at the end)."""

    op: Literal["add"]
    length: Length
    exercise: str
    at: int | None = Field(default=None, ge=1)
    dose: DoseOverride | None = None
    variant: Variant = "standard"


class RemoveStep(_Edit):
    op: Literal["remove"]
    length: Length
    step: int = Field(ge=1)


class MoveStep(_Edit):
    """Move step ``step`` so it becomes step ``to``."""

    op: Literal["move"]
    length: Length
    step: int = Field(ge=1)
    to: int = Field(ge=1)


class SetDose(_Edit):
    """Change a step's dose; fields left out stay as they are."""

    op: Literal["dose"]
    length: Length
    step: int = Field(ge=1)
    dose: DoseOverride


class SetVariant(_Edit):
    op: Literal["variant"]
    length: Length
    step: int = Field(ge=1)
    variant: Variant


class SetDetails(_Edit):
    """Change the name, description or sessions per week (fields left out stay)."""

    op: Literal["details"]
    name: str | None = None
    description: str | None = None
    sessions_per_week: int | None = None


Edit = Annotated[
    AddStep | RemoveStep | MoveStep | SetDose | SetVariant | SetDetails, Field(discriminator="op")
]


def _index(steps: list[dict[str, Any]], length: Length, number: int) -> int:
    if not 1 <= number <= len(steps):
        raise ProgramError(
            f"{LENGTH_WORDS[length]} has no step {number} (it has {len(steps)} steps)."
        )
    return number - 1


def apply_edits(
    definition: ProgramDefinition, edits: Sequence[Edit], catalog: Catalog
) -> ProgramDefinition:
    """``definition`` with ``edits`` applied in order, checked as a whole afterwards.

    Raises:
        ProgramError: a step number that does not exist, an unknown exercise, a dose
            outside its safe range ...
    """
    raw: dict[str, Any] = definition.model_dump(mode="json")
    for edit in edits:
        if isinstance(edit, SetDetails):
            for key in ("name", "description", "sessions_per_week"):
                value = getattr(edit, key)
                if value is not None:
                    raw[key] = value
            continue
        steps: list[dict[str, Any]] = raw["lengths"][str(edit.length)]
        if isinstance(edit, AddStep):
            exercise = catalog.exercises.get(edit.exercise)
            if exercise is None:
                raise ProgramError(f"There is no exercise '{edit.exercise}' to add.")
            step = ProgramStep(
                exercise=edit.exercise, dose=full_dose(exercise, edit.dose), variant=edit.variant
            )
            at = len(steps) if edit.at is None else min(edit.at - 1, len(steps))
            steps.insert(at, step.model_dump(mode="json"))
        elif isinstance(edit, RemoveStep):
            steps.pop(_index(steps, edit.length, edit.step))
        elif isinstance(edit, MoveStep):
            moved = steps.pop(_index(steps, edit.length, edit.step))
            steps.insert(min(edit.to - 1, len(steps)), moved)
        elif isinstance(edit, SetDose):
            index = _index(steps, edit.length, edit.step)
            changed = edit.dose.model_dump(exclude_none=True)
            steps[index]["dose"] = {**steps[index]["dose"], **changed}
        else:
            steps[_index(steps, edit.length, edit.step)]["variant"] = edit.variant
    return check_definition(raw, catalog)


# --- the diff between two versions -------------------------------------------------------

ChangeKind = Literal[
    "added", "removed", "moved", "dose", "variant", "sessions_per_week", "name", "description"
]


@dataclass(frozen=True)
class Change:
    """One difference between two versions, with the sentence that says it."""

    kind: ChangeKind
    text: str
    length: Length | None = None
    exercise: str | None = None
    field: str | None = None
    before: str | float | None = None
    after: str | float | None = None


def _value(value: float | None) -> str:
    return "the exercise's default" if value is None else _number(value)


def _length_diff(
    length: Length, old: Sequence[ProgramStep], new: Sequence[ProgramStep], catalog: Catalog
) -> list[Change]:
    """Steps lined up by exercise (longest runs in the same order first); the rest are
    moved (the same exercise elsewhere), removed or added."""
    words = LENGTH_WORDS[length]
    matcher = difflib.SequenceMatcher(
        a=[s.exercise for s in old], b=[s.exercise for s in new], autojunk=False
    )
    pairs: list[tuple[int, int, bool]] = []  # (old index, new index, moved)
    gone: list[int] = []
    came: list[int] = []
    for tag, a0, a1, b0, b1 in matcher.get_opcodes():
        if tag == "equal":
            pairs.extend((a0 + i, b0 + i, False) for i in range(a1 - a0))
        else:
            gone.extend(range(a0, a1))
            came.extend(range(b0, b1))
    for index in list(gone):
        elsewhere = next((j for j in came if new[j].exercise == old[index].exercise), None)
        if elsewhere is not None:
            gone.remove(index)
            came.remove(elsewhere)
            pairs.append((index, elsewhere, True))
    changes = [
        Change(
            "removed",
            f"{words}: removed {_step_name(catalog, old[i])} (was step {i + 1}).",
            length,
            old[i].exercise,
        )
        for i in gone
    ]
    changes.extend(
        Change(
            "added",
            f"{words}: added {_step_name(catalog, new[j])} as step {j + 1}.",
            length,
            new[j].exercise,
        )
        for j in came
    )
    for i, j, moved in sorted(pairs, key=lambda pair: pair[1]):
        before, after = old[i], new[j]
        name = _step_name(catalog, after)
        if moved:
            changes.append(
                Change(
                    "moved",
                    f"{words}: moved {name} from step {i + 1} to step {j + 1}.",
                    length,
                    after.exercise,
                    before=i + 1,
                    after=j + 1,
                )
            )
        for field in DOSE_FIELDS:
            was, now = getattr(before.dose, field), getattr(after.dose, field)
            if was != now:
                changes.append(
                    Change(
                        "dose",
                        f"{words}: {name} {FIELD_WORDS[field]} from {_value(was)} "
                        f"to {_value(now)}.",
                        length,
                        after.exercise,
                        field,
                        was,
                        now,
                    )
                )
        if before.variant != after.variant:
            changes.append(
                Change(
                    "variant",
                    f"{words}: {name} {after.variant} version instead of {before.variant}.",
                    length,
                    after.exercise,
                    "variant",
                    before.variant,
                    after.variant,
                )
            )
    return changes


def diff(old: ProgramDefinition, new: ProgramDefinition, catalog: Catalog) -> list[Change]:
    """What changed from ``old`` to ``new``: steps added, removed, moved, doses, variants, details.

    Example:
        >>> [c.text for c in diff(v1, v2, catalog)]  # doctest: +SKIP
        ['Sessions per week from 3 to 5.', 'Full session: Glute bridge repetitions from 8 to 10.']
    """
    changes: list[Change] = []
    if old.name != new.name:
        changes.append(
            Change("name", f"Renamed from “{old.name}” to “{new.name}”.", before=old.name,
                   after=new.name)
        )  # fmt: skip
    if old.description != new.description:
        changes.append(Change("description", "New description.", after=new.description))
    if old.sessions_per_week != new.sessions_per_week:
        changes.append(
            Change(
                "sessions_per_week",
                f"Sessions per week from {old.sessions_per_week} to {new.sessions_per_week}.",
                field="sessions_per_week",
                before=old.sessions_per_week,
                after=new.sessions_per_week,
            )
        )
    for length in Length:
        changes.extend(_length_diff(length, old.steps(length), new.steps(length), catalog))
    return changes


def prescription(definition: ProgramDefinition, exercise_id: str) -> tuple[tuple[str, ...], ...]:
    """What a definition prescribes for one exercise (each step's length, dose and variant)."""
    return tuple(
        sorted(
            (str(length), step.dose.model_dump_json(), step.variant)
            for length in Length
            for step in definition.steps(length)
            if step.exercise == exercise_id
        )
    )
