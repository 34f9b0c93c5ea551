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
from backcoach.services.program_definition import (
    DOSE_FIELDS,
    FIELD_WORDS,
    LENGTH_WORDS,
    VARIANTS,
    ProgramDefinition,
    full_dose,
)

MAX_FORM_STEPS = 40  # a little above the definition's limit, so the check can say so


@dataclass(frozen=True)
class DoseInput:
    field: str
    label: str
    value: str
    min: float
    max: float
    whole: bool  # sets and reps take whole numbers


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
                label=FIELD_WORDS[field],
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
                        "easier": exercise.easier.name,
                        "standard": "as described",
                        "harder": exercise.harder.name,
                    },
                )
            )
        shown.append(LengthRows(length=str(length), title=LENGTH_WORDS[length], rows=tuple(rows)))
    return shown


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
    verb, _, rest = action.partition(" ")
    length, _, number = rest.partition(" ")
    if length not in {str(x) for x in Length}:
        return ""
    steps: list[dict[str, Any]] = draft["lengths"][length]
    words = LENGTH_WORDS[Length(length)].lower()
    if verb == "add":
        exercise = catalog.exercises.get(form.get(f"{length}-add", ""))
        if exercise is None:
            return "Choose an exercise to add first."
        dose = full_dose(exercise).model_dump(mode="json")
        steps.append({"exercise": exercise.id, "dose": dose, "variant": "standard"})
        return f"Added {exercise.name} at the end of the {words}."
    try:
        index = int(number)
    except ValueError:
        return ""
    if not 0 <= index < len(steps):
        return ""
    name = _name(catalog, steps[index])
    if verb == "remove":
        steps.pop(index)
        return f"Removed {name} from the {words}."
    target = index - 1 if verb == "up" else index + 1
    if verb not in ("up", "down") or not 0 <= target < len(steps):
        return ""
    steps[index], steps[target] = steps[target], steps[index]
    return f"Moved {name} {verb} to step {target + 1}."


def _name(catalog: Catalog, step: Mapping[str, Any]) -> str:
    exercise = catalog.exercises.get(str(step.get("exercise")))
    return exercise.name if exercise is not None else str(step.get("exercise"))


def exercise_choices(catalog: Catalog) -> list[tuple[str, str]]:
    """(id, name) of every exercise a step may use, by name."""
    return sorted(((e.id, e.name) for e in catalog.exercises.values()), key=lambda c: c[1])
