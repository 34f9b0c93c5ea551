"""Information pages: the disclaimer, and the API docs from our own static files."""

from __future__ import annotations

from fastapi import APIRouter, Request
from starlette.responses import Response

from backcoach.web.templating import render

router = APIRouter(tags=["pages"], include_in_schema=False)


@router.get("/disclaimer")
def disclaimer(request: Request) -> Response:
    return render(request, "disclaimer.html")


docs_router = APIRouter(include_in_schema=False)


@docs_router.get("/docs")
def api_docs(request: Request) -> Response:
    """Swagger UI for ``/openapi.json``, from our own files and with no inline script."""
    return render(request, "api_docs.html", {"openapi_url": request.app.openapi_url})
