"""Everything a person has stored, as one FHIR R4 ``Bundle`` of type ``collection``.

Built with the ``fhir.resources`` R4B models (FHIR 4.3, whose resources used
here are those of R4), each validated as it is made. The Bundle holds:

- a ``Patient``, pseudonymous: an id and identifier derived from the account
  (``services.fhir_base.Ids``), no name and no e-mail. backcoach stores no
  person's name (an account's ``name`` is its sign-in handle: "local", or in
  clinic mode the e-mail), so there is none to export; the e-mail stays out
  even of a patient's own export, as the file is made to be handed on;
- each pain check-in as an ``Observation`` coded LOINC 72514-3 (pain severity,
  0-10 verbal numeric rating, reported) with ``valueInteger``, the time, and
  ``bodySite`` from where it hurt (SNOMED CT 37822005 lower back, 45048000
  neck, or in words "elsewhere"). The category is ``survey``, not
  ``vital-signs``: the person reports the number, and pain is not one of FHIR's
  vital signs. A check-in on a session is ``partOf`` that session's Procedure;
  when in the session and the effort go in ``note``;
- questionnaires (``services.fhir_questionnaires``) and the program and
  sessions (``services.fhir_activity``).

Only the rows of ``user_id`` are read, so in clinic mode a patient's export
holds their data and nobody else's. Resource ids are stable (see
``fhir_base``): two exports of the same data differ only in the timestamp.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime

from fhir.resources.R4B.annotation import Annotation
from fhir.resources.R4B.bundle import Bundle
from fhir.resources.R4B.codeableconcept import CodeableConcept
from fhir.resources.R4B.identifier import Identifier
from fhir.resources.R4B.observation import Observation
from fhir.resources.R4B.patient import Patient
from fhir.resources.R4B.resource import Resource
from sqlalchemy import select
from sqlalchemy.orm import Session

from backcoach.coach.plan import default_step
from backcoach.content import Catalog, Length
from backcoach.i18n import use_language
from backcoach.services.clinic_programs import program_for
from backcoach.services.fhir_activity import FollowedProgram, care_plan, procedure
from backcoach.services.fhir_base import (
    BACKCOACH,
    LOINC,
    SNOMED,
    Ids,
    concept,
    entry,
    reference,
    survey_category,
)
from backcoach.services.fhir_questionnaires import (
    STARTBACK,
    own_answered,
    questionnaire_resource,
    response_resource,
    startback_observations,
)
from backcoach.services.preferences import load_preferences
from backcoach.store import (
    CheckIn,
    CheckinPhase,
    PainLocation,
    QuestionnaireResponse,
    StepEvent,
    User,
    WorkoutSession,
    local_user,
)

#: The language of the exported records (their texts, the codes' displays).
FHIR_LANGUAGE = "en"
PAIN_SEVERITY = ("72514-3", "Pain severity - 0-10 verbal numeric rating [Score] - Reported")
BODY_SITES = {
    PainLocation.LOW_BACK: ("37822005", "Lower back structure"),
    PainLocation.NECK: ("45048000", "Neck structure"),
}
_PHASES = {
    CheckinPhase.BEFORE: "Before a session",
    CheckinPhase.DURING: "During a session",
    CheckinPhase.AFTER: "After a session",
}


def _patient(user: User, ids: Ids) -> Patient:
    return Patient(
        id=ids.patient,
        identifier=[Identifier(system=f"{BACKCOACH}/patient", value=ids.patient)],
        active=user.disabled_at is None,
    )


def _body_site(location: PainLocation) -> CodeableConcept:
    site = BODY_SITES.get(location)
    if site is None:
        return CodeableConcept(text="Elsewhere (not the lower back or neck)")
    return concept(SNOMED, *site)


def _checkin_note(checkin: CheckIn, catalog: Catalog) -> str:
    words = _PHASES[checkin.phase]
    if checkin.exercise_id is not None:
        exercise = catalog.exercises.get(checkin.exercise_id)
        words += f", at {exercise.name if exercise else checkin.exercise_id}"
    if checkin.effort is not None:
        words += f"; effort {checkin.effort}/10"
    return words + "."


def pain_observation(checkin: CheckIn, ids: Ids, catalog: Catalog) -> Observation:
    """A pain check-in as an Observation (see the module docstring)."""
    session = checkin.session_id
    return Observation(
        id=ids.of("pain", checkin.id),
        status="final",
        category=survey_category(),
        code=concept(LOINC, *PAIN_SEVERITY),
        subject=reference(ids.patient),
        effectiveDateTime=checkin.at,
        valueInteger=checkin.pain,
        bodySite=_body_site(checkin.location),
        partOf=[reference(ids.of("procedure", session))] if session is not None else None,
        note=[Annotation(text=_checkin_note(checkin, catalog))],
    )


def followed_program(
    db: Session,
    *,
    user_id: int,
    catalog: Catalog,
    latest: WorkoutSession | None,
) -> FollowedProgram | None:
    """The program the person follows: their clinician's (newest version, at the length
    they chose), else that of their latest session when the content still has it; None
    before the first session."""
    assigned = program_for(db, user_id=user_id, catalog=catalog)
    if assigned is not None:
        catalog = assigned.catalog
        program = catalog.program(assigned.program_id)
        length: Length | None = load_preferences(db, user_id=user_id).session_length
        title = assigned.label
    elif latest is not None and latest.program_id in catalog.programs:
        program = catalog.program(latest.program_id)
        length = next((n for n in Length if n == latest.length), None)
        title = program.name
    else:
        return None
    if length is None or length not in program.lengths:
        length = next(iter(program.lengths))
    return FollowedProgram(
        program_id=program.id if assigned is None else assigned.program_id,
        title=title,
        description=program.description,
        length=length,
        steps=tuple(default_step(catalog.exercise(s.exercise), s) for s in program.lengths[length]),
    )


def fhir_bundle(db: Session, *, user_id: int, now: datetime, catalog: Catalog) -> Bundle:
    """The FHIR Bundle of everything ``user_id`` has stored (read only).

    Raises:
        LookupError: there is no user ``user_id``.
    """
    user = db.get(User, user_id)
    if user is None:
        raise LookupError(f"There is no user {user_id}.")
    ids = Ids(user)
    sessions = list(
        db.scalars(
            select(WorkoutSession)
            .where(WorkoutSession.user_id == user_id)
            .order_by(WorkoutSession.started_at, WorkoutSession.id)
        )
    )
    steps: defaultdict[int, list[StepEvent]] = defaultdict(list)
    for step in db.scalars(
        select(StepEvent)
        .join(WorkoutSession)
        .where(WorkoutSession.user_id == user_id)
        .order_by(StepEvent.session_id, StepEvent.step_index)
    ):
        steps[step.session_id].append(step)
    checkins = db.scalars(
        select(CheckIn).where(CheckIn.user_id == user_id).order_by(CheckIn.at, CheckIn.id)
    )
    responses = list(
        db.scalars(
            select(QuestionnaireResponse)
            .where(QuestionnaireResponse.user_id == user_id)
            .order_by(QuestionnaireResponse.taken_at, QuestionnaireResponse.id)
        )
    )

    resources: list[Resource] = [_patient(user, ids)]
    latest = sessions[-1] if sessions else None
    program = followed_program(db, user_id=user_id, catalog=catalog, latest=latest)
    plan_of: dict[str, str] = {}
    titles = {p.id: p.name for p in catalog.programs.values()}
    if program is not None:
        plan, requests = care_plan(program, ids, since=sessions[0].started_at if sessions else None)
        resources += [plan, *requests]
        plan_of[program.program_id] = str(plan.id)
        titles[program.program_id] = program.title
    resources += [
        procedure(s, steps[s.id], ids, catalog=catalog, titles=titles, plan_of=plan_of)
        for s in sessions
    ]
    resources += [pain_observation(c, ids, catalog) for c in checkins]
    resources += [questionnaire_resource(name) for name in own_answered(responses)]
    for row in responses:
        resources.append(response_resource(row, ids))
        if row.name == STARTBACK:
            resources += startback_observations(row, ids)
    return Bundle(
        language=FHIR_LANGUAGE,
        type="collection",
        timestamp=now,
        entry=[entry(resource) for resource in resources],
    )


def fhir_json(db: Session, *, user_id: int, now: datetime, catalog: Catalog) -> str:
    """``fhir_bundle`` as FHIR JSON text (indented, so it reads and diffs well).

    A record for a clinic's system is written in ``FHIR_LANGUAGE`` whatever the
    reader's language, as the codes' displays are: pass the content in that language.
    """
    with use_language(FHIR_LANGUAGE):
        bundle = fhir_bundle(db, user_id=user_id, now=now, catalog=catalog)
        return bundle.model_dump_json(indent=2) + "\n"


def local_fhir_json(db: Session, *, now: datetime, catalog: Catalog) -> str:
    """The local user's ``fhir_json``; on a new install the local user is created first
    (committed), as on the app's first start, so the Bundle has its Patient."""
    user = local_user(db)
    db.commit()
    return fhir_json(db, user_id=user.id, now=now, catalog=catalog)
