"""Sign-in pages (clinic mode): ``/login``, ``/register`` (with an invite), ``/reset/{secret}``,
and sign out. In local mode there is nothing to sign in to: they answer 404, saying so
(``web.security.signin.clinic_routes_need_clinic_mode``).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated
from urllib.parse import urlsplit

from fastapi import APIRouter, Form, Request
from starlette.responses import RedirectResponse, Response

from backcoach.errors import BackcoachError
from backcoach.services import accounts, invites
from backcoach.store import Role
from backcoach.web.deps import DbDep, UserDep
from backcoach.web.security.session_cookie import (
    client_address,
    forget_session,
    remember_session,
    session_token,
)
from backcoach.web.templating import render

router = APIRouter(tags=["pages"], include_in_schema=False)

Text = Annotated[str, Form(max_length=256)]


def safe_next(target: str | None, role: Role) -> str:
    """Where to go after signing in: a path on this site only (no open redirect)."""
    default = "/clinic" if role in (Role.CLINICIAN, Role.ADMIN) else "/"
    if not target or not target.startswith("/") or target.startswith("//"):
        return default
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or "\\" in target:
        return default
    return target


@router.get("/login")
def login_page(request: Request, next: str = "") -> Response:
    return render(request, "auth/login.html", {"next": next[:512], "email": ""})


@router.post("/login")
def login(
    request: Request,
    db: DbDep,
    email: Text,
    password: Text,
    next: Annotated[str, Form(max_length=512)] = "",
) -> Response:
    try:
        user, token = accounts.sign_in(
            db,
            email=email,
            password=password,
            address=client_address(request),
            now=datetime.now(UTC),
        )
    except BackcoachError as refused:
        context = {"next": next, "email": email[:254], "error": str(refused)}
        return render(request, "auth/login.html", context, status_code=refused.http_status)
    response = RedirectResponse(safe_next(next, user.role), status_code=303)
    remember_session(request, response, token)
    return response


@router.post("/logout")
def logout(request: Request, db: DbDep) -> Response:
    accounts.sign_out(db, token=session_token(request))
    response = RedirectResponse("/login", status_code=303)
    forget_session(request, response)
    return response


@router.post("/logout/everywhere")
def logout_everywhere(request: Request, db: DbDep, user: UserDep) -> Response:
    accounts.sign_out_everywhere(db, user_id=user.id)
    response = RedirectResponse("/login", status_code=303)
    forget_session(request, response)
    return response


@router.get("/register", name="register_page")
def register_page(request: Request, db: DbDep, code: str = "") -> Response:
    valid = invites.invite_valid(db, code=code[:128], now=datetime.now(UTC))
    return render(
        request,
        "auth/register.html",
        {"code": code[:128], "valid": valid, "email": "", "error": None},
        status_code=200 if valid else 410,
    )


@router.post("/register")
def register(
    request: Request,
    db: DbDep,
    code: Text,
    email: Text,
    password: Text,
) -> Response:
    try:
        user, token = invites.register(
            db,
            code=code,
            email=email,
            password=password,
            address=client_address(request),
            now=datetime.now(UTC),
        )
    except BackcoachError as refused:
        context = {"code": code, "valid": True, "email": email[:254], "error": str(refused)}
        return render(request, "auth/register.html", context, status_code=refused.http_status)
    response = RedirectResponse(safe_next(None, user.role), status_code=303)
    remember_session(request, response, token)
    return response


@router.get("/reset/{secret}", name="reset_page")
def reset_page(request: Request, secret: str, db: DbDep) -> Response:
    valid = accounts.reset_link_valid(db, secret=secret[:128], now=datetime.now(UTC))
    return render(
        request,
        "auth/reset.html",
        {"secret": secret[:128], "valid": valid, "error": None},
        status_code=200 if valid else 410,
    )


@router.post("/reset/{secret}")
def reset(request: Request, secret: str, db: DbDep, password: Text) -> Response:
    try:
        accounts.reset_password(db, secret=secret[:128], password=password, now=datetime.now(UTC))
    except BackcoachError as refused:
        context = {"secret": secret[:128], "valid": True, "error": str(refused)}
        return render(request, "auth/reset.html", context, status_code=refused.http_status)
    return render(request, "auth/login.html", {"next": "", "email": "", "reset_done": True})
