"""``backcoach users``: the accounts of a clinic (create, list, disable, reset links).

Works in either mode (an administrator prepares accounts before switching a
server to ``BACKCOACH_MODE=clinic``); only clinic mode lets them sign in.
"""

from __future__ import annotations

import json
import sys
from datetime import UTC, datetime
from typing import Annotated

import typer
from rich.table import Table

from backcoach.cli.app import app, console, err_console, new_typer
from backcoach.config import get_settings
from backcoach.errors import UsageError
from backcoach.services import accounts
from backcoach.services.audit import entries_for
from backcoach.store import open_database

users_app = new_typer(help="Clinic accounts: create, list, disable, password reset links.")
app.add_typer(users_app, name="users")


def _read_password(from_stdin: bool) -> str:
    if from_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
        if not password:
            raise UsageError("No password on standard input.")
        return password
    if not sys.stdin.isatty():
        raise UsageError(
            "No terminal to ask for the password: pass --password-stdin and pipe it in."
        )
    password = typer.prompt("Password", hide_input=True, confirmation_prompt=True)
    return str(password)


@users_app.command("create")
def create(
    email: Annotated[str, typer.Option(help="The account's e-mail (its sign-in name).")],
    role: Annotated[
        str, typer.Option(help="admin, clinician or patient.", show_default=True)
    ] = "patient",
    password_stdin: Annotated[
        bool,
        typer.Option("--password-stdin", help="Read the password from the first line of stdin."),
    ] = False,
) -> None:
    """Create an account (the password is asked for, or read with --password-stdin)."""
    accounts.parse_role(role)
    accounts.normalise_email(email)
    password = _read_password(password_stdin)
    with open_database(get_settings()) as db:
        user = accounts.create_user(
            db, email=email, password=password, role=role, now=datetime.now(UTC)
        )
        console.print(f"Created {user.role.value} [bold]{user.email}[/] (id {user.id}).")
    if not get_settings().clinic:
        err_console.print(
            "Note: this backcoach runs in local mode; accounts sign in once the server runs "
            "with BACKCOACH_MODE=clinic."
        )


@users_app.command("list")
def list_(
    json_output: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """List the accounts: e-mail, role, created, disabled."""
    with open_database(get_settings()) as db:
        users = accounts.list_users(db)
        rows = [
            {
                "id": u.id,
                "email": u.email,
                "role": u.role.value,
                "created_at": u.created_at.isoformat(),
                "disabled": u.disabled_at is not None,
            }
            for u in users
        ]
    if json_output:
        sys.stdout.write(json.dumps(rows, indent=2) + "\n")
        return
    if not rows:
        console.print(
            "No accounts yet. Create one with `backcoach users create --email E --role admin`."
        )
        return
    table = Table("id", "e-mail", "role", "created", "status")
    for row in rows:
        status = "[red]disabled[/]" if row["disabled"] else "active"
        table.add_row(
            str(row["id"]), str(row["email"]), str(row["role"]), str(row["created_at"])[:10], status
        )
    console.print(table)


@users_app.command("disable")
def disable(email: Annotated[str, typer.Argument(help="The account's e-mail.")]) -> None:
    """Disable an account: it can no longer sign in, and its sessions end now."""
    with open_database(get_settings()) as db:
        user = accounts.disable_user(db, email=email, now=datetime.now(UTC))
        console.print(f"Disabled [bold]{user.email}[/]; every session of it has ended.")


@users_app.command("reset-link")
def reset_link(
    email: Annotated[str, typer.Argument(help="The account's e-mail.")],
    base_url: Annotated[
        str,
        typer.Option(help="The clinic's address, as patients open it.", show_default=True),
    ] = "http://127.0.0.1:8000",
) -> None:
    """Print a one-time link (valid 24 h) with which the account sets a new password."""
    with open_database(get_settings()) as db:
        secret = accounts.issue_reset_link(db, email=email, issued_by=None, now=datetime.now(UTC))
    console.print(f"{base_url.rstrip('/')}/reset/{secret}", soft_wrap=True, highlight=False)
    err_console.print("Give this link to the account's owner only; it works once, for 24 hours.")


@app.command()
def audit(
    patient: Annotated[str, typer.Option(help="The patient's e-mail.")],
    limit: Annotated[int, typer.Option(min=1, help="Show at most this many entries.")] = 200,
    json_output: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Who viewed or changed a patient's data, and when (newest first)."""
    with open_database(get_settings()) as db:
        lines = entries_for(db, patient_email=patient, limit=limit)
    if json_output:
        rows = [
            {
                "at": line.at.isoformat(),
                "actor": line.actor,
                "patient": line.patient,
                "action": line.action,
                "detail": line.detail,
            }
            for line in lines
        ]
        sys.stdout.write(json.dumps(rows, indent=2) + "\n")
        return
    if not lines:
        console.print(f"Nobody has viewed or changed {patient.strip()}'s data yet.")
        return
    table = Table("when (UTC)", "who", "action", "what")
    for line in lines:
        table.add_row(f"{line.at:%Y-%m-%d %H:%M:%S}", line.actor, line.action, line.detail)
    console.print(table)
