"""The trust boundary, route by route, against a real uvicorn server on a real SQLite file.

The routes are read from the app itself, so a route added later is covered
without editing this file: every state-changing route and every WebSocket is sent
a cross-site request (foreign ``Origin``, ``Sec-Fetch-Site: cross-site``) and must
refuse it without changing a single stored row; the same request from the app's
own origin must still get through. Every route refuses a foreign ``Host``.
"""

from __future__ import annotations

import socket
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from websockets.exceptions import InvalidStatus
from websockets.sync.client import connect

from backcoach.coach.safety import QUESTIONS
from backcoach.config import Settings
from backcoach.web.security.trust import SAFE_METHODS
from tests.e2e.live_server import LiveServer, running_server
from tests.support.routes import Endpoint, app_endpoints, fill_path

CROSS_SITE_HEADERS = {
    "origin only": {"Origin": "http://evil.example"},
    "fetch metadata only": {"Sec-Fetch-Site": "cross-site"},
    "same site, other port": {"Origin": "http://127.0.0.1:1", "Sec-Fetch-Site": "same-site"},
    "both": {"Origin": "http://evil.example", "Sec-Fetch-Site": "cross-site"},
    "opaque origin": {"Origin": "null"},
}
# A form that would change something on any page route that accepted it.
FORM = {
    "confirm": "yes",
    "kind": "walk",
    "pain_limit": "9",
    "break_minutes": "30",
    "session_length": "full",
    "pain": "2",
    **{q.id: "no" for q in QUESTIONS},
}


ENDPOINTS = app_endpoints()
CHANGING = [e for e in ENDPOINTS if e.changes]
SOCKETS = [e for e in ENDPOINTS if e.method == "WS"]
READING = [e for e in ENDPOINTS if e.method in SAFE_METHODS]


def test_the_route_list_is_complete() -> None:
    """The enumeration sees the routes we know of (guards against a silent empty list)."""
    assert Endpoint("POST", "/settings/delete") in CHANGING
    assert Endpoint("POST", "/api/v1/import") in CHANGING
    assert Endpoint("PATCH", "/api/v1/preferences") in CHANGING
    sockets = {str(e) for e in SOCKETS}
    assert sockets == {"WS /ws/coach/{session_id}", "WS /ws/practice/{exercise_id}"}
    assert len(CHANGING) >= 20


@dataclass
class Seeded:
    live: LiveServer
    client: httpx.Client
    database: Path
    ids: dict[str, str]

    def url(self, endpoint: Endpoint) -> str:
        return fill_path(endpoint.path, self.ids)

    def token(self) -> str:
        token = self.client.cookies.get("backcoach_csrf")
        assert token, "the app gave no CSRF cookie"
        return token

    def own_origin(self) -> dict[str, str]:
        return {"Origin": self.live.url, "Sec-Fetch-Site": "same-origin"}

    def send(self, endpoint: Endpoint, headers: dict[str, str]) -> httpx.Response:
        url = self.url(endpoint)
        if url.startswith("/api/"):
            return self.client.request(endpoint.method, url, json={}, headers=headers)
        form = {**FORM, "csrf_token": self.token()}
        return self.client.request(endpoint.method, url, data=form, headers=headers)


def dump(database: Path) -> list[str]:
    """Every row of every table (the whole stored state), as SQL text."""
    with sqlite3.connect(f"file:{database}?mode=ro", uri=True) as conn:
        return list(conn.iterdump())


@pytest.fixture(scope="module")
def seeded(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Seeded]:
    data_dir = tmp_path_factory.mktemp("trust") / "data"
    with (
        running_server(Settings(data_dir=data_dir, time_scale=50.0)) as live,
        httpx.Client(base_url=live.url, timeout=10) as client,
    ):
        client.get("/")  # the CSRF cookie
        answers = {q.id: False for q in QUESTIONS}
        assert client.post("/api/v1/screening", json={"answers": answers}).is_success
        started = client.post("/api/v1/sessions", json={})
        assert started.status_code == 201, started.text
        client.post("/api/v1/checkins", json={"phase": "before", "pain": 3})
        ids = {
            "session_id": str(started.json()["session_id"]),
            "exercise_id": "glute-bridge",
            "program_id": "back-basics",
            "name": "pain-function",
            "step_index": "0",
        }
        yield Seeded(live, client, data_dir / "backcoach.db", ids)


@pytest.mark.parametrize("endpoint", CHANGING, ids=str)
@pytest.mark.parametrize("headers", CROSS_SITE_HEADERS.values(), ids=CROSS_SITE_HEADERS.keys())
def test_cross_site_changes_are_refused_and_change_nothing(
    seeded: Seeded, endpoint: Endpoint, headers: dict[str, str]
) -> None:
    before = dump(seeded.database)
    response = seeded.send(endpoint, headers)
    assert response.status_code == 403, f"{endpoint}: {response.status_code} {response.text}"
    assert "another web site" in response.text
    assert dump(seeded.database) == before


@pytest.mark.parametrize("endpoint", CHANGING, ids=str)
def test_the_same_request_from_our_own_pages_gets_through(
    seeded: Seeded, endpoint: Endpoint
) -> None:
    response = seeded.send(endpoint, seeded.own_origin())
    assert response.status_code != 403, f"{endpoint}: {response.text}"
    assert response.status_code < 500, f"{endpoint}: {response.text}"
    # ... and from a program (no browser headers at all)
    response = seeded.send(endpoint, {})
    assert response.status_code not in (400, 403) or "another web site" not in response.text


PAGE_FORMS = [e for e in CHANGING if not e.path.startswith("/api/")]


@pytest.mark.parametrize("endpoint", PAGE_FORMS, ids=str)
def test_page_forms_need_the_csrf_token(seeded: Seeded, endpoint: Endpoint) -> None:
    """Defence in depth for browsers that send no Origin: no token, or a wrong one, is refused."""
    before = dump(seeded.database)
    url = seeded.url(endpoint)
    real = seeded.token()
    off_by_one = real[:-1] + ("B" if real.endswith("A") else "A")  # never the real token
    for token in (None, "x" * 43, off_by_one):
        form = FORM if token is None else {**FORM, "csrf_token": token}
        response = seeded.client.request(endpoint.method, url, data=form)
        assert response.status_code == 403, f"{endpoint} with token {token!r}: {response.text}"
        assert "Nothing was changed" in response.text
    assert dump(seeded.database) == before


@pytest.mark.parametrize("endpoint", PAGE_FORMS, ids=str)
def test_page_forms_take_the_token_as_a_header_too(seeded: Seeded, endpoint: Endpoint) -> None:
    """HTMX sends the token as ``X-CSRF-Token`` (from the page's meta tag)."""
    form = {k: v for k, v in FORM.items() if k != "confirm"}  # keep the data for later tests
    response = seeded.client.request(
        endpoint.method,
        seeded.url(endpoint),
        data=form,
        headers={"X-CSRF-Token": seeded.token()},
    )
    assert response.status_code != 403, f"{endpoint}: {response.text}"


def _ws_url(seeded: Seeded, endpoint: Endpoint) -> str:
    return seeded.live.url.replace("http://", "ws://") + seeded.url(endpoint)


@pytest.mark.parametrize("endpoint", SOCKETS, ids=str)
@pytest.mark.parametrize("headers", CROSS_SITE_HEADERS.values(), ids=CROSS_SITE_HEADERS.keys())
def test_cross_site_websocket_handshakes_are_refused(
    seeded: Seeded, endpoint: Endpoint, headers: dict[str, str]
) -> None:
    before = dump(seeded.database)
    with pytest.raises(InvalidStatus) as refused:
        connect(_ws_url(seeded, endpoint), additional_headers=headers, open_timeout=5)
    assert refused.value.response.status_code == 403
    assert dump(seeded.database) == before


@pytest.mark.parametrize("endpoint", SOCKETS, ids=str)
def test_websockets_from_our_own_pages_open(seeded: Seeded, endpoint: Endpoint) -> None:
    with connect(
        _ws_url(seeded, endpoint), additional_headers=seeded.own_origin(), open_timeout=5
    ) as socket:
        hello: Any = socket.recv(timeout=5)
        assert '"type"' in hello


FOREIGN_HOSTS = ["evil.example", "evil.example:{port}", "127.0.0.1:1", "localhost.:{port}", ""]


@pytest.mark.parametrize("endpoint", [*READING, *CHANGING], ids=str)
def test_a_foreign_host_is_refused_on_every_route(seeded: Seeded, endpoint: Endpoint) -> None:
    """DNS rebinding: a hostile name pointed at 127.0.0.1 gets nothing, reads or writes."""
    port = seeded.live.url.rsplit(":", 1)[1]
    before = dump(seeded.database)
    for host in FOREIGN_HOSTS:
        response = seeded.client.request(
            endpoint.method, seeded.url(endpoint), headers={"Host": host.format(port=port)}
        )
        assert response.status_code == 400, f"{endpoint} Host {host!r}: {response.status_code}"
        assert "screening" not in response.text
    assert dump(seeded.database) == before


def raw_handshake_status(seeded: Seeded, path: str, host: str) -> int:
    """The HTTP status of a WebSocket handshake sent with exactly this ``Host`` header."""
    address = seeded.live.url.removeprefix("http://").rsplit(":", 1)
    with socket.create_connection((address[0], int(address[1])), timeout=5) as conn:
        conn.sendall(
            (
                f"GET {path} HTTP/1.1\r\nHost: {host}\r\nUpgrade: websocket\r\n"
                "Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
                "Sec-WebSocket-Version: 13\r\n\r\n"
            ).encode()
        )
        status_line = conn.recv(4096).split(b"\r\n", 1)[0]
    return int(status_line.split()[1])


@pytest.mark.parametrize("endpoint", SOCKETS, ids=str)
def test_a_foreign_host_cannot_open_a_websocket(seeded: Seeded, endpoint: Endpoint) -> None:
    port = seeded.live.url.rsplit(":", 1)[1]
    path = seeded.url(endpoint)
    assert raw_handshake_status(seeded, path, f"evil.example:{port}") == 403
    assert raw_handshake_status(seeded, path, f"127.0.0.1:{port}") == 101


@pytest.mark.parametrize("host", ["127.0.0.1:{port}", "localhost:{port}", "LOCALHOST:{port}"])
def test_our_own_names_are_answered(seeded: Seeded, host: str) -> None:
    port = seeded.live.url.rsplit(":", 1)[1]
    response = seeded.client.get("/api/v1/exercises", headers={"Host": host.format(port=port)})
    assert response.status_code == 200


@pytest.mark.parametrize("path", ["/", "/api/v1/exercises", "/static/css/app.css", "/nope"])
def test_every_answer_carries_the_security_headers(seeded: Seeded, path: str) -> None:
    response = seeded.client.get(path)
    csp = response.headers["content-security-policy"]
    assert "default-src 'self'" in csp
    assert "frame-ancestors 'none'" in csp
    assert "unsafe-inline" not in csp
    assert response.headers["referrer-policy"] == "no-referrer"
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["permissions-policy"].startswith("camera=(self)")


def test_refusals_carry_the_security_headers_too(seeded: Seeded) -> None:
    response = seeded.client.post("/settings/delete", headers={"Origin": "http://evil.example"})
    assert response.status_code == 403
    assert "frame-ancestors 'none'" in response.headers["content-security-policy"]


def test_the_csrf_cookie_is_strict_and_http_only(tmp_path: Path) -> None:
    with running_server(Settings(data_dir=tmp_path / "data")) as live:
        response = httpx.get(live.url + "/settings")
    cookie = response.headers["set-cookie"]
    assert cookie.startswith("backcoach_csrf=")
    assert "HttpOnly" in cookie
    assert "SameSite=Strict" in cookie
    assert 'name="csrf_token"' in response.text


def test_configured_hosts_are_answered(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path / "data", allowed_hosts=["clinic.example"])
    with running_server(settings) as live:
        ok = httpx.get(live.url + "/api/v1/exercises", headers={"Host": "clinic.example"})
        other = httpx.get(live.url + "/api/v1/exercises", headers={"Host": "other.example"})
    assert ok.status_code == 200
    assert other.status_code == 400
