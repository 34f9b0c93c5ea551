"""The clinic's administrators manage accounts from the web: list, create, disable, reset.

Every function takes the acting user's id and refuses (403) anyone but an admin,
so the rule holds whichever route or command calls it. Changes to a patient's
account are written to the audit log with the change.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from backcoach.errors import UsageError
from backcoach.i18n import N_, _
from backcoach.services import audit
from backcoach.services.accounts import (
    RESET_LIFETIME,
    account_by_id,
    create_user,
    disable_user,
    issue_reset_link,
    list_users,
    require_admin,
)
from backcoach.store import Role, User

#: The roles as the accounts page names them, in the order it offers them (the first is
#: chosen); ``Role`` values, translated where shown.
ROLE_NAMES = {
    Role.CLINICIAN.value: N_("clinician"),
    Role.ADMIN.value: N_("admin"),
    Role.PATIENT.value: N_("patient"),
}


@dataclass(frozen=True)
class Account:
    id: int
    email: str
    role: str
    created_at: datetime
    disabled: bool

    @classmethod
    def of(cls, user: User) -> Account:
        return cls(
            id=user.id,
            email=str(user.email),
            role=user.role.value,
            created_at=user.created_at,
            disabled=user.disabled_at is not None,
        )


@dataclass(frozen=True)
class ResetLink:
    secret: str
    expires_at: datetime


def accounts(db: Session, *, admin_id: int) -> list[Account]:
    require_admin(db, user_id=admin_id)
    return [Account.of(user) for user in list_users(db)]


def create_account(
    db: Session, *, admin_id: int, email: str, role: str, password: str, now: datetime
) -> Account:
    require_admin(db, user_id=admin_id)
    return Account.of(create_user(db, email=email, password=password, role=role, now=now))


def _note_patient_change(db: Session, admin: User, user: User, what: str, now: datetime) -> None:
    if user.role is Role.PATIENT:
        audit.record(db, actor=admin, patient=user, action=audit.CHANGED, detail=what, now=now)


def disable_account(db: Session, *, admin_id: int, user_id: int, now: datetime) -> Account:
    """Disable an account by id (its sessions end); an admin cannot disable themselves."""
    admin = require_admin(db, user_id=admin_id)
    user = account_by_id(db, user_id=user_id)
    if user.id == admin.id:
        raise UsageError(_("You cannot disable your own account; ask another administrator."))
    _note_patient_change(db, admin, user, "account disabled", now)
    return Account.of(disable_user(db, email=str(user.email), now=now))


def reset_link(db: Session, *, admin_id: int, user_id: int, now: datetime) -> ResetLink:
    """A one-time password reset secret for an account (the page builds the link)."""
    admin = require_admin(db, user_id=admin_id)
    user = account_by_id(db, user_id=user_id)
    _note_patient_change(db, admin, user, "password reset link issued", now)
    secret = issue_reset_link(db, email=str(user.email), issued_by=admin.id, now=now)
    return ResetLink(secret=secret, expires_at=now + RESET_LIFETIME)
