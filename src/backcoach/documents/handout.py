"""Printable handouts: one exercise, or a whole program, to take home on paper.

Each exercise shows the stick figures of its key positions (the same drawings
as the exercise pages, ``content.illustration``), its starting position and
steps, the dose, breathing, common mistakes, the safety notes, "do not do it if"
and a row of boxes to tick, one per day of a week. A program's handout lists
its steps in order with the dose of its plan (``coach.plan.plan_from_program``)
and then one such section per step; a section is kept on one page.

A handout is in the language in use; the exercises' own texts come from the
catalog its caller gives (the web's and the CLI's follow the language too).
"""

from __future__ import annotations

import base64
from dataclasses import dataclass
from datetime import date, timedelta

from markupsafe import Markup
from sqlalchemy.orm import Session

from backcoach.coach.cues import dose_words, seconds_words
from backcoach.coach.plan import PlannedStep, VariantLevel, default_step, plan_from_program
from backcoach.content import Catalog, Exercise, Kind, Length, Variant
from backcoach.content.illustration import render_strip_svgs
from backcoach.documents.pdf import render_pdf
from backcoach.errors import UsageError
from backcoach.i18n import N_, _, format_date
from backcoach.services.clinic_exercises import exercise_image, visible_exercise

_A_MONDAY = date(2024, 1, 1)
#: A program handout's title for each length of session.
LENGTH_TITLES = {
    Length.SHORT: N_("{program}: short session"),
    Length.FULL: N_("{program}: full session"),
}


def weekdays() -> tuple[str, ...]:
    """The tick boxes' column heads, Monday first: ``Mon`` ... ``Sun`` (German ``Mo`` ...)."""
    return tuple(format_date(_A_MONDAY + timedelta(days=n), "EEE") for n in range(7))


@dataclass(frozen=True)
class Figure:
    """One key position: its drawing and its caption (``1 · start``)."""

    svg: Markup
    caption: str


@dataclass(frozen=True)
class DosePart:
    """One figure of the dose, such as ``Sets: 2`` or ``Hold: 5 seconds``."""

    label: str
    value: str


@dataclass(frozen=True)
class HandoutExercise:
    """What the handout shows of one exercise at one dose."""

    exercise: Exercise
    number: int | None  # its place in a program; None on a one-exercise handout
    figures: tuple[Figure, ...]
    picture: str | None  # a clinician's picture of the exercise (a data: URL), shown instead
    dose: tuple[DosePart, ...]
    dose_sentence: str
    variant: Variant | None  # the easier or harder variant a program asks for

    @property
    def anchor(self) -> str:
        """The section's id, for the program's list of steps to link to."""
        return f"step-{self.number or 1}"


def _figures(exercise: Exercise) -> tuple[Figure, ...]:
    pictures = render_strip_svgs(exercise)
    return tuple(
        Figure(svg=Markup(svg), caption=f"{index} · {keyframe.name}")
        for index, (svg, keyframe) in enumerate(zip(pictures, exercise.keyframes, strict=True), 1)
    )


def _dose_parts(step: PlannedStep) -> tuple[DosePart, ...]:
    parts = [DosePart(_("Sets"), str(step.sets))]
    if step.reps is not None and step.kind in (Kind.REPS, Kind.BREATHING):
        label = _("Breaths") if step.kind is Kind.BREATHING else _("Reps")
        parts.append(DosePart(label, str(step.reps)))
    if step.hold_s:
        parts.append(DosePart(_("Hold"), seconds_words(step.hold_s)))
    if step.duration_s and step.kind is Kind.TIMED:
        parts.append(DosePart(_("Time"), seconds_words(step.duration_s)))
    if step.per_side:
        parts.append(DosePart(_("Sides"), _("each side")))
    if step.sets > 1 and step.rest_s:
        parts.append(DosePart(_("Rest between sets"), seconds_words(step.rest_s)))
    return tuple(parts)


def _variant(exercise: Exercise, level: VariantLevel) -> Variant | None:
    if level is VariantLevel.EASIER:
        return exercise.easier
    if level is VariantLevel.HARDER:
        return exercise.harder
    return None


def handout_exercise(
    exercise: Exercise,
    step: PlannedStep,
    number: int | None,
    *,
    picture: tuple[bytes, str] | None = None,
) -> HandoutExercise:
    """The handout's section for ``exercise`` done at ``step``'s dose.

    ``picture`` (its bytes and media type) replaces the stick figures, as on
    the page of a clinician's exercise that has one.
    """
    sentence = dose_words(step)
    return HandoutExercise(
        exercise=exercise,
        number=number,
        figures=() if picture else _figures(exercise),
        picture=_data_url(*picture) if picture else None,
        dose=_dose_parts(step),
        dose_sentence=sentence[0].upper() + sentence[1:] + ".",
        variant=_variant(exercise, step.variant),
    )


def _data_url(data: bytes, media_type: str) -> str:
    return f"data:{media_type};base64,{base64.b64encode(data).decode('ascii')}"


def exercise_handout(exercise: Exercise | LibraryExercise) -> bytes:
    """A one-exercise handout (PDF) at the exercise's default dose.

    A clinician's exercise (a ``LibraryExercise``) shows their picture, if it
    has one, instead of the stick figures, and says that they wrote it.
    """
    chosen = exercise if isinstance(exercise, LibraryExercise) else LibraryExercise(exercise)
    step = default_step(chosen.exercise)
    item = handout_exercise(chosen.exercise, step, None, picture=chosen.picture)
    return render_pdf(
        "handout_exercise.html",
        {"item": item, "weekdays": weekdays(), "from_clinician": chosen.from_clinician},
        title=_("{name}: exercise handout").format(name=chosen.exercise.name),
    )


@dataclass(frozen=True)
class LibraryExercise:
    """An exercise of the user's library, with what its handout adds for a clinician's one."""

    exercise: Exercise
    picture: tuple[bytes, str] | None = None  # the clinician's picture: bytes, media type
    from_clinician: bool = False


def library_exercise(
    db: Session, catalog: Catalog, *, user_id: int, exercise_id: str
) -> LibraryExercise:
    """A built-in exercise, or a clinician's exercise ``user_id`` may see.

    Raises:
        LookupError: no such exercise, or not one this user may see.
    """
    if exercise_id in catalog.exercises:
        return LibraryExercise(catalog.exercise(exercise_id))
    info = visible_exercise(db, user_id=user_id, exercise_id=exercise_id)
    picture = (
        exercise_image(db, user_id=user_id, exercise_id=exercise_id) if info.has_image else None
    )
    return LibraryExercise(info.exercise, picture, from_clinician=True)


def _program_length(catalog: Catalog, program_id: str, length: str) -> Length:
    if program_id not in catalog.programs:
        raise UsageError(
            _("There is no program called '{program}'; choose one of: {programs}.").format(
                program=program_id, programs=", ".join(catalog.programs)
            )
        )
    lengths = [each.value for each in catalog.program(program_id).lengths]
    if length not in lengths:
        raise UsageError(
            _("The program '{program}' has no '{length}' length; choose one of: {lengths}.").format(
                program=program_id, length=length, lengths=", ".join(lengths)
            )
        )
    return Length(length)


def program_handout(catalog: Catalog, program_id: str, length: str) -> bytes:
    """A whole program's handout (PDF): its steps in order, each with its dose.

    Raises:
        UsageError: an unknown program, or a length the program does not have
            (the message lists the valid ones).
    """
    chosen = _program_length(catalog, program_id, length)
    program = catalog.program(program_id)
    plan = plan_from_program(catalog, program_id, chosen)
    items = [
        handout_exercise(catalog.exercise(step.exercise_id), step, number)
        for number, step in enumerate(plan.steps, 1)
    ]
    return render_pdf(
        "handout_program.html",
        {
            "program": program,
            "items": items,
            "minutes": max(1, round(plan.estimated_minutes())),
            "weekdays": weekdays(),
        },
        title=_(LENGTH_TITLES[chosen]).format(program=program.name),
    )
