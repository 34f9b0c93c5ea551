"""Clinic exercises in the service layer, on SQLite and PostgreSQL: who writes, who sees,
ids that never collide, pictures stored in the row."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from backcoach.content import Catalog, default_catalog
from backcoach.errors import NotAllowed
from backcoach.services import accounts
from backcoach.services import clinic_exercises as service
from backcoach.services.clinic_exercises import ExerciseIdTaken, ExerciseInUse, ExerciseInvalid
from backcoach.services.clinic_images import ImageRefused
from backcoach.services.users import current_user
from backcoach.store import AuditEntry, CareLink, ClinicExercise, ProgramTemplate, ProgramVersion
from tests.unit.test_clinic_exercise_build import sample_input
from tests.unit.test_clinic_exercise_images import png_bytes

NOW = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
PASSWORD = "a long enough secret 1"


def account(db: Session, email: str, role: str) -> int:
    return accounts.create_user(db, email=email, password=PASSWORD, role=role, now=NOW).id


def link(db: Session, patient_id: int, clinician_id: int) -> None:
    db.add(CareLink(patient_id=patient_id, clinician_id=clinician_id, linked_at=NOW))
    db.commit()


@pytest.fixture
def people(db: Session) -> dict[str, int]:
    """Clinicians A and B, a patient of each, a patient of nobody, and an admin."""
    ids = {
        "a": account(db, "a@clinic.test", "clinician"),
        "b": account(db, "b@clinic.test", "clinician"),
        "admin": account(db, "admin@clinic.test", "admin"),
        "pa": account(db, "pa@clinic.test", "patient"),
        "pb": account(db, "pb@clinic.test", "patient"),
        "alone": account(db, "alone@clinic.test", "patient"),
    }
    link(db, ids["pa"], ids["a"])
    link(db, ids["pb"], ids["b"])
    return ids


def create(db: Session, user_id: int, name: str = "Hip hinge with a stick") -> str:
    info = service.create_exercise(
        db, default_catalog(), user_id=user_id, data=sample_input(name=name), now=NOW
    )
    return info.exercise.id


def ids_seen(db: Session, user_id: int) -> list[str]:
    return [e.id for e in service.clinic_exercises_for(db, user_id=user_id)]


def test_create_stores_the_content_definition_and_reads_it_back(
    db: Session, people: dict[str, int]
) -> None:
    exercise_id = create(db, people["a"])
    assert exercise_id == "clinic-hip-hinge-with-a-stick"
    db.expire_all()
    [info] = service.list_exercises(db, user_id=people["a"])
    assert info.exercise.name == "Hip hinge with a stick"
    assert info.owner_id == people["a"]
    assert not info.has_image
    row = db.scalar(select(ClinicExercise))
    assert row is not None and row.definition["id"] == exercise_id
    assert row.created_at == row.updated_at == NOW


def test_the_same_name_gets_a_number_and_ids_never_change(
    db: Session, people: dict[str, int]
) -> None:
    first = create(db, people["a"])
    second = create(db, people["b"])  # another clinician, the same name
    third = create(db, people["a"])
    assert (first, second, third) == (
        "clinic-hip-hinge-with-a-stick",
        "clinic-hip-hinge-with-a-stick-2",
        "clinic-hip-hinge-with-a-stick-3",
    )
    renamed = service.update_exercise(
        db,
        default_catalog(),
        user_id=people["a"],
        exercise_id=first,
        data=sample_input(name="Stick hinge"),
        now=NOW + timedelta(hours=1),
    )
    assert renamed.exercise.id == first
    assert renamed.exercise.name == "Stick hinge"
    assert renamed.updated_at == NOW + timedelta(hours=1)


def test_an_id_of_the_built_in_catalog_is_refused(db: Session, people: dict[str, int]) -> None:
    built_in = default_catalog()
    squat = built_in.exercise("squat").model_copy(update={"id": "clinic-squat"})
    catalog = Catalog(
        exercises={**built_in.exercises, "clinic-squat": squat},
        programs=built_in.programs,
        tips=built_in.tips,
    )
    with pytest.raises(ExerciseIdTaken, match="built-in exercise"):
        service.create_exercise(
            db, catalog, user_id=people["a"], data=sample_input(name="Squat"), now=NOW
        )
    assert db.scalar(select(func.count()).select_from(ClinicExercise)) == 0


def test_no_built_in_id_starts_like_a_clinic_id() -> None:
    assert not [i for i in default_catalog().exercises if i.startswith(service.ID_PREFIX)]


def test_an_invalid_exercise_writes_nothing(db: Session, people: dict[str, int]) -> None:
    with pytest.raises(ExerciseInvalid) as refused:
        service.create_exercise(
            db,
            default_catalog(),
            user_id=people["a"],
            data=sample_input(kind="timed"),
            now=NOW,
        )
    assert "duration_s" in refused.value.problems
    assert db.scalar(select(func.count()).select_from(ClinicExercise)) == 0


@pytest.mark.parametrize("role", ["pa", "alone"])
def test_patients_write_nothing(db: Session, people: dict[str, int], role: str) -> None:
    with pytest.raises(NotAllowed):
        create(db, people[role])
    with pytest.raises(NotAllowed):
        service.list_exercises(db, user_id=people[role])


def test_who_sees_what(db: Session, people: dict[str, int]) -> None:
    mine = create(db, people["a"], "Wall slide")
    theirs = create(db, people["b"], "Step up")
    assert ids_seen(db, people["a"]) == [mine]
    assert ids_seen(db, people["b"]) == [theirs]
    assert ids_seen(db, people["pa"]) == [mine]
    assert ids_seen(db, people["pb"]) == [theirs]
    assert ids_seen(db, people["alone"]) == []
    assert ids_seen(db, people["admin"]) == [theirs, mine]  # by name
    assert ids_seen(db, current_user(db).id) == []  # the local user of a local install
    assert service.visible_exercise(db, user_id=people["pa"], exercise_id=mine).exercise.id == mine
    for user, other in (("pa", theirs), ("pb", mine), ("alone", mine), ("b", mine)):
        with pytest.raises(LookupError):
            service.visible_exercise(db, user_id=people[user], exercise_id=other)
    # A built-in id is never a clinic exercise.
    with pytest.raises(LookupError):
        service.visible_exercise(db, user_id=people["admin"], exercise_id="squat")


def test_only_the_author_or_an_admin_changes_an_exercise(
    db: Session, people: dict[str, int]
) -> None:
    exercise_id = create(db, people["a"])
    data = sample_input(name="Changed")
    for intruder in ("b", "pa"):
        with pytest.raises((LookupError, NotAllowed)):
            service.update_exercise(
                db,
                default_catalog(),
                user_id=people[intruder],
                exercise_id=exercise_id,
                data=data,
                now=NOW,
            )
        with pytest.raises((LookupError, NotAllowed)):
            service.delete_exercise(db, user_id=people[intruder], exercise_id=exercise_id)
        with pytest.raises((LookupError, NotAllowed)):
            service.set_image(
                db, user_id=people[intruder], exercise_id=exercise_id, data=png_bytes(), now=NOW
            )
    assert [i.exercise.name for i in service.list_exercises(db, user_id=people["a"])] == [
        "Hip hinge with a stick"
    ]
    service.update_exercise(
        db, default_catalog(), user_id=people["admin"], exercise_id=exercise_id, data=data, now=NOW
    )
    assert service.get_exercise(db, user_id=people["a"], exercise_id=exercise_id).exercise.name == (
        "Changed"
    )
    service.delete_exercise(db, user_id=people["admin"], exercise_id=exercise_id)
    assert service.list_exercises(db, user_id=people["a"]) == []


def test_pictures_are_checked_stored_and_shown_to_whoever_sees_the_exercise(
    db: Session, people: dict[str, int]
) -> None:
    exercise_id = create(db, people["a"])
    with pytest.raises(ImageRefused):
        service.set_image(db, user_id=people["a"], exercise_id=exercise_id, data=b"<svg/>", now=NOW)
    with pytest.raises(LookupError):
        service.exercise_image(db, user_id=people["a"], exercise_id=exercise_id)
    picture = png_bytes(64, 48)
    info = service.set_image(
        db, user_id=people["a"], exercise_id=exercise_id, data=picture, now=NOW
    )
    assert info.has_image
    db.expire_all()
    for viewer in ("a", "pa", "admin"):
        found = service.exercise_image(db, user_id=people[viewer], exercise_id=exercise_id)
        assert found == (picture, "image/png")
    for outsider in ("b", "pb", "alone"):
        with pytest.raises(LookupError):
            service.exercise_image(db, user_id=people[outsider], exercise_id=exercise_id)
    service.remove_image(db, user_id=people["a"], exercise_id=exercise_id, now=NOW)
    assert not service.get_exercise(db, user_id=people["a"], exercise_id=exercise_id).has_image


def test_listing_does_not_load_the_pictures(db: Session, people: dict[str, int]) -> None:
    exercise_id = create(db, people["a"])
    service.set_image(db, user_id=people["a"], exercise_id=exercise_id, data=png_bytes(), now=NOW)
    db.expire_all()
    service.list_exercises(db, user_id=people["a"])
    row = db.scalar(select(ClinicExercise))
    assert row is not None and "image" not in row.__dict__  # deferred: never read by a list


def test_nothing_is_written_to_the_audit_log(db: Session, people: dict[str, int]) -> None:
    exercise_id = create(db, people["a"])
    service.set_image(db, user_id=people["a"], exercise_id=exercise_id, data=png_bytes(), now=NOW)
    service.clinic_exercises_for(db, user_id=people["pa"])
    service.delete_exercise(db, user_id=people["a"], exercise_id=exercise_id)
    assert db.scalar(select(func.count()).select_from(AuditEntry)) == 0


def add_program(db: Session, owner_id: int, name: str, exercise_ids: list[str]) -> None:
    """A program template with one version naming ``exercise_ids`` (as the program service
    stores it)."""
    template = ProgramTemplate(
        owner_id=owner_id, name=name, base_program_id="back-basics", created_at=NOW
    )
    db.add(template)
    db.flush()
    steps = [{"exercise": i, "dose": {}, "variant": "standard"} for i in exercise_ids]
    definition = {
        "name": name,
        "description": "For a test.",
        "sessions_per_week": 3,
        "lengths": {"short": steps, "full": steps},
    }
    db.add(
        ProgramVersion(
            template_id=template.id,
            number=1,
            created_at=NOW,
            author_id=owner_id,
            definition=definition,
        )
    )
    db.commit()


def test_an_exercise_a_program_uses_is_not_deleted(db: Session, people: dict[str, int]) -> None:
    used = create(db, people["a"], "Wall slide")
    similar = create(db, people["a"], "Wall slide")  # clinic-wall-slide-2: not named below
    add_program(db, people["a"], "Back basics for Anna", ["glute-bridge", used])
    with pytest.raises(ExerciseInUse, match=r"'Back basics for Anna' \(version 1\)"):
        service.delete_exercise(db, user_id=people["a"], exercise_id=used)
    assert ids_seen(db, people["a"]) == [used, similar]
    service.delete_exercise(db, user_id=people["a"], exercise_id=similar)
    assert ids_seen(db, people["a"]) == [used]
