"""The application factory: ``create_app(settings)`` builds a fresh app.

Nothing happens at import time; tests build as many apps as they like, each
with its own settings (data dir, database, time scale). On start the app
brings the database to the newest schema.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import anyio
from anyio import to_thread
from fastapi import Depends, FastAPI
from fastapi.staticfiles import StaticFiles
from starlette.concurrency import run_in_threadpool

from backcoach import __version__
from backcoach.coach.safety import DISCLAIMER
from backcoach.config import Settings
from backcoach.content import Catalog, default_catalog
from backcoach.i18n import LANGUAGES
from backcoach.services.clock import ScaledClock
from backcoach.services.desk_runtime import DeskRuntime
from backcoach.store import make_engine, session_factory, upgrade_database
from backcoach.web import api, pages
from backcoach.web.errors import install_error_handlers
from backcoach.web.language import LanguageMiddleware
from backcoach.web.pages import info
from backcoach.web.security.csrf import CsrfCookieMiddleware, require_form_token
from backcoach.web.security.headers import SecurityHeadersMiddleware
from backcoach.web.security.signin import (
    SignInGateMiddleware,
    clinic_routes_need_clinic_mode,
)
from backcoach.web.security.trust import TrustBoundaryMiddleware
from backcoach.web.state import AppState
from backcoach.web.templating import STATIC_DIR, make_templates
from backcoach.web.ws import coach

DESCRIPTION = (
    "JSON API of backcoach, a local-first back-health coach. The web pages use the "
    "same services as these endpoints. Not medical advice."
)


def create_app(settings: Settings, *, catalog: Catalog | None = None) -> FastAPI:
    """A new backcoach web app using ``settings`` (and ``catalog``, default: shipped content)."""

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        await run_in_threadpool(upgrade_database, settings)
        engine = make_engine(settings)
        state.database = session_factory(engine)
        # One database turn per pooled connection, and a worker thread for each
        # (sync routes and dependencies run in threads): see AppState.database_turn.
        state.database_turns = anyio.Semaphore(settings.db_pool_size)
        to_thread.current_default_thread_limiter().total_tokens = settings.db_pool_size
        try:
            yield
        finally:
            engine.dispose()

    # The docs page is served from our own static files (FastAPI's default loads a CDN).
    app = FastAPI(
        title="backcoach",
        version=__version__,
        description=DESCRIPTION,
        lifespan=lifespan,
        docs_url=None,
        redoc_url=None,
        # Every route, including ones added later, checks the form token (web.csrf).
        # and, in local mode, refuses the clinic's routes (web.security.signin).
        dependencies=[Depends(require_form_token), Depends(clinic_routes_need_clinic_mode)],
    )
    # Outermost last: headers on every answer, then the trust boundary, then the token cookie.
    app.add_middleware(CsrfCookieMiddleware)
    if settings.clinic:  # inside the trust boundary: a foreign site never reaches the sign-in
        app.add_middleware(SignInGateMiddleware)
    app.add_middleware(TrustBoundaryMiddleware, allowed_hosts=settings.allowed_hosts)
    app.add_middleware(SecurityHeadersMiddleware)
    # Outermost: every answer, a refusal too, is in the request's language.
    app.add_middleware(LanguageMiddleware, default=settings.default_language)
    state = AppState(
        settings=settings,
        catalogs={
            language: catalog if catalog is not None else default_catalog(language)
            for language in LANGUAGES
        },
        templates=make_templates(
            {"version": __version__, "disclaimer": DISCLAIMER, "clinic_mode": settings.clinic}
        ),
        desk=DeskRuntime(ScaledClock(settings.time_scale), source="web"),
    )
    app.state.backcoach = state
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    for router in pages.ROUTERS:
        app.include_router(router)
    for router in api.ROUTERS:
        app.include_router(router, prefix=api.PREFIX)
    app.include_router(coach.router)
    app.include_router(info.docs_router)
    install_error_handlers(app)
    return app
