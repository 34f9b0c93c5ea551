"""Administrators manage the clinic's accounts from the web (``/clinic/accounts``), through
a real server in clinic mode: list, create, disable (sessions end), reset links; and
nobody else may."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest
from sqlalchemy import select

from backcoach.config import Settings
from backcoach.services import accounts
from backcoach.store import AuditEntry, open_database
from tests.e2e.live_server import LiveServer, running_server

ADMIN = ("admin@clinic.example", "admin password 1")
CLINICIAN = ("doc@clinic.example", "clinician password")
PATIENT = ("pat@clinic.example", "patient password")


@pytest.fixture
def clinic(tmp_path: Path) -> Iterator[LiveServer]:
    settings = Settings(data_dir=tmp_path / "data", mode="clinic")
    now = datetime.now(UTC)
    with open_database(settings) as db:
        for (email, password), role in (
            (ADMIN, "admin"),
            (CLINICIAN, "clinician"),
            (PATIENT, "patient"),
        ):
            accounts.create_user(db, email=email, password=password, role=role, now=now)
    with running_server(settings) as live:
        yield live


@contextmanager
def signed_in(live: LiveServer, who: tuple[str, str]) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=live.url, timeout=10) as client:
        client.get("/login")  # the CSRF cookie
        response = client.post("/api/v1/auth/login", json={"email": who[0], "password": who[1]})
        assert response.status_code == 200, response.text
        yield client


def form(client: httpx.Client, **fields: str) -> dict[str, str]:
    return {**fields, "csrf_token": client.cookies["backcoach_csrf"]}


def ids_by_email(client: httpx.Client) -> dict[str, int]:
    response = client.get("/api/v1/clinic/accounts")
    assert response.status_code == 200, response.text
    return {row["email"]: row["id"] for row in response.json()}


def test_an_admin_lists_creates_and_the_new_account_signs_in(clinic: LiveServer) -> None:
    with signed_in(clinic, ADMIN) as admin:
        assert set(ids_by_email(admin)) == {ADMIN[0], CLINICIAN[0], PATIENT[0]}
        page = admin.get("/clinic/accounts")
        assert page.status_code == 200
        assert CLINICIAN[0] in page.text and 'id="accounts-table"' in page.text
        made = admin.post(
            "/clinic/accounts",
            data=form(
                admin, email="New.Doc@Clinic.example", role="clinician", password="new doc password"
            ),
        )
        assert made.status_code == 200
        assert "Created clinician new.doc@clinic.example." in made.text
        again = admin.post(
            "/api/v1/clinic/accounts",
            json={"email": "new.doc@clinic.example", "role": "clinician", "password": "x" * 12},
        )
        assert again.status_code == 400
        assert "already an account" in again.json()["detail"]
        short = admin.post(
            "/clinic/accounts",
            data=form(admin, email="b@clinic.example", role="admin", password="short"),
        )
        assert short.status_code == 400
        assert "at least 10 characters" in short.text
    with signed_in(clinic, ("new.doc@clinic.example", "new doc password")) as doc:
        assert doc.get("/api/v1/auth/me").json()["role"] == "clinician"


def test_disabling_ends_the_sessions_and_is_audited_for_a_patient(clinic: LiveServer) -> None:
    with signed_in(clinic, PATIENT) as patient, signed_in(clinic, ADMIN) as admin:
        assert patient.get("/api/v1/auth/me").status_code == 200
        patient_id = ids_by_email(admin)[PATIENT[0]]
        response = admin.post(f"/clinic/accounts/{patient_id}/disable", data=form(admin))
        assert response.status_code == 200
        assert f"Disabled {PATIENT[0]}" in response.text
        assert patient.get("/api/v1/auth/me").status_code == 401  # the session is gone
        relogin = httpx.post(
            clinic.url + "/api/v1/auth/login", json={"email": PATIENT[0], "password": PATIENT[1]}
        )
        assert relogin.status_code == 401
        own = admin.post(f"/api/v1/clinic/accounts/{ids_by_email(admin)[ADMIN[0]]}/disable")
        assert own.status_code == 400
        assert admin.post("/api/v1/clinic/accounts/999999/disable").status_code == 404
    with open_database(clinic.settings) as db:
        entries = db.scalars(select(AuditEntry).where(AuditEntry.patient_id == patient_id)).all()
    assert [(e.actor_email, e.action, e.detail) for e in entries] == [
        (ADMIN[0], "changed", "account disabled")
    ]


def test_a_reset_link_from_the_page_sets_a_new_password_once(clinic: LiveServer) -> None:
    with signed_in(clinic, ADMIN) as admin:
        clinician_id = ids_by_email(admin)[CLINICIAN[0]]
        link = admin.post(f"/api/v1/clinic/accounts/{clinician_id}/reset-link").json()["url"]
        page = admin.post(f"/clinic/accounts/{clinician_id}/reset-link", data=form(admin))
        assert 'id="reset-link"' in page.text
    assert link.startswith(clinic.url + "/reset/")
    path = link.removeprefix(clinic.url)
    with httpx.Client(base_url=clinic.url, timeout=10) as owner:
        # the page's link replaced the API's: only the newest link works
        assert owner.get(path).status_code == 410
        newest = page.text.split('id="reset-link" type="text" readonly value="')[1].split('"')[0]
        path = newest.removeprefix(clinic.url)
        assert owner.get(path).status_code == 200
        done = owner.post(
            path, data={"password": "brand new pass", "csrf_token": owner.cookies["backcoach_csrf"]}
        )
        assert done.status_code == 200
        assert "Your new password is set" in done.text
        assert (
            owner.post(
                path,
                data={"password": "another pass 1", "csrf_token": owner.cookies["backcoach_csrf"]},
            ).status_code
            == 400
        )
    with signed_in(clinic, (CLINICIAN[0], "brand new pass")):
        pass


@pytest.mark.parametrize("who", [CLINICIAN, PATIENT], ids=["clinician", "patient"])
def test_only_admins_manage_accounts(clinic: LiveServer, who: tuple[str, str]) -> None:
    with signed_in(clinic, who) as client:
        expected = 403
        assert client.get("/api/v1/clinic/accounts").status_code == expected
        assert client.get("/clinic/accounts").status_code == expected
        created = client.post(
            "/api/v1/clinic/accounts",
            json={"email": "x@clinic.example", "role": "admin", "password": "x" * 12},
        )
        assert created.status_code == expected
        assert client.post("/api/v1/clinic/accounts/1/reset-link").status_code == expected
        assert client.post("/clinic/accounts/1/disable", data=form(client)).status_code == expected
