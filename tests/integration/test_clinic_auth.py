"""Clinic mode's accounts through a real server on PostgreSQL (and a smoke on SQLite).

Sign-in and its cookie, wrong and unknown e-mails, disabled accounts, logout
(here and everywhere) ending sessions on the server, the gate for the API and the
pages, where the sign-in page may send people afterwards, the rate limits per
account and per address, invites, reset links, and how passwords are stored.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest
from sqlalchemy import select
from starlette.requests import Request
from starlette.responses import Response
from typer.testing import CliRunner

from backcoach.cli import app
from backcoach.config import Settings, get_settings
from backcoach.errors import NotSignedIn
from backcoach.services import accounts, invites
from backcoach.store import User, open_database
from backcoach.web.security.session_cookie import remember_session
from backcoach.web.security.signin import COOKIE
from tests.e2e.live_server import LiveServer, running_server
from tests.support.clinic import (
    PASSWORD,
    add_account,
    client_of,
    form_headers,
    invite_code,
    register_patient,
    running_proxied_server,
    sign_in,
    signed_in_client,
)
from tests.support.stored_rows import all_rows

ADMIN = "admin@clinic.example"
DOCTOR = "doctor@clinic.example"
PATIENT = "patient@clinic.example"
OTHER = "other.patient@clinic.example"


@dataclass
class Clinic:
    live: LiveServer
    settings: Settings
    ids: dict[str, int]
    clients: list[httpx.Client] = field(default_factory=list)

    def keep(self, client: httpx.Client) -> httpx.Client:
        """Close ``client`` when the test ends."""
        self.clients.append(client)
        return client

    def client(self) -> httpx.Client:
        return self.keep(client_of(self.live.url))

    def signed_in(self, email: str, password: str = PASSWORD) -> httpx.Client:
        return self.keep(signed_in_client(self.live.url, email, password))

    def register(self, code: str, email: str) -> httpx.Client:
        return self.keep(register_patient(self.live.url, code, email))

    def close(self) -> None:
        for client in self.clients:
            client.close()


def clinic_settings(tmp_path: Path, database_url: str) -> Settings:
    settings = Settings(
        data_dir=tmp_path / "data", database_url=database_url, mode="clinic", time_scale=50.0
    )
    return settings


def with_accounts(settings: Settings) -> dict[str, int]:
    return {
        email: add_account(settings, email=email, role=role)
        for email, role in (
            (ADMIN, "admin"),
            (DOCTOR, "clinician"),
            (PATIENT, "patient"),
            (OTHER, "patient"),
        )
    }


def running_clinic(postgres_url: str, tmp_path: Path, *, proxied: bool) -> Iterator[Clinic]:
    settings = clinic_settings(tmp_path, postgres_url)
    ids = with_accounts(settings)
    with (running_proxied_server if proxied else running_server)(settings) as live:
        clinic = Clinic(live, settings, ids)
        yield clinic
        clinic.close()


@pytest.fixture
def clinic(postgres_url: str, tmp_path: Path) -> Iterator[Clinic]:
    yield from running_clinic(postgres_url, tmp_path, proxied=False)


@pytest.fixture
def proxied(postgres_url: str, tmp_path: Path) -> Iterator[Clinic]:
    """The clinic behind a proxy the test plays (X-Forwarded-For, X-Forwarded-Proto)."""
    yield from running_clinic(postgres_url, tmp_path, proxied=True)


def cookie_attributes(response: httpx.Response) -> dict[str, str]:
    """The attributes of the session cookie the answer sets (names in lower case)."""
    for header in response.headers.get_list("set-cookie"):
        name, _, rest = header.partition("=")
        if name.strip() != COOKIE:
            continue
        value, *attributes = rest.split(";")
        found = {"value": value.strip()}
        for attribute in attributes:
            key, _, setting = attribute.strip().partition("=")
            found[key.lower()] = setting
        return found
    raise AssertionError(f"no {COOKIE} cookie in {response.headers.get_list('set-cookie')}")


def holding(clinic: Clinic, token: str) -> httpx.Client:
    """A fresh client that presents exactly this session token."""
    client = clinic.client()
    client.cookies.set(COOKIE, token)
    return client


# --- sign in, and the cookie ------------------------------------------------------------


def test_login_answers_who_and_sets_a_strict_cookie(clinic: Clinic) -> None:
    with clinic.client() as client:
        answer = sign_in(client, PATIENT)
        assert answer.status_code == 200, answer.text
        assert answer.json() == {"id": clinic.ids[PATIENT], "email": PATIENT, "role": "patient"}
        cookie = cookie_attributes(answer)
        assert len(cookie["value"]) >= 40
        assert "httponly" in cookie
        assert cookie["samesite"].lower() == "lax"
        assert cookie["path"] == "/"
        assert "secure" not in cookie  # plain http here; see the proxy test for https
        me = client.get("/api/v1/auth/me")
        assert me.status_code == 200
        assert me.json() == {"id": clinic.ids[PATIENT], "email": PATIENT, "role": "patient"}


def test_the_email_is_matched_without_case_or_spaces(clinic: Clinic) -> None:
    with clinic.client() as client:
        answer = sign_in(client, f"  {DOCTOR.upper()} ")
        assert answer.status_code == 200, answer.text
        assert answer.json()["role"] == "clinician"


def test_the_cookie_is_secure_when_the_browser_came_over_https(proxied: Clinic) -> None:
    with proxied.client() as client:
        answer = client.post(
            "/api/v1/auth/login",
            json={"email": PATIENT, "password": PASSWORD},
            headers={"X-Forwarded-Proto": "https", "X-Forwarded-For": "203.0.113.5"},
        )
        assert answer.status_code == 200, answer.text
        cookie = cookie_attributes(answer)
        assert "secure" in cookie and "httponly" in cookie
        assert cookie["samesite"].lower() == "lax"
        plain = client.post("/api/v1/auth/login", json={"email": PATIENT, "password": PASSWORD})
        assert "secure" not in cookie_attributes(plain)


def test_the_form_token_cookie_is_secure_over_https_too(proxied: Clinic) -> None:
    with proxied.client() as client:
        over_tls = client.get("/login", headers={"X-Forwarded-Proto": "https"})
        assert "; Secure" in over_tls.headers["set-cookie"]
        assert over_tls.headers["set-cookie"].startswith("backcoach_csrf=")
    with proxied.client() as client:
        assert "Secure" not in client.get("/login").headers["set-cookie"]


@pytest.mark.parametrize(("scheme", "secure"), [("https", True), ("http", False)])
def test_remember_session_marks_the_cookie_secure_for_https(scheme: str, secure: bool) -> None:
    request = Request(
        {
            "type": "http",
            "scheme": scheme,
            "method": "POST",
            "path": "/api/v1/auth/login",
            "headers": [(b"host", b"clinic.example")],
            "query_string": b"",
            "server": ("clinic.example", 443),
        }
    )
    response = Response()
    remember_session(request, response, "token-value")
    header = response.headers["set-cookie"]
    assert header.startswith(f"{COOKIE}=token-value;")
    assert ("Secure" in header) is secure
    assert "HttpOnly" in header and "SameSite=lax" in header and "Path=/" in header


def test_wrong_password_and_unknown_email_get_the_same_401(clinic: Clinic) -> None:
    with clinic.client() as client:
        wrong = sign_in(client, PATIENT, "not the password at all")
        unknown = sign_in(client, "nobody@clinic.example", PASSWORD)
        assert wrong.status_code == unknown.status_code == 401
        assert wrong.json() == unknown.json() == {"detail": accounts.WRONG_LOGIN}
        assert COOKIE not in wrong.headers.get("set-cookie", "")
        assert client.get("/api/v1/auth/me").status_code == 401


def test_a_disabled_account_cannot_sign_in_and_its_sessions_end(clinic: Clinic) -> None:
    signed_in = clinic.signed_in(PATIENT)
    other = clinic.signed_in(OTHER)
    assert signed_in.get("/api/v1/auth/me").status_code == 200
    with open_database(clinic.settings) as db:
        accounts.disable_user(db, email=PATIENT, now=datetime.now(UTC))
    assert signed_in.get("/api/v1/auth/me").status_code == 401
    assert signed_in.get("/api/v1/plan").status_code == 401
    with clinic.client() as client:
        again = sign_in(client, PATIENT)
        assert again.status_code == 401
        assert again.json() == {"detail": accounts.WRONG_LOGIN}  # no hint that it exists
    assert other.get("/api/v1/auth/me").status_code == 200  # others carry on


# --- sessions end on the server ----------------------------------------------------------


def test_logout_ends_the_session_on_the_server(clinic: Clinic) -> None:
    client = clinic.signed_in(PATIENT)
    token = client.cookies[COOKIE]
    answer = client.post("/api/v1/auth/logout")
    assert answer.status_code == 204
    assert COOKIE in answer.headers["set-cookie"]  # the browser forgets it too
    with holding(clinic, token) as thief:  # ... and a copy kept elsewhere stops working
        assert thief.get("/api/v1/auth/me").status_code == 401
        assert thief.get("/history", follow_redirects=False).status_code == 303


def test_the_logout_page_ends_the_session_too(clinic: Clinic) -> None:
    client = clinic.signed_in(PATIENT)
    token = client.cookies[COOKIE]
    answer = client.post("/logout", headers=form_headers(client), follow_redirects=False)
    assert answer.status_code == 303
    assert answer.headers["location"] == "/login"
    with holding(clinic, token) as copy:
        assert copy.get("/api/v1/auth/me").status_code == 401


def test_logout_everywhere_ends_every_session_of_the_account(clinic: Clinic) -> None:
    laptop, phone = clinic.signed_in(PATIENT), clinic.signed_in(PATIENT)
    other = clinic.signed_in(OTHER)
    assert phone.post("/api/v1/auth/logout-everywhere").status_code == 204
    assert laptop.get("/api/v1/auth/me").status_code == 401
    assert phone.get("/api/v1/auth/me").status_code == 401
    assert other.get("/api/v1/auth/me").status_code == 200
    assert clinic.signed_in(PATIENT).get("/api/v1/auth/me").status_code == 200


# --- the gate ----------------------------------------------------------------------------


@pytest.mark.parametrize("path", ["/api/v1/plan", "/api/v1/auth/me", "/api/v1/clinic/patients"])
def test_unauthenticated_api_calls_get_401_in_json(clinic: Clinic, path: str) -> None:
    with clinic.client() as client:
        answer = client.get(path)
        assert answer.status_code == 401
        assert answer.headers["content-type"] == "application/json"
        assert "Sign in first" in answer.json()["detail"]


@pytest.mark.parametrize(
    ("path", "location"),
    [
        ("/", "/login"),
        ("/history", "/login?next=%2Fhistory"),
        ("/questionnaires/psfs?x=1", "/login?next=%2Fquestionnaires%2Fpsfs%3Fx%3D1"),
        ("/clinic", "/login?next=%2Fclinic"),
    ],
)
def test_unauthenticated_pages_go_to_the_sign_in(clinic: Clinic, path: str, location: str) -> None:
    with clinic.client() as client:
        answer = client.get(path, follow_redirects=False)
        assert answer.status_code == 303
        assert answer.headers["location"] == location
        login = client.get(answer.headers["location"])
        assert login.status_code == 200
        assert 'name="password"' in login.text


def test_a_patient_gets_403_on_clinic_routes(clinic: Clinic) -> None:
    patient = clinic.signed_in(PATIENT)
    assert patient.get("/api/v1/clinic/patients").status_code == 403
    assert patient.post("/api/v1/clinic/invites", json={}).status_code == 403
    assert patient.get("/clinic", follow_redirects=False).status_code == 403


def page_login(client: httpx.Client, email: str, next_: str) -> httpx.Response:
    return client.post(
        "/login",
        data={"email": email, "password": PASSWORD, "next": next_},
        headers=form_headers(client),
        follow_redirects=False,
    )


def test_after_signing_in_the_page_goes_where_it_was_asked(clinic: Clinic) -> None:
    with clinic.client() as client:
        answer = page_login(client, PATIENT, "/history?tab=scores")
        assert answer.status_code == 303
        assert answer.headers["location"] == "/history?tab=scores"
        assert client.get("/history").status_code == 200


OPEN_REDIRECTS = [
    "//evil.example",
    "//evil.example/history",
    "https://evil.example",
    "http://evil.example/",
    "/\\evil.example",
    "\\\\evil.example",
    "/\\/evil.example",
    "javascript:alert(1)",
    "evil.example",
    " //evil.example",
]


@pytest.mark.parametrize("target", OPEN_REDIRECTS)
@pytest.mark.parametrize(("email", "home"), [(PATIENT, "/"), (DOCTOR, "/clinic")])
def test_next_never_leads_to_another_site(
    clinic: Clinic, target: str, email: str, home: str
) -> None:
    with clinic.client() as client:
        answer = page_login(client, email, target)
        assert answer.status_code == 303
        assert answer.headers["location"] == home


def test_a_failed_page_sign_in_shows_the_form_again(clinic: Clinic) -> None:
    with clinic.client() as client:
        answer = client.post(
            "/login",
            data={"email": PATIENT, "password": "wrong wrong wrong", "next": "/history"},
            headers=form_headers(client),
        )
        assert answer.status_code == 401
        assert accounts.WRONG_LOGIN in answer.text
        assert 'value="/history"' in answer.text


# --- rate limits --------------------------------------------------------------------------


def attempt(clinic: Clinic, email: str, password: str, address: str) -> httpx.Response:
    with clinic.client() as client:
        return client.post(
            "/api/v1/auth/login",
            json={"email": email, "password": password},
            headers={"X-Forwarded-For": address},
        )


def test_ten_failures_for_an_account_block_it_from_any_address(
    proxied: Clinic, caplog: pytest.LogCaptureFixture
) -> None:
    for n in range(accounts.MAX_FAILURES):
        answer = attempt(proxied, PATIENT, f"wrong password {n}", f"198.51.100.{n + 1}")
        assert answer.status_code == 401, (n, answer.text)
    with caplog.at_level(logging.WARNING, logger="backcoach.services.accounts"):
        blocked = attempt(proxied, PATIENT, PASSWORD, "198.51.100.200")  # right password, too
    assert blocked.status_code == 429
    assert blocked.json() == {"detail": accounts.TOO_MANY}
    assert "Wait 15 minutes" in blocked.text
    assert any(
        "too many failures" in r.getMessage() and PATIENT in r.getMessage() for r in caplog.records
    ), caplog.text
    # another account from that same address is not affected (the limit was the account's)
    assert attempt(proxied, OTHER, PASSWORD, "198.51.100.200").status_code == 200


def test_ten_failures_from_an_address_block_it_for_every_account(
    proxied: Clinic, caplog: pytest.LogCaptureFixture
) -> None:
    address = "192.0.2.77"
    for n in range(accounts.MAX_FAILURES):
        answer = attempt(proxied, f"guess{n}@clinic.example", "password guess", address)
        assert answer.status_code == 401, (n, answer.text)
    with caplog.at_level(logging.WARNING, logger="backcoach.services.accounts"):
        blocked = attempt(proxied, PATIENT, PASSWORD, address)
    assert blocked.status_code == 429
    assert blocked.json() == {"detail": accounts.TOO_MANY}
    assert any(
        "too many failures" in r.getMessage() and address in r.getMessage() for r in caplog.records
    ), caplog.text
    assert attempt(proxied, PATIENT, PASSWORD, "192.0.2.78").status_code == 200


def test_the_sign_in_page_says_too_many_in_plain_words(proxied: Clinic) -> None:
    address = "192.0.2.99"
    for n in range(accounts.MAX_FAILURES):
        attempt(proxied, PATIENT, f"wrong {n}", address)
    with proxied.client() as client:
        answer = client.post(
            "/login",
            data={"email": PATIENT, "password": PASSWORD},
            headers={**form_headers(client), "X-Forwarded-For": address},
        )
        assert answer.status_code == 429
        assert "Too many failed sign-ins" in answer.text


def test_failures_older_than_the_window_do_not_count(proxied: Clinic) -> None:
    past = datetime.now(UTC) - accounts.FAILURE_WINDOW - timedelta(minutes=1)
    with open_database(proxied.settings) as db:
        for n in range(accounts.MAX_FAILURES):
            with pytest.raises(NotSignedIn):
                accounts.sign_in(db, email=PATIENT, password=f"old {n}", address="x", now=past)
    assert attempt(proxied, PATIENT, PASSWORD, "198.51.100.9").status_code == 200


# --- invites ------------------------------------------------------------------------------


def test_an_invite_registers_a_patient_linked_to_the_clinician(clinic: Clinic) -> None:
    doctor = clinic.signed_in(DOCTOR)
    answer = doctor.post("/api/v1/clinic/invites", json={})
    assert answer.status_code == 201, answer.text
    invite = answer.json()
    assert set(invite) == {"code", "url", "expires_at"}
    assert invite["url"].endswith(f"/register?code={invite['code']}")
    expires = datetime.fromisoformat(invite["expires_at"])
    assert timedelta(days=13, hours=23) < expires - datetime.now(UTC) <= timedelta(days=14)
    with clinic.client() as visitor:  # the link opens the form
        page = visitor.get(invite["url"].removeprefix(clinic.live.url))
        assert page.status_code == 200
        assert 'name="password"' in page.text

    patient = clinic.register(invite["code"], "new.patient@clinic.example")
    me = patient.get("/api/v1/auth/me").json()
    assert me["role"] == "patient" and me["email"] == "new.patient@clinic.example"
    patients = doctor.get("/api/v1/clinic/patients").json()
    assert [p["email"] for p in patients] == ["new.patient@clinic.example"]
    assert patients[0]["id"] == me["id"]
    admin = clinic.signed_in(ADMIN)  # an admin sees every clinician's patients
    assert "new.patient@clinic.example" in admin.get("/api/v1/clinic/patients").text

    with clinic.client() as second:
        again = second.post(
            "/api/v1/auth/register",
            json={"code": invite["code"], "email": "second@clinic.example", "password": PASSWORD},
        )
        assert again.status_code == 400
        assert again.json() == {"detail": invites.INVITE_GONE}
        assert second.get(f"/register?code={invite['code']}").status_code == 410
    with open_database(clinic.settings) as db:
        assert db.scalar(select(User).where(User.email == "second@clinic.example")) is None


def test_invite_codes_are_stored_hashed(clinic: Clinic) -> None:
    code = invite_code(clinic.signed_in(DOCTOR))
    rows = "\n".join(all_rows(clinic.settings))
    assert code not in rows
    assert accounts.digest(code) in rows


def test_an_expired_invite_is_refused(clinic: Clinic) -> None:
    long_ago = datetime.now(UTC) - timedelta(days=15)
    with open_database(clinic.settings) as db:
        old = invites.create_invite(db, clinician_id=clinic.ids[DOCTOR], now=long_ago)
    with clinic.client() as client:
        assert client.get(f"/register?code={old.code}").status_code == 410
        answer = client.post(
            "/api/v1/auth/register",
            json={"code": old.code, "email": "late@clinic.example", "password": PASSWORD},
        )
        assert answer.status_code == 400
        assert answer.json() == {"detail": invites.INVITE_GONE}


def test_an_invite_code_must_be_the_real_one(clinic: Clinic) -> None:
    code = invite_code(clinic.signed_in(DOCTOR))
    with clinic.client() as client:
        for guess in ("", code[:-1], code + "x", code.upper()):
            answer = client.post(
                "/api/v1/auth/register",
                json={"code": guess, "email": "guess@clinic.example", "password": PASSWORD},
            )
            assert answer.status_code == 400, guess
    # the real code still works afterwards
    clinic.register(code, "real@clinic.example")


def test_only_clinicians_and_admins_invite(clinic: Clinic) -> None:
    admin, patient = clinic.signed_in(ADMIN), clinic.signed_in(PATIENT)
    assert admin.post("/api/v1/clinic/invites", json={"days": 3}).status_code == 201
    assert patient.post("/api/v1/clinic/invites", json={}).status_code == 403


# --- password reset links -----------------------------------------------------------------


def reset(client: httpx.Client, secret: str, password: str) -> httpx.Response:
    return client.post(
        f"/reset/{secret}", data={"password": password}, headers=form_headers(client)
    )


def test_a_reset_link_works_once_and_ends_old_sessions(clinic: Clinic) -> None:
    before = clinic.signed_in(PATIENT)
    with open_database(clinic.settings) as db:
        secret = accounts.issue_reset_link(
            db, email=PATIENT, issued_by=clinic.ids[ADMIN], now=datetime.now(UTC)
        )
    new_password = "a brand new password 2"
    with clinic.client() as client:
        assert client.get(f"/reset/{secret}").status_code == 200
        answer = reset(client, secret, new_password)
        assert answer.status_code == 200, answer.text
        assert "Your new password is set" in answer.text
        assert before.get("/api/v1/auth/me").status_code == 401  # the old session ended
        assert sign_in(client, PATIENT).status_code == 401  # the old password is gone
        assert sign_in(client, PATIENT, new_password).status_code == 200
        # a second use of the same link
        assert client.get(f"/reset/{secret}").status_code == 410
        again = reset(client, secret, "yet another password 3")
        assert again.status_code == 400
        assert "This link has expired or was used already" in again.text
        assert sign_in(client, PATIENT, new_password).status_code == 200


def test_a_reset_link_expires(clinic: Clinic) -> None:
    issued = datetime.now(UTC) - accounts.RESET_LIFETIME - timedelta(minutes=1)
    with open_database(clinic.settings) as db:
        secret = accounts.issue_reset_link(db, email=PATIENT, issued_by=None, now=issued)
    with clinic.client() as client:
        assert client.get(f"/reset/{secret}").status_code == 410
        assert reset(client, secret, "a brand new password 2").status_code == 400
        assert sign_in(client, PATIENT).status_code == 200


def test_a_new_reset_link_replaces_the_old_one(clinic: Clinic) -> None:
    with open_database(clinic.settings) as db:
        first = accounts.issue_reset_link(db, email=PATIENT, issued_by=None, now=datetime.now(UTC))
        second = accounts.issue_reset_link(db, email=PATIENT, issued_by=None, now=datetime.now(UTC))
    with clinic.client() as client:
        assert reset(client, first, "a brand new password 2").status_code == 400
        assert reset(client, second, "a brand new password 2").status_code == 200


# --- stored passwords ---------------------------------------------------------------------


def test_passwords_are_stored_as_argon2id_hashes_only(clinic: Clinic) -> None:
    with open_database(clinic.settings) as db:
        hashes = list(db.scalars(select(User.password_hash).where(User.email.is_not(None))))
    assert len(hashes) == 4
    assert all(h is not None and h.startswith("$argon2id$") for h in hashes)
    assert len(set(hashes)) == 4  # salted: the same password hashes differently
    rows = "\n".join(all_rows(clinic.settings))
    assert PASSWORD not in rows


# --- the smoke on SQLite ------------------------------------------------------------------


def test_smoke_on_sqlite(tmp_path: Path) -> None:
    settings = clinic_settings(tmp_path, f"sqlite:///{tmp_path / 'clinic.db'}")
    with_accounts(settings)
    with running_server(settings) as live:
        with client_of(live.url) as anonymous:
            assert anonymous.get("/api/v1/plan").status_code == 401
            page = anonymous.get("/history", follow_redirects=False)
            assert page.headers["location"] == "/login?next=%2Fhistory"
            assert sign_in(anonymous, PATIENT, "wrong password!").status_code == 401
        doctor = signed_in_client(live.url, DOCTOR)
        try:
            patient = register_patient(
                live.url, invite_code(doctor), "sqlite.patient@clinic.example"
            )
            smoke_signed_in(live, doctor, patient)
            patient.close()
        finally:
            doctor.close()
    rows = "\n".join(all_rows(settings))
    assert PASSWORD not in rows and "$argon2id$" in rows


def smoke_signed_in(live: LiveServer, doctor: httpx.Client, patient: httpx.Client) -> None:
    assert patient.get("/api/v1/auth/me").json()["role"] == "patient"
    assert patient.get("/api/v1/plan").status_code == 200
    assert patient.get("/api/v1/clinic/patients").status_code == 403
    listed = doctor.get("/api/v1/clinic/patients").json()
    assert [p["email"] for p in listed] == ["sqlite.patient@clinic.example"]
    token = patient.cookies[COOKIE]
    assert patient.post("/api/v1/auth/logout").status_code == 204
    with client_of(live.url) as copy:
        copy.cookies.set(COOKIE, token)
        assert copy.get("/api/v1/auth/me").status_code == 401


# --- the administrator's commands against the running clinic ------------------------------


def run_cli(clinic: Clinic, monkeypatch: pytest.MonkeyPatch, *args: str) -> str:
    """``backcoach ARGS`` on the clinic's database (as an administrator runs it); stdout."""
    monkeypatch.setenv("BACKCOACH_MODE", "clinic")
    monkeypatch.setenv("BACKCOACH_DATA_DIR", str(clinic.settings.data_dir))
    monkeypatch.setenv("BACKCOACH_DATABASE_URL", clinic.settings.effective_database_url)
    get_settings.cache_clear()
    try:
        result = CliRunner().invoke(app, list(args))
    finally:
        get_settings.cache_clear()
    assert result.exit_code == 0, result.output
    return result.stdout


def test_users_disable_ends_a_signed_in_browser(
    clinic: Clinic, monkeypatch: pytest.MonkeyPatch
) -> None:
    browser = clinic.signed_in(PATIENT)
    assert browser.get("/history").status_code == 200
    run_cli(clinic, monkeypatch, "users", "disable", PATIENT)
    assert browser.get("/history", follow_redirects=False).status_code == 303
    assert browser.get("/api/v1/auth/me").status_code == 401
    assert sign_in(clinic.client(), PATIENT).status_code == 401


def test_a_reset_link_from_the_command_works_in_the_browser(
    clinic: Clinic, monkeypatch: pytest.MonkeyPatch
) -> None:
    printed = run_cli(
        clinic, monkeypatch, "users", "reset-link", PATIENT, "--base-url", clinic.live.url
    )
    link = printed.strip()
    assert link.startswith(f"{clinic.live.url}/reset/")
    with clinic.client() as browser:
        page = browser.get(link)
        assert page.status_code == 200 and 'name="password"' in page.text
        secret = link.rsplit("/", 1)[1]
        assert reset(browser, secret, "set from the link 42").status_code == 200
        assert sign_in(browser, PATIENT, "set from the link 42").status_code == 200
        assert browser.get(link).status_code == 410
