"""``/api/v1/clinic/programs`` through a real clinic server (PostgreSQL, and SQLite as a smoke).

A clinician builds a template, saves versions by edits and by a whole
definition, reads the diff and assigns it; the patient's plan and session
follow it. Another clinician, a patient and local mode get 404/403/404.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import closing
from pathlib import Path

import httpx
import pytest
from sqlalchemy import select

from backcoach.config import Settings
from backcoach.store import WorkoutSession, open_database
from tests.e2e.live_server import LiveServer, running_server
from tests.integration import clinic_programs_setup
from tests.integration.clinic_programs_setup import DOCTOR, OTHER_DOCTOR, PATIENT
from tests.integration.test_api import screen_clear
from tests.support.clinic import invite_code, register_patient, signed_in_client

live = clinic_programs_setup.live  # the shared fixture, found by pytest under this name


@pytest.fixture
def doctor(live: LiveServer) -> Iterator[httpx.Client]:
    with closing(signed_in_client(live.url, DOCTOR)) as client:
        yield client


@pytest.fixture
def patient(live: LiveServer, doctor: httpx.Client) -> Iterator[httpx.Client]:
    with closing(register_patient(live.url, invite_code(doctor), PATIENT)) as client:
        screen_clear(client)
        yield client


def _bridge(definition: dict[str, object], length: str = "short") -> int:
    steps = definition["lengths"][length]  # type: ignore[index]
    return next(i + 1 for i, s in enumerate(steps) if s["exercise"] == "glute-bridge")


def test_a_clinician_builds_versions_reads_the_diff_and_assigns_a_patient(
    live: LiveServer, doctor: httpx.Client, patient: httpx.Client
) -> None:
    created = doctor.post("/api/v1/clinic/programs", json={"name": "Anna's back"})
    assert created.status_code == 201, created.text
    template = created.json()
    assert [v["number"] for v in template["versions"]] == [1]
    v1 = template["versions"][0]["definition"]
    step = _bridge(v1)
    url = f"/api/v1/clinic/programs/{template['id']}"

    refused = doctor.post(
        f"{url}/versions",
        json={"edits": [{"op": "dose", "length": "short", "step": step, "dose": {"reps": 40}}]},
    )
    assert refused.status_code == 400
    assert "Short session, step 9 (Glute bridge): repetitions 40 is outside" in refused.text

    saved = doctor.post(
        f"{url}/versions",
        json={
            "edits": [
                {"op": "dose", "length": "short", "step": step, "dose": {"reps": 11}},
                {"op": "details", "sessions_per_week": 3},
            ],
            "note": "A little more",
        },
    )
    assert saved.status_code == 201, saved.text
    assert (saved.json()["number"], saved.json()["note"]) == (2, "A little more")
    whole = saved.json()["definition"]
    whole["lengths"]["full"].insert(0, {"exercise": "neck-turns", "dose": {"reps": 4}})
    third = doctor.post(f"{url}/versions", json={"definition": whole})
    assert third.status_code == 201 and third.json()["number"] == 3, third.text

    diff = doctor.get(f"{url}/diff", params={"from": 1, "to": 3})
    assert diff.status_code == 200, diff.text
    assert diff.json()["sentences"] == [
        "Sessions per week from 5 to 3.",
        "Short session: Glute bridge repetitions from 8 to 11.",
        "Full session: added Neck turns as step 1.",
    ]
    assert doctor.get(f"{url}/diff", params={"from": 1, "to": 9}).status_code == 404
    listed = doctor.get("/api/v1/clinic/programs").json()
    assert [(t["name"], t["newest_number"]) for t in listed] == [("Anna's back", 3)]

    patient_id = patient.get("/api/v1/auth/me").json()["id"]
    program_url = f"/api/v1/clinic/patients/{patient_id}/program"
    assert doctor.get(program_url).status_code == 404  # none yet
    assigned = doctor.post(program_url, json={"template_id": template["id"]})
    assert assigned.status_code == 200, assigned.text
    assert (assigned.json()["name"], assigned.json()["version_number"]) == ("Anna's back", 3)
    assert doctor.get(url).json()["patients"] == [{"id": patient_id, "email": PATIENT}]

    plan = patient.get("/api/v1/plan", params={"length": "short"}).json()
    assert plan["program_id"] == f"clinic-{template['id']}"
    bridge = next(s for s in plan["steps"] if s["exercise_id"] == "glute-bridge")
    assert bridge["reps"] == 11
    started = patient.post("/api/v1/sessions", json={"length": "short", "pain_before": 2})
    assert started.status_code == 201, started.text
    with open_database(live.settings) as db:
        row = db.scalars(select(WorkoutSession)).one()
        assert row.program_version_id == third.json()["id"]

    assert doctor.delete(program_url).status_code == 204
    assert doctor.get(program_url).status_code == 404
    plan = patient.get("/api/v1/plan", params={"length": "short"}).json()
    assert plan["program_id"] == "back-basics"


def test_another_clinicians_templates_and_patients_are_not_found(
    live: LiveServer, doctor: httpx.Client, patient: httpx.Client
) -> None:
    template = doctor.post("/api/v1/clinic/programs", json={}).json()
    patient_id = patient.get("/api/v1/auth/me").json()["id"]
    with closing(signed_in_client(live.url, OTHER_DOCTOR)) as other:
        url = f"/api/v1/clinic/programs/{template['id']}"
        assert other.get(url).status_code == 404
        assert other.get(f"{url}/diff", params={"from": 1, "to": 1}).status_code == 404
        edit = {"edits": [{"op": "details", "sessions_per_week": 2}]}
        assert other.post(f"{url}/versions", json=edit).status_code == 404
        assert other.get("/api/v1/clinic/programs").json() == []
        own = other.post("/api/v1/clinic/programs", json={}).json()
        program_url = f"/api/v1/clinic/patients/{patient_id}/program"
        assert other.post(program_url, json={"template_id": own["id"]}).status_code == 404
        assert other.delete(program_url).status_code == 404
        assert other.get(program_url).status_code == 404
        # and the first clinician cannot give their patient the other's template
        mine = doctor.post(program_url, json={"template_id": own["id"]})
        assert mine.status_code == 404
    assert patient.get("/api/v1/clinic/programs").status_code == 403
    assert patient.post("/api/v1/clinic/programs", json={}).status_code == 403


def test_there_are_no_templates_in_local_mode(tmp_path: Path) -> None:
    with (
        running_server(Settings(data_dir=tmp_path / "data", time_scale=50.0)) as live,
        httpx.Client(base_url=live.url, timeout=10) as client,
    ):
        assert client.get("/api/v1/clinic/programs").status_code == 404
        assert client.post("/api/v1/clinic/programs", json={}).status_code == 404
