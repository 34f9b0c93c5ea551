"""The attacks of the trust-boundary probe, replayed against a real ``backcoach serve``.

One server process (``python -m backcoach serve``) on a fresh data dir serves the
whole module. Each test sets up what the attack targets through the app's own
origin, records every stored row, attacks the way a hostile web page (or a
crafted file) would, and checks the attack failed and not one row changed.
"""

from __future__ import annotations

import json
import sqlite3
import stat
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from websockets.exceptions import ConnectionClosed, InvalidStatus
from websockets.sync.client import ClientConnection, connect

from backcoach.coach.safety import QUESTIONS
from tests.support.serve import backcoach_serve
from tests.support.ws_frames import announce_huge_message

EVIL = {"Origin": "http://evil.example", "Sec-Fetch-Site": "cross-site"}
EVIL_ORIGIN_ONLY = {"Origin": "http://evil.example"}
PAGES = ("/", "/history", "/desk", "/exercises", "/settings")


@dataclass
class Served:
    url: str
    data_dir: Path
    client: httpx.Client  # the person's own browser: own origin, with the CSRF cookie

    @property
    def database(self) -> Path:
        return self.data_dir / "backcoach.db"

    def rows(self) -> list[str]:
        with sqlite3.connect(f"file:{self.database}?mode=ro", uri=True) as conn:
            return list(conn.iterdump())

    def own(self) -> dict[str, str]:
        return {"Origin": self.url, "Sec-Fetch-Site": "same-origin"}

    def form(self, **fields: str) -> dict[str, str]:
        return {**fields, "csrf_token": self.client.cookies["backcoach_csrf"]}

    def ws(self, path: str, headers: dict[str, str] | None = None) -> ClientConnection:
        url = self.url.replace("http://", "ws://") + path
        return connect(url, additional_headers=headers or self.own(), open_timeout=10)


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    data_dir = tmp_path_factory.mktemp("attacks") / "data"
    with (
        backcoach_serve(env={"BACKCOACH_DATA_DIR": str(data_dir)}) as process,
        httpx.Client(base_url=process.url, timeout=10) as client,
    ):
        client.get("/")  # the page gives this browser its CSRF cookie
        yield Served(process.url, data_dir, client)


def screen(served: Served, *, red_flag: bool) -> None:
    answers = {q.id: False for q in QUESTIONS}
    if red_flag:
        answers["bladder-bowel"] = True
    response = served.client.post(
        "/api/v1/screening", json={"answers": answers}, headers=served.own()
    )
    assert response.is_success, response.text


def started_session(served: Served) -> int:
    response = served.client.post("/api/v1/sessions", json={}, headers=served.own())
    assert response.status_code == 201, response.text
    session_id: int = response.json()["session_id"]
    return session_id


def pages_answer(served: Served) -> None:
    for path in PAGES:
        assert served.client.get(path).status_code == 200, path
    assert served.client.get("/api/v1/export").status_code == 200
    assert served.client.get("/api/v1/export", params={"format": "csv"}).status_code == 200


# --- a hostile page in the same browser ----------------------------------------------


def test_a_foreign_page_cannot_delete_everything(served: Served) -> None:
    screen(served, red_flag=False)
    started_session(served)
    before = served.rows()
    # A cross-site form post carries the browser's cookies, but never the page's token.
    for headers in (EVIL, EVIL_ORIGIN_ONLY):
        attack = httpx.post(
            served.url + "/settings/delete",
            data={"confirm": "yes"},
            headers=headers,
            cookies=served.client.cookies,
        )
        assert attack.status_code == 403
    # A browser that sends no Origin at all is stopped by the missing token.
    no_token = httpx.post(
        served.url + "/settings/delete", data={"confirm": "yes"}, cookies=served.client.cookies
    )
    assert no_token.status_code == 403
    assert served.rows() == before


def test_a_foreign_page_cannot_clear_a_red_flag(served: Served) -> None:
    screen(served, red_flag=True)
    assert served.client.get("/api/v1/plan").json()["refusal"] == "red-flag"
    before = served.rows()
    all_clear = {q.id: "no" for q in QUESTIONS}
    form = httpx.post(served.url + "/screening", data=all_clear, headers=EVIL_ORIGIN_ONLY)
    api = httpx.post(
        served.url + "/api/v1/screening",
        json={"answers": {q.id: False for q in QUESTIONS}},
        headers=EVIL,
    )
    assert (form.status_code, api.status_code) == (403, 403)
    assert served.rows() == before
    assert served.client.get("/api/v1/plan").json()["refusal"] == "red-flag"
    screen(served, red_flag=False)  # the person themself may answer again


@pytest.mark.parametrize(
    ("method", "path", "kwargs"),
    [
        ("POST", "/settings", {"data": {"pain_limit": "10", "break_minutes": "30"}}),
        ("POST", "/session", {"data": {"pain": "2"}}),
        ("PATCH", "/api/v1/preferences", {"json": {"pain_limit": 10}}),
        ("POST", "/api/v1/sessions", {"json": {}}),
        (
            "POST",
            "/api/v1/import",
            {
                "files": {
                    "file": (
                        "x.json",
                        b'{"format":"backcoach-export","version":1,"tables":{"habit_logs":[]}}',
                    )
                }
            },
        ),
    ],
)
def test_other_cross_site_changes_are_refused(
    served: Served, method: str, path: str, kwargs: dict[str, Any]
) -> None:
    before = served.rows()
    for headers in (EVIL, EVIL_ORIGIN_ONLY, {"Sec-Fetch-Site": "cross-site"}):
        response = httpx.request(method, served.url + path, headers=headers, **kwargs)
        assert response.status_code == 403, (path, headers, response.text)
    assert served.rows() == before


def test_dns_rebinding_reads_nothing(served: Served) -> None:
    port = served.url.rsplit(":", 1)[1]
    for path in ("/api/v1/export", "/", "/api/v1/checkins", "/history"):
        response = httpx.get(served.url + path, headers={"Host": f"evil.example:{port}"})
        assert response.status_code == 400
        assert "answers" not in response.text


@pytest.mark.parametrize("path", ["/ws/practice/glute-bridge", "/ws/coach/{session}"])
def test_foreign_pages_cannot_open_the_camera_sockets(served: Served, path: str) -> None:
    path = path.format(session=started_session(served))
    for headers in (EVIL, EVIL_ORIGIN_ONLY):
        with pytest.raises(InvalidStatus) as refused:
            served.ws(path, headers)
        assert refused.value.response.status_code == 403
    with served.ws(path) as own:  # our own page still can
        assert json.loads(own.recv(timeout=10))["type"] == "hello"


def test_every_answer_has_the_security_headers(served: Served) -> None:
    for path in ("/", "/api/v1/export", "/static/js/app.js", "/docs"):
        headers = served.client.get(path).headers
        assert "frame-ancestors 'none'" in headers["content-security-policy"]
        assert "script-src 'self'" in headers["content-security-policy"]
        assert headers["referrer-policy"] == "no-referrer"
        assert headers["x-content-type-options"] == "nosniff"
        assert headers["permissions-policy"].startswith("camera=(self)")


# --- crafted files and messages ------------------------------------------------------


def _export_with(**tables: list[dict[str, Any]]) -> str:
    return json.dumps({"format": "backcoach-export", "version": 1, "tables": tables})


HABIT = {"day": "2026-01-05", "at": "2026-01-05T08:00:00+00:00", "kind": "walk", "source": "web"}


@pytest.mark.parametrize(
    "text",
    [
        _export_with(habit_logs=[{**HABIT, "amount": 1}]).replace('"amount": 1', '"amount": 1e400'),
        _export_with(habit_logs=[{**HABIT, "amount": 1}]).replace(
            '"amount": 1', '"amount": Infinity'
        ),
        _export_with(habit_logs=[{**HABIT, "amount": 1}]).replace('"amount": 1', '"amount": NaN'),
        _export_with(
            sessions=[
                {
                    "id": 1,
                    "program_id": "back-basics",
                    "length": "short",
                    "plan": {},
                    "snapshot": None,
                    "status": "in_progress",
                    "started_at": "2026-01-05T08:00:00+00:00",
                    "ended_at": None,
                    "pain_before": None,
                    "pain_after": None,
                    "effort": None,
                }
            ]
        ),
    ],
    ids=["1e400", "Infinity", "NaN", "empty-plan"],
)
def test_crafted_imports_are_refused_and_break_nothing(served: Served, text: str) -> None:
    before = served.rows()
    response = served.client.post(
        "/api/v1/import", files={"file": ("crafted.json", text.encode())}, headers=served.own()
    )
    assert response.status_code == 400, response.text
    assert "nothing was imported" in response.json()["detail"].lower()
    assert served.rows() == before
    pages_answer(served)


def test_the_same_file_twice_changes_nothing_the_second_time(served: Served) -> None:
    export = served.client.get("/api/v1/export").content
    before = served.rows()
    again = served.client.post(
        "/api/v1/import", files={"file": ("mine.json", export)}, headers=served.own()
    )
    assert again.status_code == 200, again.text
    assert served.rows() == before
    pages_answer(served)


def test_hostile_camera_messages_get_an_error_and_the_socket_lives_on(served: Served) -> None:
    frame = {"type": "frame", "t_s": 0.1, "landmarks": [[0.5, 0.5, 0.0, 0.9]] * 33}
    huge = json.dumps(frame).replace("0.5, 0.5", "1" + "0" * 400 + ", 0.5", 1)
    nested = '{"type": "frame", "t_s": 0.1, "landmarks": ' + "[" * 5000 + "]" * 5000 + "}"
    with served.ws("/ws/practice/glute-bridge") as socket_:
        socket_.recv(timeout=10)  # hello
        for message in (huge, nested, json.dumps(frame).replace("0.1", "NaN")):
            socket_.send(message)
            answer = json.loads(socket_.recv(timeout=10))
            assert answer["type"] == "error", answer
        socket_.send(json.dumps(frame))
        assert json.loads(socket_.recv(timeout=10))["type"] == "feedback"


def test_a_15_mib_message_is_cut_off_at_the_server(served: Served) -> None:
    """The server closes on the frame's announced size, before reading 15 MiB."""
    port = int(served.url.rsplit(":", 1)[1])
    size = 15 * 1024 * 1024
    assert announce_huge_message("127.0.0.1", port, "/ws/practice/glute-bridge", size) == 1009
    assert served.client.get("/").status_code == 200


@pytest.mark.parametrize("session_id", ["9223372036854775808", "99999999999999999999999", "0"])
def test_session_ids_out_of_range_are_refused(served: Served, session_id: str) -> None:
    with (
        pytest.raises((InvalidStatus, ConnectionClosed)),
        served.ws(f"/ws/coach/{session_id}") as s,
    ):
        s.recv(timeout=10)
        s.recv(timeout=10)
    assert served.client.get("/").status_code == 200


@pytest.mark.parametrize("answer", ["²", "9" * 5000, "-1", "1e3"])
def test_odd_questionnaire_answers_get_the_form_again(served: Served, answer: str) -> None:
    before = served.rows()
    items = ("pain", "interference-activity", "interference-sleep", "interference-mood")
    form = served.form(**dict.fromkeys(items, answer))
    response = served.client.post("/questionnaires/pain-function", data=form, headers=served.own())
    assert response.status_code == 422, response.text
    assert 'id="questionnaire-form"' in response.text
    assert served.rows() == before


# --- files on disk --------------------------------------------------------------------


def test_health_data_files_are_private(served: Served) -> None:
    served.client.post(
        "/api/v1/checkins", json={"phase": "before", "pain": 3}, headers=served.own()
    )
    assert stat.S_IMODE(served.data_dir.stat().st_mode) == 0o700
    for name in ("backcoach.db", "backcoach.db-wal", "backcoach.db-shm"):
        path = served.data_dir / name
        if name == "backcoach.db" or path.exists():
            assert stat.S_IMODE(path.stat().st_mode) == 0o600, name
