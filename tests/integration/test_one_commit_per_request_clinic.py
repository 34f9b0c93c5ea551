"""One commit per request in clinic mode: sign-in, registration, resets and invites.

The local-mode test (``test_one_commit_per_request``) leaves these routes out:
there they only answer "clinic mode only". Here a clinic-mode server counts the
commits each makes on its real engine, and every changing route of the clinic
app (read from the app, so later routes are covered) commits at most once.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest
from sqlalchemy import Engine, event

from backcoach.config import Settings
from backcoach.services import accounts
from backcoach.store import open_database
from backcoach.web.security.trust import SAFE_METHODS
from backcoach.web.state import app_state
from tests.e2e.live_server import LiveServer, running_server
from tests.support.routes import app_endpoints, fill_path

CLINICIAN = ("doc@clinic.example", "clinician password")
ROUTES = [
    (e.method, e.path)
    for e in app_endpoints(Settings(mode="clinic"))
    if e.method not in SAFE_METHODS and e.method != "WS"
]
# Routes of the accounts themselves: each listed in test_each_account_change_commits_once.
ACCOUNT_PREFIXES = ("/api/v1/auth/", "/login", "/logout", "/register", "/reset/")
ACCOUNT_PATHS = ("/api/v1/clinic/invites",)


@dataclass
class Counted:
    live: LiveServer
    settings: Settings
    commits: list[int]

    def client(self) -> httpx.Client:
        return httpx.Client(base_url=self.live.url, timeout=10)

    def call(
        self, client: httpx.Client, method: str, path: str, **kwargs: Any
    ) -> tuple[httpx.Response, int]:
        headers = {"Origin": self.live.url, "Sec-Fetch-Site": "same-origin"}
        if not path.startswith("/api/"):
            headers["X-CSRF-Token"] = client.cookies.get("backcoach_csrf") or ""
        before = len(self.commits)
        response = client.request(method, path, headers=headers, **kwargs)
        return response, len(self.commits) - before

    @contextmanager
    def signed_in(self, email: str, password: str) -> Iterator[httpx.Client]:
        with self.client() as client:
            client.get("/login")  # the CSRF cookie
            body = {"email": email, "password": password}
            response = client.post("/api/v1/auth/login", json=body)
            assert response.status_code == 200, response.text
            yield client

    def invite_code(self) -> str:
        with self.signed_in(*CLINICIAN) as clinician:
            response = clinician.post("/api/v1/clinic/invites", json={})
        assert response.status_code == 201, response.text
        code: str = response.json()["code"]
        return code


@pytest.fixture(scope="module")
def counted(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Counted]:
    settings = Settings(data_dir=tmp_path_factory.mktemp("clinic-commits") / "data", mode="clinic")
    with open_database(settings) as db:
        accounts.create_user(
            db, email=CLINICIAN[0], password=CLINICIAN[1], role="clinician", now=datetime.now(UTC)
        )
    with running_server(settings) as live:
        engine = app_state(live.server.config.app).sessions.kw["bind"]
        assert isinstance(engine, Engine)
        commits: list[int] = []
        listener = lambda _conn: commits.append(1)  # noqa: E731
        event.listen(engine, "commit", listener)
        yield Counted(live, settings, commits)
        event.remove(engine, "commit", listener)


def test_each_account_change_commits_once(counted: Counted) -> None:
    seen: set[tuple[str, str]] = set()

    def once(client: httpx.Client, method: str, path: str, **kwargs: Any) -> httpx.Response:
        response, commits = counted.call(client, method, fill_path(path, ids), **kwargs)
        assert response.status_code < 400, f"{method} {path}: {response.text}"
        assert commits == 1, f"{method} {path} committed {commits} times"
        seen.add((method, path))
        return response

    ids: dict[str, str] = {}
    with counted.client() as anyone:
        anyone.get("/login")
        once(
            anyone,
            "POST",
            "/api/v1/auth/login",
            json=dict(zip(("email", "password"), CLINICIAN, strict=True)),
        )
        once(anyone, "POST", "/api/v1/clinic/invites", json={})
        once(anyone, "POST", "/api/v1/auth/logout-everywhere")
        once(anyone, "POST", "/login", data={"email": CLINICIAN[0], "password": CLINICIAN[1]})
        once(anyone, "POST", "/logout/everywhere")
        once(anyone, "POST", "/login", data={"email": CLINICIAN[0], "password": CLINICIAN[1]})
        once(anyone, "POST", "/logout")
    with counted.client() as patient:
        patient.get("/login")
        body = {
            "code": counted.invite_code(),
            "email": "a@patient.example",
            "password": "patient pass 1",
        }
        once(patient, "POST", "/api/v1/auth/register", json=body)
        once(patient, "POST", "/api/v1/auth/logout")
    with counted.client() as patient:
        patient.get("/login")
        form = {
            "code": counted.invite_code(),
            "email": "b@patient.example",
            "password": "patient pass 2",
        }
        once(patient, "POST", "/register", data=form)
        with open_database(counted.settings) as db:
            ids["secret"] = accounts.issue_reset_link(
                db, email="b@patient.example", issued_by=None, now=datetime.now(UTC)
            )
        once(patient, "POST", "/reset/{secret}", data={"password": "a new password 3"})
    account_routes = {
        r for r in ROUTES if r[1].startswith(ACCOUNT_PREFIXES) or r[1] in ACCOUNT_PATHS
    }
    assert account_routes - seen == set(), "count the commits of these account routes too"


@pytest.mark.parametrize(("method", "path"), ROUTES, ids=str)
def test_no_clinic_change_commits_more_than_once(counted: Counted, method: str, path: str) -> None:
    with counted.signed_in(*CLINICIAN) as clinician:
        kwargs: dict[str, Any] = {"json": {}} if path.startswith("/api/") else {"data": {}}
        response, commits = counted.call(clinician, method, fill_path(path, {}), **kwargs)
    assert response.status_code < 500, response.text
    assert commits <= 1, f"{method} {path} committed {commits} times"
