"""The clinician's pages and JSON through a real server: /clinic, a patient's page, notes,
schedules and invites; another clinician's patient is 404; the patient sees notes and
requested questionnaires on Today; views and changes are in the audit log.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest
import schemathesis
from schemathesis.generation import GenerationMode
from sqlalchemy import select

from backcoach.config import Settings
from backcoach.i18n import format_date
from backcoach.services import accounts
from backcoach.store import AuditEntry, CareLink, Screening, User, open_database
from backcoach.web.security.csrf import COOKIE as CSRF_COOKIE
from backcoach.web.security.signin import COOKIE as SESSION_COOKIE
from tests.e2e.live_server import LiveServer, running_server
from tests.support import clinic_people as make
from tests.support.schema_run import run_operation

PASSWORD = "clinic test password 1"
PATIENTS = "/api/v1/clinic/patients"
PATIENT_ROUTES = {
    f"GET {PATIENTS}",
    f"GET {PATIENTS}/{{patient_id}}",
    f"POST {PATIENTS}/{{patient_id}}/notes",
    f"PUT {PATIENTS}/{{patient_id}}/schedules/{{name}}",
    f"DELETE {PATIENTS}/{{patient_id}}/schedules/{{name}}",
}


@dataclass
class Clinic:
    live: LiveServer
    settings: Settings
    ids: dict[str, int]

    @contextmanager
    def client(self, email: str) -> Iterator[httpx.Client]:
        """A client signed in as ``email``."""
        with httpx.Client(base_url=self.live.url, timeout=15) as client:
            answer = client.post("/api/v1/auth/login", json={"email": email, "password": PASSWORD})
            assert answer.status_code == 200, answer.text
            yield client

    def audit(self) -> list[tuple[str, str, str]]:
        with open_database(self.settings) as db:
            rows = db.scalars(select(AuditEntry).order_by(AuditEntry.id))
            return [(r.patient_email or "", r.action, r.detail) for r in rows]


def post_form(client: httpx.Client, path: str, data: dict[str, str]) -> httpx.Response:
    """A page form as the browser sends it: same origin, with the CSRF token."""
    if CSRF_COOKIE not in client.cookies:
        client.get("/clinic")
    origin = str(client.base_url).rstrip("/")
    token = client.cookies[CSRF_COOKIE]
    headers = {"Origin": origin, "Sec-Fetch-Site": "same-origin"}
    return client.post(path, data={**data, "csrf_token": token}, headers=headers)


def add_login(settings: Settings, email: str, role: str) -> int:
    with open_database(settings) as db:
        user = accounts.create_user(
            db, email=email, password=PASSWORD, role=role, now=datetime.now(UTC)
        )
        return user.id


@pytest.fixture(scope="module")
def clinic(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Clinic]:
    settings = Settings(data_dir=Path(tmp_path_factory.mktemp("clinic")) / "data", mode="clinic")
    now = datetime.now(UTC)
    ids = {
        "doc": add_login(settings, "doc@clinic.example", "clinician"),
        "other": add_login(settings, "other@clinic.example", "clinician"),
        "walker": add_login(settings, "walker@example.org", "patient"),
    }
    with open_database(settings) as db:
        doc, other = db.get(User, ids["doc"]), db.get(User, ids["other"])
        assert doc is not None and other is not None
        steady = make.patient_of(db, doc, "a-steady@example.org", linked=now - timedelta(days=40))
        for n in (1, 2, 4, 6):
            make.workout(
                db, steady, now - timedelta(days=n), before=4, after=3, camera_reps=11,
                form_notes=[{"code": "hips-low", "message": "Lift your hips higher.", "count": 3}],
            )  # fmt: skip
        make.checkin(db, steady, now - timedelta(hours=3), pain=2)
        make.answer(db, steady, "startback", make.STARTBACK_LOW, now - timedelta(days=3))
        flagged = make.patient_of(db, doc, "z-flagged@example.org", linked=now - timedelta(days=9))
        make.workout(db, flagged, now - timedelta(days=8), before=3, after=6)
        make.workout(db, flagged, now - timedelta(days=7), before=3, after=5)
        make.screening(db, flagged, now - timedelta(days=2), red_flags=["saddle-numbness"])
        make.answer(db, flagged, "startback", make.STARTBACK_HIGH, now - timedelta(days=2))
        theirs = make.patient_of(db, other, "theirs@example.org", linked=now - timedelta(days=5))
        walker = db.get(User, ids["walker"])
        assert walker is not None
        db.add(CareLink(patient_id=walker.id, clinician_id=doc.id, linked_at=now))
        db.commit()
        ids |= {"steady": steady.id, "flagged": flagged.id, "theirs": theirs.id}
    with running_server(settings) as live:
        yield Clinic(live, settings, ids)


def test_the_dashboard_shows_adherence_pain_and_flags_red_flag_first(clinic: Clinic) -> None:
    with clinic.client("doc@clinic.example") as doc:
        page = doc.get("/clinic")
    assert page.status_code == 200
    html = page.text
    assert "theirs@example.org" not in html
    rows = re.findall(r'<tr id="patient-(\d+)"( class="red-flag-row")?', html)
    assert rows[0] == (str(clinic.ids["flagged"]), ' class="red-flag-row"')
    assert {int(r[0]) for r in rows} == {clinic.ids[k] for k in ("flagged", "steady", "walker")}
    steady = html.split(f'id="patient-{clinic.ids["steady"]}"')[1].split("</tr>")[0]
    assert "4 of 5" in steady and "4 of 20" in steady
    assert "4→3" in steady and "(average -1.0)" in steady
    assert ">none<" in steady
    flagged = html.split(f'id="patient-{clinic.ids["flagged"]}"')[1].split("</tr>")[0]
    red_date = format_date((datetime.now(UTC) - timedelta(days=2)).astimezone(), "yMMMd")
    assert f"Red flag since {red_date}" in flagged
    for label in ("Pain rising", "STarT Back high risk", "Inactive"):
        assert label in flagged
    assert 'href="/clinic/patients/' in html
    assert 'action="/clinic/invites"' in html


def test_the_patient_list_in_json(clinic: Clinic) -> None:
    before = clinic.audit()
    with clinic.client("doc@clinic.example") as doc:
        answer = doc.get("/api/v1/clinic/patients")
    assert answer.status_code == 200
    patients = answer.json()
    assert patients[0]["email"] == "z-flagged@example.org"
    assert [f["code"] for f in patients[0]["flags"]] == [
        "red-flag",
        "pain-rising",
        "start-back-high",
        "inactive",
    ]
    steady = next(p for p in patients if p["email"] == "a-steady@example.org")
    assert steady["adherence"]["days_28"] == {"done": 4, "prescribed": 20}
    assert steady["pain"]["average_change"] == -1.0
    assert steady["last_activity"] is not None
    assert {"id", "linked_at", "disabled"} <= set(steady)
    assert clinic.audit() == before  # the list shows no patient's details: not audited


def test_the_patient_page_shows_history_and_is_audited(clinic: Clinic) -> None:
    pid = clinic.ids["steady"]
    before = len(clinic.audit())
    with clinic.client("doc@clinic.example") as doc:
        page = doc.get(f"/clinic/patients/{pid}")
        detail = doc.get(f"/api/v1/clinic/patients/{pid}")
    assert page.status_code == 200, page.text
    html = page.text
    assert "a-steady@example.org" in html
    assert 'id="pain-chart"' in html and 'id="chart-data"' in html
    assert "11 camera reps" in html
    assert "Lift your hips higher. (3 times)" in html  # the camera's form notes on the step
    assert "Glute bridge" in html or "glute-bridge" in html
    assert "low risk" in html and "Total 0/9" in html
    assert 'id="checkins-table"' in html
    assert 'name="csrf_token"' in html and 'action="/clinic/patients/' in html
    assert detail.status_code == 200
    body = detail.json()
    assert len(body["sessions"]) == 4
    assert body["sessions"][0]["steps"][0] == {
        "step_index": 0,
        "exercise_id": "glute-bridge",
        "variant": "standard",
        "status": "completed",
        "reps": 11,
        "hold_s": None,
        "duration_s": 90.0,
        "source": "camera",
        "pain": None,
        "form_notes": [{"code": "hips-low", "message": "Lift your hips higher.", "count": 3}],
    }
    assert body["questionnaires"][0]["risk_group"] == "low"
    assert body["checkins"][0]["pain"] == 2
    assert clinic.audit()[before:] == [
        ("a-steady@example.org", "viewed", "patient page"),
        ("a-steady@example.org", "viewed", "patient detail (API)"),
    ]


def test_another_clinicians_patient_or_an_unknown_id_is_not_found(clinic: Clinic) -> None:
    before = len(clinic.audit())
    with clinic.client("doc@clinic.example") as doc:
        for pid in (clinic.ids["theirs"], 999_999):
            page = doc.get(f"/clinic/patients/{pid}")
            assert page.status_code == 404
            assert "We could not find that patient among yours." in page.text
            base = f"/api/v1/clinic/patients/{pid}"
            answers = [
                doc.get(base),
                doc.post(f"{base}/notes", json={"text": "hello"}),
                doc.put(f"{base}/schedules/psfs", json={"every_days": 14}),
                doc.delete(f"{base}/schedules/psfs"),
            ]
            for answer in answers:
                assert answer.status_code == 404, answer.text
                assert answer.json() == {"detail": "There is no such patient among yours."}
            for path, data in (
                (f"/clinic/patients/{pid}/notes", {"text": "hello"}),
                (f"/clinic/patients/{pid}/schedules", {"name": "psfs", "every_days": "14"}),
                (f"/clinic/patients/{pid}/schedules/psfs/delete", {}),
            ):
                assert post_form(doc, path, data).status_code == 404
    with clinic.client("other@clinic.example") as other:
        assert other.get(f"/clinic/patients/{clinic.ids['theirs']}").status_code == 200
        assert "a-steady@example.org" not in other.get("/clinic").text
    with clinic.client("walker@example.org") as patient:
        assert patient.get("/api/v1/clinic/patients").status_code == 403
    assert clinic.audit()[before:] == [("theirs@example.org", "viewed", "patient page")]


def test_invite_a_patient_from_the_dashboard(clinic: Clinic) -> None:
    with clinic.client("doc@clinic.example") as doc:
        page = post_form(doc, "/clinic/invites", {})
        assert page.status_code == 200
        link = re.search(r'id="invite-link" type="text" readonly value="([^"]+)"', page.text)
        assert link is not None
        url = link.group(1).replace("&amp;", "&")
        assert "/register?code=" in url
        assert doc.get(url).status_code == 200  # the registration page accepts it
        refused = doc.post("/clinic/invites", data={}, headers={"Sec-Fetch-Site": "same-origin"})
        assert refused.status_code == 403


def test_notes_and_schedules_reach_the_patients_today_page(clinic: Clinic) -> None:
    pid = clinic.ids["walker"]
    with clinic.client("doc@clinic.example") as doc:
        sent = post_form(doc, f"/clinic/patients/{pid}/notes", {"text": "Walk 10 min\nevery day"})
        assert sent.status_code == 303
        assert sent.headers["location"] == f"/clinic/patients/{pid}#notes"
        sent = post_form(
            doc, f"/clinic/patients/{pid}/schedules", {"name": "psfs", "every_days": "14"}
        )
        assert sent.status_code == 303
        api = f"/api/v1/clinic/patients/{pid}"
        note = doc.post(f"{api}/notes", json={"text": "Keep going"})
        assert note.status_code == 201 and note.json()["author"] == "doc@clinic.example"
        plan = doc.put(f"{api}/schedules/startback", json={"every_days": 28})
        assert plan.status_code == 200
        assert plan.json()["due_since"] == plan.json()["first_due"]
        page = doc.get(f"/clinic/patients/{pid}").text
        assert "Walk 10 min\nevery day" in page and "Keep going" in page
        assert "Patient-Specific Functional Scale</strong> every 14 days" in page
    with clinic.client("walker@example.org") as patient:
        today = patient.get("/").text
    assert "From your clinician" in today
    assert today.index("Keep going") < today.index("Walk 10 min")
    assert "Your clinician asks you to fill in the <strong>Patient-Specific" in today
    assert 'href="/questionnaires/psfs"' in today and 'href="/questionnaires/startback"' in today
    with clinic.client("doc@clinic.example") as doc:
        assert doc.delete(f"{api}/schedules/startback").status_code == 204
        gone = doc.delete(f"{api}/schedules/startback")
        assert gone.status_code == 404
        assert gone.json()["detail"] == "That questionnaire is not scheduled for this patient."
        assert (
            post_form(doc, f"/clinic/patients/{pid}/schedules/psfs/delete", {}).status_code == 303
        )
    with clinic.client("walker@example.org") as patient:
        assert "Your clinician asks you" not in patient.get("/").text
    changes = [a for a in clinic.audit() if a[0] == "walker@example.org" and a[1] == "changed"]
    assert [a[2].split(" (")[0].split(" every")[0] for a in changes] == [
        "added a note",
        "scheduled psfs",
        "added a note",
        "scheduled startback",
        "removed the startback schedule",
        "removed the psfs schedule",
    ]


def test_a_scheduled_pain_and_function_check_is_asked_for_once(clinic: Clinic) -> None:
    pid = clinic.ids["walker"]
    check = 'href="/questionnaires/pain-function"'
    api = f"/api/v1/clinic/patients/{pid}/schedules/pain-function"
    with open_database(clinic.settings) as db:  # screened: the plan, and its own reminder
        walker = db.get(User, pid)
        assert walker is not None
        make.screening(
            db, walker, datetime.now(UTC) - timedelta(hours=1), red_flags=[], complete=True
        )
        db.commit()
    try:
        with clinic.client("walker@example.org") as patient:
            assert patient.get("/").text.count(check) == 1  # the app's fortnightly reminder
        with clinic.client("doc@clinic.example") as doc:
            assert doc.put(api, json={"every_days": 7}).status_code == 200
        with clinic.client("walker@example.org") as patient:
            today = patient.get("/").text
        assert "Your clinician asks you to fill in the <strong>Pain and function" in today
        assert today.count(check) == 1 and 'id="check-due"' not in today
    finally:
        with clinic.client("doc@clinic.example") as doc:
            doc.delete(api)
        with open_database(clinic.settings) as db:
            for row in db.scalars(select(Screening).where(Screening.user_id == pid)):
                db.delete(row)
            db.commit()


def test_form_mistakes_are_explained_and_change_nothing(clinic: Clinic) -> None:
    pid = clinic.ids["steady"]
    with clinic.client("doc@clinic.example") as doc:
        page = post_form(doc, f"/clinic/patients/{pid}/notes", {"text": "   "})
        assert page.status_code == 422
        assert "The note is empty: write something first." in page.text
        page = post_form(
            doc, f"/clinic/patients/{pid}/schedules", {"name": "psfs", "every_days": "3"}
        )
        assert page.status_code == 422
        assert "Choose a whole number of days from 7 to 90." in page.text
        page = post_form(
            doc, f"/clinic/patients/{pid}/schedules", {"name": "sf-36", "every_days": "14"}
        )
        assert "Choose one of the questionnaires." in page.text
        api = f"/api/v1/clinic/patients/{pid}"
        assert doc.put(f"{api}/schedules/sf-36", json={"every_days": 14}).status_code == 400
        assert doc.put(f"{api}/schedules/psfs", json={"every_days": 5}).status_code == 422
        assert doc.post(f"{api}/notes", json={"text": ""}).status_code == 422
        assert doc.get(f"{api}").json()["notes"] == []
        assert doc.get(f"{api}").json()["schedules"] == []


def test_generated_requests_get_documented_answers(clinic: Clinic) -> None:
    """schemathesis on the patient routes, signed in as a clinician (the shared run is local)."""
    with clinic.client("other@clinic.example") as other:
        api = schemathesis.openapi.from_dict(other.get("/openapi.json").json())
        cookie = {"Cookie": f"{SESSION_COOKIE}={other.cookies[SESSION_COOKIE]}"}
        operations = [
            found.ok() for found in api.get_all_operations() if found.ok().label in PATIENT_ROUTES
        ]
        assert len(operations) == len(PATIENT_ROUTES)
        calls = 0
        for operation, mode in itertools.product(operations, GenerationMode):
            calls += run_operation(
                operation, mode, max_examples=6, base_url=clinic.live.url, headers=cookie
            )
    assert calls >= len(operations)
