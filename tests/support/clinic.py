"""Clinic-mode test helpers: accounts, signed-in clients, invites, a server behind a proxy."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime

import httpx

from backcoach.config import Settings
from backcoach.services import accounts
from backcoach.store import open_database
from backcoach.web.security.csrf import COOKIE as CSRF_COOKIE
from backcoach.web.security.csrf import HEADER as CSRF_HEADER
from tests.e2e.live_server import LiveServer, running_server

PASSWORD = "a long enough secret 1"


def add_account(settings: Settings, *, email: str, role: str, password: str = PASSWORD) -> int:
    """Create an account through the service (as ``backcoach users create`` does); its id."""
    with open_database(settings) as db:
        user = accounts.create_user(
            db, email=email, password=password, role=role, now=datetime.now(UTC)
        )
        return user.id


def client_of(url: str) -> httpx.Client:
    return httpx.Client(base_url=url, timeout=15)


def sign_in(client: httpx.Client, email: str, password: str = PASSWORD) -> httpx.Response:
    return client.post("/api/v1/auth/login", json={"email": email, "password": password})


def signed_in_client(url: str, email: str, password: str = PASSWORD) -> httpx.Client:
    """A client holding a fresh session of ``email``."""
    client = client_of(url)
    answer = sign_in(client, email, password)
    assert answer.status_code == 200, answer.text
    return client


def form_headers(client: httpx.Client) -> dict[str, str]:
    """The CSRF header a page form needs (the token cookie comes with any page, even /login)."""
    if CSRF_COOKIE not in client.cookies:
        client.get("/login")
    return {CSRF_HEADER: client.cookies[CSRF_COOKIE]}


def invite_code(clinician: httpx.Client, days: int | None = None) -> str:
    body = {} if days is None else {"days": days}
    answer = clinician.post("/api/v1/clinic/invites", json=body)
    assert answer.status_code == 201, answer.text
    code: str = answer.json()["code"]
    return code


def register_patient(url: str, code: str, email: str, password: str = PASSWORD) -> httpx.Client:
    """A new patient from an invite, signed in (the register answer carries the cookie)."""
    client = client_of(url)
    answer = client.post(
        "/api/v1/auth/register", json={"code": code, "email": email, "password": password}
    )
    assert answer.status_code == 201, answer.text
    return client


@contextmanager
def running_proxied_server(settings: Settings) -> Iterator[LiveServer]:
    """The app as ``backcoach serve --proxy-headers`` runs it behind a proxy on this machine.

    The test plays the proxy: ``X-Forwarded-For`` sets the client address,
    ``X-Forwarded-Proto: https`` says the browser came over TLS.
    """
    with running_server(settings, proxy_headers=True, forwarded_allow_ips="127.0.0.1") as live:
        yield live
