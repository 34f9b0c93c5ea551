"""The program editor's form: a draft definition read from the posted fields, and rows to show.

The editor is one form holding the whole draft (every step's exercise, dose and
variant, the details and the note). The step buttons (up, down, remove, add)
post it back and get the changed draft, not saved yet; only "Save" makes a new
version. Field names: ``{length}-{index}-{field}`` (``short-0-reps``), with
``{length}-count`` steps per length and ``{length}-add`` for the exercise to add.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from backcoach.content import Catalog, Exercise, Length
from backcoach.i18n import N_, _, format_number
from backcoach.services.program_definition import (
    DOSE_FIELDS,
    VARIANTS,
    ProgramDefinition,
    full_dose,
)

MAX_FORM_STEPS = 40  # a little above the definition's limit, so the check can say so
#: What the editor calls each part, translated where shown.
DOSE_LABELS = {
    "sets": N_("sets"),
    "reps": N_("repetitions"),
    "hold_s": N_("hold (seconds)"),
    "duration_s": N_("duration (seconds)"),
}
LENGTH_TITLES = {Length.SHORT: N_("Short session"), Length.FULL: N_("Full session")}
#: A length as the object of a sentence ("Removed Bird dog from the short session.").
LENGTH_IN = {Length.SHORT: N_("the short session"), Length.FULL: N_("the full session")}
VARIANT_WORDS = {"easier": N_("easier"), "standard": N_("standard"), "harder": N_("harder")}


@dataclass(frozen=True)
class DoseInput:
    field: str
    label: str
    value: str
    min: float
    max: float
    whole: bool  # sets and reps take whole numbers

    @property
    def shown_min(self) -> str:
        return _shown(self.min)

    @property
    def shown_max(self) -> str:
        return _shown(self.max)


def _shown(amount: float) -> str:
    """An amount as the locale writes it, without a decimal when it is whole (8, 7.5 / 7,5)."""
    return format_number(amount, digits=0 if float(amount).is_integer() else 1)


@dataclass(frozen=True)
class StepRow:
    index: int  # from 0
    exercise_id: str
    name: str
    doses: tuple[DoseInput, ...]
    variant: str
    variant_names: Mapping[str, str]  # variant -> what it is for this exercise


@dataclass(frozen=True)
class LengthRows:
    length: str
    title: str
    rows: tuple[StepRow, ...]
    add_label: str  # the label of the select that adds an exercise to this length


def _text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _rows(exercise: Exercise, raw_dose: Mapping[str, Any]) -> tuple[DoseInput, ...]:
    inputs = []
    for field in DOSE_FIELDS:
        amount = getattr(exercise.dosage, field)
        if amount is None:
            continue
        inputs.append(
            DoseInput(
                field=field,
                label=_(DOSE_LABELS[field]),
                value=_text(raw_dose.get(field)),
                min=amount.min,
                max=amount.max,
                whole=field in ("sets", "reps"),
            )
        )
    return tuple(inputs)


def editor_rows(draft: Mapping[str, Any], catalog: Catalog) -> list[LengthRows]:
    """The steps of a draft (valid or not) as rows with their allowed ranges."""
    shown = []
    for length in Length:
        rows = []
        for index, step in enumerate(draft.get("lengths", {}).get(str(length), [])):
            exercise = catalog.exercises.get(str(step.get("exercise")))
            if exercise is None:
                continue  # only the select's known ids come back
            rows.append(
                StepRow(
                    index=index,
                    exercise_id=exercise.id,
                    name=exercise.name,
                    doses=_rows(exercise, step.get("dose") or {}),
                    variant=str(step.get("variant") or "standard"),
                    variant_names={
                        "easier": _variant("easier", _(exercise.easier.name)),
                        "standard": _variant("standard", _("as described")),
                        "harder": _variant("harder", _(exercise.harder.name)),
                    },
                )
            )
        shown.append(
            LengthRows(
                length=str(length),
                title=_(LENGTH_TITLES[length]),
                rows=tuple(rows),
                add_label=_("Add an exercise to {length}").format(length=_(LENGTH_IN[length])),
            )
        )
    return shown


def _variant(variant: str, what: str) -> str:
    """A variant's choice in the select: "easier: Knee rolls"."""
    return f"{_(VARIANT_WORDS[variant])}: {what}"


def draft_of(definition: ProgramDefinition) -> dict[str, Any]:
    """A saved definition as a draft (plain JSON data)."""
    return definition.model_dump(mode="json")


def _number(text: str) -> str | None:
    """A form value for pydantic to read ("8", "4.5"), or None when left empty."""
    text = text.strip()
    return text or None


def draft_from_form(form: Mapping[str, str]) -> dict[str, Any]:
    """The draft the editor posted (the check happens when it is saved)."""
    lengths: dict[str, list[dict[str, Any]]] = {}
    for length in Length:
        try:
            count = min(int(form.get(f"{length}-count", "0")), MAX_FORM_STEPS)
        except ValueError:
            count = 0
        steps = []
        for index in range(max(count, 0)):
            prefix = f"{length}-{index}-"
            exercise = form.get(prefix + "exercise", "")
            if not exercise:
                continue
            variant = form.get(prefix + "variant", "standard")
            steps.append(
                {
                    "exercise": exercise,
                    "dose": {f: _number(form.get(prefix + f, "")) for f in DOSE_FIELDS},
                    "variant": variant if variant in VARIANTS else "standard",
                }
            )
        lengths[str(length)] = steps
    return {
        "name": form.get("name", "").strip(),
        "description": form.get("description", "").strip(),
        "sessions_per_week": form.get("sessions_per_week", "").strip(),
        "lengths": lengths,
    }


def apply_action(
    draft: dict[str, Any], action: str, form: Mapping[str, str], catalog: Catalog
) -> str:
    """Apply a step button ("up short 3", "remove full 0", "add short") to the draft.

    Returns what happened in words (shown with "not saved yet").
    """
    verb, _space, rest = action.partition(" ")
    length, _space, number = rest.partition(" ")
    if length not in {str(x) for x in Length}:
        return ""
    steps: list[dict[str, Any]] = draft["lengths"][length]
    where = _(LENGTH_IN[Length(length)])
    if verb == "add":
        exercise = catalog.exercises.get(form.get(f"{length}-add", ""))
        if exercise is None:
            return _("Choose an exercise to add first.")
        dose = full_dose(exercise).model_dump(mode="json")
        steps.append({"exercise": exercise.id, "dose": dose, "variant": "standard"})
        return _("Added {name} at the end of {length}.").format(name=exercise.name, length=where)
    try:
        index = int(number)
    except ValueError:
        return ""
    if not 0 <= index < len(steps):
        return ""
    name = _name(catalog, steps[index])
    if verb == "remove":
        steps.pop(index)
        return _("Removed {name} from {length}.").format(name=name, length=where)
    target = index - 1 if verb == "up" else index + 1
    if verb not in ("up", "down") or not 0 <= target < len(steps):
        return ""
    steps[index], steps[target] = steps[target], steps[index]
    moved = (
        _("Moved {name} up to step {step}.")
        if verb == "up"
        else _("Moved {name} down to step {step}.")
    )
    return moved.format(name=name, step=target + 1)


def _name(catalog: Catalog, step: Mapping[str, Any]) -> str:
    exercise = catalog.exercises.get(str(step.get("exercise")))
    return exercise.name if exercise is not None else str(step.get("exercise"))


def exercise_choices(catalog: Catalog) -> list[tuple[str, str]]:
    """(id, name) of every exercise a step may use, by name."""
    return sorted(((e.id, e.name) for e in catalog.exercises.values()), key=lambda c: c[1])
