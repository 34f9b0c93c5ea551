"""schemathesis against the clinic app, signed in as a patient, a clinician and an admin.

The same checks as ``test_api_schema.py`` (no 5xx; valid requests get documented
status codes and answers), on the clinic-mode schema, which holds the sign-in
and clinic routes too. Generated requests may sign the caller out, disable or
delete accounts: before each one the caller is signed in again (from an address
of its own, so generated failed sign-ins from 127.0.0.1 do not lock it out), and
an account that can no longer sign in is replaced by a new one of the same role.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
import schemathesis
from schemathesis.generation import GenerationMode

from backcoach.coach.safety import QUESTIONS
from backcoach.config import Settings
from backcoach.web.security.signin import COOKIE
from tests.e2e.live_server import LiveServer
from tests.integration.test_api_schema import MAX_EXAMPLES
from tests.support.clinic import (
    PASSWORD,
    add_account,
    client_of,
    invite_code,
    register_patient,
    running_proxied_server,
)
from tests.support.schema_run import run_operation

ROLES = ("patient", "clinician", "admin")


@dataclass
class Caller:
    """A signed-in account of one role, signed in again (or replaced) when it must be."""

    live: LiveServer
    role: str
    email: str
    token: str = ""
    logins: int = 0
    replaced: int = 0

    def cookie(self) -> dict[str, str]:
        return {"Cookie": f"{COOKIE}={self.token}"}

    def fresh_cookie(self) -> dict[str, str]:
        """The cookie of a session that is signed in now (a generated request may end it)."""
        self.ensure_signed_in()
        return self.cookie()

    def ensure_signed_in(self) -> None:
        with client_of(self.live.url) as client:
            if self.token:
                me = client.get("/api/v1/auth/me", headers=self.cookie())
                if me.status_code == 200 and me.json()["role"] == self.role:
                    return
            if not self._sign_in(client):
                # disabled or deleted by a generated request: a new account of the same role
                self.replaced += 1
                self.email = f"{self.role}.{self.replaced}@clinic.example"
                add_account(self.live.settings, email=self.email, role=self.role)
                assert self._sign_in(client), f"{self.email} cannot sign in"

    def _sign_in(self, client: httpx.Client) -> bool:
        self.logins += 1
        answer = client.post(
            "/api/v1/auth/login",
            json={"email": self.email, "password": PASSWORD},
            headers={"X-Forwarded-For": f"10.77.{self.logins // 250}.{self.logins % 250 + 1}"},
        )
        if answer.status_code != 200:
            return False
        self.token = answer.cookies[COOKIE]
        return True


@pytest.fixture(params=ROLES)
def caller(request: pytest.FixtureRequest, postgres_url: str, tmp_path: Path) -> Iterator[Caller]:
    """A clinic on PostgreSQL with a clinician, an admin and a patient of the clinician."""
    role: str = request.param
    settings = Settings(
        data_dir=tmp_path / "data", database_url=postgres_url, mode="clinic", time_scale=50.0
    )
    add_account(settings, email="clinician@clinic.example", role="clinician")
    add_account(settings, email="admin@clinic.example", role="admin")
    with running_proxied_server(settings) as live:
        with client_of(live.url) as clinician:
            answer = clinician.post(
                "/api/v1/auth/login",
                json={"email": "clinician@clinic.example", "password": PASSWORD},
            )
            assert answer.status_code == 200, answer.text
            code = invite_code(clinician)
        patient = register_patient(live.url, code, "patient@clinic.example")
        try:
            answers = {q.id: False for q in QUESTIONS}
            assert patient.post("/api/v1/screening", json={"answers": answers}).is_success
            answer = patient.post("/api/v1/sessions", json={})
            assert answer.status_code == 201, answer.text
        finally:
            patient.close()
        yield Caller(live, role, f"{role}@clinic.example")


def test_no_server_errors_and_documented_answers_for_each_role(caller: Caller) -> None:
    caller.ensure_signed_in()
    with client_of(caller.live.url) as client:
        document = client.get("/openapi.json", headers=caller.cookie())
        assert document.status_code == 200, document.text
    api = schemathesis.openapi.from_dict(document.json())
    operations = [result.ok() for result in api.get_all_operations()]
    paths = {operation.path for operation in operations}
    assert {"/api/v1/auth/login", "/api/v1/clinic/patients", "/api/v1/clinic/invites"} <= paths
    calls = dict.fromkeys(GenerationMode, 0)
    failures: dict[str, str] = {}  # every failing operation, not only the first
    for operation, mode in itertools.product(operations, GenerationMode):
        try:
            calls[mode] += run_operation(
                operation,
                mode,
                max_examples=MAX_EXAMPLES,
                base_url=caller.live.url,
                headers=caller.fresh_cookie,
            )
        except (Exception, BaseExceptionGroup) as failed:  # reported below, with the others
            failures[f"{operation.label} ({mode.value})"] = str(failed)[:1500]
    assert not failures, "\n\n".join(f"{label}:\n{text}" for label, text in failures.items())
    assert calls[GenerationMode.POSITIVE] >= len(operations)
    assert calls[GenerationMode.NEGATIVE] >= len(operations)
