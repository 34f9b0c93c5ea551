"""The application factory: ``create_app(settings)`` builds a fresh app.

Nothing happens at import time; tests build as many apps as they like, each
with its own settings (data dir, database, time scale).
"""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

from backcoach import __version__
from backcoach.config import Settings
from backcoach.content import Catalog, default_catalog
from backcoach.web import api, pages
from backcoach.web.errors import install_error_handlers
from backcoach.web.templating import STATIC_DIR, make_templates

# TEMPORARY until coach/safety.py (D2) lands.
DISCLAIMER = (
    "backcoach gives general exercise guidance. It is not medical advice.\n\nStop if it hurts."
)
DISCLAIMER_SHORT = (
    "Stop any exercise that causes pain, and see a clinician if pain is severe or unusual."
)

DESCRIPTION = (
    "JSON API of backcoach, a local-first back-health coach. The web pages use the "
    "same services as these endpoints. Not medical advice."
)


def create_app(settings: Settings, *, catalog: Catalog | None = None) -> FastAPI:
    """A new backcoach web app using ``settings`` (and ``catalog``, default: shipped content)."""
    app = FastAPI(title="backcoach", version=__version__, description=DESCRIPTION)
    app.state.settings = settings
    app.state.catalog = catalog if catalog is not None else default_catalog()
    app.state.templates = make_templates(
        {"version": __version__, "disclaimer": DISCLAIMER, "disclaimer_short": DISCLAIMER_SHORT}
    )
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    for router in pages.ROUTERS:
        app.include_router(router)
    for router in api.ROUTERS:
        app.include_router(router, prefix=api.PREFIX)
    install_error_handlers(app)
    return app
