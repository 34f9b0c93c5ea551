"""``/api/v1/auth``: sign in, sign out, who am I, and register with an invite (clinic mode).

In local mode there are no accounts: ``me`` names the local user and the rest
answer 404 with a plain message (``web.security.signin.clinic_routes_need_clinic_mode``).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from fastapi import APIRouter, Request, status
from pydantic import BaseModel, Field
from starlette.concurrency import run_in_threadpool
from starlette.responses import Response

from backcoach.services import accounts, invites
from backcoach.store import User
from backcoach.web.deps import DbDep, UserDep
from backcoach.web.security.session_cookie import (
    client_address,
    forget_session,
    remember_session,
    session_token,
)

#: What any route of the clinic's accounts may answer besides success (documented once).
ACCOUNT_ANSWERS: dict[int | str, dict[str, Any]] = {
    400: {"description": "Refused, with the reason in plain words (e.g. a used invite)"},
    401: {"description": "Not signed in, or a wrong e-mail or password"},
    403: {"description": "Signed in, but not allowed (e.g. a patient on a clinician's route)"},
    404: {"description": "Local mode: there are no accounts"},
    429: {"description": "Too many failed sign-ins; wait 15 minutes"},
}

router = APIRouter(prefix="/auth", tags=["auth"], responses=ACCOUNT_ANSWERS)


class Credentials(BaseModel):
    email: str = Field(max_length=254)
    password: str = Field(max_length=accounts.MAX_PASSWORD)


class Registration(Credentials):
    code: str = Field(max_length=128)


class Me(BaseModel):
    id: int
    email: str | None
    role: str

    @classmethod
    def of(cls, user: User) -> Me:
        return cls(id=user.id, email=user.email, role=user.role.value)


@router.post("/login")
async def login(body: Credentials, request: Request, response: Response, db: DbDep) -> Me:
    """Sign in: the session cookie comes with the answer. 401 on a wrong e-mail or password;
    429 after 10 failures in 15 minutes for the account or the address."""
    user, token = await run_in_threadpool(
        accounts.sign_in,
        db,
        email=body.email,
        password=body.password,
        address=client_address(request),
        now=datetime.now(UTC),
    )
    remember_session(request, response, token)
    return Me.of(user)


@router.post("/register", status_code=status.HTTP_201_CREATED)
async def register(body: Registration, request: Request, response: Response, db: DbDep) -> Me:
    """Create a patient account with a clinician's invite code, and sign in."""

    user, token = await run_in_threadpool(
        invites.register,
        db,
        code=body.code,
        email=body.email,
        password=body.password,
        address=client_address(request),
        now=datetime.now(UTC),
    )
    remember_session(request, response, token)
    return Me.of(user)


@router.post("/logout", status_code=status.HTTP_204_NO_CONTENT)
def logout(request: Request, db: DbDep) -> Response:
    """End this session (the cookie stops working)."""
    accounts.sign_out(db, token=session_token(request))
    response = Response(status_code=status.HTTP_204_NO_CONTENT)
    forget_session(request, response)
    return response


@router.post("/logout-everywhere", status_code=status.HTTP_204_NO_CONTENT)
def logout_everywhere(request: Request, db: DbDep, user: UserDep) -> Response:
    """End every session of this account, on every device."""
    accounts.sign_out_everywhere(db, user_id=user.id)
    response = Response(status_code=status.HTTP_204_NO_CONTENT)
    forget_session(request, response)
    return response


@router.get("/me")
def me(user: UserDep) -> Me:
    """Who is signed in (in local mode: the local user, role ``local``)."""
    return Me.of(user)
