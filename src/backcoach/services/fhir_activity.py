"""The exercise program and the sessions done in the FHIR export.

- The program the person follows is a ``CarePlan`` (status active, intent plan,
  subject the Patient) whose activities reference one ``ServiceRequest`` per
  exercise, each coded SNOMED CT 229065009 "Exercise therapy", the exercise's
  name in ``code.text`` and its variant and dose in words in ``orderDetail``
  ("Glute bridge, standard variant: 2 sets of 8, holding each for 3 seconds").
- Each session is a ``Procedure`` coded SNOMED CT 229065009 too. Its status
  follows the session's: completed -> ``completed``; in progress ->
  ``in-progress``; quit or abandoned -> ``stopped`` when at least one exercise
  was done, else ``not-done`` (FHIR's event status: terminated before any of
  the main activity). ``performedPeriod`` runs from the session's start to its
  end. What was done is kept as plain text in ``note``, FHIR's place for what
  has no coded element: one Annotation for the whole session (steps done of
  planned, active minutes, pain before and after, effort) and one per step,
  timed when the step was recorded, with its reps (and whether the camera
  counted them), hold, duration, pain during it and the camera's form notes.
  No extensions and no ``usedCode``: any FHIR reader shows notes as they are.
  A session of the program in the CarePlan is ``basedOn`` it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from fhir.resources.R4B.annotation import Annotation
from fhir.resources.R4B.careplan import CarePlan, CarePlanActivity
from fhir.resources.R4B.codeableconcept import CodeableConcept
from fhir.resources.R4B.period import Period
from fhir.resources.R4B.procedure import Procedure
from fhir.resources.R4B.servicerequest import ServiceRequest

from backcoach.coach.cues import dose_words
from backcoach.coach.plan import PlannedStep
from backcoach.content import Catalog, Length
from backcoach.services.fhir_base import SNOMED, Ids, concept, reference
from backcoach.store import SessionStatus, StepEvent, StepSource, StepStatus, WorkoutSession

EXERCISE_THERAPY = ("229065009", "Exercise therapy")

_STATUS_REASON = {
    SessionStatus.QUIT: "Ended before the last exercise.",
    SessionStatus.ABANDONED: "Left unfinished and not resumed.",
}


@dataclass(frozen=True)
class FollowedProgram:
    """The program a person follows: its id, name, the length chosen and its exercises
    at their dose."""

    program_id: str
    title: str
    description: str
    length: Length
    steps: tuple[PlannedStep, ...]


def care_plan(
    program: FollowedProgram, ids: Ids, *, since: datetime | None
) -> tuple[CarePlan, list[ServiceRequest]]:
    """The program as a CarePlan and its exercises as ServiceRequests (``since``: the first
    session, the start of the plan's period)."""
    plan_id = ids.of("care-plan", program.program_id)
    requests = [
        ServiceRequest(
            id=ids.of("service-request", f"{program.program_id}/{program.length}/{index}"),
            status="active",
            intent="plan",
            subject=reference(ids.patient),
            basedOn=[reference(plan_id)],
            code=concept(SNOMED, *EXERCISE_THERAPY, text=step.name),
            orderDetail=[
                CodeableConcept(
                    text=f"{step.name}, {step.variant} variant: {dose_words(step)}",
                )
            ],
        )
        for index, step in enumerate(program.steps)
    ]
    plan = CarePlan(
        id=plan_id,
        status="active",
        intent="plan",
        title=f"{program.title} ({program.length})",
        description=program.description,
        subject=reference(ids.patient),
        period=Period(start=since) if since is not None else None,
        activity=[CarePlanActivity(reference=reference(str(request.id))) for request in requests],
    )
    return plan, requests


def _status(session: WorkoutSession, steps: Sequence[StepEvent]) -> str:
    if session.status is SessionStatus.COMPLETED:
        return "completed"
    if session.status is SessionStatus.IN_PROGRESS:
        return "in-progress"
    return "stopped" if any(s.status is StepStatus.COMPLETED for s in steps) else "not-done"


def _seconds(value: float) -> str:
    whole = round(value)
    if whole < 60:
        return f"{whole} s"
    return f"{whole // 60} min {whole % 60} s" if whole % 60 else f"{whole // 60} min"


def _step_name(session: WorkoutSession, step: StepEvent, catalog: Catalog) -> str:
    """The step's name as planned, else the exercise's name in the content, else its id."""
    planned = session.plan.get("steps")
    if isinstance(planned, list) and 0 <= step.step_index < len(planned):
        entry = planned[step.step_index]
        if isinstance(entry, dict) and isinstance(entry.get("name"), str):
            return str(entry["name"])
    exercise = catalog.exercises.get(step.exercise_id)
    return exercise.name if exercise is not None else step.exercise_id


def _form_notes(faults: list[dict[str, Any]] | None) -> str:
    notes = []
    for fault in faults or []:
        message = str(fault.get("message") or fault.get("code") or "")
        count = fault.get("count")
        times = f" ({count} times)" if isinstance(count, int) and count > 1 else ""
        notes.append(f"{message}{times}")
    return "; form notes: " + " ".join(notes) if notes else ""


def step_note(session: WorkoutSession, step: StepEvent, catalog: Catalog) -> str:
    """One step in words, e.g. "Step 2, Glute bridge (standard variant): completed; 8 reps
    counted by the camera; 1 min 30 s; form notes: Keep your hips level. (2 times)"."""
    parts = [str(step.status)]
    if step.reps is not None:
        counted = " counted by the camera" if step.source is StepSource.CAMERA else ""
        parts.append(f"{step.reps} rep{'s' if step.reps != 1 else ''}{counted}")
    if step.hold_s:
        parts.append(f"held {_seconds(step.hold_s)}")
    if step.duration_s:
        parts.append(_seconds(step.duration_s))
    if step.pain is not None:
        parts.append(f"pain {step.pain}/10 during it")
    name = _step_name(session, step, catalog)
    return (
        f"Step {step.step_index + 1}, {name} ({step.variant} variant): "
        + "; ".join(parts)
        + _form_notes(step.faults)
    )


def _summary(session: WorkoutSession, steps: Sequence[StepEvent], title: str) -> str:
    planned = session.plan.get("steps")
    total = len(planned) if isinstance(planned, list) else len(steps)
    done = sum(1 for s in steps if s.status is StepStatus.COMPLETED)
    skipped = sum(1 for s in steps if s.status is StepStatus.SKIPPED)
    parts = [f"{title} ({session.length}): {done} of {total} exercises done"]
    if skipped:
        parts.append(f"{skipped} skipped")
    active = sum(s.duration_s or 0.0 for s in steps)
    if active:
        parts.append(f"active time {_seconds(active)}")
    if session.pain_before is not None:
        parts.append(f"pain before {session.pain_before}/10")
    if session.pain_after is not None:
        parts.append(f"pain after {session.pain_after}/10")
    if session.effort is not None:
        parts.append(f"effort {session.effort}/10")
    return "; ".join(parts) + "."


def procedure(
    session: WorkoutSession,
    steps: Sequence[StepEvent],
    ids: Ids,
    *,
    catalog: Catalog,
    titles: Mapping[str, str],
    plan_of: Mapping[str, str],
) -> Procedure:
    """The session as a Procedure (see the module docstring).

    ``titles``: program id -> its name; ``plan_of``: program id -> the id of the
    CarePlan of that program, when the export has one.
    """
    title = titles.get(session.program_id, session.program_id)
    status = _status(session, steps)
    notes = [Annotation(text=_summary(session, steps, title), time=session.started_at)]
    notes += [Annotation(text=step_note(session, s, catalog), time=s.at) for s in steps]
    plan_id = plan_of.get(session.program_id)
    reason = _STATUS_REASON.get(session.status)
    return Procedure(
        id=ids.of("procedure", session.id),
        status=status,
        statusReason=CodeableConcept(text=reason) if reason and status != "completed" else None,
        code=concept(SNOMED, *EXERCISE_THERAPY, text=f"Exercise session: {title}"),
        subject=reference(ids.patient),
        basedOn=[reference(plan_id)] if plan_id is not None else None,
        performedPeriod=Period(start=session.started_at, end=session.ended_at),
        note=notes,
    )
