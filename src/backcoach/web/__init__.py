"""The web app: FastAPI pages (Jinja2 + HTMX) and the JSON API under ``/api/v1``."""

from backcoach.web.app import create_app

__all__ = ["create_app"]
