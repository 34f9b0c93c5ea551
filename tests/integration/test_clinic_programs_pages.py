"""``/clinic/programs`` pages through a real clinic server: list, editor, versions, diff, assign.

The editor posts the whole draft; step buttons change it without saving, Save
makes a version (or shows why not, keeping the draft). The patient's Today names
the program and its version. Other clinicians and patients get 404 and 403.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import closing
from typing import Any

import httpx
import pytest
from sqlalchemy import select

from backcoach.store import ProgramVersion, open_database
from tests.e2e.live_server import LiveServer
from tests.integration import clinic_programs_setup
from tests.integration.clinic_programs_setup import DOCTOR, OTHER_DOCTOR, PATIENT
from tests.integration.test_api import screen_clear
from tests.support.clinic import (
    form_headers,
    invite_code,
    register_patient,
    signed_in_client,
)

live = clinic_programs_setup.live  # the shared fixture, found by pytest under this name


@pytest.fixture
def doctor(live: LiveServer) -> Iterator[httpx.Client]:
    with closing(signed_in_client(live.url, DOCTOR)) as client:
        client.headers.update(form_headers(client))
        yield client


def form_of(definition: dict[str, Any], **extra: str) -> dict[str, str]:
    """The editor's fields for a definition, as the page would post them."""
    form = {
        "name": definition["name"],
        "description": definition["description"],
        "sessions_per_week": str(definition["sessions_per_week"]),
    }
    for length, steps in definition["lengths"].items():
        form[f"{length}-count"] = str(len(steps))
        for index, step in enumerate(steps):
            prefix = f"{length}-{index}-"
            form[prefix + "exercise"] = step["exercise"]
            form[prefix + "variant"] = step["variant"]
            for field, value in step["dose"].items():
                form[prefix + field] = "" if value is None else f"{value:g}"
    form.update(extra)
    return form


def newest(live: LiveServer, template_id: int) -> tuple[int, dict[str, Any]]:
    with open_database(live.settings) as db:
        row = db.scalars(
            select(ProgramVersion)
            .where(ProgramVersion.template_id == template_id)
            .order_by(ProgramVersion.number.desc())
        ).first()
        assert row is not None
        return row.number, dict(row.definition)


def test_build_edit_save_compare_and_assign_on_the_pages(
    live: LiveServer, doctor: httpx.Client
) -> None:
    listing = doctor.get("/clinic/programs")
    assert listing.status_code == 200 and 'id="no-templates"' in listing.text
    created = doctor.post("/clinic/programs", data={"base": "back-basics", "name": "Anna's back"})
    assert created.status_code == 303, created.text
    url = created.headers["location"].split("?")[0]
    template_id = int(url.rsplit("/", 1)[1])
    page = doctor.get(url)
    assert page.status_code == 200
    assert "Anna&#39;s back" in page.text and "Save as version 2" in page.text
    assert 'id="short-8-reps"' in page.text and "5 to 12" in page.text  # the bridge's range

    number, definition = newest(live, template_id)
    moved = doctor.post(url, data=form_of(definition, action="up short 9"))
    assert moved.status_code == 200
    assert "Moved Bird-dog up to step 9. Not saved yet" in moved.text
    assert newest(live, template_id)[0] == 1  # a step button saves nothing

    refused = doctor.post(url, data=form_of(definition, action="save", **{"short-8-reps": "30"}))
    assert refused.status_code == 400
    assert "Short session, step 9 (Glute bridge): repetitions 30 is outside" in refused.text
    assert 'value="30"' in refused.text  # the draft stays as typed

    saved = doctor.post(
        url,
        data=form_of(
            definition, action="save", note="More bridges",
            **{"short-8-reps": "10", "short-9-variant": "easier"},
        ),
    )  # fmt: skip
    assert saved.status_code == 303, saved.text
    number, now = newest(live, template_id)
    assert number == 2 and now["lengths"]["short"][8]["dose"]["reps"] == 10
    page = doctor.get(url)
    assert "Changes from version 1 to 2" in page.text
    assert "Short session: Glute bridge repetitions from 8 to 10." in page.text
    assert "Short session: Bird-dog easier version instead of standard." in page.text
    assert "More bridges" in page.text
    back = doctor.get(url, params={"from": 2, "to": 1})
    assert "Short session: Glute bridge repetitions from 10 to 8." in back.text
    assert doctor.get(url, params={"from": 1, "to": 5}).status_code == 404

    with closing(register_patient(live.url, invite_code(doctor), PATIENT)) as patient:
        screen_clear(patient)
        patient_id = patient.get("/api/v1/auth/me").json()["id"]
        assert "Give this program to" in doctor.get(url).text
        assigned = doctor.post(f"{url}/assign", data={"patient_id": str(patient_id)})
        assert assigned.status_code == 303
        assert PATIENT in doctor.get(url).text
        today = patient.get("/")
        assert "Your clinician's program: <strong>Anna&#39;s back</strong> (version 2)" in (
            today.text
        )
        assert "easier version" in today.text
        stopped = doctor.post(f"{url}/unassign", data={"patient_id": str(patient_id)})
        assert stopped.status_code == 303
        assert 'id="clinic-program"' not in patient.get("/").text
        assert patient.get("/clinic/programs").status_code == 403
        assert patient.get(url).status_code == 403


def test_another_clinicians_template_is_not_found_on_the_pages(
    live: LiveServer, doctor: httpx.Client
) -> None:
    created = doctor.post("/clinic/programs", data={"base": "back-basics"})
    url = created.headers["location"].split("?")[0]
    _, definition = newest(live, int(url.rsplit("/", 1)[1]))
    with closing(signed_in_client(live.url, OTHER_DOCTOR)) as other:
        other.headers.update(form_headers(other))
        assert other.get(url).status_code == 404
        assert other.post(url, data=form_of(definition, action="save")).status_code == 404
        assert other.post(f"{url}/assign", data={"patient_id": "1"}).status_code == 404
        assert "No templates yet" in other.get("/clinic/programs").text
