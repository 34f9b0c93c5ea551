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
from backcoach.i18n import N_, _, ngettext, pgettext
from backcoach.services.import_bounds import problem_message

MAX_STEPS = 30
DOSE_FIELDS = ("sets", "reps", "hold_s", "duration_s")
#: How each dose field reads in messages and on the editor (marked: translate where shown).
FIELD_WORDS = {
    "sets": N_("sets"),
    "reps": N_("repetitions"),
    "hold_s": N_("hold (seconds)"),
    "duration_s": N_("duration (seconds)"),
}
LENGTH_WORDS = {Length.SHORT: N_("Short session"), Length.FULL: N_("Full session")}
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
        parts.append(next((_(w) for k, w in LENGTH_WORDS.items() if k == length), length))
        rest = rest[2:]
        if rest and isinstance(rest[0], int):
            parts.append(_("step {n}").format(n=rest[0] + 1))
            rest = rest[1:]
    fields = [str(p) for p in rest if str(p) != "dose"]
    parts.extend(_(FIELD_WORDS[f]) if f in FIELD_WORDS else f for f in fields)
    return ", ".join(parts) or _("the program")


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
        words = _(FIELD_WORDS[field])
        if amount is None:
            problems.append(_("{field} does not apply to this exercise").format(field=words))
        elif not amount.min <= value <= amount.max:
            problems.append(
                _("{field} {value} is outside this exercise's safe range ({low} to {high})").format(
                    field=words,
                    value=_number(value),
                    low=_number(amount.min),
                    high=_number(amount.max),
                )
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
        problems = [f"{_where(err['loc'])}: {problem_message(err)}" for err in exc.errors()]
        raise ProgramError(_not_saved(problems)) from exc
    problems = []
    for length in Length:
        steps = definition.steps(length)
        words = _(LENGTH_WORDS[length])
        if not steps:
            problems.append(_("{length}: add at least one exercise").format(length=words))
        elif len(steps) > MAX_STEPS:
            problems.append(
                _("{length}: at most {most} exercises, not {n}").format(
                    length=words, most=MAX_STEPS, n=len(steps)
                )
            )
        for index, step in enumerate(steps):
            exercise = catalog.exercises.get(step.exercise)
            where = _("{length}, step {n}").format(length=words, n=index + 1)
            if exercise is None:
                problems.append(
                    _("{where}: there is no exercise '{id}'").format(where=where, id=step.exercise)
                )
                continue
            problems.extend(
                f"{where} ({exercise.name}): {problem}"
                for problem in dose_problems(exercise, step.dose)
            )
    if problems:
        raise ProgramError(_not_saved(problems))
    return _written_out(definition, catalog)


def _not_saved(problems: list[str]) -> str:
    return _("The program was not saved.") + " " + "; ".join(problems) + "."


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
            ngettext(
                "{length} has no step {number} (it has {n} step).",
                "{length} has no step {number} (it has {n} steps).",
                len(steps),
            ).format(length=_(LENGTH_WORDS[length]), number=number, n=len(steps))
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
                raise ProgramError(
                    _("There is no exercise '{id}' to add.").format(id=edit.exercise)
                )
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
    return _("the exercise's default") if value is None else _number(value)


def _variant_word(variant: str) -> str:
    """How a variant reads in the diff's sentences."""
    if variant == "easier":
        return pgettext("program variant", "easier")
    if variant == "harder":
        return pgettext("program variant", "harder")
    return pgettext("program variant", "standard")


def _length_diff(
    length: Length, old: Sequence[ProgramStep], new: Sequence[ProgramStep], catalog: Catalog
) -> list[Change]:
    """Steps lined up by exercise (longest runs in the same order first); the rest are
    moved (the same exercise elsewhere), removed or added."""
    words = _(LENGTH_WORDS[length])
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
            _("{length}: removed {name} (was step {n}).").format(
                length=words, name=_step_name(catalog, old[i]), n=i + 1
            ),
            length,
            old[i].exercise,
        )
        for i in gone
    ]
    changes.extend(
        Change(
            "added",
            _("{length}: added {name} as step {n}.").format(
                length=words, name=_step_name(catalog, new[j]), n=j + 1
            ),
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
                    _("{length}: moved {name} from step {old} to step {new}.").format(
                        length=words, name=name, old=i + 1, new=j + 1
                    ),
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
                        _("{length}: {name} {field} from {old} to {new}.").format(
                            length=words,
                            name=name,
                            field=_(FIELD_WORDS[field]),
                            old=_value(was),
                            new=_value(now),
                        ),
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
                    _("{length}: {name} {new} version instead of {old}.").format(
                        length=words,
                        name=name,
                        new=_variant_word(after.variant),
                        old=_variant_word(before.variant),
                    ),
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
            Change(
                "name",
                _("Renamed from “{old}” to “{new}”.").format(old=old.name, new=new.name),
                before=old.name,
                after=new.name,
            )
        )
    if old.description != new.description:
        changes.append(Change("description", _("New description."), after=new.description))
    if old.sessions_per_week != new.sessions_per_week:
        changes.append(
            Change(
                "sessions_per_week",
                _("Sessions per week from {old} to {new}.").format(
                    old=old.sessions_per_week, new=new.sessions_per_week
                ),
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
