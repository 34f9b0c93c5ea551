"""Clinic mode: a clinician's program templates, their versions, and the patients who follow them.

- A template starts from a built-in program (``back-basics``) as version 1.
  Every edit (add, remove, move a step, a dose, a variant, the sessions per
  week) saves a NEW version numbered one higher, with an optional note;
  versions are never changed. The definition format and the safe-range rule
  (each dose within its exercise's own minimum and maximum from the content)
  are in ``services.program_definition``.
- A clinician assigns a template to one of their own patients (one program per
  patient). The patient's plan follows the template's NEWEST version, so
  editing an assigned template changes the patient's next session, and each
  session row stores the ``program_version_id`` it followed: the history keeps
  which version every session used.
- Scope: a clinician sees and changes only their own templates and patients
  (an admin: all); anything else is "not found" (``LookupError``), with no hint
  that it exists. Every change to a patient's program (assign, unassign, a new
  version of their template) is written to the audit log in the same
  transaction, and bumps the patient's revision so their cached pages follow.

**Exercises**: a step may use a built-in exercise or one of the template
owner's own exercises (``services.clinic_exercises``; the same safe-range
rule). If such an exercise is deleted later, its steps are left out of the
patient's plan (and the editor), so a plan never names an exercise that is
gone; a patient's cached plan picks up a changed clinic exercise with their
next write or the next change to their program.

**A new version restarts changed steps** (``AssignedProgram.history``): the
planner carries each exercise on from the dose it was last done at. For a
clinician's program that history counts only for an exercise whose
prescription (its steps' doses and variants) is the same in the version the
session used as in the newest one; an exercise the clinician changed starts
again from the new prescription. An exercise that hurt or had pain reported
during it always keeps its history, so the planner still eases it back.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from backcoach.coach.history import SessionRecord
from backcoach.content import Catalog, Length
from backcoach.i18n import N_, _
from backcoach.services import audit, page_cache
from backcoach.services.clinic import patient_of
from backcoach.services.clinic_exercises import clinic_exercises_for
from backcoach.services.program_definition import (
    Change,
    Edit,
    ProgramDefinition,
    ProgramError,
    apply_edits,
    check_definition,
    diff,
    from_program,
    prescription,
)
from backcoach.store import (
    CareLink,
    ProgramAssignment,
    ProgramTemplate,
    ProgramVersion,
    Role,
    User,
)
from backcoach.store.revision import mark_changed

logger = logging.getLogger(__name__)

DEFAULT_BASE = "back-basics"
#: Sessions a week a new template asks for ("most days").
DEFAULT_SESSIONS_PER_WEEK = 5
#: Version 1's note, stored in English and translated where shown (``shown_note``).
STARTED_FROM = N_("Started from the built-in program “{name}”.")
_STARTED_FROM = re.compile(re.escape(STARTED_FROM).replace(re.escape("{name}"), "(?P<name>.+)"))


def program_id_of(template_id: int) -> str:
    """The program id sessions of a template are stored under (the same for every version)."""
    return f"clinic-{template_id}"


@dataclass(frozen=True)
class VersionInfo:
    id: int
    number: int
    created_at: datetime
    note: str
    author: str | None  # e-mail of whoever saved it
    definition: ProgramDefinition

    @property
    def shown_note(self) -> str:
        """The note in the language in use: the note backcoach wrote for version 1
        is translated; a clinician's own note is shown as they wrote it."""
        started = _STARTED_FROM.fullmatch(self.note)
        return _(STARTED_FROM).format(name=started["name"]) if started else self.note


@dataclass(frozen=True)
class PatientRef:
    id: int
    email: str


@dataclass(frozen=True)
class TemplateInfo:
    """A template with its versions (newest first) and the patients following it."""

    id: int
    name: str
    base_program_id: str
    created_at: datetime
    versions: tuple[VersionInfo, ...]
    patients: tuple[PatientRef, ...]

    @property
    def newest(self) -> VersionInfo:
        return self.versions[0]

    def version(self, number: int) -> VersionInfo:
        for version in self.versions:
            if version.number == number:
                return version
        raise LookupError(number)


@dataclass(frozen=True)
class TemplateSummary:
    id: int
    name: str
    base_program_id: str
    newest_number: int
    patients: int


@dataclass(frozen=True)
class VersionDiff:
    from_number: int
    to_number: int
    changes: tuple[Change, ...]


# --- scope -------------------------------------------------------------------------------


def _staff(db: Session, user_id: int) -> User:
    user = db.get(User, user_id)
    if user is None or user.role not in (Role.CLINICIAN, Role.ADMIN):
        raise LookupError(user_id)  # only reachable by a bypassed gate: say nothing more
    return user


def _template(db: Session, staff: User, template_id: int, *, lock: bool = False) -> ProgramTemplate:
    query = select(ProgramTemplate).where(ProgramTemplate.id == template_id)
    if staff.role is not Role.ADMIN:
        query = query.where(ProgramTemplate.owner_id == staff.id)
    if lock:  # one new version number at a time (PostgreSQL; SQLite writes one at a time)
        query = query.with_for_update()
    template = db.scalar(query)
    if template is None:
        raise LookupError(template_id)
    return template


def _with_own_exercises(db: Session, owner_id: int, catalog: Catalog) -> Catalog:
    """The content plus the exercises ``owner_id`` wrote (an admin: every clinic exercise)."""
    extra = clinic_exercises_for(db, user_id=owner_id)
    if not extra:
        return catalog
    return replace(catalog, exercises={**catalog.exercises, **{e.id: e for e in extra}})


def editing_catalog(
    db: Session, *, clinician_id: int, template_id: int, catalog: Catalog
) -> Catalog:
    """The exercises a template's steps may use: built-in ones and its owner's own.

    Raises:
        LookupError: no such template, or another clinician's.
    """
    template = _template(db, _staff(db, clinician_id), template_id)
    return _with_own_exercises(db, template.owner_id, catalog)


def _version_info(row: ProgramVersion, authors: Mapping[int, str]) -> VersionInfo:
    return VersionInfo(
        id=row.id,
        number=row.number,
        created_at=row.created_at,
        note=row.note,
        author=authors.get(row.author_id) if row.author_id is not None else None,
        definition=_stored(row.definition),
    )


def _stored(raw: Mapping[str, Any]) -> ProgramDefinition:
    """A stored definition (checked when it was saved: only its shape is read again)."""
    return ProgramDefinition.model_validate(raw)


def _info(db: Session, template: ProgramTemplate) -> TemplateInfo:
    rows = list(
        db.scalars(
            select(ProgramVersion)
            .where(ProgramVersion.template_id == template.id)
            .order_by(ProgramVersion.number.desc())
        )
    )
    author_ids = {r.author_id for r in rows if r.author_id is not None}
    authors = {
        u.id: str(u.email or u.name)
        for u in db.scalars(select(User).where(User.id.in_(sorted(author_ids))))
    }
    patients = db.execute(
        select(User.id, User.email)
        .join(ProgramAssignment, ProgramAssignment.patient_id == User.id)
        .where(ProgramAssignment.template_id == template.id)
        .order_by(User.email)
    ).all()
    return TemplateInfo(
        id=template.id,
        name=template.name,
        base_program_id=template.base_program_id,
        created_at=template.created_at,
        versions=tuple(_version_info(r, authors) for r in rows),
        patients=tuple(PatientRef(id=p.id, email=str(p.email)) for p in patients),
    )


# --- templates and versions ----------------------------------------------------------------


def list_templates(db: Session, *, clinician_id: int) -> list[TemplateSummary]:
    """The clinician's templates (every one, for an admin), by name."""
    staff = _staff(db, clinician_id)
    newest = (
        select(ProgramVersion.template_id, func.max(ProgramVersion.number).label("number"))
        .group_by(ProgramVersion.template_id)
        .subquery()
    )
    followers = (
        select(ProgramAssignment.template_id, func.count().label("patients"))
        .group_by(ProgramAssignment.template_id)
        .subquery()
    )
    query = (
        select(ProgramTemplate, newest.c.number, followers.c.patients)
        .join(newest, newest.c.template_id == ProgramTemplate.id)
        .outerjoin(followers, followers.c.template_id == ProgramTemplate.id)
        .order_by(ProgramTemplate.name, ProgramTemplate.id)
    )
    if staff.role is not Role.ADMIN:
        query = query.where(ProgramTemplate.owner_id == staff.id)
    return [
        TemplateSummary(
            id=template.id,
            name=template.name,
            base_program_id=template.base_program_id,
            newest_number=int(number),
            patients=int(patients or 0),
        )
        for template, number, patients in db.execute(query)
    ]


def get_template(db: Session, *, clinician_id: int, template_id: int) -> TemplateInfo:
    """One of the clinician's templates with all its versions.

    Raises:
        LookupError: no such template, or another clinician's.
    """
    staff = _staff(db, clinician_id)
    return _info(db, _template(db, staff, template_id))


def create_template(
    db: Session,
    *,
    clinician_id: int,
    catalog: Catalog,
    now: datetime,
    base_program_id: str = DEFAULT_BASE,
    name: str | None = None,
) -> TemplateInfo:
    """A new template copied from a built-in program: version 1. Commits.

    Raises:
        ProgramError: no built-in program with that id, or a name that is not allowed.
    """
    staff = _staff(db, clinician_id)
    base = catalog.programs.get(base_program_id)
    if base is None:
        known = ", ".join(sorted(catalog.programs))
        raise ProgramError(
            _("There is no built-in program '{id}' (known: {known}).").format(
                id=base_program_id, known=known
            )
        )
    raw = from_program(base, catalog, sessions_per_week=DEFAULT_SESSIONS_PER_WEEK)
    if name is not None:
        raw["name"] = name
    definition = check_definition(raw, catalog)
    template = ProgramTemplate(
        owner_id=staff.id, name=definition.name, base_program_id=base.id, created_at=now
    )
    db.add(template)
    db.flush()
    db.add(
        ProgramVersion(
            template_id=template.id,
            number=1,
            created_at=now,
            author_id=staff.id,
            note=STARTED_FROM.format(name=base.name),
            definition=definition.model_dump(mode="json"),
        )
    )
    db.commit()
    return get_template(db, clinician_id=clinician_id, template_id=template.id)


def save_version(
    db: Session,
    *,
    clinician_id: int,
    template_id: int,
    catalog: Catalog,
    now: datetime,
    definition: Mapping[str, Any] | None = None,
    edits: Sequence[Edit] = (),
    note: str = "",
) -> VersionInfo:
    """A new version of the template: the full ``definition``, or the newest one with ``edits``.

    The version is numbered one above the newest; older versions stay as they
    were. Patients following the template get it from their next session on
    (their audit log says so). Commits.

    Raises:
        LookupError: no such template, or another clinician's.
        ProgramError: the definition or an edit is not valid (plain words: which step
            and field), or nothing changed.
    """
    staff = _staff(db, clinician_id)
    template = _template(db, staff, template_id, lock=True)
    catalog = _with_own_exercises(db, template.owner_id, catalog)
    newest = db.scalar(
        select(ProgramVersion)
        .where(ProgramVersion.template_id == template.id)
        .order_by(ProgramVersion.number.desc())
        .limit(1)
    )
    assert newest is not None  # a template is created with its version 1
    current = _stored(newest.definition)
    if definition is not None:
        changed = check_definition(definition, catalog)
        if edits:
            changed = apply_edits(changed, edits, catalog)
    else:
        changed = apply_edits(current, edits, catalog)
    if changed == current:
        raise ProgramError(
            _("Nothing changed since version {number}: there is no new version to save.").format(
                number=newest.number
            )
        )
    row = ProgramVersion(
        template_id=template.id,
        number=newest.number + 1,
        created_at=now,
        author_id=staff.id,
        note=note.strip()[:500],
        definition=changed.model_dump(mode="json"),
    )
    db.add(row)
    template.name = changed.name
    followers = db.scalars(
        select(User)
        .join(ProgramAssignment, ProgramAssignment.patient_id == User.id)
        .where(ProgramAssignment.template_id == template.id)
    )
    for patient in followers:
        audit.record(
            db,
            actor=staff,
            patient=patient,
            action=audit.CHANGED,
            detail=f"program “{changed.name}” now version {row.number}",
            now=now,
        )
        mark_changed(db, user_id=patient.id)
    db.commit()
    return _version_info(row, {staff.id: str(staff.email or staff.name)})


def diff_versions(
    db: Session,
    *,
    clinician_id: int,
    template_id: int,
    from_number: int,
    to_number: int,
    catalog: Catalog,
) -> VersionDiff:
    """What changed between two versions of one of the clinician's templates.

    Raises:
        LookupError: no such template (or another clinician's), or no such version.
    """
    staff = _staff(db, clinician_id)
    template = _template(db, staff, template_id)
    catalog = _with_own_exercises(db, template.owner_id, catalog)
    rows = {
        row.number: row
        for row in db.scalars(
            select(ProgramVersion).where(
                ProgramVersion.template_id == template.id,
                ProgramVersion.number.in_({from_number, to_number}),
            )
        )
    }
    if from_number not in rows or to_number not in rows:
        raise LookupError((from_number, to_number))
    changes = diff(_stored(rows[from_number].definition), _stored(rows[to_number].definition),
                   catalog)  # fmt: skip
    return VersionDiff(from_number=from_number, to_number=to_number, changes=tuple(changes))


# --- assignment ---------------------------------------------------------------------------


@dataclass(frozen=True)
class AssignmentInfo:
    patient_id: int
    template_id: int
    name: str
    version_number: int
    assigned_at: datetime


def assignment_of(db: Session, *, clinician_id: int, patient_id: int) -> AssignmentInfo | None:
    """The program one of the clinician's patients follows, if any.

    Raises:
        LookupError: not one of this clinician's patients.
    """
    patient = patient_of(db, clinician_id=clinician_id, patient_id=patient_id)
    row = db.execute(
        select(ProgramAssignment, ProgramTemplate.name, func.max(ProgramVersion.number))
        .join(ProgramTemplate, ProgramTemplate.id == ProgramAssignment.template_id)
        .join(ProgramVersion, ProgramVersion.template_id == ProgramTemplate.id)
        .where(ProgramAssignment.patient_id == patient.id)
        .group_by(ProgramAssignment.patient_id, ProgramTemplate.id)
    ).one_or_none()
    if row is None:
        return None
    assignment, name, number = row
    return AssignmentInfo(
        patient_id=patient.id,
        template_id=assignment.template_id,
        name=str(name),
        version_number=int(number),
        assigned_at=assignment.assigned_at,
    )


def assign(
    db: Session, *, clinician_id: int, patient_id: int, template_id: int, now: datetime
) -> AssignmentInfo:
    """Give one of the clinician's patients this template (replacing any other). Commits.

    Raises:
        LookupError: not this clinician's patient, or not their template.
    """
    staff = _staff(db, clinician_id)
    patient = patient_of(db, clinician_id=clinician_id, patient_id=patient_id)
    template = _template(db, staff, template_id)
    row = db.get(ProgramAssignment, patient.id)
    if row is None:
        row = ProgramAssignment(patient_id=patient.id, template_id=template.id)
        db.add(row)
    row.template_id, row.assigned_at, row.assigned_by = template.id, now, staff.id
    audit.record(
        db,
        actor=staff,
        patient=patient,
        action=audit.CHANGED,
        detail=f"program “{template.name}” assigned",
        now=now,
    )
    mark_changed(db, user_id=patient.id)
    db.commit()
    found = assignment_of(db, clinician_id=clinician_id, patient_id=patient.id)
    assert found is not None
    return found


def unassign(db: Session, *, clinician_id: int, patient_id: int, now: datetime) -> bool:
    """The patient goes back to the built-in program. Commits; False when they had none.

    Raises:
        LookupError: not one of this clinician's patients.
    """
    staff = _staff(db, clinician_id)
    patient = patient_of(db, clinician_id=clinician_id, patient_id=patient_id)
    row = db.get(ProgramAssignment, patient.id)
    if row is None:
        return False
    template = db.get(ProgramTemplate, row.template_id)
    db.delete(row)
    name = template.name if template is not None else "program"
    audit.record(
        db,
        actor=staff,
        patient=patient,
        action=audit.CHANGED,
        detail=f"program “{name}” unassigned",
        now=now,
    )
    mark_changed(db, user_id=patient.id)
    db.commit()
    return True


def patients_for_assignment(db: Session, *, clinician_id: int) -> list[PatientRef]:
    """The clinician's patients (every patient, for an admin), to choose whom to assign."""
    staff = _staff(db, clinician_id)
    query = select(User.id, User.email).join(CareLink, CareLink.patient_id == User.id)
    if staff.role is not Role.ADMIN:
        query = query.where(CareLink.clinician_id == staff.id)
    return [PatientRef(id=r.id, email=str(r.email)) for r in db.execute(query.order_by(User.email))]


# --- the patient's side ------------------------------------------------------------------


@dataclass(frozen=True)
class AssignedProgram:
    """The clinician's program a patient follows today: its newest version as content.

    ``catalog`` is the content with this version added as program ``program_id``;
    ``same_as_now`` maps each exercise to the versions that prescribed it exactly
    as the newest one does (see the module docstring).
    """

    template_id: int
    version_id: int
    number: int
    name: str
    sessions_per_week: int
    program_id: str
    catalog: Catalog
    same_as_now: Mapping[str, frozenset[int]]

    def history(self, records: Sequence[SessionRecord]) -> list[SessionRecord]:
        """The history the planner sees: changed prescriptions start afresh."""
        seen: list[SessionRecord] = []
        for record in records:
            kept = tuple(
                r
                for r in record.exercises
                if r.hurt
                or r.pain_during is not None
                or record.program_version_id in self.same_as_now.get(r.exercise_id, ())
            )
            seen.append(record if kept == record.exercises else replace(record, exercises=kept))
        return seen

    @property
    def label(self) -> str:
        return f"{self.name} (version {self.number})"


def program_for(db: Session, *, user_id: int, catalog: Catalog) -> AssignedProgram | None:
    """The clinician's program ``user_id`` follows, or None (local mode, or none assigned).

    Kept in ``services.page_cache`` under the patient's revision, which every
    change to their program bumps: a second look costs no query.
    """
    user = db.get(User, user_id)
    if user is None or user.role is not Role.PATIENT:
        return None
    return page_cache.cached(
        db,
        name="clinic-program",
        user_id=user_id,
        key=None,
        anchor=catalog,
        compute=lambda: _assigned(db, user_id, catalog),
    )


def _assigned(db: Session, user_id: int, catalog: Catalog) -> AssignedProgram | None:
    found = db.execute(
        select(ProgramAssignment.template_id, ProgramTemplate.owner_id)
        .join(ProgramTemplate, ProgramTemplate.id == ProgramAssignment.template_id)
        .where(ProgramAssignment.patient_id == user_id)
    ).one_or_none()
    if found is None:
        return None
    template_id, owner_id = found
    rows = list(
        db.scalars(
            select(ProgramVersion)
            .where(ProgramVersion.template_id == template_id)
            .order_by(ProgramVersion.number.desc())
        )
    )
    catalog = _with_own_exercises(db, owner_id, catalog)
    newest = _playable(_stored(rows[0].definition), catalog)
    if newest is None:
        logger.warning("program template %s has a length without any exercise left", template_id)
        return None
    program_id = program_id_of(template_id)
    definitions = {row.id: _stored(row.definition) for row in rows}
    exercises = {step.exercise for length in Length for step in newest.steps(length)}
    same_as_now = {
        exercise: frozenset(
            version_id
            for version_id, definition in definitions.items()
            if prescription(definition, exercise) == prescription(newest, exercise)
        )
        for exercise in exercises
    }
    return AssignedProgram(
        template_id=template_id,
        version_id=rows[0].id,
        number=rows[0].number,
        name=newest.name,
        sessions_per_week=newest.sessions_per_week,
        program_id=program_id,
        catalog=replace(
            catalog, programs={**catalog.programs, program_id: newest.to_program(program_id)}
        ),
        same_as_now=same_as_now,
    )


def _playable(definition: ProgramDefinition, catalog: Catalog) -> ProgramDefinition | None:
    """The definition without steps whose exercise no longer exists (None: a length is empty)."""
    lengths = {
        length: [step for step in steps if step.exercise in catalog.exercises]
        for length, steps in definition.lengths.items()
    }
    if not all(lengths.values()):
        return None
    return definition.model_copy(update={"lengths": lengths})
