"""Program templates with versions on SQLite and PostgreSQL: versions, diff, scope, the plan.

Each test runs the services against a real migrated database (``db`` fixture,
both databases): a clinician builds a template, edits it (new versions), assigns
it; the patient's plan and sessions follow the newest version.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from backcoach.coach.plan import VariantLevel
from backcoach.coach.safety import QUESTION_IDS
from backcoach.content import Amount, Catalog, Dosage, DoseOverride, Length, default_catalog
from backcoach.services import accounts, clinic_exercises, clinic_programs
from backcoach.services.clinic_dashboard import patient_detail
from backcoach.services.clinic_exercises import ClinicExerciseIn
from backcoach.services.clinic_programs import TemplateInfo
from backcoach.services.clock import SessionClock
from backcoach.services.program_definition import (
    AddStep,
    ProgramError,
    SetDetails,
    SetDose,
    SetVariant,
)
from backcoach.services.safety import save_screening
from backcoach.services.session_start import create_session, plan_for_today
from backcoach.store import AuditEntry, CareLink, ProgramVersion, WorkoutSession

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
PASSWORD = "a long enough secret 1"


@dataclass(frozen=True)
class People:
    doctor: int
    patient: int
    other_doctor: int
    other_patient: int


def _account(db: Session, email: str, role: str) -> int:
    return accounts.create_user(db, email=email, password=PASSWORD, role=role, now=NOW).id


@pytest.fixture
def people(db: Session) -> People:
    found = People(
        doctor=_account(db, "doctor@clinic.example", "clinician"),
        patient=_account(db, "anna@clinic.example", "patient"),
        other_doctor=_account(db, "other.doctor@clinic.example", "clinician"),
        other_patient=_account(db, "ben@clinic.example", "patient"),
    )
    db.add(CareLink(patient_id=found.patient, clinician_id=found.doctor, linked_at=NOW))
    db.add(CareLink(patient_id=found.other_patient, clinician_id=found.other_doctor, linked_at=NOW))
    db.commit()
    save_screening(
        db, user_id=found.patient, answers=dict.fromkeys(QUESTION_IDS, False), now=datetime.now(UTC)
    )
    return found


@pytest.fixture
def catalog() -> Catalog:
    return default_catalog()


def _bridge_step(definition_steps: list[object]) -> int:
    """The glute bridge's step number in a length."""
    return next(
        i + 1
        for i, step in enumerate(definition_steps)
        if getattr(step, "exercise", None) == "glute-bridge"
    )


def test_each_edit_saves_a_new_version_and_the_old_one_stays(
    db: Session, people: People, catalog: Catalog
) -> None:
    template = clinic_programs.create_template(
        db, clinician_id=people.doctor, catalog=catalog, now=NOW, name="Anna's back"
    )
    v1 = template.newest
    assert (v1.number, v1.definition.name) == (1, "Anna's back")
    short = v1.definition.steps(Length.SHORT)
    step = _bridge_step(list(short))
    v2 = clinic_programs.save_version(
        db,
        clinician_id=people.doctor,
        template_id=template.id,
        catalog=catalog,
        now=NOW + timedelta(hours=1),
        edits=[SetDose(op="dose", length=Length.SHORT, step=step, dose=DoseOverride(reps=10))],
        note="More bridges",
    )
    assert (v2.number, v2.note, v2.author) == (2, "More bridges", "doctor@clinic.example")
    again = clinic_programs.get_template(db, clinician_id=people.doctor, template_id=template.id)
    assert [v.number for v in again.versions] == [2, 1]
    assert again.version(1).definition == v1.definition  # unchanged
    assert again.version(1).definition.steps(Length.SHORT)[step - 1].dose.reps == 8
    assert again.version(2).definition.steps(Length.SHORT)[step - 1].dose.reps == 10
    stored = db.scalars(select(ProgramVersion).order_by(ProgramVersion.number)).all()
    assert [row.number for row in stored] == [1, 2]

    with pytest.raises(ProgramError, match="Nothing changed since version 2"):
        clinic_programs.save_version(
            db, clinician_id=people.doctor, template_id=template.id, catalog=catalog, now=NOW,
            edits=[SetDose(op="dose", length=Length.SHORT, step=step, dose=DoseOverride(reps=10))],
        )  # fmt: skip
    with pytest.raises(ProgramError, match=r"repetitions 30 is outside .* \(5 to 12\)"):
        clinic_programs.save_version(
            db, clinician_id=people.doctor, template_id=template.id, catalog=catalog, now=NOW,
            edits=[SetDose(op="dose", length=Length.SHORT, step=step, dose=DoseOverride(reps=30))],
        )  # fmt: skip
    db.rollback()
    assert len(db.scalars(select(ProgramVersion)).all()) == 2  # nothing saved by a refusal

    listed = clinic_programs.list_templates(db, clinician_id=people.doctor)
    assert [(t.name, t.newest_number, t.patients) for t in listed] == [("Anna's back", 2, 0)]
    assert clinic_programs.list_templates(db, clinician_id=people.other_doctor) == []


def test_a_full_definition_saves_too_and_the_diff_says_what_changed(
    db: Session, people: People, catalog: Catalog
) -> None:
    template = clinic_programs.create_template(db, clinician_id=people.doctor, catalog=catalog,
                                               now=NOW)  # fmt: skip
    raw = template.newest.definition.model_dump(mode="json")
    raw["sessions_per_week"] = 3
    raw["lengths"]["full"].append({"exercise": "plank", "dose": {"sets": 1, "hold_s": 20}})
    clinic_programs.save_version(
        db, clinician_id=people.doctor, template_id=template.id, catalog=catalog, now=NOW,
        definition=raw,
    )  # fmt: skip
    found = clinic_programs.diff_versions(
        db, clinician_id=people.doctor, template_id=template.id, from_number=1, to_number=2,
        catalog=catalog,
    )  # fmt: skip
    assert [c.text for c in found.changes] == [
        "Sessions per week from 5 to 3.",
        "Full session: added Forearm plank as step 15.",
    ]
    with pytest.raises(LookupError):
        clinic_programs.diff_versions(
            db, clinician_id=people.doctor, template_id=template.id, from_number=1, to_number=7,
            catalog=catalog,
        )  # fmt: skip


def test_another_clinicians_template_and_patient_are_not_found(
    db: Session, people: People, catalog: Catalog
) -> None:
    mine = clinic_programs.create_template(db, clinician_id=people.doctor, catalog=catalog, now=NOW)
    theirs = clinic_programs.create_template(
        db, clinician_id=people.other_doctor, catalog=catalog, now=NOW
    )
    with pytest.raises(LookupError):
        clinic_programs.get_template(db, clinician_id=people.doctor, template_id=theirs.id)
    with pytest.raises(LookupError):
        clinic_programs.save_version(
            db, clinician_id=people.doctor, template_id=theirs.id, catalog=catalog, now=NOW,
            edits=[SetDetails(op="details", sessions_per_week=2)],
        )  # fmt: skip
    with pytest.raises(LookupError):  # their template, my patient
        clinic_programs.assign(
            db, clinician_id=people.doctor, patient_id=people.patient, template_id=theirs.id,
            now=NOW,
        )  # fmt: skip
    with pytest.raises(LookupError):  # my template, their patient
        clinic_programs.assign(
            db, clinician_id=people.doctor, patient_id=people.other_patient, template_id=mine.id,
            now=NOW,
        )  # fmt: skip
    with pytest.raises(LookupError):
        clinic_programs.unassign(db, clinician_id=people.doctor, patient_id=people.other_patient,
                                 now=NOW)  # fmt: skip
    with pytest.raises(LookupError):  # a patient is no clinician
        clinic_programs.list_templates(db, clinician_id=people.patient)
    db.rollback()
    assert db.scalars(select(AuditEntry)).all() == []


def test_the_patients_plan_and_sessions_follow_the_newest_version(
    db: Session, people: People, catalog: Catalog
) -> None:
    template = clinic_programs.create_template(db, clinician_id=people.doctor, catalog=catalog,
                                               now=NOW)  # fmt: skip
    step = _bridge_step(list(template.newest.definition.steps(Length.SHORT)))
    before = plan_for_today(db, user_id=people.patient, catalog=catalog, length=Length.SHORT)
    assert before.require_plan().program_id == "back-basics"

    assigned = clinic_programs.assign(
        db, clinician_id=people.doctor, patient_id=people.patient, template_id=template.id,
        now=NOW,
    )  # fmt: skip
    assert (assigned.name, assigned.version_number) == ("Back basics", 1)
    v2 = clinic_programs.save_version(
        db, clinician_id=people.doctor, template_id=template.id, catalog=catalog, now=NOW,
        edits=[
            SetDose(op="dose", length=Length.SHORT, step=step, dose=DoseOverride(reps=10)),
            SetVariant(op="variant", length=Length.SHORT, step=step, variant="easier"),
        ],
    )  # fmt: skip
    plan = plan_for_today(
        db, user_id=people.patient, catalog=catalog, length=Length.SHORT
    ).require_plan()
    assert plan.program_id == clinic_programs.program_id_of(template.id)
    bridge = next(s for s in plan.steps if s.exercise_id == "glute-bridge")
    assert (bridge.reps, bridge.variant) == (10, VariantLevel.EASIER)

    first = create_session(
        db, user_id=people.patient, catalog=catalog, clock=SessionClock(1.0), length=Length.SHORT,
        pain_before=2,
    )  # fmt: skip
    assert db.get(WorkoutSession, first.id).program_version_id == v2.id  # type: ignore[union-attr]

    v3 = clinic_programs.save_version(
        db, clinician_id=people.doctor, template_id=template.id, catalog=catalog, now=NOW,
        edits=[SetDose(op="dose", length=Length.SHORT, step=step, dose=DoseOverride(reps=12))],
        note="Doing well",
    )  # fmt: skip
    plan = plan_for_today(
        db, user_id=people.patient, catalog=catalog, length=Length.SHORT
    ).require_plan()
    bridge = next(s for s in plan.steps if s.exercise_id == "glute-bridge")
    assert bridge.reps == 12  # the new prescription, not last session's 10
    second = create_session(
        db, user_id=people.patient, catalog=catalog, clock=SessionClock(1.0), length=Length.SHORT,
        pain_before=2,
    )  # fmt: skip
    db.expire_all()
    rows = {row.id: row.program_version_id for row in db.scalars(select(WorkoutSession))}
    assert rows == {first.id: v2.id, second.id: v3.id}  # history keeps each session's version
    # ... and the clinician's patient page says which version each session followed
    page = patient_detail(
        db, clinician_id=people.doctor, patient_id=people.patient, now=datetime.now(UTC), tz=UTC,
        what="patient page",
    )  # fmt: skip
    followed = {s.line.id: s.program for s in page.sessions}
    assert followed == {first.id: "Back basics, version 2", second.id: "Back basics, version 3"}
    assert page.program is not None and (page.program.name, page.program.version) == (
        "Back basics", 3
    )

    audit = db.scalars(select(AuditEntry).order_by(AuditEntry.id)).all()
    assert [(a.patient_id, a.action, a.detail) for a in audit] == [
        (people.patient, "changed", "program “Back basics” assigned"),
        (people.patient, "changed", "program “Back basics” now version 2"),
        (people.patient, "changed", "program “Back basics” now version 3"),
        (people.patient, "viewed", "patient page"),
    ]

    assert clinic_programs.unassign(
        db, clinician_id=people.doctor, patient_id=people.patient, now=NOW
    )
    after = plan_for_today(db, user_id=people.patient, catalog=catalog, length=Length.SHORT)
    assert after.require_plan().program_id == "back-basics"
    assert not clinic_programs.unassign(
        db, clinician_id=people.doctor, patient_id=people.patient, now=NOW
    )
    assert db.scalars(select(AuditEntry.detail).order_by(AuditEntry.id.desc())).first() == (
        "program “Back basics” unassigned"
    )


def _assigned_template(db: Session, people: People, catalog: Catalog) -> TemplateInfo:
    """A new template of the doctor's (from the default program), assigned to the patient."""
    template = clinic_programs.create_template(
        db, clinician_id=people.doctor, catalog=catalog, now=NOW
    )
    clinic_programs.assign(
        db, clinician_id=people.doctor, patient_id=people.patient, template_id=template.id, now=NOW
    )
    return template


def test_an_added_exercise_appears_in_the_patients_next_plan(
    db: Session, people: People, catalog: Catalog
) -> None:
    template = _assigned_template(db, people, catalog)
    plan = plan_for_today(db, user_id=people.patient, catalog=catalog, length=Length.FULL)
    assert "deep-breathing" in [s.exercise_id for s in plan.require_plan().steps]
    clinic_programs.save_version(
        db, clinician_id=people.doctor, template_id=template.id, catalog=catalog, now=NOW,
        edits=[AddStep(op="add", length=Length.FULL, exercise="neck-turns", at=1,
                       dose=DoseOverride(reps=4))],
    )  # fmt: skip
    steps = (
        plan_for_today(db, user_id=people.patient, catalog=catalog, length=Length.FULL)
        .require_plan()
        .steps
    )
    assert (steps[0].exercise_id, steps[0].reps) == ("neck-turns", 4)


def test_a_red_flag_still_stops_a_patient_with_a_clinicians_program(
    db: Session, people: People, catalog: Catalog
) -> None:
    _assigned_template(db, people, catalog)
    answers = dict.fromkeys(QUESTION_IDS, False) | {"bladder-bowel": True}
    save_screening(db, user_id=people.patient, answers=answers, now=datetime.now(UTC))
    decision = plan_for_today(db, user_id=people.patient, catalog=catalog, length=Length.SHORT)
    assert decision.plan is None and decision.refusal is not None
    assert decision.refusal.value == "red-flag"


def _hip_hinge() -> ClinicExerciseIn:
    return ClinicExerciseIn(
        name="Hip hinge",
        purpose="Teaches bending at the hips with a long back.",
        muscles=["gluteus maximus", "hamstrings"],
        start_position="Stand tall with your feet hip width apart and hands on your hips.",
        steps=["Push your hips back, keeping the back long.", "Stand up tall again."],
        breathing="Breathe in as you bend, out as you stand.",
        safety=["Stop if your back hurts."],
        avoid_if=["Bending causes pain down a leg."],
        dosage=Dosage(sets=Amount(default=1, min=1, max=2), reps=Amount(default=8, min=5, max=10)),
    )


def test_a_template_may_use_its_clinicians_own_exercises(
    db: Session, people: People, catalog: Catalog
) -> None:
    own = clinic_exercises.create_exercise(
        db, catalog, user_id=people.doctor, data=_hip_hinge(), now=NOW
    ).exercise
    theirs = clinic_exercises.create_exercise(
        db, catalog, user_id=people.other_doctor, data=_hip_hinge(), now=NOW
    ).exercise
    template = clinic_programs.create_template(db, clinician_id=people.doctor, catalog=catalog,
                                               now=NOW)  # fmt: skip
    with pytest.raises(ProgramError, match=f"There is no exercise '{theirs.id}' to add"):
        clinic_programs.save_version(
            db, clinician_id=people.doctor, template_id=template.id, catalog=catalog, now=NOW,
            edits=[AddStep(op="add", length=Length.SHORT, exercise=theirs.id)],
        )  # fmt: skip
    db.rollback()
    with pytest.raises(ProgramError, match=r"repetitions 12 is outside .* \(5 to 10\)"):
        clinic_programs.save_version(
            db, clinician_id=people.doctor, template_id=template.id, catalog=catalog, now=NOW,
            edits=[AddStep(op="add", length=Length.SHORT, exercise=own.id, at=1,
                           dose=DoseOverride(reps=12))],
        )  # fmt: skip
    db.rollback()
    clinic_programs.save_version(
        db, clinician_id=people.doctor, template_id=template.id, catalog=catalog, now=NOW,
        edits=[AddStep(op="add", length=Length.SHORT, exercise=own.id, at=1,
                       dose=DoseOverride(reps=6))],
    )  # fmt: skip
    found = clinic_programs.diff_versions(
        db, clinician_id=people.doctor, template_id=template.id, from_number=1, to_number=2,
        catalog=catalog,
    )  # fmt: skip
    assert [c.text for c in found.changes] == ["Short session: added Hip hinge as step 1."]
    clinic_programs.assign(
        db, clinician_id=people.doctor, patient_id=people.patient, template_id=template.id,
        now=NOW,
    )  # fmt: skip
    assigned = clinic_programs.program_for(db, user_id=people.patient, catalog=catalog)
    assert assigned is not None and own.id in assigned.catalog.exercises
    answers = dict.fromkeys(QUESTION_IDS, False)
    save_screening(db, user_id=people.patient, answers=answers, now=datetime.now(UTC))
    # a new patient's first week starts with the gentlest exercises: an extra joins last
    plan = plan_for_today(db, user_id=people.patient, catalog=catalog, length=Length.SHORT)
    assert own.name in " ".join(plan.cautions)


def test_a_changed_clinic_exercise_reaches_the_patients_cached_program(
    db: Session, people: People, catalog: Catalog
) -> None:
    own = clinic_exercises.create_exercise(
        db, catalog, user_id=people.doctor, data=_hip_hinge(), now=NOW
    ).exercise
    template = clinic_programs.create_template(db, clinician_id=people.doctor, catalog=catalog,
                                               now=NOW)  # fmt: skip
    clinic_programs.save_version(
        db, clinician_id=people.doctor, template_id=template.id, catalog=catalog, now=NOW,
        edits=[AddStep(op="add", length=Length.SHORT, exercise=own.id, at=1,
                       dose=DoseOverride(reps=6))],
    )  # fmt: skip
    clinic_programs.assign(
        db, clinician_id=people.doctor, patient_id=people.patient, template_id=template.id,
        now=NOW,
    )  # fmt: skip
    before = clinic_programs.program_for(db, user_id=people.patient, catalog=catalog)
    assert before is not None and before.catalog.exercises[own.id].name == "Hip hinge"
    renamed = _hip_hinge().model_copy(update={"name": "Hip hinge at the wall"})
    clinic_exercises.update_exercise(
        db, catalog, user_id=people.doctor, exercise_id=own.id, data=renamed, now=NOW
    )
    after = clinic_programs.program_for(db, user_id=people.patient, catalog=catalog)
    assert after is not None
    assert after.catalog.exercises[own.id].name == "Hip hinge at the wall"
