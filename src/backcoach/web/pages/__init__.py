"""HTML pages (Jinja2 + HTMX); one router per resource."""

from __future__ import annotations

from fastapi import APIRouter

from backcoach.web.pages import exercises, info

ROUTERS: tuple[APIRouter, ...] = (exercises.router, info.router)
