"""One commit per request, in the service: counted on the real engine of a running server.

Every route the app has (read from the app, so new routes are covered) is
called the way its own pages call it, and the database commits it caused are
counted: a read commits nothing, a change commits once.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import Engine, event

from backcoach.coach.safety import QUESTIONS
from backcoach.config import Settings
from backcoach.web.security.trust import SAFE_METHODS
from backcoach.web.state import app_state
from tests.e2e.live_server import LiveServer, running_server
from tests.support.routes import app_endpoints, clinic_only, fill_path

ROUTES = [(e.method, e.path) for e in app_endpoints() if e.method != "WS"]
SAFE = SAFE_METHODS


@dataclass
class Counted:
    live: LiveServer
    client: httpx.Client
    commits: list[int]
    ids: dict[str, str]

    def call(self, method: str, path: str, **kwargs: Any) -> tuple[httpx.Response, int]:
        url = fill_path(path, self.ids)
        before = len(self.commits)
        headers = {"Origin": self.live.url, "Sec-Fetch-Site": "same-origin"}
        if not url.startswith("/api/"):
            headers["X-CSRF-Token"] = self.client.cookies["backcoach_csrf"]
        response = self.client.request(method, url, headers=headers, **kwargs)
        return response, len(self.commits) - before


@pytest.fixture(scope="module")
def counted(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Counted]:
    data_dir = tmp_path_factory.mktemp("commits") / "data"
    with (
        running_server(Settings(data_dir=data_dir, time_scale=50.0)) as live,
        httpx.Client(base_url=live.url, timeout=10) as client,
    ):
        client.get("/")  # creates the local user (its one commit) and the CSRF cookie
        engine = app_state(live.server.config.app).sessions.kw["bind"]
        assert isinstance(engine, Engine)
        commits: list[int] = []
        listener = lambda _conn: commits.append(1)  # noqa: E731
        event.listen(engine, "commit", listener)
        answers = {q.id: False for q in QUESTIONS}
        client.post("/api/v1/screening", json={"answers": answers}).raise_for_status()
        started = client.post("/api/v1/sessions", json={"pain_before": 3})
        assert started.status_code == 201, started.text
        ids = {
            "session_id": str(started.json()["session_id"]),
            "exercise_id": "glute-bridge",
            "program_id": "back-basics",
            "name": "pain-function",
            "step_index": "0",
        }
        yield Counted(live, client, commits, ids)
        event.remove(engine, "commit", listener)


@pytest.mark.parametrize(("method", "path"), [r for r in ROUTES if r[0] in SAFE], ids=str)
def test_a_read_commits_nothing(counted: Counted, method: str, path: str) -> None:
    response, commits = counted.call(method, path)
    assert response.status_code < 500, response.text
    assert commits == 0, f"{method} {path} committed {commits} times"


# The changes the pages make, with bodies they would send (a route without one here is
# still called below with an empty body, and must not commit more than once).
CHANGES: list[tuple[str, str, dict[str, Any]]] = [
    ("PATCH", "/api/v1/preferences", {"json": {"pain_limit": 6, "break_minutes": 30}}),
    ("POST", "/api/v1/checkins", {"json": {"phase": "before", "pain": 3}}),
    ("POST", "/api/v1/checkins", {"json": {"phase": "before", "pain": 3, "session_id": 1}}),
    ("POST", "/api/v1/sessions", {"json": {"pain_before": 2}}),
    ("POST", "/api/v1/sessions/{session_id}/events", {"json": {"type": "start"}}),
    ("POST", "/api/v1/sessions/{session_id}/events", {"json": {"type": "rep_done"}}),
    ("POST", "/api/v1/sessions/{session_id}/hurt", {"json": {"pain": 4}}),
    ("POST", "/api/v1/sessions/{session_id}/finish", {"json": {"pain_after": 2, "effort": 5}}),
    ("POST", "/api/v1/screening", {"json": {"answers": {q.id: False for q in QUESTIONS}}}),
    ("POST", "/api/v1/desk/tick", {}),
    ("POST", "/api/v1/desk/away", {}),
    ("POST", "/api/v1/desk/back", {}),
    ("POST", "/api/v1/desk/walk", {"json": {"minutes": 10}}),
    ("POST", "/settings", {"data": {"pain_limit": "5", "break_minutes": "45"}}),
    ("POST", "/habits", {"data": {"kind": "break"}}),  # "walk" was logged by the desk
    ("POST", "/screening", {"data": {q.id: "no" for q in QUESTIONS}}),
    ("POST", "/session", {"data": {"pain": "3"}}),
    (
        "POST",
        "/questionnaires/{name}",
        {
            "data": {
                "pain": "3",
                "interference-activity": "2",
                "interference-sleep": "1",
                "interference-mood": "2",
            }
        },
    ),
]


@pytest.mark.parametrize(("method", "path", "kwargs"), CHANGES, ids=lambda v: str(v)[:40])
def test_a_change_commits_once(
    counted: Counted, method: str, path: str, kwargs: dict[str, Any]
) -> None:
    response, commits = counted.call(method, path, **kwargs)
    assert response.status_code < 400, f"{method} {path}: {response.text}"
    assert commits == 1, f"{method} {path} committed {commits} times"


@pytest.mark.parametrize(("method", "path"), [r for r in ROUTES if r[0] not in SAFE], ids=str)
def test_no_change_commits_more_than_once(counted: Counted, method: str, path: str) -> None:
    kwargs: dict[str, Any] = {"json": {}} if path.startswith("/api/") else {"data": {}}
    response, commits = counted.call(method, path, **kwargs)
    assert response.status_code < 500, response.text
    assert commits <= 1, f"{method} {path} committed {commits} times"


def test_every_change_the_pages_make_is_listed() -> None:
    listed = {(method, path) for method, path, _ in CHANGES}
    missing = {
        r
        for r in ROUTES
        if r[0] not in SAFE
        and r not in listed
        and not clinic_only(r[1])  # counted in clinic mode: test_one_commit_per_request_clinic
        and r[1]
        not in (
            "/api/v1/import",  # a file upload: counted in test_import_safety
            "/settings/import",
            "/settings/delete",  # purges the database file: counted below
            "/api/v1/desk/take",  # need a due break: counted in test_desk_api
            "/api/v1/desk/snooze",
            "/api/v1/desk/skip",
            "/api/v1/desk/posture",  # needs camera frames: test_desk_api
            "/api/v1/desk/posture/stop",
        )
    }
    assert not missing, f"add a request for these changes to CHANGES: {sorted(missing)}"


def test_deleting_everything_commits_once(tmp_path: Path) -> None:
    with (
        running_server(Settings(data_dir=tmp_path / "data")) as live,
        httpx.Client(base_url=live.url, timeout=10) as client,
    ):
        client.get("/settings")
        engine = app_state(live.server.config.app).sessions.kw["bind"]
        commits: list[int] = []
        event.listen(engine, "commit", lambda _conn: commits.append(1))
        response = client.post(
            "/settings/delete",
            data={"confirm": "yes", "csrf_token": client.cookies["backcoach_csrf"]},
        )
        assert response.status_code == 200
        assert len(commits) == 1
