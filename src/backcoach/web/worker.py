"""The app of one server worker: ``backcoach serve --workers N`` starts each with this factory.

Each worker process builds its own app from the environment's settings; what
must outlive a request lives in the database, so the workers behave as one.
"""

from __future__ import annotations

from fastapi import FastAPI

from backcoach.config import get_settings
from backcoach.web.app import create_app


def app() -> FastAPI:
    """A new app with the settings of this process's environment."""
    return create_app(get_settings())
