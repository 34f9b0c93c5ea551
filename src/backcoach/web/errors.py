"""Error responses: a friendly page for people, JSON for the API, never a traceback.

- unknown page or id: a 404 page with links back (API: ``{"detail": ...}``);
- invalid API input: 422 with one message per field (FastAPI's format, as documented
  in the OpenAPI schema);
- a ``BackcoachError`` (bad request in plain words): 400 with its message;
- no database connection free in time (``sqlalchemy.exc.TimeoutError``, see
  ``AppState.database_turn``): 503 "busy, try again" with ``Retry-After``, at once
  rather than after a long wait;
- anything unexpected: logged, and a calm "something went wrong" page instead of a trace.
"""

from __future__ import annotations

import logging

from fastapi import FastAPI, Request
from fastapi.exception_handlers import request_validation_exception_handler
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy.exc import TimeoutError as PoolTimeout
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.responses import Response

from backcoach.errors import BackcoachError
from backcoach.i18n import N_, _
from backcoach.web.security.headers import SECURITY_HEADERS
from backcoach.web.security.trust import answers_in_json
from backcoach.web.state import BUSY, RETRY_AFTER_S
from backcoach.web.templating import render

logger = logging.getLogger(__name__)

#: The error page's heading per status (msgids, translated when shown).
TITLES = {
    400: N_("That did not work"),
    403: N_("Not allowed"),
    404: N_("Page not found"),
    405: N_("Not allowed here"),
    401: N_("Please sign in"),
    409: N_("Not possible right now"),
    422: N_("Please check what you entered"),
    429: N_("Too many attempts"),
    503: N_("Busy right now"),
}


def _wants_json(request: Request) -> bool:
    return answers_in_json(request.url.path)


def _error_page(request: Request, status: int, message: str) -> Response:
    title = _(TITLES.get(status, N_("Something went wrong")))
    return render(
        request,
        "error.html",
        {"status": status, "title": title, "message": message},
        status_code=status,
    )


async def _http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, StarletteHTTPException)
    if _wants_json(request):
        return JSONResponse(
            {"detail": exc.detail}, status_code=exc.status_code, headers=exc.headers
        )
    message = (
        _("We could not find that page. It may have moved, or the address has a typo.")
        if exc.status_code == 404 and exc.detail in (None, "Not Found")
        else str(exc.detail)
    )
    return _error_page(request, exc.status_code, message)


async def _validation_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, RequestValidationError)
    if _wants_json(request):
        return await request_validation_exception_handler(request, exc)
    if any(err["loc"][0] == "path" for err in exc.errors()):
        # /session/abc or /exercises/<nonsense>: for people that is simply "not found"
        return _error_page(request, 404, _("We could not find that page."))
    fields = "; ".join(
        f"{'.'.join(str(p) for p in err['loc'][1:]) or 'value'}: {err['msg']}"
        for err in exc.errors()
    )
    return _error_page(
        request, 422, _("Some values were not accepted ({fields}).").format(fields=fields)
    )


async def _backcoach_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, BackcoachError)
    if _wants_json(request):
        return JSONResponse({"detail": str(exc)}, status_code=exc.http_status)
    return _error_page(request, exc.http_status, str(exc))


async def _busy(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, PoolTimeout)
    logger.warning("busy: %s %s: %s", request.method, request.url.path, exc)
    if _wants_json(request):
        response: Response = JSONResponse({"detail": _(BUSY)}, status_code=503)
    else:
        response = _error_page(request, 503, _(BUSY))
    response.headers["Retry-After"] = str(RETRY_AFTER_S)
    return response


async def _unexpected_error(request: Request, exc: Exception) -> Response:
    logger.exception("unexpected error on %s %s", request.method, request.url.path, exc_info=exc)
    message = _("Something went wrong on our side. Your data is safe; please try again.")
    if _wants_json(request):
        response: Response = JSONResponse({"detail": message}, status_code=500)
    else:
        response = _error_page(request, 500, message)
    # This handler runs outside the middleware stack, so it adds the headers itself.
    response.headers.update(SECURITY_HEADERS)
    return response


def install_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(BackcoachError, _backcoach_error)
    app.add_exception_handler(PoolTimeout, _busy)
    app.add_exception_handler(Exception, _unexpected_error)
