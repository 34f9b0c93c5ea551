"""``/clinic/accounts``: the clinic's accounts, for administrators (the same services as
``/api/v1/clinic/accounts`` and ``backcoach users``)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Form, HTTPException, Request, status
from starlette.responses import Response

from backcoach.errors import BackcoachError
from backcoach.i18n import _
from backcoach.services import account_admin
from backcoach.services.account_admin import ROLE_NAMES
from backcoach.web.api.clinic_accounts import NO_ACCOUNT
from backcoach.web.deps import DbDep, UserDep
from backcoach.web.ids import RowId
from backcoach.web.templating import render

router = APIRouter(prefix="/clinic/accounts", tags=["pages"], include_in_schema=False)

Text = Annotated[str, Form(max_length=256)]


def _page(
    request: Request, db: DbDep, admin_id: int, status_code: int = 200, **context: Any
) -> Response:
    rows = account_admin.accounts(db, admin_id=admin_id)
    return render(
        request,
        "clinic_accounts/index.html",
        {
            "accounts": rows,
            "roles": [(role, _(name)) for role, name in ROLE_NAMES.items()],
            "error": None,
            "message": None,
            "link": None,
            **context,
        },
        status_code=status_code,
    )


@router.get("")
def accounts_page(request: Request, db: DbDep, user: UserDep) -> Response:
    return _page(request, db, user.id)


@router.post("")
def create(
    request: Request, db: DbDep, user: UserDep, email: Text, role: Text, password: Text
) -> Response:
    try:
        made = account_admin.create_account(
            db, admin_id=user.id, email=email, role=role, password=password, now=datetime.now(UTC)
        )
    except BackcoachError as refused:
        return _page(
            request, db, user.id, status_code=refused.http_status, error=str(refused),
            values={"email": email[:254], "role": role[:16]},
        )  # fmt: skip
    message = _("Created {role} {email}.").format(role=_(ROLE_NAMES[made.role]), email=made.email)
    return _page(request, db, user.id, message=message)


@router.post("/{user_id}/disable")
def disable(request: Request, user_id: RowId, db: DbDep, user: UserDep) -> Response:
    try:
        done = account_admin.disable_account(
            db, admin_id=user.id, user_id=user_id, now=datetime.now(UTC)
        )
    except LookupError:
        raise HTTPException(status.HTTP_404_NOT_FOUND, _(NO_ACCOUNT)) from None
    except BackcoachError as refused:
        return _page(request, db, user.id, status_code=refused.http_status, error=str(refused))
    message = _("Disabled {email}; its sessions have ended.").format(email=done.email)
    return _page(request, db, user.id, message=message)


@router.post("/{user_id}/reset-link")
def reset_link(request: Request, user_id: RowId, db: DbDep, user: UserDep) -> Response:
    try:
        link = account_admin.reset_link(
            db, admin_id=user.id, user_id=user_id, now=datetime.now(UTC)
        )
    except LookupError:
        raise HTTPException(status.HTTP_404_NOT_FOUND, _(NO_ACCOUNT)) from None
    url = str(request.url_for("reset_page", secret=link.secret))
    return _page(request, db, user.id, link=url)
