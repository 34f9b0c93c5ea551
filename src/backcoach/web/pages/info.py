"""Information pages: the disclaimer, and the API docs from our own static files."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.openapi.docs import get_swagger_ui_html
from starlette.responses import HTMLResponse, Response

from backcoach.web.templating import render

router = APIRouter(tags=["pages"], include_in_schema=False)


@router.get("/disclaimer")
def disclaimer(request: Request) -> Response:
    return render(request, "disclaimer.html")


docs_router = APIRouter(include_in_schema=False)


@docs_router.get("/docs")
def api_docs(request: Request) -> HTMLResponse:
    """Swagger UI for ``/openapi.json``, with no request leaving this computer."""
    return get_swagger_ui_html(
        openapi_url=request.app.openapi_url or "/openapi.json",
        title="backcoach API",
        swagger_js_url="/static/vendor/swagger-ui/swagger-ui-bundle.js",
        swagger_css_url="/static/vendor/swagger-ui/swagger-ui.css",
        swagger_favicon_url="/static/favicon.svg",
    )
