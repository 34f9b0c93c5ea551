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
from backcoach.i18n import _, format_date
from backcoach.services import accounts
from backcoach.services.audit import entries_for
from backcoach.store import open_database

users_app = new_typer(help=_("Clinic accounts: create, list, disable, password reset links."))
app.add_typer(users_app, name="users")


def _read_password(from_stdin: bool) -> str:
    if from_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
        if not password:
            raise UsageError(_("No password on standard input."))
        return password
    if not sys.stdin.isatty():
        raise UsageError(
            _("No terminal to ask for the password: pass --password-stdin and pipe it in.")
        )
    password = typer.prompt(
        _("Password"), hide_input=True, confirmation_prompt=_("Repeat for confirmation")
    )
    return str(password)


@users_app.command(
    "create",
    help=_("Create an account (the password is asked for, or read with --password-stdin)."),
)
def create(
    email: Annotated[str, typer.Option(help=_("The account's e-mail (its sign-in name)."))],
    role: Annotated[
        str, typer.Option(help=_("admin, clinician or patient."), show_default=True)
    ] = "patient",
    password_stdin: Annotated[
        bool,
        typer.Option("--password-stdin", help=_("Read the password from the first line of stdin.")),
    ] = False,
) -> None:
    accounts.parse_role(role)
    accounts.normalise_email(email)
    password = _read_password(password_stdin)
    with open_database(get_settings()) as db:
        user = accounts.create_user(
            db, email=email, password=password, role=role, now=datetime.now(UTC)
        )
        console.print(
            _("Created {role} [bold]{email}[/] (id {id}).").format(
                role=user.role.value, email=user.email, id=user.id
            )
        )
    if not get_settings().clinic:
        err_console.print(
            _(
                "Note: this backcoach runs in local mode; accounts sign in once the server runs "
                "with BACKCOACH_MODE=clinic."
            )
        )


@users_app.command("list", help=_("List the accounts: e-mail, role, created, disabled."))
def list_(
    json_output: Annotated[bool, typer.Option("--json", help=_("Print JSON."))] = False,
) -> None:
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
            _("No accounts yet. Create one with `backcoach users create --email E --role admin`.")
        )
        return
    table = Table("id", _("e-mail"), _("role"), _("created"), _("status"))
    for row in rows:
        status = "[red]" + _("disabled") + "[/]" if row["disabled"] else _("active")
        table.add_row(
            str(row["id"]),
            str(row["email"]),
            str(row["role"]),
            format_date(datetime.fromisoformat(str(row["created_at"])).date(), "yMd"),
            status,
        )
    console.print(table)


@users_app.command(
    "disable", help=_("Disable an account: it can no longer sign in, and its sessions end now.")
)
def disable(email: Annotated[str, typer.Argument(help=_("The account's e-mail."))]) -> None:
    with open_database(get_settings()) as db:
        user = accounts.disable_user(db, email=email, now=datetime.now(UTC))
        console.print(
            _("Disabled [bold]{email}[/]; every session of it has ended.").format(email=user.email)
        )


@users_app.command(
    "reset-link",
    help=_("Print a one-time link (valid 24 h) with which the account sets a new password."),
)
def reset_link(
    email: Annotated[str, typer.Argument(help=_("The account's e-mail."))],
    base_url: Annotated[
        str,
        typer.Option(help=_("The clinic's address, as patients open it."), show_default=True),
    ] = "http://127.0.0.1:8000",
) -> None:
    with open_database(get_settings()) as db:
        secret = accounts.issue_reset_link(db, email=email, issued_by=None, now=datetime.now(UTC))
    console.print(f"{base_url.rstrip('/')}/reset/{secret}", soft_wrap=True, highlight=False)
    err_console.print(_("Give this link to the account's owner only; it works once, for 24 hours."))


@app.command(help=_("Who viewed or changed a patient's data, and when (newest first)."))
def audit(
    patient: Annotated[str, typer.Option(help=_("The patient's e-mail."))],
    limit: Annotated[int, typer.Option(min=1, help=_("Show at most this many entries."))] = 200,
    json_output: Annotated[bool, typer.Option("--json", help=_("Print JSON."))] = False,
) -> None:
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
        console.print(
            _("Nobody has viewed or changed {patient}'s data yet.").format(patient=patient.strip())
        )
        return
    table = Table(_("when (UTC)"), _("who"), _("action"), _("what"))
    for line in lines:
        table.add_row(f"{line.at:%Y-%m-%d %H:%M:%S}", line.actor, line.action, line.detail)
    console.print(table)
