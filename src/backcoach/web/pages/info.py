"""Static information pages: the disclaimer."""

from __future__ import annotations

from fastapi import APIRouter, Request
from starlette.responses import Response

from backcoach.web.templating import render

router = APIRouter(tags=["pages"], include_in_schema=False)


@router.get("/disclaimer")
def disclaimer(request: Request) -> Response:
    return render(request, "disclaimer.html")
