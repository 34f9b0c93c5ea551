"""``/api/v1/clinic/accounts``: the clinic's accounts, for administrators only.

The sign-in gate admits clinicians and admins to ``/api/v1/clinic``; the
services refuse (403) everyone but an admin.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Literal

from fastapi import APIRouter, HTTPException, Request, status
from pydantic import BaseModel, Field

from backcoach.i18n import N_, _
from backcoach.services import account_admin
from backcoach.services.accounts import MAX_PASSWORD
from backcoach.web.api.auth import ACCOUNT_ANSWERS
from backcoach.web.deps import DbDep, UserDep
from backcoach.web.ids import RowId

router = APIRouter(prefix="/clinic/accounts", tags=["clinic"], responses=ACCOUNT_ANSWERS)

NO_ACCOUNT = N_("There is no account with this id.")


class AccountOut(BaseModel):
    id: int
    email: str
    role: str
    created_at: datetime
    disabled: bool


class AccountIn(BaseModel):
    email: str = Field(max_length=254)
    role: Literal["admin", "clinician", "patient"]
    password: str = Field(max_length=MAX_PASSWORD)


class ResetLinkOut(BaseModel):
    url: str
    expires_at: datetime


def _out(account: account_admin.Account) -> AccountOut:
    return AccountOut(**account.__dict__)


@router.get("")
def list_accounts(db: DbDep, user: UserDep) -> list[AccountOut]:
    """Every account of the clinic."""
    return [_out(a) for a in account_admin.accounts(db, admin_id=user.id)]


@router.post("", status_code=status.HTTP_201_CREATED)
def create_account(body: AccountIn, db: DbDep, user: UserDep) -> AccountOut:
    """Create an account (for a clinician or admin; patients usually join by invite)."""
    account = account_admin.create_account(
        db,
        admin_id=user.id,
        email=body.email,
        role=body.role,
        password=body.password,
        now=datetime.now(UTC),
    )
    return _out(account)


@router.post("/{user_id}/disable")
def disable_account(user_id: RowId, db: DbDep, user: UserDep) -> AccountOut:
    """Disable an account: it can no longer sign in, and its sessions end now."""
    try:
        account = account_admin.disable_account(
            db, admin_id=user.id, user_id=user_id, now=datetime.now(UTC)
        )
    except LookupError:
        raise HTTPException(status.HTTP_404_NOT_FOUND, _(NO_ACCOUNT)) from None
    return _out(account)


@router.post("/{user_id}/reset-link")
def reset_link(user_id: RowId, request: Request, db: DbDep, user: UserDep) -> ResetLinkOut:
    """A one-time link (valid 24 h) with which the account's owner sets a new password."""
    try:
        link = account_admin.reset_link(
            db, admin_id=user.id, user_id=user_id, now=datetime.now(UTC)
        )
    except LookupError:
        raise HTTPException(status.HTTP_404_NOT_FOUND, _(NO_ACCOUNT)) from None
    url = str(request.url_for("reset_page", secret=link.secret))
    return ResetLinkOut(url=url, expires_at=link.expires_at)
