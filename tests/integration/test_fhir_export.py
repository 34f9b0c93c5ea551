"""The FHIR R4 export (issue 17, item 3), on SQLite and PostgreSQL.

A person with sessions (completed, quit after one exercise, abandoned before
any), step records (camera-counted reps with form notes, a skipped step), pain
check-ins at three places, two STarT Back answers, a PSFS and a pain and
function check is exported; the Bundle is parsed back with ``fhir.resources``
(the Bundle and every resource on its own) and its counts and values compared
with what is stored and with ``coach.questionnaires``' scoring. Then the same
through ``backcoach export --format fhir`` and ``GET /api/v1/export?format=fhir``,
an empty export, and a clinic patient's export, which holds only their data.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from fhir.resources.R4B import get_fhir_model_class
from fhir.resources.R4B.bundle import Bundle
from sqlalchemy.orm import Session

from backcoach.coach.plan import plan_from_program
from backcoach.coach.questionnaires import QUESTIONNAIRES, score
from backcoach.config import Settings
from backcoach.content import Length, default_catalog
from backcoach.services.checkins import record_checkin, save_questionnaire
from backcoach.services.fhir_export import fhir_bundle, fhir_json
from backcoach.services.sessions import plan_to_json
from backcoach.store import (
    CheckinPhase,
    PainLocation,
    Role,
    SessionStatus,
    StepSource,
    StepStatus,
    User,
    add_session,
    local_user,
    open_database,
    put_step_event,
    upgrade_database,
)
from tests.e2e.live_server import running_server
from tests.integration import cli_setup
from tests.integration.cli_setup import Invoke
from tests.support.clinic import add_account, signed_in_client

invoke = cli_setup.invoke  # the shared fixture, found by pytest under this name

T0 = datetime(2026, 11, 2, 7, 30, tzinfo=UTC)
NOW = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)
FORM_NOTE = {"code": "hips-drop", "message": "Keep your hips level.", "count": 2}
STARTBACK_HIGH = {str(i): 1 for i in range(1, 9)} | {"9": 4}
STARTBACK_MEDIUM = {"1": 1, "2": 1, "3": 1, "4": 1, "5": 0, "6": 1, "7": 0, "8": 0, "9": 2}
PSFS: dict[str, int | str] = {
    "activity-1": "Lifting my daughter",
    "rating-1": 4,
    "activity-2": "Sitting",
    "rating-2": 7,
}
PAIN_FUNCTION = {
    "pain": 5,
    "interference-activity": 4,
    "interference-sleep": 2,
    "interference-mood": 3,
}
PAIN_SEVERITY = "72514-3"
CATALOG = default_catalog()


@dataclass(frozen=True)
class Stored:
    """What was stored for the person, to compare the export with."""

    user_id: int
    statuses: dict[int, str]  # session id -> the Procedure status expected
    pains: list[tuple[datetime, int, str | None]]  # check-ins: time, pain, SNOMED body site


def _session(db: Session, user_id: int, start: datetime, status: SessionStatus, steps: int) -> int:
    """A back-basics session with its first ``steps`` steps: the first counted by the
    camera with a form note, the others done by hand; a quit session skips one more."""
    plan = plan_from_program(CATALOG, "back-basics", Length.SHORT)
    row = add_session(
        db,
        user_id=user_id,
        program_id="back-basics",
        length="short",
        plan=plan_to_json(plan),
        started_at=start,
        status=status,
    )
    row.ended_at = start + timedelta(minutes=16)
    for index in range(steps):
        step = plan.steps[index]
        put_step_event(
            db,
            session_id=row.id,
            step_index=index,
            exercise_id=step.exercise_id,
            variant=str(step.variant),
            status=StepStatus.COMPLETED,
            at=start + timedelta(minutes=2 * (index + 1)),
            reps=6 + index,
            duration_s=60.0 + index,
            source=StepSource.CAMERA if index == 0 else StepSource.MANUAL,
            faults=[FORM_NOTE] if index == 0 else None,
        )
    if status is SessionStatus.QUIT:
        put_step_event(
            db,
            session_id=row.id,
            step_index=steps,
            exercise_id=plan.steps[steps].exercise_id,
            variant="standard",
            status=StepStatus.SKIPPED,
            at=start + timedelta(minutes=9),
        )
    db.flush()
    return row.id


def fill(db: Session, user_id: int) -> Stored:
    """Sessions, check-ins and questionnaires of every kind for ``user_id``; commits."""
    done = _session(db, user_id, T0, SessionStatus.COMPLETED, 3)
    quit_ = _session(db, user_id, T0 + timedelta(days=1), SessionStatus.QUIT, 1)
    left = _session(db, user_id, T0 + timedelta(days=2), SessionStatus.ABANDONED, 0)
    checkins = [
        (T0, 4, PainLocation.LOW_BACK, CheckinPhase.BEFORE, done, None),
        (T0 + timedelta(minutes=17), 2, PainLocation.NECK, CheckinPhase.AFTER, done, 5),
        (T0 + timedelta(days=3), 6, PainLocation.OTHER, CheckinPhase.BEFORE, None, None),
    ]
    for at, pain, location, phase, session_id, effort in checkins:
        record_checkin(
            db,
            user_id=user_id,
            phase=phase,
            pain=pain,
            now=at,
            location=location,
            session_id=session_id,
            effort=effort,
        )
    db.commit()
    answers: list[tuple[str, Mapping[str, int | str]]] = [
        ("startback", STARTBACK_HIGH),
        ("startback", STARTBACK_MEDIUM),
        ("psfs", PSFS),
        ("pain-function", PAIN_FUNCTION),
    ]
    for day, (name, given) in enumerate(answers):
        save_questionnaire(
            db, user_id=user_id, name=name, answers=given, now=T0 + timedelta(days=day, hours=5)
        )
    sites = {PainLocation.LOW_BACK: "37822005", PainLocation.NECK: "45048000"}
    return Stored(
        user_id=user_id,
        statuses={done: "completed", quit_: "stopped", left: "not-done"},
        pains=[(at, pain, sites.get(location)) for at, pain, location, *_ in checkins],
    )


@pytest.fixture
def stored(db: Session) -> Stored:
    user_id = local_user(db).id
    db.commit()
    return fill(db, user_id)


def parsed(text: str) -> Bundle:
    """The Bundle read back; each resource also parsed on its own by its own model."""
    data = json.loads(text)
    bundle = Bundle.model_validate(data)
    assert bundle.type == "collection"
    for raw in data["entry"]:
        resource = raw["resource"]
        model = get_fhir_model_class(resource["resourceType"])
        again = model.model_validate(resource)
        assert json.loads(again.model_dump_json()) == resource
    return bundle


def without_timestamp(bundle: Bundle) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(bundle.model_dump_json())
    del data["timestamp"]
    return data


def kinds(bundle: Bundle) -> list[str]:
    """The resource type of each entry, in order."""
    return [e.resource.get_resource_type() for e in bundle.entry or [] if e.resource is not None]


def resources(bundle: Bundle, kind: str) -> list[Any]:
    found = [e.resource for e in bundle.entry or [] if e.resource is not None]
    return [r for r in found if r.get_resource_type() == kind]


def coded(resource: Any, system: str, code: str) -> bool:
    return any(c.system == system and c.code == code for c in resource.code.coding or [])


def references(value: Any) -> Iterator[str]:
    """Every ``reference`` string anywhere in a JSON document."""
    if isinstance(value, dict):
        for key, item in value.items():
            if key == "reference" and isinstance(item, str):
                yield item
            else:
                yield from references(item)
    elif isinstance(value, list):
        for item in value:
            yield from references(item)


def test_every_resource_validates_and_the_values_round_trip(db: Session, stored: Stored) -> None:
    text = fhir_json(db, user_id=stored.user_id, now=NOW, catalog=CATALOG)
    bundle = parsed(text)
    data = json.loads(text)
    full_urls = [e["fullUrl"] for e in data["entry"]]
    assert len(set(full_urls)) == len(full_urls)
    assert full_urls == [f"urn:uuid:{e['resource']['id']}" for e in data["entry"]]
    assert set(references(data)) <= set(full_urls)  # every reference is inside the Bundle

    [patient] = resources(bundle, "Patient")
    assert patient.name is None and patient.telecom is None
    subject = f"urn:uuid:{patient.id}"

    pains = [
        o for o in resources(bundle, "Observation") if coded(o, "http://loinc.org", PAIN_SEVERITY)
    ]
    assert len(pains) == len(stored.pains)
    for observation, (at, pain, site) in zip(pains, stored.pains, strict=True):
        assert observation.valueInteger == pain
        assert observation.effectiveDateTime == at
        assert observation.subject.reference == subject
        assert observation.category[0].coding[0].code == "survey"
        codes = [c.code for c in observation.bodySite.coding or []]
        assert codes == ([site] if site else [])
        assert observation.bodySite.text
    assert pains[0].partOf and not pains[2].partOf  # on a session, or on its own

    procedures = resources(bundle, "Procedure")
    assert len(procedures) == len(stored.statuses)
    assert [p.status for p in procedures] == list(stored.statuses.values())
    for p in procedures:
        assert coded(p, "http://snomed.info/sct", "229065009")
        assert p.performedPeriod.end - p.performedPeriod.start == timedelta(minutes=16)
    completed = " | ".join(n.text for n in procedures[0].note)
    assert "3 of 14 exercises done" in completed
    assert "6 reps counted by the camera" in completed
    assert "Keep your hips level. (2 times)" in completed
    assert "7 reps;" in completed and "pain before 4/10" in completed and "effort 5/10" in completed
    quit_notes = " | ".join(n.text for n in procedures[1].note)
    assert "1 of 14 exercises done; 1 skipped" in quit_notes and ": skipped" in quit_notes
    assert procedures[1].statusReason.text and procedures[2].statusReason.text

    [plan] = resources(bundle, "CarePlan")
    requests = resources(bundle, "ServiceRequest")
    program = plan_from_program(CATALOG, "back-basics", Length.SHORT)
    assert (plan.status, plan.intent, plan.subject.reference) == ("active", "plan", subject)
    assert plan.title == "Back basics (short)"
    assert [a.reference.reference for a in plan.activity] == [f"urn:uuid:{r.id}" for r in requests]
    assert [r.code.text for r in requests] == [s.name for s in program.steps]
    assert all(coded(r, "http://snomed.info/sct", "229065009") for r in requests)
    bridge = next(r for r in requests if r.code.text == "Glute bridge")
    assert bridge.orderDetail[0].text.startswith("Glute bridge, standard variant: ")
    assert all(p.basedOn[0].reference == f"urn:uuid:{plan.id}" for p in procedures)

    questionnaires = {q.url: q for q in resources(bundle, "Questionnaire")}
    answers = resources(bundle, "QuestionnaireResponse")
    assert len(answers) == 4
    for response in answers:
        assert response.status == "completed" and response.subject.reference == subject
        if response.questionnaire == "http://loinc.org/q/91349-1":
            assert response.item[0].linkId == "91340-0"
            continue
        own = questionnaires[response.questionnaire]  # included in the Bundle
        assert {i.linkId for i in response.item} <= {i.linkId for i in own.item}
        name = response.questionnaire.rsplit("/", 1)[1]
        assert [i.linkId for i in own.item] == [i.id for i in QUESTIONNAIRES[name].items]
    assert set(questionnaires) == {
        "https://backcoach.invalid/fhir/Questionnaire/psfs",
        "https://backcoach.invalid/fhir/Questionnaire/pain-function",
    }
    psfs = next(r for r in answers if r.questionnaire.endswith("/psfs"))
    given = {i.linkId: i.answer[0].valueString or i.answer[0].valueInteger for i in psfs.item}
    assert given == PSFS

    startback = [r for r in answers if r.questionnaire == "http://loinc.org/q/91349-1"]
    for response, expected in zip(startback, (STARTBACK_HIGH, STARTBACK_MEDIUM), strict=True):
        result = score("startback", expected)
        derived = [
            o
            for o in resources(bundle, "Observation")
            if o.derivedFrom and o.derivedFrom[0].reference == f"urn:uuid:{response.id}"
        ]
        by_code = {o.code.coding[0].code: o for o in derived}
        assert set(by_code) == {"91351-7", "91350-9", "91352-5"}
        assert by_code["91351-7"].valueInteger == result.total
        assert by_code["91350-9"].valueInteger == result.subscales["psychosocial"]
        risk = by_code["91352-5"].valueCodeableConcept
        assert risk.coding[0].display.lower() == str(result.risk_group)
        assert (
            risk.coding[0].code
            == {"high": "LA9193-9", "medium": "LA8982-6"}[str(result.risk_group)]
        )
        item9 = response.item[-1].answer[0].valueCoding
        assert (item9.code, item9.display) == (
            str(expected["9"]),
            QUESTIONNAIRES["startback"].items[-1].choices[expected["9"]],
        )


def test_two_exports_of_the_same_data_differ_only_in_the_timestamp(
    db: Session, stored: Stored
) -> None:
    first = fhir_bundle(db, user_id=stored.user_id, now=NOW, catalog=CATALOG)
    db.expire_all()
    second = fhir_bundle(db, user_id=stored.user_id, now=NOW + timedelta(hours=1), catalog=CATALOG)
    assert first.timestamp != second.timestamp
    assert without_timestamp(first) == without_timestamp(second)


def test_a_person_with_nothing_stored_exports_only_the_patient(db: Session) -> None:
    user_id = local_user(db).id
    db.commit()
    bundle = parsed(fhir_json(db, user_id=user_id, now=NOW, catalog=CATALOG))
    assert kinds(bundle) == ["Patient"]


def test_the_cli_writes_a_valid_bundle_to_a_file_or_stdout(
    invoke: Invoke, db: Session, tmp_path: Path
) -> None:
    user_id = local_user(db).id
    db.commit()
    fill(db, user_id)
    target = tmp_path / "bundle.json"
    result = invoke("export", "--format", "fhir", "-o", str(target))
    assert result.exit_code == 0, result.output
    assert "Exported to" in result.stderr
    written = parsed(target.read_text(encoding="utf-8"))
    assert len(resources(written, "Procedure")) == 3
    printed = invoke("export", "--format", "fhir")
    assert printed.exit_code == 0, printed.output
    again = parsed(printed.stdout)
    assert without_timestamp(again) == without_timestamp(written)


def test_the_web_route_answers_a_fhir_bundle(db: Session, db_settings: Settings) -> None:
    user_id = local_user(db).id
    db.commit()
    fill(db, user_id)
    db.close()
    with running_server(db_settings) as live, httpx.Client(base_url=live.url, timeout=15) as client:
        answer = client.get("/api/v1/export", params={"format": "fhir"})
        schema = client.get("/openapi.json").json()
    assert answer.status_code == 200, answer.text
    assert answer.headers["content-type"].startswith("application/fhir+json")
    disposition = answer.headers["content-disposition"]
    assert disposition.startswith("attachment;") and disposition.endswith('.fhir.json"')
    bundle = parsed(answer.text)
    assert len(resources(bundle, "QuestionnaireResponse")) == 4
    content = schema["paths"]["/api/v1/export"]["get"]["responses"]["200"]["content"]
    assert "application/fhir+json" in content


@pytest.mark.postgres
def test_a_clinic_patient_exports_only_their_own_data(postgres_url: str, tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path / "data", database_url=postgres_url, mode="clinic")
    upgrade_database(settings)
    alice = "alice.fhir@clinic.example"
    ids = {
        email: add_account(settings, email=email, role=Role.PATIENT.value)
        for email in (alice, "bob.fhir@clinic.example")
    }
    with open_database(settings) as db:
        mine = fill(db, ids[alice])
        bob = db.get(User, ids["bob.fhir@clinic.example"])
        assert bob is not None
        save_questionnaire(
            db,
            user_id=bob.id,
            name="psfs",
            answers={"activity-1": "Bob's secret kayak", "rating-1": 2},
            now=T0,
        )
        _session(db, bob.id, T0, SessionStatus.COMPLETED, 1)
        db.commit()
    with running_server(settings) as live:
        client = signed_in_client(live.url, alice)
        try:
            answer = client.get("/api/v1/export", params={"format": "fhir"})
        finally:
            client.close()
    assert answer.status_code == 200, answer.text
    assert alice not in answer.text and "Bob's secret kayak" not in answer.text
    bundle = parsed(answer.text)
    assert len(resources(bundle, "Procedure")) == len(mine.statuses)
    assert len(resources(bundle, "QuestionnaireResponse")) == 4
    patients = resources(bundle, "Patient")
    assert len(patients) == 1 and patients[0].name is None
