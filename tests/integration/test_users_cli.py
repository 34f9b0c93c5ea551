"""``backcoach users`` and ``backcoach audit`` on SQLite and PostgreSQL, and ``serve --host``.

The commands run through Typer's runner against a real database; what they
store is read back through the services (sign in, reset) the web app uses.
"""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import uvicorn
from sqlalchemy import Engine, select
from typer.testing import CliRunner, Result

from backcoach.cli import app
from backcoach.config import get_settings
from backcoach.errors import NotSignedIn, UsageError
from backcoach.services import accounts, audit
from backcoach.store import User, session_factory
from tests.integration import cli_setup
from tests.integration.cli_setup import Invoke, flat

runner = CliRunner()
PASSWORD = "a long enough secret 1"
NOW = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)


invoke = cli_setup.invoke  # the shared fixture, found by pytest under this name


def create(invoke: Invoke, email: str, role: str, password: str = PASSWORD) -> Result:
    return invoke(
        "users", "create", "--email", email, "--role", role, "--password-stdin", input=password
    )


def listed(invoke: Invoke) -> list[dict[str, Any]]:
    result = invoke("users", "list", "--json")
    assert result.exit_code == 0, result.output
    rows: list[dict[str, Any]] = json.loads(result.stdout)
    return rows


def test_create_reads_the_password_from_stdin_and_lists_the_account(
    invoke: Invoke, engine: Engine
) -> None:
    result = create(invoke, "Doctor@Clinic.example", "clinician", PASSWORD + "\n")
    assert result.exit_code == 0, result.output
    assert "Created clinician doctor@clinic.example" in flat(result.stdout)
    assert PASSWORD not in result.output
    assert "local mode" in result.stderr  # a note: accounts sign in once in clinic mode
    assert create(invoke, "admin@clinic.example", "admin").exit_code == 0
    rows = listed(invoke)
    assert [(r["email"], r["role"], r["disabled"]) for r in rows] == [
        ("admin@clinic.example", "admin", False),
        ("doctor@clinic.example", "clinician", False),
    ]
    assert all(isinstance(r["id"], int) and r["created_at"] for r in rows)
    with session_factory(engine)() as db:
        stored = db.scalar(select(User.password_hash).where(User.email == "doctor@clinic.example"))
        assert stored is not None and stored.startswith("$argon2id$")
        user, _ = accounts.sign_in(
            db, email="doctor@clinic.example", password=PASSWORD, address="cli", now=NOW
        )
        assert user.email == "doctor@clinic.example"


def test_the_table_lists_the_accounts(invoke: Invoke) -> None:
    assert "No accounts yet" in flat(invoke("users", "list").stdout)
    assert create(invoke, "patient@clinic.example", "patient").exit_code == 0
    table = invoke("users", "list")
    assert table.exit_code == 0
    assert "patient@clinic.example" in table.stdout and "active" in table.stdout


@pytest.mark.parametrize(
    ("args", "password", "message"),
    [
        (["--role", "admin"], "", "No password on standard input."),
        (["--role", "admin"], "short", "at least 10 characters"),
        (["--role", "root"], PASSWORD, "Unknown role 'root'"),
        (["--role", "local"], PASSWORD, "Unknown role 'local'"),
    ],
)
def test_create_refuses_in_plain_words(
    invoke: Invoke, args: list[str], password: str, message: str
) -> None:
    result = invoke(
        "users", "create", "--email", "a@clinic.example", *args, "--password-stdin", input=password
    )
    assert result.exit_code == UsageError.exit_code, result.output
    assert message in flat(result.stderr)
    assert "Traceback" not in result.output
    assert listed(invoke) == []


def test_create_refuses_a_bad_email_and_a_taken_one(invoke: Invoke) -> None:
    bad = create(invoke, "not-an-address", "patient")
    assert bad.exit_code == 2
    assert "'not-an-address' is not an e-mail address" in flat(bad.stderr)
    assert create(invoke, "p@clinic.example", "patient").exit_code == 0
    taken = create(invoke, "P@clinic.example", "clinician")
    assert taken.exit_code == 2
    assert "There is already an account for p@clinic.example" in flat(taken.stderr)
    assert [r["role"] for r in listed(invoke)] == ["patient"]


def test_without_a_terminal_the_password_must_come_from_stdin(invoke: Invoke) -> None:
    result = invoke("users", "create", "--email", "a@clinic.example", input="")
    assert result.exit_code == 2
    assert "--password-stdin" in flat(result.stderr)


def signed_in_patient(invoke: Invoke, engine: Engine) -> str:
    """Create patient@clinic.example with the CLI and sign in; the session's token."""
    assert create(invoke, "patient@clinic.example", "patient").exit_code == 0
    with session_factory(engine)() as db:
        _, token = accounts.sign_in(
            db, email="patient@clinic.example", password=PASSWORD, address="x", now=NOW
        )
    return token


def test_disable_ends_sessions_and_sign_in(invoke: Invoke, engine: Engine) -> None:
    token = signed_in_patient(invoke, engine)
    result = invoke("users", "disable", "patient@clinic.example")
    assert result.exit_code == 0, result.output
    assert "Disabled patient@clinic.example" in flat(result.stdout)
    assert listed(invoke)[0]["disabled"] is True
    assert "disabled" in invoke("users", "list").stdout
    with session_factory(engine)() as db:
        assert accounts.session_user(db, token=token, now=NOW) is None
        with pytest.raises(NotSignedIn):
            accounts.sign_in(
                db, email="patient@clinic.example", password=PASSWORD, address="x", now=NOW
            )
    unknown = invoke("users", "disable", "nobody@clinic.example")
    assert unknown.exit_code == 2
    assert "There is no account for nobody@clinic.example" in flat(unknown.stderr)


def test_reset_link_prints_a_one_time_link(invoke: Invoke, engine: Engine) -> None:
    token = signed_in_patient(invoke, engine)
    result = invoke(
        "users", "reset-link", "patient@clinic.example", "--base-url", "https://clinic.example/"
    )
    assert result.exit_code == 0, result.output
    found = re.fullmatch(r"https://clinic\.example/reset/([\w-]{40,})", result.stdout.strip())
    assert found, result.stdout
    assert "works once, for 24 hours" in flat(result.stderr)
    secret = found.group(1)
    now = datetime.now(UTC)
    with session_factory(engine)() as db:
        assert accounts.reset_link_valid(db, secret=secret, now=now)
        assert not accounts.reset_link_valid(db, secret=secret, now=now + timedelta(hours=25))
        accounts.reset_password(db, secret=secret, password="the new password 9", now=now)
        assert accounts.session_user(db, token=token, now=now) is None  # old sessions end
        with pytest.raises(UsageError):  # once only
            accounts.reset_password(db, secret=secret, password="and again 12345", now=now)
        user, _ = accounts.sign_in(
            db, email="patient@clinic.example", password="the new password 9", address="x", now=now
        )
        assert user.email == "patient@clinic.example"


def test_audit_lists_who_saw_a_patient(invoke: Invoke, engine: Engine) -> None:
    assert create(invoke, "doctor@clinic.example", "clinician").exit_code == 0
    assert create(invoke, "patient@clinic.example", "patient").exit_code == 0
    assert create(invoke, "other@clinic.example", "patient").exit_code == 0
    empty = invoke("audit", "--patient", "patient@clinic.example")
    assert empty.exit_code == 0
    assert "Nobody has viewed or changed patient@clinic.example's data yet" in flat(empty.stdout)
    with session_factory(engine)() as db:
        doctor = accounts.find_account(db, "doctor@clinic.example")
        patient = accounts.find_account(db, "patient@clinic.example")
        other = accounts.find_account(db, "other@clinic.example")
        audit.record(
            db, actor=doctor, patient=patient, action=audit.VIEWED, detail="history", now=NOW
        )
        later = NOW + timedelta(minutes=5)
        audit.record(
            db, actor=doctor, patient=patient, action=audit.CHANGED, detail="program", now=later
        )
        audit.record(db, actor=doctor, patient=other, action=audit.VIEWED, detail="x", now=NOW)
        db.commit()
    result = invoke("audit", "--patient", "Patient@clinic.example", "--json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout) == [
        {
            "at": later.isoformat(),
            "actor": "doctor@clinic.example",
            "patient": "patient@clinic.example",
            "action": "changed",
            "detail": "program",
        },
        {
            "at": NOW.isoformat(),
            "actor": "doctor@clinic.example",
            "patient": "patient@clinic.example",
            "action": "viewed",
            "detail": "history",
        },
    ]
    table = invoke("audit", "--patient", "patient@clinic.example", "--limit", "1")
    assert table.exit_code == 0
    assert "2026-03-02 09:35:00" in table.stdout and "program" in table.stdout
    assert "history" not in table.stdout
    unknown = invoke("audit", "--patient", "nobody@clinic.example")
    assert unknown.exit_code == 2
    assert "There is no account for nobody@clinic.example" in flat(unknown.stderr)


# --- serve --host: any address in clinic mode only -----------------------------------------


def serve(monkeypatch: pytest.MonkeyPatch, *args: str) -> tuple[Result, list[dict[str, Any]]]:
    """``backcoach serve ARGS`` with uvicorn.run recording its arguments instead of serving."""
    calls: list[dict[str, Any]] = []
    monkeypatch.setattr(uvicorn, "run", lambda app, **kwargs: calls.append(kwargs))
    get_settings.cache_clear()
    result = runner.invoke(app, ["serve", "--port", "8123", *args])
    get_settings.cache_clear()
    return result, calls


@pytest.mark.parametrize("host", ["0.0.0.0", "::", "192.0.2.10"])
def test_serve_refuses_other_addresses_in_local_mode(
    monkeypatch: pytest.MonkeyPatch, host: str
) -> None:
    result, calls = serve(monkeypatch, "--host", host)
    assert result.exit_code == 2, result.output
    assert calls == []
    message = flat(result.stderr)
    assert message.startswith(f"Error: Refusing to serve on '{host}'")
    assert "BACKCOACH_MODE=clinic" in message
    assert "Traceback" not in result.output


def test_serve_listens_on_any_address_in_clinic_mode(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BACKCOACH_MODE", "clinic")
    result, calls = serve(
        monkeypatch, "--host", "0.0.0.0", "--proxy-headers", "--forwarded-allow-ips", "10.0.0.2"
    )
    assert result.exit_code == 0, result.output
    assert len(calls) == 1
    assert calls[0]["host"] == "0.0.0.0" and calls[0]["port"] == 8123
    assert calls[0]["proxy_headers"] is True
    assert calls[0]["forwarded_allow_ips"] == "10.0.0.2"
    assert "running in clinic mode" in flat(result.stdout)


def test_proxy_headers_are_refused_in_local_mode(monkeypatch: pytest.MonkeyPatch) -> None:
    result, calls = serve(monkeypatch, "--proxy-headers")
    assert result.exit_code == 2
    assert calls == []
    assert "clinic mode" in flat(result.stderr)
